"""The Kokoro v0.19 text front end: text -> normalised text -> phonemes -> token ids.

It reproduces, rule for rule and in the same order, the front end of the original v0.19
``kokoro.py`` so that the v0.19 network hears exactly what it was trained on; the golden
fixtures in ``tests/data/v0_19`` pin that equivalence. Boundary: pure text processing over
espeak-ng (the copy shipped in ``espeakng-loader``) - no torch, no model, no audio.

Pronunciation overrides (``[word](/phonemes/)``, `kokoro_ui.phonetics.overrides`), which v0.19 never had,
are added without touching that path: `mark_overrides` puts a private-use character where each
override is, so the normaliser and sentence splitting pass it by; `phonemize` then gives espeak
the text with the words themselves (so every other word keeps its context) and replaces only
the span of espeak's output that is the overridden word's: the span where the output changes
when that word alone is swapped for another, widened to whole espeak words. A text without
overrides takes the original path unchanged.
"""

import re
import threading
from typing import Callable, NamedTuple, Sequence

import espeakng_loader
from phonemizer.backend import EspeakBackend
from phonemizer.backend.espeak.wrapper import EspeakWrapper

from kokoro_ui.phonetics import notation, overrides
from kokoro_ui.builds.v0_19.tracking import Replacement, TrackedText

PAD = "$"
PUNCTUATION = ';:,.!?¡¿—…"«»“” '
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_IPA = (
    "ɑɐɒæɓʙβɔɕçɗɖðʤəɘɚɛɜɝɞɟʄɡɠɢʛɦɧħɥʜɨɪʝɭɬɫɮʟɱɯɰŋɳɲɴøɵɸθœɶʘɹɺɾɻʀʁɽʂʃʈʧʉʊʋⱱʌɣɤʍχʎʏʑʐʒʔʡʕʢ"
    "ǀǁǂǃˈˌːˑʼʴʰʱʲʷˠˤ˞↓↑→↗↘'̩'ᵻ"
)

# Ids are list positions, as the v0.19 embedding table (178 rows) was trained with. "'" occurs
# twice in the IPA string; enumeration keeps its later position, 176, so id 174 is never
# produced and VOCAB holds 177 symbols.
VOCAB: dict[str, int] = {s: i for i, s in enumerate([PAD, *PUNCTUATION, *_LETTERS, *_IPA])}

_ESPEAK_LANGUAGES = {"a": "en-us", "b": "en-gb"}


# --- normaliser helpers (the spoken forms v0.19 chose) ---------------------------------

def _say_time(hours: int, minutes: int) -> str:
    if minutes == 0:
        return f"{hours} o'clock"
    if minutes < 10:
        return f"{hours} oh {minutes}"
    return f"{hours} {minutes}"


def _say_year(number: str) -> str:
    year = int(number[:4])
    if year < 1100 or year % 1000 < 10:  # 1066, 2000s, 2005: left for espeak to read
        return number
    century, rest = number[:2], int(number[2:4])
    plural = "s" if number.endswith("s") else ""
    if year % 1000 >= 100:
        if rest == 0:
            return f"{century} hundred{plural}"
        if rest < 10:
            return f"{century} oh {rest}{plural}"
    return f"{century} {rest}{plural}"


def _say_year_or_time(match: re.Match) -> str:
    number = match.group()
    if "." in number:  # a decimal, matched only so that its digits are not read as a year
        return number
    if ":" in number:
        hours, minutes = (int(n) for n in number.split(":"))
        return _say_time(hours, minutes)
    return _say_year(number)


def _say_money(match: re.Match) -> str:
    money = match.group()
    symbol, amount = money[0], money[1:]
    unit = "dollar" if symbol == "$" else "pound"
    if money[-1].isalpha():  # "$5 million" -> "5 million dollars"
        return f"{amount} {unit}s"
    if "." not in amount:
        return f"{amount} {unit}{'' if amount == '1' else 's'}"
    whole, fraction = amount.split(".")
    cents = int(fraction.ljust(2, "0"))
    if symbol == "$":
        coins = "cent" if cents == 1 else "cents"
    else:
        coins = "penny" if cents == 1 else "pence"
    return f"{whole} {unit}{'' if whole == '1' else 's'} and {cents} {coins}"


