"""One process serves everything: the HTTP API routes and the Gradio app mounted at ``/``.

Routes are added to our own FastAPI app before Gradio is mounted; routes added after the
mount would be shadowed by Gradio's catch-all.
"""

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from typing import Callable, Iterator, Mapping, Optional

import gradio as gr
import uvicorn
from fastapi import FastAPI

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.backup import start_backup
from kokoro_ui.abtest.persistence import backup_folder
from kokoro_ui.api import create_router
from kokoro_ui.api.prometheus import ApiRequestCounter, add_metrics_route
from kokoro_ui.builds import BUILDS, Build
from kokoro_ui.engine.memory import limit_arenas
from kokoro_ui.services.loading import preload
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.samples.cache import SampleCache
from kokoro_ui.samples.renderer import SampleRenderer
from kokoro_ui.config.settings import Settings
from kokoro_ui.services.telemetry import Telemetry
from kokoro_ui.ui.app import CSS, THEME, build_ui
from kokoro_ui.ui.events import instrument
from kokoro_ui.ui.listening_driver import check_driver_allowed, study_driver_router


def create_app(manager: ModelManager) -> FastAPI:
    app = FastAPI(title="Kokoro A/B", docs_url="/docs")
    router = create_router(manager)
    app.include_router(router)
    settings = manager.settings
    listening = ListeningTest.open(manager)
    telemetry = Telemetry(manager, listening.store.count)
    add_metrics_route(app, telemetry)
    if settings.votes_dataset:  # uploads on a schedule from a thread of its own for as long as the process runs
        start_backup(listening.store, settings.votes_dataset, backup_folder(settings), settings.votes_backup_every_min,
                     os.environ.get("HF_TOKEN"))
    if settings.study_driver:  # tests only (see listening_driver); off unless set
        check_driver_allowed()
        app.include_router(study_driver_router(listening))
    demo = build_ui(manager, listening)
    instrument(demo, telemetry)  # counts the page's and the named API's events; refusals: one log line
    app.add_middleware(ApiRequestCounter, telemetry=telemetry, routes=[route.path_regex for route in router.routes])
    return gr.mount_gradio_app(app, demo, path="/", css=CSS, theme=THEME, footer_links=["api", "gradio"])


def start_app(settings: Settings, builds: Optional[Mapping[str, Build]] = None,
              serving: Optional[threading.Event] = None) -> FastAPI:
    """The whole app, with its background work started: the releases `settings.preload` names (all by
    default) loading one after the other once `serving` is set, and the gallery's samples rendered
    once they are loaded.

    `builds` are the releases it offers (`BUILDS`); the Space rehearsal test hands in the same builds
    pinned to its own checkpoints' digests (tests/test_space_rehearsal.py), everything else unchanged.
    """
    limit_arenas(2)  # one per core of a free Space (see `memory`): what request threads free stays reusable
    manager = ModelManager(settings, dict(builds or BUILDS))
    preload(manager, serving)
    if settings.prerender_samples:
        SampleRenderer(SampleCache(manager)).start()  # waits for both releases, then never goes ahead of a visitor
    return create_app(manager)


@contextlib.contextmanager
def running_server(manager: ModelManager, start_timeout_s: float = 60,
                   middleware: Optional[Callable[[FastAPI], Callable]] = None) -> Iterator[str]:
    """`create_app(manager)` served on a free loopback port in a thread; yields its base URL.

    In-process, so the caller (a test, the benchmark) sees the same manager and models the
    server uses. `middleware`, an ASGI app factory (`middleware(app)`), wraps the whole app:
    the benchmark uses it to time requests on the server side.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port, held from now on: no race with other processes
    host, port = sock.getsockname()
    app = create_app(manager)
    # clients that keep a connection open (gradio_client's event streams) would hold a graceful
    # shutdown for as long as they live; a second is enough for every answer already under way
    server = uvicorn.Server(uvicorn.Config(middleware(app) if middleware else app, log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.addFilter(_streams_cut_at_shutdown)
        try:
            server.should_exit = True
            thread.join(timeout=30)
        finally:
            uvicorn_log.removeFilter(_streams_cut_at_shutdown)
        sock.close()


def _streams_cut_at_shutdown(record: logging.LogRecord) -> bool:
    """False for uvicorn's report of the event streams it cancelled when its graceful second ran out.

    Those are clients still listening (gradio_client keeps a stream open while it lives), not faults.
    """
    if "timeout graceful shutdown exceeded" in record.getMessage():
        return False
    return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))
