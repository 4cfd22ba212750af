"""Timing one path through one release: time to first audio, total time, audio length, memory."""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ

GRADIO_SERVER_PATH = "gradio, Compare (server)"  # the Gradio path's rows (`gradio_path`), timed on the server
GRADIO_CLIENT_PATH = "gradio, Compare (client)"  # and at the client
PLAYER_START_PATH = "gradio, player start"  # Gradio starting a streamed player, on its own
WHOLE_PATH = "app, whole"  # the release's own passes, each streamed whole: the default
WINDOWS_PATH = "app, windows"  # the release's own passes, each streamed in decoder windows (`engine.windows`): opt-in
FAST_FIRST_PATH = "app, fast first (opt-in)"  # the text cut into growing pieces (`engine.pacing`): opt-in
RAW_PATH = "raw"  # the release's own code (`Build.reference`), nothing of ours around it
FAIR_FIRST_AUDIO_PATH = "fair, first audio"  # a Compare's sides in fair mode, each to its first chunk (`fair`)
GRADIO_ADDS_PATHS = {GRADIO_SERVER_PATH: "gradio adds (server)", GRADIO_CLIENT_PATH: "gradio adds (client)"}


@dataclass(frozen=True)
class Row:
    release: str
    backend: str
    text: str
    path: str  # WHOLE_PATH, WINDOWS_PATH, FAST_FIRST_PATH, RAW_PATH, or a fair or Gradio path
    ttfa_median_s: float
    ttfa_p90_s: float
    total_s: Optional[float]  # None when only the first chunk was timed (--quick)
    audio_s: Optional[float]
    rtf: Optional[float]
    chunks: Optional[int]
    rss_mb: float
    length_ratio: Optional[float] = None  # the path's output against the release's own whole passes (`fidelity`)
    log_mel_r: Optional[float] = None  # over the whole output, the same random draws (None: lengths differ)
    worst_window_r: Optional[float] = None
    seam_step_ratio: Optional[float] = None

    @property
    def key(self) -> tuple:
        return self.release, self.backend, self.text, self.path


def default_path(fast_first: bool, stream_windows: bool) -> str:
    """The path a visitor's streamed audio takes on these settings (`KOKORO_UI_FAST_FIRST`,
    `KOKORO_UI_STREAM_WINDOWS`): whole passes unless one is opted in; windows win over fast first,
    as in `Release.stream`."""
    if stream_windows:
        return WINDOWS_PATH
    return FAST_FIRST_PATH if fast_first else WHOLE_PATH


def measure(release: str, backend: str, text: str, paths: dict[str, Callable[[], Iterator[np.ndarray]]],
            repetitions: int, first_only: bool = False) -> list[Row]:
    """Time each of `paths` (label -> a fresh stream of audio chunks) `repetitions` times.

    The paths take turns, one run each per round, so a slow spell of a shared machine (or
    the allocator warming up) falls on all of them alike rather than on whichever ran first.
    `first_only` stops each run after its first chunk.
    """
    runs = {label: [] for label in paths}
    for _ in range(repetitions):
        for label, run in paths.items():
            runs[label].append(_time_one(run, first_only))
    return [_row(release, backend, text, label, timings, first_only) for label, timings in runs.items()]


@dataclass(frozen=True)
class _Timing:
    ttfa_s: float
    total_s: float
    audio_s: float
    chunks: int


def _time_one(run: Callable[[], Iterator[np.ndarray]], first_only: bool) -> _Timing:
    started = time.perf_counter()
    ttfa_s, audio_s, chunks = float("nan"), 0.0, 0
    stream = run()
    for audio in stream:
        if chunks == 0:
            ttfa_s = time.perf_counter() - started
        chunks += 1
        audio_s += len(audio) / SAMPLE_RATE_HZ
        if first_only:
            stream.close()
            break
    return _Timing(ttfa_s, time.perf_counter() - started, audio_s, chunks)


def _row(release: str, backend: str, text: str, label: str, timings: list[_Timing], first_only: bool) -> Row:
    ttfas = [timing.ttfa_s for timing in timings]
    total = None if first_only else statistics.median(timing.total_s for timing in timings)
    last = timings[-1]
    return Row(release, backend, text, label, statistics.median(ttfas), p90(ttfas), total,
               None if first_only else last.audio_s, None if first_only else total / last.audio_s,
               None if first_only else last.chunks, rss_mb())


def rss_mb() -> float:
    """This process's resident memory now, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p90(values: list[float]) -> float:
    """The 90th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
