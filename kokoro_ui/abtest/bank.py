"""The clip bank: trial clips rendered ahead of time (``python -m kokoro_ui.abtest render``), so a
listener waits for no forward pass and several app processes can share one folder of clips.

A clip is filed under what made it, so a clip is never served for weights or a voice it was not
made with::

    <bank>/<release>-<weights kind>-<backend>-<weights_id>-<front ends>/<voice>-<pack digest>/<text and speed>.npy

`weights_id` is the loaded network's digest (`weights_digest`), the pack digest the voice's
values (`pack_digest`), and the front-end part a digest of the G2P libraries' versions (they
decide the phonemes). Files hold the raw float32 audio, written under a temporary name and then
renamed, so a reader never sees half a clip. The bank stores audio as it came out of the model:
loudness matching and fresh dither happen at every serve (`clips`), so nothing in the bank, nor
a file's name, ever reaches a browser.
"""

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from tqdm import tqdm

from kokoro_ui.abtest.material import Sentence, VoicePair
from kokoro_ui.engine.release import Release
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.weights.checkpoint import pack_digest

log = logging.getLogger(__name__)

FRONT_END_PACKAGES = ("kokoro", "misaki", "phonemizer-fork", "espeakng-loader")
_FORMAT = 1  # bump when what a clip file holds changes


def synthesise(model: Release, voice: str, text: str, speed: float) -> np.ndarray:
    """The whole clip, as the release says it: every chunk's audio, joined (float32, mono)."""
    return np.concatenate([chunk.audio for chunk in model.stream(text, voice, speed)]).astype(np.float32)


class ClipBank:
    """One folder of clips; any number of processes may read and fill it at once."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, model: Release, voice: str, text: str, speed: float) -> Path:
        key = hashlib.sha256(f"{_FORMAT}\n{float(speed)!r}\n{text}".encode()).hexdigest()[:32]
        return self.folder / release_key(model) / _voice_key(model, voice) / f"{key}.npy"

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
           speed: float, releases: Sequence[str], progress: bool = True) -> Rendered:
    """Every trial clip (each sentence by each pair's voice in each release) that the bank lacks."""
    jobs = [(release, pair.voices[release], sentence.text) for release in releases for pair in pairs
            for sentence in sentences]
    made = kept = 0
    for release, voice, text in tqdm(jobs, desc="trial clips", unit="clip", disable=not progress):
        model = manager.get_model(release)
        if bank.has(model, voice, text, speed):
            kept += 1
            continue
        bank.save(model, voice, text, speed, synthesise(model, voice, text, speed))
        made += 1
    return Rendered(made, kept, bank.folder)


def release_key(model: Release) -> str:
    """The folder of one release's clips: same key, same audio for the same voice, text and speed."""
    info = model.info
    return f"{info.version}-{info.weights_kind}-{info.backend}-{info.weights_id}-{_front_ends()}"


@lru_cache(maxsize=512)
def _voice_key(model: Release, voice: str) -> str:
    return f"{voice}-{pack_digest(model.voice_pack(model.voices.get(voice)))[:16]}"


@cache
def _front_ends() -> str:
    versions = []
    for package in FRONT_END_PACKAGES:
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()[:8]
