"""What the API can do, and its state: `GET /v1/models`, `GET /v1/audio/voices`, `GET /health`."""

from typing import Optional

from fastapi import APIRouter

from kokoro_ui.abtest.persistence import votes_location
from kokoro_ui.api.schemas import (ErrorBody, Health, ModelCard, ModelList, ReleaseHealth, VoiceCard, VoiceList,
                                   VotesHealth)
from kokoro_ui.manager import ModelManager
from kokoro_ui.validation import validate_version


def add_catalog_routes(router: APIRouter, manager: ModelManager) -> None:
    @router.get("/v1/models")
    def list_models() -> ModelList:
        """'kokoro' is the default release; 'kokoro-<version>' names one."""
        default = manager.resolve_version()
        return ModelList(data=[ModelCard(id="kokoro", version=default)]
                         + [ModelCard(id=f"kokoro-{version}", version=version) for version in manager.versions()])

    @router.get("/v1/audio/voices", responses={400: {"model": ErrorBody}})
    def list_voices(version: Optional[str] = None) -> VoiceList:
        """The release's voices (default v1.0), read from its manifest: no model is loaded."""
        version = validate_version(manager, version or manager.resolve_version())
        return VoiceList(version=version, default=manager.settings.default_voice(version), voices=[
            VoiceCard(id=voice.id, name=voice.name, language=voice.language, language_tag=voice.language_tag,
                      gender=voice.gender, pairs_with=voice.pairs_with)
            for voice in manager.voices(version)])

    @router.get("/health")
    def health() -> Health:
        """Each release: loaded or not, and from which weights; 'degraded' if a load failed."""
        versions = [ReleaseHealth(version=status.version, loaded=status.loaded,
                                  weights=status.info.weights if status.info else None,
                                  weights_kind=status.info.weights_kind if status.info else None,
                                  real_speech=status.info.real_speech if status.info else None,
                                  backend=status.info.backend if status.info else None, error=status.error,
                                  forward_passes=_forward_passes(manager, status.version))
                    for status in manager.status()]
        return Health(status="degraded" if any(release.error for release in versions) else "ok",
                      weights_setting=manager.settings.weights, versions=versions, votes=_votes(manager))


def _forward_passes(manager: ModelManager, version: str) -> Optional[int]:
    """How many passes the loaded release ran (a full clip bank keeps it still); None if not loaded."""
    return manager.get_model(version).forward_passes if manager.is_loaded(version) else None


def _votes(manager: ModelManager) -> VotesHealth:
    location = votes_location(manager.settings)
    return VotesHealth(store=location.backend, location=location.shown, persistent=location.persistent,
                       note=location.note)
