"""The Compare tab's layout: text and choices on top, the two releases side by side, then numbers."""

from dataclasses import dataclass
from functools import partial

import gradio as gr

from kokoro_ui.services.languages import voice_availability
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.metrics import History
from kokoro_ui.ui import compare_handlers as handlers
from kokoro_ui.ui import landing, word_table
from kokoro_ui.ui.attribution_panel import render_attribution_panel
from kokoro_ui.ui.examples import EXAMPLES, PARAGRAPH
from kokoro_ui.services.validation import MAX_SPEED, MIN_SPEED

LEFT, RIGHT = handlers.LEFT, handlers.RIGHT
DEFAULT_VOICE = "af_bella"
MIX_HINT = "Pick one, or type a mix of this release's voices, e.g. af_bella(2)+af_sky(1)"
LANGUAGE_CHOICES = [("The voice's own accent", ""), ("American English (en-US)", "a"), ("British English (en-GB)", "b")]
RESULTS_HINT = "*After a run, each release's numbers and the words the two pronounce differently appear here.*"
MODE_CHOICES = [("Fair: take turns, clean timings", "fair"), ("Parallel: both at once, half the CPU each", "parallel")]


@dataclass
class CompareTab:
    text: gr.Textbox
    left_voice: gr.Dropdown
    right_voice: gr.Dropdown
    compare_button: gr.Button


def voice_choices(manager: ModelManager, version: str) -> list[tuple[str, str]]:
    """Every voice of the release; one whose language this server cannot speak says so in its label."""
    return [(f"{voice.flag} {voice.name} — {voice.accent}, {voice.gender} ({voice.id})"
             + ("" if voice_availability(version, voice).available else " — can't speak on this server"), voice.id)
            for voice in manager.voices(version)]


