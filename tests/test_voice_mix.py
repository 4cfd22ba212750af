"""Voice mixing: Kokoro-FastAPI's syntax, the weighted mean of packs, and every surface that takes a voice.

(Bad mixes are also among `test_bad_input.py`'s cases, which every surface must refuse alike.)
"""

import io

import httpx
import numpy as np
import pytest
import soundfile
import torch
from gradio_client import Client
from hypothesis import given, settings, strategies as st

from kokoro_ui.engine.release import MIXED_PACKS_KEPT
from kokoro_ui.services.validation import InvalidInputError, validate_voice
from kokoro_ui.weights.mix import MAX_TERMS, parse_mix

MIXES = {"v1.0": "af_bella(2)+af_sky(1)", "v0.19": "af_bella(2)+af_sky(1)"}
PACK_SHAPES = {"v1.0": (510, 1, 256), "v0.19": (511, 1, 256)}


@pytest.fixture(scope="module")
def server(server_url):
    return server_url


def test_weights_are_normalised_and_a_plain_plus_is_half_and_half():
    assert parse_mix("af_bella(2)+af_sky(1)").weights == pytest.approx((2 / 3, 1 / 3))
    assert parse_mix("af_bella+af_sky").weights == (0.5, 0.5)
    assert parse_mix(" af_bella ( 2 ) + af_sky ").name == "af_bella(2)+af_sky(1)"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.001, max_value=1000), min_size=2, max_size=MAX_TERMS))
def test_normalised_weights_sum_to_one_and_keep_their_ratios(weights):
    mix = parse_mix("+".join(f"v{index}({weight!r})" for index, weight in enumerate(weights)))
    assert sum(mix.weights) == pytest.approx(1.0)
    assert mix.weights[0] / mix.weights[1] == pytest.approx(weights[0] / weights[1])


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_a_mixed_pack_is_exactly_the_weighted_mean_of_its_voices_packs(manager, version):
    release = manager.get_model(version)
    bella, sky = (release.voice_pack(release.voices.get(name)).numpy().astype(np.float64) for name in ("af_bella", "af_sky"))
    expected = (bella * (2 / 3) + sky * (1 / 3)).astype(np.float32)
    mixed = release.pack_for(MIXES[version])
    assert mixed.dtype == torch.float32 and tuple(mixed.shape) == PACK_SHAPES[version]
    assert np.array_equal(mixed.numpy(), expected)


def test_a_lone_voice_is_its_own_pack_bit_for_bit(v1):
    assert v1.pack_for("af_bella") is v1.voice_pack(v1.voices.get("af_bella"))


def test_mixed_packs_are_kept_but_only_the_most_recent(v1):
    first = v1.pack_for("af_bella(3)+af_sky(1)")
    assert v1.pack_for("af_bella(6)+af_sky(2)") is first  # the same mix, written otherwise
    for weight in range(1, MIXED_PACKS_KEPT + 1):
        v1.pack_for(f"af_nova({weight})+af_sky(1)")
    again = v1.pack_for("af_bella(3)+af_sky(1)")
    assert again is not first and torch.equal(again, first)


def test_a_mix_speaks_for_as_long_as_its_text_needs(v1):
    chunks = list(v1.stream("Hello there.", "af_bella(2)+af_sky(1)"))
    assert sum(chunk.audio_s for chunk in chunks) > 0.3


@pytest.mark.parametrize("voice, words", [
    ("af_bella+bf_emma", "one language"),
    ("af_bella(0)+af_sky", "above 0"),
    ("af_bella+af_bella(2)", "appears twice"),
    ("af_bella+af_sky+", "empty part"),
])
def test_a_bad_mix_is_refused_with_what_to_write_instead(manager, voice, words):
    with pytest.raises(InvalidInputError) as error:
        validate_voice(manager, voice, "v1.0")
    assert words in str(error.value) and error.value.field == "voice"


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_the_speech_api_speaks_a_mix_of_either_release(server, version):
    response = httpx.post(f"{server}/v1/audio/speech", timeout=300, json={
        "input": "Hello there.", "voice": "af_bella(2) + af_sky(1)", "version": version, "response_format": "wav"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Kokoro-Voice"] == MIXES[version]
    assert len(soundfile.read(io.BytesIO(response.content))[0]) > 0


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_the_named_api_speaks_a_mix_of_either_release(server, version):
    path, metrics = Client(server, verbose=False).predict("Hello there.", MIXES[version], 1.0, version,
                                                          api_name="/synthesize")
    assert metrics["voice"] == MIXES[version] and soundfile.info(path).duration > 0.3


@pytest.mark.parametrize("version, body", [("v1.0", "af_bella(2)+af_sky(1)"), ("v0.19", ["af_bella(2)", "af_sky"])])
def test_combine_returns_the_mixed_pack_as_a_loadable_pt_file(server, manager, version, body):
    response = httpx.post(f"{server}/v1/audio/voices/combine", params={"version": version}, json=body, timeout=300)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="{MIXES[version]}.pt"'
    pack = torch.load(io.BytesIO(response.content), weights_only=True)
    assert pack.dtype == torch.float32 and tuple(pack.shape) == PACK_SHAPES[version]
    assert torch.equal(pack, manager.get_model(version).pack_for(MIXES[version]))


@pytest.mark.parametrize("body, words", [
    ("af_bella+nobody", "has no voice 'nobody'"),
    ("af+af_sky", "it is a voice of Kokoro v0.19"),
    ("af_bella(-1)+af_sky", "above 0"),
    ("+".join(["af_bella"] * 20), f"at most {MAX_TERMS} voices"),
    ("((", "not a voice name"),
    ([], "The body must be"),
    (5, "The body must be"),
])
def test_combine_refuses_a_bad_mix_with_a_400_that_says_why(server, body, words):
    response = httpx.post(f"{server}/v1/audio/voices/combine", json=body, timeout=60)
    assert response.status_code == 400 and words in response.json()["error"]["message"]
    assert response.json()["error"]["param"] == "voice"
