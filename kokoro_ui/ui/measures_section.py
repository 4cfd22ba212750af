"""Compare's Measures section: its layout under the word view, and its events.

The section is filled by an event that follows a successful run (`.success`), so measuring
starts only after both releases have streamed and never delays their audio; a new Compare
clears it first. Boundary: layout and wiring; the HTML is `measures_view`'s.
"""

from functools import partial

import gradio as gr

from kokoro_ui.services.manager import ModelManager
from kokoro_ui.ui.measures_view import measure_comparison

WAITING = "<p>Measuring both releases once the run has finished…</p>"


def render_measures_section() -> gr.HTML:
    gr.Markdown("### Measures: pitch, pace, loudness, intelligibility, predicted quality and speaker similarity")
    return gr.HTML("<p>Measures appear here after a run.</p>", elem_id="measures-view", elem_classes="kab-measures")


def wire_measures_section(manager: ModelManager, compare_button: gr.Button, run, run_words: gr.State, text: gr.Textbox,
                          view: gr.HTML, left_name: str, right_name: str) -> None:
    compare_button.click(lambda: WAITING, None, view, queue=False, api_visibility="private", show_progress="hidden")
    run.success(partial(_measure, manager, left_name, right_name), [run_words, text], view,
                api_visibility="private", concurrency_limit=1, concurrency_id="measures", show_progress="minimal")


def _measure(manager: ModelManager, left_name: str, right_name: str, run_words, text: str) -> str:
    return measure_comparison(manager, run_words, text, left_name, right_name)
