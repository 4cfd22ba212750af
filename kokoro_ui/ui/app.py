"""The whole page: a tab per job, top to bottom as the user sees it."""

from typing import Optional

import gradio as gr

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.persistence import votes_location
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.ui.compare_tab import render_compare_tab
from kokoro_ui.ui.gallery_tab import render_gallery_tab
from kokoro_ui.ui.listening_tab import render_listening_tab
from kokoro_ui.ui.named_api import register_named_api
from kokoro_ui.ui.results_tab import render_results_tab

# Gradio's default theme with colours that meet WCAG AA contrast (4.5:1 for text): its own white on
# orange-500 buttons, grey-400 hints and orange tab labels do not.
THEME = gr.themes.Default().set(
    body_text_color_subdued="*neutral_600", body_text_color_subdued_dark="*neutral_300", color_accent="*primary_700",
    button_primary_background_fill="*primary_700", button_primary_background_fill_hover="*primary_800",
    button_primary_border_color="*primary_700", button_primary_border_color_hover="*primary_800",
    button_primary_background_fill_dark="*primary_700", button_primary_background_fill_hover_dark="*primary_800",
    button_primary_border_color_dark="*primary_700", button_primary_border_color_hover_dark="*primary_800",
    button_cancel_background_fill="#b91c1c", button_cancel_background_fill_hover="#991b1b",
)

CSS = """
.kab-banner { background: #fff4e5; border: 1px solid #f0a030; border-radius: 8px; padding: 8px 12px; }
.kab-error { color: #b00020; }
.kab-chunks { font-size: 0.92em; }
.kab-chunks .kab-scroll { max-height: 320px; overflow-y: auto; }
.kab-chunks .ph { font-family: ui-monospace, monospace; color: #555; }
/* the word view (issue 16): one row per written word, a play control per row */
.kab-words .kab-scroll { max-height: 480px; overflow-y: auto; }
.kab-words table { width: 100%; border-collapse: collapse; }
.kab-words td, .kab-words th { padding: 2px 6px; border-bottom: 1px solid #eee; text-align: left; }
.kab-words .ph { font-family: ui-monospace, monospace; color: #444; }
.kab-words tr.diff td { background: #fff0f0; }
.kab-words tr.kab-playing td { background: #e0ecff; }
.kab-words button.kab-play { min-width: 2em; border: 1px solid #888; border-radius: 4px; background: #fff; }
.kab-word-player audio { height: 32px; vertical-align: middle; margin: 0 8px; }
.kab-card .kab-ready { display: none; color: #1a7f37; font-size: 0.85em; }
/* a visible keyboard focus on every control (Gradio's buttons and tabs show none of their own) */
.gradio-container :is(button, a, input, textarea, select, audio, [role="tab"], [role="slider"],
                      .kab-scroll):focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px; }
/* the API snippets in one readable colour: gr.Code's light syntax colours (Nord) are 1.6-4.0:1 on white */
.kab-code .cm-content span { color: var(--body-text-color); }
/* phones: all four tabs fit in one row (Gradio folds those that do not fit into a "More tabs" menu) */
@media (max-width: 480px) {
  #tabs .tab-wrapper button { padding: 0 10px; }
}
"""


def build_ui(manager: ModelManager, listening: Optional[ListeningTest] = None) -> gr.Blocks:
    """The page; `listening` is the app's one listening test (made here from the settings if not given)."""
    with gr.Blocks(title="Kokoro A/B") as demo:
        gr.Markdown("# Kokoro A/B\nOne text, two releases of the Kokoro voice model: **v0.19** and **v1.0**. "
                    "Listen side by side, see the sounds each one chose, and compare their speed.")
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Compare", id="compare"):
                compare = render_compare_tab(manager)
            listening = listening or ListeningTest.open(manager)
            with gr.Tab("Listening test", id="listen"):
                render_listening_tab(listening)
            with gr.Tab("Results", id="results"):
                render_results_tab(listening.store, votes_location(manager.settings))
            with gr.Tab("Voices", id="voices"):
                render_gallery_tab(manager, compare, tabs)
        register_named_api(manager)
    return demo
