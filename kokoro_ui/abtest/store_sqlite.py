"""The votes in one SQLite file: WAL, ``synchronous=FULL``, the schema version in ``user_version``.

WAL lets readers (the Results tab) run while a vote is written; ``synchronous=FULL`` means a vote
acknowledged is a vote on disk; ``BEGIN IMMEDIATE`` takes the write lock at the start of each
transaction, so two processes that open one file at once migrate it one after the other and
design counts are read and counted without another writer in between. One machine only: for
several app processes on several machines, use PostgreSQL (`store_postgres`).
"""

import sqlite3
from pathlib import Path

from kokoro_ui.abtest.store import VoteStore


class SqliteVoteStore(VoteStore):
    dialect = "sqlite"
    marker = "?"

    def __init__(self, path: Path, busy_timeout_s: float = 5.0):
        super().__init__(str(path))
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s

    @property
    def _errors(self) -> tuple[type[Exception], ...]:
        return (sqlite3.Error,)

    def _is_duplicate(self, error: Exception) -> bool:
        return isinstance(error, sqlite3.IntegrityError) and error.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE"

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        db.execute("PRAGMA synchronous = FULL")  # a vote acknowledged is a vote on disk
        return db

    def _begin(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")  # the write lock now: two processes starting at once migrate in turn

    def _prepare(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode = WAL")

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        self._apply_migrations(db, version, lambda number: db.execute(f"PRAGMA user_version = {number}"))
