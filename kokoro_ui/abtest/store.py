"""Votes of the listening test, kept in one SQLite file (setting ``KOKORO_UI_VOTES_DB``).

The store writes each vote in its own short transaction and knows nothing about sessions or
blindness (that is `sessions.py`). WAL mode lets readers (the Results tab) run while a vote is
written; a UNIQUE (session, trial) key makes a second vote for a trial impossible even if two
requests race. Any failure to write becomes a `VoteStoreError` with a message for the voter;
SQLite's transaction guarantees that a failed vote leaves earlier votes untouched.
"""

import contextlib
import csv
import dataclasses
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from kokoro_ui.errors import KokoroUIError

log = logging.getLogger(__name__)

# Each entry migrates the schema from version i to i + 1 (``PRAGMA user_version``); append, never edit.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE votes (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,       -- random token; no personal data
            trial INTEGER NOT NULL,         -- 1-based within the session
            sentence_id TEXT NOT NULL,
            sentence TEXT NOT NULL,
            pair TEXT NOT NULL,             -- the voice pair's name, e.g. af_bella
            a_release TEXT NOT NULL,
            a_voice TEXT NOT NULL,
            b_release TEXT NOT NULL,
            b_voice TEXT NOT NULL,
            choice TEXT NOT NULL CHECK (choice IN ('A', 'B', 'none')),
            preferred_release TEXT,         -- NULL for no preference
            comment TEXT NOT NULL DEFAULT '',
            speed REAL NOT NULL,
            real_speech INTEGER NOT NULL,   -- 0: a clip came from synthetic (noise) weights
            a_plays INTEGER NOT NULL,
            b_plays INTEGER NOT NULL,
            a_listened_s REAL NOT NULL,
            b_listened_s REAL NOT NULL,
            shown_at TEXT NOT NULL,         -- ISO 8601 UTC
            voted_at TEXT NOT NULL,
            UNIQUE (session_id, trial)
        )""",
        "CREATE INDEX votes_by_session ON votes (session_id)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


class VoteStoreError(KokoroUIError):
    """The votes database cannot be read or written; nothing was recorded."""


class DuplicateVoteError(VoteStoreError):
    """This trial of this session already has a vote."""


@dataclass(frozen=True)
class VoteRecord:
    session_id: str
    trial: int
    sentence_id: str
    sentence: str
    pair: str
    a_release: str
    a_voice: str
    b_release: str
    b_voice: str
    choice: str  # 'A', 'B' or 'none'
    preferred_release: Optional[str]
    comment: str
    speed: float
    real_speech: bool
    a_plays: int
    b_plays: int
    a_listened_s: float
    b_listened_s: float
    shown_at: str
    voted_at: str


COLUMNS = [field.name for field in dataclasses.fields(VoteRecord)]


class VoteStore:
    """One SQLite file; a fresh connection per operation, so any thread may call any method."""

    def __init__(self, path: Path, busy_timeout_s: float = 5.0):
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._ready = False
        self._ready_lock = threading.Lock()

    def add(self, vote: VoteRecord) -> None:
        """Store one vote in one transaction, or raise without storing anything."""
        placeholders = ", ".join("?" for _ in COLUMNS)
        values = [int(value) if isinstance(value, bool) else value for value in dataclasses.astuple(vote)]
        try:
            with self._connection() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.execute(f"INSERT INTO votes ({', '.join(COLUMNS)}) VALUES ({placeholders})", values)
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.IntegrityError:
            raise DuplicateVoteError(f"Trial {vote.trial} already has a vote; each trial takes one.") from None
        except sqlite3.Error as error:
            raise self._failure("saved", error) from None

    def votes(self, session_id: Optional[str] = None) -> list[VoteRecord]:
        """Stored votes in the order they were cast; only one session's if `session_id` is given."""
        query = f"SELECT {', '.join(COLUMNS)} FROM votes"
        query += " WHERE session_id = ? ORDER BY trial" if session_id is not None else " ORDER BY id"
        try:
            with self._connection() as db:
                rows = db.execute(query, () if session_id is None else (session_id,)).fetchall()
        except sqlite3.Error as error:
            raise self._failure("read", error) from None
        return [_record(row) for row in rows]

    def write_csv(self, path: Path) -> Path:
        """Every stored vote, one row each, with a header: the raw data behind the Results tab."""
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(dataclasses.astuple(vote) for vote in self.votes())
        return path

    def _connection(self) -> contextlib.closing:
        self._ensure_schema()
        return contextlib.closing(self._connect())

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        db.execute("PRAGMA synchronous = FULL")  # a vote acknowledged is a vote on disk
        return db

    def _ensure_schema(self) -> None:
        """Create or migrate the schema once per process; a failure is retried on the next call."""
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.closing(self._connect()) as db:
                    db.execute("PRAGMA journal_mode = WAL")
                    self._migrate(db)
            except (OSError, sqlite3.Error) as error:
                raise self._failure("opened", error) from None
            self._ready = True

    def _migrate(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")  # two processes starting at once migrate one after the other
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise VoteStoreError(f"The votes database {self.path} was made by a newer version of this app "
                                     f"(schema {version}; this app knows up to {SCHEMA_VERSION}).")
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _failure(self, action: str, error: Exception) -> VoteStoreError:
        log.error("votes database %s could not be %s: %s", self.path, action, error)
        what = "Your vote could not be saved" if action == "saved" else f"The votes database could not be {action}"
        return VoteStoreError(f"{what}: the votes database cannot be used right now ({error}). "
                              "Nothing stored was changed; please tell the person running this test.")


def _record(row: tuple) -> VoteRecord:
    values = dict(zip(COLUMNS, row))
    return VoteRecord(**{**values, "real_speech": bool(values["real_speech"])})
