"""The two releases paired per category and measure: summary.csv.

For each text and voice both releases said, the paired difference v1.0 − v0.19 of each measure;
per category (and over all texts): how many pairs, the mean difference, its 95 % bootstrap
interval (percentile method, 2,000 resamples, a fixed seed, so a rerun gives the same numbers)
and the Wilcoxon signed-rank p (scipy; none where fewer than two pairs or all differences are 0).
A measure taken between the two renderings (the speaker similarity: one number per pair, nothing
to subtract) gets its mean over the pairs (`mean_between`) with the same interval, and no p.
Boundary: rows in, rows out; reading and writing the files is the runner's.
"""

import math
from typing import Optional, Sequence

import numpy as np

LEFT, RIGHT = "v0.19", "v1.0"
RESAMPLES = 2_000
SEED = 30
SUMMARY_COLUMNS = ("category", "measure", "pairs", "mean_v0_19", "mean_v1_0", "difference", "mean_between", "ci_low",
                   "ci_high", "wilcoxon_p")


def summarise(rows: Sequence[dict], measures: Sequence[str]) -> list[dict]:
    """summary.csv's rows: per category (then "all") and measure."""
    categories = sorted({row["category"] for row in rows}) + ["all"]
    summary = []
    for category in categories:
        chosen = [row for row in rows if category == "all" or row["category"] == category]
        for measure in measures:
            pairs = _pairs(chosen, measure)
            if pairs.size:
                summary.append(_summary_row(category, measure, pairs))
    return summary


def summarise_between(pair_rows: Sequence[dict], column: str, label: str) -> list[dict]:
    """summary.csv's rows for `column` of pairs.csv (named `label`): per category (then "all"), the mean over
    the pairs that have a value and its 95 % bootstrap interval."""
    summary = []
    for category in sorted({row["category"] for row in pair_rows}) + ["all"]:
        values = np.array([value for row in pair_rows if category == "all" or row["category"] == category
                           if (value := _number(row.get(column))) is not None])
        if values.size:
            low, high = bootstrap_interval(values)
            summary.append({"category": category, "measure": label, "pairs": len(values),
                            "mean_between": _round(values.mean()), "ci_low": _round(low), "ci_high": _round(high)})
    return summary


def _pairs(rows: Sequence[dict], measure: str) -> np.ndarray:
    """(v0.19, v1.0) values of `measure` for each (id, voice) both releases measured, shape (n, 2)."""
    by_key: dict[tuple, dict[str, float]] = {}
    for row in rows:
        value = _number(row.get(measure))
        if value is not None:
            by_key.setdefault((row["id"], row["voice"]), {})[row["release"]] = value
    pairs = [(sides[LEFT], sides[RIGHT]) for sides in by_key.values() if LEFT in sides and RIGHT in sides]
    return np.array(pairs, dtype=np.float64).reshape(-1, 2)


def _summary_row(category: str, measure: str, pairs: np.ndarray) -> dict:
    differences = pairs[:, 1] - pairs[:, 0]
    low, high = bootstrap_interval(differences)
    return {"category": category, "measure": measure, "pairs": len(differences),
            "mean_v0_19": _round(pairs[:, 0].mean()), "mean_v1_0": _round(pairs[:, 1].mean()),
            "difference": _round(differences.mean()), "ci_low": _round(low), "ci_high": _round(high),
            "wilcoxon_p": _round(wilcoxon_p(differences))}


def bootstrap_interval(values: np.ndarray) -> tuple[float, float]:
    """The 95 % percentile-bootstrap interval of the mean of `values` (paired differences, or similarities)."""
    rng = np.random.default_rng(SEED)
    means = values[rng.integers(0, len(values), (RESAMPLES, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def wilcoxon_p(differences: np.ndarray) -> Optional[float]:
    """Two-sided Wilcoxon signed-rank p of the differences (None: too few, or all zero)."""
    from scipy.stats import wilcoxon

    if len(differences) < 2 or not np.any(differences):
        return None
    return float(wilcoxon(differences).pvalue)


def _number(value) -> Optional[float]:
    if value is None or value == "":
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(float(value), 4)
