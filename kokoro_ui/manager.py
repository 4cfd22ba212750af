"""ModelManager: each release loaded lazily, once, thread-safely, and switched by name."""

import threading
from dataclasses import dataclass
from typing import Callable, Optional

from kokoro_ui.admission import Admission
from kokoro_ui.builds import BUILDS, Build
from kokoro_ui.engine.release import ModelInfo, Release
from kokoro_ui.weights.resolve import resolve_source
from kokoro_ui.weights.voices import VoiceManifest, load_manifest
from kokoro_ui.errors import KokoroUIError, UnknownVersionError
from kokoro_ui.metrics import RunMetrics
from kokoro_ui.settings import Settings

DEFAULT_VERSION = "v1.0"


@dataclass(frozen=True)
class ModelStatus:
    version: str
    loaded: bool
    info: Optional[ModelInfo]
    error: Optional[str]  # why the last load failed, until a load succeeds
    loading: bool = False  # a load is under way (at start, or on first use)

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
        self._loading: set[str] = set()
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
                self._loading.add(version)
                try:
                    self._models[version] = self._load(version)
                finally:
                    self._loading.discard(version)
            return self._models[version]

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
                        self._errors.get(version), version in self._loading)
            for version in self._builds
        ]

    def observe_run(self, metrics: RunMetrics) -> None:
        """A surface's run has finished (or was stopped after its first chunk): tell the observers."""
        for observe in list(self.run_observers):
            observe(metrics)

    def _load(self, version: str) -> Release:
        build = self._builds[version]
        settings = self.settings
        try:
            source = resolve_source(build.spec, settings.weights, settings.weights_dir, settings.cache_dir,
                                    settings.synthetic_seed)
            model = build.load(source, settings.backend)
            model.fast_first = settings.fast_first
        except KokoroUIError as error:
            self._errors[version] = str(error)
            raise
        self._errors.pop(version, None)
        return model
