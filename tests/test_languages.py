"""Every language the server offers speaks its own language; one that cannot is marked unavailable.

Speech here runs on the session's synthetic weights, whose durations are speech-like (~3.5 frames
per token), so lengths are checked per phoneme. That the phonemes are of the right language is
checked against espeak-ng's own reading of the sentence in that language, and in English.
"""

import difflib
import json
import subprocess
import sys

import espeakng_loader
import numpy as np
import pytest
from phonemizer.backend import EspeakBackend
from phonemizer.backend.espeak.wrapper import EspeakWrapper

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.services.languages import SAMPLE_SENTENCES, language_availability, sample_sentence

V1_LANGUAGES = "abefhijpz"
ESPEAK_CODES = {"e": "es", "f": "fr-fr", "h": "hi", "i": "it", "p": "pt-br"}  # misaki's espeak fallback languages


def spoken(release, lang: str):
    """The language's sample sentence in its first voice, in one pass where it fits (fewer passes, less CPU)."""
    voice = next(voice for voice in release.voices if voice.language == lang)
    return list(release.stream(sample_sentence(lang), voice.id, fast_first=False))


def espeak(text: str, language: str) -> str:
    EspeakWrapper.set_library(espeakng_loader.get_library_path())
    EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
    return EspeakBackend(language, preserve_punctuation=True, with_stress=True).phonemize([text])[0]


def test_every_language_of_both_releases_has_a_sample_sentence_of_its_own(v1, v019):
    languages = {voice.language for release in (v1, v019) for voice in release.voices}
    assert languages == set(V1_LANGUAGES) == set(SAMPLE_SENTENCES)
    assert len(set(SAMPLE_SENTENCES.values())) == len(SAMPLE_SENTENCES) - 1  # en-US and en-GB share theirs


@pytest.mark.parametrize("lang", V1_LANGUAGES)
def test_each_language_speaks_its_sentence_with_audio_of_plausible_length(v1, lang):
    """(v0.19's two languages speak in every other test of the suite.)"""
    assert language_availability("v1.0", lang).available, language_availability("v1.0", lang).reason
    chunks = spoken(v1, lang)
    audio = np.concatenate([chunk.audio for chunk in chunks])
    phonemes = sum(len(chunk.phonemes) for chunk in chunks)
    assert phonemes >= 10 and np.abs(audio).max() > 0.01
    assert 0.03 * phonemes < len(audio) / SAMPLE_RATE_HZ < 0.3 * phonemes


@pytest.mark.parametrize("lang", sorted(ESPEAK_CODES))
def test_espeak_languages_get_espeak_s_own_phonemes_for_that_language_not_english(v1, lang):
    ours = "".join(chunk.phonemes for chunk in v1.frontend.segments(sample_sentence(lang), lang))
    own, english = espeak(sample_sentence(lang), ESPEAK_CODES[lang]), espeak(sample_sentence(lang), "en-us")
    like_own = difflib.SequenceMatcher(None, ours, own).ratio()
    like_english = difflib.SequenceMatcher(None, ours, english).ratio()
    assert like_own > 0.9 and like_own > like_english + 0.1


def test_japanese_is_read_as_japanese_sounds(v1):
    phonemes = "".join(segment.phonemes for segment in v1.frontend.segments(sample_sentence("j"), "j"))
    assert "koɲɲiʨiβa" in phonemes  # こんにちは, read by misaki's own Japanese G2P
    assert not any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in phonemes)


def test_mandarin_is_read_with_its_tones(v1):
    phonemes = "".join(segment.phonemes for segment in v1.frontend.segments(sample_sentence("z"), "z"))
    assert phonemes.startswith("ni↓xau↓")  # 你好: two third tones
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in phonemes)


def test_v0_19_says_why_it_cannot_speak_a_language_it_never_had():
    availability = language_availability("v0.19", "j")
    assert not availability.available and "Kokoro v0.19 cannot speak" in availability.reason


UNAVAILABLE_PROBE = """
import json, sys
sys.modules["pyopenjtalk"] = None  # as on a server without Japanese's G2P: importing it fails
from fastapi.testclient import TestClient
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.serving.server import create_app
from kokoro_ui.config.settings import Settings
from kokoro_ui.ui.compare_tab import voice_choices
from kokoro_ui.ui.gallery_cards import gallery_cards

manager = ModelManager(Settings(weights="synthetic"))
with TestClient(create_app(manager)) as client:
    listed = client.get("/v1/audio/voices").json()["voices"]
    speech = client.post("/v1/audio/speech", json={"input": "こんにちは", "voice": "jf_alpha"})
card = next(card for card in gallery_cards(manager) if card.voice.id == "jf_alpha")
print(json.dumps({"api": {voice["id"]: [voice["available"], voice["reason"]] for voice in listed},
                  "speech": [speech.status_code, speech.json()["error"]["message"]],
                  "card": [card.availability.available, card.label],
                  "choices": dict((value, label) for label, value in voice_choices(manager, "v1.0"))}))
"""


@pytest.mark.slow  # a process of its own that builds every language's pipeline
def test_a_language_whose_g2p_cannot_be_built_here_is_marked_unavailable_everywhere():
    """In a process of its own, since availability is decided once per process."""
    done = subprocess.run([sys.executable, "-c", UNAVAILABLE_PROBE], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    available, reason = seen["api"]["jf_alpha"]
    assert available is False and "cannot speak Japanese on this server" in reason
    assert seen["api"]["af_heart"] == [True, None] and seen["api"]["zf_xiaobei"] == [True, None]
    assert seen["speech"][0] == 400 and "cannot speak Japanese" in seen["speech"][1]
    assert seen["card"][0] is False and "Can't be played here" in seen["card"][1]
    assert "can't speak on this server" in seen["choices"]["jf_alpha"]
    assert "can't speak" not in seen["choices"]["af_heart"]