def render_compare_tab(manager: ModelManager) -> CompareTab:
    max_chars = manager.settings.max_chars
    history = gr.State(History())  # copied for each session (a callable would be a named API endpoint)
    run_words = gr.State()  # the last run's word rows and audio, for the word view's play controls
    banner = gr.Markdown(visible=False, elem_id="synthetic-banner", elem_classes="kab-banner")  # only with a warning
    text = gr.Textbox(PARAGRAPH, label="Text", lines=5, max_lines=12, elem_id="text")
    counter = gr.Markdown(handlers.character_count(PARAGRAPH, max_chars), elem_id="char-count")
    gr.Examples([[example] for _, example in EXAMPLES], inputs=[text],
                example_labels=[label for label, _ in EXAMPLES], label="Try one of these")
    with gr.Row():
        left_voice = gr.Dropdown(voice_choices(manager, LEFT), value=DEFAULT_VOICE, label=f"{LEFT} voice",
                                 allow_custom_value=True, info=MIX_HINT, elem_id="left-voice")
        right_voice = gr.Dropdown(voice_choices(manager, RIGHT), value=DEFAULT_VOICE, label=f"{RIGHT} voice",
                                  allow_custom_value=True, info=MIX_HINT, elem_id="right-voice")
    with gr.Row():
        lang = gr.Dropdown(LANGUAGE_CHOICES, value="", label="Accent", elem_id="lang")
        speed = gr.Slider(MIN_SPEED, MAX_SPEED, value=1.0, step=0.05, label="Speed", elem_id="speed")
        mode = gr.Radio(MODE_CHOICES, value="fair", label="Timing", elem_id="mode")
    with gr.Row():
        compare_button = gr.Button("Compare", variant="primary", scale=3, elem_id="compare")
        stop_button = gr.Button("Stop", variant="stop", interactive=False, scale=1, elem_id="stop")  # only while one runs
    render_attribution_panel(manager, text, left_voice, right_voice, speed, lang)
    with gr.Row(equal_height=False, elem_id="panels"):
        left = _panel(LEFT, "left")
        right = _panel(RIGHT, "right")
    results_hint = gr.Markdown(RESULTS_HINT, elem_id="results-hint")
    with gr.Column(visible=False, elem_id="run-results") as results:  # shown once a run has numbers
        gr.Markdown("### Word by word: where the two releases pronounce words differently")
        words = gr.HTML(elem_id="word-view", elem_classes="kab-words", js_on_load=word_table.TABLE_JS)
        word_player = gr.HTML(elem_id="word-player", elem_classes="kab-word-player", js_on_load=word_table.PLAYER_JS)
        captions = gr.File(label="Word timings (WebVTT and SRT, one pair per release)", file_count="multiple",
                           elem_id="captions")
        gr.Markdown("### This run")
        run_table = gr.Dataframe(elem_id="run-table", interactive=False, wrap=True)
        with gr.Accordion("All runs in this session", open=False):
            history_table = gr.Dataframe(elem_id="history-table", interactive=False)
            csv = gr.File(label="Download as CSV", elem_id="history-csv")
            with gr.Row():
                ttfa_plot = gr.LinePlot(x="run", y="ttfa_s", color="version", title="Time to first audio (s)",
                                        elem_id="ttfa-plot")
                rtf_plot = gr.LinePlot(x="run", y="rtf", color="version",
                                       title="Real-time factor (lower is faster)", elem_id="rtf-plot")
    timer = gr.Timer(landing.REFRESH_S, active=False)  # ticks only while a release loads

    outputs = {"left_audio": left[0], "right_audio": right[0], "left_chunks": left[1], "right_chunks": right[1],
               "left_status": left[2], "right_status": right[2], "words": words, "run_table": run_table,
               "history_table": history_table, "csv": csv, "ttfa_plot": ttfa_plot, "rtf_plot": rtf_plot,
               "banner": banner, "run_words": run_words, "captions": captions}
    landing_outputs = [left[3], right[3], banner, timer]
    show_landing = partial(_landing_updates, manager)
    gr.on(None, show_landing, None, landing_outputs, api_visibility="private", show_progress="hidden")  # page load
    timer.tick(show_landing, None, landing_outputs, api_visibility="private", show_progress="hidden")
    compare_button.click(_running, None, [stop_button, timer], queue=False, api_visibility="private")  # before the run
    run = compare_button.click(partial(handlers.run_comparison, manager),
                               [text, left_voice, right_voice, speed, lang, mode, history],
                               [outputs[name] for name in handlers.OUTPUTS], api_name="compare",
                               concurrency_limit=2, concurrency_id="synthesis")
    between_runs = [*landing_outputs, stop_button, results, results_hint]
    after_run = partial(_after_run, manager)
    run.then(after_run, history, between_runs, api_visibility="private", show_progress="hidden")
    stop_button.click(after_run, history, between_runs, cancels=[run], api_visibility="private",
                      show_progress="hidden")
    words.click(handlers.play_word, run_words, word_player, queue=False, api_visibility="private",
                show_progress="hidden")
    text.change(partial(_count, max_chars), text, counter, queue=False, show_progress="hidden",
                api_visibility="private")
    left_voice.input(partial(handlers.pair_voice, manager=manager, from_version=LEFT, to_version=RIGHT),
                     [left_voice, right_voice], right_voice, queue=False, api_visibility="private")
    right_voice.input(partial(handlers.pair_voice, manager=manager, from_version=RIGHT, to_version=LEFT),
                      [right_voice, left_voice], left_voice, queue=False, api_visibility="private")
    return CompareTab(text, left_voice, right_voice, compare_button)


def _count(max_chars: int, text: str) -> str:
    return handlers.character_count(text, max_chars)


def _landing_updates(manager: ModelManager) -> tuple:
    """Each panel's state line, the banner (hidden when it has nothing to say), the timer on while a release loads."""
    view = landing.landing_view(manager)
    return (view.panels[LEFT], view.panels[RIGHT], gr.update(value=view.banner, visible=bool(view.banner)),
            gr.Timer(active=view.loading))


def _after_run(manager: ModelManager, history: History) -> tuple:
    """A run ended or was stopped: the panels' state again, Stop off, the results once a run has numbers."""
    has_runs = bool(history.rows())
    return (*_landing_updates(manager), gr.update(interactive=False), gr.update(visible=has_runs),
            gr.update(visible=not has_runs))


def _running() -> tuple:
    """A run starts: Stop on; the timer looks at the panels while a release may load for it."""
    return gr.update(interactive=True), gr.Timer(active=True)


def _panel(version: str, side: str) -> tuple[gr.Audio, gr.HTML, gr.Markdown, gr.Markdown]:
    with gr.Column(elem_id=f"{side}-panel", elem_classes="kab-panel"):
        gr.Markdown(f"## Kokoro {version}")
        state = gr.Markdown(elem_id=f"{side}-state")  # weights, load state, what Compare will do
        status = gr.Markdown(elem_id=f"{side}-status")  # this run's progress and numbers
        audio = gr.Audio(label=f"Kokoro {version}", streaming=True, autoplay=True, interactive=False,
                         elem_id=f"{side}-audio")
        chunks = gr.HTML(elem_id=f"{side}-chunks", elem_classes="kab-chunks")
    return audio, chunks, status, state
