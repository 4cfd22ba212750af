"""Pronunciation overrides written in the text: ``[word](/phonemes/)``, misaki's own syntax.

This module reads the syntax and nothing more: where each override is, its word and its
phonemes, and whether the text holds a broken one (``[word](/ph``, ``[](/ph/)``, ``[w](//)``),
which is refused with a message saying how to write it. misaki (v1.0) reads overrides itself;
v0.19's front end reads them through `parse` (``builds/v0_19/frontend.py``). An override's
phonemes may be written in either release's notation; each release gets them in its own
(`rewrite`, via `kokoro_ui.phonetics.notation`). Other Markdown links (``[text](url)``) are left as they
are: misaki reads them as their text, as it always has.
"""

import re
from dataclasses import dataclass
from typing import Collection

from kokoro_ui.phonetics import notation
from kokoro_ui.errors import KokoroUIError

# misaki's LINK_REGEX, narrowed to phoneme links: the phonemes are between slashes.
_OVERRIDE = re.compile(r"\[([^\[\]]*)\]\(/([^()]*?)/\)")
_LOOKS_LIKE_ONE = re.compile(r"\]\s*\(\s*/")  # "](/" anywhere is meant as an override
_BREAKS = re.compile(r"[,;:—!?…]|\.\s")  # would split the word from its phonemes when text is cut
EXAMPLE = "[Kokoro](/kˈOkəɹO/)"


class OverrideError(KokoroUIError):
    """An override the text means to make but does not write correctly."""


@dataclass(frozen=True)
class Override:
    word: str
    phonemes: str  # as written, in either notation
    start: int  # where ``[`` is in the text
    end: int  # just after ``)``


def parse(text: str) -> list[Override]:
    """Every override in `text`, in order; `OverrideError` if one is malformed."""
    found = [Override(match.group(1), match.group(2), match.start(), match.end()) for match in _OVERRIDE.finditer(text)]
    covered = [range(override.start, override.end) for override in found]
    for stray in _LOOKS_LIKE_ONE.finditer(text):
        if not any(stray.start() in span for span in covered):
            shown = text[max(0, stray.start() - 20):stray.end() + 20].strip()
            raise OverrideError(f"A pronunciation override is malformed near {shown!r}: write it as "
                                f"[word](/phonemes/), e.g. {EXAMPLE}, with nothing between ] and (.")
    for override in found:
        _check(override)
    return found


def _check(override: Override) -> None:
    if not override.word.strip():
        raise OverrideError(f"A pronunciation override has no word: write the word between the brackets, e.g. {EXAMPLE}.")
    if not override.phonemes.strip():
        raise OverrideError(f"The override for {override.word!r} has no phonemes between its slashes: e.g. {EXAMPLE}.")
    if _BREAKS.search(override.word) or _BREAKS.search(override.phonemes):
        raise OverrideError(f"The override for {override.word[:30]!r} holds punctuation: an override is one word "
                            f"(or a name) and its sounds; put punctuation outside it.")


def rewrite(text: str, version: str, lang: str, vocabulary: Collection[str]) -> tuple[str, list[notation.Mapped]]:
    """`text` with every override's phonemes in `version`'s notation, and what each mapping dropped."""
    out, mapped, last = [], [], 0
    for override in parse(text):
        result = notation.to_release(override.phonemes, version, lang, vocabulary)
        out.append(f"{text[last:override.start]}[{override.word}](/{result.phonemes}/)")
        mapped.append(result)
        last = override.end
    return "".join(out) + text[last:], mapped
