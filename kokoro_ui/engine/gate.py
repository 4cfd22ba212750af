"""Who runs the next forward pass: a visitor's first, background work only when no visitor is waiting.

Each release runs one pass at a time (two passes through one model on two cores only slow each
other down and double the peak memory), so passes wait at the release's `ForwardGate`. Visitors'
passes go in the order they arrived. A background pass (the gallery's samples, rendered ahead of
time) is a guest: it starts only when its gate is free and no visitor pass is running or waiting
at *any* gate of its `GateGroup`, since the releases share the cores; a visitor who arrives later
overtakes every background pass still waiting. A background pass that has started is not
interrupted: a visitor waits at most for that one pass, which is why background work should be
cut into short passes, and why its runner asks the gate again before each one.

Whether a pass is background is the caller's context (`in_background`), not an argument threaded
through every layer: the renderer marks its thread's work, and everything else is a visitor's.

Boundary: ordering only. It neither counts nor refuses requests (`kokoro_ui.services.admission` does), and
knows nothing of models.
"""

import contextlib
import contextvars
import threading
from collections import deque
from typing import Iterator

_BACKGROUND = contextvars.ContextVar("kokoro_ui_background_pass", default=False)


@contextlib.contextmanager
def in_background() -> Iterator[None]:
    """Forward passes made inside this block (in this thread or context) are background passes."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


def is_background() -> bool:
    return _BACKGROUND.get()


class GateGroup:
    """Gates whose releases share the machine: a background pass waits for visitors at any of them."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.visitors = 0  # visitor passes running or waiting, at all gates of the group

    def visitors_present(self) -> bool:
        with self.condition:
            return self.visitors > 0


PROCESS_GATES = GateGroup()  # one machine, one group: the default for every release


class ForwardGate:
    """One pass at a time through one release; visitors first (see the module's docstring)."""

    def __init__(self, group: GateGroup = PROCESS_GATES):
        self.group = group
        self._busy = False
        self._queue: deque[object] = deque()  # visitors waiting, in arrival order
        self._guests = 0  # background passes waiting

    def waiting(self) -> tuple[int, int]:
        """(visitor passes, background passes) waiting at this gate now."""
        with self.group.condition:
            return len(self._queue), self._guests

    @contextlib.contextmanager
    def passing(self) -> Iterator[None]:
        """Hold the gate for one forward pass, as a visitor or, under `in_background`, as a guest."""
        background = is_background()
        with self.group.condition:
            if background:
                self._guests += 1
                self.group.condition.wait_for(lambda: not self._busy and self.group.visitors == 0)
                self._guests -= 1
            else:
                ticket = object()
                self._queue.append(ticket)
                self.group.visitors += 1
                self.group.condition.wait_for(lambda: not self._busy and self._queue[0] is ticket)
                self._queue.popleft()
            self._busy = True
        try:
            yield
        finally:
            with self.group.condition:
                self._busy = False
                if not background:
                    self.group.visitors -= 1
                self.group.condition.notify_all()
