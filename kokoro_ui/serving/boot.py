"""The port answers from the first second, while the app itself is still importing and being built.

Importing PyTorch, Gradio and the releases' code takes 10 s or more on two cores (over a minute on
a busy machine), and drawing the page a few more; a visitor, a Space's health check or a client that
finds nothing listening meanwhile sees an error. So `app.py` serves this small ASGI app first, with
nothing heavier than uvicorn imported: until the app is handed over (`hand_over`), ``/`` is a page
that says the app is starting and reloads itself, ``/health`` answers 503 ``{"status": "starting"}``,
and any other request 503 with ``Retry-After`` in OpenAI's error shape. Then every request goes to
the app, whose own start-up (its ASGI lifespan: Gradio starts its queue there) runs first, on the
server's event loop, as it would under uvicorn; its shutdown runs when the server stops.

Boundary: start-up only. Loading the releases is the manager's (`kokoro_ui.services.loading`), and it goes on
in the background after the hand-over, which `/health` and the Compare panels report.
"""

import asyncio
import json
import logging
import threading
from typing import Awaitable, Callable, Optional

log = logging.getLogger(__name__)

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
RETRY_AFTER_S = 2
STARTING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{retry}"><title>Kokoro A/B is starting</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3em;"><h1>Kokoro A/B is starting…</h1>
<p>The page is being put together; it opens here by itself in a few seconds.</p></body></html>"""


class BootApp:
    """An ASGI app answering "starting" until `hand_over(app)`, then `app` itself."""

    def __init__(self) -> None:
        self.failed: Optional[str] = None  # why building the app failed, once it has
        self._app: Optional[ASGIApp] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._listening = threading.Event()
        self._inner: Optional[tuple[asyncio.Task, asyncio.Queue, asyncio.Queue]] = None  # the app's lifespan

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif self._app is not None:
            await self._app(scope, receive, send)
        elif scope["type"] == "http":
            await _starting(scope, send)
        else:  # a websocket before the app is there: "try again later"
            await send({"type": "websocket.close", "code": 1013})

    def hand_over(self, app: ASGIApp, timeout_s: float = 300) -> None:
        """From the thread that built `app`: run its start-up on the server's loop, then serve it."""
        if not self._listening.wait(timeout_s):
            raise RuntimeError("the server did not start listening")
        asyncio.run_coroutine_threadsafe(self._start(app), self._loop).result(timeout_s)
        log.info("the app is up")

    async def _lifespan(self, receive, send) -> None:
        await receive()  # lifespan.startup
        self._loop = asyncio.get_running_loop()
        self._listening.set()
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        if self._inner is not None:
            task, inbox, outbox = self._inner
            await inbox.put({"type": "lifespan.shutdown"})
            await outbox.get()
            await task
        await send({"type": "lifespan.shutdown.complete"})

    async def _start(self, app: ASGIApp) -> None:
        inbox, outbox = asyncio.Queue(), asyncio.Queue()
        await inbox.put({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        task = asyncio.create_task(app(scope, inbox.get, outbox.put))
        reply = await outbox.get()
        if reply["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"the app's start-up failed: {reply.get('message', reply['type'])}")
        self._inner = (task, inbox, outbox)
        self._app = app


async def _starting(scope: dict, send) -> None:
    if scope["path"] == "/" and scope["method"] in ("GET", "HEAD"):
        await _respond(send, 200, "text/html; charset=utf-8", STARTING_PAGE.format(retry=RETRY_AFTER_S))
        return
    message = f"Kokoro A/B is starting; retry in {RETRY_AFTER_S} s."
    body = ({"status": "starting", "message": message} if scope["path"] == "/health" else
            {"error": {"message": message, "type": "server_error", "param": None, "code": "starting"}})
    await _respond(send, 503, "application/json", json.dumps(body), [(b"retry-after", str(RETRY_AFTER_S).encode())])


async def _respond(send, status: int, content_type: str, text: str, headers: Optional[list] = None) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
