"""What the API can do, and its state: `GET /v1/models[/{model}]`, `GET /v1/audio/voices`, `GET /health`.

The shapes are OpenAI's and Kokoro-FastAPI's with this app's fields added (`version` on a model,
a voice's language and pairing); where one key cannot hold both shapes, Kokoro-FastAPI's older
voice list of plain names, it is the client's choice (`?legacy=true`).
"""

from typing import Optional, Union

from fastapi import APIRouter

from kokoro_ui.abtest.persistence import votes_location
from kokoro_ui.api.openai_errors import NotFoundError
from kokoro_ui.api.schemas import (ErrorBody, Health, LegacyVoiceList, ModelCard, ModelList, ReleaseHealth, VoiceCard,
                                   VoiceList, VotesHealth)
from kokoro_ui.services.languages import voice_availability
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.validation import validate_version
from kokoro_ui.api.compatibility import model_names
from kokoro_ui.weights.voices import Voice


def add_catalog_routes(router: APIRouter, manager: ModelManager) -> None:
    @router.get("/v1/models")
    def list_models() -> ModelList:
        """'kokoro' (and OpenAI's names, as Kokoro-FastAPI maps them) is the default release; 'kokoro-<version>' names one."""
        return ModelList(data=[ModelCard(id=name, version=version) for name, version in model_names(manager).items()])

    @router.get("/v1/models/{model}", responses={404: {"model": ErrorBody}})
    def retrieve_model(model: str) -> ModelCard:
        """One model of the list, by its id."""
        version = model_names(manager).get(model)
        if version is None:
            raise NotFoundError(f"No model {model[:40]!r}; GET /v1/models lists them: {', '.join(model_names(manager))}.")
        return ModelCard(id=model, version=version)

    @router.get("/v1/audio/voices", responses={400: {"model": ErrorBody}})
    def list_voices(version: Optional[str] = None, legacy: bool = False) -> Union[VoiceList, LegacyVoiceList]:
        """The release's voices (default v1.0), read from its manifest: no model is loaded. A voice whose
        language this server cannot speak is listed with `available: false` and the reason.

        `legacy=true` gives them as plain names, as Kokoro-FastAPI's `?legacy=true` does."""
        version = validate_version(manager, version or manager.resolve_version())
        default, voices = manager.settings.default_voice(version), manager.voices(version)
        if legacy:
            return LegacyVoiceList(version=version, default=default, voices=voices.ids())
        return VoiceList(version=version, default=default, voices=[_voice_card(version, voice) for voice in voices])

    @router.get("/v1/test")
    def test_route() -> dict[str, str]:
        """Kokoro-FastAPI's 'is the API routed' check."""
        return {"status": "ok"}

    @router.get("/health")
    def health() -> Health:
        """Each release: its load state (and progress while loading), from which weights; 'degraded' if a load failed."""
        versions = [ReleaseHealth(version=status.version, loaded=status.loaded, state=status.state,
                                  loading=status.loading, progress=status.progress or None,
                                  weights=status.info.weights if status.info else None,
                                  weights_kind=status.info.weights_kind if status.info else None,
                                  real_speech=status.info.real_speech if status.info else None,
                                  backend=status.info.backend if status.info else None,
                                  backend_note=(status.info.backend_note or None) if status.info else None,
                                  error=status.error,
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


def _voice_card(version: str, voice: Voice) -> VoiceCard:
    availability = voice_availability(version, voice)
    return VoiceCard(id=voice.id, name=voice.name, language=voice.language, language_tag=voice.language_tag,
                     gender=voice.gender, pairs_with=voice.pairs_with, available=availability.available,
                     reason=availability.reason or None)
