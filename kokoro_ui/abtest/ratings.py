"""Summaries of ratings on a scale: MOS (ITU-T P.800 absolute category rating, 1 Bad … 5 Excellent) per
release, and CMOS (B compared with A, −3 … +3) turned into "v1.0 compared with v0.19".

Ratings by one listener are not independent of each other, nor are ratings of one sentence, so a
mean's 95 % interval is given twice: over listeners (each listener's mean counts once) and over
items (each sentence-and-voice cell's mean counts once), both Student-t intervals. MOS sessions
hear every cell from both releases, so the difference between the releases is paired within each
listener: each listener's mean of (v1.0 − v0.19) over the cells they rated in both, with its
interval over listeners. CMOS is tested with the Wilcoxon signed-rank test over all ratings
(zeros, "about the same", dropped, as Wilcoxon's own rule has it; exact over the sign patterns for
small samples, ties included, as scipy computes it). Pure functions of records; which
records count is `analysis`'s rule.
"""

import math
import statistics
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from scipy.stats import t as student_t
from scipy.stats import wilcoxon

from kokoro_ui.abtest.material import NEW, OLD
from kokoro_ui.abtest.records import VoteRecord

Interval = Optional[tuple[float, float]]


@dataclass(frozen=True)
class Mean:
    """A mean of ratings with its 95 % intervals over listeners and over items (None: fewer than two)."""

    ratings: int
    listeners: int
    items: int
    mean: Optional[float]
    over_listeners: Interval
    over_items: Interval


@dataclass(frozen=True)
class Difference:
    """The paired MOS difference v1.0 − v0.19, over listeners who rated a cell from both releases."""

    listeners: int
    mean: Optional[float]
    interval: Interval


@dataclass(frozen=True)
class Comparison:
    """CMOS as "v1.0 compared with v0.19" (positive: v1.0 sounded better)."""

    summary: Mean
    p_value: Optional[float]  # Wilcoxon signed-rank, two-sided; None without a non-zero rating


def t_interval(values: list[float]) -> Interval:
    """The 95 % Student-t interval of the mean of `values` (None for fewer than two)."""
    if len(values) < 2:
        return None
    centre = statistics.fmean(values)
    half = student_t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return centre - half, centre + half


def cell(vote: VoteRecord) -> tuple[str, str]:
    """The item a rating is of: a sentence said by a voice pair."""
    return vote.sentence_id, vote.pair


def mean_of(scored: list[tuple[VoteRecord, float]]) -> Mean:
    """`scored` (a record and the number it gave) as a mean with its two intervals."""
    by_listener = _means(scored, lambda vote: vote.session_id)
    by_item = _means(scored, cell)
    values = [score for _, score in scored]
    return Mean(len(values), len(by_listener), len(by_item), statistics.fmean(values) if values else None,
                t_interval(by_listener), t_interval(by_item))


def mos(votes: Iterable[VoteRecord], release: str) -> Mean:
    """The MOS of `release` from MOS ratings (each rates one clip: the release in `a_release`)."""
    return mean_of([(vote, float(vote.score)) for vote in votes if vote.mode == "mos" and vote.a_release == release])


def paired_difference(votes: Iterable[VoteRecord]) -> Difference:
    """Per listener, the mean over cells rated from both releases of (v1.0 score − v0.19 score)."""
    scores: dict[tuple[str, tuple[str, str]], dict[str, int]] = {}
    for vote in votes:
        if vote.mode == "mos":
            scores.setdefault((vote.session_id, cell(vote)), {})[vote.a_release] = vote.score
    per_listener: dict[str, list[float]] = {}
    for (listener, _), by_release in scores.items():
        if NEW in by_release and OLD in by_release:
            per_listener.setdefault(listener, []).append(by_release[NEW] - by_release[OLD])
    means = [statistics.fmean(differences) for differences in per_listener.values()]
    return Difference(len(means), statistics.fmean(means) if means else None, t_interval(means))


def oriented(vote: VoteRecord) -> int:
    """A CMOS rating as v1.0 compared with v0.19: the score when B was v1.0, its negative when A was."""
    return vote.score if vote.b_release == NEW else -vote.score


def cmos(votes: Iterable[VoteRecord]) -> Comparison:
    """CMOS ratings as v1.0 compared with v0.19: mean, intervals, and the Wilcoxon signed-rank test."""
    scored = [(vote, float(oriented(vote))) for vote in votes if vote.mode == "cmos"]
    values = [score for _, score in scored]
    p_value = float(wilcoxon(values).pvalue) if any(values) else None
    return Comparison(mean_of(scored), p_value)


def _means(scored: list[tuple[VoteRecord, float]], key: Callable[[VoteRecord], object]) -> list[float]:
    groups: dict[object, list[float]] = {}
    for vote, score in scored:
        groups.setdefault(key(vote), []).append(score)
    return [statistics.fmean(values) for values in groups.values()]


def describe_mos(votes: list[VoteRecord]) -> str:
    """MOS per release and the paired difference, in plain words with the numbers behind them."""
    if not any(vote.mode == "mos" for vote in votes):
        return "No MOS ratings yet."
    parts = [f"**{release}**: {_mean_words(mos(votes, release))}" for release in (NEW, OLD)]
    difference = paired_difference(votes)
    if difference.mean is None:
        paired = "no listener has rated a sentence from both releases yet"
    else:
        paired = (f"**{difference.mean:+.2f}** over {difference.listeners} listener(s) who rated sentences from "
                  f"both{_interval_words(difference.interval, 'listeners')}")
    return ("MOS (1 Bad … 5 Excellent; 95 % Student-t intervals over listeners and over items):\n\n- "
            + "\n- ".join(parts) + f"\n- paired difference {NEW} − {OLD}: {paired}.")


def describe_cmos(votes: list[VoteRecord]) -> str:
    """CMOS as v1.0 compared with v0.19, with its interval and the Wilcoxon signed-rank test."""
    result = cmos(votes)
    if not result.summary.ratings:
        return "No CMOS ratings yet."
    test = ("no rating leaned either way" if result.p_value is None else
            f"Wilcoxon signed-rank test over the ratings p = {result.p_value:.3g}")
    return (f"CMOS, {NEW} compared with {OLD} (−3 much worse … +3 much better): "
            f"{_mean_words(result.summary, signed=True)}; {test}.")


def _mean_words(result: Mean, signed: bool = False) -> str:
    if result.mean is None:
        return "no ratings yet"
    mean = f"{result.mean:+.2f}" if signed else f"{result.mean:.2f}"
    return (f"**{mean}** from {result.ratings} rating(s){_interval_words(result.over_listeners, 'listeners')}"
            f"{_interval_words(result.over_items, 'items')}")


def _interval_words(interval: Interval, over: str) -> str:
    return "" if interval is None else f", 95 % interval over {over} {interval[0]:.2f} to {interval[1]:.2f}"
