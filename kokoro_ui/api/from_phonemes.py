"""`POST /dev/generate_from_phonemes`: a release's network speaks given phonemes, its G2P bypassed.

Kokoro-FastAPI's route and shape (`{"phonemes", "voice"}` -> WAV audio), plus `version`. The
phonemes are in the release's own notation (`POST /dev/phonemize` gives them); the engine cuts
them into passes of at most 510 tokens and styles each by the release's own rule
(`Release.stream_phonemes`). A symbol outside the release's vocabulary is a 400 that lists every
such symbol, where Kokoro-FastAPI would drop them unsaid. The request waits in the release's
queue like any speech request; the answer is a whole WAV with the speech route's headers.
"""

import time

import numpy as np
from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from kokoro_ui.api.schemas import ErrorBody, FromPhonemesBody
from kokoro_ui.api.speech import file_headers, whole_run_headers
from kokoro_ui.outputs.audio_formats import encode
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.synthesis import synthesize
from kokoro_ui.services.validation import validate_phonemes, validate_version


def add_from_phonemes_route(router: APIRouter, manager: ModelManager) -> None:
    @router.post("/dev/generate_from_phonemes", response_class=Response, responses={
        200: {"content": {"audio/wav": {}}, "description": "The audio, 24 kHz 16-bit mono WAV."},
        400: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def generate_from_phonemes(body: FromPhonemesBody) -> Response:
        """Say `phonemes` (the release's own symbols) with `voice` and `version` (default v1.0)."""
        return await run_in_threadpool(speak_phonemes, manager, body, time.perf_counter())


def speak_phonemes(manager: ModelManager, body: FromPhonemesBody, started_at: float) -> Response:
    version = validate_version(manager, body.version or manager.resolve_version())
    voice = manager.settings.default_voice(version) if body.voice is None else body.voice
    request = validate_phonemes(manager, body.phonemes, voice, version)
    with synthesize(manager, request, started_at) as synthesis:
        audio = np.concatenate([chunk.audio for chunk in synthesis])
    return Response(encode(audio, "wav"), media_type="audio/wav",
                    headers={**whole_run_headers(synthesis), **file_headers("wav")})
