"""The Voices tab's layout: every voice of both releases as a card to hear, pick, shortlist or mix.

Cards come from the manifests (no model is loaded to list them) and are drawn once: filters only
show and hide them. What the buttons do is `gallery_handlers`'; which cards exist is `gallery_cards`'.
"""

from dataclasses import dataclass
from functools import partial
from typing import Optional

import gradio as gr

from kokoro_ui.abtest.material import NEW, OLD
from kokoro_ui.services.languages import sample_sentence
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.samples.cache import SampleCache
from kokoro_ui.ui import gallery_handlers as handlers
from kokoro_ui.ui.wav_player import WavPlayer
from kokoro_ui.ui.gallery_cards import (ANY, Card, gallery_cards, language_choices, unavailable_reasons,
                                        voice_choices)

SHORTLIST_KEY = "kokoro-ab-shortlist"
# BrowserState encrypts what it stores; a fixed secret keeps a shortlist readable after a restart
# (a random one, the default, would lose it). A shortlist of voice names is not confidential.
SHORTLIST_SECRET = "kokoro-ab-shortlist-v1"
READY_POLL_S = 3.0
CODE_HINT = "# Press Choose on a voice card: the code to speak with it appears here."  # a hint, not an empty box


def render_gallery_tab(manager: ModelManager, compare, tabs: gr.Tabs, samples: Optional[SampleCache] = None) -> None:
    """`compare` is the Compare tab's `CompareTab` (its `left_voice` is v0.19's, `right_voice` v1.0's)."""
    samples = samples or SampleCache(manager)
    cards = gallery_cards(manager)
    shortlist = gr.BrowserState([], storage_key=SHORTLIST_KEY, secret=SHORTLIST_SECRET)
    gr.Markdown("## Voices\nEvery voice of both releases. Press **▶ Play** to hear one (**✓ ready** ones start at "
                "once), **☆ Shortlist** to keep the ones you like, **Choose** to make one yours, or mix two voices.")
    banner = gr.Markdown(visible=False, elem_id="gallery-noise", elem_classes="kab-banner")
    with gr.Row():
        language = gr.Dropdown(language_choices(manager), value=ANY, label="Language", elem_id="gallery-language")
        gender = gr.Radio([("Any", ANY), ("Female", "female"), ("Male", "male")], value=ANY, label="Gender",
                          elem_id="gallery-gender")
    reasons = unavailable_reasons(manager)
    if reasons:
        gr.Markdown("Some voices can't be played on this server: " + " ".join(reasons), elem_id="gallery-unavailable")
    with gr.Row():
        player = WavPlayer(label="Now playing", type="filepath", interactive=False, autoplay=True, editable=False,
                          waveform_options=gr.WaveformOptions(show_recording_waveform=False), elem_id="gallery-player")
        now_playing = gr.Markdown(elem_id="gallery-now-playing")
    shortlisted = _shortlist_panel(manager, samples, shortlist, player, now_playing, compare, tabs)
    mixing = _mix_panel(manager, samples, player, now_playing)
    with gr.Accordion("My voice and how to use it", open=True):
        chosen = gr.Markdown("Press **Choose** on a card.", elem_id="gallery-chosen")
        with gr.Row():
            # lines wrap: a box that scrolls sideways cannot be scrolled by keyboard (CodeMirror's is not focusable)
            curl = gr.Code(CODE_HINT, language="shell", label="From a terminal (curl)", wrap_lines=True,
                           elem_id="gallery-curl", elem_classes="kab-code")
            python = gr.Code(CODE_HINT, language="python", label="From Python (openai package)", wrap_lines=True,
                             elem_id="gallery-python", elem_classes="kab-code")
    with gr.Row():
        slots = {release: gr.Dropdown(voice_choices(manager, release), value="af_bella", allow_custom_value=True,
                                      label=label, elem_id=f"gallery-compare-{side}")
                 for release, label, side in ((OLD, f"Compare a voice of {OLD}", "old"),
                                              (NEW, f"with a voice of {NEW}", "new"))}
        send = gr.Button("Compare these", variant="primary", elem_id="gallery-compare")
    ready = gr.HTML(elem_id="gallery-ready", padding=False)
    timer = gr.Timer(READY_POLL_S)
    with gr.Row(elem_id="gallery-cards"):  # drawn once; filters only show and hide (no re-render per filter)
        drawn = [_draw(card) for card in cards]

    chose = [chosen, curl, python]
    stars = [star for _, _, _, star in drawn]
    gr.on(None, partial(_banner, manager), None, banner, api_visibility="private")  # on page load
    gr.on(None, partial(handlers.shortlist_view, manager, cards), shortlist, [*stars, *shortlisted],
          api_visibility="private", show_progress="hidden")  # on page load and whenever the shortlist changes
    show_ready = partial(handlers.ready_style, manager, samples, cards)
    gr.on([timer.tick], show_ready, None, [ready, timer], api_visibility="private", show_progress="hidden")
    gr.on(None, show_ready, None, [ready, timer], api_visibility="private", show_progress="hidden")
    gr.on([language.change, gender.change], partial(_shown, manager, cards), [language, gender],
          [column for column, _, _, _ in drawn], api_visibility="private", show_progress="hidden")
    send.click(lambda old, new: (old, new, gr.Tabs(selected="compare")), [slots[OLD], slots[NEW]],
               [compare.left_voice, compare.right_voice, tabs], api_visibility="private")
    mixing.choose.click(partial(handlers.choose_voice_of_mix, manager), [mixing.release, mixing.first, mixing.second, mixing.share],
                        [*chose, slots[NEW], slots[OLD]], api_visibility="private")
    for card, (_, play, pick, star) in zip(cards, drawn):
        if play is not None:
            play.click(partial(handlers.play_sample, manager, samples, card.release, card.voice.id), None,
                       [player, now_playing], api_visibility="private", show_progress="hidden",
                       queue=False)  # straight to the handler: a ready sample starts playing at once
            star.click(partial(handlers.toggle_shortlist, card.key), shortlist, shortlist, api_visibility="private",
                       show_progress="hidden")
        pick.click(partial(handlers.choose_voice, card.release, card.voice.id, sample_sentence(card.voice.language)),
                   None, [*chose, slots[card.release]], api_visibility="private")


