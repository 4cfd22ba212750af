"""Which of espeak-ng's phoneme words say which written word, for v0.19's word timings.

Three steps, each a plain correspondence: espeak-ng separates its phoneme words by spaces, one or
more per word of the normalised text ("2005" -> "tˈuː θˈaʊzənd fˈaɪv"); each normalised word knows
which characters of the text as written it came from (`tracking`, through the normaliser); and a
written word owns the normalised words that came from it ("$3.50" owns "3 dollars and 50 cents").
When espeak-ng's word count differs from the normalised text's (it joins or splits a few), each
normalised word is phonemized alone to count its phoneme words, and failing that the phoneme words
are shared out by length. Boundary: no timing (`engine.words`), no G2P rules (`frontend`).
"""

import re
from typing import Optional, Sequence

from kokoro_ui.builds.v0_19.frontend import PUNCTUATION, phonemize
from kokoro_ui.builds.v0_19.tracking import TrackedText
from kokoro_ui.engine.words import (WORD_BREAKS, WORD_RUN, PlannedWord, Unit, WordPlan, WrittenWord, is_word, spells,
                                   written_words)

_MARKS = re.escape(PUNCTUATION.replace(" ", ""))
_PIECE = re.compile(rf"[{_MARKS}]+|[^{_MARKS}]+")  # punctuation, or sounds, within one phoneme word
_RUN = re.compile(r"([^ ]+)( *)")


class WordMapper:
    """Plans the words of one text's segments, in order: each picks up where the last one ended."""

    def __init__(self, text: str, normalized: TrackedText, lang: str):
        self._normalized = normalized
        self._lang = lang
        self._words = written_words(text)
        self._cursor = 0  # in the normalised text
        self._next_word = 0  # the first written word no segment has taken yet

    def plan(self, graphemes: str, phonemes: str) -> Optional[WordPlan]:
        """The plan of the segment of normalised text `graphemes`; None if its words cannot be timed."""
        at = self._normalized.text.find(graphemes, self._cursor)
        at = self._cursor if at < 0 else at
        self._cursor = at + len(graphemes)
        source_end = self._normalized.source(at, self._cursor)[1]
        taken = [word for word in self._words[self._next_word:] if word.start < source_end]
        self._next_word += len(taken)
        units, runs = phoneme_units(phonemes)
        if not spells(units, phonemes):
            return None
        spoken = [(match.group(), self._normalized.source(at + match.start(), at + match.end()))
                  for match in WORD_RUN.finditer(graphemes) if is_word(match.group())]
        run_owner = self._runs_per_word([word for word, _ in spoken], len(runs))
        word_owner = [_owner(source, taken) for _, source in spoken]
        owned: list[list[int]] = [[] for _ in taken]
        for run, spoken_index in zip(runs, run_owner):
            written = word_owner[spoken_index] if spoken_index is not None else None
            if written is not None:
                owned[written].extend(run)
        return WordPlan(tuple(units), tuple(
            PlannedWord(word, tuple(range(min(mine), max(mine) + 1)) if mine else ()) for word, mine in zip(taken, owned)))

    def _runs_per_word(self, spoken: Sequence[str], runs: int) -> list[Optional[int]]:
        """For each phoneme word, the index of the normalised word it says."""
        if not spoken:
            return [None] * runs
        if len(spoken) == runs:
            return list(range(runs))
        alone = [phoneme_units(phonemize(word, self._lang, normalize=False))[1] for word in spoken]
        if sum(len(word_runs) for word_runs in alone) == runs:
            return [index for index, word_runs in enumerate(alone) for _ in word_runs]
        return _shared_by_length([sum(len(run) for run in word_runs) or 1 for word_runs in alone], runs)


def phoneme_units(phonemes: str) -> tuple[list[Unit], list[tuple[int, ...]]]:
    """Units spelling `phonemes` (each phoneme word's sounds and punctuation apart), and for each
    phoneme word with sounds in it, its units from first sound to last."""
    units: list[Unit] = []
    runs: list[tuple[int, ...]] = []
    for match in _RUN.finditer(phonemes):
        pieces, spaces = _PIECE.findall(match.group(1)), match.group(2)
        sounds: list[int] = []
        for index, piece in enumerate(pieces):
            if piece[0] not in PUNCTUATION:
                sounds.append(len(units))
            elif sounds and any(mark in piece for mark in WORD_BREAKS):  # "ɐwˈeɪ—ɹˈiəli": two words
                runs.append(tuple(range(sounds[0], sounds[-1] + 1)))
                sounds = []
            units.append(Unit(piece, " " if spaces and index == len(pieces) - 1 else ""))
        units.extend(Unit(" ") for _ in spaces[1:])
        if sounds:
            runs.append(tuple(range(sounds[0], sounds[-1] + 1)))
    return units, runs


def _owner(source: tuple[int, int], words: Sequence[WrittenWord]) -> Optional[int]:
    """The written word a normalised word came from: the one its source overlaps most."""
    start, end = source
    overlaps = [(min(end, word.end) - max(start, word.start), -index) for index, word in enumerate(words)]
    best = max(overlaps, default=(0, 0))
    return -best[1] if best[0] > 0 else None


def _shared_by_length(lengths: Sequence[int], runs: int) -> list[Optional[int]]:
    """Phoneme words given out in order to words in proportion to their lengths (a last resort)."""
    total, owners, word, bound = sum(lengths), [], 0, lengths[0]
    for run in range(runs):
        middle = (run + 0.5) * total / runs
        while middle > bound and word < len(lengths) - 1:
            word += 1
            bound += lengths[word]
        owners.append(word)
    return owners

