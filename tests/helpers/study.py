"""Helpers for listening-study tests: a full clip bank made quickly, real app processes, and a client
for the test-only study driver (`kokoro_ui.ui.listening_driver`).

The bank is filled with short tones filed under the real keys of the loaded releases (the keys are
what serving depends on; what the clips sound like is not), so tests need no forward pass to
have a full bank. `render` itself is tested on real synthesis elsewhere.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Optional

import httpx
import numpy as np

from kokoro_ui.abtest.attention import INSTRUCTIONS, instructions
from kokoro_ui.abtest.bank import ClipBank
from kokoro_ui.abtest.design import AB
from kokoro_ui.abtest.material import Sentence, VoicePair
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.abtest.sessions import SessionBook
from kokoro_ui.abtest.store import VoteStore
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.services.manager import ModelManager

REPO = Path(__file__).resolve().parents[2]
DRIVER = "/_study_driver"


def session_book(where: "Path | str | VoteStore", sentences: list[Sentence], pairs: list[VoicePair], trials: int,
                 mode: str = AB, **checks: bool) -> SessionBook:
    """The one way the tests open a study's session book: on a store already open, a PostgreSQL URL, a
    SQLite file, or a folder (its ``votes.sqlite3``); `checks` are the quality checks to run."""
    if isinstance(where, Path) and where.is_dir():
        where = where / "votes.sqlite3"
    store = where if isinstance(where, VoteStore) else open_store(where)
    return SessionBook(store, sentences, pairs, trials, mode, **checks)


def fill_bank(manager: ModelManager, folder: Path, sentences: list[Sentence], pairs: list[VoicePair],
              speed: float = 1.0, seconds: float = 0.4) -> ClipBank:
    """Every trial clip of the study, as a short tone (a different pitch per release), in `folder`; and every
    attention trial's clip (each pair's v1.0 voice, any design), as a third pitch."""
    bank = ClipBank(folder)
    tones = [0.3 * np.sin(2 * np.pi * hz * np.arange(int(seconds * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ).astype(np.float32)
             for hz in (220, 330, 440)]
    for number, release in enumerate(("v1.0", "v0.19")):
        model = manager.get_model(release)
        for pair in pairs:
            for sentence in sentences:
                bank.save(model, pair.voices[release], sentence.text, speed, tones[number])
    v1 = manager.get_model("v1.0")
    for pair in pairs:
        for text in (text for mode in INSTRUCTIONS for text in instructions(mode)):
            bank.save(v1, pair.voices["v1.0"], text, speed, tones[2])
    return bank


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningApp:
    url: str
    process: subprocess.Popen
    log: Path


@contextlib.contextmanager
def app_processes(envs: list[Mapping[str, str]], logs: list[Path], loaded: Optional[bool] = True,
                  ready_timeout_s: float = 300, programs: Optional[list[list[str]]] = None
                  ) -> Iterator[list[RunningApp]]:
    """`python app.py` once per env (added to this one's, less SPACE_ID), each on a free loopback port,
    started together; yields them once each answers /health (and, with `loaded`, has both releases
    loaded, as they are by default; with None, at once). Stops them at the end, unless a test already did. The wait is long
    because four processes importing torch and Gradio at once on a busy 2-core machine take minutes.
    `programs`: what each runs instead of ``app.py`` (e.g. ``["-c", script]``), given the same flags."""
    apps: list[RunningApp] = []
    try:
        for number, (env, log) in enumerate(zip(envs, logs)):
            port = free_port()
            program = programs[number] if programs else ["app.py"]
            with open(log, "w") as out:
                process = subprocess.Popen([sys.executable, *program, "--port", str(port), "--host", "127.0.0.1"],
                                           cwd=REPO, env={**{k: v for k, v in os.environ.items() if k != "SPACE_ID"},
                                                          **env}, stdout=out, stderr=subprocess.STDOUT)
            apps.append(RunningApp(f"http://127.0.0.1:{port}", process, log))
        for app in apps:
            if loaded is not None:
                wait_until_up(app, loaded, ready_timeout_s)
        yield apps
    finally:
        for app in apps:
            app.process.terminate()
        deadline = time.monotonic() + 5  # uvicorn waits for open client connections; the test is done
        for app in apps:
            try:
                app.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                app.process.kill()
                app.process.wait()


def wait_until_up(app: RunningApp, loaded: bool, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"the app exited with {app.process.returncode}: {app.log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(f"{app.url}/health", timeout=5)  # 503 while the app is starting (kokoro_ui.serving.boot)
            if response.status_code == 200 and (not loaded or all(release["loaded"]
                                                                  for release in response.json()["versions"])):
                return
        time.sleep(0.5)
    raise RuntimeError(f"the app at {app.url} was not ready in {timeout_s} s: {app.log.read_text()[-2000:]}")


class Listener:
    """One participant, through the driver: listens to every clip to the end, then votes."""

    def __init__(self, url: str, client: Optional[httpx.Client] = None):
        self.url, self.client = url, client or httpx.Client(timeout=30)
        self.session_id: Optional[str] = None
        self.trial = 0
        self.clips = 0

    def start(self) -> dict:
        shown = self._post("start", {})
        self.session_id, self.trial, self.clips = shown["session_id"], shown["trial"], shown["clips"]
        return shown

    def listen(self) -> bool:
        votable = False
        for clip in "ABX"[:self.clips]:
            for event in ("play", "end"):
                votable = self._post("report", {"session_id": self.session_id, "trial": self.trial, "clip": clip,
                                                "event": event})["votable"]
        return votable

    def vote(self, choice: str, comment: str = "") -> dict:
        shown = self._post("vote", {"session_id": self.session_id, "trial": self.trial, "choice": choice,
                                    "comment": comment})
        if not shown["refused"]:
            self.trial, self.clips = shown["trial"], shown["clips"]
        return shown

    def resubmit(self, session_id: str, trial: int) -> httpx.Response:
        return self.client.post(f"{self.url}{DRIVER}/resubmit", json={"session_id": session_id, "trial": trial})

    def _post(self, route: str, body: dict) -> dict:
        response = self.client.post(f"{self.url}{DRIVER}/{route}", json=body)
        response.raise_for_status()
        return response.json()
