"""The MOS and CMOS designs: what a session plays and stores, how order is balanced across sessions,
and their statistics against a hand computation."""

import csv
import itertools
import math
import statistics
from collections import Counter
from pathlib import Path

import pytest

from helpers.study import session_book

from kokoro_ui.abtest.design import CMOS, MOS
from kokoro_ui.abtest.material import NEW, OLD, Sentence, voice_pairs
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.abtest.ratings import cmos, mos, paired_difference
from kokoro_ui.abtest.records import VoteRecord
from kokoro_ui.abtest.sessions import SessionBook, VoteRefusedError
from kokoro_ui.ui.results_tab import results

SENTENCES = [Sentence(f"s{i}", f"Sentence number {i}.") for i in range(1, 7)]
T_975_DF2 = 4.302652729911275  # Student's t, 97.5th percentile, 2 degrees of freedom (printed tables: 4.303)


def rate(book: SessionBook, session_id: str, score: str) -> VoteRecord:
    trial = book.current_trial(session_id)
    book.show(session_id, trial.number, real_speech=True)
    for clip in trial.clips:
        book.report(session_id, trial.number, clip, "play"), book.report(session_id, trial.number, clip, "end")
    return book.vote(session_id, trial.number, score)


@pytest.fixture
def mos_book(tmp_path, manager) -> SessionBook:
    return session_book(tmp_path, SENTENCES, voice_pairs(manager, "af_bella,am_adam"), trials=6, mode=MOS)


def test_a_mos_session_hears_each_cell_from_both_releases_never_back_to_back(mos_book):
    session = mos_book.start()
    heard = []
    while (trial := mos_book.current_trial(session.id)) is not None:
        assert trial.clips == ("A",)
        heard.append(((trial.sentence.id, trial.pair.id), trial.a_release))
        rate(mos_book, session.id, "4")
    assert len(heard) == 6
    cells = Counter(cell for cell, _ in heard)
    assert len(cells) == 3 and set(cells.values()) == {2}
    for cell in cells:
        assert {release for each, release in heard if each == cell} == {NEW, OLD}
    assert all(heard[n][0] != heard[n + 1][0] for n in range(len(heard) - 1))


def test_a_mos_rating_is_stored_with_its_design_and_score_and_no_second_clip(mos_book, tmp_path):
    session = mos_book.start()
    record = rate(mos_book, session.id, "5")
    stored = mos_book.store.votes(session.id)[0]
    assert stored == record and (stored.mode, stored.score, stored.choice, stored.b_release) == ("mos", 5, None, None)
    with pytest.raises(VoteRefusedError, match="score from 1 to 5"):
        rate(mos_book, session.id, "6")
    rows = list(csv.DictReader(mos_book.store.write_csv(tmp_path / "votes.csv").open(encoding="utf-8")))
    assert [(row["mode"], row["score"]) for row in rows] == [("mos", "5")]


def test_a_mos_session_asks_for_an_even_number_of_trials_and_at_least_four(tmp_path, manager):
    for asked, planned in ((1, 4), (5, 6), (8, 8)):
        book = session_book(tmp_path / f"{asked}.sqlite3", SENTENCES, voice_pairs(manager), asked, MOS)
        assert len(book.start().trials) == planned


def test_which_release_a_cell_is_heard_from_first_is_balanced_over_200_sessions(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES[:2], voice_pairs(manager, "af_bella"), trials=4, mode=MOS)
    first = Counter()
    for _ in range(200):
        session = book.start()
        for slot in session.trials[:2]:  # the first hearings; arranged the first time they are asked for
            first[(slot.sentence.id, book._arranged(session, slot).a_release)] += 1
    for sentence in ("s1", "s2"):
        assert first[(sentence, NEW)] + first[(sentence, OLD)] == 200
        assert abs(first[(sentence, NEW)] - first[(sentence, OLD)]) <= 1


def test_a_cmos_session_stores_b_against_a_and_balances_the_order(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES[:1], voice_pairs(manager, "af_bella"), trials=1, mode=CMOS)
    for score in ["-3", "-2", "-1", "0", "1", "2", "3"] * 4:
        record = rate(book, book.start().id, score)
        assert (record.mode, record.score, record.choice) == ("cmos", int(score), None)
        assert record.preferred_release == (None if score == "0" else
                                            record.b_release if int(score) > 0 else record.a_release)
    orders = Counter(vote.a_release for vote in book.store.votes())
    assert abs(orders[NEW] - orders[OLD]) <= 1 and sum(orders.values()) == 28


