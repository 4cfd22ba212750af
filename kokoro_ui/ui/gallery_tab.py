"""The Voices tab: every voice of both releases as a card to hear, pick, or compare; no ids to learn.

Cards come from the voice manifests (no model is loaded to list them); a sample is synthesised
when a card's play button is pressed, then kept in the shared clip cache.
"""

from dataclasses import dataclass
from functools import partial
from typing import Optional

import gradio as gr

from kokoro_ui.abtest.clips import ClipCache, match_loudness, write_blind_wav
from kokoro_ui.abtest.material import NEW, OLD
from kokoro_ui.weights.voices import Voice
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.manager import ModelManager

ANY = "any"
SAMPLES = {  # what each language's voices say when played
    "a": "Hello! This is my voice, reading a short sentence for you.",
    "b": "Hello! This is my voice, reading a short sentence for you.",
    "e": "¡Hola! Esta es mi voz, leyendo una frase corta para ti.",
    "f": "Bonjour ! Voici ma voix, qui vous lit une courte phrase.",
    "h": "नमस्ते! यह मेरी आवाज़ है।",
    "i": "Ciao! Questa è la mia voce, mentre leggo una breve frase.",
    "j": "こんにちは！これが私の声です。",
    "p": "Olá! Esta é a minha voz, lendo uma frase curta para você.",
    "z": "你好！这是我的声音。",
}
RELEASE_WORDS = {NEW: "newer release", OLD: "older release"}


@dataclass(frozen=True)
class Card:
    release: str
    voice: Voice

    @property
    def key(self) -> str:
        return f"{self.release.replace('.', '_')}-{self.voice.id}"

    @property
    def label(self) -> str:
        voice = self.voice
        return (f"{voice.flag} **{voice.name}**  \n{voice.accent} · {voice.gender}  \n"
                f"Kokoro {self.release} ({RELEASE_WORDS.get(self.release, '')})")


def render_gallery_tab(manager: ModelManager, compare, tabs: gr.Tabs, clips: Optional[ClipCache] = None) -> None:
    """`compare` is the Compare tab's `CompareTab` (its `left_voice` is v0.19's, `right_voice` v1.0's)."""
    clips = clips or ClipCache(manager)
    gr.Markdown("## Voices\nEvery voice of both releases. Press **▶ Play** to hear one, **Choose** to make it "
                "yours, or pick one voice from each release and compare them.")
    banner = gr.Markdown(visible=False, elem_id="gallery-noise", elem_classes="kab-banner")
    with gr.Row():
        language = gr.Dropdown(language_choices(manager), value=ANY, label="Language", elem_id="gallery-language")
        gender = gr.Radio([("Any", ANY), ("Female", "female"), ("Male", "male")], value=ANY, label="Gender",
                          elem_id="gallery-gender")
    with gr.Row():
        player = gr.Audio(label="Now playing", type="filepath", interactive=False, autoplay=True, editable=False,
                          waveform_options=gr.WaveformOptions(show_recording_waveform=False), elem_id="gallery-player")
        now_playing = gr.Markdown(elem_id="gallery-now-playing")
    with gr.Accordion("My voice and how to use it", open=True):
        chosen = gr.Markdown("Press **Choose** on a card.", elem_id="gallery-chosen")
        with gr.Row():
            curl = gr.Code(language="shell", label="From a terminal (curl)", elem_id="gallery-curl")
            python = gr.Code(language="python", label="From Python (openai package)", elem_id="gallery-python")
    with gr.Row():
        slots = {OLD: gr.Dropdown(_voice_choices(manager, OLD), value="af_bella", label=f"Compare a voice of {OLD}",
                                  elem_id="gallery-compare-old"),
                 NEW: gr.Dropdown(_voice_choices(manager, NEW), value="af_bella", label=f"with a voice of {NEW}",
                                  elem_id="gallery-compare-new")}
        send = gr.Button("Compare these", variant="primary", elem_id="gallery-compare")
    cards = gallery_cards(manager)
    with gr.Row(elem_id="gallery-cards"):  # drawn once; filters only show and hide (no re-render per filter)
        drawn = [_draw(card) for card in cards]

    gr.on(None, partial(_banner, manager), None, banner, api_visibility="private")  # on page load
    gr.on([language.change, gender.change], partial(_shown, manager, cards), [language, gender],
          [column for column, _, _ in drawn], api_visibility="private", show_progress="hidden")
    send.click(lambda old, new: (old, new, gr.Tabs(selected="compare")), [slots[OLD], slots[NEW]],
               [compare.left_voice, compare.right_voice, tabs], api_visibility="private")
    for card, (_, play, pick) in zip(cards, drawn):
        play.click(partial(play_sample, manager, clips, card.release, card.voice.id), None, [player, now_playing],
                   api_visibility="private")
        pick.click(partial(choose_voice, card.release, card.voice), None, [chosen, curl, python, slots[card.release]],
                   api_visibility="private")


