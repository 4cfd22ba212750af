"""The listening test's statistics against values computed independently here, and the Results tab's summary."""

import math
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from scipy.stats import binomtest

from helpers.study import session_book

from kokoro_ui.abtest.material import Sentence, voice_pairs
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.abtest.records import VoteRecord
from kokoro_ui.abtest.stats import abx_test, describe, sign_test, tally, wilson_interval
from kokoro_ui.ui.results_tab import results


def exact_two_sided_half(successes: int, trials: int) -> float:
    """Reference: sum the probabilities of every split at least as uneven, in exact fractions."""
    observed = abs(successes - trials / 2)
    total = sum(Fraction(math.comb(trials, k), 2 ** trials) for k in range(trials + 1)
                if abs(k - trials / 2) >= observed)
    return float(min(total, 1))


def test_fifteen_of_twenty_is_significant_at_five_percent():
    assert sign_test(15, 20) == pytest.approx(0.041389, abs=1e-6)
    assert sign_test(15, 20) == pytest.approx(exact_two_sided_half(15, 20), rel=1e-12)


@pytest.mark.parametrize("successes, trials", [(0, 1), (1, 1), (3, 7), (10, 20), (0, 12), (61, 100), (480, 1000)])
def test_sign_test_matches_the_exact_reference(successes, trials):
    assert sign_test(successes, trials) == pytest.approx(exact_two_sided_half(successes, trials), rel=1e-9)


def test_sign_test_is_symmetric_and_an_even_split_gives_one():
    assert sign_test(5, 20) == pytest.approx(sign_test(15, 20))
    assert sign_test(10, 20) == 1.0


@pytest.mark.parametrize("successes, trials", [(0, 5), (5, 5), (15, 20), (1, 3), (37, 80), (999, 1000)])
def test_wilson_interval_matches_scipy(successes, trials):
    reference = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(successes, trials)
    assert low == pytest.approx(reference.low, abs=1e-9)
    assert high == pytest.approx(reference.high, abs=1e-9)


def test_wilson_interval_from_the_formula_for_fifteen_of_twenty():
    z, n, p = 1.959963984540054, 20, 0.75
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson_interval(15, 20) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert wilson_interval(15, 20) == pytest.approx((0.5313, 0.8881), abs=1e-4)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        wilson_interval(3, 0)
    with pytest.raises(ValueError):
        sign_test(21, 20)


def test_ties_are_counted_apart_from_the_share():
    preference = tally(["v1.0"] * 15 + ["v0.19"] * 5 + [None] * 7, "v1.0")
    assert (preference.wins, preference.losses, preference.ties, preference.decided) == (15, 5, 7, 20)
    assert preference.share == 0.75
    assert preference.p_value == pytest.approx(0.041389, abs=1e-6)


def test_only_ties_give_no_share_and_no_test():
    preference = tally([None, None], "v1.0")
    assert preference.share is None and preference.interval is None and preference.p_value is None
    assert "no preference" in describe(preference, "v1.0", "v0.19")


def test_the_summary_says_when_a_split_could_be_chance():
    close = describe(tally(["v1.0"] * 11 + ["v0.19"] * 9, "v1.0"), "v1.0", "v0.19")
    clear = describe(tally(["v0.19"] * 18 + ["v1.0"] * 2, "v1.0"), "v1.0", "v0.19")
    assert "too close to call" in close
    assert "preferred v0.19 more often than chance" in clear and "10%" in clear


def cast(book, session_id: str, choice: str, real_speech: bool) -> None:
    number = book.current_trial(session_id).number
    book.show(session_id, number, real_speech)
    for clip in "AB":
        book.report(session_id, number, clip, "play")
        book.report(session_id, number, clip, "end")
    book.vote(session_id, number, choice)


def test_when_every_stored_vote_is_left_out_the_summary_says_so_instead_of_none_yet(tmp_path, manager):
    book = session_book(tmp_path, [Sentence("s1", "One.")], voice_pairs(manager), 1)
    cast(book, book.start().id, "A", real_speech=False)
    shown = results(book.store)
    assert shown.summary.startswith("Every rating stored so far is left out") and "yet." not in shown.summary[-80:]
    assert "Not counted: 1 vote(s) cast while a release played noise" in shown.summary
    assert "Of the 1 votes that chose" in results(book.store, include_noise=True).summary


