"""From stored votes to what a researcher reads: which votes count, how consistent each session
was, and the A/B and ABX numbers. Pure functions of `VoteRecord`s; the Results tab lays out what
they return and computes nothing itself.

Which votes count: votes cast while a release played noise (synthetic weights) are left out
unless asked for; the repeated trial never counts towards preference or correctness (it is the
same listener on the same cell again: it measures consistency, and counting it would count one
judgement twice); sessions whose repeated trial disagreed with its original can be left out, and so can votes cast
on clips made by cutting a first piece from the text (``text-cut``: every vote stored before clips
were rendered in whole passes; the cut adds a phrase end of its own, so those clips are not
what the release says for the whole sentence), and so can sessions that failed a quality check
(the attention trial or the headphone screening: `records.failed_sessions`; their votes are kept
and marked in the database, only left out of the numbers).
A session is consistent when both votes name the same release (A/B: the one preferred, or both
"no preference"; ABX: the release the listener took X to be).
"""

from dataclasses import dataclass
from typing import Collection, Iterable, Optional

from kokoro_ui.abtest.design import AB, ABX
from kokoro_ui.abtest.material import NEW
from kokoro_ui.abtest.records import ATTENTION, HEADPHONES, TEXT_CUT, CheckRecord, VoteRecord
from kokoro_ui.abtest.stats import Discrimination, Preference, tally

NO_PREFERENCE = "no preference"


@dataclass(frozen=True)
class Consistency:
    """One session's repeated trial against its original."""

    session_id: str
    mode: str
    votes: int
    first: Optional[str]  # what the original's vote named (a release, or "no preference"); None until voted
    again: Optional[str]  # what the repeat's vote named
    consistent: Optional[bool]  # None until both were voted


@dataclass(frozen=True)
class Counted:
    """The votes a summary is computed from, and what was left out, by reason."""

    votes: list[VoteRecord]
    noise: int  # cast on synthetic weights
    repeats: int  # repeated trials (consistency checks)
    inconsistent: int  # of sessions left out for disagreeing with themselves
    inconsistent_sessions: int
    text_cut: int = 0  # cast on clips cut from the text, when those are left out
    failed_checks: int = 0  # of sessions left out for failing a quality check
    failed_sessions: int = 0


def named_release(vote: VoteRecord) -> str:
    """What a vote says about the releases: A/B, the one preferred (or no preference); ABX, the one X was taken for."""
    if vote.mode == ABX:
        return vote.a_release if vote.choice == "A" else vote.b_release
    return vote.preferred_release or NO_PREFERENCE


def consistency(votes: Iterable[VoteRecord]) -> list[Consistency]:
    """Every session, in the order its first vote was cast, with its repeat's verdict."""
    sessions: dict[str, list[VoteRecord]] = {}
    for vote in votes:
        sessions.setdefault(vote.session_id, []).append(vote)
    out = []
    for session_id, members in sessions.items():
        by_trial = {vote.trial: vote for vote in members}
        repeat = next((vote for vote in members if vote.repeat_of is not None), None)
        original = by_trial.get(repeat.repeat_of) if repeat else None
        first = named_release(original) if original else None
        again = named_release(repeat) if repeat and original else None
        out.append(Consistency(session_id, members[0].mode, len(members), first, again,
                               None if again is None else first == again))
    return out


def counted(votes: list[VoteRecord], mode: str, include_noise: bool = False,
            exclude_inconsistent: bool = False, exclude_text_cut: bool = False,
            failed: Collection[str] = frozenset()) -> Counted:
    """The `mode` votes that count, by the rules in this module's docstring; `failed`: the sessions to
    leave out for failing a quality check (empty: none left out)."""
    of_mode = [vote for vote in votes if vote.mode == mode]
    rendered = [vote for vote in of_mode if not (exclude_text_cut and vote.rendering == TEXT_CUT)]
    heard = [vote for vote in rendered if include_noise or vote.real_speech]
    checked = [vote for vote in heard if vote.session_id not in failed]
    inconsistent = {row.session_id for row in consistency(checked) if row.consistent is False}
    firsts = [vote for vote in checked if vote.repeat_of is None]
    kept = [vote for vote in firsts if not (exclude_inconsistent and vote.session_id in inconsistent)]
    return Counted(kept, len(rendered) - len(heard), len(checked) - len(firsts), len(firsts) - len(kept),
                   len(inconsistent) if exclude_inconsistent else 0, len(of_mode) - len(rendered),
                   len(heard) - len(checked), len({vote.session_id for vote in heard} & set(failed)))


def preference(votes: Iterable[VoteRecord]) -> Preference:
    """A/B votes as wins for v1.0, losses, and ties."""
    return tally((vote.preferred_release for vote in votes if vote.mode == AB), NEW)


def discrimination(votes: Iterable[VoteRecord]) -> Discrimination:
    """ABX votes as correct answers out of all."""
    answers = [vote.correct for vote in votes if vote.mode == ABX]
    return Discrimination(sum(bool(answer) for answer in answers), len(answers))


def left_out(numbers: Counted) -> str:
    """What a summary did not count, in words ("" when it counted everything)."""
    parts = []
    if numbers.text_cut:
        parts.append(f"{numbers.text_cut} vote(s) cast on clips cut from the text (before whole-pass rendering)")
    if numbers.noise:
        parts.append(f"{numbers.noise} vote(s) cast while a release played noise (synthetic weights)")
    if numbers.failed_sessions:
        parts.append(f"{numbers.failed_checks} vote(s) of {numbers.failed_sessions} session(s) that failed a "
                     "quality check")
    if numbers.repeats:
        parts.append(f"{numbers.repeats} repeated trial(s), which only check consistency")
    if numbers.inconsistent_sessions:
        parts.append(f"{numbers.inconsistent} vote(s) of {numbers.inconsistent_sessions} session(s) whose "
                     "repeated trial disagreed with its original")
    return "Not counted: " + "; ".join(parts) + "." if parts else ""


def quality_line(checks: list[CheckRecord], numbers: Iterable[Counted], left_out_failed: bool) -> str:
    """One line on the quality checks: how many sessions took one and failed (by check), and how many
    sessions and ratings that left out of `numbers` (the ratings the other rules would have counted)."""
    if not checks:
        return "Quality checks: no session has taken one yet (the attention trial, the headphone check)."
    took = len({check.session_id for check in checks})
    failed = {kind: {check.session_id for check in checks if check.kind == kind and not check.passed}
              for kind in (ATTENTION, HEADPHONES)}
    sessions = len(failed[ATTENTION] | failed[HEADPHONES])
    line = (f"Quality checks: {took} session(s) took one, {sessions} failed ({len(failed[ATTENTION])} the attention "
            f"trial, {len(failed[HEADPHONES])} the headphone check).")
    if not sessions:
        return line
    if not left_out_failed:
        return line + " Their ratings are counted; tick the box above to leave them out."
    ratings = sum(counts.failed_checks for counts in numbers)
    return line + f" **Left out: {sessions} session(s) and their {ratings} rating(s).**"
