"""One writer at a time for a cache folder of weights, across processes.

Each cache folder is written into a staging folder and renamed into place when complete. Two
processes starting on an empty cache at once (replicas of the app on one machine, test workers)
would otherwise stage into the same folder and delete each other's half-written work; the second
now waits for the first and then finds the folder complete.
"""

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def one_writer(folder: Path) -> Iterator[None]:
    """Hold `folder`'s lock (a file beside it) for as long as the block runs; released on exit or crash."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
