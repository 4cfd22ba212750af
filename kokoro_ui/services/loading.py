"""When releases load: both at start by default (`preload`), and any that a request needs (`wait_for`).

The app answers at once and loads in the background; a request that arrives during a load waits
for it. `ModelManager` does the loading, one release at a time, and says how far each has got;
this module decides what to load when, and lets a surface follow the loads it waits for, so it
can show their progress ("v1.0: loading weights…") instead of hanging silently.

``KOKORO_UI_PRELOAD``: ``all`` (the default), ``none`` (each release loads on first use; ``""``
says the same), or the releases to load at start, comma-separated (``v1.0``).

Boundary: no surface code; each surface words the statuses it is given in its own way.
"""

import threading
import time
from typing import Iterator, Optional

from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager, ModelStatus

ALL, NONE = "all", "none"


def preload_versions(manager: ModelManager) -> list[str]:
    """The releases `settings.preload` names, canonical, in the order given (`ALL`: every release)."""
    names = [name.strip() for name in manager.settings.preload.split(",") if name.strip()]
    if [name.lower() for name in names] == [ALL]:
        return manager.versions()
    if [name.lower() for name in names] in ([], [NONE]):
        return []
    try:
        return list(dict.fromkeys(manager.resolve_version(name) for name in names))
    except KokoroUIError as error:
        raise KokoroUIError(f"KOKORO_UI_PRELOAD={manager.settings.preload!r}: {error} Or say '{ALL}' or "
                            f"'{NONE}'.") from None


def preload(manager: ModelManager, after: Optional[threading.Event] = None) -> Optional[threading.Thread]:
    """Load the releases `settings.preload` names in the background, once `after` is set (`app.py` sets
    it when the app is serving, so the page is put together with the whole machine); the thread, or None.

    Hub downloads show huggingface_hub's progress bars on stderr; the manager logs a line as each
    release starts, is ready or has failed (a failure also shows in /health and in requests).
    """
    return manager.load_in_background(preload_versions(manager), after)


def wait_for(manager: ModelManager, versions: list[str], poll_s: float = 0.25) -> Iterator[list[ModelStatus]]:
    """The statuses of `versions` while any of them is loading, starting the load of any never tried.

    Yields at once, then whenever a status changes; ends when none is loading. One whose last load
    failed is not started here: the request itself tries it again, and says why if it fails.
    """
    manager.load_in_background(version for version in versions if manager.status_of(version).state == "not loaded")
    shown: Optional[list[ModelStatus]] = None
    while True:
        statuses = [manager.status_of(version) for version in versions]
        if not any(status.loading for status in statuses):
            return
        if statuses != shown:
            shown = statuses
            yield statuses
        time.sleep(poll_s)
