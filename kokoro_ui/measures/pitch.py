"""Pitch of one rendering: Praat's F0 contour (autocorrelation, through parselmouth) and what it says.

The contour has one value per 10 ms, NaN where Praat hears no voicing. From it: the median and
5th/95th percentiles over voiced frames, each word's median, and each sentence's final contour:
how many semitones the pitch moves over the sentence's last word (the median of the last third
of its voiced frames minus that of the first third; a question is expected to rise).
Boundary: no timing or loudness here; sentences are found in the text by their closing marks.
"""

from typing import Optional, Sequence

import numpy as np

from kokoro_ui.measures.results import F0Contour, Pitch, SentenceContour
from kokoro_ui.outputs.word_view import SpokenWord

TIME_STEP_S = 0.01
PITCH_FLOOR_HZ = 60.0  # low enough for the male voices
PITCH_CEILING_HZ = 600.0  # high enough for a female voice's question
MIN_VOICED_FRAMES = 3  # fewer in a word: no contour for it
SENTENCE_ENDS = "?!."


def f0_contour(samples: np.ndarray, sample_rate_hz: int) -> F0Contour:
    """Praat's autocorrelation pitch track of mono float `samples`, in two passes (Hirst's method): the
    first, over a wide range, finds the voice's quartiles; the second tracks again between 0.75 × the
    first quartile and 1.5 × the third, which keeps octave jumps (a creaky ending read as half the
    pitch) out of the contour."""
    import parselmouth  # imported on first use: start-up does not pay for it

    if samples.size < 3 * sample_rate_hz / PITCH_FLOOR_HZ:  # shorter than Praat's analysis window
        return F0Contour(np.zeros(0), np.zeros(0))
    sound = parselmouth.Sound(samples, sampling_frequency=sample_rate_hz)
    wide = _track(sound, PITCH_FLOOR_HZ, PITCH_CEILING_HZ)
    voiced = wide.f0_hz[~np.isnan(wide.f0_hz)]
    if voiced.size < MIN_VOICED_FRAMES:
        return wide
    q25, q75 = np.percentile(voiced, [25, 75])
    return _track(sound, max(PITCH_FLOOR_HZ, 0.75 * q25), min(PITCH_CEILING_HZ, max(1.5 * q75, 0.75 * q25 * 2)))


def _track(sound, floor_hz: float, ceiling_hz: float) -> F0Contour:
    track = sound.to_pitch_ac(time_step=TIME_STEP_S, pitch_floor=floor_hz, pitch_ceiling=ceiling_hz)
    f0 = track.selected_array["frequency"].astype(np.float64)
    f0[f0 <= 0] = np.nan
    return F0Contour(np.asarray(track.xs(), dtype=np.float64), f0)


def word_f0_hz(contour: F0Contour, word: SpokenWord) -> Optional[float]:
    """The median F0 over the word's voiced frames (None if it has none)."""
    values = contour.within(word.start_s, word.end_s)
    return float(np.median(values)) if values.size else None


def pitch_of(contour: F0Contour, text: str, words: Sequence[SpokenWord]) -> Pitch:
    voiced = contour.f0_hz[~np.isnan(contour.f0_hz)]
    if voiced.size == 0:
        return Pitch(None, None, None, sentence_contours(contour, text, words))
    p5, median, p95 = (float(value) for value in np.percentile(voiced, [5, 50, 95]))
    return Pitch(median, p5, p95, sentence_contours(contour, text, words))


def sentence_contours(contour: F0Contour, text: str, words: Sequence[SpokenWord]) -> tuple[SentenceContour, ...]:
    """Each sentence's final contour, in order: a sentence ends at a word followed by ?, ! or . (or the text's end)."""
    contours = []
    for index, word in enumerate(words):
        following = text[word.text_end:words[index + 1].text_start] if index + 1 < len(words) else text[word.text_end:]
        mark = next((ch for ch in following if ch in SENTENCE_ENDS), "")
        if mark or index == len(words) - 1:
            contours.append(SentenceContour(word.word, mark, final_contour_semitones(contour, word)))
    return tuple(contours)


def final_contour_semitones(contour: F0Contour, word: SpokenWord) -> Optional[float]:
    """How far the pitch moves over `word`: last third's median minus first third's, in semitones."""
    values = contour.within(word.start_s, word.end_s)
    if values.size < MIN_VOICED_FRAMES:
        return None
    third = max(1, values.size // 3)
    return float(12 * np.log2(np.median(values[-third:]) / np.median(values[:third])))
