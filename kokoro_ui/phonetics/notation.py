"""Two phoneme notations, one mapping: espeak-ng IPA (v0.19's front end) and misaki's (v1.0's).

misaki writes each English diphthong and affricate as one symbol (A = eɪ, I = aɪ, W = aʊ,
Y = ɔɪ, O = oʊ in American, Q = əʊ in British, ʤ = dʒ, ʧ = tʃ), the American flap as T (espeak:
ɾ), a reduced vowel before a syllabic consonant as ᵊ, r-coloured vowels as ɜɹ and əɹ, and no
length marks in American English. The tables below are those facts, checked against misaki's
own espeak-to-misaki table (`misaki/espeak.py`, `EspeakFallback.E2M`) and both releases'
vocabularies; `tests/test_notation.py` is the table-driven proof.

The mapping works on symbols, not on sound: it is applied left to right, longest sequence
first, so "aɪ" is read as one diphthong even across a syllable break. What the target
vocabulary still lacks after mapping is dropped and reported (`Mapped.dropped`), never
silently. Boundary: strings in, strings out; no front end, no model. Which vocabulary a release
has is the caller's to give.
"""

from dataclasses import dataclass
from typing import Collection, Optional

from kokoro_ui.errors import KokoroUIError

ESPEAK, MISAKI = "espeak", "misaki"
NOTATION_OF = {"v0.19": ESPEAK, "v1.0": MISAKI}  # each release's own notation
RELEASE_OF = {notation: version for version, notation in NOTATION_OF.items()}

# espeak-ng -> misaki, for both accents. Tie-less: v0.19's phonemizer writes "aɪ", not "a^ɪ".
_ESPEAK_TO_MISAKI = {
    "aɪ": "I", "aʊ": "W", "eɪ": "A", "ɔɪ": "Y", "oʊ": "O", "dʒ": "ʤ", "tʃ": "ʧ",
    "ɾ": "T", "ʔ": "t",  # misaki (version 1.0) has T for the flap, and t for the glottal stop
    "ɚ": "əɹ", "ɝ": "ɜɹ", "ɐ": "ə",
    "n̩": "ᵊn", "l̩": "ᵊl", "m̩": "ᵊm", "̩": "",  # a syllabic consonant: misaki writes ᵊ before it
    "ʲ": "", "r": "ɹ", "x": "k", "ç": "k", "ɬ": "l", "g": "ɡ",
    "«": "(", "»": ")",  # v0.19's normaliser writes parentheses as guillemets
}
_ESPEAK_TO_MISAKI_ACCENT = {
    "a": {"ɜːɹ": "ɜɹ", "ɜː": "ɜɹ", "ɪə": "iə", "ː": "", "o": "ɔ"},  # American misaki has no length marks
    "b": {"əʊ": "Q", "eə": "ɛː", "iə": "ɪə", "o": "ɔ"},
}
# misaki -> espeak-ng
_MISAKI_TO_ESPEAK = {
    "I": "aɪ", "W": "aʊ", "A": "eɪ", "Y": "ɔɪ", "O": "oʊ", "Q": "əʊ", "ʤ": "dʒ", "ʧ": "tʃ",
    "T": "ɾ", "ᵊ": "ə", "(": "«", ")": "»",
    "ʦ": "ts", "ʣ": "dz", "ʨ": "tɕ", "ʥ": "dʑ",  # misaki's other languages' affricates
}
_MISAKI_VOWELS = "AIOWYQaeiouæɑɒɔəɛɜɪʊʌᵊˈˌ"  # and stress marks: a syllable starts after them


def _unless_a_vowel_follows(rewrites: dict[str, str]) -> dict[str, str]:
    """American r-coloured vowels end their syllable only when no vowel follows: "əɹ" is espeak's
    "ɚ" in "bˈɛTəɹ" but stays "əɹ" in "kˈOkəɹO" (the ɹ starts the next syllable)."""
    kept = {}
    for key, replacement in rewrites.items():
        for vowel in _MISAKI_VOWELS:
            kept[key + vowel] = key.replace("ɜ", "ɜː") + _MISAKI_TO_ESPEAK.get(vowel, vowel)
        kept[key] = replacement
    return kept


