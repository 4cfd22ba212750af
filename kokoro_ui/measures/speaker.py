"""Speaker similarity of two renderings: the cosine of their GE2E d-vectors, from resemblyzer's VoiceEncoder.

A GE2E speaker encoder (Wan et al., "Generalized End-to-End Loss for Speaker Verification", ICASSP
2018) maps speech to a 256-value d-vector, trained so that one person's utterances lie close together
and different people's apart. `resemblyzer` ships its trained encoder inside the wheel
(`pretrained.pt`: the version and the file's sha256 are pinned here, and it is loaded strictly,
the GE2E loss's own scale and offset aside). Each rendering is resampled to the encoder's 16 kHz,
raised (never lowered) to −30 dBFS and stripped of long silences by webrtcvad (resemblyzer's own
preprocessing), and embedded as the mean of 1.6 s windows; the similarity is the cosine of the two
d-vectors: 1 for one voice, and never below 0 (the encoder's last layer is a ReLU).
Limits: the encoder learnt to tell real people apart (VoxCeleb, LibriSpeech: see README), so the
number says whether two renderings sound like one speaker to it; it is not a perceptual judgement
of either, and it is meaningless on noise from synthetic weights (the surfaces say so).
resemblyzer installs outside requirements.txt (scripts/install.sh: its declared `webrtcvad` is an
sdist that no longer imports); where it is missing, the similarity is "not measured" and says why.
Boundary: audio in, one number out; the encoder loads once, at its first use (`models.LazyModel`).
"""

import hashlib
import importlib.metadata
import importlib.util
import threading
from pathlib import Path
from typing import Optional

import numpy as np

from kokoro_ui.measures.models import LazyModel, MeasureUnavailableError
from kokoro_ui.measures.results import SpeakerSimilarity
from kokoro_ui.measures.signal import resample

LABEL = "speaker similarity (resemblyzer, GE2E)"  # what every surface calls this measure
DISTRIBUTION = "Resemblyzer"
VERSION = "0.1.4"
WEIGHTS_BYTES = 17_090_379
WEIGHTS_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
LOSS_KEYS = {"similarity_weight", "similarity_bias"}  # GE2E's trained scale and offset: training only
MODEL_NAME = f"resemblyzer {VERSION} VoiceEncoder (GE2E d-vectors, 16 kHz)"
RATE_HZ = 16_000
NOT_INSTALLED = (f"not measured: resemblyzer is not installed (scripts/install.sh installs {DISTRIBUTION}=={VERSION} "
                 "without its declared dependencies; requirements.txt has the ones it uses)")


def installed() -> bool:
    return importlib.util.find_spec("resemblyzer") is not None


class Encoder:
    """The loaded encoder: `embedding` is thread-safe (one utterance at a time)."""

    def __init__(self, model):
        self._model = model
        self._lock = threading.Lock()

    def embedding(self, samples: np.ndarray, sample_rate_hz: int) -> Optional[np.ndarray]:
        """The unit-length d-vector of mono float `samples`, or None where webrtcvad finds no speech."""
        from resemblyzer import preprocess_wav

        audio = np.clip(resample(samples, sample_rate_hz, RATE_HZ), -1.0, 1.0).astype(np.float32)
        if not np.any(audio):  # silence: its loudness cannot be raised to the target
            return None
        speech = preprocess_wav(audio)
        if speech.size == 0:
            return None
        with self._lock:
            return self._model.embed_utterance(speech)


def _encoder() -> Encoder:
    if not installed():
        raise MeasureUnavailableError(f"Speaker similarity needs {DISTRIBUTION}=={VERSION}: run scripts/install.sh.")
    import torch
    from resemblyzer import VoiceEncoder

    version = importlib.metadata.version(DISTRIBUTION)
    weights = Path(importlib.util.find_spec("resemblyzer").origin).parent / "pretrained.pt"
    data = weights.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if version != VERSION or len(data) != WEIGHTS_BYTES or digest != WEIGHTS_SHA256:
        raise MeasureUnavailableError(
            f"{DISTRIBUTION} {version} holds a pretrained.pt of {len(data):,} bytes with sha256 {digest[:12]}…, "
            f"not the pinned encoder ({VERSION}: {WEIGHTS_BYTES:,} bytes, {WEIGHTS_SHA256[:12]}…); "
            f"reinstall {DISTRIBUTION}=={VERSION}.")
    encoder = VoiceEncoder(device="cpu", verbose=False)  # it loads with strict=False: check what it took
    loaded = encoder.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True)["model_state"],
                                     strict=False)
    if loaded.missing_keys or set(loaded.unexpected_keys) != LOSS_KEYS:
        raise MeasureUnavailableError(f"resemblyzer's pretrained.pt does not fit its encoder (missing "
                                      f"{loaded.missing_keys}, unexpected {loaded.unexpected_keys}).")
    return Encoder(encoder.eval())


_MODEL = LazyModel(_encoder)


def speaker_similarity(left: np.ndarray, right: np.ndarray, sample_rate_hz: int, left_name: str = "left",
                       right_name: str = "right") -> SpeakerSimilarity:
    """The cosine of the two renderings' d-vectors (mono float samples at one rate)."""
    if not installed():
        return SpeakerSimilarity(None, MODEL_NAME, NOT_INSTALLED)
    encoder = _MODEL.get()
    first, second = encoder.embedding(left, sample_rate_hz), encoder.embedding(right, sample_rate_hz)
    silent = [name for name, embedding in ((left_name, first), (right_name, second)) if embedding is None]
    if silent:
        return SpeakerSimilarity(None, MODEL_NAME, f"not measured: webrtcvad found no speech in {' or '.join(silent)}")
    return SpeakerSimilarity(float(np.dot(first, second)), MODEL_NAME)


def load() -> None:
    """Load the encoder now (it loads at the first comparison otherwise)."""
    _MODEL.get()


def loaded() -> bool:
    return _MODEL.loaded
