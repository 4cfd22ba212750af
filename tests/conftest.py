"""Shared fixtures: one ModelManager on synthetic weights for the whole session.

Synthetic weights are built once into the cache directory (KOKORO_UI_CACHE_DIR, default
~/.cache/kokoro_ui) and reused by later runs.
"""

import os
import sys
import threading

import httpx
import pytest
from helpers.browser import close_pages, launch_chromium, sync_playwright
from helpers.postgres import PostgresServer, postgres_server

from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.config.settings import Settings
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.serving.server import running_server
from kokoro_ui.weights.packaged import wheel_parts

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach for the hub
# The reference backend, here and in every app the tests start: the default (`compiled`) would compile
# each release's decoder in the background, minutes of the cores; its own tests ask for it.
os.environ.setdefault("KOKORO_UI_BACKEND", "torch")
# No attention trial in the apps and studies the tests start: tests that drive sessions count the study's own
# trials and votes; the quality checks' tests (test_study_quality*.py) turn it on, as the app's default has it.
os.environ.setdefault("KOKORO_UI_ATTENTION_CHECK", "false")

EXIT_STATUS = pytest.StashKey[int]()

THREE_PARAGRAPHS = (
    "The quick brown fox jumps over the lazy dog.\n\n"
    "Kokoro compares two releases of one model, side by side.\n\n"
    "Every chunk carries its phonemes, tokens and timings."
)


@pytest.fixture(scope="session")
def synthetic_settings(tmp_path_factory) -> Settings:
    """Synthetic weights, and a vote database and voice samples of the session's own (never the user's)."""
    return Settings.from_env(weights="synthetic", votes_db=tmp_path_factory.mktemp("votes") / "votes.sqlite3",
                             samples_dir=tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="session")
def manager(synthetic_settings: Settings) -> ModelManager:
    return ModelManager(synthetic_settings)


@pytest.fixture(scope="session")
def v1(manager: ModelManager):
    return manager.get_model("v1.0")


@pytest.fixture(scope="session")
def v019(manager: ModelManager):
    return manager.get_model("v0.19")


@pytest.fixture(scope="session")
def server_url(manager, v1, v019) -> str:
    """One app for the session's HTTP tests that need no server of their own, both releases loaded."""
    with running_server(manager) as url:
        yield url


@pytest.fixture(scope="session")
def api(server_url) -> httpx.Client:
    """An HTTP client of the session's app (requests may wait for a load: long timeout)."""
    with httpx.Client(base_url=server_url, timeout=600) as client:
        yield client


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """One real PostgreSQL server for the whole run (tests/postgres.py); each user makes its own database."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def real() -> ModelManager:
    """Real v1.0 speech from the packaged weights, measured with the packaged Whisper: one for every module that
    asks (made at the first, ~1 GB once v1.0 is loaded)."""
    assert wheel_parts.installed(), "scripts/install.sh installs the packaged v1.0 weights"
    return ModelManager(Settings.from_env(weights="packaged", asr="packaged"))


@pytest.fixture(scope="module")
def votes_unchanged(manager):
    """Fails the module if its requests changed the session's stored votes."""
    store = open_store(manager.settings.votes_db)
    before = store.count()
    yield
    assert store.count() == before


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the whole session (started by the first test that needs it)."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture()
def browser(chromium):
    """The session's Chromium; the pages a test opens are closed after it."""
    yield chromium
    close_pages(chromium)


def pytest_sessionfinish(session, exitstatus) -> None:
    session.config.stash[EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:
    """After pytest's own teardown and report, end the process with pytest's exit status.

    Every test has run and every fixture is torn down (the servers, the browser, PostgreSQL) by now; what is
    left is the interpreter's own shutdown, in which a native library the session loaded aborts on this
    machine ("terminate called without an active exception", rc 134, after 1,166 passed; no Python frame on
    any thread; not reproduced by the measures, languages, ONNX or compiled-backend files on their own). So
    the process ends here, the threads still alive named, rather than turn a green run into a failed one."""
    alive = [thread.name for thread in threading.enumerate() if thread is not threading.main_thread()]
    if alive:
        print(f"\nthreads alive at exit: {', '.join(alive)}", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(config.stash.get(EXIT_STATUS, 0))
