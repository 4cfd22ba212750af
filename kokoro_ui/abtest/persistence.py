"""Where the study keeps its files, and whether they will survive a restart.

On a Hugging Face Space the disk is wiped when the Space restarts or sleeps; paid persistent
storage is mounted at ``/data`` (setting ``KOKORO_UI_PERSISTENT_DIR``). When that folder exists
and is writable, the votes database, the clip bank and the backup folder default to it;
otherwise to the cache folder. Whether a votes store will survive is decided from where it is,
and said plainly (`VotesLocation.warning`) so the Results tab and ``/health`` can show it:
under the persistent folder, or a PostgreSQL server: kept. On a RAM disk, in the temporary
folder, or on a Space's own disk: lost on restart. Anywhere else on an ordinary machine: kept.
It also chooses the store for a location (`open_store`: SQLite for a path, PostgreSQL for a URL);
what a store does is `store`'s and its dialects'.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from kokoro_ui.abtest.store import VoteStore
from kokoro_ui.config.settings import Settings

RAM_FILE_SYSTEMS = ("tmpfs", "ramfs")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class VotesLocation:
    target: str  # what `open_store` takes: an SQLite path or a PostgreSQL URL (with its credentials)
    backend: str  # 'sqlite' or 'postgresql'
    shown: str  # where, for people: the path, or the URL without credentials
    persistent: bool
    warning: str  # "" when the votes will survive a restart

    @property
    def note(self) -> str:
        return self.warning or f"Votes are kept in {self.shown}, which survives restarts."


def open_store(target: str | Path) -> VoteStore:
    """The store `target` names: a ``postgresql://`` URL, or a path to an SQLite file."""
    if str(target).startswith(POSTGRES_SCHEMES):
        from kokoro_ui.abtest.store_postgres import PostgresVoteStore  # only PostgreSQL users need psycopg

        return PostgresVoteStore(str(target))
    from kokoro_ui.abtest.store_sqlite import SqliteVoteStore

    return SqliteVoteStore(Path(target))


def study_folder(settings: Settings) -> Path:
    """Where the study's own files go by default: ``<persistent>/kokoro_ui``, else the cache folder."""
    root = settings.persistent_root()
    return root / "kokoro_ui" if root else Path(settings.cache_dir).expanduser()


def clip_bank_folder(settings: Settings) -> Path:
    return Path(settings.clip_bank).expanduser() if settings.clip_bank else study_folder(settings) / "clip_bank"


def backup_folder(settings: Settings) -> Path:
    """The folder the dataset backup exports into and uploads from."""
    return study_folder(settings) / "votes_backup"


def votes_location(settings: Settings, env: Mapping[str, str] = os.environ) -> VotesLocation:
    target = str(settings.votes_db) if settings.votes_db else str(study_folder(settings) / "votes.sqlite3")
    if target.startswith(POSTGRES_SCHEMES):
        from kokoro_ui.abtest.store_postgres import redacted

        return VotesLocation(target, "postgresql", redacted(target), True, "")
    path = Path(target).expanduser().resolve()
    reason = _ephemeral_reason(path, settings, env)
    warning = (f"⚠️ **Votes will not survive a restart**: the votes database ({path}) is {reason}. "
               "Set KOKORO_UI_VOTES_DB to a PostgreSQL URL or a file on persistent storage (a Space's /data), "
               "or download the CSV before the app stops." if reason else "")
    return VotesLocation(str(path), "sqlite", str(path), not reason, warning)


def _ephemeral_reason(path: Path, settings: Settings, env: Mapping[str, str]) -> str:
    root = settings.persistent_root()
    if root and path.is_relative_to(root.resolve()):
        return ""
    file_system = _file_system(path)
    if file_system in RAM_FILE_SYSTEMS:
        return f"on a RAM disk ({file_system})"
    if path.is_relative_to(Path(tempfile.gettempdir()).resolve()):
        return "in the temporary folder"
    if env.get("SPACE_ID"):
        return "on this Space's own disk, which is wiped when the Space restarts or sleeps"
    return ""


def _file_system(path: Path) -> str:
    """The type of the file system `path` is on (its longest mount point in /proc/mounts), or ''."""
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    best, kind = -1, ""
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount = Path(fields[1].replace("\\040", " "))
        if path.is_relative_to(mount) and len(mount.parts) > best:
            best, kind = len(mount.parts), fields[2]
    return kind
