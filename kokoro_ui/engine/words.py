"""Word timings: when, within a chunk's audio, each word the user wrote is spoken.

Both releases share this: the text is cut into *written words* (`written_words`), each front end
says which of its phoneme tokens ("units") say which written word (a `WordPlan`), and after the
forward pass `time_words` turns the network's own predicted durations into times with the
`kokoro` package's own rule, `KPipeline.join_timestamps` (so v1.0's times are the ones KPipeline
and Kokoro-FastAPI give, and v0.19's follow the same rule). Boundary: no G2P here, no audio;
how a release maps its phonemes back to written words is its front end's business.
"""

import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Sequence

import torch
from kokoro import KPipeline
from misaki.token import MToken

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, SAMPLES_PER_FRAME, WordTiming

FRAME_S = SAMPLES_PER_FRAME / SAMPLE_RATE_HZ  # 25 ms
SPOKEN_SYMBOLS = "$£€%&@#+="  # symbols both front ends read aloud as words ("&" -> "and")
_TITLES = {"dr", "mr", "mrs", "ms", "st", "jr", "sr", "vs", "etc", "prof", "mt"}
WORD_BREAKS = "—…"  # between two words without spaces, these part them ("away—really")
WORD_RUN = re.compile(rf"[^\s{WORD_BREAKS}]+")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # U.S.A, e.g


@dataclass(frozen=True)
class WrittenWord:
    word: str
    start: int  # character offsets in the text
    end: int


@dataclass(frozen=True)
class Unit:
    """A run of phoneme symbols the network sees as consecutive tokens, and the space after it."""

    phonemes: str
    whitespace: str = ""


@dataclass(frozen=True)
class PlannedWord:
    word: WrittenWord
    units: tuple[int, ...]  # indices into `WordPlan.units`, consecutive; () if the release says nothing for it


@dataclass(frozen=True)
class WordPlan:
    """A segment's units (spelling its phonemes exactly, in order) and which of them say which word."""

    units: tuple[Unit, ...]
    words: tuple[PlannedWord, ...]

    def shifted(self, offset: int) -> "WordPlan":
        """The same plan for a segment that starts `offset` characters into a longer text."""
        return replace(self, words=tuple(
            replace(planned, word=replace(planned.word, start=planned.word.start + offset,
                                          end=planned.word.end + offset)) for planned in self.words))


def is_word(run: str) -> bool:
    """Whether a run of non-space characters is something said: letters, digits or a spoken symbol."""
    return any(ch.isalnum() or ch in SPOKEN_SYMBOLS for ch in run)


def written_words(text: str) -> list[WrittenWord]:
    """The words of `text` as written: runs of non-space characters with something to say, without
    the quotes, brackets and punctuation around them ("Dr." and "U.S.A." keep their dots)."""
    words = []
    for match in WORD_RUN.finditer(text):
        if not is_word(match.group()):
            continue
        start, end = match.span()
        while not _said(text[start]):
            start += 1
        while not _said(text[end - 1]):
            end -= 1
        if end < match.end() and text[end] == "." and _is_abbreviation(text[start:end]):
            end += 1
        words.append(WrittenWord(text[start:end], start, end))
    return words


def _said(ch: str) -> bool:
    return ch.isalnum() or ch in SPOKEN_SYMBOLS


def _is_abbreviation(word: str) -> bool:
    return bool(_DOTTED.fullmatch(word)) or word.lower() in _TITLES


def located(text: str, pieces: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Each piece of `text` (in order, as `pacing.pieces` cuts it) with the offset where it starts."""
    cursor = 0
    for piece in pieces:
        at = text.find(piece, cursor)
        at = cursor if at < 0 else at
        yield at, piece
        cursor = at + len(piece)


def time_words(plan: WordPlan, durations_frames: Sequence[int]) -> tuple[WordTiming, ...]:
    """Each planned word's start and end within the chunk, from the network's predicted durations.

    `durations_frames` covers the pad at each end (as `Chunk.durations_frames`). The times are
    `KPipeline.join_timestamps`'s: it counts half-frames, gives each word half the space on either
    side, and starts the clock 3 frames into the leading pad. A word is clamped to the audio, and
    a word the release said nothing for (or past a truncation) is an empty span where it would be.
    """
    tokens = [MToken(text="", tag="", whitespace=unit.whitespace, phonemes=unit.phonemes) for unit in plan.units]
    KPipeline.join_timestamps(tokens, torch.tensor(list(durations_frames)))
    audio_s = sum(durations_frames) * FRAME_S
    timings, cursor = [], 0.0
    for planned in plan.words:
        timed = [tokens[index] for index in planned.units if tokens[index].start_ts is not None]
        start = min(max(timed[0].start_ts, cursor), audio_s) if timed else cursor
        end = min(max(timed[-1].end_ts, start), audio_s) if timed else start
        phonemes = "".join(plan.units[index].phonemes + plan.units[index].whitespace for index in planned.units)
        timings.append(WordTiming(planned.word.word, phonemes.strip(), start, end, planned.word.start,
                                  planned.word.end))
        cursor = end
    return tuple(timings)


def spells(units: Sequence[Unit], phonemes: str) -> bool:
    """Whether `units` spell `phonemes` exactly, one symbol per token, as `join_timestamps` needs."""
    return "".join(unit.phonemes + unit.whitespace for unit in units) == phonemes
