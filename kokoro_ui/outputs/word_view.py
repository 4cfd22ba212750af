"""The word view's data: one row per written word, both releases' phonemes and times side by side.

Both releases time the words of the same written text (`engine.words`), so their words are paired
by where they stand in that text (character offsets), not by how they sound: a different
pronunciation can never shift the pairs after it. A word only one release says (its side failed,
was stopped, or cut the text differently) gets a row of its own with the other side empty. Times
are on each run's whole-audio clock (`captions.run_captions`), so a row points into the audio the
run already made and a word can be heard again without a new forward pass (`clip`).
Boundary: no HTML here (`ui.word_table`), no synthesis.
"""

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from kokoro_ui.outputs.captions import run_captions
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, Chunk
from kokoro_ui.phonetics.phoneme_diff import sounds_same

CONTEXT_S = 0.15  # heard on each side of a word's clip, so its onset and release are not cut off


@dataclass(frozen=True)
class SpokenWord:
    """One written word as one release said it, on the whole run's clock."""

    word: str
    text_start: int  # character offsets in the text both releases were given
    text_end: int
    phonemes: str
    start_s: float
    end_s: float

    @property
    def duration_ms(self) -> int:
        return round((self.end_s - self.start_s) * 1000)


@dataclass(frozen=True)
class WordRow:
    """A written word and what each release made of it (None: that release has no such word)."""

    word: str
    left: Optional[SpokenWord]
    right: Optional[SpokenWord]

    @property
    def same(self) -> bool:
        """Both said it, with the same sounds and stresses once misaki's shorthand is spelled out."""
        return self.left is not None and self.right is not None and sounds_same(self.left.phonemes,
                                                                                self.right.phonemes)


def spoken_words(chunks: Sequence[Chunk]) -> list[SpokenWord]:
    """Every timed word of a run's chunks, in order, on the whole audio's clock."""
    timings = [word for chunk in chunks for word in chunk.words]
    return [SpokenWord(timing.word, timing.text_start, timing.text_end, timing.phonemes, caption.start_s,
                       caption.end_s) for timing, caption in zip(timings, run_captions(chunks))]


def pair_words(left: Sequence[SpokenWord], right: Sequence[SpokenWord]) -> list[WordRow]:
    """One row per written word, in text order: words whose spans overlap share a row.

    Both sides come in text order; each word lands in exactly one row.
    """
    rows, i, j = [], 0, 0
    while i < len(left) or j < len(right):
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        if a is not None and b is not None and a.text_start < b.text_end and b.text_start < a.text_end:
            rows.append(WordRow(max(a.word, b.word, key=len), a, b))
            i, j = i + 1, j + 1
        elif b is None or (a is not None and a.text_start <= b.text_start):
            rows.append(WordRow(a.word, a, None))
            i += 1
        else:
            rows.append(WordRow(b.word, None, b))
            j += 1
    return rows


def clip(audio: np.ndarray, word: SpokenWord, context_s: float = CONTEXT_S) -> np.ndarray:
    """The part of a run's whole audio that says `word`, with `context_s` either side (within the audio)."""
    start = max(0, round((word.start_s - context_s) * SAMPLE_RATE_HZ))
    end = min(len(audio), round((word.end_s + context_s) * SAMPLE_RATE_HZ))
    return audio[start:max(start, end)]


@dataclass(frozen=True)
class RunWords:
    """A finished Compare's word rows and both sides' whole audio: all a row's play control needs."""

    rows: tuple[WordRow, ...]
    left_audio: np.ndarray  # float32, the left side's chunks one after the other
    right_audio: np.ndarray

    @classmethod
    def of(cls, left: Sequence[Chunk], right: Sequence[Chunk]) -> "RunWords":
        return cls(tuple(pair_words(spoken_words(left), spoken_words(right))), _whole_audio(left),
                   _whole_audio(right))

    def clips(self, row: int) -> tuple[Optional[np.ndarray], Optional[np.ndarray]]:
        """Row `row`'s word cut from each side's audio (None where that side has no such word)."""
        word = self.rows[row]
        return (None if word.left is None else clip(self.left_audio, word.left),
                None if word.right is None else clip(self.right_audio, word.right))


def _whole_audio(chunks: Sequence[Chunk]) -> np.ndarray:
    return np.concatenate([chunk.audio for chunk in chunks]) if chunks else np.zeros(0, dtype=np.float32)
