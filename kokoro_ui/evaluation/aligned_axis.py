"""One time axis for two renderings of one text, aligned word by word.

The words are paired as the word view pairs them (`word_view.pair_words`). On the shared axis each
paired word gets one span, as long as the longer of its two renderings, and so does each gap
before a word (the longer of the two silences); each rendering's clock is stretched piecewise
linearly onto it. So every written word occupies the same place for both renderings, and the eye
compares word with word; within a span, time runs at each rendering's own pace. A word only one
rendering said has its span there, and the other rendering's clock stands still across it.
Boundary: times in, times out; drawing is `figures`'.
"""

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from kokoro_ui.outputs.word_view import SpokenWord, pair_words


@dataclass(frozen=True)
class SharedSpan:
    word: str
    start: float  # on the shared axis (seconds of the longer rendering)
    end: float


@dataclass(frozen=True, eq=False)
class AlignedAxis:
    spans: tuple[SharedSpan, ...]  # one per paired word, in text order
    left_knots: tuple[tuple[float, float], ...]  # (the left rendering's time, shared time), increasing
    right_knots: tuple[tuple[float, float], ...]

    @property
    def length(self) -> float:
        ends = [self.left_knots[-1][1], self.right_knots[-1][1]]
        return max(ends)

    def left_to_shared(self, times_s: np.ndarray, ends: bool = False) -> np.ndarray:
        """The left rendering's times on the shared axis (`ends`: see `_warp`)."""
        return _warp(self.left_knots, times_s, ends)

    def right_to_shared(self, times_s: np.ndarray, ends: bool = False) -> np.ndarray:
        return _warp(self.right_knots, times_s, ends)


def align(left: Sequence[SpokenWord], right: Sequence[SpokenWord], left_s: float, right_s: float) -> AlignedAxis:
    """The shared axis of two renderings `left_s` and `right_s` seconds long, with their written words."""
    spans, left_knots, right_knots = [], [(0.0, 0.0)], [(0.0, 0.0)]
    shared, left_at, right_at = 0.0, 0.0, 0.0
    for row in pair_words(left, right):
        gap = max(_gap(row.left, left_at), _gap(row.right, right_at))
        length = max(_length(row.left), _length(row.right))
        start = shared + gap
        for word, knots in ((row.left, left_knots), (row.right, right_knots)):
            if word is not None:
                knots += [(max(word.start_s, knots[-1][0]), start), (max(word.end_s, knots[-1][0]), start + length)]
        left_at = left_knots[-1][0]
        right_at = right_knots[-1][0]
        spans.append(SharedSpan(row.word, start, start + length))
        shared = start + length
    end = shared + max(left_s - left_at, right_s - right_at, 0.0)
    left_knots.append((max(left_s, left_at), end))
    right_knots.append((max(right_s, right_at), end))
    return AlignedAxis(tuple(spans), tuple(left_knots), tuple(right_knots))


def _gap(word, at: float) -> float:
    return 0.0 if word is None else max(0.0, word.start_s - at)


def _length(word) -> float:
    return 0.0 if word is None else max(0.0, word.end_s - word.start_s)


def _warp(knots: Sequence[tuple[float, float]], times_s: np.ndarray, ends: bool) -> np.ndarray:
    """Piecewise-linear; where the clock stands still (one own time, a stretch of shared time), a time there is
    the stretch's end (the start of what follows), or with `ends` its start (the end of what came before)."""
    own, shared = (np.array(values, dtype=np.float64) for values in zip(*knots))
    times = np.asarray(times_s, dtype=np.float64)
    if ends:
        return np.interp(-times, -own[::-1], shared[::-1])
    return np.interp(times, own, shared)
