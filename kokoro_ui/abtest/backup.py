"""A backup of the votes in a Hugging Face dataset repository (``KOKORO_UI_VOTES_DATASET``, ``HF_TOKEN``).

`VoteExporter` writes the votes that no earlier export in its folder holds into a new CSV file,
``votes-<UTC time>-<random>.csv`` (the same columns as the Results tab's CSV; a vote's
``quality_check`` is its session's as it stood at that export), and the sessions' quality checks
that no earlier export holds into ``checks-<UTC time>-<random>.csv`` (the ``quality_checks``
table's columns): a check answered after its session's votes were exported (the attention trial
comes anywhere in a session) reaches the backup in a later file, so the backup holds every vote and
every verdict. Files are never rewritten or removed, so the dataset's history only grows.
Concatenating the files of one kind gives every row; if the folder itself was lost (a restart
without persistent storage), the next export starts from the first row again, so readers drop
duplicates on the keys the database enforces: (session_id, trial) for votes, (session_id, kind)
for checks. `VotesBackup` is `huggingface_hub.CommitScheduler` with one change: it exports just
before each scheduled upload. The repository is created private: comments are free text from
participants. Nothing here decides what is stored; that is the store's job.
"""

import csv
import logging
import re
import secrets
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from huggingface_hub import CommitScheduler

from kokoro_ui.abtest.records import CheckRecord, VoteRecord, quality_words, write_checks_csv, write_votes_csv
from kokoro_ui.abtest.store import VoteStore, VoteStoreError
from kokoro_ui.errors import KokoroUIError

log = logging.getLogger(__name__)

FILE_PATTERNS = ["votes-*.csv", "checks-*.csv"]
DATASET_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


class VoteExporter:
    """New votes and quality checks into new files in one folder; safe to call from several threads."""

    def __init__(self, store: VoteStore, folder: Path):
        self.store, self.folder = store, Path(folder)
        self._exported: Optional[dict[str, set[tuple[str, str]]]] = None  # per kind; read from the folder at first
        self._lock = threading.Lock()

    def export(self) -> list[Path]:
        """Write the votes and the checks not exported yet, each kind into a new file; returns the new files
        (none when nothing is new)."""
        with self._lock:
            exported = self._exported_keys()
            checks = self.store.checks()
            votes = [vote for vote in self.store.votes() if _vote_key(vote) not in exported["votes"]]
            new_checks = [check for check in checks if _check_key(check) not in exported["checks"]]
            written = []
            if votes:
                written.append(self._write("votes", lambda path: write_votes_csv(votes, path,
                                                                                  quality=quality_words(checks))))
                exported["votes"].update(map(_vote_key, votes))
            if new_checks:
                written.append(self._write("checks", lambda path: write_checks_csv(new_checks, path)))
                exported["checks"].update(map(_check_key, new_checks))
            return written

    def _write(self, kind: str, write: Callable[[Path], Path]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        final = self.folder / f"{kind}-{stamp}-{secrets.token_hex(3)}.csv"
        partial = final.with_name(f".{final.name}.partial")  # matched by no pattern: never uploaded
        write(partial)
        partial.replace(final)
        return final

    def _exported_keys(self) -> dict[str, set[tuple[str, str]]]:
        if self._exported is None:
            self._exported = {"votes": set(), "checks": set()}
            for kind, key in (("votes", "trial"), ("checks", "kind")):
                for path in sorted(self.folder.glob(f"{kind}-*.csv")):
                    with open(path, newline="", encoding="utf-8") as rows:
                        self._exported[kind].update((row["session_id"], row[key]) for row in csv.DictReader(rows))
        return self._exported


def _vote_key(vote: VoteRecord) -> tuple[str, str]:
    return vote.session_id, str(vote.trial)


def _check_key(check: CheckRecord) -> tuple[str, str]:
    return check.session_id, check.kind


class VotesBackup(CommitScheduler):
    """Every `every_min` minutes: export new votes and checks into the folder, then upload the folder's new files."""

    def __init__(self, exporter: VoteExporter, repo_id: str, every_min: float, token: str):
        self.exporter = exporter
        super().__init__(repo_id=repo_id, repo_type="dataset", folder_path=exporter.folder, every=every_min,
                         token=token, private=True, allow_patterns=FILE_PATTERNS)

    def push_to_hub(self):
        try:
            self.exporter.export()
        except VoteStoreError as error:  # the database is down: upload what is there, export next time
            log.error("votes backup: could not read the votes to export them: %s", error)
        return super().push_to_hub()


def start_backup(store: VoteStore, dataset: str, folder: Path, every_min: float, token: Optional[str]) -> VotesBackup:
    """The scheduled backup to `dataset`; refuses a malformed name or a missing token before any upload."""
    if not DATASET_NAME.fullmatch(dataset):
        raise KokoroUIError(f"KOKORO_UI_VOTES_DATASET must be '<owner>/<name>', not {dataset[:80]!r}.")
    if not token:
        raise KokoroUIError("KOKORO_UI_VOTES_DATASET is set, but HF_TOKEN is not: the backup needs a token "
                            "that may write to the dataset.")
    if every_min <= 0:
        raise KokoroUIError(f"KOKORO_UI_VOTES_BACKUP_EVERY_MIN must be above 0, not {every_min}.")
    try:
        backup = VotesBackup(VoteExporter(store, folder), dataset, every_min, token)
    except Exception as error:  # the hub's errors (network, auth, permissions) all mean "no backup"
        raise KokoroUIError(f"The votes backup to the dataset {dataset} could not start: {error}") from error
    log.info("votes backup: every %g min from %s to the dataset %s", every_min, folder, dataset)
    return backup
