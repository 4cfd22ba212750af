"""OpenAI's and Kokoro-FastAPI's request conventions, as this API honours or refuses them.

Model names (`kokoro`, `tts-1`, ...), OpenAI's voice names, Kokoro-FastAPI's `voice_aliases`,
`volume_multiplier`, `lang_code`, `normalization_options`, download options, voice tags and SSML.
Only the HTTP API has these fields; the checks every surface shares are `services.validation`'s,
and every refusal is the same `InvalidInputError`, naming the field.
"""

from typing import Mapping, Optional

from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.validation import (LANGUAGES, MAX_SPEED, MAX_VOICE_CHARS, MIN_SPEED, InvalidInputError,
                                           number_in_range, validate_lang, validate_version)

MIN_VOLUME, MAX_VOLUME = 0.0, 5.0  # a multiplier of the samples; loud passages clip above ~2
MIN_ALIAS_RATE, MAX_ALIAS_RATE = 0.25, 4.0  # Kokoro-FastAPI's bounds for a voice alias's rate
MAX_VOICE_ALIASES = 32
DEFAULT_MODEL_NAMES = ("kokoro", "tts-1", "tts-1-hd", "gpt-4o-mini-tts")  # each selects the default release
# OpenAI's voice names as Kokoro-FastAPI maps them (Open WebUI and SillyTavern send these); each
# target is a voice of both releases.
OPENAI_VOICES = {"alloy": "am_adam", "ash": "af_nicole", "coral": "bf_emma", "echo": "af_bella", "fable": "af_sarah",
                 "onyx": "bm_george", "nova": "bf_isabella", "sage": "am_michael", "shimmer": "af_sky"}
_FASTAPI_NORMALIZER_RULES = {"unit_normalization": "units (10KB as 10 kilobytes)", "url_normalization": "URLs",
                             "email_normalization": "email addresses", "phone_normalization": "phone numbers",
                             "optional_pluralization_normalization": "optional plurals ('word(s)')",
                             "replace_remaining_symbols": "the remaining symbols as words"}


def validate_lang_code(lang: object, lang_code: object) -> Optional[str]:
    """`lang` and Kokoro-FastAPI's `lang_code` say the same thing: give either, or both if they agree."""
    from_lang, from_code = validate_lang(lang), validate_lang(lang_code, "lang_code")
    if from_lang and from_code and from_lang != from_code:
        raise InvalidInputError("lang_code", f"lang {lang!r} and lang_code {lang_code!r} name different languages "
                                f"({LANGUAGES[from_lang]} and {LANGUAGES[from_code]}): give one of them.")
    return from_lang or from_code


def validate_volume(volume: object) -> float:
    """A multiplier of the samples (None: unchanged), as Kokoro-FastAPI's `volume_multiplier`."""
    if volume is None:
        return 1.0
    return number_in_range(volume, "volume_multiplier", "Volume", MIN_VOLUME, MAX_VOLUME, " (1 leaves it unchanged)")


def model_names(manager: ModelManager) -> dict[str, str]:
    """Every model name the API answers to, and the release it selects: 'kokoro' and OpenAI's
    names (as Kokoro-FastAPI maps them) select the default release, 'kokoro-<version>' one."""
    default = manager.resolve_version()
    return {"kokoro": default, **{f"kokoro-{version}": version for version in manager.versions()},
            **{name: default for name in DEFAULT_MODEL_NAMES}}


def validate_model(manager: ModelManager, model: object, version: object = None) -> str:
    """The release an OpenAI-style request asks for by `model` (`model_names`; also aliases such as
    'kokoro-v1_0') and/or `version`; if both name one, they must agree."""
    from_model = None
    if model not in (None, "", *DEFAULT_MODEL_NAMES):
        models = ", ".join(model_names(manager))
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