def rating(listener: str, sentence: str, score: int, mode: str = "mos", a_release: str = NEW) -> VoteRecord:
    b_release = None if mode == "mos" else (OLD if a_release == NEW else NEW)
    return VoteRecord(listener, 0, sentence, f"{sentence}.", "af_bella", a_release, "af_bella", b_release,
                      None if b_release is None else "af_bella", None, None, "", 1.0, True, 1, 0, 1.0, 0.0,
                      "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:05.000+00:00", mode, score=score)


MOS_SCORES = {  # listener -> sentence -> (v1.0 score, v0.19 score)
    "L1": {"s1": (4, 3), "s2": (5, 3)},
    "L2": {"s1": (3, 3), "s2": (4, 2)},
    "L3": {"s1": (5, 4), "s2": (3, 4)},
}
MOS_VOTES = [rating(listener, sentence, score, a_release=release)
             for listener, sentences in MOS_SCORES.items() for sentence, scores in sentences.items()
             for release, score in zip((NEW, OLD), scores)]


def test_mos_and_its_intervals_match_a_hand_computation():
    result = mos(MOS_VOTES, NEW)
    assert (result.ratings, result.listeners, result.items, result.mean) == (6, 3, 2, 4.0)
    # listeners' means 4.5, 3.5, 4.0: sd 0.5; half-width t(0.975, 2) * 0.5 / sqrt(3)
    half = T_975_DF2 * 0.5 / math.sqrt(3)
    assert result.over_listeners == pytest.approx((4.0 - half, 4.0 + half))
    # items' means: s1 (4 + 3 + 5) / 3 = 4, s2 (5 + 4 + 3) / 3 = 4: no spread between items
    assert result.over_items == pytest.approx((4.0, 4.0))
    old = mos(MOS_VOTES, OLD)
    assert old.mean == pytest.approx(19 / 6)


def test_the_paired_mos_difference_matches_a_hand_computation():
    # per listener, mean of (v1.0 - v0.19): L1 (1 + 2) / 2 = 1.5, L2 (0 + 2) / 2 = 1.0, L3 (1 - 1) / 2 = 0.0
    result = paired_difference(MOS_VOTES)
    mean = 2.5 / 3
    sd = math.sqrt(((1.5 - mean) ** 2 + (1.0 - mean) ** 2 + (0.0 - mean) ** 2) / 2)
    half = T_975_DF2 * sd / math.sqrt(3)
    assert result.listeners == 3 and result.mean == pytest.approx(mean)
    assert result.interval == pytest.approx((mean - half, mean + half))


def test_cmos_and_its_wilcoxon_test_match_a_hand_computation():
    votes = [rating("L1", "s1", 2, "cmos", OLD), rating("L1", "s2", -1, "cmos", NEW),  # v1.0 vs v0.19: +2, +1
             rating("L2", "s1", 0, "cmos", OLD), rating("L2", "s2", 1, "cmos", NEW),  # 0, -1
             rating("L3", "s1", 3, "cmos", OLD), rating("L3", "s2", -2, "cmos", NEW)]  # +3, +2
    result = cmos(votes)
    assert result.summary.mean == pytest.approx(7 / 6)
    listeners = [1.5, -0.5, 2.5]
    half = T_975_DF2 * statistics.stdev(listeners) / math.sqrt(3)
    assert result.summary.over_listeners == pytest.approx((7 / 6 - half, 7 / 6 + half))
    # Wilcoxon without the zero: |d| 2, 1, 1, 3, 2 -> ranks 3.5, 1.5, 1.5, 5, 3.5; W- = 1.5 (the -1). Exactly:
    # of the 32 equally likely sign patterns, those with W- <= 1.5 are {}, {1.5}, {1.5'}: p = 2 * 3 / 32
    ranks = [3.5, 1.5, 1.5, 5, 3.5]
    low = sum(sum(rank for rank, negative in zip(ranks, signs) if negative) <= 1.5
              for signs in itertools.product((False, True), repeat=5))
    assert low == 3 and result.p_value == pytest.approx(2 * low / 32)


def test_the_results_tab_reports_mos_and_cmos(tmp_path):
    store = open_store(tmp_path / "votes.sqlite3")
    for number, vote in enumerate(MOS_VOTES, start=1):
        store.add(VoteRecord(**{**vote.__dict__, "trial": number, "rendering": "whole-pass"}))
    shown = results(store)
    assert "**v1.0**: **4.00** from 6 rating(s)" in shown.scale_summary
    assert "paired difference v1.0 − v0.19: **+0.83** over 3 listener(s)" in shown.scale_summary
    assert "No CMOS ratings yet." in shown.scale_summary
    assert len(Path(shown.csv_path).read_text(encoding="utf-8").splitlines()) == 1 + 12
