"""Text-level fast first audio (opt-in, `KOKORO_UI_FAST_FIRST`): cut a text into pieces that start
small and then grow. By default nothing here runs: a release cuts its text only where the release
itself does (`WHOLE_PASS`); the surfaces that allow this cut say so where they use it (`FAST_FIRST`),
and what is kept (the clip bank, the gallery's samples, the study) never uses it.

A listener waits for the whole first forward pass before hearing anything, and a pass costs
time in proportion to the audio it makes. In fair mode the second side also waits for the
first side's first pass, so both first passes together must fit the time to first audio
(1.5 s on 2 cores, server side). So the first piece is short, `FIRST_MIN_CHARS` to
`FIRST_MAX_CHARS` characters (about a second of speech): it ends at the last clause or sentence
boundary in that range where there is one, else between two words at a phrase boundary
(`_first_word_cut`). Later pieces end at the first sentence boundary after a growing target
(a clause boundary if a sentence runs on past twice the target).
Pieces never cut a word, never break after an abbreviation ("Dr.") or inside a number ("3.50"),
and only the first piece may end inside a clause. Each release's own front end then phonemizes
and, if need be, splits each piece further; the policy is the same for both releases.
What a cut inside a clause costs in prosody is measured by `kokoro_ui.bench.prosody` (README).
"""

import re
from typing import Iterator, Optional

# How a text was cut into forward passes: the names every surface and every key of kept audio use.
WHOLE_PASS = "whole-pass"  # only where the release itself cuts (KPipeline's 510 phonemes; v0.19's pass plan)
FAST_FIRST = "fast-first"  # this module's pieces: a phrase end the release would not make

FIRST_MIN_CHARS = 10
# Two first passes of this size (one per side, taking turns) take ~1.2 s on 2 cores (README).
FIRST_MAX_CHARS = 24
# Later pieces grow toward this size. PyTorch's cost per second of audio rises with the
# length of a pass (RTF 0.41 at 31 phonemes, 0.64 at 500), so long passes are not free.
# Measured on the 5,000-character passage (v1.0, torch, 2 cores): pieces growing to 300
# characters ran at 0.97x the RTF of KPipeline's 510-phoneme passes, to 150 at 0.83x.
TARGET_CHARS = (100, 150)

_SENTENCE_END = re.compile(r"(?<![A-Z])(?<!\b(?:Dr|Mr|Ms|St|Jr|Sr|vs))(?<!\bMrs)(?<!\betc)(?<!\be\.g)(?<!\bi\.e)"
                           r"[.!?…]+[\"'”’»)]*(?=\s)|\n")
_CLAUSE_END = re.compile(r"[,;:—](?=\s)")
_WORD = re.compile(r"\S+")
# A phrase starts before these words (English), and a piece never ends on one.
_PHRASE_STARTS = frozenset(
    "a an the and or but nor so yet that which who whom whose where when while because if as than to of in on "
    "at by for with from into onto over under about after before through between without during".split())


def rendering(fast_first: bool) -> str:
    """The name of the cut a `Release.stream(..., fast_first=...)` makes."""
    return FAST_FIRST if fast_first else WHOLE_PASS


def pieces(text: str) -> Iterator[str]:
    """`text` in growing pieces; joined back together they give `text` (whitespace aside)."""
    sentence_ends = {match.end() for match in _SENTENCE_END.finditer(text)}
    ends = sorted(sentence_ends | {match.end() for match in _CLAUSE_END.finditer(text)})
    start, count = 0, 0
    first = _first_end(text, ends)
    if first is not None:
        yield text[:first].strip()
        start, count = first, 1
    for end in ends:
        size = end - start
        if size <= 0:
            continue
        if count == 0:  # no short first piece in this text: the first boundary after the minimum
            cut = size >= FIRST_MIN_CHARS and len(text[end:].strip()) >= FIRST_MIN_CHARS
        else:
            target = TARGET_CHARS[min(count - 1, len(TARGET_CHARS) - 1)]
            cut = size >= target and (end in sentence_ends or size >= 2 * target)
        if cut and text[start:end].strip():
            yield text[start:end].strip()
            start, count = end, count + 1
    if text[start:].strip():
        yield text[start:].strip()


def _first_end(text: str, boundary_ends: list[int]) -> Optional[int]:
    """Where the short first piece ends: a clause boundary in range, else a word cut, else None."""
    def fits(end: int) -> bool:
        return (FIRST_MIN_CHARS <= len(text[:end].strip()) <= FIRST_MAX_CHARS
                and len(text[end:].strip()) >= FIRST_MIN_CHARS)  # never a tiny second pass

    clause_ends = [end for end in boundary_ends if fits(end)]
    return clause_ends[-1] if clause_ends else _first_word_cut(text, fits)


def _first_word_cut(text: str, fits) -> Optional[int]:
    """The latest word boundary that fits, preferring one before a phrase-starting word ("to",
    "for", "while", …); never after such a word, which would leave it dangling."""
    words = list(_WORD.finditer(text))
    before_phrase, plain = None, None
    for word, following in zip(words, words[1:]):
        if not fits(word.end()) or _bare(word.group()) in _PHRASE_STARTS:
            continue
        plain = word.end()
        if _bare(following.group()) in _PHRASE_STARTS:
            before_phrase = word.end()
    return before_phrase or plain


def _bare(word: str) -> str:
    return word.strip("\"'“”‘’«»()[]").lower()
