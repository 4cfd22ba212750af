"""Bad requests to the HTTP API: each gets a 4xx in OpenAI's error shape that names the problem.

Almost all are refused before any model loads; missing weights are a 503 that says why.
"""

import httpx
import pytest

from kokoro_ui.services.manager import ModelManager
from kokoro_ui.serving.server import running_server
from kokoro_ui.config.settings import Settings
from kokoro_ui.services.synthesis import synthesize
from kokoro_ui.services.validation import InvalidInputError, SpeechRequest
from helpers.api_errors import assert_openai_error

GOOD = {"input": "Hi there.", "voice": "af_heart", "response_format": "wav"}


@pytest.mark.parametrize("change, param, words", [
    ({"input": None}, "input", ["'input'", "required"]),
    ({"input": ""}, "input", ["'input'", "empty"]),
    ({"input": "   \n"}, "input", ["'input'", "empty"]),
    ({"input": 42}, "input", ["'input'", "string"]),
    ({"voice": "nobody"}, "voice", ["'voice'", "nobody", "af_heart"]),
    ({"voice": "af"}, "voice", ["'voice'", "v1.0", "'af'"]),  # a v0.19 voice, asked of v1.0
    ({"version": "v2.0"}, "version", ["'version'", "v2.0", "v0.19", "v1.0"]),
    ({"model": "whisper-1"}, "model", ["'model'", "whisper-1", "kokoro-v0.19", "tts-1"]),
    ({"model": "kokoro-v0.19", "version": "v1.0", "voice": "af"}, "version", ["kokoro-v0.19", "'v1.0'"]),
    ({"response_format": "aiff"}, "response_format", ["'response_format'", "aiff", "opus"]),
    ({"speed": 5}, "speed", ["'speed'", "range", "0.5", "2.0"]),
    ({"speed": 0.1}, "speed", ["'speed'", "range"]),
    ({"speed": "fast"}, "speed", ["'speed'", "number", "fast"]),
    ({"stream": "sometimes"}, "stream", ["'stream'", "bool"]),
    ({"lang": "xx"}, "lang", ["'lang'", "xx"]),
    ({"voise": "af_heart"}, "voise", ["unknown field", "'voise'"]),
], ids=lambda value: str(value)[:40])
def test_a_bad_field_is_a_400_that_names_it(api, change, param, words):
    body = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    assert_openai_error(api.post("/v1/audio/speech", json=body), 400, param, *words)


def test_input_over_the_limit_is_refused_with_the_limit(api, manager):
    limit = manager.settings.max_chars
    response = api.post("/v1/audio/speech", json={**GOOD, "input": "a " * limit})
    assert_openai_error(response, 400, "input", "'input'", f"{limit:,}")


def test_a_bad_request_to_stream_is_still_a_400_not_a_broken_stream(api):
    response = api.post("/v1/audio/speech", json={**GOOD, "voice": "nobody", "stream": True})
    assert_openai_error(response, 400, "voice", "nobody")


@pytest.mark.parametrize("content, words", [
    (b'{"input": "Hi there.",', ["not valid json", "character"]),
    (b"input=Hi", ["not valid json"]),
    (b'["Hi there."]', ["json object"]),
    (b"", ["json object"]),
], ids=["truncated", "not-json", "a-list", "empty"])
def test_a_body_that_is_not_a_json_object_is_a_400(api, content, words):
    response = api.post("/v1/audio/speech", content=content, headers={"Content-Type": "application/json"})
    assert_openai_error(response, 400, None, *words)


def test_voices_of_an_unknown_release_are_a_400(api):
    response = api.get("/v1/audio/voices", params={"version": "v9"})
    assert_openai_error(response, 400, "version", "'v9'", "v1.0")


def test_missing_weights_are_a_503_that_says_why(tmp_path):
    broken = ModelManager(Settings.from_env(weights=str(tmp_path)))  # a folder without any release in it
    with running_server(broken) as url:
        response = httpx.post(f"{url}/v1/audio/speech", json=GOOD, timeout=60)
        message = assert_openai_error(response, 503, None, "unavailable", "config.json", "missing")
        assert response.json()["error"]["type"] == "server_error"
        health = httpx.get(f"{url}/health").json()
    assert health["status"] == "degraded"
    assert next(release["error"] for release in health["versions"] if release["version"] == "v1.0") in message


def test_a_text_with_nothing_to_say_is_an_input_error_on_the_first_chunk(manager):
    request = SpeechRequest(text="¿¡", voice="af", version="v0.19", speed=1.0, lang=None)  # past validation
    with synthesize(manager, request) as synthesis, pytest.raises(InvalidInputError) as raised:
        next(synthesis)
    assert raised.value.field == "text" and "nothing" in str(raised.value)
