"""The listening study's quality checks: the headphone screening's stimuli and verdict, the attention
trial (once per session, never first or last, looking like any trial, its answer a mark and never a
vote), and failed sessions kept, marked, exported and left out of Results on request, counted."""

import csv
import random
import wave
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers.study import fill_bank, session_book

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.attention import INSTRUCTIONS, instruction
from kokoro_ui.abtest.bank import ClipBank
from kokoro_ui.abtest.clips import ClipCache, write_blind_wav
from kokoro_ui.abtest.design import AB, MODES, MOS
from kokoro_ui.abtest.headphones import HeadphoneScreening, ScreeningRefusedError
from kokoro_ui.abtest.material import NEW, OLD, Sentence, voice_pairs
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.abtest.records import ATTENTION, HEADPHONES, CheckRecord, VoteRecord
from kokoro_ui.abtest.screening import ANTIPHASE, LOUD, ORDERS, QUIET, SAMPLE_RATE_HZ, stimulus
from kokoro_ui.abtest.sessions import SessionBook
from kokoro_ui.ui.listening_driver import PREFIX, study_driver_router
from kokoro_ui.ui.listening_tab import answer_screening, cast_vote, heard, heard_screening, start_session
from kokoro_ui.ui.results_tab import results

SENTENCES = [Sentence(f"q{i}", f"Sentence number {i}.") for i in range(1, 7)]
TONE, GAP = SAMPLE_RATE_HZ, SAMPLE_RATE_HZ // 2  # 1 s tones, 0.5 s apart


def spans(audio: np.ndarray) -> list[np.ndarray]:
    """The three tones of a screening stimulus, (frames, 2) each."""
    return [audio[start:start + TONE] for start in range(0, 3 * (TONE + GAP), TONE + GAP)]


def rms(signal: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(signal, dtype=np.float64))))


def test_each_screening_stimulus_is_stereo_with_one_antiphase_tone_and_one_6_db_quieter():
    assert len(set(ORDERS)) == 6
    for order in ORDERS:
        audio = stimulus(order)
        assert audio.dtype == np.float32 and audio.shape == (3 * TONE + 2 * GAP, 2)
        tones = dict(zip(order, spans(audio)))
        assert np.array_equal(tones[ANTIPHASE][:, 1], -tones[ANTIPHASE][:, 0]) and rms(tones[ANTIPHASE][:, 0]) > 0.1
        for kind in (QUIET, LOUD):
            assert np.array_equal(tones[kind][:, 1], tones[kind][:, 0])
        assert 20 * np.log10(rms(tones[QUIET]) / rms(tones[LOUD])) == pytest.approx(-6.0, abs=1e-4)
        assert rms(tones[ANTIPHASE]) == pytest.approx(rms(tones[LOUD]), rel=1e-6)
        for start in (TONE, 2 * TONE + GAP):
            assert not audio[start:start + GAP].any()  # the gaps are silent
        spectrum = np.abs(np.fft.rfft(tones[LOUD][:, 0]))
        assert np.argmax(spectrum) * SAMPLE_RATE_HZ / TONE == 200.0


def test_a_screening_sound_is_written_as_a_stereo_wav_that_keeps_its_antiphase(tmp_path):
    order = (LOUD, ANTIPHASE, QUIET)
    path = write_blind_wav(stimulus(order), tmp_path, sample_rate_hz=SAMPLE_RATE_HZ)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (2, 44_100, 2)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2).astype(np.float64)
    tones = dict(zip(order, spans(frames)))
    assert np.abs(tones[ANTIPHASE][:, 0] + tones[ANTIPHASE][:, 1]).max() <= 3  # opposite up to dither (±1.5 LSB each)
    assert np.abs(tones[LOUD][:, 0] - tones[LOUD][:, 1]).max() <= 3
    assert 20 * np.log10(rms(tones[QUIET]) / rms(tones[LOUD])) == pytest.approx(-6.0, abs=0.01)


