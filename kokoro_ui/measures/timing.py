"""Pace and pauses of one rendering, from its word timings and its energy.

The speaking time runs from the first word's start to the last word's end (the silence before
and after the speech does not count). A pause is a stretch of at least `MIN_PAUSE_S` whose 10 ms
frames all lie `SILENCE_BELOW_PEAK_DB` under the loudest frame, inside that speaking time: the
energy finds the silence, the word timings say which silence is between words.
Boundary: no pitch, no loudness model.
"""

from typing import Optional, Sequence

import numpy as np

from kokoro_ui.measures.results import Pauses
from kokoro_ui.measures.signal import FRAME_S, frame_levels_db
from kokoro_ui.outputs.word_view import SpokenWord

MIN_PAUSE_S = 0.15  # shorter silences are stop closures and word seams, not pauses
SILENCE_BELOW_PEAK_DB = 35.0
_NOT_PHONES = set("ˈˌːˑ ")  # stress and length marks, spaces


def speaking_span_s(words: Sequence[SpokenWord]) -> Optional[tuple[float, float]]:
    """From the first said word's start to the last one's end (None if no word was said)."""
    said = [word for word in words if word.end_s > word.start_s]
    return (said[0].start_s, said[-1].end_s) if said else None


def words_per_minute(words: Sequence[SpokenWord]) -> Optional[float]:
    """Written words said, per minute of speaking time."""
    span = speaking_span_s(words)
    if span is None or span[1] <= span[0]:
        return None
    said = sum(1 for word in words if word.end_s > word.start_s)
    return 60.0 * said / (span[1] - span[0])


def phones_per_s(words: Sequence[SpokenWord]) -> Optional[float]:
    """Phoneme symbols said (stress and length marks not counted), per second of speaking time."""
    span = speaking_span_s(words)
    if span is None or span[1] <= span[0]:
        return None
    phones = sum(1 for word in words for symbol in word.phonemes if symbol.isalpha() and symbol not in _NOT_PHONES)
    return phones / (span[1] - span[0])


def pauses(samples: np.ndarray, sample_rate_hz: int, words: Sequence[SpokenWord]) -> Pauses:
    """The silences of at least `MIN_PAUSE_S` between the first and the last word."""
    span = speaking_span_s(words)
    levels = frame_levels_db(samples, sample_rate_hz)
    if span is None or levels.size == 0:
        return Pauses(0, 0.0, 0.0)
    silent = levels < levels.max() - SILENCE_BELOW_PEAK_DB
    first, last = int(span[0] / FRAME_S), min(levels.size, int(np.ceil(span[1] / FRAME_S)))
    lengths_s = [frames * FRAME_S for frames in _runs(silent[first:last]) if frames * FRAME_S >= MIN_PAUSE_S]
    return Pauses(len(lengths_s), float(sum(lengths_s)), float(max(lengths_s, default=0.0)))


def _runs(mask: np.ndarray) -> list[int]:
    """The lengths of the runs of True in `mask`."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [int(end - start) for start, end in zip(edges[::2], edges[1::2])]
