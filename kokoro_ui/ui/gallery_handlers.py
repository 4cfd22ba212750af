"""What the Voices tab does when a visitor plays, chooses, mixes or shortlists: plain functions,
testable without a browser.

Samples come from the disk cache (`samples.cache`), so a voice whose sample was rendered in the
background plays at once; any other is rendered on demand, as a visitor's request. The shortlist
is a list of card keys (``v1_0-af_bella``) kept in the visitor's browser, never on the server.
"""

import time
from typing import Iterator, Optional

import gradio as gr
import soundfile

from kokoro_ui.abtest.material import NEW, OLD
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.languages import sample_sentence
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.samples.cache import SampleCache
from kokoro_ui.ui.gallery_cards import Card, card_by_key, voice_choices
from kokoro_ui.services.validation import validate_text, validate_voice
from kokoro_ui.weights.mix import parse_mix

SHORTLIST_MAX_CHARS = 300  # one sentence of the visitor's own
GAP_BETWEEN_VOICES_S = 0.6
NOISE_NOTE = "⚠️ Kokoro {release} runs on synthetic weights here: **this is noise, not speech.**"


def play_sample(manager: ModelManager, samples: SampleCache, release: str, voice: str,
                text: Optional[str] = None) -> tuple[Optional[str], str]:
    """A voice (or a mix) saying `text` (default: its language's sample sentence), loudness-matched."""
    try:
        voice = validate_voice(manager, voice, release)
        language = _language(manager, release, voice)
        sample = samples.get(release, voice, text or sample_sentence(language))
    except KokoroUIError as error:
        return None, f"⚠️ {voice} can't be played here: {error}"
    caption = f"**Now playing:** {_voice_words(manager, release, voice)} — Kokoro {release}"
    if not sample.real_speech:
        caption += "  \n" + NOISE_NOTE.format(release=release)
    return str(sample.path), caption


def ready_style(manager: ModelManager, samples: SampleCache, cards: list[Card]) -> tuple[str, dict]:
    """CSS that shows '✓ ready' on the cards whose sample is on disk; the timer stops once all are, or at
    once when nothing renders them in the background (then they become ready only when played)."""
    playable = [card for card in cards if card.availability.available]
    ready = [card for card in playable
             if samples.ready(card.release, card.voice.id, sample_sentence(card.voice.language))]
    rules = "".join(f"#card-{card.key} .kab-ready{{display:inline}}" for card in ready)
    return f"<style>{rules}</style>", gr.Timer(active=manager.settings.prerender_samples and len(ready) < len(playable))


def choose_voice(release: str, voice: str, text: str, request: Optional[gr.Request] = None) -> tuple:
    """The exact voice (or mix), ready-to-paste examples for the HTTP API saying `text`, and the voice
    in its compare slot."""
    base_url = _base_url(request)
    text = text.replace("'", "’")  # the curl example quotes its body with '
    body = f'{{"model": "kokoro", "input": "{text}", "voice": "{voice}", "version": "{release}"}}'
    curl = (f"curl {base_url}/v1/audio/speech \\\n  -H 'Content-Type: application/json' \\\n"
            f"  -d '{body}' \\\n  --output speech.mp3")
    python = (f'from openai import OpenAI\n\nclient = OpenAI(base_url="{base_url}/v1", api_key="not-needed")\n'
              f'with client.audio.speech.with_streaming_response.create(\n'
              f'    model="kokoro", voice="{voice}", input="{text}",\n'
              f'    extra_body={{"version": "{release}"}},\n) as response:\n'
              '    response.stream_to_file("speech.mp3")\n')
    chosen = (f"### Your voice: **`{voice}`**\nIn Kokoro **{release}**. Use exactly this voice name and "
              "release when you ask the app for speech:")
    return chosen, curl, python, voice


def mix_of_two(first: str, second: str, first_percent: float) -> str:
    """The mix the slider describes: ``af_bella(70)+af_sky(30)``; one voice alone at 0 % or 100 %."""
    percent = round(float(first_percent))
    if percent >= 100 or first == second:
        return first
    if percent <= 0:
        return second
    return f"{first}({percent})+{second}({100 - percent})"


def mix_words(first: str, second: str, first_percent: float) -> str:
    mix = mix_of_two(first or "", second or "", first_percent or 0)
    return f"The mix's name, for the API and the Compare tab: **`{mix}`**"


def mix_voices_of(manager: ModelManager, release: str) -> tuple[dict, dict]:
    """The two voice pickers, re-filled with `release`'s voices (a mix stays within one release)."""
    choices = voice_choices(manager, release)
    ids = [voice for _, voice in choices]
    first = "af_bella" if "af_bella" in ids else ids[0]
    second = "af_sky" if "af_sky" in ids else ids[1]
    return gr.Dropdown(choices=choices, value=first), gr.Dropdown(choices=choices, value=second)


def play_mix(manager: ModelManager, samples: SampleCache, release: str, first: str, second: str,
             first_percent: float) -> tuple[Optional[str], str]:
    return play_sample(manager, samples, release, mix_of_two(first, second, first_percent))


