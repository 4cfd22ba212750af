"""A real server for HTTP tests: uvicorn serving `create_app(manager)` on 127.0.0.1, in a thread.

In-process, so tests can look at the manager's models (e.g. `Release.forward_passes`).
"""

import contextlib
import socket
import threading
import time
from typing import Iterator

import uvicorn

from kokoro_ui.manager import ModelManager
from kokoro_ui.server import create_app

_START_TIMEOUT_S = 60


@contextlib.contextmanager
def running_server(manager: ModelManager) -> Iterator[str]:
    """The base URL of the app, served until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port, held from now on: no race with other processes
    host, port = sock.getsockname()
    server = uvicorn.Server(uvicorn.Config(create_app(manager), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
