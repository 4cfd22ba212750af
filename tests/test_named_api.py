"""The named Gradio API, called as a `gradio_client` user calls it."""

import pytest
import soundfile
from gradio_client import Client

from kokoro_ui.ui.compare_handlers import OUTPUTS


@pytest.fixture(scope="module")
def client(server_url):
    return Client(server_url, verbose=False)


def test_endpoints_are_named(client):
    named = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/compare", "/synthesize", "/phonemize", "/voices"} <= named


def test_synthesize_defaults_to_v1_0_and_returns_a_wav_and_metrics(client):
    path, metrics = client.predict("Hello there.", "af_heart", 1.0, api_name="/synthesize")
    info = soundfile.info(path)
    assert info.samplerate == 24_000 and info.duration == pytest.approx(metrics["audio_s"], abs=0.01)
    assert metrics["version"] == "v1.0" and metrics["real_speech"] is False
    assert metrics["ttfa_s"] > 0 and metrics["rtf"] > 0 and metrics["backend"] == "torch"


def test_synthesize_with_v0_19(client):
    _, metrics = client.predict("Hello there.", "af_bella", 1.0, "v0.19", api_name="/synthesize")
    assert metrics["version"] == "v0.19" and metrics["chunks"] == 1


def test_phonemize_returns_chunks_with_phonemes_and_tokens(client):
    chunks = client.predict("Dr. Smith paid $5.", "v0.19", api_name="/phonemize")
    assert chunks[0]["graphemes"] == "Doctor Smith paid 5 dollars."
    assert chunks[0]["phonemes"] and chunks[0]["token_ids"]
    assert client.predict("Hello.", api_name="/phonemize")[0]["phonemes"].startswith("həlˈO")  # v1.0 by default


def test_voices_lists_a_release_s_voices(client):
    assert len(client.predict(api_name="/voices")) == 54
    voices = client.predict("v0.19", api_name="/voices")
    assert len(voices) == 11 and {"id", "name", "language", "gender"} <= set(voices[0])


def test_compare_returns_both_sides(client):
    result = client.predict("Hi there. Bye now.", "af_bella", "af_bella", 1.0, "", "fair", api_name="/compare")
    names = [name for name in OUTPUTS if name != "run_words"]  # a gr.State is no API output
    assert len(result) == len(names)
    out = dict(zip(names, result))
    assert out["left_audio"].endswith("playlist.m3u8") and out["right_audio"].endswith("playlist.m3u8")
    assert "<li>" in out["left_chunks"] and "<li>" in out["right_chunks"]
    assert [row[0] for row in out["run_table"]["data"]] == ["v0.19", "v1.0"]
    assert open(out["csv"]).read().startswith("run,version,")
    assert "noise" in out["banner"] and "kab-play" in out["words"]


def test_bad_input_is_a_clear_error(client):
    with pytest.raises(Exception, match="no voice 'nobody'"):
        client.predict("Hello.", "nobody", 1.0, api_name="/synthesize")


def test_the_named_api_lists_exactly_what_clients_should_call(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/compare", "/attribution", "/synthesize", "/word_timings", "/phonemize",
                                           "/voices", "/synthesize_phonemes", "/attribute", "/listening_results"}
    assert not api["unnamed_endpoints"]
