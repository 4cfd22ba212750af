"""Cut text into v0.19-sized segments, so that long text can be streamed.

v0.19 had no pipeline: it phonemized the whole input and cut the tokens at 510. Here the
text is normalised once (the normaliser needs context: "Dr. Smith"), split into sentences,
and sentences are packed together up to 510 tokens, so nothing is cut; a sentence too long
for one forward pass is split at clause punctuation, then at spaces; only a single "word"
longer than the limit is still truncated, as v0.19 did. Each segment says which of its phonemes
say which written word (`word_map`).
"""

import re
from dataclasses import replace
from functools import partial
from typing import Callable, Iterator, Sequence

from kokoro_ui.engine.chunk import MAX_TOKENS
from kokoro_ui.engine.release import Segment
from kokoro_ui.builds.v0_19.frontend import PUNCTUATION, Overridden, normalize_tracked, phonemize, tokenize
from kokoro_ui.builds.v0_19.word_map import WordMapper

Say = Callable[[str], str]  # normalised text -> its v0.19 phonemes


# After sentence-final punctuation (optionally closed by a quote) plus space, or at a newline.
_SENTENCE_BREAK = re.compile(r'(?<=[.!?…])\s+|(?<=[.!?…]["»])\s+|\n')

# Where to split a sentence that is too long, coarsest first. Each matches an empty string
# before a space (or after a dash), so no piece ends in a space, pieces concatenated give
# back the sentence, and no word is cut.
_FINER_BREAKS = (
    re.compile(r"(?<=[;:])(?=\s)"),  # clauses
    re.compile(r"(?<=,)(?=\s)|(?<=—)"),  # phrases
    re.compile(r"(?<=\S)(?=\s)"),  # words
)


def segments(text: str, lang: str, max_tokens: int = MAX_TOKENS,
             words: Sequence[Overridden] = ()) -> Iterator[Segment]:
    """Segments of `text`, each at most `max_tokens` tokens, phonemized lazily in order.

    Sentences are packed together up to the limit, as v0.19 spoke a whole text in one pass
    of up to 510 tokens; a newline always ends a segment. Closing the generator early (e.g. a
    listener pressed stop) stops the phonemizing. `words` are a marked text's overrides
    (`frontend.mark_overrides`); the segments' graphemes keep the marks.
    """
    say = partial(phonemize, lang=lang, normalize=False, words=words)
    normalized = normalize_tracked(text)
    mapper = WordMapper(text, normalized, lang)
    for line in normalized.text.split("\n"):
        sentences = [sentence for sentence in _SENTENCE_BREAK.split(line) if sentence.strip()]
        if sentences:  # each sentence after the first brings the space that separated it
            for segment in _pack([sentences[0], *(" " + sentence for sentence in sentences[1:])],
                                 say, max_tokens, _FINER_BREAKS):
                yield replace(segment, words=mapper.plan(segment.graphemes, segment.phonemes))


def _fit(
    text: str, say: Say, max_tokens: int, breaks: tuple[re.Pattern, ...]
) -> Iterator[Segment]:
    """`text` as one segment if it fits, else split at the coarsest break that splits it."""
    text = text.strip()
    phonemes = say(text)
    if len(tokenize(phonemes)) <= max_tokens:
        if _is_speakable(phonemes):
            yield Segment(text, phonemes)
        return
    for depth, pattern in enumerate(breaks):
        pieces = [piece for piece in pattern.split(text) if piece.strip()]
        if len(pieces) > 1:
            yield from _pack(pieces, say, max_tokens, breaks[depth + 1 :])
            return
    # One "word" alone is too long. phonemize() keeps only VOCAB symbols, so cutting the
    # string is cutting the tokens, as v0.19 did (tokens[:510]).
    yield Segment(text, phonemes[:max_tokens].rstrip())


def _pack(
    pieces: list[str], say: Say, max_tokens: int, finer: tuple[re.Pattern, ...]
) -> Iterator[Segment]:
    """Rejoin consecutive pieces greedily into as few segments as fit, for natural prosody.

    A joined text is phonemized again rather than its pieces' phonemes summed, because
    espeak's output depends on context.
    """
    pending: Segment | None = None  # the last segment made, still open to growing
    for piece in pieces:
        if pending is not None:
            joined = pending.graphemes + piece  # the piece brings its own leading space
            phonemes = say(joined)
            if len(tokenize(phonemes)) <= max_tokens:
                pending = Segment(joined, phonemes)
                continue
            yield pending
            pending = None
        fitted = list(_fit(piece, say, max_tokens, finer))
        yield from fitted[:-1]
        pending = fitted[-1] if fitted else None
    if pending is not None:
        yield pending


def _is_speakable(phonemes: str) -> bool:
    """False for empty or punctuation-only phonemes ("..." phonemizes to "..."): nothing to say."""
    return any(symbol not in PUNCTUATION for symbol in phonemes)