_MISAKI_TO_ESPEAK_ACCENT = {
    "a": _unless_a_vowel_follows({"ɜɹ": "ɜː", "əɹ": "ɚ"}),
    "b": {"ɛː": "eə", "ɪə": "iə"},
}

# What tells the notations apart: sequences only one of them writes.
_MISAKI_MARKS = frozenset("AIOQWYTᵊʦʣʨʥ")
_ESPEAK_MARKS = ("aɪ", "aʊ", "eɪ", "ɔɪ", "oʊ", "əʊ", "dʒ", "tʃ", "ɚ", "ɝ", "̩", "«", "»")


class MixedNotationError(KokoroUIError):
    """Phonemes written partly in one notation, partly in the other."""


@dataclass(frozen=True)
class Mapped:
    """One mapping run: the phonemes in the target notation, and what its vocabulary lacked."""

    phonemes: str
    source: str  # the notation read: ESPEAK or MISAKI
    target: str
    dropped: tuple[str, ...] = ()  # distinct symbols left out, in order of appearance

    @property
    def note(self) -> str:
        """The dropped symbols in words, for surfaces ('' when nothing was dropped)."""
        if not self.dropped:
            return ""
        return f"{RELEASE_OF[self.target]} has no token for {' '.join(self.dropped)}: dropped."


def table(source: str, target: str, lang: str) -> dict[str, str]:
    """The rewrites from `source` to `target` notation for accent `lang` ('a' American, else British)."""
    accent = "a" if lang == "a" else "b"
    if (source, target) == (ESPEAK, MISAKI):
        return {**_ESPEAK_TO_MISAKI_ACCENT[accent], **_ESPEAK_TO_MISAKI}
    if (source, target) == (MISAKI, ESPEAK):
        return {**_MISAKI_TO_ESPEAK_ACCENT[accent], **_MISAKI_TO_ESPEAK}
    if source == target and source in RELEASE_OF:
        return {}
    raise ValueError(f"unknown notations {source!r} -> {target!r}")


def convert(phonemes: str, source: str, target: str, lang: str, vocabulary: Collection[str]) -> Mapped:
    """`phonemes` rewritten from `source` into `target` notation, keeping only `vocabulary`'s symbols."""
    rewrites = table(source, target, lang)
    longest = max(map(len, rewrites), default=0)
    out, at = [], 0
    while at < len(phonemes):
        size = next((n for n in range(min(longest, len(phonemes) - at), 0, -1) if phonemes[at:at + n] in rewrites), 0)
        out.append(rewrites[phonemes[at:at + size]] if size else phonemes[at])
        at += size or 1
    mapped = "".join(out)
    dropped = tuple(symbol for symbol in dict.fromkeys(mapped) if symbol not in vocabulary)
    return Mapped("".join(symbol for symbol in mapped if symbol in vocabulary), source, target, dropped)


def detect(phonemes: str) -> Optional[str]:
    """The notation `phonemes` are written in: ESPEAK, MISAKI, or None when they read the same in both.

    Raises `MixedNotationError` for a string that has marks of both (e.g. "I" and "aɪ").
    """
    misaki = [symbol for symbol in dict.fromkeys(phonemes) if symbol in _MISAKI_MARKS]
    espeak = [mark for mark in _ESPEAK_MARKS if mark in phonemes]
    if misaki and espeak:
        raise MixedNotationError(f"These phonemes mix misaki's symbols ({' '.join(misaki)}: v1.0) with "
                                 f"espeak-ng's ({' '.join(espeak)}: v0.19); write them in one notation.")
    return MISAKI if misaki else ESPEAK if espeak else None


def to_release(phonemes: str, version: str, lang: str, vocabulary: Collection[str],
               source: Optional[str] = None) -> Mapped:
    """`phonemes` in `version`'s own notation: read as `source` (default: `detect`ed; ambiguous
    strings are taken to be the release's own already)."""
    target = NOTATION_OF[version]
    return convert(phonemes, source or detect(phonemes) or target, target, lang, vocabulary)
