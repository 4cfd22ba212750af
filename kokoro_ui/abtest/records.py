"""What the votes database holds, as Python sees it: one `VoteRecord` per rating (any design), one
`CheckRecord` per quality check a session took, the cell the design balances over, and the CSV
every export writes. No database access here (that is `store`)."""

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

TEXT_CUT = "text-cut"  # the rendering of every clip before whole passes: a first piece cut from the text


@dataclass(frozen=True)
class VoteRecord:
    session_id: str
    trial: int
    sentence_id: str
    sentence: str
    pair: str
    a_release: str
    a_voice: str
    b_release: Optional[str]  # None in MOS: one clip, "A"
    b_voice: Optional[str]
    choice: Optional[str]  # 'A', 'B' or 'none' (ABX: 'A' or 'B', the clip X sounded the same as); None: a score
    preferred_release: Optional[str]  # A/B: the release behind the choice; None for no preference, and in ABX
    comment: str
    speed: float
    real_speech: bool
    a_plays: int
    b_plays: int
    a_listened_s: float
    b_listened_s: float
    shown_at: str
    voted_at: str
    mode: str = "ab"  # the design: 'ab' (which do you prefer?), 'abx' (is X A or B?), 'mos' or 'cmos'
    x_release: Optional[str] = None  # ABX: the release X played
    x_plays: int = 0
    x_listened_s: float = 0.0
    correct: Optional[bool] = None  # ABX: whether the answer named the clip X was
    repeat_of: Optional[int] = None  # the trial this one repeats with A and B swapped (consistency)
    rendering: str = TEXT_CUT  # how its clips were made: `bank.RENDERING` when cast; older votes: text-cut
    score: Optional[int] = None  # MOS: 1 (Bad) … 5 (Excellent) for clip A; CMOS: B compared with A, -3 … +3
    participant: Optional[str] = None  # from a crowd link (`crowd`); never shown to anyone else
    platform: Optional[str] = None  # 'prolific' or 'link'
    study_id: Optional[str] = None
    platform_session: Optional[str] = None


COLUMNS = [field.name for field in dataclasses.fields(VoteRecord)]
PRIVATE_COLUMNS = ("participant", "platform", "study_id", "platform_session")  # blank in the public CSV
QUALITY_COLUMN = "quality_check"  # the CSV's last column: the session's quality checks (`quality_words`)
_BOOLEANS = ("real_speech", "correct")
ATTENTION, HEADPHONES = "attention", "headphones"


@dataclass(frozen=True)
class CheckRecord:
    """A session's verdict on one quality check: the attention trial or the headphone screening."""

    session_id: str
    kind: str  # ATTENTION or HEADPHONES
    passed: bool
    asked: str  # attention: the answer its clips asked for; headphones: the quietest tone of each trial, "2 3 1"
    answered: str  # what the listener gave, in the same form
    checked_at: str  # ISO 8601 UTC
    participant: Optional[str] = None  # from a crowd link, like a vote's; never shown to anyone else


CHECK_COLUMNS = [field.name for field in dataclasses.fields(CheckRecord)]


@dataclass(frozen=True)
class Cell:
    """What the design balances over: a sentence said by a voice pair, in one mode."""

    mode: str
    sentence_id: str
    pair: str


Counts = dict[str, dict[str, int]]  # factor -> level -> times shown
Pick = Callable[[Counts], dict[str, str]]  # the counts -> one level per factor


def quality_words(checks: Iterable[CheckRecord]) -> dict[str, str]:
    """Per session that took a check: "passed" (every check it took so far), or "failed: " and the checks
    it failed, e.g. "failed: attention, headphones"."""
    failed: dict[str, list[str]] = {}
    for check in checks:
        failed.setdefault(check.session_id, [])
        if not check.passed:
            failed[check.session_id].append(check.kind)
    return {session: "failed: " + ", ".join(sorted(kinds)) if kinds else "passed" for session, kinds in failed.items()}


def failed_sessions(checks: Iterable[CheckRecord]) -> set[str]:
    """The sessions that failed at least one quality check."""
    return {check.session_id for check in checks if not check.passed}


def write_votes_csv(votes: Sequence[VoteRecord], path: Path, participants: bool = True,
                    quality: Optional[Mapping[str, str]] = None) -> Path:
    """`votes` as CSV with a header row of `COLUMNS` and `QUALITY_COLUMN` (from `quality`, by session:
    empty where a session took no check). An empty cell is NULL in a column that allows it (no
    preference, an A/B trial's X, a trial that repeats none) and an empty comment otherwise; without
    `participants`, the `PRIVATE_COLUMNS` are left empty too."""
    blank = {} if participants else dict.fromkeys(PRIVATE_COLUMNS)
    quality = quality or {}
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*COLUMNS, QUALITY_COLUMN])
        writer.writerows((*dataclasses.astuple(dataclasses.replace(vote, **blank)), quality.get(vote.session_id, ""))
                         for vote in votes)
    return path


def write_checks_csv(checks: Sequence[CheckRecord], path: Path) -> Path:
    """`checks` as CSV with a header row of `CHECK_COLUMNS`, participant ids included (for the backup)."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CHECK_COLUMNS)
        writer.writerows(dataclasses.astuple(check) for check in checks)
    return path


def from_row(row: Sequence) -> VoteRecord:
    """A database row (in `COLUMNS` order) as a record."""
    values = dict(zip(COLUMNS, row))
    for name in _BOOLEANS:
        values[name] = None if values[name] is None else bool(values[name])
    return VoteRecord(**values)


def check_from_row(row: Sequence) -> CheckRecord:
    """A ``quality_checks`` row (in `CHECK_COLUMNS` order) as a record."""
    values = dict(zip(CHECK_COLUMNS, row))
    return CheckRecord(**{**values, "passed": bool(values["passed"])})
