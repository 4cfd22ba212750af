"""Whether the two releases pronounce a word the same way.

Most audible differences between v0.19 and v1.0 come from the front end: espeak-ng's IPA
against misaki's. misaki writes some diphthongs as single capitals (``O`` for ``oʊ``); those
are spelled out before comparing, so only real differences (sounds or stress) count.
Punctuation around a word's phonemes is a pause, not part of the word.
"""

# misaki's one-letter symbols and their IPA spellings (misaki README, "American/British English").
_MISAKI_TO_IPA = {"A": "eɪ", "I": "aɪ", "W": "aʊ", "Y": "ɔɪ", "O": "oʊ", "Q": "əʊ", "ᵊ": "ə", "T": "ɾ"}
_EDGE_PUNCTUATION = ';:,.!?¡¿—…"«»“”()'


def spell_out(phonemes: str) -> str:
    """`phonemes` with misaki's shorthand letters written as the IPA they stand for."""
    return "".join(_MISAKI_TO_IPA.get(symbol, symbol) for symbol in phonemes)


def sounds_same(left: str, right: str) -> bool:
    """The same sounds and stresses, once spelled out and without the punctuation around them."""
    return spell_out(left.strip(_EDGE_PUNCTUATION + " ")) == spell_out(right.strip(_EDGE_PUNCTUATION + " "))
