"""Clips for the listening test: loudness, anonymous files, the synthesis cache, and a blind trial."""

import re
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from helpers.study import session_book

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.clips import ClipCache, write_blind_wav
from kokoro_ui.outputs.loudness import PEAK_CEILING, Clip, integrated_loudness, match_loudness
from kokoro_ui.abtest.material import Sentence, voice_pairs
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ

RELEASE_MARKS = re.compile(r"v?0[._]19|v?1[._]0|kokoro", re.IGNORECASE)


def tone(amplitude: float, hz: float = 997.0, seconds: float = 3.0, rate: int = 48_000) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * hz * np.arange(int(rate * seconds)) / rate)


def riff_chunks(data: bytes) -> list[bytes]:
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset + 4:offset + 8], "little")
        chunks.append(data[offset:offset + 4])
        offset += 8 + size + (size & 1)
    return chunks


def test_a_full_scale_997_hz_sine_reads_minus_3_01_lufs():
    assert integrated_loudness(tone(1.0), 48_000) == pytest.approx(-3.01, abs=0.01)
    at_24_khz = integrated_loudness(tone(1.0, rate=SAMPLE_RATE_HZ), SAMPLE_RATE_HZ)
    assert at_24_khz == pytest.approx(-3.01, abs=0.05)
    assert integrated_loudness(tone(0.1), 48_000) == pytest.approx(-23.01, abs=0.01)


def test_silence_between_words_barely_lowers_the_loudness():
    word = tone(0.3, rate=SAMPLE_RATE_HZ, seconds=1.0)
    with_pauses = np.concatenate([word, np.zeros(SAMPLE_RATE_HZ * 2)])
    plain_mean_square_drop_db = 10 * np.log10(3)  # what an ungated level would lose: 4.8 dB
    drop_db = integrated_loudness(word) - integrated_loudness(with_pauses)
    assert 0 <= drop_db < 1.0 < plain_mean_square_drop_db  # the gates drop the silent blocks


def test_matched_clips_have_one_loudness_and_never_clip():
    quiet = Clip(tone(0.01, rate=SAMPLE_RATE_HZ).astype(np.float32), 0.0, True)
    loud = Clip(tone(0.9, hz=200, rate=SAMPLE_RATE_HZ).astype(np.float32), 0.0, True)
    quiet, loud = (replace(clip, loudness_lufs=integrated_loudness(clip.audio)) for clip in (quiet, loud))
    matched = match_loudness([quiet, loud])
    levels = [integrated_loudness(audio) for audio in matched]
    assert levels[0] == pytest.approx(levels[1], abs=0.01) and levels[0] == pytest.approx(-23.0, abs=0.01)
    spiky = Clip(np.r_[np.zeros(24_000), [0.99], np.zeros(24_000), tone(0.01, rate=SAMPLE_RATE_HZ)].astype(np.float32),
                 0.0, True)
    spiky = replace(spiky, loudness_lufs=integrated_loudness(spiky.audio))
    matched = match_loudness([spiky, loud])
    assert max(np.max(np.abs(audio)) for audio in matched) <= PEAK_CEILING + 1e-6
    levels = [integrated_loudness(audio) for audio in matched]
    assert levels[0] == pytest.approx(levels[1], abs=0.01)  # turned down together, still matched


def test_blind_files_have_random_names_no_metadata_and_fresh_dither(tmp_path):
    audio = (0.1 * np.sin(np.arange(24_000) / 10)).astype(np.float32)
    first, second = write_blind_wav(audio, tmp_path), write_blind_wav(audio, tmp_path)
    assert re.fullmatch(r"[0-9a-f]{32}\.wav", first.name) and first.name != second.name
    data = first.read_bytes()
    assert data[:4] == b"RIFF" and riff_chunks(data) == [b"fmt ", b"data"]
    samples = [np.frombuffer(path.read_bytes()[44:], "<i2").astype(int) for path in (first, second)]
    assert not np.array_equal(*samples)  # so their content hashes (Gradio's cache folder names) differ too
    assert np.max(np.abs(samples[0] - samples[1])) <= 2


def test_a_clip_is_synthesised_once_however_many_ask_at_once(manager):
    cache, model = ClipCache(manager), manager.get_model("v1.0")
    before = model.forward_passes
    clips = []
    threads = [threading.Thread(target=lambda: clips.append(cache.get("v1.0", "af_bella", "Hello there.")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert model.forward_passes - before == 1
    assert all(clip is clips[0] for clip in clips) and clips[0].real_speech is False
    assert cache.get("1.0", "af_bella", "Hello there.") is clips[0]  # release aliases share the entry


def test_a_trial_comes_as_two_matched_anonymous_files_and_the_next_one_is_prefetched(tmp_path, manager):
    sentences = [Sentence("t1", "Hello there."), Sentence("t2", "Good night.")]
    book = session_book(tmp_path, sentences, voice_pairs(manager), trials=2)
    test = ListeningTest(manager, book.store, book, ClipCache(manager))
    session = test.book.start()
    clips = test.current_clips(session.id)
    assert (clips.number, clips.total) == (1, 2) and clips.sentence == session.trials[0].sentence.text
    for path in (clips.a_path, clips.b_path):
        assert re.fullmatch(r"[0-9a-f]{32}\.wav", path.rsplit("/", 1)[1])
    levels = [integrated_loudness(np.frombuffer(Path(path).read_bytes()[44:], "<i2") / 32768.0)
              for path in (clips.a_path, clips.b_path)]
    assert levels[0] == pytest.approx(levels[1], abs=0.1)
    assert "noise, not speech" in clips.noise_note and not RELEASE_MARKS.search(clips.noise_note)
    upcoming = session.trials[1]
    test.clips._background.submit(lambda: None).result()  # wait for the prefetch worker's queue
    passes = {release: test.manager.get_model(release).forward_passes for release in ("v0.19", "v1.0")}
    for release in ("v0.19", "v1.0"):
        test.clips.get(release, upcoming.pair.voices[release], upcoming.sentence.text)
    assert {release: test.manager.get_model(release).forward_passes for release in passes} == passes
