"""A backup of the votes in a Hugging Face dataset repository (``KOKORO_UI_VOTES_DATASET``, ``HF_TOKEN``).

`VoteExporter` writes the votes that no earlier export in its folder holds into a new CSV file,
``votes-<UTC time>-<random>.csv`` (the same columns as the Results tab's CSV; a vote's
``quality_check`` is its session's as it stood at that export: a vote exported before its session's
attention trial was answered does not show that answer); files are never
rewritten or removed, so the dataset's history only grows. Concatenating the files gives every
vote; if the folder itself was lost (a restart without persistent storage), the next export
starts from the first vote again, so readers drop duplicates on (session_id, trial), the key
the database enforces. `VotesBackup` is `huggingface_hub.CommitScheduler` with one change: it
exports just before each scheduled upload. The repository is created private: comments are
free text from participants. Nothing here decides what is stored; that is the store's job.
"""

import csv
import logging
import re
import secrets
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from huggingface_hub import CommitScheduler

from kokoro_ui.abtest.records import quality_words, write_votes_csv
from kokoro_ui.abtest.store import VoteStore, VoteStoreError
from kokoro_ui.errors import KokoroUIError

log = logging.getLogger(__name__)

FILE_PATTERN = "votes-*.csv"
DATASET_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


class VoteExporter:
    """New votes into new files in one folder; safe to call from several threads."""

    def __init__(self, store: VoteStore, folder: Path):
        self.store, self.folder = store, Path(folder)
        self._exported: Optional[set[tuple[str, int]]] = None  # read from the folder on first use
        self._lock = threading.Lock()

    def export(self) -> Optional[Path]:
        """Write the votes not exported yet; returns the new file, or None if there was nothing new."""
        with self._lock:
            exported = self._exported_keys()
            new = [vote for vote in self.store.votes() if (vote.session_id, vote.trial) not in exported]
            if not new:
                return None
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
            final = self.folder / f"votes-{stamp}-{secrets.token_hex(3)}.csv"
            partial = final.with_name(f".{final.name}.partial")  # not matched by FILE_PATTERN: never uploaded
            write_votes_csv(new, partial, quality=quality_words(self.store.checks()))
            partial.replace(final)
            exported.update((vote.session_id, vote.trial) for vote in new)
            return final

    def _exported_keys(self) -> set[tuple[str, int]]:
        if self._exported is None:
            self._exported = set()
            for path in sorted(self.folder.glob(FILE_PATTERN)):
                with open(path, newline="", encoding="utf-8") as rows:
                    self._exported.update((row["session_id"], int(row["trial"])) for row in csv.DictReader(rows))
        return self._exported


class VotesBackup(CommitScheduler):
    """Every `every_min` minutes: export new votes into the folder, then upload the folder's new files."""

    def __init__(self, exporter: VoteExporter, repo_id: str, every_min: float, token: str):
        self.exporter = exporter
        super().__init__(repo_id=repo_id, repo_type="dataset", folder_path=exporter.folder, every=every_min,
                         token=token, private=True, allow_patterns=[FILE_PATTERN])

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