def test_the_results_tab_counts_real_speech_votes_and_sets_noise_apart(tmp_path, manager):
    book = session_book(tmp_path, [Sentence("s1", "One.")], voice_pairs(manager), 4)
    real, noisy = book.start(), book.start()
    for choice in ("A", "B", "none", "A"):
        cast(book, real.id, choice, real_speech=True)
    cast(book, noisy.id, "A", real_speech=False)
    firsts = [vote for vote in book.store.votes(real.id) if vote.repeat_of is None]  # the repeat is not counted
    counts = [sum(vote.preferred_release == release for vote in firsts) for release in ("v1.0", "v0.19", None)]

    shown = results(book.store)
    assert f"**{counts[0]}** votes preferred v1.0, **{counts[1]}** preferred v0.19, **{counts[2]}** had no " \
           "preference" in shown.summary
    assert "Not counted: 1 vote(s) cast while a release played noise" in shown.summary
    assert shown.by_voice["Votes"].sum() == 3 and shown.plot["votes"].sum() == 3
    assert set(shown.plot["preferred"]) <= {"v1.0", "v0.19", "no preference"}
    assert shown.by_sentence.iloc[0]["Sentence"] == "s1: One."
    assert results(book.store, include_noise=True).by_voice["Votes"].sum() == 4
    lines = Path(shown.csv_path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 5  # the CSV keeps every vote, noise and repeats included, with their flags


@pytest.mark.parametrize("correct, trials", [(0, 1), (1, 1), (5, 6), (12, 20), (20, 20), (55, 100)])
def test_the_abx_test_is_the_exact_upper_tail_of_guessing(correct, trials):
    reference = sum(Fraction(math.comb(trials, k), 2 ** trials) for k in range(correct, trials + 1))
    assert abx_test(correct, trials) == pytest.approx(float(reference), rel=1e-12)


def vote(session: str, trial: int, preferred: str | None, *, repeat_of: int | None = None, real: bool = True,
         mode: str = "ab", correct: bool | None = None, a_release: str = "v1.0") -> VoteRecord:
    """A stored vote as the app would write it; only what the Results tab reads varies."""
    b_release = "v0.19" if a_release == "v1.0" else "v1.0"
    letters = {a_release: "A", b_release: "B"}
    if mode == "abx":  # X is v1.0 in these hand-made votes
        x_release, preferred = "v1.0", None
        choice = letters["v1.0" if correct else "v0.19"]
    else:
        choice = {**letters, None: "none"}[preferred]
        x_release = None
    return VoteRecord(session, trial, f"s{trial}", f"Sentence {trial}.", "af_bella", a_release, "af_bella", b_release,
                      "af_bella", choice, preferred, "", 1.0, real, 1, 1, 1.0, 1.0, "2026-01-01T00:00:00.000+00:00",
                      "2026-01-01T00:00:05.000+00:00", mode, x_release, 1 if mode == "abx" else 0,
                      1.0 if mode == "abx" else 0.0, correct if mode == "abx" else None, repeat_of)


def test_the_results_match_a_hand_computation(tmp_path):
    store = open_store(tmp_path / "votes.sqlite3")
    for record in [
        # consistent: the repeat (trial 4, of trial 2) names v0.19 again, from the other letter
        vote("s-one", 1, "v1.0"), vote("s-one", 2, "v0.19"), vote("s-one", 3, None),
        vote("s-one", 4, "v0.19", repeat_of=2, a_release="v0.19"),
        # inconsistent: trial 1 preferred v1.0, its repeat v0.19
        vote("s-two", 1, "v1.0"), vote("s-two", 2, "v1.0"), vote("s-two", 3, "v0.19", repeat_of=1),
        vote("s-noise", 1, "v0.19", real=False),
        # ABX: 5 of 6 first answers right; the repeat (of trial 2) right again: consistent
        *[vote("s-abx", n, None, mode="abx", correct=n != 4) for n in range(1, 7)],
        vote("s-abx", 7, None, mode="abx", correct=True, repeat_of=2, a_release="v0.19"),
    ]:
        store.add(record)
    # A/B counted: s-one 1, 2, 3 and s-two 1, 2 -> v1.0 wins 3, loses 1, 1 tie; p = 2 * P(K <= 1 | 4) = 10/16
    shown = results(store)
    assert "**3** votes preferred v1.0, **1** preferred v0.19, **1** had no preference" in shown.summary
    assert "**75%** preferred v1.0" in shown.summary and "p = 0.625" in shown.summary
    assert "Not counted: 1 vote(s) cast while a release played noise" in shown.summary
    assert "2 repeated trial(s)" in shown.summary
    low, high = wilson_interval(3, 4)
    assert shown.by_voice.iloc[0].to_dict() == {"Voice": "af_bella", "Votes": 5, "Preferred v1.0": 3,
                                                "Preferred v0.19": 1, "No preference": 1, "v1.0 share": 0.75,
                                                "95 % interval": f"{low:.0%}–{high:.0%}", "p (sign test)": 0.625}
    # ABX: 5 of 6; one-sided p = (C(6,5) + C(6,6)) / 64 = 7/64
    assert "**5** of **6** ABX answers were correct (**83%**" in shown.abx_summary
    assert f"p = {7 / 64:.3g}" in shown.abx_summary and "1 repeated trial(s)" in shown.abx_summary
    assert shown.abx_by_voice.iloc[0]["p (binomial, one-sided)"] == round(7 / 64, 4)
    consistent = dict(zip(shown.sessions["Session"], shown.sessions["Consistent"]))
    assert consistent == {"s-one": "yes", "s-two": "no", "s-abx": "yes"}  # noise votes are left out here too

    # without the inconsistent session: s-one's 1, 2, 3 -> 1 win, 1 loss, 1 tie; p = 1
    strict = results(store, exclude_inconsistent=True)
    assert "**1** votes preferred v1.0, **1** preferred v0.19, **1** had no preference" in strict.summary
    assert "p = 1)" in strict.summary
    assert "2 vote(s) of 1 session(s) whose repeated trial disagreed" in strict.summary
    assert "**5** of **6**" in strict.abx_summary


def test_votes_on_text_cut_clips_can_be_left_out_and_are_counted_in_words(tmp_path):
    store = open_store(tmp_path / "votes.sqlite3")
    for record in [vote("cut", 1, "v0.19"), vote("cut", 2, "v0.19"), vote("whole", 1, "v1.0")]:
        store.add(replace(record, rendering="whole-pass") if record.session_id == "whole" else record)
    assert "**1** votes preferred v1.0, **2** preferred v0.19" in results(store).summary
    shown = results(store, exclude_text_cut=True)
    assert "**1** votes preferred v1.0, **0** preferred v0.19" in shown.summary
    assert "Not counted: 2 vote(s) cast on clips cut from the text" in shown.summary
    assert len(Path(shown.csv_path).read_text(encoding="utf-8").splitlines()) == 1 + 3  # kept, marked, exported
