"""The measures' models (speech recogniser, MOS predictor, speaker encoder): each loaded once, at its first use.

Nothing loads at import or at the app's start: the first measurement pays for the load, and
every later one (from any thread) shares the same instance. Their memory is reported by
`python -m kokoro_ui.bench` (see README).
Boundary: when and how often to load; what to load is each measure's module's.
"""

import threading
from typing import Callable, Generic, Optional, TypeVar

from kokoro_ui.errors import KokoroUIError

T = TypeVar("T")


class MeasureUnavailableError(KokoroUIError):
    """A measure's model is not installed (or not the pinned one): the message says what to install."""


class LazyModel(Generic[T]):
    """`get()` loads with `load` the first time (one thread loads, the others wait), then returns the same one."""

    def __init__(self, load: Callable[[], T]):
        self._load = load
        self._model: Optional[T] = None
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None
