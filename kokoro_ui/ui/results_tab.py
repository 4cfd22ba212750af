"""The Results tab: what listeners preferred, whether they could tell the releases apart (ABX), how
consistent each session was, and the raw votes as CSV.

Which votes count is `abtest.analysis`'s rule, stated on the tab: shares are over votes that chose
a side ("no preference" apart), noise votes and repeated trials are left out, and inconsistent
sessions can be, and so can sessions that failed a quality check (left out by default; a line says
how many sessions and ratings). The tab says plainly when the votes will not survive a restart. Before the first
vote it shows no chart and no table: one line on how to start a session, and how many sessions
this app is running.
"""

import contextlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Mapping, Optional

import gradio as gr
import pandas as pd

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.analysis import (NO_PREFERENCE, Counted, consistency, counted, discrimination, left_out,
                                       preference, quality_line)
from kokoro_ui.abtest.design import AB, ABX, CMOS, MOS
from kokoro_ui.abtest.material import NEW, OLD
from kokoro_ui.abtest.persistence import VotesLocation
from kokoro_ui.abtest.ratings import describe_cmos, describe_mos
from kokoro_ui.abtest.records import VoteRecord, failed_sessions, quality_words
from kokoro_ui.abtest.stats import Discrimination, Preference, describe, describe_abx, tally
from kokoro_ui.abtest.store import VoteStore
from kokoro_ui.errors import KokoroUIError

CSV_ROOT = Path(tempfile.gettempdir()) / "kokoro_ui_votes_csv"
CONSISTENT_WORDS = {True: "yes", False: "no", None: "not yet"}


@dataclass(frozen=True)
class Results:
    votes: int  # stored, of every kind; 0: the tab shows only `summary`
    summary: str  # A/B preference, or (no votes) how to begin
    quality: str  # the quality checks: how many sessions failed, and how many were left out
    abx_summary: str
    scale_summary: str  # MOS and CMOS
    by_voice: pd.DataFrame
    by_sentence: pd.DataFrame
    abx_by_voice: pd.DataFrame
    sessions: pd.DataFrame
    plot: pd.DataFrame  # long form: voice, preferred, votes
    csv_path: str | None


def render_results_tab(test: ListeningTest, location: VotesLocation) -> None:
    gr.Markdown(f"## Results\nWhich release do listeners prefer in the blind test, **{NEW}** or **{OLD}**? "
                "Can they hear a difference at all (ABX)? How natural does each sound (MOS, CMOS)?")
    gr.Markdown(location.note, elem_id="results-storage", elem_classes="kab-banner" if location.warning else None)
    with gr.Row():
        include_noise = gr.Checkbox(False, label="Also count votes cast on synthetic weights (noise, not speech)",
                                    elem_id="results-include-noise")
        exclude_inconsistent = gr.Checkbox(False, label="Leave out sessions whose repeated trial disagreed",
                                           elem_id="results-exclude-inconsistent")
        exclude_text_cut = gr.Checkbox(False, label="Leave out votes on clips cut from the text (before whole-pass "
                                                    "rendering)", elem_id="results-exclude-text-cut")
        exclude_failed = gr.Checkbox(True, label="Leave out sessions that failed a quality check (attention trial, "
                                                 "headphone check)", elem_id="results-exclude-failed")
        refresh = gr.Button("Refresh", elem_id="results-refresh", scale=0)
    summary = gr.Markdown(elem_id="results-summary")
    with gr.Column(visible=False, elem_id="results-body") as body:
        quality = gr.Markdown(elem_id="results-quality")
        plot = gr.BarPlot(x="voice", y="votes", color="preferred", title="Votes by voice", elem_id="results-plot")
        gr.Markdown("### By voice")
        by_voice = gr.Dataframe(interactive=False, elem_id="results-by-voice")
        gr.Markdown("### By sentence")
        by_sentence = gr.Dataframe(interactive=False, wrap=True, elem_id="results-by-sentence")
        gr.Markdown("### Can listeners tell them apart? (ABX)")
        abx_summary = gr.Markdown(elem_id="results-abx-summary")
        abx_by_voice = gr.Dataframe(interactive=False, elem_id="results-abx-by-voice")
        gr.Markdown("### How natural, on a scale? (MOS and CMOS)")
        scale_summary = gr.Markdown(elem_id="results-scale-summary")
        gr.Markdown("### Sessions\nEach session repeats one trial with A and B swapped: a listener who hears a "
                    "difference names the same release both times.")
        sessions = gr.Dataframe(interactive=False, elem_id="results-sessions")
        csv_file = gr.File(label="Every vote (CSV)", elem_id="results-csv")

    outputs = [summary, abx_summary, by_voice, by_sentence, abx_by_voice, sessions, plot, csv_file, scale_summary,
               quality, body]
    show = partial(show_results, test)
    inputs = [include_noise, exclude_inconsistent, exclude_text_cut, exclude_failed]
    gr.on(None, show, inputs, outputs, api_visibility="private")  # on page load and on ticking
    refresh.click(show, inputs, outputs, api_name="listening_results")


