"""Bounded queues: past the limit a request is refused at once with a retry hint, never left to hang."""

from dataclasses import replace

import httpx
import pytest

from kokoro_ui.services.admission import Admission, BusyError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.serving.server import running_server
from kokoro_ui.services.synthesis import synthesize
from kokoro_ui.services.validation import SpeechRequest

REQUEST = SpeechRequest("Hello there. How are you?", "af_heart", "v1.0", 1.0, None)


def test_admission_refuses_past_capacity_and_reopens_when_a_place_is_returned():
    admission = Admission(capacity=2, retry_after_s=7)
    first, _ = admission.admit("v1.0"), admission.admit("v1.0")
    with pytest.raises(BusyError, match=r"busy.*retry in 7 s") as busy:
        admission.admit("v1.0")
    assert busy.value.retry_after_s == 7
    admission.admit("v0.19")  # each release has its own queue
    first.release()
    first.release()  # given back once, however often it is released
    admission.admit("v1.0")
    with pytest.raises(BusyError):
        admission.admit("v1.0")


@pytest.fixture(scope="module")
def one_at_a_time(synthetic_settings, v1):
    manager = ModelManager(replace(synthetic_settings, queue_limit=1))
    manager.get_model("v1.0")
    return manager


def test_a_synthesis_holds_its_place_until_closed_or_finished(one_at_a_time):
    running = synthesize(one_at_a_time, REQUEST)
    with pytest.raises(BusyError):
        synthesize(one_at_a_time, REQUEST)
    running.close()
    finished = synthesize(one_at_a_time, REQUEST)
    list(finished)
    synthesize(one_at_a_time, REQUEST).close()


def test_the_api_answers_429_with_retry_after_when_busy(one_at_a_time):
    with running_server(one_at_a_time) as base_url:
        holding = synthesize(one_at_a_time, REQUEST)
        try:
            response = httpx.post(f"{base_url}/v1/audio/speech", timeout=60,
                                  json={"input": "Hello.", "voice": "af_heart", "response_format": "wav"})
        finally:
            holding.close()
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "5"
        assert "busy" in response.json()["error"]["message"]
        assert httpx.post(f"{base_url}/v1/audio/speech", timeout=120,
                          json={"input": "Hello.", "voice": "af_heart", "response_format": "wav"}).status_code == 200
