"""Predicted quality of one rendering: DNSMOS P.835's overall score (OVRL), from `speechmos`'s wheel.

Microsoft's DNSMOS P.835 model (ONNX, inside the `speechmos` wheel, so nothing downloads) rates
9-second windows of 16 kHz audio; shorter audio is repeated to fill one window (as speechmos
does), longer audio is cut into windows side by side, the last one ending with the audio (speechmos
slides by one second: nine times the cost for the same audio), and the score is the mean of the
windows' calibrated overall ratings (1–5).
It was trained on human ratings of noisy and noise-suppressed speech (ITU-T P.835), so it
hears noise, distortion and suppression artefacts; it does not judge prosody, pronunciation
or naturalness (see README). The model is run here with onnxruntime directly: speechmos's own
wrapper imports librosa for a second model this measure does not use.
Boundary: audio in, one score out.
"""

import importlib.util
from pathlib import Path

import numpy as np

from kokoro_ui.measures.models import LazyModel, MeasureUnavailableError
from kokoro_ui.measures.results import Quality
from kokoro_ui.measures.signal import resample

RATE_HZ = 16_000
WINDOW_SAMPLES = int(9.01 * RATE_HZ)  # the model's fixed input
MODEL_NAME = "DNSMOS P.835 OVRL (speechmos 0.0.1.1)"
OVERALL_CALIBRATION = np.poly1d([-0.06766283, 1.11546468, 0.04602535])  # DNSMOS's published polynomial fit


def _session():
    spec = importlib.util.find_spec("speechmos")
    if spec is None:
        raise MeasureUnavailableError("The MOS predictor needs the PyPI wheel speechmos==0.0.1.1: "
                                      "`pip install -r requirements.txt`.")
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    model = Path(spec.origin).parent / "dnsmos_models" / "sig_bak_ovr.onnx"
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


_MODEL = LazyModel(_session)


def predicted_mos(samples: np.ndarray, sample_rate_hz: int) -> Quality:
    """DNSMOS's overall score of mono float `samples`."""
    audio = np.clip(resample(samples, sample_rate_hz, RATE_HZ), -1.0, 1.0).astype(np.float32)
    if audio.size == 0:
        raise ValueError("No audio to rate.")
    if audio.size < WINDOW_SAMPLES:
        audio = np.tile(audio, -(-WINDOW_SAMPLES // audio.size))[:WINDOW_SAMPLES]
    starts = sorted({*range(0, audio.size - WINDOW_SAMPLES + 1, WINDOW_SAMPLES), audio.size - WINDOW_SAMPLES})
    windows = np.stack([audio[start:start + WINDOW_SAMPLES] for start in starts])
    session = _MODEL.get()
    ratings = session.run(None, {session.get_inputs()[0].name: windows})[0]  # (windows, [sig, bak, ovr])
    return Quality(float(np.mean(OVERALL_CALIBRATION(ratings[:, 2]))), MODEL_NAME)


def load() -> None:
    """Load the model now (it loads at the first prediction otherwise)."""
    _MODEL.get()


def loaded() -> bool:
    return _MODEL.loaded
