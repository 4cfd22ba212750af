"""The HTTP API's errors, in OpenAI's shape, translated once: here, at the edge.

Every API route is an `OpenAIRoute`: a malformed body (FastAPI's `RequestValidationError`), an
`HTTPException` or one of our own exceptions becomes ``{"error": {"message", "type", "param",
"code"}}`` with a 4xx status that names the field at fault, or 503 when a release's weights are
unavailable; each is logged in one line (what was refused and why), without a traceback.
Anything else is a bug: it is logged with its traceback, and the client gets a plain 500 in
the same shape, without one.
"""

import json
import logging
from typing import Callable, Coroutine, Optional

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from kokoro_ui.services.admission import BusyError
from kokoro_ui.api.schemas import ErrorBody, ErrorDetail
from kokoro_ui.outputs.audio_formats import EncoderError
from kokoro_ui.errors import (KokoroUIError, UnknownVersionError, UnknownVoiceError, UnsupportedLanguageError,
                              WeightsError, for_log)
from kokoro_ui.services.validation import InvalidInputError

log = logging.getLogger(__name__)

API_FIELDS = {"text": "input"}  # the validation layer's field names where the speech API calls them otherwise
_PARAM_OF = {UnknownVersionError: "version", UnknownVoiceError: "voice", UnsupportedLanguageError: "lang"}


class NotFoundError(KokoroUIError):
    """What the request names is not here (a route this app does not provide, an expired download): a 404."""


def error_response(status: int, message: str, type_: str = "invalid_request_error", param: Optional[str] = None,
                   code: Optional[str] = None, headers: Optional[dict] = None) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(message=message, type=type_, param=param, code=code))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def kokoro_error_response(error: KokoroUIError) -> JSONResponse:
    """Our exceptions: too busy (429), not here (404), the request's fault (400), the weights' (503) or the
    encoder's (500)."""
    if isinstance(error, NotFoundError):
        return error_response(404, str(error), code="not_found")
    if isinstance(error, BusyError):
        return error_response(429, str(error), "rate_limit_error", None, "busy",
                              headers={"Retry-After": str(error.retry_after_s)})
    if isinstance(error, WeightsError):
        return error_response(503, f"This release is unavailable: {error}", "server_error", None, "weights_unavailable")
    if isinstance(error, EncoderError):
        return error_response(500, str(error), "server_error", "response_format", "encoder_failed")
    if isinstance(error, InvalidInputError):
        param = error.param or API_FIELDS.get(error.field, error.field)
        return error_response(400, f"Invalid '{param}': {error}", param=param, code="invalid_value")
    param = next((name for kind, name in _PARAM_OF.items() if isinstance(error, kind)), None)
    return error_response(400, str(error), param=param, code="invalid_value")


def validation_error_response(error: RequestValidationError) -> JSONResponse:
    """FastAPI's body and query errors (bad JSON, a missing field, a wrong type), first one first."""
    detail = error.errors()[0]
    location = [str(part) for part in detail["loc"]]
    param = location[1] if len(location) > 1 else None
    kind, message = detail["type"], detail["msg"]
    if kind == "json_invalid":
        reason = detail.get("ctx", {}).get("error", "")
        return error_response(400, f"The request body is not valid JSON: {reason} (at character {param}).",
                              code="invalid_json")
    if param is None:
        return error_response(400, "The request body must be a JSON object, e.g. "
                              '{"input": "Hello.", "voice": "af_heart"}.', code="invalid_body")
    if kind == "missing":
        return error_response(400, f"Missing required field '{param}'.", param=param, code="missing_required_parameter")
    if kind == "extra_forbidden":
        where = f" in '{param}'" if len(location) > 2 else ""  # a key inside an object field
        return error_response(400, f"Unknown field '{location[-1]}'{where}.", param=param, code="unknown_parameter")
    got = repr(detail.get("input"))
    got = got if len(got) <= 40 else got[:37] + "…"
    return error_response(400, f"Invalid '{param}': {message} (got {got}).", param=param, code="invalid_type")


class OpenAIRoute(APIRoute):
    """A route whose errors all leave in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[None, None, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return _refused(request, validation_error_response(error))
            except KokoroUIError as error:
                return _refused(request, kokoro_error_response(error))
            except HTTPException as error:
                return _refused(request, error_response(error.status_code, str(error.detail), headers=error.headers))
            except Exception:
                log.exception("Unexpected error in %s %s", request.method, request.url.path)
                return error_response(500, "Internal error: the server's log has the details.", "server_error")

        return handle


def _refused(request: Request, response: JSONResponse) -> JSONResponse:
    """Log a refusal in one line: the route, the status and the message the client got."""
    message = json.loads(response.body)["error"]["message"]
    log.info("refused %s %s: %d %s", request.method, request.url.path, response.status_code, for_log(message))
    return response
