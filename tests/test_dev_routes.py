"""Kokoro-FastAPI's development routes: /dev/phonemize and /dev/generate_from_phonemes, per release.

Bad bodies get a 4xx in OpenAI's error shape, never a 500: checked for the cases one thinks of,
and for the rest by a Hypothesis property over both routes' bodies.
"""

import io
import json

import pytest
import soundfile
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import THREE_PARAGRAPHS
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from helpers.api_errors import assert_openai_error


@pytest.mark.parametrize("version, language, expected", [
    ("v1.0", "a", "həlˈO wˈɜɹld!"),  # misaki
    ("v1.0", "b", "həlˈQ wˈɜːld!"),
    ("v0.19", "a", "həlˈoʊ wˈɜːld!"),  # espeak-ng
    ("v0.19", "en-gb", "həlˈəʊ wˈɜːld!"),  # KPipeline's alias for 'b'
])
def test_phonemize_gives_the_release_phonemes_and_its_token_ids_between_pads(api, request, version, language,
                                                                             expected):
    release = request.getfixturevalue("v1" if version == "v1.0" else "v019")
    body = api.post("/dev/phonemize", json={"text": "Hello world!", "language": language, "version": version}).json()
    assert body == {"phonemes": expected, "tokens": [0, *release.frontend.tokenize(expected), 0], "version": version}


def test_phonemize_defaults_to_american_english_and_v1_0(api):
    assert api.post("/dev/phonemize", json={"text": "Hello world!"}).json()["phonemes"] == "həlˈO wˈɜɹld!"


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_phonemize_joins_every_chunk_of_a_long_text(api, request, version):
    release = request.getfixturevalue("v1" if version == "v1.0" else "v019")
    chunks = [segment.phonemes for segment in release.frontend.segments(THREE_PARAGRAPHS, "a")]
    body = api.post("/dev/phonemize", json={"text": THREE_PARAGRAPHS, "version": version}).json()
    assert len(chunks) > 1 and body["phonemes"] == " ".join(chunks)


@pytest.mark.parametrize("body, param, words", [
    ({"text": ""}, "text", ["empty"]),
    ({}, "text", ["missing", "'text'"]),
    ({"text": "Hi.", "language": "xx"}, "language", ["xx", "en-US"]),
    ({"text": "Hi.", "language": "e", "version": "v0.19"}, "language", ["v0.19", "'e'", "American English"]),
    ({"text": "Hi.", "version": "v3"}, "version", ["v3"]),
    ({"text": "Hi.", "lang": "a"}, "lang", ["unknown field"]),
], ids=["empty", "missing", "unknown-language", "language-of-the-other-release", "unknown-version", "unknown-field"])
def test_phonemize_refuses_bad_input_naming_the_field(api, body, param, words):
    assert_openai_error(api.post("/dev/phonemize", json=body), 400, param, *words)


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_generate_from_phonemes_answers_a_wav_that_says_what_made_it(api, version):
    phonemes = api.post("/dev/phonemize", json={"text": "Hello world!", "version": version}).json()["phonemes"]
    response = api.post("/dev/generate_from_phonemes", json={"phonemes": phonemes, "voice": "af_sky",
                                                             "version": version})
    assert response.status_code == 200 and response.headers["Content-Type"] == "audio/wav"
    assert (response.headers["X-Kokoro-Version"], response.headers["X-Kokoro-Voice"]) == (version, "af_sky")
    assert response.headers["X-Kokoro-Warning"] == "synthetic weights: noise, not speech"
    audio, rate = soundfile.read(io.BytesIO(response.content), dtype="int16")
    assert rate == SAMPLE_RATE_HZ
    assert len(audio) == round(float(response.headers["X-Kokoro-Audio-Seconds"]) * SAMPLE_RATE_HZ) > 0


def test_generate_from_phonemes_uses_the_release_default_voice_when_none_is_named(api):
    response = api.post("/dev/generate_from_phonemes", json={"phonemes": "hˈI.", "version": "v0.19"})
    assert response.headers["X-Kokoro-Voice"] == "af"


@pytest.mark.parametrize("body, param, words", [
    ({"phonemes": "həlˈO ɫ\nʔ", "voice": "af_bella"}, "phonemes", ["2 of these symbols", "'ɫ' (U+026B)", "U+000A"]),
    ({"phonemes": "hˈI ʣ", "voice": "af", "version": "v0.19"}, "phonemes", ["v0.19", "'ʣ'"]),
    ({"phonemes": "  ", "voice": "af_bella"}, "phonemes", ["empty"]),
    ({"phonemes": "ə " * 2_600, "voice": "af_bella"}, "phonemes", ["5,200 symbols", "5,000"]),
    ({"voice": "af_bella"}, "phonemes", ["missing"]),
    ({"phonemes": 42}, "phonemes", ["string"]),
    ({"phonemes": "hˈI", "voice": "af"}, "voice", ["v1.0", "'af'"]),
    ({"phonemes": "hˈI", "voice": "af_bella", "speed": 2}, "speed", ["unknown field"]),
], ids=["unknown-symbols", "v0-19-vocabulary", "blank", "too-long", "missing", "not-a-string", "voice-of-v0-19",
        "unknown-field"])
def test_generate_from_phonemes_refuses_bad_input_naming_the_field(api, body, param, words):
    assert_openai_error(api.post("/dev/generate_from_phonemes", json=body), 400, param, *words)


ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                    max_size=3), max_leaves=6)
PHONEME_SYMBOLS = st.text(alphabet="həlˈOwɜɹd!. ɫʣ\n\x00\u200b", max_size=12)  # some in a vocabulary, some in none
VERSION = st.sampled_from([None, "v1.0", "v0.19", "1.0", "v2", ""]) | ANY_JSON
VOICE = st.sampled_from([None, "af_bella", "af", "af_heart", "", "nobody"]) | ANY_JSON
BODIES = {
    "/dev/phonemize": st.fixed_dictionaries(
        {}, optional={"text": st.text(max_size=30) | ANY_JSON, "language": st.sampled_from(["a", "b", "e", "EN-US", "x"])
                      | ANY_JSON, "version": VERSION, "extra": ANY_JSON}),
    "/dev/generate_from_phonemes": st.fixed_dictionaries(
        {}, optional={"phonemes": PHONEME_SYMBOLS | ANY_JSON, "voice": VOICE, "version": VERSION, "extra": ANY_JSON}),
}


@pytest.mark.parametrize("route", list(BODIES))
def test_no_body_makes_a_dev_route_answer_500(api, route):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=BODIES[route] | ANY_JSON)
    def property_(body):
        response = api.post(route, content=json.dumps(body), headers={"Content-Type": "application/json"})
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            error = response.json()["error"]
            assert error["message"] and "Traceback" not in error["message"]

    property_()
