"""Kokoro-FastAPI's documented examples (its README, HEAD 26eec06), pointed at this app, for both releases.

Each test sends its request as the example does: the official `openai` client, `requests`, or
`curl` run for real. Rewritten, not copied; where an example mixes voices ("af_sky+af_bella")
it speaks one of them here (mixing is the voice-mixing work's), and where it plays to speakers,
the bytes are decoded instead. Adding `version` is the one change a user makes to hear v0.19.
"""

import io
import json
import subprocess

import numpy as np
import pytest
import requests
import soundfile
from openai import OpenAI

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, SAMPLES_PER_FRAME

VERSIONS = ("v1.0", "v0.19")


@pytest.fixture(scope="module")
def server(server_url):
    return server_url


@pytest.fixture(scope="module")
def client(server):
    with OpenAI(base_url=f"{server}/v1", api_key="not-needed", timeout=600, max_retries=0) as client:
        yield client


def decoded_samples(data: bytes) -> int:
    """Samples in any audio ffmpeg reads, at its own rate (24 kHz for everything but Opus)."""
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-f", "s16le", "-ac", "1", "-"],
                         input=data, capture_output=True, check=True).stdout
    return len(pcm) // 2


def whole_samples(server: str, version: str, voice: str, text: str) -> int:
    """How long the release makes `text` by its own account: a whole WAV's header."""
    response = requests.post(f"{server}/v1/audio/speech", json={"input": text, "voice": voice, "version": version,
                                                                "response_format": "wav"})
    assert response.status_code == 200, response.text
    return soundfile.info(io.BytesIO(response.content)).frames


@pytest.mark.parametrize("version", VERSIONS)
def test_the_openai_client_streams_to_a_file(client, tmp_path, version):
    """"Up and Running": with_streaming_response.create(...), then stream_to_file("output.mp3")."""
    with client.audio.speech.with_streaming_response.create(
            model="kokoro", voice="af_sky", input="Hello world!", extra_body={"version": version}) as response:
        response.stream_to_file(tmp_path / "output.mp3")
    assert response.headers["X-Kokoro-Version"] == version
    assert decoded_samples((tmp_path / "output.mp3").read_bytes()) > 0


@pytest.mark.parametrize("version", VERSIONS)
def test_the_openai_client_writes_a_whole_mp3(client, tmp_path, version):
    """"OpenAI-Compatible Speech Endpoint": speech.create(..., response_format="mp3").stream_to_file(...)."""
    response = client.audio.speech.create(model="kokoro", voice="af_bella", input="Hello world!",
                                          response_format="mp3", extra_body={"version": version})
    response.stream_to_file(tmp_path / "output.mp3")
    assert decoded_samples((tmp_path / "output.mp3").read_bytes()) > 0


@pytest.mark.parametrize("version", VERSIONS)
def test_requests_lists_voice_ids_then_speaks_with_one(server, version):
    """"Or Via Requests": [v["id"] for v in GET /v1/audio/voices], then POST /v1/audio/speech, mp3."""
    response = requests.get(f"{server}/v1/audio/voices", params={"version": version})
    voices = [v["id"] for v in response.json()["voices"]]
    assert "af_bella" in voices
    response = requests.post(f"{server}/v1/audio/speech", json={
        "model": "kokoro", "input": "Hello world!", "voice": "af_bella", "response_format": "mp3", "speed": 1.0,
        "version": version})
    assert response.status_code == 200 and response.headers["X-Kokoro-Version"] == version
    assert decoded_samples(response.content) > 0


@pytest.mark.parametrize("version", VERSIONS)
def test_the_openai_client_streams_pcm_that_plays_at_24_khz(server, client, version):
    """"Stream to speakers": pcm from with_streaming_response, iter_bytes(chunk_size=1024) into a 24 kHz player."""
    with client.audio.speech.with_streaming_response.create(
            model="kokoro", voice="af_bella", response_format="pcm", input="Hello world!",
            extra_body={"version": version}) as response:
        pcm = b"".join(response.iter_bytes(chunk_size=1024))
    samples = np.frombuffer(pcm, dtype="<i2")
    assert len(samples) == whole_samples(server, version, "af_bella", "Hello world!")
    assert np.abs(samples).max() > 0


@pytest.mark.parametrize("version", VERSIONS)
def test_requests_streams_pcm_with_iter_content(server, version):
    """"Or via requests": POST with stream=True, then iter_content(chunk_size=1024)."""
    response = requests.post(f"{server}/v1/audio/speech", json={
        "input": "Hello world!", "voice": "af_bella", "response_format": "pcm", "version": version}, stream=True)
    pieces = [chunk for chunk in response.iter_content(chunk_size=1024) if chunk]
    assert response.status_code == 200 and len(pieces) > 1
    assert sum(map(len, pieces)) // 2 == whole_samples(server, version, "af_bella", "Hello world!")


