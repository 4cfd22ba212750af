"""The listening test's statistics against values computed independently here, and the Results tab's summary."""

import math
from fractions import Fraction
from pathlib import Path

import pytest
from scipy.stats import binomtest

from kokoro_ui.abtest.sessions import Sentence, SessionBook, voice_pairs
from kokoro_ui.abtest.stats import describe, sign_test, tally, wilson_interval
from kokoro_ui.abtest.store import open_store
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


def test_the_results_tab_counts_real_speech_votes_and_sets_noise_apart(tmp_path, manager):
    book = SessionBook(open_store(tmp_path / "votes.sqlite3"), [Sentence("s1", "One.")], voice_pairs(manager), 4)
    real, noisy = book.start(), book.start()
    for choice in ("A", "B", "none", "A"):
        cast(book, real.id, choice, real_speech=True)
    cast(book, noisy.id, "A", real_speech=False)
    stored = book.store.votes(real.id)
    new_wins = sum(vote.preferred_release == "v1.0" for vote in stored)

    shown = results(book.store)
    assert f"**{new_wins}** votes preferred v1.0, **{3 - new_wins}** preferred v0.19, **1** had no preference" \
        in shown.summary
    assert "Not counted: 1 vote(s)" in shown.summary
    assert shown.by_voice["Votes"].sum() == 4 and shown.plot["votes"].sum() == 4
    assert set(shown.plot["preferred"]) <= {"v1.0", "v0.19", "no preference"}
    assert shown.by_sentence.iloc[0]["Sentence"] == "s1: One."
    assert results(book.store, include_noise=True).by_voice["Votes"].sum() == 5
    lines = Path(shown.csv_path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 5  # the CSV keeps every vote, noise included, with its real_speech flag
