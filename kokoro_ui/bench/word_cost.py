"""What word timing costs, as a share of synthesis time (target: at most 1 %).

Word timing adds two steps to a run: each front end plans which of its phonemes say which written
word (`TokenLocator.plan` for v1.0, `WordMapper.plan` for v0.19, an extra espeak-ng call included
where it needs one), and `time_words` turns a forward pass's durations into times. Both are timed
where they run, by wrapping them for the length of one run: the benchmark's own stopwatch, the
code path otherwise unchanged. The share is their time over the same run's forward passes (`model_s`).
"""

import contextlib
import time
from typing import Iterator

from kokoro_ui.builds.v0_19.word_map import WordMapper
from kokoro_ui.builds.v1_0.word_plan import TokenLocator
from kokoro_ui.engine import release as release_module
from kokoro_ui.engine.release import Release


def word_timing_share(release: Release, text: str, voice: str) -> float:
    """Seconds spent planning and timing words ÷ seconds in forward passes, over one whole run of `text`."""
    spent: list[float] = []
    with _stopwatch(TokenLocator, "plan", spent), _stopwatch(WordMapper, "plan", spent), \
            _stopwatch(release_module, "time_words", spent):
        chunks = list(release.stream(text, voice))
    return round(sum(spent) / sum(chunk.model_s for chunk in chunks), 5)


@contextlib.contextmanager
def _stopwatch(owner: object, name: str, spent: list[float]) -> Iterator[None]:
    """`owner.name` adds each call's seconds to `spent` while the block runs."""
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)
