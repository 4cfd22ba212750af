"""Which of misaki's tokens say which written word, for v1.0's word timings.

`KPipeline` hands each chunk's misaki tokens (`MToken`: its text, phonemes and the space after
it) over with the chunk; their texts are found, in order, in the text as written, and each token
goes to the written word it lies in (punctuation outside every word is a pause). The units keep
KPipeline's own spelling of the chunk (``tokens_to_ps``), so `KPipeline.join_timestamps` reads
the durations exactly as it does for KPipeline. Boundary: no G2P and no timing here.
"""

from typing import Mapping, Optional, Sequence

from misaki.token import MToken

from kokoro_ui.engine.words import PlannedWord, Unit, WordPlan, WrittenWord, spells, written_words

_SEARCH_CHARS = 64  # how far ahead a token's text is looked for when misaki rewrote what came before it


class TokenLocator:
    """Finds misaki's tokens in the text they came from, one after another, and plans each chunk's words.

    One locator per text given to the front end: chunks come in order, so each picks up where the
    last one ended, and takes the written words up to its last token (those misaki said nothing
    for among them too).
    """

    def __init__(self, text: str, vocab: Mapping[str, int]):
        self._text = text
        self._vocab = vocab
        self._words = written_words(text)
        self._cursor = 0  # where the next token's text is looked for
        self._next_word = 0  # the first written word no chunk has taken yet

    def plan(self, tokens: Sequence[MToken], phonemes: str) -> Optional[WordPlan]:
        """The chunk's plan; None if its tokens do not spell its phonemes (then its words are not timed)."""
        spans = [self._locate(token.text) for token in tokens]
        taken = [word for word in self._words[self._next_word:] if word.start < self._cursor]
        self._next_word += len(taken)
        units, unit_of = self._units(tokens)
        if not spells(units, "".join(symbol for symbol in phonemes if symbol in self._vocab)):
            return None
        return WordPlan(tuple(units), tuple(PlannedWord(word, _units_in(word, spans, unit_of)) for word in taken))

    def _locate(self, token_text: str) -> tuple[int, int]:
        """Where `token_text` is, searching on from the last token; an empty span here if it is nowhere near."""
        text, cursor = self._text, self._cursor
        at = text.find(token_text, cursor) if token_text else -1
        if at < 0 or (any(ch.isalnum() for ch in text[cursor:at]) and at - cursor > _SEARCH_CHARS):
            return cursor, cursor
        self._cursor = at + len(token_text)
        return at, self._cursor

    def _units(self, tokens: Sequence[MToken]) -> tuple[list[Unit], list[Optional[int]]]:
        """Units spelling KPipeline's phonemes for `tokens`, and each token's unit (None: it adds no symbol).

        A token misaki gave no phonemes but a space becomes a unit of one space, as KPipeline spells it.
        """
        units: list[Unit] = []
        unit_of: list[Optional[int]] = []
        for token in tokens:
            symbols = "".join(symbol for symbol in (token.phonemes or "") if symbol in self._vocab)
            if not symbols and token.whitespace:
                symbols, space = " ", ""
            else:
                space = " " if token.whitespace else ""
            if not symbols and not space:
                unit_of.append(None)
                continue
            unit_of.append(len(units))
            units.append(Unit(symbols, space))
        while units and not units[0].phonemes.strip():  # KPipeline strips the chunk's phonemes
            units.pop(0)
            unit_of = [None if index is None or index == 0 else index - 1 for index in unit_of]
        while units and not units[-1].phonemes.strip():
            units.pop()
            unit_of = [None if index is not None and index >= len(units) else index for index in unit_of]
        if units:
            units[-1] = Unit(units[-1].phonemes, "")
        return units, unit_of


def _units_in(word: WrittenWord, spans: Sequence[tuple[int, int]], unit_of: Sequence[Optional[int]]
              ) -> tuple[int, ...]:
    """The units of the tokens that lie in `word`, first to last."""
    inside = [unit for (start, end), unit in zip(spans, unit_of)
              if unit is not None and end > start and word.start <= start < word.end]
    return tuple(range(min(inside), max(inside) + 1)) if inside else ()
