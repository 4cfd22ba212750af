"""The named Gradio API for `gradio_client`: /synthesize, /word_timings, /synthesize_phonemes, /phonemize,
/voices and /attribute (the attribution modes, whole files).

(/compare is the Compare button's own event.) Each endpoint is an event on a hidden button
with plain components, so clients get a WAV file path and JSON rather than UI updates.
"""

import dataclasses
import tempfile
import time
from functools import partial
from typing import Callable, TypeVar

import gradio as gr
import numpy as np
import soundfile

from kokoro_ui.services import synthesis as speech_service
from kokoro_ui.outputs.captions import run_captions
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, Chunk
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.languages import voice_availability
from kokoro_ui.services.manager import DEFAULT_VERSION, ModelManager
from kokoro_ui.ui.attribution_handlers import attribute
from kokoro_ui.services.validation import validate_lang, validate_phonemes, validate_speech, validate_text, validate_version

T = TypeVar("T")


def synthesize(manager: ModelManager, text: str, voice: str, speed: float = 1.0,
               version: str = DEFAULT_VERSION) -> tuple[str, dict]:
    """Speak `text` with one release; returns a WAV file and the run's metrics."""
    request = _refusing(validate_speech, manager, text, voice, version or DEFAULT_VERSION, speed)
    return _result(*_spoken(manager, request))


def word_timings(manager: ModelManager, text: str, voice: str, speed: float = 1.0,
                 version: str = DEFAULT_VERSION) -> tuple[str, list[dict]]:
    """Speak `text` with one release; returns a WAV file and each written word's `word`, `start_time`
    and `end_time` (seconds from the start of the audio), as POST /dev/captioned_speech does."""
    request = _refusing(validate_speech, manager, text, voice, version or DEFAULT_VERSION, speed)
    chunks, synthesis = _spoken(manager, request)
    path, _ = _result(chunks, synthesis)
    return path, [caption.as_timestamp() for caption in run_captions(chunks)]


def synthesize_phonemes(manager: ModelManager, phonemes: str, voice: str, speed: float = 1.0,
                        version: str = DEFAULT_VERSION, notation: str = "auto") -> tuple[str, dict]:
    """Speak phonemes (either release's notation, mapped into `version`'s) with one release."""
    request = _refusing(validate_phonemes, manager, phonemes, voice, version or DEFAULT_VERSION, speed,
                        notation or "auto")
    path, result = _result(*_spoken(manager, request))
    return path, {**result, "phonemes": request.phonemes, "dropped": list(request.dropped)}


def _refusing(check: Callable[..., T], *args) -> T:
    """`check(*args)`; our refusals become the client's error message."""
    try:
        return check(*args)
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None


def _spoken(manager: ModelManager, request: speech_service.Request) -> tuple[list[Chunk], speech_service.Synthesis]:
    """The checked request spoken whole (its release loaded if it must be)."""
    started_at = time.perf_counter()
    try:
        with speech_service.synthesize(manager, request, started_at) as synthesis:
            return list(synthesis), synthesis
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None


def _result(chunks: list[Chunk], synthesis: speech_service.Synthesis) -> tuple[str, dict]:
    path = tempfile.NamedTemporaryFile(suffix=".wav", delete=False).name
    audio = np.concatenate([chunk.audio for chunk in chunks]) if chunks else np.zeros(0, np.float32)
    soundfile.write(path, audio, SAMPLE_RATE_HZ, subtype="PCM_16")
    info = synthesis.info
    return path, {**dataclasses.asdict(synthesis.metrics()), "weights_description": info.weights,
                  "real_speech": info.real_speech}


def phonemize(manager: ModelManager, text: str, version: str = DEFAULT_VERSION, lang: str = "") -> list[dict]:
    """Each chunk's text, phonemes and token ids, as the release would speak them."""
    try:
        text = validate_text(text, manager.settings.max_chars)
        model = manager.get_model(validate_version(manager, version or DEFAULT_VERSION))
        lang = validate_lang(lang) or model.voices.ids()[0][0]
        return [{"graphemes": segment.graphemes, "phonemes": segment.phonemes,
                 "token_ids": model.frontend.tokenize(segment.phonemes)}
                for segment in model.frontend.segments(text, lang)]
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None


def list_voices(manager: ModelManager, version: str = DEFAULT_VERSION) -> list[dict]:
    try:
        voices = manager.voices(validate_version(manager, version or DEFAULT_VERSION))
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None
    return [{**dataclasses.asdict(voice), **dataclasses.asdict(voice_availability(voices.release, voice))}
            for voice in voices]


def register_named_api(manager: ModelManager) -> None:
    with gr.Column(visible=False):
        text, voice = gr.Textbox(label="text"), gr.Textbox(label="voice")
        speed = gr.Number(1.0, label="speed")
        version, lang = gr.Textbox(DEFAULT_VERSION, label="version"), gr.Textbox("", label="lang")
        audio, result = gr.Audio(type="filepath", label="audio"), gr.JSON(label="result")
        phonemes, notation = gr.Textbox(label="phonemes"), gr.Textbox("auto", label="notation")
        mode, right_voice = gr.Textbox("swap", label="mode"), gr.Textbox(label="right_voice")
        files = gr.File(file_count="multiple", label="audio files")
        button = gr.Button()
    button.click(partial(synthesize, manager), [text, voice, speed, version], [audio, result],
                 api_name="synthesize", concurrency_id="synthesis")
    button.click(partial(word_timings, manager), [text, voice, speed, version], [audio, result],
                 api_name="word_timings", concurrency_id="synthesis")
    button.click(partial(phonemize, manager), [text, version, lang], result, api_name="phonemize")
    button.click(partial(synthesize_phonemes, manager), [phonemes, voice, speed, version, notation], [audio, result],
                 api_name="synthesize_phonemes", concurrency_id="synthesis")
    button.click(partial(attribute, manager), [mode, text, phonemes, notation, voice, right_voice, speed, lang],
                 [files, result], api_name="attribute", concurrency_id="synthesis")
    button.click(partial(list_voices, manager), version, result, api_name="voices")
