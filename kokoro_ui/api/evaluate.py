"""`POST /v1/evaluate`: say a text with one release, whole, and answer with its measures as JSON.

The body is `/v1/audio/speech`'s (`SpeechBody`), checked by the same `speech_request`, so bad
input gets the same 4xx with the same messages. The audio is made whole (`stream` and the
format fields are accepted and have no effect: no audio is sent), then measured
(`kokoro_ui.evaluation.single`); the answer is ``{"metrics": {...}}`` (`measures.export`). On
synthetic weights the metrics carry a `warning` and the response the speech route's
`X-Kokoro-Warning` header: the numbers measure noise.
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kokoro_ui.api.schemas import ErrorBody, SpeechBody
from kokoro_ui.api.speech import NOISE_WARNING, speech_request
from kokoro_ui.evaluation.single import evaluate
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.measures.export import metrics_json
from kokoro_ui.services.validation import InvalidInputError, SpeechRequest


def add_evaluate_route(router: APIRouter, manager: ModelManager) -> None:
    @router.post("/v1/evaluate", responses={400: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def evaluate_speech(body: SpeechBody) -> JSONResponse:
        """Say `input` with one release and measure it: pace, pauses, pitch, loudness, intelligibility, quality."""
        request, _ = speech_request(manager, body)
        if not isinstance(request, SpeechRequest):
            raise InvalidInputError("phonemes", "Measures score a transcript against the text: give input, not phonemes.")
        evaluation = await run_in_threadpool(evaluate, manager, request)
        headers = {"X-Kokoro-Version": evaluation.info.version, "X-Kokoro-Voice": request.voice,
                   "X-Kokoro-Weights-Kind": evaluation.info.weights_kind}
        if evaluation.noise:
            headers["X-Kokoro-Warning"] = NOISE_WARNING
        return JSONResponse({"metrics": metrics_json(evaluation.measures)}, headers=headers)