def _draw(card: "Card") -> tuple[gr.Column, gr.Button, gr.Button]:
    with gr.Column(min_width=210, variant="panel", elem_classes="kab-card", elem_id=f"card-{card.key}") as column:
        gr.Markdown(card.label)
        with gr.Row():
            play = gr.Button("▶ Play", size="sm", min_width=60, elem_id=f"play-{card.key}")
            pick = gr.Button("Choose", size="sm", min_width=60, elem_id=f"choose-{card.key}")
    return column, play, pick


def _shown(manager: ModelManager, cards: list["Card"], language_tag: str, gender: str) -> list[dict]:
    """Each card's visibility under the filters."""
    keep = {card.key for card in gallery_cards(manager, language_tag, gender)}
    return [gr.update(visible=card.key in keep) for card in cards]


def gallery_cards(manager: ModelManager, language_tag: str = ANY, gender: str = ANY) -> list[Card]:
    """Every voice of every release, from the manifests, filtered by language tag and gender; ordered by
    language, then name, so a voice's two releases sit side by side."""
    cards = [Card(release, voice) for release in (NEW, OLD) for voice in manager.voices(release)
             if language_tag in (ANY, voice.language_tag) and gender in (ANY, voice.gender)]
    languages = list(dict.fromkeys(voice.language_tag for voice in manager.voices(NEW)))
    return sorted(cards, key=lambda card: (_index(languages, card.voice.language_tag), card.voice.name,
                                           card.release != NEW))


def language_choices(manager: ModelManager) -> list[tuple[str, str]]:
    """("🇬🇧 British English", "en-GB") and so on, by accent name, after "Any language"."""
    voices = {card.voice.language_tag: card.voice for card in gallery_cards(manager)}
    ordered = sorted(voices.values(), key=lambda voice: voice.accent)
    return [("Any language", ANY)] + [(f"{voice.flag} {voice.accent}", voice.language_tag) for voice in ordered]


def play_sample(manager: ModelManager, clips: ClipCache, release: str, voice_id: str) -> tuple[Optional[str], str]:
    """The voice saying its language's sample sentence, at the listening test's loudness."""
    voice = manager.voices(release).get(voice_id)
    try:
        clip = clips.get(release, voice.id, SAMPLES.get(voice.language, SAMPLES["a"]))
    except KokoroUIError as error:
        return None, f"⚠️ {voice.name} can't be played here: {error}"
    caption = f"**Now playing:** {voice.flag} {voice.name} — Kokoro {release}"
    if not clip.real_speech:
        caption += f"  \n⚠️ Kokoro {release} runs on synthetic weights here: **this is noise, not speech.**"
    return str(write_blind_wav(match_loudness([clip])[0])), caption


def choose_voice(release: str, voice: Voice, request: Optional[gr.Request] = None) -> tuple:
    """The exact voice name, ready-to-paste examples for the HTTP API, and the voice in its compare slot."""
    base_url = _base_url(request)
    text = SAMPLES.get(voice.language, SAMPLES["a"]).replace("'", "’")
    body = f'{{"model": "kokoro", "input": "{text}", "voice": "{voice.id}", "version": "{release}"}}'
    curl = (f"curl {base_url}/v1/audio/speech \\\n  -H 'Content-Type: application/json' \\\n"
            f"  -d '{body}' \\\n  --output speech.mp3")
    python = (f'from openai import OpenAI\n\nclient = OpenAI(base_url="{base_url}/v1", api_key="not-needed")\n'
              f'with client.audio.speech.with_streaming_response.create(\n'
              f'    model="kokoro", voice="{voice.id}", input="{text}",\n'
              f'    extra_body={{"version": "{release}"}},\n) as response:\n'
              '    response.stream_to_file("speech.mp3")\n')
    chosen = (f"### Your voice: {voice.flag} {voice.name}\nIts exact name is **`{voice.id}`**, in Kokoro "
              f"**{release}**. Use that name and release when you ask the app for speech:")
    return chosen, curl, python, voice.id


def noise_warning(manager: ModelManager) -> str:
    """Which releases play noise, known without loading a model: from the setting or a loaded model."""
    noisy = [status.version for status in manager.status()
             if (status.info is not None and not status.info.real_speech)
             or (status.info is None and manager.settings.weights == "synthetic")]
    if not noisy:
        return ""
    return (f"⚠️ Kokoro {' and '.join(noisy)} run{'s' if len(noisy) == 1 else ''} on synthetic weights here: "
            "**the samples are noise, not speech.** Install the real voice weights to hear the voices.")


def _banner(manager: ModelManager) -> dict:
    warning = noise_warning(manager)
    return gr.update(value=warning, visible=bool(warning))


def _index(items: list[str], item: str) -> int:
    return items.index(item) if item in items else len(items)


def _voice_choices(manager: ModelManager, release: str) -> list[tuple[str, str]]:
    return [(f"{voice.name} · {voice.accent}, {voice.gender} ({voice.id})", voice.id)
            for voice in manager.voices(release)]


def _base_url(request: Optional[gr.Request]) -> str:
    host = request.headers.get("host") if request is not None else None
    scheme = (request.headers.get("x-forwarded-proto") if request is not None else None) or "http"
    return f"{scheme}://{host}" if host else "http://127.0.0.1:7860"
