"""`POST /v1/audio/speech`: OpenAI's speech endpoint with Kokoro-FastAPI's fields, and a `version`
switch between releases.

A body says two things: what to say (a `SpeechRequest` for `input`, or a `PhonemesRequest` for
`phonemes` in either release's notation, mapped into the release's own; checked by `kokoro_ui.services.validation`) and
how to hand the audio over (a `Delivery`: format, whole or streamed, volume, a download copy).
Whole responses are made, then sent, with every measurement in headers. Streamed responses
compute the first chunk before the response starts, so an error in it is still a proper 4xx
and the headers carry the true time to first audio; what is only known at the end (the whole
run's RTF) is logged, not sent (see README: "Headers"). A client that disconnects stops the run:
the pass in progress finishes, and no other starts.
"""

import logging
import time
from dataclasses import dataclass, replace
from typing import Optional

import numpy as np
from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from kokoro_ui.api.downloads import DownloadStore, Recording
from kokoro_ui.api.schemas import ErrorBody, SpeechBody
from kokoro_ui.outputs.audio_formats import MEDIA_TYPES, StreamEncoder, encode, scale, stream_encoder
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, Chunk
from kokoro_ui.engine.pacing import WHOLE_PASS
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.metrics import RunMetrics
from kokoro_ui.services.synthesis import Request, Synthesis, synthesize
from kokoro_ui.services.validation import InvalidInputError, PhonemesRequest, validate_phonemes, validate_speech
from kokoro_ui.api.compatibility import (aliased_speed, refuse_markup, resolve_voice_name, validate_download,
                                         validate_lang_code, validate_model, validate_normalization, validate_volume)

log = logging.getLogger(__name__)
NOISE_WARNING = "synthetic weights: noise, not speech"


@dataclass(frozen=True)
class Delivery:
    """How a response hands its audio over."""

    response_format: str
    stream: bool
    volume: float  # multiplies every sample (clipped)
    download_format: Optional[str]  # the format of a download copy; None: no copy
    timing: bool  # a JSON file of the chunks' times beside the copy


class _Output:
    """One response's audio on its way out: volume applied, and recorded for a download copy if asked for."""

    def __init__(self, delivery: Delivery, store: DownloadStore):
        self.volume = delivery.volume
        self.recording = (Recording(store, delivery.download_format, delivery.timing)
                          if delivery.download_format else None)

    def audio(self, chunk: Chunk) -> np.ndarray:
        audio = scale(chunk.audio, self.volume)
        if self.recording:
            self.recording.add(chunk.graphemes, audio)
        return audio

    def headers(self) -> dict[str, str]:
        return self.recording.headers() if self.recording else {}


