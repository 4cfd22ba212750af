"""The votes in one SQLite file: WAL, ``synchronous=FULL``, the schema version in ``user_version``.

WAL lets readers (the Results tab) run while a vote is written, and reads begin no transaction,
so they never wait for a writer nor make one wait. ``synchronous=FULL`` means a vote
acknowledged is a vote on disk. Writes begin with ``BEGIN IMMEDIATE``, taking the write lock at
the start, so two processes that open one file at once migrate it one after the other and design
counts are read and counted without another writer in between; a writer that finds the lock
held waits ``busy_timeout_s`` inside SQLite, and the store (`VoteStore._patiently`) tries again
after that until its patience is spent. Each thread keeps its own connection. One machine only:
for several app processes on several machines, use PostgreSQL (`store_postgres`).
"""

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Iterator

from kokoro_ui.abtest.store import WRITE_PATIENCE_S, VoteStore

_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_DUPLICATE_NAMES = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


class SqliteVoteStore(VoteStore):
    dialect = "sqlite"
    marker = "?"

    def __init__(self, path: Path, busy_timeout_s: float = 1.0, write_patience_s: float = WRITE_PATIENCE_S):
        super().__init__(str(path), write_patience_s)
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._open: set[sqlite3.Connection] = set()  # every thread's, so `close` reaches them all
        self._open_lock = threading.Lock()

    @property
    def _errors(self) -> tuple[type[Exception], ...]:
        return (sqlite3.Error,)

    def _is_duplicate(self, error: Exception) -> bool:  # a UNIQUE key or a PRIMARY KEY (quality_checks')
        return isinstance(error, sqlite3.IntegrityError) and error.sqlite_errorname in _DUPLICATE_NAMES

    def _is_busy(self, error: Exception) -> bool:
        return isinstance(error, sqlite3.OperationalError) and (error.sqlite_errorcode & 0xFF) in _BUSY_CODES

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        try:
            yield db
        except BaseException:
            self._drop(db)  # whatever state the failure left it in, the next operation starts afresh
            raise

    def close(self) -> None:
        with self._open_lock:
            connections, self._open = self._open, set()
        for db in connections:
            db.close()
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA synchronous = FULL")  # a vote acknowledged is a vote on disk
        except sqlite3.Error:
            db.close()
            raise
        with self._open_lock:
            self._open.add(db)
        return db

    def _drop(self, db: sqlite3.Connection) -> None:
        self._local.db = None
        with self._open_lock:
            self._open.discard(db)
        db.close()

    def _begin(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")  # the write lock now: two processes starting at once migrate in turn

    def _prepare(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode = WAL")

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        self._apply_migrations(db, version, lambda number: db.execute(f"PRAGMA user_version = {number}"))