def answer_all(screening: HeadphoneScreening, answers: list[int]) -> None:
    for number, answer in enumerate(answers, start=1):
        assert screening.show().number == number
        screening.report(number, "play")
        assert screening.report(number, "end")
        screening.answer(number, str(answer))
    assert screening.done and screening.show() is None


def test_the_headphone_screening_passes_only_with_all_three_right():
    drawn = [HeadphoneScreening.draw(random.Random(seed)) for seed in range(4)]
    assert all(len(set(screening.orders)) == 3 for screening in drawn)
    right, wrong = drawn[0], drawn[1]
    answer_all(right, right.right)
    assert right.passed and right.answers == right.right
    answer_all(wrong, [*wrong.right[:2], wrong.right[2] % 3 + 1])  # the last one wrong
    assert not wrong.passed
    ones = drawn[2]
    answer_all(ones, [1, 1, 1])  # three different orders never put the quiet tone first three times
    assert not ones.passed


def test_a_screening_answer_waits_for_the_sound_and_comes_in_order():
    screening = HeadphoneScreening.draw(random.Random(7))
    screening.show()
    with pytest.raises(ScreeningRefusedError, match="to the end"):
        screening.answer(1, "1")
    screening.report(1, "end")  # an end with no play counts for nothing
    with pytest.raises(ScreeningRefusedError, match="to the end"):
        screening.answer(1, "1")
    screening.report(1, "play"), screening.report(1, "end")
    with pytest.raises(ScreeningRefusedError, match="1, 2 or 3"):
        screening.answer(1, "4")
    with pytest.raises(ScreeningRefusedError, match="current sound"):
        screening.answer(2, "1")
    screening.answer(1, "2")
    assert screening.answers == [2]


def test_every_session_has_one_attention_trial_never_first_nor_last(tmp_path, manager):
    pairs = voice_pairs(manager, "af_bella,am_adam")
    for mode in MODES:
        book = session_book(tmp_path / f"{mode}.sqlite3", SENTENCES, pairs, 5, mode, attention_check=True)
        places = Counter()
        for _ in range(60):
            slots = book.start().trials
            checks = [slot for slot in slots if slot.attention is not None]
            assert len(checks) == 1 and [slot.number for slot in slots] == list(range(1, book.length + 1))
            assert 1 < checks[0].number < book.length and checks[0].attention in INSTRUCTIONS[mode]
            places[checks[0].number] += 1
            for slot in slots:  # the trials a slot refers to were renumbered with it
                earlier = slot.repeat_of or slot.other_release_of
                if earlier:
                    other = slots[earlier - 1]
                    assert other.attention is None and (other.sentence, other.pair) == (slot.sentence, slot.pair)
                    assert slot.number - earlier >= 2
        assert sorted(places) == list(range(2, book.length)) and sum(places.values()) == 60
    short = session_book(tmp_path / "short.sqlite3", SENTENCES, pairs, 1, AB, attention_check=True)
    assert short.length == 1 and short.start().trials[0].attention is None  # no place between first and last


def listen_through(book: SessionBook, session_id: str) -> int:
    trial = book.current_trial(session_id)
    book.show(session_id, trial.number, real_speech=True)
    for clip in trial.clips:
        book.report(session_id, trial.number, clip, "play"), book.report(session_id, trial.number, clip, "end")
    return trial.number


def test_the_attention_answer_is_stored_as_a_mark_and_never_as_a_vote(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager, "af_bella"), 4, MOS, attention_check=True)
    for wrong in (False, True):
        session = book.start()
        asked = next(slot for slot in session.trials if slot.attention is not None)
        given = str(6 - int(asked.attention)) if wrong else asked.attention  # 2 <-> 4
        while (trial := book.current_trial(session.id)) is not None:
            assert trial.spoken == (instruction(MOS, trial.attention) if trial.attention else trial.sentence.text)
            assert trial.attention is None or {trial.release_of(clip) for clip in trial.clips} == {NEW}
            record = book.vote(session.id, listen_through(book, session.id), given if trial.attention else "3")
            assert (record is None) == (trial.attention is not None)
        votes = book.store.votes(session.id)
        assert [vote.trial for vote in votes] == [number for number in range(1, 6) if number != asked.number]
        check = [check for check in book.store.checks() if check.session_id == session.id]
        assert [(c.kind, c.passed, c.asked, c.answered) for c in check] == [(ATTENTION, not wrong, asked.attention,
                                                                             given)]
    stored = book.store.votes()
    assert len(stored) == 8 and {vote.score for vote in stored} == {3}  # no attention answer among the ratings
    shown = results(book.store, exclude_failed_checks=False)
    assert "**3.00** from 4 rating(s)" in shown.scale_summary  # per release: 4 of the 8, the check's answer nowhere


