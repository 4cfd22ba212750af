"""Votes of the listening test, in one SQLite file or one PostgreSQL database (``KOKORO_UI_VOTES_DB``).

The store writes each vote in its own short transaction and knows nothing about sessions or
blindness (that is `sessions.py`). A UNIQUE (session, trial) key makes a second vote for a trial
impossible even if two requests, or two app processes sharing one PostgreSQL database, race.
Reads take no lock and begin no transaction. A write that finds the database busy (another
writer holds it) is tried again with growing, jittered pauses for at most `write_patience_s`;
only then, or on any other failure, does it become a `VoteStoreError` with a message for the
voter. The transaction guarantees that a failed vote leaves earlier votes untouched; a
connection that failed is dropped, so votes resume by themselves once the database is back.

It also keeps each session's quality checks (`mark`, `checks`: one verdict per session and check,
beside the votes, never among them) and the study design's shared counts (`balance`): how often each cell was shown
in each arrangement, read and counted in one transaction, so every process sharing the database
balances against the same numbers. The rule that picks an arrangement is `design.py`'s.

This module holds what both databases share (errors, the SQL, the retries; the records are
`records`');
`store_sqlite` and `store_postgres` hold what they do differently (where a connection comes
from: the thread's own, or a pool), `schema` the migrations they both follow, and
`persistence.open_store` which of them a setting names.
"""

import contextlib
import dataclasses
import logging
import random
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Callable, ContextManager, Mapping, Optional, Sequence

from kokoro_ui.abtest.records import (CHECK_COLUMNS, COLUMNS, Cell, CheckRecord, Counts, Pick, VoteRecord,
                                      check_from_row, from_row, quality_words, write_votes_csv)
from kokoro_ui.abtest.schema import SCHEMA_VERSION, migration
from kokoro_ui.errors import KokoroUIError

log = logging.getLogger(__name__)

WRITE_PATIENCE_S = 30.0  # how long a write keeps trying on a busy database before it refuses
FIRST_PAUSE_S, LONGEST_PAUSE_S = 0.01, 0.5


class VoteStoreError(KokoroUIError):
    """The votes database cannot be read or written; nothing was recorded."""


class DuplicateVoteError(VoteStoreError):
    """This trial of this session already has a vote."""


