"""One validation layer for every surface: the UI, the named Gradio API and the HTTP API.

Each check raises `InvalidInputError` naming the field and saying what to change, so the
three surfaces give the same answer to the same bad input.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping, Optional

from kokoro.pipeline import ALIASES as LANGUAGE_ALIASES  # 'en-us' -> 'a', …: what KPipeline accepts

from kokoro_ui.phonetics import notation, overrides
from kokoro_ui.builds import vocabulary
from kokoro_ui.engine import phoneme_input
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.weights.mix import MAX_TERMS, count_terms, is_mix, parse_mix

MIN_SPEED, MAX_SPEED = 0.5, 2.0
MAX_WORD_CHARS = 300  # a word longer than this would exceed 510 phonemes in one forward pass
MAX_VOICE_CHARS = 64
MAX_MIX_CHARS = MAX_TERMS * (MAX_VOICE_CHARS // 2)  # eight names with weights, and room for spaces
LANGUAGES = {"a": "en-US", "b": "en-GB", "e": "es", "f": "fr-FR", "h": "hi", "i": "it", "j": "ja",
             "p": "pt-BR", "z": "zh"}
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")


class InvalidInputError(KokoroUIError):
    """Input a user can fix; `field` names the input at fault, `param` the surface's own name for it if that differs."""

    def __init__(self, field: str, message: str, param: Optional[str] = None):
        super().__init__(message)
        self.field = field
        self.param = param


@dataclass(frozen=True)
class SpeechRequest:
    """A request every check has passed: safe to hand to a model."""

    text: str
    voice: str
    version: str
    speed: float
    lang: Optional[str]

    @property
    def characters(self) -> int:
        return len(self.text)


@dataclass(frozen=True)
class PhonemesRequest:
    """Phonemes to speak, every check passed: each symbol is in the release's vocabulary.

    Phonemes written in the other release's notation have been mapped (`notation`): `dropped`
    lists the symbols this release lacked, which were left out.
    """

    phonemes: str
    voice: str
    version: str
    speed: float
    notation: str = ""  # the notation the phonemes were written in ('' : the release's own)
    dropped: tuple[str, ...] = ()

    @property
    def characters(self) -> int:
        return len(self.phonemes)


def validate_speech(manager: ModelManager, text: object, voice: object, version: object = "v1.0",
                    speed: object = 1.0, lang: object = None) -> SpeechRequest:
    version = validate_version(manager, version)
    return SpeechRequest(validate_text(text, manager.settings.max_chars), validate_voice(manager, voice, version),
                         version, validate_speed(speed), validate_lang(lang))


def validate_text(text: object, max_chars: int) -> str:
    if not isinstance(text, str):
        raise InvalidInputError("text", f"Text must be a string, not {type(text).__name__}.")
    if not text.strip():
        raise InvalidInputError("text", "Text is empty: type something to say.")
    if len(text) > max_chars:
        raise InvalidInputError("text", f"Text is {len(text):,} characters long; the limit is {max_chars:,}.")
    control = next((ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS), None)
    if control is not None:
        raise InvalidInputError("text", f"Text contains a control character (U+{ord(control):04X}); remove it.")
    _refuse_lone_surrogates(text, "text", "Text")
    if not any(ch.isalnum() for ch in text):
        raise InvalidInputError("text", "Text has nothing to say: it has no letters or digits.")
    long_word = _LONG_WORD.search(text)
    if long_word:
        raise InvalidInputError(
            "text", f"Text has a {len(long_word.group()):,}-character word with no spaces; the longest "
            f"that can be spoken is {MAX_WORD_CHARS} characters.")
    validate_overrides(text)
    return text


def _refuse_lone_surrogates(value: str, field: str, what: str) -> None:
    """Half of a UTF-16 pair on its own (JSON's "\\ud800") is no character: nothing downstream can encode it."""
    position = next((index for index, ch in enumerate(value) if 0xD800 <= ord(ch) <= 0xDFFF), None)
    if position is not None:
        raise InvalidInputError(field, f"{what} is not valid Unicode: a lone surrogate (U+{ord(value[position]):04X}) "
                                       f"at character {position + 1}; send text as UTF-8.")


