"""Fair-mode first audio: how long each side of a Compare waits for its first chunk, server side.

In fair mode the releases take turns (`kokoro_ui.services.compare`), streaming as Compare does on
the manager's settings: whole passes by default, decoder windows with `KOKORO_UI_STREAM_WINDOWS`
(turns window by window), fast first with `KOKORO_UI_FAST_FIRST`; so the side that goes second
also waits for the other side's first pass (or window). Each round seeds the coin that picks who
goes first with the round's number, so both orders are measured, and stops both sides once each
has its first chunk. Times run from the call to `compare` (the request arriving) to each
side's first chunk being handed out, as a surface would send it.
"""

import random
import statistics
import time

from kokoro_ui.bench.measure import FAIR_FIRST_AUDIO_PATH, Row, p90, rss_mb
from kokoro_ui.services.compare import compare
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.validation import SpeechRequest


def measure_fair_first_audio(manager: ModelManager, texts: dict[str, str], voice: str, rounds: int) -> list[Row]:
    """One row per text and release: median and p90 of its first audio over `rounds` Compares."""
    versions = manager.versions()
    rows = []
    for name, text in texts.items():
        firsts: dict[str, list[float]] = {version: [] for version in versions}
        for round_number in range(rounds):
            for version, seconds in fair_first_audio(manager, text, voice, round_number).items():
                firsts[version].append(seconds)
        for version, seconds in firsts.items():
            rows.append(Row(version, manager.settings.backend, name, FAIR_FIRST_AUDIO_PATH, statistics.median(seconds),
                            p90(seconds), None, None, None, None, rss_mb()))
    return rows


def fair_first_audio(manager: ModelManager, text: str, voice: str, seed: int) -> dict[str, float]:
    """One fair-mode Compare of `text`: release -> seconds to its first chunk (`seed` picks who goes first)."""
    versions = manager.versions()
    requests = [SpeechRequest(text, voice, version, 1.0, None) for version in versions]
    started = time.perf_counter()
    events = compare(manager, requests, "fair", random.Random(seed), in_windows=manager.settings.stream_windows)
    firsts: dict[str, float] = {}
    try:
        for event in events:
            if event.chunk is not None and event.version not in firsts:
                firsts[event.version] = time.perf_counter() - started
            if event.result is not None and event.result.error:
                raise RuntimeError(f"{event.version}: {event.result.error}")
            if len(firsts) == len(versions):
                break
    finally:
        events.close()
    return firsts
