"""The clip bank: trial clips rendered ahead of time (``python -m kokoro_ui.abtest render``), so a
listener waits for no forward pass and several app processes can share one folder of clips.

A clip is filed under what made it (`outputs.rendering.audio_key`, the gallery's samples' key too),
so a clip is never served for weights, a voice or a rendering it was not made with::

    <bank>/<release>-<weights kind>-<backend>-<weights_id>-<front ends>-<rendering>/<voice>-<pack digest>/<text and speed>.v<format>.npy

Clips are rendered as `RENDERING` says: whole passes, the text cut only where the release cuts it;
a clip of an older bank that was cut for fast first audio has another key, so it is never served
again, and `render` makes its whole-pass clip. Files hold the raw float32 audio, written under a
temporary name and then renamed, so a reader never sees half a clip. The bank stores audio as it
came out of the model: loudness matching and fresh dither happen at every serve (`clips`), so
nothing in the bank, nor a file's name, ever reaches a browser.
"""

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from tqdm import tqdm

from kokoro_ui.abtest.material import NEW, Sentence, VoicePair
from kokoro_ui.engine.release import Release
from kokoro_ui.outputs.rendering import audio_key
from kokoro_ui.services.manager import ModelManager

log = logging.getLogger(__name__)

RENDERING = "whole-pass"
_FORMAT = 1  # bump when what a clip file holds changes


def synthesise(model: Release, voice: str, text: str, speed: float) -> np.ndarray:
    """The whole clip, as the release says it: its own passes (`RENDERING`), joined (float32, mono)."""
    return np.concatenate([chunk.audio for chunk in model.stream(text, voice, speed)]).astype(np.float32)


class ClipBank:
    """One folder of clips; any number of processes may read and fill it at once."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, model: Release, voice: str, text: str, speed: float) -> Path:
        key = audio_key(model, voice, text, speed, RENDERING)
        return self.folder / key.release / f"{voice}-{key.pack}" / f"{key.utterance}.v{_FORMAT}.npy"

    def load(self, model: Release, voice: str, text: str, speed: float) -> Optional[np.ndarray]:
        """The banked clip, or None if it was never rendered (or its file is unreadable: it is remade)."""
        path = self.path(model, voice, text, speed)
        try:
            audio = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            log.warning("clip bank: %s is unreadable (%s); making the clip again", path, error)
            return None
        return audio.astype(np.float32, copy=False)

    def save(self, model: Release, voice: str, text: str, speed: float, audio: np.ndarray) -> Path:
        path = self.path(model, voice, text, speed)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.partial.npy")
        np.save(partial, np.asarray(audio, dtype=np.float32), allow_pickle=False)
        os.replace(partial, path)  # atomic: a reader finds the whole clip or none
        return path

    def has(self, model: Release, voice: str, text: str, speed: float) -> bool:
        return self.path(model, voice, text, speed).is_file()


@dataclass(frozen=True)
class Rendered:
    made: int  # clips synthesised now
    kept: int  # clips the bank had already
    folder: Path


def render(manager: ModelManager, bank: ClipBank, sentences: Sequence[Sentence], pairs: Sequence[VoicePair],
           speed: float, releases: Sequence[str], progress: bool = True,
           attention_texts: Sequence[str] = ()) -> Rendered:
    """Every trial clip (each sentence by each pair's voice in each release) that the bank lacks, and
    the attention trial's (each of `attention_texts` by each pair's v1.0 voice, when v1.0 is asked for)."""
    jobs = [(release, pair.voices[release], sentence.text) for release in releases for pair in pairs
            for sentence in sentences]
    jobs += [(NEW, pair.voices[NEW], text) for pair in pairs for text in attention_texts if NEW in releases]
    made = kept = 0
    for release, voice, text in tqdm(jobs, desc="trial clips", unit="clip", disable=not progress):
        model = manager.get_model(release)
        if bank.has(model, voice, text, speed):
            kept += 1
            continue
        bank.save(model, voice, text, speed, synthesise(model, voice, text, speed))
        made += 1
    return Rendered(made, kept, bank.folder)
