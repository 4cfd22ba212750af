"""`kokoro_ui.serving.boot`: "starting" answers until the app is handed over, then the app, its own start-up
and shutdown run as under uvicorn. A tiny FastAPI app stands in for the real one (same ASGI contract)."""

import contextlib
import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI
from helpers.study import free_port

from kokoro_ui.serving.boot import BootApp


@contextlib.contextmanager
def serving(boot: BootApp):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(boot, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def stand_in(events: list[str]) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app):
        events.append("started")
        yield
        events.append("stopped")

    app = FastAPI(lifespan=lifespan)
    app.get("/health")(lambda: {"status": "ok"})
    return app


def test_before_the_hand_over_the_page_says_starting_and_everything_else_is_a_503_to_retry():
    with serving(BootApp()) as url:
        page = httpx.get(f"{url}/")
        assert page.status_code == 200 and "Kokoro A/B is starting" in page.text and 'http-equiv="refresh"' in page.text
        health = httpx.get(f"{url}/health")
        assert health.status_code == 503 and health.json()["status"] == "starting" and health.headers["retry-after"]
        speech = httpx.post(f"{url}/v1/audio/speech", json={"input": "Hello."})
        assert speech.status_code == 503 and speech.headers["retry-after"]
        assert "starting" in speech.json()["error"]["message"]


def test_after_the_hand_over_the_app_answers_with_its_own_start_up_run_first_and_its_shutdown_last():
    events: list[str] = []
    boot = BootApp()
    with serving(boot) as url:
        boot.hand_over(stand_in(events))
        assert events == ["started"]
        assert httpx.get(f"{url}/health").json() == {"status": "ok"}
    assert events == ["started", "stopped"]
