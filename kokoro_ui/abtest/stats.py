"""Honest summaries of pairwise votes: a preference share, its 95 % Wilson interval and a sign test;
and for ABX trials the proportion correct with an exact one-sided binomial test.

Only votes that chose a side count towards the share and the test; "no preference" votes are
reported beside them, never split between the sides (splitting ties would pull every share
towards 50 % and shrink the interval without new evidence). ABX asks whether listeners can hear
any difference: guessing is right half the time, so the test is one-sided (could they do better
than chance?) and exact, as the counts of a listening study are small.
"""

import math
from dataclasses import dataclass
from typing import Iterable, Optional

from scipy.stats import binom

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True)
class Preference:
    """How often one side won among the votes that chose a side."""

    wins: int  # votes for the side we report on (v1.0 in this app)
    losses: int  # votes for the other side
    ties: int  # "no preference"

    @property
    def decided(self) -> int:
        return self.wins + self.losses

    @property
    def share(self) -> Optional[float]:
        return self.wins / self.decided if self.decided else None

    @property
    def interval(self) -> Optional[tuple[float, float]]:
        return wilson_interval(self.wins, self.decided) if self.decided else None

    @property
    def p_value(self) -> Optional[float]:
        return sign_test(self.wins, self.decided) if self.decided else None


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion: sane at 0 %, 100 % and small samples."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials > 0, got {successes} of {trials}")
    share = successes / trials
    z2 = z * z
    centre = (share + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def sign_test(successes: int, trials: int) -> float:
    """Two-sided exact binomial test of "no preference" (p = 1/2): P(a split at least this uneven)."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials > 0, got {successes} of {trials}")
    smaller = min(successes, trials - successes)
    return min(1.0, 2.0 * float(binom.cdf(smaller, trials, 0.5)))


@dataclass(frozen=True)
class Discrimination:
    """How often ABX answers named the clip X really was."""

    correct: int
    trials: int

    @property
    def share(self) -> Optional[float]:
        return self.correct / self.trials if self.trials else None

    @property
    def interval(self) -> Optional[tuple[float, float]]:
        return wilson_interval(self.correct, self.trials) if self.trials else None

    @property
    def p_value(self) -> Optional[float]:
        return abx_test(self.correct, self.trials) if self.trials else None


def abx_test(correct: int, trials: int) -> float:
    """One-sided exact binomial test of "they cannot tell" (p = 1/2): P(at least `correct` right by guessing)."""
    if trials <= 0 or not 0 <= correct <= trials:
        raise ValueError(f"need 0 <= correct <= trials and trials > 0, got {correct} of {trials}")
    return float(binom.sf(correct - 1, trials, 0.5))


def describe_abx(result: Discrimination) -> str:
    """The ABX result in plain words, with the numbers behind them."""
    if not result.trials:
        return "No ABX answers yet."
    low, high = result.interval
    verdict = ("listeners told the releases apart more often than guessing would explain" if result.p_value < 0.05
               else "no evidence that listeners could tell them apart: guessing does this well easily")
    return (f"**{result.correct}** of **{result.trials}** ABX answers were correct (**{result.share:.0%}**, "
            f"95 % interval {low:.0%}–{high:.0%}; guessing gets 50 %; one-sided exact binomial test "
            f"p = {result.p_value:.3g}): {verdict}.")


def tally(preferred: Iterable[Optional[str]], side: str) -> Preference:
    """Count votes by the release each preferred (None = no preference) from `side`'s point of view."""
    wins = losses = ties = 0
    for release in preferred:
        if release is None:
            ties += 1
        elif release == side:
            wins += 1
        else:
            losses += 1
    return Preference(wins, losses, ties)


def describe(preference: Preference, side: str, other: str) -> str:
    """The result in plain words, with the numbers behind them."""
    if not preference.decided:
        if preference.ties:
            return f"All {preference.ties} votes so far say “no preference”."
        return "No votes yet."
    low, high = preference.interval
    p = preference.p_value
    verdict = ("too close to call: a split like this happens easily by chance" if p >= 0.05 else
               f"listeners preferred {side if preference.wins > preference.losses else other} "
               "more often than chance would explain")
    return (f"**{preference.wins}** votes preferred {side}, **{preference.losses}** preferred {other}, "
            f"**{preference.ties}** had no preference. Of the {preference.decided} votes that chose, "
            f"**{preference.share:.0%}** preferred {side} (95 % interval {low:.0%}–{high:.0%}; "
            f"two-sided sign test p = {p:.3g}): {verdict}.")
