"""ModelManager: each release loaded once, thread-safely, on first use or in the background, and
switched by name; while a load is under way, `status()` says how far it has got.

A load ends with a warm-up (one short pass through the release's G2P and network, `Release.warm_up`),
so a release is 'ready' only once a visitor's first run is as fast as any later one.
"""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from kokoro_ui.backends import BackendChoice
from kokoro_ui.services.admission import Admission
from kokoro_ui.builds import BUILDS, Build
from kokoro_ui.engine.release import ModelInfo, Release
from kokoro_ui.weights.resolve import resolve_source
from kokoro_ui.weights.voices import VoiceManifest, load_manifest
from kokoro_ui.errors import KokoroUIError, UnknownVersionError
from kokoro_ui.services.metrics import RunMetrics
from kokoro_ui.config.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_VERSION = "v1.0"
QUEUED, LOADING_WEIGHTS, WARMING_UP = "waiting its turn", "loading weights", "warming up"


@dataclass(frozen=True)
class ModelStatus:
    version: str
    loaded: bool
    info: Optional[ModelInfo]
    error: Optional[str]  # why the last load failed, until a load succeeds
    loading: bool = False  # a load is under way (at start, or on first use)
    progress: str = ""  # while loading, what it is doing: QUEUED, LOADING_WEIGHTS or WARMING_UP

    @property
    def state(self) -> str:
        """One word for surfaces: 'ready', 'loading', 'failed' or 'not loaded' (loads on first use)."""
        if self.loaded:
            return "ready"
        if self.loading:
            return "loading"
        return "failed" if self.error else "not loaded"


class ModelManager:
    """Loads a release on first use and keeps it; two first requests at once build one model."""

    def __init__(self, settings: Optional[Settings] = None, builds: dict[str, Build] = BUILDS):
        self.settings = settings or Settings.from_env()
        self._builds = builds
        self._models: dict[str, Release] = {}
        self._errors: dict[str, str] = {}
        self._loading: dict[str, str] = {}  # version -> what its load is doing now
        self._locks = {version: threading.Lock() for version in builds}
        self.admission = Admission(self.settings.queue_limit, self.settings.retry_after_s)
        self.run_observers: list[Callable[[RunMetrics], None]] = []  # told of every finished run (telemetry)

    def versions(self) -> list[str]:
        return list(self._builds)

    def resolve_version(self, name: object = DEFAULT_VERSION) -> str:
        """The canonical release name for `name`, accepting aliases like '1.0', 'v1', 'v1_0', 'kokoro-v0.19'."""
        if isinstance(name, str):
            bare = name.strip().lower().removeprefix("kokoro").lstrip("-_ ").removeprefix("v").replace("_", ".")
            bare = f"{bare}.0" if bare.isdigit() else bare
            if f"v{bare}" in self._builds:
                return f"v{bare}"
        raise UnknownVersionError(f"Unknown Kokoro version {str(name)[:40]!r}; choose one of: {', '.join(self.versions())}.")

    def voices(self, version: str = DEFAULT_VERSION) -> VoiceManifest:
        """The release's voices, from its manifest: no model is loaded to list them."""
        return load_manifest(self._builds[self.resolve_version(version)].spec.folder)

    def get_model(self, version: str = DEFAULT_VERSION) -> Release:
        version = self.resolve_version(version)
        model = self._models.get(version)
        if model is not None:
            return model
        with self._locks[version]:
            if version not in self._models:
                self._loading[version] = LOADING_WEIGHTS
                try:
                    self._models[version] = self._load(version)
                finally:
                    self._loading.pop(version, None)
            return self._models[version]

    def load_in_background(self, versions: Iterable[str], after: Optional[threading.Event] = None
                           ) -> Optional[threading.Thread]:
        """Load `versions` that are not loaded yet, one after the other, in a thread of their own,
        once `after` is set (if given).

        Each shows as loading from now on (QUEUED until its turn). One at a time because on two
        cores two loads only slow each other down. A load that fails says why in `status()`, as
        any load does. Returns the thread, or None when there was nothing to load.
        """
        todo = [version for version in dict.fromkeys(map(self.resolve_version, versions))
                if version not in self._models and version not in self._loading]
        if not todo:
            return None
        for version in todo:
            self._loading[version] = QUEUED

        def run() -> None:
            if after is not None:
                after.wait()
            for version in todo:
                try:
                    self.get_model(version)
                except KokoroUIError:
                    pass  # kept for status() and told to the next request (see `_load`)
                finally:
                    if version in self._models:
                        self._loading.pop(version, None)

        thread = threading.Thread(target=run, name="load-releases", daemon=True)
        thread.start()
        return thread

    def is_loaded(self, version: str) -> bool:
        return self.resolve_version(version) in self._models

    def unload(self, version: str) -> None:
        version = self.resolve_version(version)
        with self._locks[version]:
            self._models.pop(version, None)

    def status(self) -> list[ModelStatus]:
        return [
            ModelStatus(version, version in self._models,
                        self._models[version].info if version in self._models else None,
                        self._errors.get(version), version in self._loading, self._loading.get(version, ""))
            for version in self._builds
        ]

    def observe_run(self, metrics: RunMetrics) -> None:
        """A surface's run has finished (or was stopped after its first chunk): tell the observers."""
        for observe in list(self.run_observers):
            observe(metrics)

    def status_of(self, version: str) -> ModelStatus:
        version = self.resolve_version(version)
        return next(status for status in self.status() if status.version == version)

    def _load(self, version: str) -> Release:
        build = self._builds[version]
        settings = self.settings
        log.info("loading Kokoro %s (weights: %s)…", version, _source_in_words(settings.weights, build))
        started = time.perf_counter()
        try:
            source = resolve_source(build.spec, settings.weights, settings.weights_dir, settings.cache_dir,
                                    settings.synthetic_seed)
            model = build.load(source, BackendChoice(settings.backend, settings.persistent_root()))
        except KokoroUIError as error:
            log.error("Kokoro %s did not load: %s", version, error)
            self._errors[version] = str(error)
            raise
        self._loading[version] = WARMING_UP
        try:
            model.warm_up(settings.default_voice(version), windows_too=settings.stream_windows)
        except KokoroUIError as error:  # the release works; a visitor's first run will just be slower
            log.warning("Kokoro %s loaded but did not warm up: %s", version, error)
        self._errors.pop(version, None)
        log.info("Kokoro %s ready in %.1f s (%s)", version, time.perf_counter() - started, model.info.weights)
        return model


def _source_in_words(choice: str, build: Build) -> str:
    spec = build.spec
    if choice == "hub":
        return f"hub {spec.hub_repo}@{spec.hub_revision[:7]}, downloaded once into the HF cache"
    return choice
