"""`POST /dev/captioned_speech`: speech with each written word's start and end, Kokoro-FastAPI's route.

Its request shape (`model`, `input`, `voice`, `response_format`, `speed`, `stream`,
`return_timestamps`, `lang_code`) plus `version`, for both releases. `"stream": false` answers one
JSON object, `{"audio": <base64>, "audio_format", "timestamps": [{"word", "start_time",
"end_time"}, ...]}`, times in seconds from the start of the whole audio; `"stream": true` answers
one such object per chunk, one per line (NDJSON), each chunk's audio on its own and its words on the
whole run's clock. The first chunk is made before the response starts, so an error in it is still
a 4xx. Words and their times come from the chunks (`kokoro_ui.outputs.captions`); this module only packs them.
"""

import base64
import json
import time
from typing import Iterator

import numpy as np
from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from kokoro_ui.api.schemas import CaptionedSpeech, CaptionedSpeechBody, ErrorBody
from kokoro_ui.outputs.audio_formats import encode
from kokoro_ui.outputs.captions import chunk_captions, run_captions
from kokoro_ui.engine.chunk import Chunk
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.synthesis import Synthesis, synthesize
from kokoro_ui.services.validation import InvalidInputError, validate_speech
from kokoro_ui.api.compatibility import validate_lang_code, validate_model


def add_captioned_route(router: APIRouter, manager: ModelManager) -> None:
    @router.post("/dev/captioned_speech", response_model=CaptionedSpeech, responses={
        200: {"content": {"application/x-ndjson": {}}, "description": "The audio and its words' times; "
              "with stream, one JSON object per chunk per line."},
        400: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def captioned_speech(body: CaptionedSpeechBody):
        """Say `input` with `voice` and `version`, and give each written word's start and end."""
        started_at = time.perf_counter()
        if body.stream:
            synthesis, first = await run_in_threadpool(_first_chunk, manager, body, started_at)
            return StreamingResponse(_lines(synthesis, first, body), media_type="application/x-ndjson",
                                     background=BackgroundTask(synthesis.close))
        return JSONResponse(await run_in_threadpool(_whole, manager, body, started_at))


def _synthesis(manager: ModelManager, body: CaptionedSpeechBody, started_at: float) -> Synthesis:
    version = validate_model(manager, body.model, body.version)
    voice = manager.settings.default_voice(version) if body.voice is None else body.voice
    lang = validate_lang_code(None, body.lang_code)
    if body.input is None:
        raise InvalidInputError("text", "Missing required field 'input' (the text to say).")
    return synthesize(manager, validate_speech(manager, body.input, voice, version, body.speed, lang), started_at)


def _whole(manager: ModelManager, body: CaptionedSpeechBody, started_at: float) -> dict:
    with _synthesis(manager, body, started_at) as synthesis:
        chunks = list(synthesis)
    if not chunks:
        raise KokoroUIError("Nothing to say: the text has no speakable words.")
    audio = np.concatenate([chunk.audio for chunk in chunks])
    timestamps = [caption.as_timestamp() for caption in run_captions(chunks)]
    return _packed(audio, body, timestamps)


def _first_chunk(manager: ModelManager, body: CaptionedSpeechBody, started_at: float) -> tuple[Synthesis, Chunk]:
    synthesis = _synthesis(manager, body, started_at)
    try:
        first = next(synthesis, None)
        if first is None:
            raise KokoroUIError("Nothing to say: the text has no speakable words.")
    except BaseException:
        synthesis.close()
        raise
    return synthesis, first


def _lines(synthesis: Synthesis, first: Chunk, body: CaptionedSpeechBody) -> Iterator[str]:
    """One JSON line per chunk, its words on the whole run's clock; closes the run when done."""
    offset_s, chunk = 0.0, first
    try:
        while chunk is not None:
            timestamps = [caption.as_timestamp() for caption in chunk_captions(chunk, offset_s)]
            yield json.dumps(_packed(chunk.audio, body, timestamps), ensure_ascii=False) + "\n"
            offset_s += chunk.audio_s
            chunk = next(synthesis, None)
    finally:
        synthesis.close()


def _packed(audio: np.ndarray, body: CaptionedSpeechBody, timestamps: list[dict]) -> dict:
    packed = {"audio": base64.b64encode(encode(audio, body.response_format)).decode("ascii"),
              "audio_format": body.response_format}
    return {**packed, "timestamps": timestamps} if body.return_timestamps else packed