@pytest.fixture
def quality_test(tmp_path, manager) -> ListeningTest:
    """An A/B study of 3 trials with an attention trial and the headphone check, every clip in a bank of tones."""
    pairs = voice_pairs(manager, "af_bella")
    bank = fill_bank(manager, tmp_path / "bank", SENTENCES[:2], pairs)
    book = session_book(tmp_path, SENTENCES[:2], pairs, 3, AB, attention_check=True, headphone_check=True)
    return ListeningTest(manager, book.store, book, ClipCache(manager, bank=ClipBank(bank.folder)))


def visible(screen) -> set[str]:
    return {name for name, value in vars(screen).items() if value not in (None, "", False, 0)} - {"session_id"}


def test_through_the_tab_the_screening_comes_first_and_the_attention_trial_looks_like_any_other(quality_test,
                                                                                                   manager):
    test, v1 = quality_test, manager.get_model(NEW)
    passes = v1.forward_passes
    screen = start_session(test)
    session = test.book.get(screen.session_id)
    assert screen.screening.number == 1 and screen.trial_number == 0 and screen.clip_a is None
    with wave.open(screen.screening.path) as wav:
        assert wav.getnchannels() == 2 and wav.getframerate() == SAMPLE_RATE_HZ
    refused = cast_vote(test, screen.session_id, 1, "A", "")
    assert refused.refused and "headphone check first" in refused.message
    for number in (1, 2, 3):
        assert screen.screening.number == number
        assert not answer_screening(test, screen.session_id, number, "1").screening  # not heard yet: refused
        heard_screening(test, screen.session_id, number, "play")
        assert heard_screening(test, screen.session_id, number, "end")
        screen = answer_screening(test, screen.session_id, number, str(session.screening.right[number - 1]))
    screens = {}
    while screen.reveal is None:
        screens[screen.trial_number] = screen
        for clip in "AB":
            heard(test, screen.session_id, screen.trial_number, clip, "play")
            heard(test, screen.session_id, screen.trial_number, clip, "end")
        screen = cast_vote(test, screen.session_id, screen.trial_number, "B", "")
    check = next(slot for slot in session.trials if slot.attention is not None)
    assert sorted(screens) == [1, 2, 3, 4] and check.number in (2, 3)
    attention, other = screens[check.number], screens[1]
    assert visible(attention) == visible(other) and {"progress", "sentence", "clip_a", "clip_b"} <= visible(other)
    assert attention.note == other.note  # the same words on noise, though its clips are all v1.0's
    assert "attention" not in attention.sentence.lower() and f"{check.number} / 4" in attention.progress
    assert any(sentence.text in attention.sentence for sentence in SENTENCES[:2]) and "Bella" in attention.sentence
    assert Path(attention.clip_a).read_bytes() != Path(attention.clip_b).read_bytes()  # freshly dithered each
    banked = test.clips.bank.path(v1, "af_bella", instruction(AB, check.attention), 1.0)
    assert banked.is_file() and v1.forward_passes == passes  # the attention clip came from the bank
    assert f"Trial {check.number} was an attention check" in screen.tally
    checks = {c.kind: c for c in test.store.checks()}
    assert checks[HEADPHONES].passed and checks[HEADPHONES].asked == checks[HEADPHONES].answered
    assert checks[ATTENTION].passed is (check.attention == "B") and len(test.store.votes()) == 3