def _shortlist_panel(manager: ModelManager, samples: SampleCache, shortlist: gr.BrowserState, player: gr.Audio,
                     now_playing: gr.Markdown, compare, tabs: gr.Tabs) -> list:
    """The shortlist, a sentence of one's own to hear it say, and two of it sent to Compare."""
    with gr.Accordion("Your shortlist (kept in this browser)", open=True):
        listing = gr.Markdown(elem_id="shortlist")
        with gr.Row(equal_height=True):
            text = gr.Textbox(sample_sentence("a"), label="A sentence of your own", max_lines=2, scale=4,
                              elem_id="shortlist-text")
            play_all = gr.Button("▶ Play my shortlist", variant="primary", scale=1, elem_id="shortlist-play")
        with gr.Row(equal_height=True):
            picks = gr.CheckboxGroup([], label=f"Tick two to compare (one of {OLD}, one of {NEW})", scale=4,
                                     elem_id="shortlist-picks")
            compare_two = gr.Button("Compare these two", scale=1, elem_id="shortlist-compare")
        message = gr.Markdown(elem_id="shortlist-message")
    play_all.click(partial(handlers.play_shortlist, manager, samples), [shortlist, text], [player, now_playing],
                   api_visibility="private", concurrency_id="shortlist", concurrency_limit=4)
    compare_two.click(partial(handlers.compare_picked, manager), picks,
                      [compare.left_voice, compare.right_voice, tabs, message], api_visibility="private")
    return [listing, picks]


@dataclass
class _MixPanel:
    release: gr.Radio
    first: gr.Dropdown
    second: gr.Dropdown
    share: gr.Slider
    choose: gr.Button


def _mix_panel(manager: ModelManager, samples: SampleCache, player: gr.Audio, now_playing: gr.Markdown) -> _MixPanel:
    """Two voices of one release and a slider: how much of the first one the mix has."""
    with gr.Accordion("Mix two voices", open=False, elem_id="mix-panel"):
        release = gr.Radio([NEW, OLD], value=NEW, label="Release", elem_id="mix-release")
        with gr.Row():
            first = gr.Dropdown(voice_choices(manager, NEW), value="af_bella", label="First voice", elem_id="mix-first")
            second = gr.Dropdown(voice_choices(manager, NEW), value="af_sky", label="Second voice",
                                 elem_id="mix-second")
        share = gr.Slider(0, 100, value=50, step=5, label="How much of the first voice (%)", elem_id="mix-share")
        name = gr.Markdown(handlers.mix_words("af_bella", "af_sky", 50), elem_id="mix-name")
        with gr.Row():
            play = gr.Button("▶ Play the mix", variant="primary", elem_id="mix-play")
            choose = gr.Button("Choose this mix", elem_id="mix-choose")
    release.change(partial(handlers.mix_voices_of, manager), release, [first, second], api_visibility="private")
    gr.on([first.change, second.change, share.change], handlers.mix_words, [first, second, share], name,
          api_visibility="private", show_progress="hidden")
    play.click(partial(handlers.play_mix, manager, samples), [release, first, second, share], [player, now_playing],
               api_visibility="private", show_progress="hidden")
    return _MixPanel(release, first, second, share, choose)


def _draw(card: Card) -> tuple[gr.Column, Optional[gr.Button], gr.Button, gr.Button]:
    playable = card.availability.available
    with gr.Column(min_width=210, variant="panel", elem_classes="kab-card", elem_id=f"card-{card.key}") as column:
        gr.Markdown(card.label)
        with gr.Row():
            play = gr.Button("▶ Play", size="sm", min_width=60, elem_id=f"play-{card.key}") if playable else None
            pick = gr.Button("Choose", size="sm", min_width=60, elem_id=f"choose-{card.key}")
        star = gr.Button("☆ Shortlist", size="sm", visible=playable, elem_id=f"star-{card.key}")
    return column, play, pick, star


def _shown(manager: ModelManager, cards: list[Card], language_tag: str, gender: str) -> list[dict]:
    """Each card's visibility under the filters."""
    keep = {card.key for card in gallery_cards(manager, language_tag, gender)}
    return [gr.update(visible=card.key in keep) for card in cards]


def _banner(manager: ModelManager) -> dict:
    warning = handlers.noise_warning(manager)
    return gr.update(value=warning, visible=bool(warning))
