"""Kokoro-FastAPI's routes that Kokoro A/B does not provide, each answered with a 404 that says why.

A client written for Kokoro-FastAPI that calls one of these learns what this app offers instead,
rather than meeting the bare 404 of the Gradio app mounted at `/`. Its web player's address,
`/web`, leads to this app's own page. Routes other work here provides (captioned speech, voice
combination) are not listed: they are theirs to answer.
"""

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from kokoro_ui.api.openai_errors import NotFoundError
from kokoro_ui.api.schemas import ErrorBody

_ONE_VOICE = "Kokoro A/B speaks one voice per request, so that the two releases can be compared on it"
_DEBUG = "GET /health says how each release is, and the server's log the rest"
NOT_PROVIDED = (
    ("POST", "/dev/dialogue", f"Multi-speaker dialogue is not offered: {_ONE_VOICE}."),
    ("GET", "/dev/ssml", "SSML is not offered: send plain text to POST /v1/audio/speech."),
    ("POST", "/dev/ssml", "SSML is not offered: send plain text to POST /v1/audio/speech."),
    ("POST", "/dev/unload", "Releases are not unloaded on request: on a shared server every visitor would wait "
                            "for the reload. GET /health shows which are loaded."),
    ("GET", "/debug/threads", f"Debug routes are not offered: {_DEBUG}."),
    ("GET", "/debug/storage", f"Debug routes are not offered: {_DEBUG}."),
    ("GET", "/debug/system", f"Debug routes are not offered: {_DEBUG}."),
)


def add_not_provided_routes(router: APIRouter) -> None:
    for method, path, reason in NOT_PROVIDED:
        router.add_api_route(path, _refusal(method, path, reason), methods=[method], include_in_schema=False,
                             responses={404: {"model": ErrorBody}})

    @router.get("/web", include_in_schema=False)
    def web_player() -> RedirectResponse:
        """Kokoro-FastAPI's web player is at /web; this app's page is at /."""
        return RedirectResponse("/", status_code=307)


def _refusal(method: str, path: str, reason: str):
    def refuse() -> None:
        raise NotFoundError(f"{method} {path} is Kokoro-FastAPI's and is not provided by Kokoro A/B. {reason}")
    return refuse