def vote(session: str, trial: int, preferred: str | None) -> VoteRecord:
    b_release = OLD
    return VoteRecord(session, trial, f"s{trial}", "One.", "af_bella", NEW, "af_bella", b_release, "af_bella",
                      {NEW: "A", OLD: "B", None: "none"}[preferred], preferred, "", 1.0, True, 1, 1, 1.0, 1.0,
                      "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:05.000+00:00", "ab", rendering="whole-pass")


def check(session: str, kind: str, passed: bool) -> CheckRecord:
    return CheckRecord(session, kind, passed, "B", "B" if passed else "A", "2026-01-01T00:00:03.000+00:00")


PREFERRED = {"S1": [NEW, NEW, OLD], "S2": [NEW, NEW], "S3": [OLD], "S4": [OLD, None]}  # session -> its votes
CHECKS = [check("S1", ATTENTION, True), check("S1", HEADPHONES, True), check("S2", ATTENTION, False),
          check("S3", ATTENTION, True), check("S3", HEADPHONES, False)]  # S4 took none


def test_a_failed_session_is_kept_marked_exported_and_left_out_of_results_on_request(tmp_path):
    store = open_store(tmp_path / "votes.sqlite3")
    for session, preferred in PREFERRED.items():
        for trial, release in enumerate(preferred, start=1):
            store.add(vote(session, trial, release))
    for each in CHECKS:
        store.mark(each)
    # by hand: S2 (attention) and S3 (headphones) failed; left out, S1 and S4 remain: v1.0 2, v0.19 2, none 1
    shown = results(store)
    assert "**2** votes preferred v1.0, **2** preferred v0.19, **1** had no preference" in shown.summary
    assert "3 vote(s) of 2 session(s) that failed a quality check" in shown.summary
    assert shown.quality == ("Quality checks: 3 session(s) took one, 2 failed (1 the attention trial, 1 the "
                             "headphone check). **Left out: 2 session(s) and their 3 rating(s).**")
    counted_in = results(store, exclude_failed_checks=False)  # all 8: v1.0 4, v0.19 3, none 1
    assert "**4** votes preferred v1.0, **3** preferred v0.19, **1** had no preference" in counted_in.summary
    assert "failed a quality check" not in counted_in.summary and "Their ratings are counted" in counted_in.quality
    assert len(store.votes()) == 8  # kept
    rows = list(csv.DictReader(open(shown.csv_path, encoding="utf-8")))
    assert {row["session_id"]: row["quality_check"] for row in rows} == {
        "S1": "passed", "S2": "failed: attention", "S3": "failed: headphones", "S4": ""}
    assert len(rows) == 8
    marks = dict(zip(shown.sessions["Session"], shown.sessions["Quality check"]))
    assert marks == {"S1": "passed", "S2": "failed: attention", "S3": "failed: headphones", "S4": "none taken"}


def test_the_study_driver_answers_the_headphone_check_through_the_tabs_handlers(quality_test):
    app = FastAPI()
    app.include_router(study_driver_router(quality_test))
    client = TestClient(app)
    shown = client.post(f"{PREFIX}/start", json={}).json()
    session_id = shown["session_id"]
    assert (shown["screening"], shown["trial"], shown["clips"]) == (1, 0, 0)
    for number in (1, 2, 3):
        body = {"session_id": session_id, "trial": number}
        assert client.post(f"{PREFIX}/screening/report", json={**body, "event": "play"}).json() == {"answerable": False}
        assert client.post(f"{PREFIX}/screening/report", json={**body, "event": "end"}).json() == {"answerable": True}
        shown = client.post(f"{PREFIX}/screening/answer", json={**body, "answer": "3"}).json()
        assert not shown["refused"], shown["message"]
    assert (shown["screening"], shown["trial"], shown["clips"]) == (0, 1, 2)
    [verdict] = quality_test.store.checks()
    assert (verdict.session_id, verdict.kind, verdict.answered) == (session_id, HEADPHONES, "3 3 3")
