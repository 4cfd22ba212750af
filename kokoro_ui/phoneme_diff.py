"""Line up the two releases' phonemes word by word and mark where they differ.

Most audible differences between v0.19 and v1.0 come from the front end: espeak-ng's IPA
against misaki's. misaki writes some diphthongs as single capitals (``O`` for ``oʊ``); those
are spelled out before comparing, so only real differences are marked. Words are paired by
a sequence alignment on their stress-free forms, so an extra or missing word does not shift
every pair after it.
"""

import difflib
import re
from dataclasses import dataclass
from itertools import zip_longest

# misaki's one-letter symbols and their IPA spellings (misaki README, "American/British English").
_MISAKI_TO_IPA = {"A": "eɪ", "I": "aɪ", "W": "aʊ", "Y": "ɔɪ", "O": "oʊ", "Q": "əʊ", "ᵊ": "ə", "T": "ɾ"}
_STRESS = re.compile("[ˈˌ]")
_EDGE_PUNCTUATION = ';:,.!?¡¿—…"«»“”()'


@dataclass(frozen=True)
class WordPair:
    left: str  # '' where the left release has no word here
    right: str
    same: bool


def spell_out(phonemes: str) -> str:
    """`phonemes` with misaki's shorthand letters written as the IPA they stand for."""
    return "".join(_MISAKI_TO_IPA.get(symbol, symbol) for symbol in phonemes)


def align_words(left_phonemes: str, right_phonemes: str) -> list[WordPair]:
    left, right = _words(left_phonemes), _words(right_phonemes)
    matcher = difflib.SequenceMatcher(a=[_loose(word) for word in left], b=[_loose(word) for word in right],
                                      autojunk=False)
    pairs = []
    for _, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        for a, b in zip_longest(left[a_start:a_end], right[b_start:b_end], fillvalue=""):
            pairs.append(WordPair(a, b, bool(a and b) and spell_out(a) == spell_out(b)))
    return pairs


def _words(phonemes: str) -> list[str]:
    return [word for word in (raw.strip(_EDGE_PUNCTUATION) for raw in phonemes.split()) if word]


def _loose(word: str) -> str:
    """The form words are paired by: IPA spelled out, stress ignored."""
    return _STRESS.sub("", spell_out(word))
