"""What the measures hand over: small frozen dataclasses, one per measure, and one per rendering.

`None` stands for "not measurable here" (no voiced frame in a word, audio too short for a
loudness gate), never for zero. Times are seconds on the rendering's own clock.
"""

from dataclasses import dataclass, field
from math import log2
from typing import Optional

import numpy as np


@dataclass(frozen=True, eq=False)
class F0Contour:
    times_s: np.ndarray  # the centre of each frame
    f0_hz: np.ndarray  # NaN where unvoiced

    def within(self, start_s: float, end_s: float) -> np.ndarray:
        """The voiced values between two times, in order."""
        values = self.f0_hz[(self.times_s >= start_s) & (self.times_s < end_s)]
        return values[~np.isnan(values)]


@dataclass(frozen=True)
class Pauses:
    """Silences between the first and the last word, at least `timing.MIN_PAUSE_S` long."""

    count: int
    total_s: float
    longest_s: float


@dataclass(frozen=True)
class SentenceContour:
    """A sentence's final contour: how far the pitch moves over its last word (+ rises, − falls)."""

    last_word: str
    ends_with: str  # the sentence's closing mark ("?", "!", "." or "" where none)
    semitones: Optional[float]


@dataclass(frozen=True)
class Pitch:
    """F0 over the voiced frames of the whole rendering."""

    median_hz: Optional[float]
    p5_hz: Optional[float]
    p95_hz: Optional[float]
    sentences: tuple[SentenceContour, ...]

    @property
    def range_semitones(self) -> Optional[float]:
        """The 5th–95th percentile range, in semitones."""
        if self.p5_hz is None or self.p95_hz is None:
            return None
        return 12 * log2(self.p95_hz / self.p5_hz)

    @property
    def final_contour_semitones(self) -> Optional[float]:
        """The last sentence's final contour."""
        return self.sentences[-1].semitones if self.sentences else None


@dataclass(frozen=True)
class WordMeasures:
    """One written word as spoken in this rendering."""

    word: str
    text_start: int  # character offsets in the text (what pairs the word with the other rendering's)
    text_end: int
    start_s: float
    end_s: float
    f0_hz: Optional[float]  # median over its voiced frames
    energy_db: Optional[float]  # RMS level over its span, dB full scale

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Intelligibility:
    """What a speech recogniser heard, scored against the text."""

    transcript: str
    wer: float  # word error rate: (substitutions + deletions + insertions) / words in the text
    cer: float  # the same over characters
    recogniser: str  # which model heard it (a fallback says so)


@dataclass(frozen=True)
class Quality:
    mos: float  # predicted mean opinion score, 1–5
    model: str


@dataclass(frozen=True)
class RenderingMeasures:
    """Every measure of one rendering of one text. `noise` is set when the audio came from synthetic
    weights: then each number describes noise, not speech."""

    duration_s: float
    words_per_minute: Optional[float]
    phones_per_s: Optional[float]
    pauses: Pauses
    pitch: Pitch
    loudness_lufs: Optional[float]
    intelligibility: Intelligibility
    quality: Quality
    words: tuple[WordMeasures, ...]
    contour: F0Contour = field(repr=False, compare=False)  # what the pitch measures were taken from (for figures)
    noise: bool = False

    def scalars(self) -> dict[str, Optional[float]]:
        """The numbers one row of a table holds, by name (units in the names)."""
        return {"duration_s": self.duration_s, "words_per_minute": self.words_per_minute,
                "phones_per_s": self.phones_per_s, "pause_count": float(self.pauses.count),
                "pause_total_s": self.pauses.total_s, "pause_longest_s": self.pauses.longest_s,
                "f0_median_hz": self.pitch.median_hz, "f0_p5_hz": self.pitch.p5_hz, "f0_p95_hz": self.pitch.p95_hz,
                "f0_range_semitones": self.pitch.range_semitones,
                "final_contour_semitones": self.pitch.final_contour_semitones,
                "loudness_lufs": self.loudness_lufs, "wer": self.intelligibility.wer,
                "cer": self.intelligibility.cer, "mos": self.quality.mos}


@dataclass(frozen=True)
class PairedWord:
    """One written word as both renderings said it (the word view's pairing)."""

    word: str
    left: Optional[WordMeasures]
    right: Optional[WordMeasures]

    @property
    def duration_ratio(self) -> Optional[float]:
        """right ÷ left duration."""
        if self.left is None or self.right is None or self.left.duration_s <= 0:
            return None
        return self.right.duration_s / self.left.duration_s

    @property
    def f0_difference_semitones(self) -> Optional[float]:
        """right − left median F0, in semitones."""
        if self.left is None or self.right is None or not self.left.f0_hz or not self.right.f0_hz:
            return None
        return 12 * log2(self.right.f0_hz / self.left.f0_hz)


@dataclass(frozen=True)
class SpeakerSimilarity:
    """How alike the two renderings' voices are to a speaker encoder: the cosine of their embeddings (1: one voice)."""

    value: Optional[float]  # None: not measured, and `note` says why
    model: str
    note: str = ""


@dataclass(frozen=True)
class RenderingsDifference:
    """Two renderings of one text side by side: per measure right − left, per word, where they differ most,
    and how alike their voices are."""

    left: RenderingMeasures
    right: RenderingMeasures
    words: tuple[PairedWord, ...]
    most_different: tuple[str, ...]  # sentences in plain words, largest difference first
    speaker: SpeakerSimilarity

    @property
    def noise(self) -> bool:
        """Either side came from synthetic weights: then its numbers, and any comparison with it, describe noise."""
        return self.left.noise or self.right.noise

    def differences(self) -> dict[str, Optional[float]]:
        """right − left for every scalar measure (None where either side has none)."""
        left, right = self.left.scalars(), self.right.scalars()
        return {name: None if left[name] is None or right[name] is None else right[name] - left[name]
                for name in left}
