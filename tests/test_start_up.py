"""`python app.py` answers at once and loads both releases in the background; a Compare pressed
during the load waits for it, saying so, then runs.

One real app process on synthetic weights (built once per session by the `manager` fixture), with
the default preload: both releases, after the app is serving.
"""

import time

import httpx
import pytest
from gradio_client import Client
from helpers.study import app_processes

pytestmark = pytest.mark.slow

FIRST_ANSWER_S = 10  # the port answers within this of the process starting (~1 s on a quiet machine)
STATES = {"ready", "loading", "failed", "not loaded"}


@pytest.fixture(scope="module")
def starting_app(tmp_path_factory, manager):
    folder = tmp_path_factory.mktemp("start_up")
    env = {"KOKORO_UI_WEIGHTS": "synthetic", "KOKORO_UI_CACHE_DIR": str(manager.settings.cache_dir),
           "KOKORO_UI_VOTES_DB": str(folder / "votes.sqlite3"), "KOKORO_UI_SAMPLES_DIR": str(folder / "samples"),
           "KOKORO_UI_PRERENDER_SAMPLES": "false"}  # the gallery's samples would be forward passes of their own
    started = time.monotonic()
    with app_processes([env], [folder / "app.log"], loaded=None) as (app,):
        yield app, started


def get(url: str) -> httpx.Response:
    """`url`'s answer, retried until the port is open."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_port_answers_at_once_and_a_compare_during_the_load_waits_for_it_then_runs(starting_app):
    app, started = starting_app
    page = get(f"{app.url}/")
    answered_s = time.monotonic() - started
    print(f"first answer {answered_s:.1f} s after the process started")
    assert answered_s < FIRST_ANSWER_S
    assert page.status_code == 200 and "Kokoro A/B is starting" in page.text  # importing the app takes longer

    health, seen = _health_once_serving(app.url)
    assert seen[0] == "starting"
    states = [release["state"] for release in health["versions"]]
    assert "loading" in states, health  # the app serves before the loads end
    client = Client(app.url, verbose=False)
    job = client.submit("Hi there.", "af_bella", "af_bella", 1.0, "", "fair", api_name="/compare")
    final = job.result(timeout=600)
    statuses = [f"{frame[4]} {frame[5]}" for frame in job.outputs()]
    assert any("waiting: " in status for status in statuses), statuses  # it said what it waited for
    run_table = final[7]["data"]
    assert [row[0] for row in run_table] == ["v0.19", "v1.0"] and all(not row[-1] for row in run_table), run_table

    health = get(f"{app.url}/health").json()
    assert [release["state"] for release in health["versions"]] == ["ready", "ready"]
    assert all(not release["loading"] and release["progress"] is None for release in health["versions"])
    # the warm-up passes are not counted: only the Compare's (one each for this short text)
    assert [release["forward_passes"] for release in health["versions"]] == [1, 1]


def _health_once_serving(url: str) -> tuple[dict, list]:
    """The first /health the app itself answers (503 'starting' before), and every state seen until then."""
    seen = []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        response = get(f"{url}/health")
        if response.status_code == 503:
            assert response.json()["status"] == "starting" and response.headers["retry-after"]
            seen.append("starting")
        else:
            health = response.json()
            assert {release["state"] for release in health["versions"]} <= STATES
            seen.append(tuple(release["state"] for release in health["versions"]))
            return health, seen
        time.sleep(0.2)
    raise AssertionError(f"the app did not come up: {seen[-5:]}")
