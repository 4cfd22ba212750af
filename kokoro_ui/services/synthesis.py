"""Speech synthesis as a service: a validated request (text, or phonemes) in, chunks and their
measurements out.

Every surface that speaks with one release at a time (the HTTP API, the Gradio named API)
validates its input with `kokoro_ui.services.validation`, calls `synthesize`, and iterates the
`Synthesis` it gets back; encoding and transport are the surface's business, not this
module's. Loading a release and forward passes block: call these from a worker thread.
"""

import threading
import time
from typing import Callable, Iterator, Optional, Union

from kokoro_ui.services.admission import Ticket
from kokoro_ui.engine.chunk import Chunk
from kokoro_ui.engine.pacing import FAST_FIRST, rendering
from kokoro_ui.engine.release import ModelInfo, Release
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.metrics import RunMetrics, RunTracker
from kokoro_ui.services.validation import InvalidInputError, PhonemesRequest, SpeechRequest
from kokoro_ui.services.zerogpu import gpu

Request = Union[SpeechRequest, PhonemesRequest]  # text to say, or phonemes in the release's notation


@gpu
def speak(release: Release, request: Request, fast_first: bool = False, in_windows: bool = False) -> Iterator[Chunk]:
    """The synthesis entry point (a ZeroGPU function on Spaces): one chunk per forward pass, or per
    decoder window of one (`in_windows`, for surfaces that stream: `Release.stream`).

    A text is cut where the release cuts it; with `fast_first` (the opt-in setting) its first
    10-24 characters are a pass of their own (`pacing`). Phonemes are never cut that way."""
    if isinstance(request, PhonemesRequest):
        yield from release.stream_phonemes(request.phonemes, request.voice, request.speed)
    else:
        yield from release.stream(request.text, request.voice, request.speed, request.lang, fast_first,
                                  in_windows=in_windows)


def text_cut(manager: ModelManager, request: Request) -> str:
    """How `request` will be cut into passes on this server: `pacing.WHOLE_PASS` or, for a text with
    the `fast_first` setting on, `pacing.FAST_FIRST`."""
    return rendering(manager.settings.fast_first and not isinstance(request, PhonemesRequest))


class Synthesis:
    """One request's run. Iterate it for chunks, each counted by `tracker`; `close()` stops it.

    Thread-safe: `close()` from another thread lets a forward pass in progress finish, and no
    forward pass starts after it. A text in which the release finds nothing to say raises
    `InvalidInputError` on the first `next()`, like any other error in the first chunk.
    """

    def __init__(self, request: Request, info: ModelInfo, tracker: RunTracker, chunks: Iterator[Chunk],
                 ticket: Ticket, on_finish: Callable[[RunMetrics], None] = lambda metrics: None):
        self.request = request
        self.info = info  # the release: version, weight source, backend, real speech or noise
        self.tracker = tracker
        self._chunks = chunks
        self._ticket = ticket  # our place in the release's queue, given back when the run ends
        self._lock = threading.Lock()
        self._closed = False
        self._on_finish = on_finish  # told once, when a run that made audio ends (`ModelManager.observe_run`)
        self._reported = False
        self._report_lock = threading.Lock()  # `close()` from another thread may race the last `next()`

    def __iter__(self) -> "Synthesis":
        return self

    def __next__(self) -> Chunk:
        with self._lock:
            if self._closed:
                raise StopIteration
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._ticket.release()
                self._report()
                if not self.tracker.chunks:
                    raise InvalidInputError(
                        "text", f"Kokoro {self.info.version} found nothing it can say in this text.") from None
                raise
            except BaseException:
                self._ticket.release()
                raise
            finally:
                if self._closed:  # closed by another thread during this pass
                    self._chunks.close()
            self.tracker.add(chunk)
            return chunk

    def close(self) -> None:
        self._closed = True
        self._ticket.release()
        self._report()
        if self._lock.acquire(blocking=False):  # else the pass in progress closes the stream
            try:
                self._chunks.close()
            finally:
                self._lock.release()

    def _report(self) -> None:
        with self._report_lock:
            if not self.tracker.chunks or self._reported:
                return
            self._reported = True
        self._on_finish(self.tracker.finish())

    def metrics(self, error: Optional[str] = None) -> RunMetrics:
        return self.tracker.finish(error)

    def __enter__(self) -> "Synthesis":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def synthesize(manager: ModelManager, request: Request, started_at: Optional[float] = None,
               mode: str = "single", in_windows: bool = False) -> Synthesis:
    """Start speaking `request`: loads its release if it must (a `WeightsError` if it cannot).

    `in_windows`: a surface that streams gets each pass's audio decoder window by decoder window.

    No forward pass runs until the first chunk is asked for. `started_at` (``time.perf_counter()``
    when the request arrived, default now) is where time to first audio is counted from. The text is
    cut as `text_cut` says; the run's metrics carry it (`RunMetrics.rendering`), so surfaces can label it.
    """
    started_at = time.perf_counter() if started_at is None else started_at
    ticket = manager.admission.admit(request.version)  # BusyError when the release's queue is full
    try:
        loaded_first = not manager.is_loaded(request.version)
        release = manager.get_model(request.version)
        cut = text_cut(manager, request)
        chunks = speak(release, request, cut == FAST_FIRST, in_windows)
    except BaseException:
        ticket.release()
        raise
    tracker = RunTracker(started_at, request.version, request.voice, mode, request.characters,
                         release.info.backend, release.info.weights_kind, loaded_first, cut)
    return Synthesis(request, release.info, tracker, chunks, ticket, manager.observe_run)
