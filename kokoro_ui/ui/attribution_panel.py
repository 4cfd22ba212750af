"""The Compare tab's "What to compare" selector and the attribution modes' layout.

`own` is Compare as it was (its own button and panels); the other modes show a phoneme box
(same phonemes) and up to four labelled players, run by their own button. Handlers are
`attribution_handlers`.
"""

from functools import partial

import gradio as gr

from kokoro_ui.services.manager import ModelManager
from kokoro_ui.ui import attribution_handlers as handlers
from kokoro_ui.services.attribution import ATTRIBUTION_MODES

MODE_CHOICES = [("Each with its own front end", "own"), ("Same phonemes through both networks", "same_phonemes"),
                ("Swap front ends (2×2)", "swap")]
NOTATION_CHOICES = [("Tell by the symbols", "auto"), ("espeak-ng IPA (v0.19)", "espeak"), ("misaki (v1.0)", "misaki")]
assert {value for _, value in MODE_CHOICES} == set(ATTRIBUTION_MODES)


def render_attribution_panel(manager: ModelManager, text: gr.Textbox, left_voice: gr.Dropdown,
                             right_voice: gr.Dropdown, speed: gr.Slider, lang: gr.Dropdown) -> gr.Radio:
    mode = gr.Radio(MODE_CHOICES, value="own", label="What to compare", elem_id="what-to-compare")
    with gr.Group(visible=False, elem_id="attribution") as panel:
        with gr.Row(visible=False) as phoneme_row:
            phonemes = gr.Textbox(label="Phonemes for both networks", lines=2, elem_id="attribution-phonemes",
                                  info="Either release's notation; the other network gets them mapped.")
            written_in = gr.Dropdown(NOTATION_CHOICES, value="auto", label="Written in", elem_id="attribution-notation")
        with gr.Row(visible=False) as prefill_row:
            from_v019 = gr.Button("Fill from v0.19's G2P", elem_id="prefill-v019", size="sm")
            from_v1 = gr.Button("Fill from v1.0's G2P", elem_id="prefill-v1", size="sm")
        with gr.Row():
            run_button = gr.Button("Run", variant="primary", elem_id="attribution-run")
            stop_button = gr.Button("Stop", variant="stop", elem_id="attribution-stop")
        note = gr.Markdown(elem_id="attribution-note")
        cells = []
        for row in range(2):
            with gr.Row(equal_height=False):
                for column in range(2):
                    cells.append(_cell(2 * row + column))
    outputs = {f"cell{n}_{part}": component for n, cell in enumerate(cells)
               for part, component in zip(("audio", "chunks", "status"), cell)}
    outputs["note"] = note
    run = run_button.click(partial(handlers.run_attribution, manager),
                           [mode, text, phonemes, written_in, left_voice, right_voice, speed, lang],
                           [outputs[name] for name in handlers.OUTPUTS], api_name="attribution",
                           concurrency_limit=2, concurrency_id="synthesis")
    stop_button.click(None, cancels=[run], api_visibility="private")
    from_v019.click(partial(handlers.prefill, manager, version="v0.19"), [text, lang], phonemes,
                    api_visibility="private")
    from_v1.click(partial(handlers.prefill, manager, version="v1.0"), [text, lang], phonemes, api_visibility="private")
    mode.change(_show, mode, [panel, phoneme_row, prefill_row], queue=False, api_visibility="private")
    return mode


def _show(mode: str) -> tuple:
    same = mode == "same_phonemes"
    return gr.update(visible=mode != "own"), gr.update(visible=same), gr.update(visible=same)


def _cell(n: int) -> tuple[gr.Audio, gr.HTML, gr.Markdown]:
    with gr.Column(elem_id=f"cell{n}"):
        status = gr.Markdown(elem_id=f"cell{n}-status")
        audio = gr.Audio(label=f"Cell {n + 1}", streaming=True, autoplay=True, interactive=False,
                         elem_id=f"cell{n}-audio")
        chunks = gr.HTML(elem_id=f"cell{n}-chunks", elem_classes="kab-chunks")
    return audio, chunks, status
