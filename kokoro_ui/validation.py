"""One validation layer for every surface: the UI, the named Gradio API and the HTTP API.

Each check raises `InvalidInputError` naming the field and saying what to change, so the
three surfaces give the same answer to the same bad input.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from kokoro_ui.errors import KokoroUIError
from kokoro_ui.manager import ModelManager
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
    """Input a user can fix; `field` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SpeechRequest:
    """A request every check has passed: safe to hand to a model."""

    text: str
    voice: str
    version: str
    speed: float
    lang: Optional[str]


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
    if not any(ch.isalnum() for ch in text):
        raise InvalidInputError("text", "Text has nothing to say: it has no letters or digits.")
    long_word = _LONG_WORD.search(text)
    if long_word:
        raise InvalidInputError(
            "text", f"Text has a {len(long_word.group()):,}-character word with no spaces; the longest "
            f"that can be spoken is {MAX_WORD_CHARS} characters.")
    return text


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
    if isinstance(speed, bool) or not isinstance(speed, (int, float)):
        raise InvalidInputError("speed", f"Speed must be a number, not {type(speed).__name__}.")
    if not math.isfinite(speed):
        raise InvalidInputError("speed", f"Speed must be a finite number, not {speed}.")
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidInputError("speed", f"Speed {speed:g} is out of range: choose {MIN_SPEED} to {MAX_SPEED}.")
    return float(speed)


def validate_lang(lang: object) -> Optional[str]:
    if lang is None or lang == "":
        return None
    if not isinstance(lang, str) or lang not in LANGUAGES:
        known = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
        raise InvalidInputError("lang", f"Unknown language {str(lang)[:20]!r}; choose one of: {known}.")
    return lang


def validate_model(manager: ModelManager, model: object, version: object = None) -> str:
    """The release an OpenAI-style request asks for by `model` ('kokoro' means the default
    release; 'kokoro-v1.0', 'kokoro-v0.19') and/or `version`; if both name one, they must agree."""
    from_model = None
    if model not in (None, "", "kokoro"):
        models = ", ".join(["kokoro"] + [f"kokoro-{name}" for name in manager.versions()])
        unknown = InvalidInputError("model", f"Unknown model {str(model)[:40]!r}; choose one of: {models}.")
        if not isinstance(model, str) or not model.strip().lower().startswith("kokoro-"):
            raise unknown
        try:
            from_model = manager.resolve_version(model)
        except KokoroUIError:
            raise unknown from None
    from_version = None if version in (None, "") else validate_version(manager, version)
    if from_model and from_version and from_model != from_version:
        raise InvalidInputError(
            "version", f"model {model!r} asks for Kokoro {from_model} but version {version!r} asks for "
            f"{from_version}: give one of them, or make them agree.")
    return from_model or from_version or manager.resolve_version()  # the default release
