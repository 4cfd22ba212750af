"""Votes that survive: the default store goes to persistent storage when there is some, a real app
killed and started again finds every vote there, and a store that will not survive says so on the
Results tab and in /health."""

import signal
import sqlite3
import threading
import time
from dataclasses import fields, replace
from pathlib import Path

import httpx
import pytest
from helpers.browser import running_app
from gradio_client import Client
from helpers.study import Listener, app_processes, fill_bank

from kokoro_ui.abtest.material import load_sentences, voice_pairs
from kokoro_ui.abtest.persistence import clip_bank_folder, votes_location
from kokoro_ui.abtest.store import VoteRecord, open_store
from kokoro_ui.config.settings import Settings

pytestmark = pytest.mark.slow

EPHEMERAL = "Votes will not survive a restart"


def test_with_persistent_storage_the_votes_and_the_clip_bank_default_to_it(tmp_path):
    settings = Settings(persistent_dir=tmp_path, cache_dir=tmp_path / "cache")
    location = votes_location(settings, env={"SPACE_ID": "me/space"})
    assert Path(location.target) == tmp_path / "kokoro_ui" / "votes.sqlite3"
    assert location.persistent and location.warning == ""
    assert clip_bank_folder(settings) == tmp_path / "kokoro_ui" / "clip_bank"


def test_on_a_space_without_persistent_storage_the_votes_are_ephemeral(tmp_path):
    settings = Settings(persistent_dir=tmp_path / "no-such-folder", cache_dir=Path.home() / ".cache" / "kokoro_ui")
    on_space = votes_location(settings, env={"SPACE_ID": "me/space"})
    assert not on_space.persistent and "wiped when the Space restarts" in on_space.warning
    assert votes_location(settings, env={}).persistent  # the same folder on an ordinary machine stays


def test_a_store_in_the_temporary_folder_or_on_a_ram_disk_is_ephemeral(tmp_path):
    assert "temporary folder" in votes_location(Settings(votes_db=str(tmp_path / "v.sqlite3")), env={}).warning
    if Path("/dev/shm").is_dir():
        shm = votes_location(Settings(votes_db="/dev/shm/kokoro-votes.sqlite3"), env={})
        assert not shm.persistent and "RAM disk" in shm.warning


def test_a_postgresql_store_is_persistent_and_shown_without_credentials():
    location = votes_location(Settings(votes_db="postgresql://study:s3cret@db.example:5432/votes"), env={})
    assert location.persistent and location.backend == "postgresql"
    assert location.shown == "postgresql://db.example:5432/votes" and "s3cret" not in location.note


def _study_on_disk(tmp_path: Path, manager, sentences: str) -> tuple[Path, dict[str, str]]:
    """A 'persistent' folder (standing for a Space's /data) with a full clip bank for `sentences`, and the
    environment of an app that keeps its votes there."""
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "sentences.txt").write_text(sentences, encoding="utf-8")
    settings = replace(manager.settings, persistent_dir=data, votes_db="")
    fill_bank(manager, clip_bank_folder(settings), load_sentences(tmp_path / "sentences.txt"),
              voice_pairs(manager, "af_bella"))
    return data, {"KOKORO_UI_WEIGHTS": "synthetic", "KOKORO_UI_CACHE_DIR": str(manager.settings.cache_dir),
                  "KOKORO_UI_PERSISTENT_DIR": str(data), "KOKORO_UI_STUDY_DRIVER": "1",
                  "KOKORO_UI_LISTENING_TRIALS": "3", "KOKORO_UI_LISTENING_SENTENCES": str(tmp_path / "sentences.txt"),
                  "KOKORO_UI_LISTENING_VOICES": "af_bella"}