def _say_decimal(match: re.Match) -> str:
    whole, digits = match.group().split(".")
    return f"{whole} point {' '.join(digits)}"


def _one_of(mapping: dict[str, str]) -> Callable[[re.Match], str]:
    return lambda match: mapping[match.group()]


class _Rule(NamedTuple):
    name: str
    pattern: re.Pattern
    replacement: Replacement
    languages: str = "ab"  # the lang codes it applies to (phoneme fixes only)


def _rule(name: str, pattern: str, replacement: Replacement, languages: str = "ab") -> _Rule:
    return _Rule(name, re.compile(pattern), replacement, languages)


_CJK_PUNCTUATION = {cjk: f"{plain} " for cjk, plain in zip("、。！，：；？", ",.!,:;?")}

# The v0.19 normaliser, applied top to bottom; later rules rely on earlier ones.
_NORMALISATION_RULES = (
    _rule("curly single quotes", r"[‘’]", "'"),
    _rule("double quotes", r"[«»“”]", '"'),  # before parentheses take over the guillemets
    # so that parentheses survive espeak as (pausing) punctuation
    _rule("parentheses", r"[()]", _one_of({"(": "«", ")": "»"})),
    _rule("CJK punctuation", r"[、。！，：；？]", _one_of(_CJK_PUNCTUATION)),  # 。 -> ". "
    _rule("whitespace other than newline", r"[^\S \n]", " "),
    _rule("runs of spaces", r"  +", " "),
    _rule("spaces on blank lines", r"(?<=\n) +(?=\n)", ""),
    _rule("Dr. before a name", r"\bD[Rr]\.(?= [A-Z])", "Doctor"),
    _rule("Mr.", r"\b(?:Mr\.|MR\.(?= [A-Z]))", "Mister"),
    _rule("Ms.", r"\b(?:Ms\.|MS\.(?= [A-Z]))", "Miss"),
    _rule("Mrs.", r"\b(?:Mrs\.|MRS\.(?= [A-Z]))", "Mrs"),
    _rule("etc. inside a sentence", r"\betc\.(?! [A-Z])", "etc"),  # keeps a sentence-ending dot
    _rule("yeah / yea", r"(?i)\b(y)eah?\b", r"\1e'a"),
    # 1990 -> 19 90, 1905 -> 19 oh 5, 3:00 -> 3 o'clock; decimals are matched to be skipped
    _rule("years and clock times",
          r"\d*\.\d+|\b\d{4}s?\b|(?<!:)\b(?:[1-9]|1[0-2]):[0-5]\d\b(?!:)", _say_year_or_time),
    _rule("thousands separators", r"(?<=\d),(?=\d)", ""),
    # $3.50 -> 3 dollars and 50 cents; £5 million -> 5 million pounds
    _rule("money",
          r"(?i)[$£]\d+(?:\.\d+)?(?: hundred| thousand| (?:[bm]|tr)illion)*\b|[$£]\d+\.\d\d?\b",
          _say_money),
    _rule("decimals", r"\d*\.\d+", _say_decimal),  # 3.14 -> 3 point 1 4
    _rule("numeric ranges", r"(?<=\d)-(?=\d)", " to "),
    _rule("capital S after a digit", r"(?<=\d)S", " S"),
    # CDs -> CD'S: espeak spells the capitals, then says "s"
    _rule("plurals of capital consonants", r"(?<=[BCDFGHJ-NP-TV-Z])'?s\b", "'S"),
    _rule("X's, undoing the rule above", r"(?<=X')S\b", "s"),
    # "U.S.A. is" -> "U-S-A- is": these dots do not end the sentence
    _rule("dotted abbreviation before lowercase",
          r"(?:[A-Za-z]\.){2,} [a-z]", lambda match: match.group().replace(".", "-")),
    _rule("dots between letters", r"(?i)(?<=[A-Z])\.(?=[A-Z])", "-"),
)

