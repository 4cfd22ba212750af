"""Shared signal helpers for the measures: mono float audio, resampling, frame levels, word spans.

Boundary: numpy arithmetic only; no measure is defined here.
"""

from typing import Optional

import numpy as np
from scipy.signal import resample_poly

FRAME_S = 0.01  # level frames: 10 ms
SILENCE_FLOOR_DB = -120.0  # the level of digital silence (keeps log of zero finite)


def as_mono(audio: np.ndarray) -> np.ndarray:
    """float64 mono samples (a 2-D array's channels averaged)."""
    samples = np.asarray(audio, dtype=np.float64)
    return samples.mean(axis=1) if samples.ndim == 2 else samples


def resample(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """Polyphase resampling (anti-aliased) from `from_hz` to `to_hz`."""
    if from_hz == to_hz or samples.size == 0:
        return samples
    divisor = np.gcd(from_hz, to_hz)
    return resample_poly(samples, to_hz // divisor, from_hz // divisor)


def level_db(samples: np.ndarray) -> Optional[float]:
    """RMS level in dB full scale, or None for no samples."""
    if samples.size == 0:
        return None
    rms = float(np.sqrt(np.mean(np.square(samples))))
    return max(SILENCE_FLOOR_DB, 20 * np.log10(rms)) if rms > 0 else SILENCE_FLOOR_DB


def frame_levels_db(samples: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    """The RMS level of each 10 ms frame, dB full scale (frame i covers [i, i+1) × FRAME_S)."""
    size = max(1, round(FRAME_S * sample_rate_hz))
    count = samples.size // size
    if count == 0:
        return np.zeros(0)
    power = np.mean(np.square(samples[:count * size].reshape(count, size)), axis=1)
    with np.errstate(divide="ignore"):
        return np.maximum(SILENCE_FLOOR_DB, 10 * np.log10(power))


def span(samples: np.ndarray, sample_rate_hz: int, start_s: float, end_s: float) -> np.ndarray:
    """The samples between two times (clamped to the audio)."""
    start = min(samples.size, max(0, round(start_s * sample_rate_hz)))
    end = min(samples.size, max(start, round(end_s * sample_rate_hz)))
    return samples[start:end]
