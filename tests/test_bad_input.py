"""Every surface gives the same clear message for the same bad input: the UI's Compare handler,
the named Gradio API and the HTTP API. None answers with a 500, a traceback or a hang."""

import html
import json
import math

import gradio as gr
import httpx
import pytest
from gradio_client import Client

from kokoro_ui.services.metrics import History
from kokoro_ui.ui.compare_handlers import run_comparison

OK_TEXT, OK_VOICE = "Hello there.", "af_bella"
# (label, text, voice, version, speed, what the message must say)
BAD_INPUTS = [
    ("empty text", "", OK_VOICE, "v1.0", 1.0, "Text is empty"),
    ("whitespace only", "   \n\t  ", OK_VOICE, "v1.0", 1.0, "Text is empty"),
    ("over the limit", "word " * 1_001, OK_VOICE, "v1.0", 1.0, "the limit is 5,000"),
    ("NUL", "Hello\x00world", OK_VOICE, "v1.0", 1.0, "control character (U+0000)"),
    ("bell", "Hello\x07", OK_VOICE, "v1.0", 1.0, "control character (U+0007)"),
    ("escape sequence", "Hi \x1b[31mred", OK_VOICE, "v1.0", 1.0, "control character (U+001B)"),
    ("delete", "Hi\x7f", OK_VOICE, "v1.0", 1.0, "control character (U+007F)"),
    ("emoji only", "😀 🎉 🙈", OK_VOICE, "v1.0", 1.0, "no letters or digits"),
    ("punctuation only", "!!! ??? ... ---", OK_VOICE, "v1.0", 1.0, "no letters or digits"),
    ("dashes and ellipses", "— … —", OK_VOICE, "v1.0", 1.0, "no letters or digits"),
    ("one very long word", "x" * 400, OK_VOICE, "v1.0", 1.0, "with no spaces"),
    ("a long URL", "see https://example.com/" + "a" * 400, OK_VOICE, "v1.0", 1.0, "with no spaces"),
    ("path traversal voice", OK_TEXT, "../../etc/passwd", "v1.0", 1.0, "no voice '../../etc/passwd'"),
    ("URL voice", OK_TEXT, "http://example.com/x.pt", "v1.0", 1.0, "no voice 'http://example.com/x.pt'"),
    ("10 kB voice", OK_TEXT, "a" * 10_000, "v1.0", 1.0, "no voice name is longer than 64"),
    ("empty voice", OK_TEXT, "", "v1.0", 1.0, "Voice is empty"),
    ("voice in capitals", OK_TEXT, "AF_BELLA", "v1.0", 1.0, "no voice 'AF_BELLA'"),
    ("voice file name", OK_TEXT, "af_bella.pt", "v1.0", 1.0, "no voice 'af_bella.pt'"),
    ("voice with NUL", OK_TEXT, "af_bella\x00", "v1.0", 1.0, "no voice"),
    ("v0.19 voice on v1.0", OK_TEXT, "af", "v1.0", 1.0, "Kokoro v1.0 has no voice 'af'"),
    ("v1.0 voice on v0.19", OK_TEXT, "af_heart", "v0.19", 1.0, "Kokoro v0.19 has no voice 'af_heart'"),
    ("markup voice", OK_TEXT, "<img src=x onerror=alert(1)>", "v1.0", 1.0, "not a voice name"),
    ("mix with an unknown voice", OK_TEXT, "af_bella+nobody", "v1.0", 1.0, "Kokoro v1.0 has no voice 'nobody'"),
    ("mix with a v0.19 voice", OK_TEXT, "af(1)+af_sky(1)", "v1.0", 1.0, "it is a voice of Kokoro v0.19"),
    ("mix weight zero", OK_TEXT, "af_bella(0)+af_sky", "v1.0", 1.0, "a weight must be a number above 0"),
    ("mix weight negative", OK_TEXT, "af_bella(-2)+af_sky", "v1.0", 1.0, "a weight must be a number above 0"),
    ("mix weight not a number", OK_TEXT, "af_bella(lots)+af_sky", "v1.0", 1.0, "is not a number"),
    ("mix of 20 voices", OK_TEXT, "+".join(["af_bella"] * 20), "v1.0", 1.0, "at most 8 voices; this one names 20"),
    ("mix '(('", OK_TEXT, "((", "v1.0", 1.0, "'((' is not a voice name"),
    ("mix 'a++b'", OK_TEXT, "af_bella++af_sky", "v1.0", 1.0, "The mix has an empty part"),
    ("mix with a trailing +", OK_TEXT, "af_bella+", "v1.0", 1.0, "The mix has an empty part"),
    ("mix of two languages", OK_TEXT, "af_bella+ef_dora", "v1.0", 1.0, "A mix takes voices of one language"),
    ("unknown version", OK_TEXT, OK_VOICE, "v2.0", 1.0, "Unknown Kokoro version 'v2.0'"),
    ("version 'latest'", OK_TEXT, OK_VOICE, "latest", 1.0, "Unknown Kokoro version 'latest'"),
    ("version path", OK_TEXT, OK_VOICE, "../v1.0", 1.0, "Unknown Kokoro version"),
    ("speed NaN", OK_TEXT, OK_VOICE, "v1.0", math.nan, "finite number"),
    ("speed infinity", OK_TEXT, OK_VOICE, "v1.0", math.inf, "finite number"),
    ("speed minus infinity", OK_TEXT, OK_VOICE, "v1.0", -math.inf, "finite number"),
    ("speed zero", OK_TEXT, OK_VOICE, "v1.0", 0.0, "out of range: choose 0.5 to 2.0"),
    ("speed negative", OK_TEXT, OK_VOICE, "v1.0", -1.0, "out of range"),
    ("speed too slow", OK_TEXT, OK_VOICE, "v1.0", 0.49, "out of range"),
    ("speed too fast", OK_TEXT, OK_VOICE, "v1.0", 2.01, "out of range"),
    ("speed huge", OK_TEXT, OK_VOICE, "v1.0", 1e300, "out of range"),
]
IDS = [case[0] for case in BAD_INPUTS]
VOICE_CASES = {case[0] for case in BAD_INPUTS if case[2] != OK_VOICE}


