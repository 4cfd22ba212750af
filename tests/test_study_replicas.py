"""Four real app processes sharing one real PostgreSQL database and one full clip bank: 400 votes cast
at once across them, none lost or doubled, a second vote refused by the database in each, Results
in each reading all of them, no forward pass anywhere, and a database outage that refuses votes
without taking the apps down or damaging what was stored.

Votes go through the test-only study driver (`KOKORO_UI_STUDY_DRIVER=1`), which calls the listening
tab's own handlers: the real sessions, design counts, clip bank, vote rules and store. The load test's
HTTP sessions (`kokoro_ui.loadtest.listening_http`) run through them too, at a listener's pace.
"""

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from gradio_client import Client
from helpers.study import Listener, app_processes, fill_bank

from kokoro_ui.abtest.material import load_sentences, voice_pairs
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.loadtest import listening_http

pytestmark = pytest.mark.slow

PROCESSES, SESSIONS_PER_PROCESS, TRIALS = 4, 10, 10
SENTENCES = "p1\tOne.\np2\tTwo.\n"
VOICES = "af_bella,am_adam"
CLIP_S = 0.4  # `fill_bank`'s tones


@pytest.fixture(scope="module")
def study(tmp_path_factory, manager, postgres):
    folder = tmp_path_factory.mktemp("replicas")
    (folder / "sentences.txt").write_text(SENTENCES, encoding="utf-8")
    bank = fill_bank(manager, folder / "bank", load_sentences(folder / "sentences.txt"), voice_pairs(manager, VOICES),
                     seconds=CLIP_S)
    url = postgres.new_database()
    env = {"KOKORO_UI_WEIGHTS": "synthetic", "KOKORO_UI_CACHE_DIR": str(manager.settings.cache_dir),
           "KOKORO_UI_VOTES_DB": url, "KOKORO_UI_CLIP_BANK": str(bank.folder), "KOKORO_UI_STUDY_DRIVER": "1",
           "KOKORO_UI_LISTENING_SENTENCES": str(folder / "sentences.txt"), "KOKORO_UI_LISTENING_VOICES": VOICES,
           "KOKORO_UI_LISTENING_TRIALS": str(TRIALS), "KOKORO_UI_PRELOAD": "v1.0,v0.19",
           # the gallery's background samples are forward passes of their own; this test counts trial clips'
           "KOKORO_UI_PRERENDER_SAMPLES": "false"}
    logs = [folder / f"app-{number}.log" for number in range(PROCESSES)]
    with app_processes([env] * PROCESSES, logs) as apps:
        yield [app.url for app in apps], url, postgres


def rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as db:
        return db.execute("SELECT session_id, trial, choice, a_release, voted_at FROM votes ORDER BY id").fetchall()


def whole_session(url: str, choices: str = "AB") -> list[tuple[str, int]]:
    """One listener's session of TRIALS votes; returns the (session, trial) of every vote accepted."""
    listener, accepted = Listener(url), []
    listener.start()
    for number in range(TRIALS):
        assert listener.listen(), "the vote did not open after every clip was heard"
        trial = listener.trial
        shown = listener.vote(choices[number % len(choices)])
        assert not shown["refused"], shown["message"]
        accepted.append((listener.session_id, trial))
    assert shown["finished"]
    return accepted


def test_four_processes_store_400_concurrent_votes_and_lose_or_double_none(study):
    urls, database, _ = study
    jobs = [urls[number % PROCESSES] for number in range(PROCESSES * SESSIONS_PER_PROCESS)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        accepted = [vote for votes in pool.map(whole_session, jobs) for vote in votes]
    stored = rows(database)
    assert len(accepted) == 400 and len(stored) == 400
    keys = Counter((session, trial) for session, trial, *_ in stored)
    assert set(keys.values()) == {1} and set(keys) == set(accepted)  # 0 duplicates, 0 lost
    assert Counter(session for session, _ in keys) == Counter({session: TRIALS for session, _ in accepted})
    for url in urls:
        health = httpx.get(f"{url}/health", timeout=10).json()
        assert [release["forward_passes"] for release in health["versions"]] == [0, 0], "a clip was synthesised"
        assert health["votes"]["store"] == "postgresql" and health["votes"]["persistent"] is True


def test_every_process_reads_every_vote_in_its_results(study):
    urls, database, _ = study
    stored = open_store(database).votes()
    firsts = Counter(vote.preferred_release for vote in stored if vote.repeat_of is None)
    expected = (f"**{firsts['v1.0']}** votes preferred v1.0, **{firsts['v0.19']}** preferred v0.19, "
                f"**{firsts[None]}** had no preference")
    for url in urls:
        summary = Client(url, verbose=False).predict(True, False, api_name="/listening_results")[0]
        assert expected in summary  # noise votes included: these processes run on synthetic weights


def test_the_database_refuses_a_second_vote_for_a_trial_in_every_process(study):
    urls, database, _ = study
    stored = rows(database)
    before = len(stored)
    for number, url in enumerate(urls):
        session, trial = stored[number * 7][:2]  # votes cast through any of the processes
        response = Listener(url).resubmit(session, trial)
        assert response.status_code == 409 and response.json()["refused_by"] == "database", response.text
        assert "already has a vote" in response.json()["message"]
    assert len(rows(database)) == before


def test_a_database_outage_refuses_votes_keeps_the_apps_up_and_votes_resume(study):
    urls, database, server = study
    listeners = [Listener(url) for url in urls]
    for listener in listeners:
        listener.start()
        assert listener.listen()
    before = rows(database)
    server.stop()
    try:
        for listener in listeners:
            shown = listener.vote("A")
            assert shown["refused"] and "Your vote could not be saved" in shown["message"], shown
            assert httpx.get(f"{listener.url}/health", timeout=10).status_code == 200
        newcomer = Listener(urls[0]).start()  # a first trial's order comes from the database: it says so
        assert newcomer["refused"] and "The next trial could not be shown" in newcomer["message"], newcomer
    finally:
        server.start()
    for listener in listeners:
        trial = listener.trial
        shown = listener.vote("A")  # the same trial, now that the database is back
        assert not shown["refused"], shown["message"]
        assert shown["trial"] == trial + 1
    after = rows(database)
    assert after[:len(before)] == before and len(after) == len(before) + PROCESSES
    with psycopg.connect(database) as db:
        assert db.execute("SELECT count(*) FROM votes").fetchone()[0] == len(after)
    assert len(open_store(database).votes()) == len(after)


def test_the_load_tests_http_sessions_listen_at_their_pace_and_every_vote_is_stored(study):
    urls, database, _ = study
    before = len(rows(database))
    started = time.perf_counter()
    # a thread of its own: the session's Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        runs = pool.submit(asyncio.run, listening_http.drive(urls[1], sessions=3, timeout_s=120,
                                                             playback_rate=4.0)).result()
    elapsed = time.perf_counter() - started
    assert [(run.error, run.finished, run.votes, len(run.next_trial_s)) for run in runs] == [("", True, TRIALS,
                                                                                              TRIALS - 1)] * 3
    assert len(rows(database)) == before + 3 * TRIALS
    assert elapsed >= TRIALS * 2 * CLIP_S / 4.0  # each session heard both 0.4 s clips of every trial, at 4x
