"""The official `openai` Python client, pointed at our server, speaks with either release."""

import io

import pytest
import soundfile
from openai import BadRequestError, OpenAI

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ


@pytest.fixture(scope="module")
def client(server_url):
    with OpenAI(base_url=f"{server_url}/v1", api_key="unused", timeout=600, max_retries=0) as client:
        yield client


def test_the_client_speaks_with_v0_19_when_the_model_names_it(client):
    response = client.audio.speech.with_raw_response.create(
        model="kokoro-v0.19", voice="af_bella", input="Hi there.", response_format="wav")
    assert response.headers["X-Kokoro-Version"] == "v0.19"
    audio, rate = soundfile.read(io.BytesIO(response.content))
    assert rate == SAMPLE_RATE_HZ and len(audio) > 0


def test_the_client_speaks_mp3_with_the_default_release(client):
    response = client.audio.speech.with_raw_response.create(model="kokoro", voice="af_heart", input="Hi there.")
    assert response.headers["X-Kokoro-Version"] == "v1.0"
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.content[:2] in (b"\xff\xf3", b"\xff\xfb", b"\xff\xf2")  # an MPEG audio frame


def test_the_client_streams_with_the_version_switch(client):
    with client.audio.speech.with_streaming_response.create(
            model="kokoro", voice="af", input="Hi there.", response_format="pcm",
            extra_body={"version": "v0.19", "stream": True}) as response:
        assert response.headers["X-Kokoro-Version"] == "v0.19"
        pcm = b"".join(response.iter_bytes())
    assert len(pcm) > 0 and len(pcm) % 2 == 0


def test_the_client_raises_our_error_message(client):
    with pytest.raises(BadRequestError) as raised:
        client.audio.speech.create(model="kokoro", voice="nobody", input="Hi there.")
    assert raised.value.param == "voice" and "nobody" in raised.value.message
