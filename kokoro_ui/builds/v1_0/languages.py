"""Which languages Kokoro v1.0 speaks on this server: each one's G2P, built on first use and shared.

Whether a language is available is decided without building its G2P, so that listing voices
(the gallery, the Compare dropdowns, ``GET /v1/audio/voices``) costs nothing at start: building
all nine pipelines took 5–17 s and 300–550 MB, most of it for languages nobody may ask for. The
verdict comes from the packages misaki needs for the language being installed (found, not
imported: `importlib.util.find_spec`), English's spaCy model included, since misaki would
otherwise try to download it. Once a language's pipeline has been built (its first use), that
build is the verdict: a package that is installed but cannot work (a missing dictionary, a
download that fails offline) makes the language unavailable from then on, with the real reason.

A pipeline is built once per process and shared by every v1.0 front end (they are large: ~100 MB
each for English, ~125 MB for Mandarin, ~60 MB for Japanese), under one lock, `G2P_LOCK` (spaCy,
espeak-ng and MeCab are not re-entrant).

Boundary: text to phonemes only. Which voices a language has, and how each surface shows that a
voice cannot speak, is `kokoro_ui.services.languages`' business.
"""

import importlib.util
import logging
import threading
from typing import Union

from kokoro import KPipeline
from kokoro.pipeline import LANG_CODES

from kokoro_ui.errors import UnsupportedLanguageError

log = logging.getLogger(__name__)

G2P_LOCK = threading.RLock()  # re-entrant: a front end holding it may build a pipeline
_PROBE_WORDS = {"a": "hello", "b": "hello", "e": "hola", "f": "bonjour", "h": "नमस्ते", "i": "ciao",
                "j": "日本", "p": "olá", "z": "中文"}
_ESPEAK = ("phonemizer", "espeakng_loader")
# The modules each language's G2P imports (misaki's own and its dependencies), and in words what to
# install. Japanese: misaki[ja] itself would pull `unidic`, whose dictionary is a run-time download;
# requirements.txt installs unidic-lite, which ships inside its wheel.
_NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "a": (("misaki.en", "spacy", "num2words", "en_core_web_sm"), "misaki[en] and spaCy's en_core_web_sm"),
    "b": (("misaki.en", "spacy", "num2words", "en_core_web_sm"), "misaki[en] and spaCy's en_core_web_sm"),
    **{lang: (("misaki.espeak", *_ESPEAK), "phonemizer-fork and espeakng-loader") for lang in "efhip"},
    "j": (("misaki.ja", "pyopenjtalk", "fugashi", "unidic_lite", "jaconv", "mojimoji"),
          "fugashi, unidic-lite, pyopenjtalk-plus, jaconv and mojimoji"),
    "z": (("misaki.zh", "jieba", "pypinyin", "cn2an", "ordered_set"), "jieba, pypinyin, cn2an and ordered-set"),
}
_built: dict[tuple[str, str], Union[KPipeline, str]] = {}  # (hub repo, lang) -> pipeline, or why not


def pipeline(hub_repo: str, lang: str) -> KPipeline:
    """The process's G2P pipeline for `lang`, or `UnsupportedLanguageError` saying why it cannot be built."""
    reason = _missing(lang)
    if reason:
        raise UnsupportedLanguageError(reason)
    with G2P_LOCK:
        if (hub_repo, lang) not in _built:
            _built[hub_repo, lang] = _try_build(hub_repo, lang)
        built = _built[hub_repo, lang]
    if isinstance(built, str):
        raise UnsupportedLanguageError(built)
    return built


def unavailable_reason(hub_repo: str, lang: str) -> str:
    """'' when Kokoro v1.0 can speak `lang` here; otherwise why not, in words for the person who asked.

    Builds nothing: the language's packages are looked for, or its pipeline's build, if one was tried, decides.
    """
    built = _built.get((hub_repo, lang))
    if isinstance(built, str):
        return built
    return "" if built is not None else _missing(lang)


def _missing(lang: str) -> str:
    """Why `lang`'s G2P cannot be built because a package it needs is not installed; '' if all are."""
    modules, needs = _NEEDS.get(lang, ((), "its G2P package"))
    absent = [module for module in modules if not _installed(module)]
    if lang not in LANG_CODES or absent:
        name = LANG_CODES.get(lang, repr(lang))
        detail = f"not installed: {', '.join(absent)}" if absent else "not a language of the kokoro package"
        return f"Kokoro v1.0 cannot speak {name} on this server: it needs {needs} ({detail})."
    return ""


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None  # None also when an import of it is blocked
    except (ImportError, ValueError):  # its parent package is missing, or is in sys.modules without a spec
        return False


def _try_build(hub_repo: str, lang: str) -> Union[KPipeline, str]:
    name = LANG_CODES.get(lang, lang)
    try:
        built = KPipeline(lang_code=lang, repo_id=hub_repo, model=False)
        spoken = "".join(result.phonemes for result in built(_PROBE_WORDS.get(lang, "hello")))
    except (ImportError, OSError, RuntimeError) as error:  # a missing package, dictionary or espeak voice
        needs = _NEEDS.get(lang, ((), "its G2P package"))[1]
        reason = f"Kokoro v1.0 cannot speak {name} on this server: it needs {needs} ({type(error).__name__}: {error})."
        log.warning("%s", reason)
        return reason
    if not spoken.strip():
        return f"Kokoro v1.0 cannot speak {name} on this server: its G2P turned a {name} word into no sounds."
    return built
