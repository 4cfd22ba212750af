"""`POST /v1/audio/speech`: OpenAI's speech endpoint, with a `version` switch between releases.

Whole responses are made, then sent, with every measurement in headers. Streamed responses
compute the first chunk before the response starts, so an error in it is still a proper 4xx
and the headers carry the true time to first audio; what is only known at the end (the whole
run's RTF) is logged, not sent (see README: "Headers"). A client that disconnects stops the run:
the pass in progress finishes, and no other starts.
"""

import logging
import time

import numpy as np
from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from kokoro_ui.api.schemas import ErrorBody, SpeechBody
from kokoro_ui.audio_formats import MEDIA_TYPES, StreamEncoder, encode, stream_encoder
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.manager import ModelManager
from kokoro_ui.metrics import RunMetrics
from kokoro_ui.speech import Synthesis, synthesize
from kokoro_ui.validation import SpeechRequest, validate_model, validate_speech

log = logging.getLogger(__name__)
NOISE_WARNING = "synthetic weights: noise, not speech"


def add_speech_route(router: APIRouter, manager: ModelManager) -> None:
    @router.post("/v1/audio/speech", response_class=Response, responses={
        200: {"content": {media_type: {} for media_type in MEDIA_TYPES.values()}, "description": "The audio."},
        400: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def create_speech(body: SpeechBody) -> Response:
        """Say `input` with one release; `stream: true` sends audio as it is made."""
        started_at = time.perf_counter()
        request = speech_request(manager, body)
        if body.stream:
            return await _stream(manager, request, body.response_format, started_at)
        return await run_in_threadpool(_whole, manager, request, body.response_format, started_at)


def speech_request(manager: ModelManager, body: SpeechBody) -> SpeechRequest:
    """The body's meaning, checked by the shared validation layer."""
    version = validate_model(manager, body.model, body.version)
    voice = manager.settings.default_voice(version) if body.voice is None else body.voice
    return validate_speech(manager, body.input, voice, version, body.speed, body.lang)


def _whole(manager: ModelManager, request: SpeechRequest, response_format: str, started_at: float) -> Response:
    with synthesize(manager, request, started_at) as synthesis:
        audio = np.concatenate([chunk.audio for chunk in synthesis])
    metrics = synthesis.metrics()
    _log_run("spoke", metrics)
    headers = {**_headers(synthesis), "X-Kokoro-RTF": f"{metrics.rtf:.3f}",
               "X-Kokoro-Audio-Seconds": f"{metrics.audio_s:.3f}", "X-Kokoro-Chunks": str(metrics.chunks)}
    return Response(encode(audio, response_format), media_type=MEDIA_TYPES[response_format], headers=headers)


async def _stream(manager: ModelManager, request: SpeechRequest, response_format: str,
                  started_at: float) -> StreamingResponse:
    encoder = stream_encoder(response_format)
    synthesis, first_bytes = await run_in_threadpool(_start_stream, manager, request, encoder, started_at)
    first = synthesis.metrics()
    headers = {**_headers(synthesis), "X-Kokoro-Stream": "true",
               "X-Kokoro-First-Chunk-RTF": f"{first.rtf:.3f}",
               "X-Kokoro-First-Chunk-Audio-Seconds": f"{first.audio_s:.3f}"}

    async def body():
        try:
            yield first_bytes
            done = False
            while not done:
                data, done = await run_in_threadpool(_next_bytes, synthesis, encoder)
                if data:
                    yield data
            _log_run("streamed", synthesis.metrics())
        except KokoroUIError as error:  # the status line is gone: end the stream unfinished, and say why here
            log.warning("stream of Kokoro %s broke off: %s", request.version, error)
            raise
        finally:  # also when the client disconnects: no forward pass starts after this
            _close(synthesis, encoder)

    # The background task closes them too if the client left before the body began (closing twice is fine).
    return StreamingResponse(body(), media_type=MEDIA_TYPES[response_format], headers=headers,
                             background=BackgroundTask(_close, synthesis, encoder))


def _start_stream(manager: ModelManager, request: SpeechRequest, encoder: StreamEncoder,
                  started_at: float) -> tuple[Synthesis, bytes]:
    """Start the encoder (ffmpeg starts while the first pass runs) and make the first chunk."""
    synthesis = None
    try:
        header = encoder.start()
        synthesis = synthesize(manager, request, started_at)
        return synthesis, header + encoder.encode(next(synthesis).audio)
    except BaseException:
        if synthesis is not None:
            synthesis.close()
        encoder.close()
        raise


def _close(synthesis: Synthesis, encoder: StreamEncoder) -> None:
    synthesis.close()
    encoder.close()


def _next_bytes(synthesis: Synthesis, encoder: StreamEncoder) -> tuple[bytes, bool]:
    """The next chunk's encoded bytes, or the encoder's last ones and True at the end."""
    chunk = next(synthesis, None)
    if chunk is None:
        return encoder.finish(), True
    return encoder.encode(chunk.audio), False


def _log_run(what: str, metrics: RunMetrics) -> None:
    log.info("%s Kokoro %s (%s): %d chunks, %.2f s of audio, TTFA %.3f s, RTF %.3f", what, metrics.version,
             metrics.voice, metrics.chunks, metrics.audio_s, metrics.ttfa_s, metrics.rtf)


def _headers(synthesis: Synthesis) -> dict[str, str]:
    """What every speech response says about its run (header values are ASCII)."""
    info, metrics = synthesis.info, synthesis.metrics()
    headers = {"X-Kokoro-Version": info.version, "X-Kokoro-Voice": synthesis.request.voice,
               "X-Kokoro-Weights": info.weights.encode("ascii", "replace").decode(),
               "X-Kokoro-Weights-Kind": info.weights_kind, "X-Kokoro-Backend": info.backend,
               "X-Kokoro-Sample-Rate": str(SAMPLE_RATE_HZ), "X-Kokoro-TTFA": f"{metrics.ttfa_s:.3f}",
               "X-Kokoro-Loaded-First": str(metrics.loaded_first).lower()}  # TTFA includes loading the release
    if not info.real_speech:
        headers["X-Kokoro-Warning"] = NOISE_WARNING
    return headers