def validate_overrides(text: str) -> None:
    """Pronunciation overrides (`[word](/phonemes/)`) written correctly, in one notation, with symbols
    some release knows (symbols only one release knows are dropped by the other, and reported)."""
    try:
        found = overrides.parse(text)
        for override in found:
            notation.detect(override.phonemes)
    except KokoroUIError as error:
        raise InvalidInputError("text", str(error)) from None
    for override in found:
        unknown = unknown_everywhere(override.phonemes)
        if unknown:
            raise InvalidInputError("text", f"The override for {override.word[:30]!r} has symbols neither release "
                                    f"knows: {_named(unknown)}. Write its phonemes in espeak-ng's IPA (v0.19) or "
                                    f"misaki's symbols (v1.0), e.g. {overrides.EXAMPLE}.")


def unknown_everywhere(phonemes: str) -> list[str]:
    """The distinct symbols of `phonemes` that neither release has a token for."""
    known = vocabulary("v0.19") | vocabulary("v1.0")
    return [symbol for symbol in dict.fromkeys(phonemes) if symbol not in known]


def _named(symbols: list[str]) -> str:
    return ", ".join(phoneme_input.describe_symbol(symbol) for symbol in symbols)


def validate_version(manager: ModelManager, version: object) -> str:
    try:
        return manager.resolve_version(version)
    except KokoroUIError as error:
        raise InvalidInputError("version", str(error)) from None


def validate_voice(manager: ModelManager, voice: object, version: str) -> str:
    """The voice's name, or a mix of the release's voices written out in full (``af_bella(2)+af_sky(1)``)."""
    if not isinstance(voice, str):
        raise InvalidInputError("voice", f"Voice must be a voice name, not {type(voice).__name__}.")
    if not voice.strip():
        raise InvalidInputError("voice", "Voice is empty: choose a voice, e.g. af_heart.")
    _refuse_lone_surrogates(voice, "voice", "Voice")
    if is_mix(voice):
        return _validate_mix(manager, voice, version)
    if len(voice) > MAX_VOICE_CHARS:
        raise InvalidInputError("voice", f"Voice name is {len(voice):,} characters long; no voice name is longer than {MAX_VOICE_CHARS}.")
    try:
        return manager.voices(version).get(voice).id
    except KokoroUIError as error:
        raise InvalidInputError("voice", _other_release_hint(manager, voice, version) or str(error)) from None


def _validate_mix(manager: ModelManager, voice: str, version: str) -> str:
    if count_terms(voice) <= MAX_TERMS and len(voice) > MAX_MIX_CHARS:
        raise InvalidInputError("voice", f"The voice mix is {len(voice):,} characters long; a mix of "
                                f"{MAX_TERMS} voices fits in {MAX_MIX_CHARS}.")
    try:
        mix = parse_mix(voice)
    except KokoroUIError as error:
        raise InvalidInputError("voice", str(error)) from None
    for term in mix.terms:  # each voice must be one of this release's
        validate_voice(manager, term.voice_id, version)
    try:
        mix.voices(manager.voices(version))
    except KokoroUIError as error:  # voices of different languages
        raise InvalidInputError("voice", str(error)) from None
    return mix.name


def _other_release_hint(manager: ModelManager, voice: str, version: str) -> Optional[str]:
    """For a voice of another release: which one, since voices only work with their own."""
    owner = next((other for other in manager.versions() if other != version and voice in manager.voices(other).ids()),
                 None)
    if owner is None:
        return None
    return (f"Kokoro {version} has no voice {voice!r}: it is a voice of Kokoro {owner}, and a voice (or a mix) "
            f"works only with its own release.")


def validate_speed(speed: object) -> float:
    return number_in_range(speed, "speed", "Speed", MIN_SPEED, MAX_SPEED)


