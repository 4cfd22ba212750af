"""The Measures tab: the latest test-set report's summary and file, and a button that runs the set.

A run is `python -m kokoro_ui evaluate` from the page: the shipped test set (the first N sentences of
each category) through both releases with the voice pairs given, into a folder per voice pairs under
the cache, with Gradio's progress bar; a rerun with the same pairs resumes. Boundary: layout and its
two handlers; the run is `evaluation.runner`'s.
"""

from functools import partial
from pathlib import Path
from typing import Optional

import gradio as gr

from kokoro_ui.errors import KokoroUIError
from kokoro_ui.evaluation import runner
from kokoro_ui.evaluation.summary import SUMMARY_COLUMNS as CSV_COLUMNS
from kokoro_ui.evaluation.test_set import CATEGORIES, load_test_set
from kokoro_ui.services.manager import ModelManager

INTRO = ("Both releases over a categorised test set: pitch, pace, pauses, loudness, intelligibility (Whisper) and "
         "predicted quality (DNSMOS), paired text by text. Differences are v1.0 − v0.19 with a 95 % bootstrap "
         "interval and a Wilcoxon p; the speaker similarity (resemblyzer, GE2E) of each text's two renderings is "
         "averaged (`mean_between`). The same runs from the command line: `python -m kokoro_ui evaluate --out DIR`.")
SUMMARY_COLUMNS = CSV_COLUMNS[1:]  # summary.csv's but the category: the table shows the "all" rows


def render_measures_tab(manager: ModelManager) -> None:
    gr.Markdown(INTRO)
    with gr.Row():
        voices = gr.Textbox(runner.DEFAULT_PAIRS, label="Voice pairs (v0.19:v1.0, or one name for both)",
                            elem_id="evaluate-voices")
        per_category = gr.Slider(1, 8, value=1, step=1, label="Sentences per category", elem_id="evaluate-count")
    start = gr.Button("Run the test set", variant="primary", elem_id="evaluate-start")
    status = gr.Markdown(elem_id="evaluate-status")
    summary = gr.Dataframe(label="All texts: v1.0 − v0.19", interactive=False, wrap=True, elem_id="evaluate-summary")
    report = gr.File(label="The latest report (report.html, self-contained) and its CSVs", file_count="multiple",
                     elem_id="evaluate-report")
    outputs = [status, summary, report]
    gr.on(None, partial(latest, manager), None, outputs, api_visibility="private", show_progress="hidden")
    start.click(partial(run_report, manager), [voices, per_category], outputs, api_visibility="private",
                concurrency_limit=1, concurrency_id="synthesis")


def _root(manager: ModelManager) -> Path:
    return manager.settings.cache_dir / "evaluation"


def latest(manager: ModelManager, folder: Optional[Path] = None) -> tuple:
    """The status line, the summary's "all" rows and the files of `folder` (default: the newest report)."""
    reports = sorted(_root(manager).glob("*/report.html"), key=lambda path: path.stat().st_mtime)
    folder = folder or (reports[-1].parent if reports else None)
    if folder is None or not (folder / "report.html").exists():
        return "No report yet: run the test set.", None, None
    rows = [row for row in runner.read_rows(folder / "summary.csv") if row["category"] == "all"]
    table = [[row.get(column, "") for column in SUMMARY_COLUMNS] for row in rows]  # older reports lack mean_between
    files = [str(folder / name) for name in ("report.html", "summary.csv", "metrics.csv", "pairs.csv")
             if (folder / name).exists()]
    return f"Latest report: `{folder.name}`", gr.update(value=table, headers=list(SUMMARY_COLUMNS)), files


def run_report(manager: ModelManager, voices: str, per_category: float, progress=gr.Progress()) -> tuple:
    try:
        pairs = runner.parse_pairs(voices or "")
        sentences = [sentence for category in CATEGORIES
                     for sentence in [s for s in load_test_set() if s.category == category][:int(per_category)]]
        folder = _root(manager) / "_".join(f"{pair.v0_19}-{pair.v1_0}" for pair in pairs)

        def report_progress(done: int, total: int, now: str) -> None:
            progress((done, total), desc=now, unit="renderings")

        runner.run_test_set(manager, sentences, pairs, folder, report_progress)
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None
    return latest(manager, folder)
