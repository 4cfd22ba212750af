"""Kokoro v0.19: the same network with the v0.19 checkpoint, vocabulary, espeak-ng front end,
voice packs and style rule (``pack[len(tokens)]``), streamed sentence by sentence.
"""

import functools
import math
from dataclasses import replace
from typing import Callable, Iterator

import numpy as np
import torch
from kokoro import KModel

from kokoro_ui.backends import BackendChoice
from kokoro_ui.engine.release import Release, Segment, load_release
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.builds.v0_19 import chunking, frontend
from kokoro_ui.weights.sources import WeightSource
from kokoro_ui.errors import WeightsError

# v0.19's config.json has no PL-BERT section: these were fixed in its plbert.py.
_PLBERT = {"hidden_size": 768, "num_attention_heads": 12, "intermediate_size": 2048,
           "max_position_embeddings": 512, "num_hidden_layers": 12, "dropout": 0.1}
_TEXT_ENCODER_KERNEL = 5  # fixed in v0.19's models.py


def _kmodel_config(config: dict) -> dict:
    """v0.19's config.json, in the shape `KModel` reads (v1.0's)."""
    decoder = dict(config.get("decoder", {}))
    if decoder.pop("type", None) != "istftnet":
        raise WeightsError("This config.json is not Kokoro v0.19's: it has no istftnet decoder section.")
    rest = {key: value for key, value in config.items() if key != "decoder"}
    return {**rest, "istftnet": decoder, "plbert": _PLBERT,
            "text_encoder_kernel_size": _TEXT_ENCODER_KERNEL, "vocab": frontend.VOCAB}


SPEC = ReleaseSpec(
    version="v0.19",
    folder="v0_19",
    checkpoint_file="kokoro-v0_19.pth",
    wraps_in_net=True,
    voice_pack_rows=511,
    hub_repo="hexgrad/kLegacy",
    hub_prefix="v0.19/",
    hub_revision="main",  # no commit of kLegacy could be confirmed offline; the digest below pins the file
    checkpoint_sha256="3b0c392f",  # the prefix published in the Kokoro-82M model card's release table
    kmodel_config=_kmodel_config,
)


class V019FrontEnd:
    languages = {"a": "American English", "b": "British English"}

    def segments(self, text: str, lang: str) -> Iterator[Segment]:
        """Sentence-packed segments; overridden words (`[word](/phonemes/)`) are said as written."""
        if "](" not in text:  # the original path, exactly
            return chunking.segments(text, lang)
        marked, words, _ = frontend.mark_overrides(text, lang)
        return (replace(segment, graphemes=frontend.unmark(segment.graphemes, words))
                for segment in chunking.segments(marked, lang, words=words))

    def tokenize(self, phonemes: str) -> list[int]:
        return frontend.tokenize(phonemes)

    def style_row(self, phonemes: str, token_ids: list[int]) -> int:
        return len(token_ids)


@functools.cache
def unavailable_reason(lang: str) -> str:
    """'' if v0.19's espeak-ng front end speaks `lang` here, else why not; tried once per process."""
    name = V019FrontEnd.languages.get(lang, repr(lang))
    try:
        spoken = frontend.phonemize("hello", lang)
    except (ValueError, RuntimeError, OSError) as error:  # not a v0.19 language, or espeak-ng cannot start
        return f"Kokoro v0.19 cannot speak {name} on this server: {error}."
    return "" if spoken else f"Kokoro v0.19 cannot speak {name} on this server: espeak-ng gave no sounds."


def _original_stft_window(kmodel: KModel) -> None:
    """Give the decoder's STFT the window v0.19 had: a periodic Hann computed in float64.

    v0.19 took scipy's window cast to float32; `KModel` computes ``torch.hann_window`` in
    float32. The two differ by ~1e-7 per value, which the decoder amplifies into waveform spikes of ~0.1.
    """
    stft = kmodel.decoder.generator.stft
    size = stft.window.numel()
    window = [0.5 - 0.5 * math.cos(2 * math.pi * n / size) for n in range(size)]
    stft.window = torch.tensor(window, dtype=torch.float64).float()


def load(source: WeightSource, backend: BackendChoice = BackendChoice()) -> Release:
    return load_release(SPEC, source, lambda config: V019FrontEnd(), _original_stft_window, backend)


def reference(release: Release, voice: str) -> Callable[[str], Iterator[np.ndarray]]:
    """v0.19 as its own code ran it: its front end and the bare forward pass, one per segment."""
    pack = release.voice_pack(release.voices.get(voice))
    lang = release.voices.get(voice).language

    def speak(text: str) -> Iterator[np.ndarray]:
        for segment in chunking.segments(text, lang):
            tokens = frontend.tokenize(segment.phonemes)
            with torch.inference_mode():
                audio, _ = release.kmodel.forward_with_tokens(torch.LongTensor([[0, *tokens, 0]]), pack[len(tokens)], 1.0)
            yield audio.numpy()

    return speak