def number_in_range(value: object, field: str, noun: str, low: float, high: float, hint: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(field, f"{noun} must be a number, not {type(value).__name__}.")
    if not math.isfinite(value):
        raise InvalidInputError(field, f"{noun} must be a finite number, not {value}.")
    if not low <= value <= high:
        raise InvalidInputError(field, f"{noun} {value:g} is out of range: choose {low} to {high}{hint}.")
    return float(value)


def validate_lang(lang: object, field: str = "lang") -> Optional[str]:
    """A kokoro language code ('a'), or one of KPipeline's aliases for it ('en-us'), in any case."""
    if lang is None or lang == "":
        return None
    code = lang.strip().lower() if isinstance(lang, str) else None
    code = LANGUAGE_ALIASES.get(code, code)
    if code not in LANGUAGES:
        known = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
        raise InvalidInputError(field, f"Unknown language {str(lang)[:20]!r}; choose one of: {known}.")
    return code


def validate_release_lang(languages: Mapping[str, str], lang: str, version: str, field: str = "lang") -> str:
    """`lang` (already a known code) if the release speaks it here; `languages` is its front end's."""
    if lang not in languages:
        known = ", ".join(f"{code} ({name})" for code, name in languages.items())
        raise InvalidInputError(field, f"Kokoro {version} cannot speak language {lang!r} here; it speaks {known}.")
    return lang


# What a phoneme string may say it is written in; "auto" tells by its symbols (`notation.detect`).
PHONEME_NOTATIONS = {"auto": None, "own": "", "espeak": notation.ESPEAK, "misaki": notation.MISAKI,
                     **{version: name for version, name in notation.NOTATION_OF.items()}}


def validate_phoneme_notation(value: object, field: str = "phoneme_notation") -> Optional[str]:
    """`PHONEME_NOTATIONS`' meaning of `value` (None or '' : auto)."""
    if value is None or value == "":
        return None
    name = value.strip().lower() if isinstance(value, str) else value
    if name not in PHONEME_NOTATIONS:
        raise InvalidInputError(field, f"Unknown phoneme notation {str(value)[:20]!r}; choose one of: "
                                f"{', '.join(PHONEME_NOTATIONS)} (v0.19 is espeak-ng's IPA, v1.0 misaki's symbols).")
    return PHONEME_NOTATIONS[name]


def validate_phoneme_string(phonemes: object, max_chars: int) -> str:
    """A non-empty phoneme string within the length limit."""
    if not isinstance(phonemes, str):
        raise InvalidInputError("phonemes", f"Phonemes must be a string, not {type(phonemes).__name__}.")
    if not phonemes.strip():
        raise InvalidInputError("phonemes", "Phonemes are empty: give a phoneme string, e.g. from POST /dev/phonemize.")
    _refuse_lone_surrogates(phonemes, "phonemes", "Phonemes")
    if len(phonemes) > max_chars:
        raise InvalidInputError("phonemes", f"Phonemes are {len(phonemes):,} symbols long; the limit is {max_chars:,}.")
    return phonemes


def _check_known_somewhere(phonemes: str) -> None:
    unknown = unknown_everywhere(phonemes)
    if unknown:
        raise InvalidInputError("phonemes", f"Neither release has a token for {len(unknown)} of these symbols: "
                                f"{_named(unknown)}. Use espeak-ng's IPA (v0.19) or misaki's symbols (v1.0); "
                                f"POST /dev/phonemize shows each release's.")


def validate_phonemes(manager: ModelManager, phonemes: object, voice: object, version: object,
                      speed: object = 1.0, written_in: object = "own", lang: object = None) -> PhonemesRequest:
    """Phonemes for one release: in its own notation (`written_in` "own", the default: every symbol must
    be its), or in the other's or "auto"-detected, mapped into its own, what it lacks dropped and reported."""
    version = validate_version(manager, version)
    voice, speed = validate_voice(manager, voice, version), validate_speed(speed)
    source = validate_phoneme_notation(written_in)
    phonemes = validate_phoneme_string(phonemes, manager.settings.max_chars)
    own = notation.NOTATION_OF[version]
    if source is None:
        try:
            source = notation.detect(phonemes) or own
        except KokoroUIError as error:
            raise InvalidInputError("phonemes", str(error)) from None
    own_lacks = phoneme_input.unknown_symbols(phonemes, lambda symbol: [1] if symbol in vocabulary(version) else [])
    if source not in ("", own) or set(own_lacks) <= set(unknown_everywhere(phonemes)):
        _check_known_somewhere(phonemes)  # else the release's own message below lists all it lacks
    if source in ("", own):
        try:
            phoneme_input.check_symbols(phonemes, lambda symbol: [1] if symbol in vocabulary(version) else [], version)
        except phoneme_input.UnknownPhonemesError as error:
            raise InvalidInputError("phonemes", str(error)) from None
        return PhonemesRequest(phonemes, voice, version, speed)
    accent = validate_lang(lang) or parse_mix(voice).voices(manager.voices(version))[0].language
    mapped = notation.convert(phonemes, source, own, accent, vocabulary(version))
    if not mapped.phonemes.strip():
        raise InvalidInputError("phonemes", f"Nothing is left to say: {mapped.note}")
    return PhonemesRequest(mapped.phonemes, voice, version, speed, source, mapped.dropped)