def resolve_voice_name(voice: object, aliases: Optional[Mapping[str, tuple[str, Optional[float]]]] = None
                       ) -> tuple[object, Optional[float]]:
    """The voice an API request means, and the rate its alias carries (None if none).

    `aliases` (Kokoro-FastAPI's `voice_aliases`: name -> (voice, rate)) are looked up first, the
    name as given and then in any case; then OpenAI's voice names, as Kokoro-FastAPI maps them.
    Whatever comes out is still to be checked by `validate_voice`.
    """
    rate = None
    if aliases and isinstance(voice, str):
        _check_aliases(aliases)
        folded = {name.strip().casefold(): target for name, target in aliases.items()}
        target = aliases.get(voice.strip()) or folded.get(voice.strip().casefold())
        if target is not None:
            voice, rate = target
    return (OPENAI_VOICES.get(voice, voice) if isinstance(voice, str) else voice), rate


def aliased_speed(speed: float, rate: Optional[float]) -> float:
    """The request's speed times its voice alias's rate, held in range as Kokoro-FastAPI holds it."""
    return speed if rate is None else min(max(speed * rate, MIN_SPEED), MAX_SPEED)


def _check_aliases(aliases: Mapping[str, tuple[str, Optional[float]]]) -> None:
    if len(aliases) > MAX_VOICE_ALIASES:
        raise InvalidInputError("voice_aliases", f"{len(aliases)} voice aliases are more than the "
                                f"{MAX_VOICE_ALIASES} one request may define.")
    for name, (_, rate) in aliases.items():
        if not name.strip() or len(name) > MAX_VOICE_CHARS:
            raise InvalidInputError("voice_aliases", f"A voice alias's name must be 1 to {MAX_VOICE_CHARS} "
                                    f"characters, not {len(name.strip())}.")
        if rate is not None:
            number_in_range(rate, "voice_aliases", f"The rate of voice alias {name[:20]!r}", MIN_ALIAS_RATE,
                             MAX_ALIAS_RATE)


def validate_normalization(options: Mapping[str, bool], version: str) -> None:
    """Kokoro-FastAPI's `normalization_options`, the ones a request set: honoured, or refused.

    `normalize` is each release's own text normalisation: v0.19's normaliser (which cannot be
    switched off: it is part of the release) or misaki's own reading of numbers (v1.0, where
    nothing runs before misaki either way). The other options switch rules of Kokoro-FastAPI's
    own normaliser, which neither release has: asking for one is refused, declining one is what
    happens anyway.
    """
    if options.get("normalize") is False and version == "v0.19":
        raise InvalidInputError("normalization_options", "normalize: false is not supported for v0.19: its text "
                                "normaliser is part of the release (its network learned from what the normaliser "
                                "writes), so it always runs. Leave it out, or use v1.0.")
    for option, what in _FASTAPI_NORMALIZER_RULES.items():
        if options.get(option) is True:
            raise InvalidInputError("normalization_options", f"{option}: true is not supported here: rewriting "
                                    f"{what} is a rule of Kokoro-FastAPI's own normaliser, which neither release "
                                    f"has; each reads them with its own front end. Leave it out.")


def validate_download(link: bool, download_format: Optional[str], response_format: str, timing: bool) -> Optional[str]:
    """The format of the download copy a request asks for (`return_download_link`), or None for none."""
    if link:
        return download_format or response_format
    for field, value in (("download_format", download_format), ("return_timing", timing)):
        if value:
            raise InvalidInputError(field, f"{field} is about the download copy: it needs return_download_link: true.")
    return None


def refuse_markup(allow_voice_tags: bool, ssml: bool) -> None:
    """Kokoro-FastAPI's inline voice tags and SSML: not offered here, and said so rather than read aloud."""
    if allow_voice_tags:
        raise InvalidInputError("allow_voice_tags", "Inline voice tags ([voice:name], [rate:1.2]) are not supported "
                                "here: Kokoro A/B speaks one voice per request, so that the two releases can be "
                                "compared on it. Leave allow_voice_tags out, and name the voice in 'voice'.")
    if ssml:
        raise InvalidInputError("ssml", "SSML input is not supported here: send plain text, and leave ssml out.")
