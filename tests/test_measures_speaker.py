"""Speaker similarity of two renderings (resemblyzer's GE2E encoder): on real v1.0 speech (packaged weights),
on a tone, and on noise from synthetic weights, where Compare's Measures section says it means nothing."""

import base64
import csv
import io
import re

import numpy as np
import pytest

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.measures import speaker, speaker_similarity
from kokoro_ui.outputs.word_view import RunWords
from kokoro_ui.ui.measures_view import measure_comparison

FIRST, SECOND = "I left my keys on the kitchen table.", "The library closes at six on weekdays."
CAT = "The cat sat on the mat."


def _chunks(manager, text: str, voice: str, version: str = "v1.0") -> list:
    return list(manager.get_model(version).stream(text, voice, fast_first=False))


def _audio(manager, text: str, voice: str) -> np.ndarray:
    return np.concatenate([chunk.audio for chunk in _chunks(manager, text, voice)])


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


def test_compare_labels_the_similarity_and_says_noise_makes_it_meaningless(manager):
    """The session's synthetic weights: both sides are noise, and the section says what the number is worth."""
    run = RunWords.of(*(_chunks(manager, CAT, "af_bella", version) for version in ("v0.19", "v1.0")))
    page = measure_comparison(manager, run, CAT, "v0.19", "v1.0")
    row = re.search(r"<tr id='measures-speaker'><td>speaker similarity \(resemblyzer, GE2E\)</td>"
                    r"<td colspan='3'>([^<]*)</td></tr>", page)
    assert row is not None, page[:2000]
    assert row.group(1).endswith("(cosine of the d-vectors of their voices; 1: one voice): compares noise, means nothing")
    assert "the speaker similarity (resemblyzer, GE2E) compares noise from synthetic weights: it means nothing" in page
    assert "speaker similarity: resemblyzer 0.1.4 VoiceEncoder" in page
    table = base64.b64decode(re.search(r"download='kokoro_measures.csv' href='data:text/csv;base64,([^']*)'",
                                       page).group(1)).decode()
    header, *rows = csv.reader(io.StringIO(table))
    assert header == ["measure", "v0.19", "v1.0", "difference"]
    assert rows[-1][:3] == ["speaker similarity (resemblyzer, GE2E)", "", ""] and 0 <= float(rows[-1][3]) <= 1
