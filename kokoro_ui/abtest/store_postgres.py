"""The votes in a PostgreSQL database, shared by any number of app processes (psycopg 3).

The same tables, migrations and UNIQUE key as SQLite (`schema`). The schema version lives in a
one-row table ``schema_version``; a transaction-scoped advisory lock makes processes that start
together migrate one after the other (PostgreSQL's DDL is transactional, so a migration that
fails leaves the old schema whole). Design counts are read ``FOR UPDATE``: a second process
balancing the same cell waits for the first to commit and then reads its counts. A connection is
opened per operation with a short connect timeout, so a database that is down refuses votes
quickly, and the next vote after it is back goes through, without a pool to repair.
"""

from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from kokoro_ui.abtest.store import VoteStore

CONNECT_TIMEOUT_S = 5
_MIGRATION_LOCK = 0x6B6F6B6F  # any constant of our own: 'koko'


class PostgresVoteStore(VoteStore):
    dialect = "postgresql"
    marker = "%s"
    lock_rows = " FOR UPDATE"

    def __init__(self, url: str):
        super().__init__(redacted(url))
        self.url = url

    @property
    def _errors(self) -> tuple[type[Exception], ...]:
        return (psycopg.Error,)

    def _is_duplicate(self, error: Exception) -> bool:
        return isinstance(error, psycopg.errors.UniqueViolation)

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)

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
