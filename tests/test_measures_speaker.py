"""Speaker similarity of two renderings (resemblyzer's GE2E encoder): on real v1.0 speech (packaged weights),
on a tone and on silence. How Compare shows it (and says noise makes it meaningless): test_measures_browser.py;
the evaluation's pairs.csv: test_measures_cli.py."""

import numpy as np
import pytest

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.measures import speaker, speaker_similarity

FIRST, SECOND = "I left my keys on the kitchen table.", "The library closes at six on weekdays."


def _audio(manager, text: str, voice: str) -> np.ndarray:
    """v1.0 speaking `text` whole (no measures: only the audio is needed)."""
    return np.concatenate([chunk.audio for chunk in manager.get_model("v1.0").stream(text, voice, fast_first=False)])


@pytest.fixture(scope="module")
def heart(real) -> list[np.ndarray]:
    """af_heart saying two different sentences."""
    return [_audio(real, text, "af_heart") for text in (FIRST, SECOND)]


@pytest.fixture(scope="module")
def adam(real) -> np.ndarray:
    return _audio(real, FIRST, "am_adam")


def test_one_voice_saying_two_sentences_is_more_alike_than_two_voices_saying_one(heart, adam):
    same = speaker_similarity(heart[0], heart[1], SAMPLE_RATE_HZ).value
    different = speaker_similarity(heart[0], adam, SAMPLE_RATE_HZ, "af_heart", "am_adam").value
    assert same >= 0.75 and different <= 0.7 and same - different >= 0.15, (same, different)


def test_a_rendering_is_its_own_voice(heart):
    similarity = speaker_similarity(heart[0], heart[0], SAMPLE_RATE_HZ)
    assert similarity.value == pytest.approx(1.0, abs=1e-5)
    assert similarity.model == "resemblyzer 0.1.4 VoiceEncoder (GE2E d-vectors, 16 kHz)" and similarity.note == ""


def test_a_tone_holds_no_speech_and_says_so(heart):
    tone = 0.3 * np.sin(2 * np.pi * 200.0 * np.arange(2 * SAMPLE_RATE_HZ) / SAMPLE_RATE_HZ)
    similarity = speaker_similarity(tone, heart[0], SAMPLE_RATE_HZ, "the tone", "af_heart")
    assert similarity.value is None
    assert similarity.note == "not measured: webrtcvad found no speech in the tone"


def test_silence_is_not_measured():
    assert speaker_similarity(np.zeros(SAMPLE_RATE_HZ), np.zeros(SAMPLE_RATE_HZ), SAMPLE_RATE_HZ).value is None


def test_the_encoder_is_the_pinned_one():
    speaker.load()  # checks the wheel's version, pretrained.pt's size and sha256, and loads it strictly
    assert speaker.loaded()