# v0.19's corrections to espeak-ng's output, applied top to bottom.
_PHONEME_FIXES = (
    # https://en.wiktionary.org/wiki/kokoro#English
    _rule("Kokoro, US", re.escape("kəkˈoːɹoʊ"), "kˈoʊkəɹoʊ"),
    _rule("Kokoro, GB", re.escape("kəkˈɔːɹəʊ"), "kˈəʊkəɹəʊ"),
    # rare, mostly non-English sounds -> the nearest common English one
    _rule("palatalisation to j", "ʲ", "j"),
    _rule("trill to approximant", "r", "ɹ"),
    _rule("velar fricative to k", "x", "k"),
    _rule("lateral fricative to l", "ɬ", "l"),
    _rule("space before hundred", r"(?<=[a-zɹː])(?=hˈʌndɹɪd)", " "),  # "fˈaɪvhˈʌndɹɪd"
    _rule("reattach a detached plural z", r' z(?=[;:,.!?¡¿—…"«»“” ]|$)', "z"),  # "θˈaʊzənd z"
    _rule("flapped t in ninety", r"(?<=nˈaɪn)ti(?!ː)", "di", languages="a"),
)

# espeak-ng is not re-entrant: this lock guards both creating backends and phonemizing.
_ESPEAK_LOCK = threading.Lock()
_backends: dict[str, EspeakBackend] = {}


def normalize_text(text: str) -> str:
    """Rewrite text the way v0.19 did before espeak: numbers, money, titles, quotes, spacing."""
    return normalize_tracked(text).text


def normalize_tracked(text: str) -> TrackedText:
    """`normalize_text`'s output, each character knowing which characters of `text` it stands for."""
    tracked = TrackedText.of(text)
    for rule in _NORMALISATION_RULES:
        tracked = tracked.sub(rule.pattern, rule.replacement)
    return tracked.strip()


def _backend(lang: str) -> EspeakBackend:
    """The cached espeak-ng backend for `lang`; the caller holds `_ESPEAK_LOCK`."""
    if lang not in _ESPEAK_LANGUAGES:
        supported = ", ".join(f"'{code}' ({name})" for code, name in _ESPEAK_LANGUAGES.items())
        raise ValueError(f"unsupported language {lang!r} for v0.19; supported: {supported}")
    if lang not in _backends:
        # The espeak-ng shipped with espeakng-loader, not whatever the system has, so that
        # output matches the golden fixtures; without the data path it cannot find its voices.
        EspeakWrapper.set_library(espeakng_loader.get_library_path())
        EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
        _backends[lang] = EspeakBackend(
            language=_ESPEAK_LANGUAGES[lang], preserve_punctuation=True, with_stress=True
        )
    return _backends[lang]


def phonemize(text: str, lang: str, normalize: bool = True, words: Sequence["Overridden"] = ()) -> str:
    """v0.19 phonemes for `text` in 'a' (American) or 'b' (British) English.

    Pass normalize=False only for text that is already normalised: the normaliser is not
    idempotent: "(aside)" -> "«aside»" -> '"aside"'. `words` are the overrides of a text that
    `mark_overrides` marked.
    """
    if normalize:
        text = normalize_text(text)
    if words and any(_is_mark(symbol) for symbol in text):
        return _with_overrides(text, lang, words)
    return _espeak(text, lang)


def _espeak(text: str, lang: str) -> str:
    """v0.19's phonemes for normalised text: espeak-ng, then v0.19's fixes, then its vocabulary."""
    with _ESPEAK_LOCK:
        phonemes = _backend(lang).phonemize([text])
    phonemes = phonemes[0] if phonemes else ""
    for fix in _PHONEME_FIXES:
        if lang in fix.languages:
            phonemes = fix.pattern.sub(fix.replacement, phonemes)
    return "".join(p for p in phonemes if p in VOCAB).strip()