def test_votes_survive_the_app_being_killed_and_started_again(tmp_path, manager):
    data, env = _study_on_disk(tmp_path, manager, "k1\tOne.\nk2\tTwo.\n")
    with app_processes([env], [tmp_path / "first.log"], loaded=False) as [app]:
        health = httpx.get(f"{app.url}/health", timeout=10).json()["votes"]
        assert health["persistent"] and health["location"] == str(data / "kokoro_ui" / "votes.sqlite3")
        listener = Listener(app.url)
        listener.start()
        for choice in "AB":
            listener.listen()
            assert not listener.vote(choice)["refused"]
        app.process.send_signal(signal.SIGKILL)  # no clean shutdown: an acknowledged vote must be on disk
        app.process.wait()
    with app_processes([env], [tmp_path / "second.log"], loaded=False) as [app]:
        summary = Client(app.url, verbose=False).predict(True, False, api_name="/listening_results")[0]
    stored = open_store(data / "kokoro_ui" / "votes.sqlite3").votes()
    assert [vote.session_id for vote in stored] == [listener.session_id] * 2
    firsts = [vote for vote in stored if vote.repeat_of is None]
    assert f"Of the {len(firsts)} votes that chose" in summary and EPHEMERAL not in summary


def test_a_kill_while_votes_are_being_written_loses_no_acknowledged_vote_and_leaves_no_half_one(tmp_path, manager):
    data, env = _study_on_disk(tmp_path, manager, "k1\tOne.\nk2\tTwo.\nk3\tThree.\n")
    acknowledged: set[tuple[str, int]] = set()
    lock, killed = threading.Lock(), threading.Event()

    def vote_until_killed(url: str) -> None:
        listener = Listener(url, httpx.Client(timeout=10))
        while not killed.is_set():
            try:
                if listener.trial == 0:
                    listener.start()
                trial = listener.trial
                listener.listen()
                shown = listener.vote("AB"[trial % 2], comment="x" * 200)
            except httpx.HTTPError:  # the app is gone: whatever was unanswered is not acknowledged
                return
            if not shown["refused"]:
                with lock:
                    acknowledged.add((listener.session_id, trial))
            if shown["finished"]:
                listener.trial = 0

    with app_processes([env], [tmp_path / "app.log"], loaded=False) as [app]:
        voters = [threading.Thread(target=vote_until_killed, args=(app.url,)) for _ in range(4)]
        for voter in voters:
            voter.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 12 and time.monotonic() < deadline:  # votes are being written, and go on
            time.sleep(0.05)
        app.process.send_signal(signal.SIGKILL)
        app.process.wait()
        killed.set()
        for voter in voters:
            voter.join(timeout=30)
    path = data / "kokoro_ui" / "votes.sqlite3"
    with sqlite3.connect(path) as db:  # the file opens as a whole database, as the next start opens it
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = open_store(path).votes()
    keys = {(vote.session_id, vote.trial) for vote in stored}
    assert len(acknowledged) >= 12 and acknowledged <= keys
    assert len(keys) == len(stored) and len(keys - acknowledged) <= len(voters)  # at most one in flight each
    required = [field.name for field in fields(VoteRecord) if field.default is not None]  # None: optional
    for vote in stored:  # every row whole: no column of a vote left empty
        assert all(getattr(vote, name) is not None for name in required) and vote.comment == "x" * 200
        assert vote.choice in "AB" and vote.voted_at and vote.sentence


@pytest.fixture(scope="module")
def ephemeral_app(tmp_path_factory, synthetic_settings, manager):
    folder = tmp_path_factory.mktemp("ephemeral")
    settings = replace(synthetic_settings, votes_db=str(folder / "votes.sqlite3"), persistent_dir=folder / "none")
    with running_app(settings, releases_from=manager) as (base_url, _):
        yield base_url


def test_an_ephemeral_store_is_named_in_health(ephemeral_app):
    votes = httpx.get(f"{ephemeral_app}/health", timeout=10).json()["votes"]
    assert votes["persistent"] is False and EPHEMERAL in votes["note"]


def test_an_ephemeral_store_is_named_on_the_results_tab(ephemeral_app):
    config = httpx.get(f"{ephemeral_app}/config", timeout=10).json()
    storage = [component for component in config["components"]
               if component.get("props", {}).get("elem_id") == "results-storage"]
    assert len(storage) == 1 and EPHEMERAL in storage[0]["props"]["value"]
