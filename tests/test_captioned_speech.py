"""Word timings on the outside: `POST /dev/captioned_speech` (Kokoro-FastAPI's shape, plus `version`)
whole and streamed for both releases, its audio decoded and held against its timestamps, and the
same times as WebVTT and SRT read back by ffmpeg."""

import base64
import io
import json
import subprocess

import pytest
import soundfile
from gradio_client import Client

from kokoro_ui.outputs.captions import run_captions, srt, webvtt
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ

TEXT = "Dr. Smith paid $3.50 at 10:30. It's well-known, isn't it?"
WORDS = ["Dr.", "Smith", "paid", "$3.50", "at", "10:30", "It's", "well-known", "isn't", "it"]
VERSIONS = ["v0.19", "v1.0"]


def wav_seconds(encoded: str) -> float:
    audio, rate = soundfile.read(io.BytesIO(base64.b64decode(encoded)))
    assert rate == SAMPLE_RATE_HZ and len(audio) > 0
    return len(audio) / rate


def check_times(timestamps: list[dict], audio_s: float) -> None:
    starts = [stamp["start_time"] for stamp in timestamps]
    assert starts == sorted(starts)
    for stamp in timestamps:
        assert 0 <= stamp["start_time"] <= stamp["end_time"] <= audio_s + 0.001, (stamp, audio_s)


@pytest.mark.parametrize("version", VERSIONS)
def test_whole_answer_times_every_written_word_inside_its_audio(api, version):
    response = api.post("/dev/captioned_speech", json={"input": TEXT, "version": version, "stream": False,
                                                       "response_format": "wav", "lang_code": "a"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["audio_format"] == "wav" and [stamp["word"].rstrip(".") for stamp in body["timestamps"]] == \
        [word.rstrip(".") for word in WORDS]
    check_times(body["timestamps"], wav_seconds(body["audio"]))


@pytest.mark.parametrize("version", VERSIONS)
def test_streamed_answer_is_one_json_line_per_chunk_on_the_whole_runs_clock(api, version):
    with api.stream("POST", "/dev/captioned_speech", json={"input": TEXT, "version": version, "stream": True,
                                                           "response_format": "wav"}) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert len(lines) >= 2  # fast first: a short first chunk, then the rest
    elapsed_s = 0.0
    for line in lines:
        chunk_s = wav_seconds(line["audio"])
        check_times(line["timestamps"], elapsed_s + chunk_s)
        assert all(stamp["start_time"] >= elapsed_s - 0.001 for stamp in line["timestamps"])
        elapsed_s += chunk_s
    assert len([stamp for line in lines for stamp in line["timestamps"]]) >= len(WORDS)


@pytest.mark.parametrize("body, param, words", [
    ({"input": "Hi.", "stream": "yes"}, "stream", ["boolean"]),
    ({"input": "Hi.", "response_format": "mp5"}, "response_format", ["mp3"]),
    ({"input": "... !!! ---", "stream": False}, None, ["nothing"]),
    ({"input": "Hi.", "surprise": 1}, "surprise", []),
    ({"stream": False}, "input", ["input"]),
    ({"input": "Hi.", "version": "v9"}, "version", ["v0.19"]),
])
def test_bad_bodies_are_a_4xx_with_a_reason(api, body, param, words):
    response = api.post("/dev/captioned_speech", json=body)
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    if param:
        assert error["param"] == param, error
    for word in words:
        assert word in error["message"].lower(), error


def test_captions_read_back_by_ffmpeg_with_the_runs_times(v1, tmp_path):
    captions = run_captions(v1.stream(TEXT, "af_bella"))
    assert [caption.word.rstrip(".") for caption in captions] == [word.rstrip(".") for word in WORDS]
    for name, text in (("words.vtt", webvtt(captions)), ("words.srt", srt(captions))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        converted = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(tmp_path / name), "-f", "srt", "-"],
                                   capture_output=True, text=True, check=True).stdout
        cues = [block.splitlines() for block in converted.strip().split("\n\n")]
        assert [cue[2] for cue in cues] == [caption.word for caption in captions]
        first_start = cues[0][1].split(" --> ")[0]
        assert first_start == srt(captions).splitlines()[1].split(" --> ")[0]


def test_the_named_api_gives_the_same_word_timings(server_url):
    path, timestamps = Client(server_url, verbose=False).predict(TEXT, "af_bella", 1.0, "v1.0",
                                                                  api_name="/word_timings")
    audio, rate = soundfile.read(path)
    assert [stamp["word"].rstrip(".") for stamp in timestamps] == [word.rstrip(".") for word in WORDS]
    check_times(timestamps, len(audio) / rate)
