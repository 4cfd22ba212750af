"""`GET /metrics` (Prometheus text format) and the HTTP API's share of its request counts.

`ApiRequestCounter` wraps the whole ASGI app and counts each response to an HTTP API route
(not the Gradio page, whose events `ui.events` counts) by its status: the outcome is what the
client was told, streamed responses included (their status line leaves before the audio).
"""

import re
from typing import Awaitable, Callable, Iterable

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST

from kokoro_ui.services.telemetry import Telemetry

Asgi = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def add_metrics_route(app: FastAPI, telemetry: Telemetry) -> None:
    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)


def outcome_of(status: int) -> str:
    if status == 429:
        return "busy"
    if status == 503:
        return "unavailable"
    return "ok" if status < 400 else "refused" if status < 500 else "error"


class ApiRequestCounter:
    """ASGI middleware: counts the responses of requests whose path one of `routes` (path regexes) matches."""

    def __init__(self, app: Asgi, telemetry: Telemetry, routes: Iterable[re.Pattern]):
        self.app, self.telemetry, self.routes = app, telemetry, list(routes)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not any(route.match(scope["path"]) for route in self.routes):
            return await self.app(scope, receive, send)
        status = [500]  # a request that fails before its status line was sent is a server error

        async def send_noting_status(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self.telemetry.count("http", outcome_of(status[0]))
