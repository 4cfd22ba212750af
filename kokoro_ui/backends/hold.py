"""Compiling processes held while a visitor's forward pass runs: stopped (SIGSTOP) when the first visitor
pass starts, continued (SIGCONT) when the last one ends.

The compiled backend's AOTInductor compile runs in a child process at the lowest CPU priority,
yet on two cores it still takes a share of them, and its C++ compiler's children with it. A
process of its own can be paused safely at any instruction, where pausing a thread of the server
deadlocked (README, Performance): so each compiler's whole process group is stopped for the
length of every visitor's pass and continued between passes.

Boundary: holding and continuing registered processes. Which passes are a visitor's is the
caller's business (`engine.release`); starting and reaping the compilers is their backend's.
"""

import contextlib
import os
import signal
import subprocess
import threading
from typing import Iterator


class CompilerHold:
    """The compiling processes of this server, held while any visitor pass runs (one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._passes = 0  # visitor passes running now
        self._processes: set[subprocess.Popen] = set()

    def add(self, process: subprocess.Popen) -> None:
        """Hold `process` (started with `start_new_session=True`, so its group is its own) from now on."""
        with self._lock:
            self._processes.add(process)
            if self._passes:
                _signal(process, signal.SIGSTOP)

    def discard(self, process: subprocess.Popen) -> None:
        """Stop holding `process` (it has ended, or is being ended): it is continued if it was stopped."""
        with self._lock:
            self._processes.discard(process)
            _signal(process, signal.SIGCONT)

    @contextlib.contextmanager
    def visitor_pass(self) -> Iterator[None]:
        """The compilers stay stopped for as long as this block, or another visitor's, runs."""
        with self._lock:
            self._passes += 1
            if self._passes == 1:
                for process in self._processes:
                    _signal(process, signal.SIGSTOP)
        try:
            yield
        finally:
            with self._lock:
                self._passes -= 1
                if self._passes == 0:
                    for process in self._processes:
                        _signal(process, signal.SIGCONT)


def _signal(process: subprocess.Popen, signum: int) -> None:
    """`signum` to `process`'s whole group (the compiler's own children too), if it still runs."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


COMPILERS = CompilerHold()  # one server, one set of compiling processes
