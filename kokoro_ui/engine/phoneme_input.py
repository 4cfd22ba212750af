"""Speaking given phonemes: a release's network without its grapheme-to-phoneme step.

A phoneme string in the release's own notation (v0.19: espeak-ng IPA; v1.0: misaki's symbols)
is cut into passes of at most `MAX_TOKENS` tokens, which `Release.stream_phonemes` sends through
the same loop as text, so each pass is styled by the release's own rule (`FrontEnd.style_row`)
and streams ordinary `Chunk`s. A string too long for one pass is cut where `KPipeline` would
cut English (after ``!.?…``, then ``:;``, then ``,—``), and failing those at a space; a run of
symbols with no space at all is cut at the limit, as v0.19 truncated.

Symbols outside the release's vocabulary are refused, all of them named, rather than dropped as
both releases' own code drops them: a caller who sends phonemes means every one of them.
Every vocabulary symbol is one character and one token in both releases, so counting characters
is counting tokens. Translating one release's notation into the other's is not this module's job.
"""

import unicodedata
from typing import Callable, Iterator

from kokoro_ui.engine.chunk import MAX_TOKENS
from kokoro_ui.errors import KokoroUIError

# Where a pass may end, preferred first; a piece ends after one of these symbols.
_PASS_ENDS = ("!.?…", ":;", ",—")


class UnknownPhonemesError(KokoroUIError):
    """Phonemes with symbols the release's network has no token for."""

    def __init__(self, version: str, symbols: list[str]):
        named = ", ".join(describe_symbol(symbol) for symbol in symbols)
        super().__init__(f"Kokoro {version} has no token for {len(symbols)} of these symbols: {named}. "
                         f"Use this release's own phonemes (POST /dev/phonemize shows them).")
        self.symbols = symbols


def describe_symbol(symbol: str) -> str:
    """A symbol as a person can read it, invisible ones too: "'ʧ' (U+02A7)"."""
    shown = symbol if unicodedata.category(symbol)[0] not in "CZ" or symbol == " " else ""
    return f"'{shown}' (U+{ord(symbol):04X})" if shown else f"U+{ord(symbol):04X}"


def unknown_symbols(phonemes: str, tokenize: Callable[[str], list[int]]) -> list[str]:
    """The distinct symbols of `phonemes` that `tokenize` (the release's) drops, in order of appearance."""
    return [symbol for symbol in dict.fromkeys(phonemes) if not tokenize(symbol)]


def check_symbols(phonemes: str, tokenize: Callable[[str], list[int]], version: str) -> None:
    unknown = unknown_symbols(phonemes, tokenize)
    if unknown:
        raise UnknownPhonemesError(version, unknown)


def passes(phonemes: str, max_tokens: int = MAX_TOKENS) -> Iterator[str]:
    """`phonemes` in pieces of at most `max_tokens` symbols, none starting or ending with a space."""
    rest = phonemes.strip()
    while len(rest) > max_tokens:
        cut = _cut(rest, max_tokens)
        piece, rest = rest[:cut].strip(), rest[cut:].strip()
        if piece:
            yield piece
    if rest:
        yield rest


def _cut(phonemes: str, max_tokens: int) -> int:
    """Where the first pass of an over-long string ends: after the best break within the limit."""
    for ends in _PASS_ENDS:
        at = max(phonemes.rfind(symbol, 0, max_tokens) for symbol in ends)
        if at >= 0:
            return at + 1
    space = phonemes.rfind(" ", 1, max_tokens + 1)  # the space itself is not part of either pass
    return space if space > 0 else max_tokens