@pytest.fixture(scope="module")
def server(server_url):
    return server_url


@pytest.fixture(scope="module")
def client(server):
    return Client(server, verbose=False)


@pytest.mark.parametrize("label, text, voice, version, speed, message", BAD_INPUTS, ids=IDS)
def test_http_api(server, label, text, voice, version, speed, message):
    body = {"input": text, "voice": voice, "version": version, "speed": speed, "response_format": "wav"}
    # json.dumps writes NaN and Infinity as JavaScript does; a client may send them so
    response = httpx.post(f"{server}/v1/audio/speech", content=json.dumps(body), timeout=60,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error["message"] and "Traceback" not in response.text


@pytest.mark.parametrize("label, text, voice, version, speed, message", BAD_INPUTS, ids=IDS)
def test_named_gradio_api(client, label, text, voice, version, speed, message):
    if not math.isfinite(speed):  # Gradio's JSON cannot carry NaN or infinity: a client sends text
        speed, message = str(speed), "Speed must be a number, not str"
    with pytest.raises(Exception) as error:
        client.predict(text, voice, speed, version, api_name="/synthesize")
    assert message in str(error.value) and "Traceback" not in str(error.value)


@pytest.mark.parametrize("label, text, voice, version, speed, message",
                         [case for case in BAD_INPUTS if case[3] == "v1.0"], ids=[c[0] for c in BAD_INPUTS if c[3] == "v1.0"])
def test_ui_compare_handler(manager, label, text, voice, version, speed, message):
    """The UI has no version input; a bad voice fails only its own panel, the rest raise a message."""
    if label in VOICE_CASES:
        frames = list(run_comparison(manager, text, OK_VOICE, voice, speed, "", "fair", History()))
        right_status = html.unescape(frames[-1][5]).replace("\\", "")  # as the page shows it
        assert message in right_status
        assert "⚠️" not in frames[-1][4]  # the other release spoke
        return
    with pytest.raises(gr.Error) as error:
        next(run_comparison(manager, text, OK_VOICE, OK_VOICE, speed, "", "fair", History()))
    assert message in str(error.value)


@pytest.mark.parametrize("body, param", [
    ({"voice": "af_heart"}, "input"),
    ({"input": 42, "voice": "af_heart"}, "input"),
    ({"input": ["a"], "voice": "af_heart"}, "input"),
    ({"input": "Hi.", "voice": 7}, "voice"),
    ({"input": "Hi.", "speed": "fast"}, "speed"),
    ({"input": "Hi.", "speed": True}, "speed"),
    ({"input": "Hi.", "stream": "maybe"}, "stream"),
    ({"input": "Hi.", "response_format": "aiff"}, "response_format"),
])
def test_http_api_wrong_types(server, body, param):
    response = httpx.post(f"{server}/v1/audio/speech", json=body, timeout=60)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