def add_speech_route(router: APIRouter, manager: ModelManager, downloads: DownloadStore) -> None:
    @router.post("/v1/audio/speech", response_class=Response, responses={
        200: {"content": {media_type: {} for media_type in MEDIA_TYPES.values()}, "description": "The audio."},
        400: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def create_speech(body: SpeechBody) -> Response:
        """Say `input` with one release; `stream: true` sends audio as it is made."""
        started_at = time.perf_counter()
        request, delivery = speech_request(manager, body)
        output = _Output(delivery, downloads)
        if delivery.stream:
            return await _stream(manager, request, delivery, output, started_at)
        return await run_in_threadpool(_whole, manager, request, delivery, output, started_at)


def speech_request(manager: ModelManager, body: SpeechBody) -> tuple[Request, Delivery]:
    """The body's meaning, checked by the shared validation layer."""
    refuse_markup(body.allow_voice_tags, body.ssml)
    version = validate_model(manager, body.model, body.version)
    validate_normalization(body.normalization_set(), version)
    voice, rate = resolve_voice_name(body.voice, body.alias_targets())
    voice = manager.settings.default_voice(version) if voice is None else voice
    lang = validate_lang_code(body.lang, body.lang_code)
    if body.phonemes is not None and body.input is not None:
        raise InvalidInputError("phonemes", "Give either input (text to say) or phonemes, not both.")
    if body.phonemes is not None:
        request = validate_phonemes(manager, body.phonemes, voice, version, body.speed,
                                    body.phoneme_notation or "auto", lang)
    elif body.phoneme_notation is not None:
        raise InvalidInputError("phoneme_notation", "phoneme_notation is about phonemes: it needs phonemes, not input.")
    else:
        if body.input is None:
            raise InvalidInputError("text", "Missing required field 'input' (the text to say), or give phonemes.")
        request = validate_speech(manager, body.input, voice, version, body.speed, lang)
    download_format = validate_download(body.return_download_link, body.download_format, body.response_format,
                                        body.return_timing)
    delivery = Delivery(body.response_format, body.stream, validate_volume(body.volume_multiplier), download_format,
                        body.return_timing)
    return replace(request, speed=aliased_speed(request.speed, rate)), delivery


def _whole(manager: ModelManager, request: Request, delivery: Delivery, output: _Output,
           started_at: float) -> Response:
    try:
        with synthesize(manager, request, started_at) as synthesis:
            audio = np.concatenate([output.audio(chunk) for chunk in synthesis])
        data = encode(audio, delivery.response_format)
        if output.recording:
            same = delivery.download_format == delivery.response_format
            output.recording.finish(data if same else None)
    except BaseException:
        _abandon(output)
        raise
    headers = {**whole_run_headers(synthesis), **file_headers(delivery.response_format), **output.headers()}
    return Response(data, media_type=MEDIA_TYPES[delivery.response_format], headers=headers)


def whole_run_headers(synthesis: Synthesis) -> dict[str, str]:
    """A finished run's headers: what made it (`run_headers`) and its whole-run measurements; logs the run."""
    metrics = synthesis.metrics()
    _log_run("spoke", metrics)
    return {**run_headers(synthesis), "X-Kokoro-RTF": f"{metrics.rtf:.3f}",
            "X-Kokoro-Audio-Seconds": f"{metrics.audio_s:.3f}", "X-Kokoro-Chunks": str(metrics.chunks)}


async def _stream(manager: ModelManager, request: Request, delivery: Delivery, output: _Output,
                  started_at: float) -> StreamingResponse:
    encoder = stream_encoder(delivery.response_format)
    try:
        synthesis, first_bytes = await run_in_threadpool(_start_stream, manager, request, encoder, output, started_at)
    except BaseException:
        _abandon(output)
        raise
    first = synthesis.metrics()
    headers = {**run_headers(synthesis), **file_headers(delivery.response_format), **output.headers(),
               "X-Kokoro-Stream": "true", "X-Kokoro-Decoding": first.decoding,
               "X-Accel-Buffering": "no", "X-Kokoro-First-Chunk-RTF": f"{first.rtf:.3f}",
               "X-Kokoro-First-Chunk-Audio-Seconds": f"{first.audio_s:.3f}"}

    async def body():
        try:
            yield first_bytes
            done = False
            while not done:
                data, done = await run_in_threadpool(_next_bytes, synthesis, encoder, output)
                if data:
                    yield data
            if output.recording:
                await run_in_threadpool(output.recording.finish)
            _log_run("streamed", synthesis.metrics())
        except KokoroUIError as error:  # the status line is gone: end the stream unfinished, and say why here
            log.warning("stream of Kokoro %s broke off: %s", request.version, error)
            raise
        finally:  # also when the client disconnects: no forward pass starts after this
            _close(synthesis, encoder, output)

    # The background task closes them too if the client left before the body began (closing twice is fine).
    return StreamingResponse(body(), media_type=MEDIA_TYPES[delivery.response_format], headers=headers,
                             background=BackgroundTask(_close, synthesis, encoder, output))


def _start_stream(manager: ModelManager, request: Request, encoder: StreamEncoder, output: _Output,
                  started_at: float) -> tuple[Synthesis, bytes]:
    """Start the encoder (ffmpeg starts while the first pass runs) and make the first chunk."""
    synthesis = None
    try:
        header = encoder.start()
        synthesis = synthesize(manager, request, started_at, in_windows=manager.settings.stream_windows)
        return synthesis, header + encoder.encode(output.audio(next(synthesis)))
    except BaseException:
        if synthesis is not None:
            synthesis.close()
        encoder.close()
        raise


def _close(synthesis: Synthesis, encoder: StreamEncoder, output: _Output) -> None:
    synthesis.close()
    encoder.close()
    _abandon(output)


def _abandon(output: _Output) -> None:
    """A download copy that will not be finished now: its link says so instead of 'still being made'."""
    if output.recording:
        output.recording.abandon()


def _next_bytes(synthesis: Synthesis, encoder: StreamEncoder, output: _Output) -> tuple[bytes, bool]:
    """The next chunk's encoded bytes, or the encoder's last ones and True at the end."""
    chunk = next(synthesis, None)
    if chunk is None:
        return encoder.finish(), True
    return encoder.encode(output.audio(chunk)), False


def file_headers(response_format: str) -> dict[str, str]:
    """What Kokoro-FastAPI's responses say to browsers and proxies: save as speech.<format>, do not cache."""
    return {"Content-Disposition": f'attachment; filename="speech.{response_format}"', "Cache-Control": "no-cache"}


def _log_run(what: str, metrics: RunMetrics) -> None:
    log.info("%s Kokoro %s (%s): %d chunks, %.2f s of audio, TTFA %.3f s, RTF %.3f", what, metrics.version,
             metrics.voice, metrics.chunks, metrics.audio_s, metrics.ttfa_s, metrics.rtf)


def text_cut_headers(rendering: str) -> dict[str, str]:
    """`X-Kokoro-Text-Cut: fast-first` when the text was cut where the release would not cut it
    (the opt-in `KOKORO_UI_FAST_FIRST`); nothing when the passes are the release's own."""
    return {} if rendering == WHOLE_PASS else {"X-Kokoro-Text-Cut": rendering}


def run_headers(synthesis: Synthesis) -> dict[str, str]:
    """What every speech response says about its run (header values are ASCII)."""
    info, metrics = synthesis.info, synthesis.metrics()
    headers = {"X-Kokoro-Version": info.version, "X-Kokoro-Voice": synthesis.request.voice,
               "X-Kokoro-Weights": info.weights.encode("ascii", "replace").decode(),
               "X-Kokoro-Weights-Kind": info.weights_kind, "X-Kokoro-Backend": info.backend,
               "X-Kokoro-Sample-Rate": str(SAMPLE_RATE_HZ), "X-Kokoro-TTFA": f"{metrics.ttfa_s:.3f}",
               "X-Kokoro-Loaded-First": str(metrics.loaded_first).lower()}  # TTFA includes loading the release
    if not info.real_speech:
        headers["X-Kokoro-Warning"] = NOISE_WARNING
    headers.update(text_cut_headers(metrics.rendering))
    request = synthesis.request
    if isinstance(request, PhonemesRequest) and request.notation:  # mapped from the other release's notation
        headers["X-Kokoro-Phonemes-Mapped-From"] = request.notation
        headers["X-Kokoro-Phonemes-Dropped"] = " ".join(f"U+{ord(symbol):04X}" for symbol in request.dropped)
    return headers
