"""Phonemes and attribution modes on every surface: the HTTP API, the named Gradio API and the CLI.

Bad input (a malformed override, symbols neither release knows, empty phonemes, an unknown mode,
both input and phonemes) gets a clear 4xx or message, never a 500.
"""

import io

import pytest
import soundfile
from gradio_client import Client

from helpers.api_errors import assert_openai_error
from test_cli import run_cli

WAV = {"voice": "af_heart", "response_format": "wav"}


@pytest.fixture(scope="module")
def gradio(server_url):
    return Client(server_url, verbose=False)


def test_speech_takes_phonemes_in_its_own_notation(api):
    response = api.post("/v1/audio/speech", json={**WAV, "phonemes": "həlˈO wˈɜɹld!"})
    assert response.status_code == 200, response.text
    assert soundfile.info(io.BytesIO(response.content)).duration > 0.2
    assert "X-Kokoro-Phonemes-Mapped-From" not in response.headers


def test_speech_maps_the_other_release_notation_and_says_what_it_dropped(api):
    response = api.post("/v1/audio/speech", json={**WAV, "phonemes": "həlˈoʊ wˈɜːɫd!"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Kokoro-Phonemes-Mapped-From"] == "espeak"
    assert response.headers["X-Kokoro-Phonemes-Dropped"] == "U+026B"  # ɫ: v1.0 has no token for it


@pytest.mark.parametrize("change, param, words", [
    ({"input": "Hi.", "phonemes": "hˈI"}, "phonemes", ["either input", "not both"]),
    ({"phonemes": ""}, "phonemes", ["empty"]),
    ({"phonemes": "hˈI ☃"}, "phonemes", ["neither release", "U+2603"]),
    ({"phonemes": "hˈI hˈaɪ"}, "phonemes", ["mix"]),
    ({"phonemes": "hˈI", "phoneme_notation": "klingon"}, "phoneme_notation", ["unknown phoneme notation", "auto"]),
    ({"phonemes": "ɫ", "phoneme_notation": "v0.19"}, "phonemes", ["nothing is left"]),
    ({"input": "Say [Kokoro](/kˈOkəɹO now."}, "input", ["malformed", "[word](/phonemes/)"]),
    ({"input": "Say [snow](/sn☃/)."}, "input", ["neither release knows"]),
    ({}, "input", ["required"]),
])
def test_bad_phoneme_input_is_a_400_that_says_why(api, change, param, words):
    body = {**WAV, **change}
    assert_openai_error(api.post("/v1/audio/speech", json=body), 400, param, *words)


def test_an_override_is_spoken_over_the_api(api):
    response = api.post("/v1/audio/speech", json={**WAV, "input": "Say [Kokoro](/kˈoʊkəɹoʊ/) now.", "version": "v0.19",
                                                  "voice": "af_bella"})
    assert response.status_code == 200, response.text


def test_named_api_swap_gives_four_labelled_files(gradio):
    files, cells = gradio.predict("swap", "The cat sat.", "", "auto", "af_bella", "af_bella", 1.0, "",
                                  api_name="/attribute")
    assert len(files) == 4 and all(soundfile.info(path).duration > 0 for path in files)
    assert [cell["label"] for cell in cells] == [
        "v0.19 front end → v0.19 network", "v0.19 front end → v1.0 network",
        "v1.0 front end → v0.19 network", "v1.0 front end → v1.0 network"]


def test_named_api_same_phonemes_reports_drops(gradio):
    _, cells = gradio.predict("same_phonemes", "", "ɫˈʊk", "espeak", "af_bella", "af_bella", 1.0, "",
                              api_name="/attribute")
    assert [cell["dropped"] for cell in cells] == [[], ["ɫ"]]


@pytest.mark.parametrize("args, says", [
    (("both", "The cat sat.", "", "auto"), "Unknown comparison mode"),
    (("same_phonemes", "The cat sat.", "", "auto"), "empty"),
    (("swap", "Say [x](/ks", "", "auto"), "malformed"),
])
def test_named_api_bad_input_is_a_clear_error(gradio, args, says):
    with pytest.raises(Exception, match=says):
        gradio.predict(*args, "af_bella", "af_bella", 1.0, "", api_name="/attribute")


def test_named_api_synthesize_phonemes_maps_and_reports(gradio):
    path, result = gradio.predict("hˈaɪ", "af_heart", 1.0, "v1.0", "auto", api_name="/synthesize_phonemes")
    assert result["phonemes"] == "hˈI" and result["dropped"] == [] and soundfile.info(path).duration > 0


@pytest.mark.slow  # a CLI process that loads a release
def test_cli_synth_takes_phonemes(tmp_path):
    out = tmp_path / "out.wav"
    result = run_cli("synth", "--version", "v0.19", "--voice", "af_bella", "--phonemes", "hˈI", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "mapped from misaki" in result.stderr and "hˈaɪ" in result.stdout


@pytest.mark.slow  # a CLI process
def test_cli_refuses_text_and_phonemes_together(tmp_path):
    result = run_cli("synth", "Hi.", "--phonemes", "hˈI", "-o", str(tmp_path / "x.wav"))
    assert result.returncode == 2 and "not both" in result.stderr