@pytest.mark.parametrize("version, voice", [("v1.0", "af_heart"), ("v0.19", "af")])
def test_curl_streams_the_issue_request_with_lang_code_and_it_plays(server, version, voice):
    """The request the issue found refused, sent by curl as its users send it: streamed pcm with lang_code."""
    body = {"input": "Hello world! How are you today?", "voice": voice, "response_format": "pcm", "stream": True,
            "lang_code": "a", "version": version}
    done = subprocess.run(["curl", "-sSN", "--fail-with-body", f"{server}/v1/audio/speech",
                           "-H", "Content-Type: application/json", "-d", json.dumps(body)],
                          capture_output=True, check=True, timeout=600)
    samples = np.frombuffer(done.stdout, dtype="<i2")
    assert len(samples) == whole_samples(server, version, voice, body["input"])
    assert len(samples) % SAMPLES_PER_FRAME == 0 and len(samples) / SAMPLE_RATE_HZ > 0.5


@pytest.mark.parametrize("version", VERSIONS)
def test_phonemes_from_text_then_audio_from_the_phonemes(server, version):
    """"Phoneme & Token Routes": get_phonemes() then generate_audio_from_phonemes(), Accept: audio/wav."""
    response = requests.post(f"{server}/dev/phonemize", json={"text": "Hello world!", "language": "a",
                                                               "version": version})
    response.raise_for_status()
    phonemes, tokens = response.json()["phonemes"], response.json()["tokens"]
    assert tokens[0] == tokens[-1] == 0 and len(tokens) == len(phonemes) + 2  # the pads at both ends
    response = requests.post(f"{server}/dev/generate_from_phonemes", headers={"Accept": "audio/wav"},
                             json={"phonemes": phonemes, "voice": "af_bella", "version": version})
    assert response.status_code == 200, response.text
    audio, rate = soundfile.read(io.BytesIO(response.content), dtype="int16")
    assert rate == SAMPLE_RATE_HZ
    assert len(audio) == whole_samples(server, version, "af_bella", "Hello world!")  # the same tokens, said alike


@pytest.mark.parametrize("version", VERSIONS)
def test_a_stream_with_a_download_link_and_timing_leaves_both_to_fetch(server, version):
    """"Timestamps (streaming chunks)": stream, return_download_link, return_timing, then GET /v1<X-Timing-Path>."""
    response = requests.post(f"{server}/v1/audio/speech", json={
        "input": "Hello world! Again.", "voice": "af_bella", "stream": True, "return_download_link": True,
        "return_timing": True, "version": version}, stream=True)
    audio = b"".join(response.iter_content(1024))
    timings = requests.get(f"{server}/v1{response.headers['x-timing-path']}").json()
    chunks = timings["chunks"]
    assert chunks and chunks[0]["start"] == 0.0 and all(set(chunk) == {"text", "start", "end"} for chunk in chunks)
    download = requests.get(f"{server}/v1{response.headers['x-download-path']}")
    assert download.status_code == 200 and download.headers["Content-Type"] == "audio/mpeg"
    assert abs(decoded_samples(download.content) - decoded_samples(audio)) < 0.1 * SAMPLE_RATE_HZ
    assert abs(chunks[-1]["end"] - whole_samples(server, version, "af_bella", "Hello world! Again.")
               / SAMPLE_RATE_HZ) < 0.01


def curl_json(*args: str) -> tuple[int, dict]:
    done = subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}", *args], capture_output=True, text=True,
                          check=True, timeout=120)
    body, status = done.stdout.rsplit("\n", 1)
    return int(status), json.loads(body)


def test_curl_with_voice_tags_and_aliases_is_refused_saying_why(server):
    """"Voice Aliases" and "Multi-Speaker" curl examples: inline voice tags are not offered here."""
    status, body = curl_json("-X", "POST", f"{server}/v1/audio/speech", "-H", "Content-Type: application/json",
                             "-d", json.dumps({
                                 "model": "kokoro", "voice": "narrator", "response_format": "mp3",
                                 "input": "[voice:narrator] Once upon a time. [voice:villain] Never!",
                                 "allow_voice_tags": True,
                                 "voice_aliases": {"narrator": "af_bella(2)+af_sky", "villain": "am_michael"}}))
    assert status == 400 and body["error"]["param"] == "allow_voice_tags"
    assert "not supported here" in body["error"]["message"]


def test_curl_to_dialogue_and_ssml_gets_a_404_that_says_why(server):
    """The "/dev/dialogue" and "/dev/ssml" curl examples: routes Kokoro A/B does not provide."""
    status, body = curl_json("-X", "POST", f"{server}/dev/dialogue", "-H", "Content-Type: application/json", "-d",
                             json.dumps({"turns": [{"voice": "af_bella", "text": "Did it land?"},
                                                   {"voice": "am_michael", "text": "It did."}],
                                         "pause_between_turns": 0.4, "response_format": "mp3"}))
    assert status == 404 and "one voice per request" in body["error"]["message"]
    status, body = curl_json(f"{server}/dev/ssml", "-H", "Content-Type: application/json", "-d",
                             json.dumps({"text": "<speak>The city of Worcester.</speak>"}))
    assert status == 404 and "plain text" in body["error"]["message"]
