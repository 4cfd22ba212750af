"""`POST /v1/evaluate` and the named API's `/evaluate`, over real HTTP on synthetic weights (noise, which
they say)."""

import pytest
from gradio_client import Client

METRIC_KEYS = {"duration_s", "words_per_minute", "pauses", "f0_hz", "f0_range_semitones", "final_contour_semitones",
               "loudness_lufs", "transcript", "wer", "cer", "mos", "mos_model", "words"}
TEXT = "The cat sat on the mat."
BAD_BODIES = ({"input": TEXT, "voice": "zz_nobody"}, {"input": ""}, {"input": TEXT, "speed": 9.0},
              {"input": TEXT, "model": "tts-9"}, {"input": TEXT, "surprise": 1}, {"voice": "af_heart"},
              {"input": TEXT, "version": "v0.19", "normalization_options": {"normalize": False}})


@pytest.fixture(scope="module")
def evaluated(api):
    return {version: api.post("/v1/evaluate", json={"input": TEXT, "version": version, "voice": "af_bella"})
            for version in ("v1.0", "v0.19")}


def test_it_answers_with_every_metric(evaluated):
    for version, response in evaluated.items():
        assert response.status_code == 200, response.text
        metrics = response.json()["metrics"]
        assert METRIC_KEYS <= set(metrics), METRIC_KEYS - set(metrics)
        assert set(metrics["f0_hz"]) == {"median", "p5", "p95"}
        assert set(metrics["pauses"]) == {"count", "total_s", "longest_s"}
        assert [word["word"] for word in metrics["words"]] == ["The", "cat", "sat", "on", "the", "mat"]
        assert all(set(word) >= {"word", "start_s", "end_s", "f0_hz"} for word in metrics["words"])
        assert metrics["duration_s"] > 0 and metrics["mos_model"].startswith("DNSMOS")
        assert response.headers["X-Kokoro-Version"] == version


def test_on_synthetic_weights_it_says_it_measures_noise(evaluated):
    for response in evaluated.values():
        assert response.headers["X-Kokoro-Warning"] == "synthetic weights: noise, not speech"
        assert "noise" in response.json()["metrics"]["warning"]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_input_gets_the_speech_routes_answer(api, body):
    refused = api.post("/v1/evaluate", json=body)
    expected = api.post("/v1/audio/speech", json=body)
    assert 400 <= expected.status_code < 500
    assert (refused.status_code, refused.json()) == (expected.status_code, expected.json())


def test_phonemes_cannot_be_scored_against_a_text(api):
    response = api.post("/v1/evaluate", json={"phonemes": "hˈɛloʊ"})
    assert response.status_code == 400 and response.json()["error"]["param"] == "phonemes"


def test_the_named_api_evaluates_as_the_http_route_does(server_url, evaluated):
    result = Client(server_url, verbose=False).predict(TEXT, "af_bella", 1.0, "v1.0", api_name="/evaluate")
    metrics, reference = result["metrics"], evaluated["v1.0"].json()["metrics"]
    assert METRIC_KEYS <= set(metrics) and "noise" in metrics["warning"]
    # durations and word timings are deterministic; the decoder's noise source is not, so audio measures may differ
    assert metrics["duration_s"] == reference["duration_s"]
    assert [(w["word"], w["start_s"], w["end_s"]) for w in metrics["words"]] == \
        [(w["word"], w["start_s"], w["end_s"]) for w in reference["words"]]
