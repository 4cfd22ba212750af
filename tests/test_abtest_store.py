"""The vote database, SQLite and PostgreSQL alike: schema and migrations, one row per vote, and
failures that damage nothing."""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from helpers.study import session_book

from kokoro_ui.abtest.bank import RENDERING
from kokoro_ui.abtest.material import Sentence, voice_pairs
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.abtest.records import ATTENTION, HEADPHONES, CheckRecord, VoteRecord
from kokoro_ui.abtest.schema import SCHEMA_VERSION, migration
from kokoro_ui.abtest.sessions import SessionBook, VoteRefusedError
from kokoro_ui.abtest.store import DuplicateVoteError, VoteStoreError
from kokoro_ui.abtest.store_sqlite import SqliteVoteStore

SENTENCES = [Sentence("s1", "One."), Sentence("s2", "Two."), Sentence("s3", "Three.")]


def listened(book: SessionBook, session_id: str) -> int:
    """Play both clips of the current trial to the end, as the browser reports it; returns the trial number."""
    number = book.current_trial(session_id).number
    book.show(session_id, number, real_speech=True)
    for clip in "AB":
        book.report(session_id, number, clip, "play")
        book.report(session_id, number, clip, "end")
    return number


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path) -> str:
    """Where a fresh, empty votes database is: an SQLite path, or a new database on the test server."""
    if request.param == "sqlite":
        return str(tmp_path / "votes" / "votes.sqlite3")
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def book(tmp_path, manager) -> SessionBook:
    return session_book(SqliteVoteStore(tmp_path / "votes" / "votes.sqlite3", busy_timeout_s=0.1, write_patience_s=0.5),
                        SENTENCES, voice_pairs(manager), trials=3)


@pytest.fixture
def any_book(target, manager) -> SessionBook:
    return session_book(target, SENTENCES, voice_pairs(manager), trials=3)


def target_dialect(target: str) -> str:
    return "postgresql" if target.startswith("postgresql://") else "sqlite"


def execute(target: str, statements: list[str]) -> None:
    """Run SQL on the database directly, as another program (or an older version of this app) would."""
    if target_dialect(target) == "sqlite":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(target, isolation_level=None)) as db:
            for statement in statements:
                db.execute(statement)
        return
    import psycopg

    with psycopg.connect(target, autocommit=True) as db:
        for statement in statements:
            db.execute(statement)