def choose_voice_of_mix(manager: ModelManager, release: str, first: str, second: str, first_percent: float,
                        request: Optional[gr.Request] = None) -> tuple:
    """`choose_voice` for the mix, which goes into the compare slot of its own release only."""
    text = sample_sentence(manager.voices(release).get(first).language)
    chosen, curl, python, mix = choose_voice(release, mix_of_two(first, second, first_percent), text, request)
    return chosen, curl, python, mix if release == NEW else gr.skip(), mix if release == OLD else gr.skip()


def toggle_shortlist(key: str, shortlist: Optional[list[str]]) -> list[str]:
    shortlist = list(shortlist or [])
    return [entry for entry in shortlist if entry != key] if key in shortlist else shortlist + [key]


def shortlist_view(manager: ModelManager, cards: list[Card], shortlist: Optional[list[str]]) -> list:
    """Every card's star, the shortlist as a list, and the two-to-compare choices."""
    keys = set(shortlist or [])
    stars = [gr.Button("★ Shortlisted" if card.key in keys else "☆ Shortlist") for card in cards]
    entries = _entries(manager, shortlist)
    listing = ("\n".join(f"{index}. {card.title}" for index, card in enumerate(entries, 1)) if entries else
               "Nothing yet: press **☆ Shortlist** on the voices you like.")
    picks = gr.CheckboxGroup([(card.title, card.key) for card in entries], value=[])
    return [*stars, listing, picks]


def play_shortlist(manager: ModelManager, samples: SampleCache, shortlist: Optional[list[str]],
                   text: str) -> Iterator[tuple]:
    """Each shortlisted voice in turn saying the visitor's sentence, labelled while it plays."""
    entries = _entries(manager, shortlist)
    if not entries:
        raise gr.Error("Your shortlist is empty: press ☆ Shortlist on the voices you like first.")
    try:
        text = validate_text(text, min(SHORTLIST_MAX_CHARS, manager.settings.max_chars))
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None
    for index, card in enumerate(entries, 1):
        path, caption = play_sample(manager, samples, card.release, card.voice.id, text)
        started = time.monotonic()
        yield path, f"**{index} of {len(entries)}** · {caption}"
        if path is not None:  # let it play to the end, and a breath, before the next one
            time.sleep(max(0.0, _duration_s(path) + GAP_BETWEEN_VOICES_S - (time.monotonic() - started)))
    yield gr.skip(), f"That was your shortlist: {', '.join(card.voice.name for card in entries)}."


def compare_picked(manager: ModelManager, picked: Optional[list[str]]) -> tuple:
    """Two shortlisted voices, one of each release, into the Compare tab's slots (v0.19 left, v1.0 right)."""
    cards = [card for card in (card_by_key(manager, key) for key in picked or []) if card is not None]
    by_release = {card.release: card for card in cards}
    if len(cards) != 2 or set(by_release) != {OLD, NEW}:
        message = (f"Tick two voices, one of Kokoro {OLD} and one of Kokoro {NEW}: Compare puts {OLD} on the "
                   f"left and {NEW} on the right.")
        return gr.skip(), gr.skip(), gr.skip(), message
    return by_release[OLD].voice.id, by_release[NEW].voice.id, gr.Tabs(selected="compare"), ""


def noise_warning(manager: ModelManager) -> str:
    """Which releases play noise, known without loading a model: from the setting or a loaded model."""
    noisy = [status.version for status in manager.status()
             if (status.info is not None and not status.info.real_speech)
             or (status.info is None and manager.settings.weights == "synthetic")]
    if not noisy:
        return ""
    return (f"⚠️ Kokoro {' and '.join(noisy)} run{'s' if len(noisy) == 1 else ''} on synthetic weights here: "
            "**the samples are noise, not speech.** Install the real voice weights to hear the voices.")


def _entries(manager: ModelManager, shortlist: Optional[list[str]]) -> list[Card]:
    """The shortlist's cards that exist and can speak here, in the order they were added."""
    cards = (card_by_key(manager, key) for key in shortlist or [] if isinstance(key, str))
    return [card for card in cards if card is not None and card.availability.available]


def _language(manager: ModelManager, release: str, voice: str) -> str:
    return parse_mix(voice).voices(manager.voices(release))[0].language


def _voice_words(manager: ModelManager, release: str, voice: str) -> str:
    """'🇺🇸 Bella' for a voice; '🇺🇸 Bella 70 % + Sky 30 %' for a mix."""
    manifest, mix = manager.voices(release), parse_mix(voice)
    if len(mix.terms) == 1:
        entry = manifest.get(voice)
        return f"{entry.flag} {entry.name}"
    parts = [f"{manifest.get(term.voice_id).name} {weight:.0%}" for term, weight in zip(mix.terms, mix.weights)]
    return f"{manifest.get(mix.terms[0].voice_id).flag} " + " + ".join(parts)


def _duration_s(path: str) -> float:
    return soundfile.info(path).duration


def _base_url(request: Optional[gr.Request]) -> str:
    host = request.headers.get("host") if request is not None else None
    scheme = (request.headers.get("x-forwarded-proto") if request is not None else None) or "http"
    return f"{scheme}://{host}" if host else "http://127.0.0.1:7860"