class VoteStore(ABC):
    """The SQL both databases run, and the retries; any thread may call any method."""

    dialect: str  # a key of `schema.SPELLINGS`
    marker: str  # the driver's parameter placeholder
    lock_rows: str = ""  # what a SELECT adds to lock the rows it reads until the transaction ends

    def __init__(self, location: str, write_patience_s: float = WRITE_PATIENCE_S):
        self.location = location  # for messages and /health: a path, or a URL without credentials
        self.write_patience_s = write_patience_s
        self._ready = False
        self._schema_lock = threading.Lock()

    @abstractmethod
    def _connection(self) -> ContextManager[Any]:
        """A DB-API connection in autocommit mode (transactions are begun explicitly) for one operation:
        reused, not opened anew each time; a connection the operation failed on is not used again."""

    @abstractmethod
    def _begin(self, db: Any) -> None:
        """Begin a transaction that will write."""

    @abstractmethod
    def _migrate(self, db: Any) -> None:
        """Inside a write transaction: make sure no other process migrates at once, read the schema
        version and call `_apply_migrations`."""

    @property
    @abstractmethod
    def _errors(self) -> tuple[type[Exception], ...]:
        """The driver's exceptions that mean "the database could not do it"."""

    @abstractmethod
    def _is_duplicate(self, error: Exception) -> bool:
        """Whether the driver's `error` is a broken UNIQUE key (and not, say, a failed CHECK)."""

    @abstractmethod
    def _is_busy(self, error: Exception) -> bool:
        """Whether the driver's `error` means "another transaction is in the way: try again soon"."""

    def close(self) -> None:
        """Close every connection this store holds (the next operation opens new ones)."""

    def add(self, vote: VoteRecord, finishes: bool = False) -> None:
        """Store one vote in one transaction, or raise without storing anything. A vote that `finishes`
        its session also records, in the same transaction, that its participant (if any) has finished."""
        placeholders = ", ".join(self.marker for _ in COLUMNS)
        values = [int(value) if isinstance(value, bool) else value for value in dataclasses.astuple(vote)]

        def insert(db: Any) -> None:
            db.execute(f"INSERT INTO votes ({', '.join(COLUMNS)}) VALUES ({placeholders})", values)
            if finishes and vote.participant:
                db.execute(f"INSERT INTO finished (participant, session_id, finished_at) VALUES ({self.marker}, "
                           f"{self.marker}, {self.marker}) ON CONFLICT DO NOTHING",
                           (vote.participant, vote.session_id, vote.voted_at))

        try:
            self._transaction(insert)
        except (OSError, *self._errors) as error:
            if self._is_duplicate(error):
                raise DuplicateVoteError(f"Trial {vote.trial} already has a vote; each trial takes one.") from None
            raise self._failure("saved", error) from None

    def votes(self, session_id: Optional[str] = None) -> list[VoteRecord]:
        """Stored votes in the order they were cast; only one session's if `session_id` is given."""
        query = f"SELECT {', '.join(COLUMNS)} FROM votes"
        query += f" WHERE session_id = {self.marker} ORDER BY trial" if session_id is not None else " ORDER BY id"
        rows = self._read(lambda db: db.execute(query, () if session_id is None else (session_id,)).fetchall())
        return [from_row(row) for row in rows]

    def mark(self, check: CheckRecord) -> None:
        """Store a session's verdict on one quality check, or raise without storing anything; a session
        takes each check once (its key), whatever process asks."""
        values = [int(value) if isinstance(value, bool) else value for value in dataclasses.astuple(check)]
        statement = (f"INSERT INTO quality_checks ({', '.join(CHECK_COLUMNS)}) "
                     f"VALUES ({', '.join(self.marker for _ in CHECK_COLUMNS)})")
        try:
            self._transaction(lambda db: db.execute(statement, values))
        except (OSError, *self._errors) as error:
            if self._is_duplicate(error):
                raise DuplicateVoteError(f"This session's {check.kind} check is already recorded.") from None
            raise self._failure("saved", error) from None

    def checks(self) -> list[CheckRecord]:
        """Every session's quality checks, in the order they were taken."""
        query = f"SELECT {', '.join(CHECK_COLUMNS)} FROM quality_checks ORDER BY checked_at, session_id, kind"
        return [check_from_row(row) for row in self._read(lambda db: db.execute(query).fetchall())]

    def has_finished(self, participant: str) -> bool:
        """Whether a session of `participant` (a crowd id) was finished, in any process."""
        return bool(self._read(lambda db: db.execute(
            f"SELECT COUNT(*) FROM finished WHERE participant = {self.marker}", (participant,)).fetchone()[0]))

    def ratings_by_cell(self, mode: str) -> dict[tuple[str, str], int]:
        """How many `mode` ratings each (sentence id, pair id) cell has, across every process."""
        rows = self._read(lambda db: db.execute(
            f"SELECT sentence_id, pair, COUNT(*) FROM votes WHERE mode = {self.marker} GROUP BY sentence_id, pair",
            (mode,)).fetchall())
        return {(sentence_id, pair): count for sentence_id, pair, count in rows}

    def count(self) -> int:
        """How many votes are stored."""
        return self._read(lambda db: db.execute("SELECT COUNT(*) FROM votes").fetchone()[0])

    def balance(self, cell: Cell, factors: Mapping[str, Sequence[str]], pick: Pick) -> dict[str, str]:
        """In one transaction: read how often each level of each factor was shown in `cell`, let `pick`
        choose a level per factor, and count the choices. Callers in other threads or processes wait
        for it and then see its counts, so no two of them balance against the same numbers."""
        where = " AND ".join(f"{name} = {self.marker}" for name in ("mode", "sentence_id", "pair"))
        key = (cell.mode, cell.sentence_id, cell.pair)

        def count(db: Any) -> dict[str, str]:
            for factor, levels in sorted(factors.items()):
                for level in sorted(levels):  # one order everywhere: no two writers wait for each other
                    db.execute("INSERT INTO design_counts (mode, sentence_id, pair, factor, level) VALUES "
                               f"({', '.join([self.marker] * 5)}) ON CONFLICT DO NOTHING", (*key, factor, level))
            counts: Counts = {factor: {} for factor in factors}
            for factor, level, shown in db.execute(
                    f"SELECT factor, level, shown FROM design_counts WHERE {where}{self.lock_rows}", key).fetchall():
                if factor in counts and level in factors[factor]:
                    counts[factor][level] = shown
            chosen = pick(counts)
            for factor, level in chosen.items():
                db.execute(f"UPDATE design_counts SET shown = shown + 1 WHERE {where} AND factor = {self.marker} "
                           f"AND level = {self.marker}", (*key, factor, level))
            return chosen

        try:
            return self._transaction(count)
        except (OSError, *self._errors) as error:
            raise self._failure("read", error) from None

    def write_csv(self, path: Path) -> Path:
        """Every stored vote, one row each, with a header and its session's quality checks: the raw data
        behind the Results tab, which anyone may download, so participant ids are left blank (the backup
        keeps them)."""
        return write_votes_csv(self.votes(), path, participants=False, quality=quality_words(self.checks()))

    def _read(self, work: Callable[[Any], Any]) -> Any:
        """`work` on a connection, outside any transaction: it sees the last commit and locks nothing."""
        def read() -> Any:
            with self._connection() as db:
                return work(db)

        try:
            self._ensure_schema()
            return self._patiently(read)
        except (OSError, *self._errors) as error:
            raise self._failure("read", error) from None

    def _transaction(self, work: Callable[[Any], Any]) -> Any:
        """`work` in one write transaction, tried again while the database is busy (raises the driver's error)."""
        def write() -> Any:
            with self._connection() as db:
                return self._within(db, work)

        self._ensure_schema()
        return self._patiently(write)

    def _patiently(self, attempt: Callable[[], Any]) -> Any:
        """`attempt()`, again after a pause each time the database is busy, until `write_patience_s` is spent."""
        deadline, pause = time.monotonic() + self.write_patience_s, FIRST_PAUSE_S
        while True:
            try:
                return attempt()
            except self._errors as error:
                if not self._is_busy(error) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause * random.uniform(0.5, 1.5))  # jitter: waiting writers do not all come back at once
            pause = min(pause * 2, LONGEST_PAUSE_S)

    def _within(self, db: Any, work: Callable[[Any], Any]) -> Any:
        self._begin(db)
        try:
            result = work(db)
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(*self._errors):  # the original failure is what the caller needs
                db.execute("ROLLBACK")
            raise
        return result

    def _ensure_schema(self) -> None:
        """Make the schema current, once per store (tried again after a failure, so a database that was
        down at start is used once it is up)."""
        if self._ready:
            return
        with self._schema_lock:
            if not self._ready:
                def migrate() -> None:
                    with self._connection() as db:
                        self._prepare(db)
                        self._within(db, self._migrate)

                self._patiently(migrate)
                self._ready = True

    def _prepare(self, db: Any) -> None:
        """Whatever the dialect sets once, outside a transaction, before migrating."""

    def _apply_migrations(self, db: Any, version: int, set_version: Callable[[int], None]) -> None:
        """Run the migrations after `version` in the caller's transaction: all of them, or none."""
        if version > SCHEMA_VERSION:
            raise VoteStoreError(f"The votes database {self.location} was made by a newer version of this app "
                                 f"(schema {version}; this app knows up to {SCHEMA_VERSION}).")
        for number in range(version, SCHEMA_VERSION):
            for statement in migration(self.dialect, number):
                db.execute(statement)
            set_version(number + 1)

    def _failure(self, action: str, error: Exception) -> VoteStoreError:
        log.error("votes database %s could not be %s: %s", self.location, action, error)
        what = "Your vote could not be saved" if action == "saved" else f"The votes database could not be {action}"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return VoteStoreError(f"{what}: the votes database cannot be used right now ({reason}). "
                              "Nothing stored was changed; please tell the person running this test.")
