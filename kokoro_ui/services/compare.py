"""Run one text through two releases at once and report each chunk as it is ready.

"fair" mode takes turns in one thread, chunk by chunk (or decoder window by decoder window, when
the sides stream in windows), which release first decided by a coin: both sides stream, and every
forward pass (or window) has the CPU to itself, so timings are clean; a side's first audio
includes the other side's turns before it.
"parallel" mode runs both releases in their own threads at once, each with half the cores:
closer to what two users would see, but each side's timings include the other's load.
A side that fails (missing weights, a bad voice) reports why; the other side carries on.
"""

import queue
import random
import threading
import time
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import torch

from kokoro_ui.engine.chunk import Chunk
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.metrics import RunMetrics, RunTracker
from kokoro_ui.services.synthesis import Request, Synthesis, synthesize
from kokoro_ui.services.validation import validate_voice

MODES = ("fair", "parallel")


@dataclass(frozen=True)
class SideEvent:
    """Something that happened to one side: a chunk is ready, or the side has finished."""

    version: str
    chunk: Optional[Chunk] = None
    result: Optional[RunMetrics] = None  # set once, when the side is done (with `error` if it failed)
    label: str = ""  # which side, when two sides share a release (`kokoro_ui.services.attribution`); else the version


class _Side:
    """One release's run: its synthesis, or why it could not start."""

    def __init__(self, manager: ModelManager, request: Request, mode: str, started_at: float, label: str = "",
                 in_windows: bool = False):
        self.version = request.version
        self.label = label or request.version
        self.error: Optional[str] = None
        self.synthesis: Optional[Synthesis] = None
        self.tracker = RunTracker(started_at, request.version, request.voice, mode, request.characters,
                                  loaded_first=not manager.is_loaded(request.version))
        try:
            validate_voice(manager, request.voice, request.version)  # the same message as every surface
            self.synthesis = synthesize(manager, request, started_at, mode, in_windows)
            self.tracker = self.synthesis.tracker
        except KokoroUIError as error:
            self.error = str(error)

    def next_event(self) -> SideEvent:
        """The side's next chunk, or its final result."""
        if self.synthesis is not None and self.error is None:
            try:
                return SideEvent(self.version, chunk=next(self.synthesis), label=self.label)
            except StopIteration:
                pass
            except KokoroUIError as error:
                self.error = str(error)
        return self.final_event()

    def final_event(self) -> SideEvent:
        if self.synthesis is not None:
            self.synthesis.close()  # stops the stream: no forward pass starts after this
        return SideEvent(self.version, result=self.tracker.finish(self.error), label=self.label)


def compare(manager: ModelManager, requests: list[Request], mode: str = "fair",
            rng: Optional[random.Random] = None, labels: Sequence[str] = (), in_windows: bool = False) -> Iterator[SideEvent]:
    """Events from both releases as they happen; closing the iterator stops both sides.

    `in_windows`: each side streams its passes decoder window by window (`Release.stream`), so in
    fair mode the sides take turns window by window and neither waits for a whole pass of the other.
    """
    if mode not in MODES:
        raise KokoroUIError(f"Unknown timing mode {mode!r}; choose one of: {', '.join(MODES)}.")
    started_at = time.perf_counter()
    labels = list(labels) or [""] * len(requests)
    sides = [_Side(manager, request, mode, started_at, label, in_windows) for request, label in zip(requests, labels)]
    (rng or random).shuffle(sides)
    return _take_turns(sides) if mode == "fair" else _run_together(sides)


def _take_turns(sides: list[_Side]) -> Iterator[SideEvent]:
    live = list(sides)
    try:
        while live:
            for side in list(live):
                event = side.next_event()
                if event.result is not None:
                    live.remove(side)
                yield event
    finally:
        for side in live:
            side.final_event()


def _run_together(sides: list[_Side]) -> Iterator[SideEvent]:
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run(side: _Side) -> None:
        while True:
            event = side.final_event() if stop.is_set() else side.next_event()
            events.put(event)
            if event.result is not None:
                return

    threads_before = torch.get_num_threads()
    torch.set_num_threads(max(1, threads_before // len(sides)))
    workers = [threading.Thread(target=run, args=(side,), daemon=True) for side in sides]
    try:
        for worker in workers:
            worker.start()
        done = 0
        while done < len(sides):
            event = events.get()
            done += event.result is not None
            yield event
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        torch.set_num_threads(threads_before)
