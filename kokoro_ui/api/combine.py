"""`POST /v1/audio/voices/combine`: Kokoro-FastAPI's route, a mixed voice pack as a `.pt` file.

As there, the body is the mix as one JSON string (``"af_bella(2)+af_sky(1)"``) or a list of voices
(``["af_bella(2)", "af_sky"]``, joined with ``+``); `version` (a query parameter, default v1.0)
picks the release the voices belong to. The answer is ``torch.save`` of a float32 tensor in the
release's pack shape (v1.0 [510, 1, 256], v0.19 [511, 1, 256]), loadable with
``torch.load(..., weights_only=True)``: the same pack `POST /v1/audio/speech` speaks with for that
mix. Checks are `kokoro_ui.services.validation`'s, so a bad mix gets the same 400 as anywhere else.
"""

import io
from typing import Any, Optional

import torch
from fastapi import APIRouter, Body, Response
from starlette.concurrency import run_in_threadpool

from kokoro_ui.api.schemas import ErrorBody
from kokoro_ui.api.speech import NOISE_WARNING
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.validation import InvalidInputError, validate_version, validate_voice

BODY_WORDS = 'a mix as a JSON string, e.g. "af_bella(2)+af_sky(1)", or a list of voices, e.g. ["af_bella(2)", "af_sky"]'
# Typed Any and checked here, so that a wrong body gets this route's own message rather than pydantic's.
MIX_BODY = Body(None, description=f"The voices to mix: {BODY_WORDS}.", examples=["af_bella(2)+af_sky(1)"])


def add_combine_route(router: APIRouter, manager: ModelManager) -> None:
    @router.post("/v1/audio/voices/combine", response_class=Response, responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The mixed voice pack (torch.save)."},
        400: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def combine_voices(voices: Any = MIX_BODY, version: Optional[str] = None) -> Response:
        """Mix voices of one release into one voice pack, and send it as a `.pt` file."""
        version = validate_version(manager, version or manager.resolve_version())
        mix = validate_voice(manager, _mix_text(voices), version)
        return await run_in_threadpool(_pack_file, manager, version, mix)


def _mix_text(voices: Any) -> str:
    """The body as one mix string; `validate_voice` judges what it says."""
    if isinstance(voices, str):
        return voices
    if isinstance(voices, list) and voices and all(isinstance(name, str) and name.strip() for name in voices):
        return "+".join(voices)
    raise InvalidInputError("voice", f"The body must be {BODY_WORDS}.")


def _pack_file(manager: ModelManager, version: str, mix: str) -> Response:
    release = manager.get_model(version)  # the packs come from the release's own weight source
    buffer = io.BytesIO()
    torch.save(release.pack_for(mix).clone(), buffer)
    filename = mix.replace('"', "") + ".pt"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Kokoro-Version": version,
               "X-Kokoro-Voice": mix}
    if not release.info.real_speech:
        headers["X-Kokoro-Warning"] = NOISE_WARNING
    return Response(buffer.getvalue(), media_type="application/octet-stream", headers=headers)
