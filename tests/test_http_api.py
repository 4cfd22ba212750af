"""The HTTP API over real HTTP: every format, whole and streamed, for both releases.

One uvicorn server for the module, on synthetic weights (noise, but real lengths and timings).
"""

import io
import subprocess
import time

import httpx
import pytest
import soundfile

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, SAMPLES_PER_FRAME

TEXT = "Hi there."
VERSIONS = ("v1.0", "v0.19")
FORMATS = ("wav", "mp3", "flac", "opus", "aac", "pcm")
WAV_HEADER_BYTES = 44


@pytest.fixture(scope="module")
def reference_samples(api) -> dict[str, int]:
    """How many samples each release makes for TEXT, by its own account (a whole WAV's header)."""
    samples = {}
    for version in VERSIONS:
        response = api.post("/v1/audio/speech", json={"input": TEXT, "version": version, "response_format": "wav"})
        assert response.status_code == 200, response.text
        samples[version] = round(float(response.headers["X-Kokoro-Audio-Seconds"]) * SAMPLE_RATE_HZ)
        assert samples[version] > 0 and samples[version] % SAMPLES_PER_FRAME == 0
    return samples


def decode(data: bytes, response_format: str, streamed: bool = False) -> tuple[int, int]:
    """(samples, sample rate) of a response: libsndfile for wav and whole flac, ffmpeg for the rest.

    (libsndfile refuses a streamed FLAC, whose header cannot know the length; ffmpeg reads it.)
    """
    if response_format == "pcm":
        assert len(data) % 2 == 0
        return len(data) // 2, SAMPLE_RATE_HZ
    if response_format == "wav" or response_format == "flac" and not streamed:
        audio, rate = soundfile.read(io.BytesIO(data), dtype="int16")
        return len(audio), rate
    return decode_with_ffmpeg(data)


def decode_with_ffmpeg(data: bytes) -> tuple[int, int]:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=sample_rate", "-of", "csv=p=0", "-"],
                           input=data, capture_output=True, check=True)
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-f", "s16le", "-ac", "1", "-"],
                         input=data, capture_output=True, check=True)
    return len(pcm.stdout) // 2, int(probe.stdout.decode().strip())


def speak(api: httpx.Client, **body) -> tuple[httpx.Response, list[bytes]]:
    """The response and its body as the pieces that came off the wire."""
    with api.stream("POST", "/v1/audio/speech", json=body) as response:
        pieces = [piece for piece in response.iter_raw() if piece]
    return response, pieces


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("response_format", FORMATS)
@pytest.mark.parametrize("version", VERSIONS)
def test_speech_decodes_at_24_khz_with_the_length_the_model_made(api, reference_samples, version, response_format,
                                                                 stream):
    response, pieces = speak(api, input=TEXT, version=version, response_format=response_format, stream=stream)
    assert response.status_code == 200, b"".join(pieces)
    samples, rate = decode(b"".join(pieces), response_format, stream)
    expected = reference_samples[version]
    if response_format == "opus":  # Opus decodes at 48 kHz, whatever it was made from
        assert rate == 48_000
        assert abs(samples / 2 - expected) <= 0.01 * SAMPLE_RATE_HZ
    elif response_format in ("mp3", "aac"):  # the encoder's delay and last-frame padding, no more
        assert rate == SAMPLE_RATE_HZ
        assert expected <= samples <= expected + 0.1 * SAMPLE_RATE_HZ
    else:
        assert rate == SAMPLE_RATE_HZ
        assert samples == expected
    if not stream:
        assert response.headers["Content-Length"] == str(sum(map(len, pieces)))


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_aac_is_adts_every_frame_starting_with_its_own_header(api, stream):
    response, pieces = speak(api, input=TEXT, response_format="aac", stream=stream)
    assert response.status_code == 200 and response.headers["Content-Type"] == "audio/aac"
    data, frames = b"".join(pieces), 0
    while data:  # ADTS: a 12-bit sync word, then the frame's length in bytes 3-5
        assert data[0] == 0xFF and data[1] & 0xF0 == 0xF0, f"no ADTS header at frame {frames}"
        length = (data[3] & 0x03) << 11 | data[4] << 3 | data[5] >> 5
        data, frames = data[length:], frames + 1
    assert frames > 10


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_responses_name_release_voice_weights_and_timings(api, stream):
    response, _ = speak(api, input=TEXT, model="kokoro-v0.19", voice="af_bella", response_format="pcm", stream=stream)
    headers = response.headers
    assert (headers["X-Kokoro-Version"], headers["X-Kokoro-Voice"]) == ("v0.19", "af_bella")
    assert headers["X-Kokoro-Weights"].startswith("synthetic")
    assert headers["X-Kokoro-Backend"]
    assert headers["X-Kokoro-Warning"] == "synthetic weights: noise, not speech"
    assert float(headers["X-Kokoro-TTFA"]) > 0 and headers["X-Kokoro-Loaded-First"] in ("true", "false")
    rtf_header = "X-Kokoro-First-Chunk-RTF" if stream else "X-Kokoro-RTF"
    assert float(headers[rtf_header]) > 0
    assert ("X-Kokoro-RTF" in headers) is not stream  # a stream's whole RTF is only known at its end