def set_version(target: str, number: int) -> None:
    if target_dialect(target) == "sqlite":
        execute(target, [f"PRAGMA user_version = {number}"])
    else:
        execute(target, ["CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                         "DELETE FROM schema_version", f"INSERT INTO schema_version VALUES ({number})"])


def version(target: str) -> int:
    if target_dialect(target) == "sqlite":
        with contextlib.closing(sqlite3.connect(target)) as db:
            return db.execute("PRAGMA user_version").fetchone()[0]
    import psycopg

    with psycopg.connect(target) as db:
        return db.execute("SELECT version FROM schema_version").fetchone()[0]


def rows(path: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT session_id, trial, choice, a_release FROM votes ORDER BY id").fetchall()


def test_a_new_sqlite_database_gets_the_schema_in_wal_mode(tmp_path):
    store = open_store(tmp_path / "deep" / "folder" / "votes.sqlite3")
    assert store.votes() == []
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_the_votes_and_does_not_migrate_again(any_book, target):
    session = any_book.start()
    record = any_book.vote(session.id, listened(any_book, session.id), "A", "crisp")
    again = open_store(target)
    assert again.votes() == [record]


def test_a_database_from_a_newer_app_is_refused(target):
    execute(target, migration(target_dialect(target), 0))
    set_version(target, SCHEMA_VERSION + 1)
    with pytest.raises(VoteStoreError, match="newer version"):
        open_store(target).votes()


def test_a_database_of_schema_1_migrates_and_keeps_its_votes(target):
    """A votes file from before the study design (ABX, repeats, balanced cells) opens in this app."""
    execute(target, migration(target_dialect(target), 0))
    set_version(target, 1)
    old_columns = ("session_id, trial, sentence_id, sentence, pair, a_release, a_voice, b_release, b_voice, choice, "
                   "preferred_release, comment, speed, real_speech, a_plays, b_plays, a_listened_s, b_listened_s, "
                   "shown_at, voted_at")
    execute(target, [f"INSERT INTO votes ({old_columns}) VALUES ('old', 1, 's1', 'One.', 'af_bella', 'v1.0', "
                     "'af_bella', 'v0.19', 'af_bella', 'B', 'v0.19', 'kept', 1.0, 1, 2, 1, 2.5, 1.25, "
                     "'2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:09.000+00:00')"])
    store = open_store(target)
    assert store.votes() == [VoteRecord("old", 1, "s1", "One.", "af_bella", "v1.0", "af_bella", "v0.19", "af_bella",
                                        "B", "v0.19", "kept", 1.0, True, 2, 1, 2.5, 1.25,
                                        "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:09.000+00:00")]
    assert version(target) == SCHEMA_VERSION


def test_votes_stored_before_whole_pass_clips_are_marked_text_cut_and_none_is_lost(target):
    """Every bank before whole-pass rendering cut a first piece from the text: schema 2's votes say so now."""
    execute(target, migration(target_dialect(target), 0) + migration(target_dialect(target), 1))
    set_version(target, 2)
    columns = ("session_id, trial, sentence_id, sentence, pair, a_release, a_voice, b_release, b_voice, choice, "
               "preferred_release, speed, real_speech, a_plays, b_plays, a_listened_s, b_listened_s, shown_at, "
               "voted_at, mode")
    execute(target, [f"INSERT INTO votes ({columns}) VALUES ('old', {trial}, 's1', 'One.', 'af_bella', 'v1.0', "
                     "'af_bella', 'v0.19', 'af_bella', 'A', 'v1.0', 1.0, 1, 1, 1, 1.0, 1.0, "
                     "'2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:09.000+00:00', 'ab')" for trial in (1, 2, 3)])
    stored = open_store(target).votes()
    assert [(vote.trial, vote.rendering) for vote in stored] == [(1, "text-cut"), (2, "text-cut"), (3, "text-cut")]


def test_a_new_vote_stores_how_its_clips_were_rendered(any_book):
    session = any_book.start()
    any_book.vote(session.id, listened(any_book, session.id), "A")
    assert [vote.rendering for vote in any_book.store.votes()] == [RENDERING] == ["whole-pass"]


def test_the_database_refuses_a_second_row_for_one_trial(any_book):
    session = any_book.start()
    record = any_book.vote(session.id, listened(any_book, session.id), "B")
    with pytest.raises(DuplicateVoteError):
        any_book.store.add(record)
    assert len(any_book.store.votes()) == 1


def test_a_vote_round_trips_with_everything_it_records(any_book):
    book = any_book
    session = book.start()
    trial = book.current_trial(session.id)
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
    number = listened(book, session.id)
    with contextlib.closing(sqlite3.connect(book.store.path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        with pytest.raises(VoteStoreError, match="could not be saved"):
            book.vote(session.id, number, "B")
        other.execute("ROLLBACK")
    assert rows(book.store.path) == before
    book.vote(session.id, number, "B")  # nothing moved on: the same trial takes the vote now
    assert len(rows(book.store.path)) == 2


def test_reads_go_on_while_another_process_holds_the_write_lock(book):
    session = book.start()
    record = book.vote(session.id, listened(book, session.id), "A")
    with contextlib.closing(sqlite3.connect(book.store.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
        other.execute("DELETE FROM votes")  # not committed: readers still see the vote
        assert book.store.votes() == [record] and book.store.count() == 1
        other.execute("ROLLBACK")


def test_a_vote_waits_for_a_writer_that_holds_the_lock_for_a_while_and_is_stored(tmp_path, manager):
    store = SqliteVoteStore(tmp_path / "votes.sqlite3", busy_timeout_s=0.05, write_patience_s=30)
    book = session_book(store, SENTENCES, voice_pairs(manager), trials=3)
    session = book.start()
    number = listened(book, session.id)
    other = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # held for 1 s: many busy timeouts of the store's, one patience
    releaser = threading.Timer(1.0, lambda: (other.execute("COMMIT"), other.close()))
    releaser.start()
    try:
        book.vote(session.id, number, "B")
    finally:
        releaser.join()
    assert [vote.trial for vote in store.votes()] == [number]


def test_each_thread_reuses_its_own_connection(tmp_path):
    store = SqliteVoteStore(tmp_path / "votes.sqlite3")
    store.votes(), store.count(), store.votes()
    assert len(store._open) == 1
    threads = [threading.Thread(target=store.count) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store._open) == 4
    store.close()
    assert store._open == set() and store.count() == 0


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
    book.store.close()
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


def test_a_row_the_schema_forbids_is_a_failure_not_a_duplicate(target):
    """The database's own checks hold too: a choice outside A, B and none is refused, and not taken
    for a second vote."""
    store = open_store(target)
    bad = VoteRecord("s", 1, "s1", "One.", "af_bella", "v1.0", "af_bella", "v0.19", "af_bella", "C", None, "", 1.0,
                     True, 1, 1, 1.0, 1.0, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00")
    with pytest.raises(VoteStoreError, match="could not be saved") as refused:
        store.add(bad)
    assert not isinstance(refused.value, DuplicateVoteError) and store.votes() == []


def test_a_database_of_schema_5_migrates_to_quality_checks_and_keeps_its_votes_and_finished_ids(target):
    """A votes database from before the quality checks (crowd links were the last step) opens in this app."""
    dialect = target_dialect(target)
    execute(target, [statement for number in range(5) for statement in migration(dialect, number)])
    set_version(target, 5)
    vote = VoteRecord("old", 1, "s1", "One.", "af_bella", "v1.0", "af_bella", None, None, None, None, "", 1.0, True,
                      1, 0, 1.0, 0.0, "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:05.000+00:00", "mos",
                      rendering=RENDERING, score=4, participant="p-1", platform="link")
    old = open_store(target)
    old._ready = True  # as an app of schema 5 would: no migration
    old.add(vote, finishes=True)
    store = open_store(target)
    assert store.votes() == [vote] and store.has_finished("p-1") and store.checks() == []
    assert version(target) == SCHEMA_VERSION == 6


def test_a_sessions_quality_checks_round_trip_and_each_is_taken_once(target):
    store = open_store(target)
    failed = CheckRecord("s-1", HEADPHONES, False, "2 3 1", "1 1 1", "2026-01-01T00:00:01.000+00:00", "p-9")
    passed = CheckRecord("s-1", ATTENTION, True, "B", "B", "2026-01-01T00:00:09.000+00:00")
    store.mark(failed)
    store.mark(passed)
    assert open_store(target).checks() == [failed, passed]
    with pytest.raises(DuplicateVoteError, match="attention check is already recorded"):
        store.mark(CheckRecord("s-1", ATTENTION, False, "B", "A", "2026-01-01T00:00:10.000+00:00"))
    with pytest.raises(VoteStoreError, match="could not be saved") as refused:  # the schema's own rule
        store.mark(CheckRecord("s-2", "eyesight", True, "", "", "2026-01-01T00:00:11.000+00:00"))
    assert not isinstance(refused.value, DuplicateVoteError) and store.checks() == [failed, passed]