def show_results(test: ListeningTest, include_noise: bool, exclude_inconsistent: bool = False,
                 exclude_text_cut: bool = False, exclude_failed_checks: bool = True) -> tuple:
    shown = results(test.store, include_noise, exclude_inconsistent, exclude_text_cut, test.book.running(),
                    exclude_failed_checks)
    if not shown.votes:  # nothing drawn, nothing exported: the line says how to begin
        return (shown.summary, *[gr.skip()] * 9, gr.update(visible=False))
    return (shown.summary, shown.abx_summary, shown.by_voice, shown.by_sentence, shown.abx_by_voice, shown.sessions,
            shown.plot, shown.csv_path, shown.scale_summary, shown.quality, gr.update(visible=True))


def results(store: VoteStore, include_noise: bool = False, exclude_inconsistent: bool = False,
            exclude_text_cut: bool = False, running: int = 0, exclude_failed_checks: bool = True) -> Results:
    """Everything the tab shows, from the stored votes (`running`: sessions under way in this app)."""
    empty = pd.DataFrame()
    try:
        stored = store.votes()
        if not stored:
            return Results(0, no_votes_yet(running), "", "", "", empty, empty, empty, empty, empty, None)
        checks = store.checks()
        csv_path = str(store.write_csv(_csv_folder() / "listening_votes.csv"))
    except KokoroUIError as error:
        return Results(0, f"⚠️ {error}", "", "", "", empty, empty, empty, empty, empty, None)
    failed = failed_sessions(checks) if exclude_failed_checks else set()
    ab, abx, mos, cmos = (counted(stored, mode, include_noise, exclude_inconsistent, exclude_text_cut, failed)
                          for mode in (AB, ABX, MOS, CMOS))
    heard = stored if include_noise else [vote for vote in stored if vote.real_speech]
    return Results(len(stored), _with_exclusions(describe(preference(ab.votes), NEW, OLD), ab),
                   quality_line(checks, (ab, abx, mos, cmos), exclude_failed_checks),
                   _with_exclusions(describe_abx(discrimination(abx.votes)), abx),
                   "\n\n".join([_with_exclusions(describe_mos(mos.votes), mos),
                                _with_exclusions(describe_cmos(cmos.votes), cmos)]),
                   breakdown(ab.votes, lambda vote: vote.pair, "Voice"),
                   breakdown(ab.votes, lambda vote: f"{vote.sentence_id}: {vote.sentence}", "Sentence"),
                   abx_breakdown(abx.votes, lambda vote: vote.pair, "Voice"),
                   sessions_frame(heard, quality_words(checks)), plot_frame(ab.votes), csv_path)