def test_a_streamed_wav_is_chunked_and_decodes_wherever_it_is_cut(api):
    text = "Hi there.\nHow are you?\nFine, thanks."  # v1.0 (KPipeline) speaks a line per chunk
    response, pieces = speak(api, input=text, version="v1.0", response_format="wav", stream=True)
    assert response.status_code == 200
    assert response.headers["Transfer-Encoding"] == "chunked"
    data = b"".join(pieces)
    assert len(data) > len(pieces[0]) + len(pieces[1]) > len(pieces[0]) > WAV_HEADER_BYTES
    cut = 0
    for piece in pieces:
        cut += len(piece)
        audio, rate = soundfile.read(io.BytesIO(data[:cut]), dtype="int16")
        assert rate == SAMPLE_RATE_HZ
        assert len(audio) == (cut - WAV_HEADER_BYTES) // 2
    assert decode_with_ffmpeg(data) == (len(audio), SAMPLE_RATE_HZ)
    assert len(audio) % SAMPLES_PER_FRAME == 0  # whole chunks: each is a whole number of 25 ms frames
    first_chunk_samples = float(response.headers["X-Kokoro-First-Chunk-Audio-Seconds"]) * SAMPLE_RATE_HZ
    assert 0 < first_chunk_samples < len(audio)


def test_a_client_that_disconnects_mid_stream_stops_the_forward_passes(api, manager):
    release = manager.get_model("v0.19")
    text = "\n".join(["Hi there."] * 60)  # sixty chunks: a newline always ends one
    before = release.forward_passes
    with api.stream("POST", "/v1/audio/speech", json={"input": text, "version": "v0.19", "response_format": "pcm",
                                                      "stream": True}) as response:
        assert response.status_code == 200
        next(response.iter_raw())
        pass_s = float(response.headers["X-Kokoro-TTFA"])
    passes_at_disconnect = release.forward_passes
    assert passes_at_disconnect - before < 30  # far from done, or the test says nothing
    settled_s = max(1.0, 1.5 * pass_s)  # a pass that was going to follow would have started by then
    passes = release.forward_passes
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until no pass has started for a while
        time.sleep(settled_s)
        if release.forward_passes == passes:
            break
        passes = release.forward_passes
    assert release.forward_passes <= passes_at_disconnect + 1  # at most the pass that was under way


def test_models_list_the_default_both_releases_and_openai_names_for_the_default(api):
    models = api.get("/v1/models").json()
    assert models["object"] == "list"
    assert {(card["id"], card["version"]) for card in models["data"]} == {
        ("kokoro", "v1.0"), ("kokoro-v1.0", "v1.0"), ("kokoro-v0.19", "v0.19"),
        ("tts-1", "v1.0"), ("tts-1-hd", "v1.0"), ("gpt-4o-mini-tts", "v1.0")}


@pytest.mark.parametrize("version, count, default", [("v0.19", 11, "af"), ("v1.0", 54, "af_heart")])
def test_voices_are_listed_per_release(api, version, count, default):
    voices = api.get("/v1/audio/voices", params={"version": version}).json()
    assert voices["version"] == version and voices["default"] == default
    assert len(voices["voices"]) == count and default in {voice["id"] for voice in voices["voices"]}


def test_health_names_each_release_its_weights_and_whether_it_is_loaded(api, reference_samples):
    health = api.get("/health").json()
    assert health["status"] == "ok" and health["weights_setting"] == "synthetic"
    for release in health["versions"]:
        assert release["loaded"] and release["weights_kind"] == "synthetic" and release["real_speech"] is False
        assert release["backend"] == "torch" and release["backend_note"] is None  # the reference differs from nothing
    assert {release["version"] for release in health["versions"]} == set(VERSIONS)
