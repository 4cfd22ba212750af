"""Per-run measurements: time to first audio, real-time factor and the rest, and their history.

Times are server-side: from the request arriving to a chunk being ready to send. RTF is
compute (front end + model) divided by the audio it produced: below 1 is faster than real time.
"""

import csv
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Optional

from kokoro_ui.engine.chunk import Chunk
from kokoro_ui.engine.pacing import WHOLE_PASS


@dataclass(frozen=True)
class RunMetrics:
    version: str
    voice: str
    mode: str  # 'fair', 'parallel' or 'single'
    backend: str
    weights: str  # the weight source's kind: 'hub', 'folder', 'synthetic', ...
    loaded_first: bool  # the model had to load before this run could start
    characters: int
    tokens: int
    chunks: int
    ttfa_s: Optional[float]
    total_s: float
    audio_s: float
    compute_s: float
    rtf: Optional[float]
    error: Optional[str] = None
    rendering: str = WHOLE_PASS  # how the text was cut into passes: `pacing.WHOLE_PASS` (the release's own) or FAST_FIRST
    decoding: str = ""  # how its audio was decoded (`Chunk.decoding`); '' before any chunk


class RunTracker:
    """Accumulates one release's chunks during a run into a `RunMetrics`."""

    def __init__(self, started_at: float, version: str, voice: str, mode: str, characters: int,
                 backend: str = "torch", weights: str = "", loaded_first: bool = False,
                 rendering: str = WHOLE_PASS):
        self.started_at = started_at  # time.perf_counter() when the request arrived
        self._fixed = dict(version=version, voice=voice, mode=mode, backend=backend, weights=weights,
                           loaded_first=loaded_first, characters=characters, rendering=rendering)
        self.first_audio_at: Optional[float] = None
        self.tokens = self.chunks = 0
        self.audio_s = self.compute_s = 0.0
        self.decoding = ""

    def add(self, chunk: Chunk) -> None:
        """Count a chunk at the moment it is ready to be sent."""
        if self.first_audio_at is None:
            self.first_audio_at = time.perf_counter()
        if chunk.completes_pass:  # a window of a pass counts its audio and time, the pass once
            self.chunks += 1
            self.tokens += len(chunk.token_ids)
        self.audio_s += chunk.audio_s
        self.decoding = chunk.decoding
        self.compute_s += chunk.frontend_s + chunk.model_s

    @property
    def ttfa_s(self) -> Optional[float]:
        return None if self.first_audio_at is None else self.first_audio_at - self.started_at

    def finish(self, error: Optional[str] = None) -> RunMetrics:
        return RunMetrics(**self._fixed, tokens=self.tokens, chunks=self.chunks, ttfa_s=self.ttfa_s,
                          total_s=time.perf_counter() - self.started_at, audio_s=self.audio_s,
                          compute_s=self.compute_s, rtf=self.compute_s / self.audio_s if self.audio_s else None,
                          error=error, decoding=self.decoding)


COLUMNS = ["run"] + [field.name for field in fields(RunMetrics)]


class History:
    """The runs of one browser session (or one benchmark), in order, exportable as CSV.

    Plain data (no lock) so that Gradio can copy it into each new session's state.
    """

    def __init__(self) -> None:
        self._rows: list[dict] = []
        self.runs = 0

    def add_run(self, results: list[RunMetrics]) -> int:
        """Record the releases' results of one run; returns the run number."""
        self.runs += 1
        self._rows.extend({"run": self.runs, **asdict(result)} for result in results)
        return self.runs

    def rows(self) -> list[dict]:
        return list(self._rows)

    def write_csv(self, path: Path) -> Path:
        # a refused side keeps the voice as typed, which may not be valid Unicode: escape what cannot be encoded
        with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(self.rows())
        return path
