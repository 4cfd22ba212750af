"""Loudness: ITU-R BS.1770-4 integrated loudness, and clips brought to one common level.

K-weighted, 400 ms blocks, absolute gate -70 LUFS, relative gate -10 LU. The listening study's clips
and the gallery's samples are matched with it, so a louder clip never wins for being louder.
Boundary: numbers and gains on finished audio; where clips come from is the caller's.
"""

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ

TARGET_LUFS = -23.0  # EBU R 128 programme loudness
PEAK_CEILING = 10 ** (-1.0 / 20)  # -1 dBFS: matched clips are turned down together rather than clipped


@dataclass(frozen=True)
class Clip:
    audio: np.ndarray  # float32, mono, SAMPLE_RATE_HZ
    loudness_lufs: float
    real_speech: bool  # False: the release runs on synthetic weights, so this is noise


def integrated_loudness(audio: np.ndarray, rate_hz: int = SAMPLE_RATE_HZ) -> float:
    """BS.1770-4 integrated loudness of mono audio in LUFS (-inf for silence)."""
    weighted = _k_weighting(audio.astype(np.float64), rate_hz)
    block, step = int(0.4 * rate_hz), int(0.1 * rate_hz)
    starts = range(0, max(len(weighted) - block, 0) + 1, step)
    powers = np.array([np.mean(weighted[start:start + block] ** 2) for start in starts])
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(powers)
    gated = powers[levels > -70.0]
    if not gated.size:
        return float("-inf")
    relative_gate = -0.691 + 10 * np.log10(gated.mean()) - 10.0
    gated = powers[(levels > -70.0) & (levels > relative_gate)]
    return float(-0.691 + 10 * np.log10(gated.mean()))


def _k_weighting(audio: np.ndarray, rate_hz: int) -> np.ndarray:
    """The K filter for any rate: a +4 dB shelf above ~1.5 kHz, then a ~38 Hz high-pass. At 48 kHz
    it is within 0.05 dB of BS.1770's published coefficients: a 997 Hz full-scale sine reads -3.01 LUFS."""
    w_shelf, w_pass = 2 * np.pi * 1500.0 / rate_hz, 2 * np.pi * 38.0 / rate_hz
    amp, alpha = 10 ** (4.0 / 40), np.sin(w_shelf) / (2 / np.sqrt(2))
    cos, root = np.cos(w_shelf), 2 * np.sqrt(10 ** (4.0 / 40)) * alpha
    shelf_b = [amp * ((amp + 1) + (amp - 1) * cos + root), -2 * amp * ((amp - 1) + (amp + 1) * cos),
               amp * ((amp + 1) + (amp - 1) * cos - root)]
    shelf_a = [(amp + 1) - (amp - 1) * cos + root, 2 * ((amp - 1) - (amp + 1) * cos),
               (amp + 1) - (amp - 1) * cos - root]
    alpha = np.sin(w_pass) / (2 * 0.5)
    pass_a = [1.0, -2 * np.cos(w_pass) / (1 + alpha), (1 - alpha) / (1 + alpha)]
    shelved = lfilter(shelf_b, shelf_a, audio)
    return lfilter([1.0, -2.0, 1.0], pass_a, shelved)  # BS.1770 keeps this numerator unscaled


def match_loudness(clips: list[Clip], target_lufs: float = TARGET_LUFS) -> list[np.ndarray]:
    """The clips' audio at one common loudness: `target_lufs`, or lower if a clip would peak over -1 dBFS."""
    gains_db = [0.0 if not np.isfinite(clip.loudness_lufs) else target_lufs - clip.loudness_lufs for clip in clips]
    peaks = [float(np.max(np.abs(clip.audio))) * 10 ** (gain / 20) for clip, gain in zip(clips, gains_db)]
    over_db = max(0.0, 20 * np.log10(max(peaks) / PEAK_CEILING)) if max(peaks) > 0 else 0.0
    return [(clip.audio * 10 ** ((gain - over_db) / 20)).astype(np.float32) for clip, gain in zip(clips, gains_db)]
