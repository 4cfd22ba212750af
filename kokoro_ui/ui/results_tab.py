"""The Results tab: what listeners preferred, how sure we can be, and the raw votes as CSV.

Shares are over votes that chose a side; "no preference" is counted apart. Votes cast while a
release ran on synthetic weights (noise) are left out unless the reader asks for them.
"""

import contextlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

import gradio as gr
import pandas as pd

from kokoro_ui.abtest.sessions import NEW, OLD
from kokoro_ui.abtest.stats import Preference, describe, tally
from kokoro_ui.abtest.store import VoteRecord, VoteStore
from kokoro_ui.errors import KokoroUIError

NO_PREFERENCE = "no preference"
CSV_ROOT = Path(tempfile.gettempdir()) / "kokoro_ui_votes_csv"


@dataclass(frozen=True)
class Results:
    summary: str
    by_voice: pd.DataFrame
    by_sentence: pd.DataFrame
    plot: pd.DataFrame  # long form: voice, preferred, votes
    csv_path: str | None


def render_results_tab(store: VoteStore) -> None:
    gr.Markdown(f"## Results\nWhich release do listeners prefer in the blind test, **{NEW}** or **{OLD}**?")
    with gr.Row():
        include_noise = gr.Checkbox(False, label="Also count votes cast on synthetic weights (noise, not speech)",
                                    elem_id="results-include-noise")
        refresh = gr.Button("Refresh", elem_id="results-refresh", scale=0)
    summary = gr.Markdown(elem_id="results-summary")
    plot = gr.BarPlot(x="voice", y="votes", color="preferred", title="Votes by voice", elem_id="results-plot")
    gr.Markdown("### By voice")
    by_voice = gr.Dataframe(interactive=False, elem_id="results-by-voice")
    gr.Markdown("### By sentence")
    by_sentence = gr.Dataframe(interactive=False, wrap=True, elem_id="results-by-sentence")
    csv_file = gr.File(label="Every vote (CSV)", elem_id="results-csv")

    outputs = [summary, by_voice, by_sentence, plot, csv_file]
    show = partial(show_results, store)
    gr.on(None, show, [include_noise], outputs, api_visibility="private")  # on page load and on ticking
    refresh.click(show, [include_noise], outputs, api_name="listening_results")


def show_results(store: VoteStore, include_noise: bool) -> tuple:
    shown = results(store, include_noise)
    return shown.summary, shown.by_voice, shown.by_sentence, shown.plot, shown.csv_path


def results(store: VoteStore, include_noise: bool = False) -> Results:
    """Everything the tab shows, from the stored votes."""
    try:
        stored = store.votes()
        csv_path = str(store.write_csv(_csv_folder() / "listening_votes.csv"))
    except KokoroUIError as error:
        empty = pd.DataFrame()
        return Results(f"⚠️ {error}", empty, empty, pd.DataFrame(columns=["voice", "preferred", "votes"]), None)
    counted = [vote for vote in stored if include_noise or vote.real_speech]
    left_out = len(stored) - len(counted)
    summary = describe(tally((vote.preferred_release for vote in counted), NEW), NEW, OLD)
    if left_out:
        summary += f"\n\nNot counted: {left_out} vote(s) cast while a release played noise (synthetic weights)."
    return Results(summary, breakdown(counted, lambda vote: vote.pair, "Voice"),
                   breakdown(counted, lambda vote: f"{vote.sentence_id}: {vote.sentence}", "Sentence"),
                   plot_frame(counted), csv_path)


def breakdown(votes: list[VoteRecord], key: Callable[[VoteRecord], str], label: str) -> pd.DataFrame:
    """One row per group: the counts, the share preferring v1.0, its 95 % interval and the sign test."""
    groups: dict[str, list[VoteRecord]] = {}
    for vote in votes:
        groups.setdefault(key(vote), []).append(vote)
    return pd.DataFrame([_row(label, name, tally((v.preferred_release for v in members), NEW))
                         for name, members in sorted(groups.items())])


def _row(label: str, name: str, preference: Preference) -> dict:
    interval = preference.interval
    return {label: name, "Votes": preference.decided + preference.ties, f"Preferred {NEW}": preference.wins,
            f"Preferred {OLD}": preference.losses, "No preference": preference.ties,
            f"{NEW} share": None if preference.share is None else round(preference.share, 3),
            "95 % interval": "" if interval is None else f"{interval[0]:.0%}–{interval[1]:.0%}",
            "p (sign test)": None if preference.p_value is None else round(preference.p_value, 4)}


def plot_frame(votes: list[VoteRecord]) -> pd.DataFrame:
    counts: dict[tuple[str, str], int] = {}
    for vote in votes:
        group = (vote.pair, vote.preferred_release or NO_PREFERENCE)
        counts[group] = counts.get(group, 0) + 1
    return pd.DataFrame([{"voice": voice, "preferred": preferred, "votes": n}
                         for (voice, preferred), n in sorted(counts.items())], columns=["voice", "preferred", "votes"])


def _csv_folder() -> Path:
    """A fresh folder for one export (the file keeps a plain name); exports older than an hour are removed."""
    CSV_ROOT.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 3600
    for old in CSV_ROOT.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another request removed it first
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=CSV_ROOT))
