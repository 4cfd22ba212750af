"""The command line, run as a user runs it: a separate process on synthetic weights."""

import os
import subprocess
import sys

import pytest
import soundfile

from kokoro_ui.builds.v0_19.frontend import phonemize
from kokoro_ui.config.settings import REPO_ROOT

pytestmark = pytest.mark.slow  # each command is a process of its own that loads a release


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KOKORO_UI_WEIGHTS": "synthetic", "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "kokoro_ui", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_synth_writes_a_24_khz_wav_and_a_line_per_chunk(tmp_path):
    out = tmp_path / "out.wav"
    result = run_cli("synth", "--version", "v1.0", "--voice", "af_heart", "Hello there.\nGood bye.", "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all("tokens" in line and "s audio" in line for line in lines)
    info = soundfile.info(out)
    assert info.samplerate == 24_000 and info.channels == 1 and info.duration > 0.2
    assert "noise, not speech" in result.stderr


def test_phonemize_prints_only_one_line_per_chunk():
    result = run_cli("phonemize", "--version", "v0.19", "One sentence.\nAnother one!")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [phonemize("One sentence.", "a"), phonemize("Another one!", "a")]


def test_voices_lists_one_voice_per_line():
    result = run_cli("voices", "--version", "v1.0")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 54 and "af_heart" in result.stdout.splitlines()


def test_unknown_voice_is_a_one_line_error():
    result = run_cli("synth", "--voice", "nobody", "Hello.", "-o", "/dev/null")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: Kokoro v1.0 has no voice 'nobody'")
