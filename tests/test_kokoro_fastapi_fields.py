"""Every field and route of Kokoro-FastAPI's that the README's compatibility table names, one behaviour each:
what is honoured does what Kokoro-FastAPI documents, what is refused is a 4xx that says why."""

import io

import httpx
import numpy as np
import pytest
import soundfile
import torch

from kokoro_ui.api.not_provided import NOT_PROVIDED
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.api.compatibility import OPENAI_VOICES

TEXT = "Hello world!"


def speak(api: httpx.Client, **body) -> httpx.Response:
    response = api.post("/v1/audio/speech", json={"input": TEXT, "response_format": "wav", **body})
    assert response.status_code == 200, response.text
    return response


def samples(response: httpx.Response) -> np.ndarray:
    if response.headers["Content-Type"] == "audio/pcm":
        return np.frombuffer(response.content, dtype="<i2")
    return soundfile.read(io.BytesIO(response.content), dtype="int16")[0]


def seeded(api: httpx.Client, **body) -> np.ndarray:
    """The same run every time: the server is in this process, and the decoder draws from torch's global RNG."""
    torch.manual_seed(5)
    return samples(speak(api, **body)).astype(np.int32)


def assert_refused(response: httpx.Response, param, *words: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["param"] == param
    for word in words:
        assert word.lower() in error["message"].lower(), error["message"]


# lang_code ---------------------------------------------------------------------------------

def test_lang_code_speaks_exactly_as_lang_does(api):
    british = "I schedule tomatoes on the route."
    as_lang = samples(speak(api, input=british, voice="af_heart", lang="b"))
    as_lang_code = samples(speak(api, input=british, voice="af_heart", lang_code="b"))
    american = samples(speak(api, input=british, voice="af_heart", lang_code="a"))
    assert len(as_lang_code) == len(as_lang) != len(american)  # the same phonemes, so the same durations


def test_lang_code_takes_kpipeline_aliases(api):
    assert speak(api, lang_code="en-gb", version="v0.19", voice="bf_emma").status_code == 200


def test_lang_and_lang_code_that_disagree_are_refused(api):
    assert_refused(api.post("/v1/audio/speech", json={"input": TEXT, "lang": "a", "lang_code": "b"}), "lang_code",
                   "different languages", "en-US", "en-GB")


def test_an_unknown_lang_code_is_refused_by_that_name(api):
    assert_refused(api.post("/v1/audio/speech", json={"input": TEXT, "lang_code": "q"}), "lang_code", "'q'")


# volume_multiplier -------------------------------------------------------------------------

def test_volume_multiplier_scales_every_sample(api):
    plain, quiet = seeded(api, response_format="pcm"), seeded(api, response_format="pcm", volume_multiplier=0.5)
    assert len(plain) == len(quiet) and np.abs(plain).max() > 100
    assert np.abs(quiet - plain * 0.5).max() <= 1  # int16 rounding, no more


def test_a_loud_volume_clips_instead_of_wrapping_round(api):
    plain, loud = seeded(api), seeded(api, volume_multiplier=5)
    assert loud.max() == 32767 and loud.min() <= -32767
    audible = np.abs(plain) > 16
    assert np.all(np.sign(loud[audible]) == np.sign(plain[audible]))  # a wrapped sample would flip sign


def test_volume_multiplier_null_leaves_the_volume_alone(api):
    assert np.array_equal(seeded(api), seeded(api, volume_multiplier=None))


@pytest.mark.parametrize("volume, words", [(6, ["range", "0.0 to 5.0"]), (-1, ["range"]), ("loud", ["number"])])
def test_a_volume_out_of_range_is_refused(api, volume, words):
    assert_refused(api.post("/v1/audio/speech", json={"input": TEXT, "volume_multiplier": volume}),
                   "volume_multiplier", *words)


# normalization_options ---------------------------------------------------------------------

@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_normalize_true_is_each_release_own_front_end(api, version):
    with_option = speak(api, version=version, voice="af_sky", normalization_options={"normalize": True})
    without = speak(api, version=version, voice="af_sky")
    assert with_option.headers["X-Kokoro-Audio-Seconds"] == without.headers["X-Kokoro-Audio-Seconds"]


def test_normalize_false_on_v1_0_is_kpipeline_on_the_text_as_written(api):
    text = "Dr. Smith paid $3.50 on 3/4/2024."
    off = speak(api, input=text, voice="af_sky", normalization_options={"normalize": False})
    assert off.headers["X-Kokoro-Audio-Seconds"] == speak(api, input=text, voice="af_sky").headers[
        "X-Kokoro-Audio-Seconds"]  # nothing runs before misaki here either way


def test_normalize_false_on_v0_19_is_refused_because_its_normaliser_is_part_of_it(api):
    response = api.post("/v1/audio/speech", json={"input": TEXT, "version": "v0.19",
                                                  "normalization_options": {"normalize": False}})
    assert_refused(response, "normalization_options", "not supported for v0.19", "part of the release")


@pytest.mark.parametrize("option", ["unit_normalization", "url_normalization", "email_normalization",
                                    "optional_pluralization_normalization", "phone_normalization",
                                    "replace_remaining_symbols"])
def test_asking_for_a_rule_of_kokoro_fastapi_normaliser_is_refused(api, option):
    response = api.post("/v1/audio/speech", json={"input": TEXT, "normalization_options": {option: True}})
    assert_refused(response, "normalization_options", f"{option}: true is not supported here")


def test_declining_those_rules_is_what_happens_anyway(api):
    declined = {option: False for option in ("unit_normalization", "url_normalization", "email_normalization",
                                             "optional_pluralization_normalization", "phone_normalization",
                                             "replace_remaining_symbols")}
    assert speak(api, normalization_options={"normalize": True, **declined}).status_code == 200


def test_an_unknown_normalisation_option_is_refused(api):
    response = api.post("/v1/audio/speech", json={"input": TEXT, "normalization_options": {"spell_out": True}})
    assert_refused(response, "normalization_options", "unknown field 'spell_out' in 'normalization_options'")


# return_download_link, download_format, return_timing ----------------------------------------

def test_a_download_link_serves_the_same_audio_in_the_download_format(api):
    response = speak(api, response_format="mp3", return_download_link=True, download_format="wav")
    assert response.headers["Content-Type"] == "audio/mpeg"
    download = api.get(f"/v1{response.headers['X-Download-Path']}", params={"name": "greeting"})
    assert download.status_code == 200 and download.headers["Content-Type"] == "audio/wav"
    assert download.headers["Content-Disposition"] == 'attachment; filename="greeting.wav"'
    seconds = float(response.headers["X-Kokoro-Audio-Seconds"])
    assert len(samples(download)) == round(seconds * SAMPLE_RATE_HZ)
    assert int(response.headers["X-Kokoro-Download-Expires-In-S"]) == 3600


def test_a_streamed_wav_download_is_a_whole_file_with_true_sizes(api):
    with api.stream("POST", "/v1/audio/speech", json={"input": TEXT, "response_format": "wav", "stream": True,
                                                      "return_download_link": True}) as response:
        streamed = b"".join(response.iter_bytes())
    download = api.get(f"/v1{response.headers['X-Download-Path']}")
    assert soundfile.info(io.BytesIO(download.content)).frames == (len(streamed) - 44) // 2


def test_timing_lists_each_chunk_with_its_times_in_the_audio(api):
    text = "First sentence here.\nSecond one."  # a newline always ends a v0.19 chunk
    response = speak(api, input=text, version="v0.19", voice="af", return_download_link=True, return_timing=True)
    chunks = api.get(f"/v1{response.headers['X-Timing-Path']}").json()["chunks"]
    assert [chunk["text"] for chunk in chunks] == ["First sentence here.", "Second one."]
    assert chunks[0]["start"] == 0 and chunks[0]["end"] == chunks[1]["start"]
    assert chunks[1]["end"] == pytest.approx(float(response.headers["X-Kokoro-Audio-Seconds"]), abs=0.002)


@pytest.mark.parametrize("field, value", [("download_format", "wav"), ("return_timing", True)])
def test_download_options_without_a_download_link_are_refused(api, field, value):
    response = api.post("/v1/audio/speech", json={"input": TEXT, field: value})
    assert_refused(response, field, "needs return_download_link")


def test_an_unknown_or_expired_download_is_a_404_that_says_so(api):
    response = api.get("/v1/download/nothing-here.mp3")
    assert_refused(response, None, "no download", "3600 s", status=404)


# voice, voice_aliases, model ----------------------------------------------------------------

@pytest.mark.parametrize("version, openai_name", [("v1.0", "alloy"), ("v0.19", "nova")])
def test_openai_voice_names_speak_as_kokoro_fastapi_maps_them(api, version, openai_name):
    response = speak(api, voice=openai_name, version=version)
    assert response.headers["X-Kokoro-Voice"] == OPENAI_VOICES[openai_name]


def test_a_voice_alias_names_a_voice_in_any_case(api):
    response = speak(api, voice="Narrator", voice_aliases={"narrator": "bf_emma"})
    assert response.headers["X-Kokoro-Voice"] == "bf_emma"


def test_a_voice_alias_rate_multiplies_the_speed(api):
    normal = speak(api, voice="af_sky")
    slow = speak(api, voice="slow", voice_aliases={"slow": {"voice": "af_sky", "rate": 0.5}})
    ratio = float(slow.headers["X-Kokoro-Audio-Seconds"]) / float(normal.headers["X-Kokoro-Audio-Seconds"])
    assert 1.6 < ratio < 2.4  # durations are divided by the speed, each rounded to a whole frame


@pytest.mark.parametrize("aliases, words", [
    ({"slow": {"voice": "af_sky", "rate": 9}}, ["rate", "range", "0.25 to 4.0"]),
    ({f"v{n}": "af_sky" for n in range(40)}, ["40 voice aliases", "32"]),
    ({"slow": {"voice": "af_sky", "pitch": 2}}, ["unknown field 'pitch' in 'voice_aliases'"]),
])
def test_bad_voice_aliases_are_refused(api, aliases, words):
    response = api.post("/v1/audio/speech", json={"input": TEXT, "voice": "slow", "voice_aliases": aliases})
    assert_refused(response, "voice_aliases", *words)


def test_an_alias_of_a_voice_the_release_lacks_is_refused_as_that_voice(api):
    response = api.post("/v1/audio/speech", json={"input": TEXT, "voice": "x", "voice_aliases": {"x": "af_heart"},
                                                  "version": "v0.19"})
    assert_refused(response, "voice", "v0.19", "af_heart")


@pytest.mark.parametrize("model", ["tts-1", "tts-1-hd", "gpt-4o-mini-tts"])
def test_openai_model_names_select_the_default_release(api, model):
    assert speak(api, model=model).headers["X-Kokoro-Version"] == "v1.0"


def test_with_an_openai_model_name_version_still_switches_release(api):
    assert speak(api, model="tts-1", version="v0.19", voice="af").headers["X-Kokoro-Version"] == "v0.19"


# allow_voice_tags, ssml, unknown fields ------------------------------------------------------

@pytest.mark.parametrize("field, words", [("allow_voice_tags", ["voice tags", "not supported here"]),
                                          ("ssml", ["SSML", "not supported here"])])
def test_voice_tags_and_ssml_are_refused_saying_why(api, field, words):
    assert_refused(api.post("/v1/audio/speech", json={"input": TEXT, field: True}), field, *words)


def test_voice_tags_and_ssml_turned_off_are_accepted(api):
    assert speak(api, allow_voice_tags=False, ssml=False).status_code == 200


def test_a_field_kokoro_fastapi_does_not_have_either_is_still_refused(api):
    assert_refused(api.post("/v1/audio/speech", json={"input": TEXT, "pitch": 2}), "pitch", "unknown field")


def test_a_request_that_does_not_ask_to_stream_gets_a_whole_response(api):
    """Kokoro-FastAPI streams by default; here a whole file is the default, as it always was (README)."""
    response = speak(api)
    assert response.headers["Content-Length"] == str(len(response.content)) and "X-Kokoro-RTF" in response.headers


# routes: models, voices, not provided --------------------------------------------------------

def test_each_listed_model_can_be_retrieved_by_its_id(api):
    cards = api.get("/v1/models").json()["data"]
    assert {card["id"] for card in cards} == {"kokoro", "kokoro-v1.0", "kokoro-v0.19", "tts-1", "tts-1-hd",
                                              "gpt-4o-mini-tts"}
    for card in cards:
        assert api.get(f"/v1/models/{card['id']}").json() == card


def test_an_unknown_model_is_a_404_naming_the_known_ones(api):
    assert_refused(api.get("/v1/models/whisper-1"), None, "whisper-1", "kokoro-v0.19", "tts-1", status=404)


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_voices_have_kokoro_fastapi_id_and_name_and_legacy_gives_plain_names(api, version):
    voices = api.get("/v1/audio/voices", params={"version": version}).json()["voices"]
    assert all(voice["id"] and voice["name"] for voice in voices)
    legacy = api.get("/v1/audio/voices", params={"version": version, "legacy": "true"}).json()["voices"]
    assert legacy == [voice["id"] for voice in voices]


@pytest.mark.parametrize("method, path, reason", NOT_PROVIDED, ids=[f"{m} {p}" for m, p, _ in NOT_PROVIDED])
def test_kokoro_fastapi_routes_not_provided_are_a_404_that_says_why(api, method, path, reason):
    assert_refused(api.request(method, path, json={}), None, "not provided by Kokoro A/B", reason, status=404)


def test_the_web_player_address_leads_to_this_app(api):
    response = api.get("/web")
    assert response.status_code == 307 and response.headers["Location"] == "/"


def test_the_routing_check_answers_ok(api):
    assert api.get("/v1/test").json() == {"status": "ok"}
