"""The votes in a PostgreSQL database, shared by any number of app processes (psycopg 3).

The same tables, migrations and UNIQUE key as SQLite (`schema`). The schema version lives in a
one-row table ``schema_version``; a transaction-scoped advisory lock makes processes that start
together migrate one after the other (PostgreSQL's DDL is transactional, so a migration that
fails leaves the old schema whole). Design counts are read ``FOR UPDATE``: a second process
balancing the same cell waits for the first to commit and then reads its counts; a deadlock or
serialisation failure is tried again like a busy SQLite file. Connections come from a pool
(`psycopg_pool`) that checks each one before lending it and drops the broken ones, and that
waits at most `CONNECT_TIMEOUT_S` for one: a database that is down refuses votes quickly, and
the next vote after it is back goes through.
"""

import contextlib
from typing import Any, Iterator

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from kokoro_ui.abtest.store import WRITE_PATIENCE_S, VoteStore

CONNECT_TIMEOUT_S = 5
MAX_CONNECTIONS = 8  # per app process; PostgreSQL's own default allows 100 in all
IDLE_CONNECTION_S = 60.0  # an unused connection is closed after this long
_RETRYABLE = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure, psycopg.errors.LockNotAvailable)
_MIGRATION_LOCK = 0x6B6F6B6F  # any constant of our own: 'koko'


class PostgresVoteStore(VoteStore):
    dialect = "postgresql"
    marker = "%s"
    lock_rows = " FOR UPDATE"

    def __init__(self, url: str, write_patience_s: float = WRITE_PATIENCE_S):
        super().__init__(redacted(url), write_patience_s)
        self.url = url
        self._pool = self._new_pool()

    @property
    def _errors(self) -> tuple[type[Exception], ...]:
        return (psycopg.Error,)

    def _is_duplicate(self, error: Exception) -> bool:
        return isinstance(error, psycopg.errors.UniqueViolation)

    def _is_busy(self, error: Exception) -> bool:
        return isinstance(error, _RETRYABLE)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as db:  # a broken connection goes back as broken and is discarded
                yield db
        except PoolTimeout:
            # A pool that waited out an outage backs its reconnects off for longer and longer: the
            # next try starts with a fresh pool, which connects at once when the database is back.
            self.close()
            raise

    def close(self) -> None:
        closing, self._pool = self._pool, self._new_pool()
        closing.close()

    def _new_pool(self) -> ConnectionPool:
        return ConnectionPool(self.url, min_size=0, max_size=MAX_CONNECTIONS, open=True, num_workers=1,
                              kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                              check=ConnectionPool.check_connection, timeout=CONNECT_TIMEOUT_S,
                              max_idle=IDLE_CONNECTION_S, name=f"votes {self.location}")

    def _begin(self, db: psycopg.Connection) -> None:
        db.execute("BEGIN")

    def _migrate(self, db: psycopg.Connection) -> None:
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = db.execute("SELECT version FROM schema_version").fetchone()
        if row is None:
            db.execute("INSERT INTO schema_version (version) VALUES (0)")
        self._apply_migrations(db, row[0] if row else 0, lambda number: _set_version(db, number))


def _set_version(db: Any, number: int) -> None:
    db.execute("UPDATE schema_version SET version = %s", (number,))


def redacted(url: str) -> str:
    """The URL as ``postgresql://host:port/dbname``: no user, no password, no options."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(an unreadable URL)"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{host}{port}/{parts.get('dbname', '')}"
