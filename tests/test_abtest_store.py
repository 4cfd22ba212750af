"""The vote database: schema and migrations, one row per vote, and failures that damage nothing."""

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kokoro_ui.abtest.sessions import Sentence, SessionBook, VoteRefusedError, voice_pairs
from kokoro_ui.abtest.store import SCHEMA_VERSION, DuplicateVoteError, VoteStore, VoteStoreError

SENTENCES = [Sentence("s1", "One."), Sentence("s2", "Two."), Sentence("s3", "Three.")]


def listened(book: SessionBook, session_id: str) -> int:
    """Play both clips of the current trial to the end, as the browser reports it; returns the trial number."""
    number = book.current_trial(session_id).number
    book.show(session_id, number, real_speech=True)
    for clip in "AB":
        book.report(session_id, number, clip, "play")
        book.report(session_id, number, clip, "end")
    return number


@pytest.fixture
def book(tmp_path, manager) -> SessionBook:
    return SessionBook(VoteStore(tmp_path / "votes" / "votes.sqlite3", busy_timeout_s=0.2), SENTENCES,
                       voice_pairs(manager), trials=3)


def rows(path: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT session_id, trial, choice, a_release FROM votes ORDER BY id").fetchall()


def test_a_new_database_gets_the_schema_in_wal_mode(tmp_path):
    store = VoteStore(tmp_path / "deep" / "folder" / "votes.sqlite3")
    assert store.votes() == []
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_the_votes_and_does_not_migrate_again(book):
    session = book.start()
    record = book.vote(session.id, listened(book, session.id), "A", "crisp")
    again = VoteStore(book.store.path)
    assert again.votes() == [record]


def test_a_database_from_a_newer_app_is_refused(tmp_path):
    path = tmp_path / "votes.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(VoteStoreError, match="newer version"):
        VoteStore(path).votes()


def test_the_database_refuses_a_second_row_for_one_trial(book):
    session = book.start()
    record = book.vote(session.id, listened(book, session.id), "B")
    with pytest.raises(DuplicateVoteError):
        book.store.add(record)
    assert len(book.store.votes()) == 1


def test_a_vote_round_trips_with_everything_it_records(book):
    session = book.start()
    trial = session.trials[0]
    record = book.vote(session.id, listened(book, session.id), "none", "same to me")
    stored = book.store.votes(session.id)[0]
    assert stored == record
    assert (stored.a_release, stored.b_release) == (trial.a_release, trial.b_release)
    assert stored.preferred_release is None and stored.comment == "same to me"
    assert stored.a_plays == stored.b_plays == 1 and stored.real_speech is True
    assert stored.shown_at <= stored.voted_at


def test_csv_export_has_a_header_and_one_line_per_vote(book, tmp_path):
    session = book.start()
    for _ in range(3):
        book.vote(session.id, listened(book, session.id), "A", 'says "hi", then, leaves')
    text = book.store.write_csv(tmp_path / "votes.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("session_id,trial,sentence_id") and len(lines) == 4
    assert '"says ""hi"", then, leaves"' in lines[1]


def test_a_locked_database_refuses_the_vote_and_the_trial_can_be_voted_again(book):
    session = book.start()
    book.vote(session.id, listened(book, session.id), "A")
    before = rows(book.store.path)
    with contextlib.closing(sqlite3.connect(book.store.path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        number = listened(book, session.id)
        with pytest.raises(VoteStoreError, match="could not be saved"):
            book.vote(session.id, number, "B")
        other.execute("ROLLBACK")
    assert rows(book.store.path) == before
    book.vote(session.id, number, "B")  # nothing moved on: the same trial takes the vote now
    assert len(rows(book.store.path)) == 2


@contextlib.contextmanager
def read_only(path: Path):
    """`path` and its folder unwritable, for root too (chattr +i) where the file system allows it."""
    targets = [path, path.parent]
    if os.geteuid() != 0:
        os.chmod(path, 0o444), os.chmod(path.parent, 0o555)
        try:
            yield
        finally:
            os.chmod(path.parent, 0o755), os.chmod(path, 0o644)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", *map(str, targets)],
                                                     capture_output=True, check=False).returncode:
        subprocess.run(["chattr", "-i", *map(str, targets)], capture_output=True, check=False)
        pytest.skip("cannot make a file read-only for root here (chattr +i failed)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, targets)], check=True)


def test_an_unwritable_database_refuses_the_vote_with_a_message_and_keeps_stored_votes(book):
    session = book.start()
    book.vote(session.id, listened(book, session.id), "A", "first")
    book.vote(session.id, listened(book, session.id), "B", "second")
    before = book.store.votes()
    number = listened(book, session.id)
    assert not list(book.store.path.parent.glob("*-wal"))  # every connection closed: all on disk
    with read_only(book.store.path), pytest.raises(VoteStoreError, match="could not be saved.*tell the person"):
        book.vote(session.id, number, "none")
    assert book.store.votes() == before
    with contextlib.closing(sqlite3.connect(book.store.path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert book.current_trial(session.id).number == number  # the refused trial is still open
    book.vote(session.id, number, "none")
    with pytest.raises(VoteRefusedError, match="finished"):
        book.vote(session.id, number, "A")
