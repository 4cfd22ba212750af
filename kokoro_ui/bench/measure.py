"""Timing one path through one release: time to first audio, total time, audio length, memory."""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np

from kokoro_ui.builds.chunk import SAMPLE_RATE_HZ


@dataclass(frozen=True)
class Row:
    release: str
    backend: str
    text: str
    path: str  # 'app, fast first' | 'app, whole' | 'raw'
    ttfa_median_s: float
    ttfa_p90_s: float
    total_s: Optional[float]  # None when only the first chunk was timed (--quick)
    audio_s: Optional[float]
    rtf: Optional[float]
    chunks: Optional[int]
    rss_mb: float

    @property
    def key(self) -> tuple:
        return self.release, self.backend, self.text, self.path


def measure(release: str, backend: str, text: str, path: str, run: Callable[[], Iterator[np.ndarray]],
            repetitions: int, first_only: bool = False) -> Row:
    """Run `run` `repetitions` times; `first_only` stops each after its first chunk."""
    ttfas, totals, audio_s, chunks = [], [], 0.0, 0
    for _ in range(repetitions):
        started = time.perf_counter()
        audio_s, chunks = 0.0, 0
        stream = run()
        for audio in stream:
            if chunks == 0:
                ttfas.append(time.perf_counter() - started)
            chunks += 1
            audio_s += len(audio) / SAMPLE_RATE_HZ
            if first_only:
                stream.close()
                break
        totals.append(time.perf_counter() - started)
    total = None if first_only else statistics.median(totals)
    return Row(release, backend, text, path, statistics.median(ttfas), _p90(ttfas), total,
               None if first_only else audio_s, None if first_only else total / audio_s,
               None if first_only else chunks, rss_mb())


def rss_mb() -> float:
    """This process's resident memory now, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
