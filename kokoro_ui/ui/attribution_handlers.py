"""What the Compare tab's attribution modes do: plain functions, testable without a browser.

`run_attribution` streams up to four cells (`kokoro_ui.services.attribution`) into four players; each
frame maps output names (`OUTPUTS`) to new values, anything left out stays as it is.
`attribute` is the named API's whole-file version of the same run.
"""

import contextlib
import dataclasses
import tempfile
from typing import Iterator, Optional

import gradio as gr
import numpy as np
import soundfile

from kokoro_ui.services import attribution
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, Chunk
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.metrics import RunMetrics
from kokoro_ui.ui import views
from kokoro_ui.services.validation import SpeechRequest, validate_lang, validate_text, validate_version
from kokoro_ui.services.attribution import validate_attribution_mode

CELLS = 4
OUTPUTS = (*(f"cell{n}_{part}" for n in range(CELLS) for part in ("audio", "chunks", "status")), "note")


def frame(**updates) -> tuple:
    return tuple(updates.get(name, gr.skip()) for name in OUTPUTS)


def plan(manager: ModelManager, mode: str, text: str, phonemes: str, written_in: str, left_voice: str,
         right_voice: str, speed: float, lang: Optional[str]) -> attribution.Plan:
    voices = {"v0.19": left_voice or "", "v1.0": right_voice or ""}
    mode = validate_attribution_mode(mode)
    if mode == "same_phonemes":
        return attribution.plan_same_phonemes(manager, phonemes, written_in or "auto", voices, speed, lang)
    if mode == "swap":
        return attribution.plan_swap(manager, text, voices, speed, lang)
    return attribution.plan_own(manager, text, voices, speed, lang)


def run_attribution(manager: ModelManager, mode: str, text: str, phonemes: str, written_in: str, left_voice: str,
                    right_voice: str, speed: float, lang: Optional[str]) -> Iterator[tuple]:
    try:
        the_plan = plan(manager, mode, text, phonemes, written_in, left_voice, right_voice, speed, lang)
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None
    slot = {cell.label: n for n, cell in enumerate(the_plan.pairings)}
    chunks: dict[str, list[Chunk]] = {cell.label: [] for cell in the_plan.pairings}
    start = {f"cell{n}_{part}": "" for n in range(CELLS) for part in ("chunks", "status")}
    start.update({f"cell{n}_status": _status(cell.label, 0, None) for n, cell in enumerate(the_plan.pairings)})
    yield frame(**start, note=_note(the_plan))
    events = attribution.run(manager, the_plan)
    with contextlib.closing(events):
        for event in events:
            n = slot[event.label]
            if event.chunk is not None:
                chunks[event.label].append(event.chunk)
                yield frame(**{f"cell{n}_audio": (SAMPLE_RATE_HZ, views.int16_audio(event.chunk.audio)),
                               f"cell{n}_chunks": views.chunks_html(chunks[event.label], f"{event.label} chunks"),
                               f"cell{n}_status": _status(event.label, len(chunks[event.label]), None)})
            else:
                yield frame(**{f"cell{n}_status": _status(event.label, 0, event.result)})
    yield frame(**{f"cell{n}_audio": None for n in range(CELLS)})  # None ends each audio stream


def _status(label: str, chunks: int, result: Optional[RunMetrics]) -> str:
    return views.status_markdown(label, chunks, result)


def _note(the_plan: attribution.Plan) -> str:
    dropped = [f"{cell.label}: dropped {' '.join(cell.dropped)} (no token for them)" for cell in the_plan.pairings
               if cell.dropped]
    return "\n\n".join(dropped) or "Nothing was dropped: every symbol has a token in the network that speaks it."


def prefill(manager: ModelManager, text: str, version: str, lang: Optional[str]) -> str:
    """The same-phonemes box, filled from one release's G2P of the text."""
    try:
        text, version = validate_text(text, manager.settings.max_chars), validate_version(manager, version)
        voice = manager.settings.default_voice(version)
        return attribution.front_end_phonemes(manager, SpeechRequest(text, voice, version, 1.0, validate_lang(lang)))
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None


def attribute(manager: ModelManager, mode: str, text: str, phonemes: str, written_in: str, left_voice: str,
              right_voice: str, speed: float = 1.0, lang: str = "") -> tuple[list[str], list[dict]]:
    """The named API: every cell as a WAV file, and each cell's label, phonemes, drops and metrics."""
    try:
        the_plan = plan(manager, mode, text, phonemes, written_in, left_voice, right_voice, speed, lang or None)
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None
    chunks: dict[str, list[Chunk]] = {cell.label: [] for cell in the_plan.pairings}
    results: dict[str, RunMetrics] = {}
    for event in attribution.run(manager, the_plan):
        if event.chunk is not None:
            chunks[event.label].append(event.chunk)
        else:
            results[event.label] = event.result
    paths, cells = [], []
    for cell in the_plan.pairings:
        path = tempfile.NamedTemporaryFile(suffix=".wav", delete=False).name
        audio = [chunk.audio for chunk in chunks[cell.label]] or [np.zeros(0, np.float32)]
        soundfile.write(path, np.concatenate(audio), SAMPLE_RATE_HZ, subtype="PCM_16")
        paths.append(path)
        cells.append({"label": cell.label, "front_end": cell.front_end, "network": cell.network,
                      "phonemes": " ".join(chunk.phonemes for chunk in chunks[cell.label]),
                      "dropped": list(cell.dropped), **dataclasses.asdict(results[cell.label])})
    return paths, cells