class Overridden(NamedTuple):
    """An overridden word of a marked text, and its phonemes in v0.19's notation."""

    word: str
    phonemes: str


_FIRST_MARK = 0xE000  # private-use characters: nothing in the normaliser or espeak touches them
# Nonsense stand-ins, to find where an overridden word's sounds are: one starting with a
# vowel and one with a consonant, since a neighbour may change with that ("the apple" is ðɪ).
_PLACEHOLDERS = ("bibbet", "zoggle", "ibbet", "oggle")


def _is_mark(symbol: str) -> bool:
    return _FIRST_MARK <= ord(symbol) < _FIRST_MARK + 6400


def mark_overrides(text: str, lang: str) -> tuple[str, tuple[Overridden, ...], list[notation.Mapped]]:
    """`text` with each override replaced by a mark, the overridden words in order, and each
    mapping's report (phonemes written in misaki's notation are mapped to espeak-ng's)."""
    found = overrides.parse(text)
    marked, words, mapped, last = [], [], [], 0
    for number, override in enumerate(found):
        result = notation.to_release(override.phonemes, "v0.19", lang, VOCAB)
        marked.append(text[last:override.start] + chr(_FIRST_MARK + number))
        words.append(Overridden(override.word, result.phonemes))
        mapped.append(result)
        last = override.end
    return "".join(marked) + text[last:], tuple(words), mapped


def unmark(text: str, words: Sequence[Overridden]) -> str:
    """A marked text with its overridden words back in place."""
    return "".join(words[ord(symbol) - _FIRST_MARK].word if _is_mark(symbol) else symbol for symbol in text)


def _with_overrides(text: str, lang: str, words: Sequence[Overridden]) -> str:
    """espeak's phonemes for the words of `text`, each overridden word's span replaced by its phonemes."""
    spoken = _espeak(unmark(text, words), lang)
    spans = []
    for at, symbol in enumerate(text):
        if _is_mark(symbol):
            swapped = [_espeak(unmark(text[:at] + placeholder + text[at + 1:], words), lang)
                       for placeholder in _PLACEHOLDERS]
            start, end = min((_changed_span(spoken, other) for other in swapped), key=lambda span: span[1] - span[0])
            spans.append((start, end, words[ord(symbol) - _FIRST_MARK].phonemes))
    for start, end, phonemes in _merge(spans)[::-1]:
        spoken = spoken[:start] + phonemes + spoken[end:]
    return spoken.strip()


def _changed_span(spoken: str, other: str) -> tuple[int, int]:
    """Where `spoken` differs from `other`, widened to whole espeak words (bounded by punctuation)."""
    start = 0
    while start < min(len(spoken), len(other)) and spoken[start] == other[start]:
        start += 1
    tail = 0
    while tail < min(len(spoken), len(other)) - start and spoken[-1 - tail] == other[-1 - tail]:
        tail += 1
    end = len(spoken) - tail
    while start > 0 and spoken[start - 1] not in PUNCTUATION:
        start -= 1
    while end < len(spoken) and spoken[end] not in PUNCTUATION:
        end += 1
    return start, end


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans in order, overlapping ones (words espeak ran together) as one, their phonemes joined."""
    merged: list[tuple[int, int, str]] = []
    for start, end, phonemes in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged.pop()
            merged.append((last[0], max(end, last[1]), f"{last[2]} {phonemes}"))
        else:
            merged.append((start, end, phonemes))
    return merged


def tokenize(phonemes: str) -> list[int]:
    """Token ids for the v0.19 network, dropping symbols outside its vocabulary as v0.19 did."""
    return [VOCAB[p] for p in phonemes if p in VOCAB]
