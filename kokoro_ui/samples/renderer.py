"""Every voice's gallery sample, rendered ahead of time in the background, so that Play is instant.

The renderer starts once every release is loaded (until then a render would compete with the
loads, and a sample's file name needs the loaded network's identity), then renders each job in
turn, skipping samples already on disk and voices whose language cannot be spoken here. It never
goes ahead of a visitor: every forward pass it makes is a background pass (`engine.gate`: it does
not start while a visitor's pass runs or waits at any release), and before each pass it also
waits until no visitor's request is in progress at all (`admission`), so a visitor's run is never
interleaved with its work. A sample that fails is logged and skipped; a visitor who asks for it
gets it rendered on demand, or the reason it cannot be.

Boundary: what to render and when. How a sample is rendered and stored is `cache`'s business.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Optional

from kokoro_ui.engine.gate import PROCESS_GATES, in_background
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.languages import sample_sentence, voice_availability
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.samples.cache import SampleCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SampleJob:
    version: str
    voice: str
    text: str
    speed: float = 1.0


class _Stopped(Exception):
    """The renderer was asked to stop: the render under way gives up between two passes."""


def gallery_jobs(manager: ModelManager) -> list[SampleJob]:
    """Each voice that can speak here saying its language's sample sentence; the default release's first."""
    versions = sorted(manager.versions(), key=lambda version: version != manager.resolve_version())
    return [SampleJob(version, voice.id, sample_sentence(voice.language)) for version in versions
            for voice in manager.voices(version) if voice_availability(version, voice).available]


class SampleRenderer:
    """One background thread rendering `jobs` (default: `gallery_jobs`) into `cache`."""

    def __init__(self, cache: SampleCache, jobs: Optional[list[SampleJob]] = None, poll_s: float = 0.25):
        self.cache = cache
        self.manager = cache.manager
        self.jobs = gallery_jobs(self.manager) if jobs is None else jobs
        self.poll_s = poll_s
        self.rendered = 0  # samples this renderer made (those found on disk are not counted)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sample-renderer", daemon=True)

    def start(self) -> "SampleRenderer":
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 60.0) -> None:
        """Stop after the pass under way, if any."""
        self._stop.set()
        self._thread.join(timeout_s)

    def join(self, timeout_s: Optional[float] = None) -> bool:
        """Wait for every job to be done; True if they are."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _run(self) -> None:
        versions = self.manager.versions()
        while not all(self.manager.is_loaded(version) for version in versions):
            if self._stop.wait(self.poll_s):
                return
        log.info("rendering %d voice samples in the background", len(self.jobs))
        with in_background():
            for job in self.jobs:
                try:
                    self._render(job)
                except _Stopped:
                    return
                except KokoroUIError as error:
                    log.warning("sample of %s (Kokoro %s) not rendered: %s", job.voice, job.version, error)
        log.info("voice samples ready: %d rendered, %d found on disk", self.rendered, len(self.jobs) - self.rendered)

    def _render(self, job: SampleJob) -> None:
        if self.cache.ready(job.version, job.voice, job.text, job.speed):
            return
        self.cache.get(job.version, job.voice, job.text, job.speed, between_passes=self._wait_for_quiet)
        self.rendered += 1

    def _wait_for_quiet(self) -> None:
        """Return when no visitor is being served; raise `_Stopped` if asked to stop meanwhile."""
        while PROCESS_GATES.visitors_present() or self._requests_in_progress():
            if self._stop.wait(self.poll_s):
                raise _Stopped
        if self._stop.is_set():
            raise _Stopped

    def _requests_in_progress(self) -> bool:
        admission = self.manager.admission
        with admission.lock:
            return any(count > 0 for count in admission.in_progress.values())
