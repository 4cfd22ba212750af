"""Which languages Kokoro v1.0 speaks on this server: each one's G2P, built once per process and shared.

A language is available when `KPipeline(lang, model=False)` can be built here and turns a word of
that language into phonemes. That is the only test: a G2P package that imports but lacks its
dictionary, or would fetch one at run time (which fails offline), counts as missing, and nothing
is guessed from imports. The verdict, and the pipeline when there is one, are kept for the life
of the process, so every v1.0 front end uses the same pipelines (they are large: ~100 MB each for
English, ~125 MB for Mandarin, ~60 MB for Japanese) under one lock, `G2P_LOCK` (spaCy, espeak-ng
and MeCab are not re-entrant).

Boundary: text to phonemes only. Which voices a language has, and how each surface shows that a
voice cannot speak, is `kokoro_ui.availability`'s business.
"""

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
# What each language's G2P needs beyond misaki[en] (misaki[ja] itself would pull `unidic`, whose
# dictionary is a run-time download; requirements.txt installs unidic-lite, which ships inside its wheel).
_PACKAGES = {"j": "fugashi, unidic-lite, pyopenjtalk-plus, jaconv and mojimoji",
             "z": "jieba, pypinyin, pypinyin-dict, cn2an and ordered-set"}
_built: dict[tuple[str, str], Union[KPipeline, str]] = {}  # (hub repo, lang) -> pipeline, or why not


def pipeline(hub_repo: str, lang: str) -> KPipeline:
    """The process's G2P pipeline for `lang`, or `UnsupportedLanguageError` saying why it cannot be built."""
    built = _build(hub_repo, lang)
    if isinstance(built, str):
        raise UnsupportedLanguageError(built)
    return built


def unavailable_reason(hub_repo: str, lang: str) -> str:
    """'' when Kokoro v1.0 can speak `lang` here; otherwise why not, in words for the person who asked."""
    built = _build(hub_repo, lang)
    return built if isinstance(built, str) else ""


def _build(hub_repo: str, lang: str) -> Union[KPipeline, str]:
    with G2P_LOCK:
        if (hub_repo, lang) not in _built:
            _built[hub_repo, lang] = _try_build(hub_repo, lang)
        return _built[hub_repo, lang]


def _try_build(hub_repo: str, lang: str) -> Union[KPipeline, str]:
    name = LANG_CODES.get(lang, lang)
    try:
        built = KPipeline(lang_code=lang, repo_id=hub_repo, model=False)
        spoken = "".join(result.phonemes for result in built(_PROBE_WORDS.get(lang, "hello")))
    except (ImportError, OSError, RuntimeError) as error:  # a missing package, dictionary or espeak voice
        needs = _PACKAGES.get(lang, "its G2P package")
        reason = f"Kokoro v1.0 cannot speak {name} on this server: it needs {needs} ({type(error).__name__}: {error})."
        log.warning("%s", reason)
        return reason
    if not spoken.strip():
        return f"Kokoro v1.0 cannot speak {name} on this server: its G2P turned a {name} word into no sounds."
    return built