def no_votes_yet(running: int) -> str:
    """The one line the tab shows before the first vote."""
    under_way = {0: "no session is under way", 1: "1 session is under way"}.get(running, f"{running} sessions are "
                                                                                           "under way")
    return ("No votes yet. To cast the first, open the **Listening test** tab and press **Start a listening "
            f"session**. (In this app right now, {under_way}.)")


def breakdown(votes: list[VoteRecord], key: Callable[[VoteRecord], str], label: str) -> pd.DataFrame:
    """One row per group: the counts, the share preferring v1.0, its 95 % interval and the sign test."""
    return pd.DataFrame([_row(label, name, tally((v.preferred_release for v in members), NEW))
                         for name, members in _groups(votes, key)])


def abx_breakdown(votes: list[VoteRecord], key: Callable[[VoteRecord], str], label: str) -> pd.DataFrame:
    """One row per group: ABX answers, correct ones, the share, its 95 % interval and the binomial test."""
    return pd.DataFrame([_abx_row(label, name, discrimination(members)) for name, members in _groups(votes, key)])


def sessions_frame(votes: list[VoteRecord], quality: Optional[Mapping[str, str]] = None) -> pd.DataFrame:
    """One row per session: its votes, its repeated trial's verdict and its quality checks (`quality`)."""
    quality = quality or {}
    return pd.DataFrame([{"Session": row.session_id[:8], "Mode": row.mode.upper(), "Votes": row.votes,
                          "Repeated trial: first": row.first or "", "Repeated trial: again": row.again or "",
                          "Consistent": CONSISTENT_WORDS[row.consistent],
                          "Quality check": quality.get(row.session_id, "none taken")} for row in consistency(votes)])


def plot_frame(votes: list[VoteRecord]) -> pd.DataFrame:
    counts: dict[tuple[str, str], int] = {}
    for vote in votes:
        group = (vote.pair, vote.preferred_release or NO_PREFERENCE)
        counts[group] = counts.get(group, 0) + 1
    return pd.DataFrame([{"voice": voice, "preferred": preferred, "votes": n}
                         for (voice, preferred), n in sorted(counts.items())], columns=["voice", "preferred", "votes"])


def _with_exclusions(text: str, numbers: Counted) -> str:
    note = left_out(numbers)
    if note and not numbers.votes:  # ratings are stored, but every one is left out: "none yet" would mislead
        return f"Every rating stored so far is left out, so there is nothing to summarise yet.\n\n{note}"
    return f"{text}\n\n{note}" if note else text


def _groups(votes: list[VoteRecord], key: Callable[[VoteRecord], str]) -> list[tuple[str, list[VoteRecord]]]:
    groups: dict[str, list[VoteRecord]] = {}
    for vote in votes:
        groups.setdefault(key(vote), []).append(vote)
    return sorted(groups.items())


def _row(label: str, name: str, result: Preference) -> dict:
    return {label: name, "Votes": result.decided + result.ties, f"Preferred {NEW}": result.wins,
            f"Preferred {OLD}": result.losses, "No preference": result.ties,
            f"{NEW} share": None if result.share is None else round(result.share, 3),
            "95 % interval": _interval(result.interval),
            "p (sign test)": None if result.p_value is None else round(result.p_value, 4)}


def _abx_row(label: str, name: str, result: Discrimination) -> dict:
    return {label: name, "Answers": result.trials, "Correct": result.correct,
            "Share correct": None if result.share is None else round(result.share, 3),
            "95 % interval": _interval(result.interval),
            "p (binomial, one-sided)": None if result.p_value is None else round(result.p_value, 4)}


def _interval(interval: tuple[float, float] | None) -> str:
    return "" if interval is None else f"{interval[0]:.0%}–{interval[1]:.0%}"


def _csv_folder() -> Path:
    """A fresh folder for one export (the file keeps a plain name); exports older than an hour are removed."""
    CSV_ROOT.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 3600
    for old in CSV_ROOT.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another request removed it first
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=CSV_ROOT))
