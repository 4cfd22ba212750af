"""Bounded queues: a request that would wait too long is refused at once, never left to hang.

Each release runs one forward pass at a time (`Release.forward` holds a lock: PyTorch on two
cores gains nothing from two passes through one model at once, and would double the peak
memory), so requests for one release queue on that lock. At most `capacity` requests per
release may be in progress or waiting; the next gets `BusyError` with a retry hint, which the
API turns into 429 + Retry-After and the UI into a message.
"""

import threading

from kokoro_ui.errors import KokoroUIError


class BusyError(KokoroUIError):
    """Too many requests are already waiting for this release."""

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Ticket:
    """A place in a release's queue, given back exactly once."""

    def __init__(self, admission: "Admission", version: str):
        self._admission, self._version = admission, version
        self._returned = False

    def release(self) -> None:
        with self._admission.lock:
            if not self._returned:
                self._returned = True
                self._admission.in_progress[self._version] -= 1


class Admission:
    def __init__(self, capacity: int, retry_after_s: int):
        self.capacity = capacity
        self.retry_after_s = retry_after_s
        self.lock = threading.Lock()
        self.in_progress: dict[str, int] = {}
        self.refused: dict[str, int] = {}  # busy answers given so far, per release (telemetry reads them)

    def admit(self, version: str) -> Ticket:
        with self.lock:
            count = self.in_progress.get(version, 0)
            if count >= self.capacity:
                self.refused[version] = self.refused.get(version, 0) + 1
                raise BusyError(f"Kokoro {version} is busy ({count} requests ahead of yours); "
                                f"please retry in {self.retry_after_s} s.", self.retry_after_s)
            self.in_progress[version] = count + 1
        return Ticket(self, version)
