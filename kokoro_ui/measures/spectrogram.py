"""A log-mel spectrogram of one rendering (what the figures draw beside the F0 contour).

80 mel bands (HTK's mel scale, triangular filters, up to 8 kHz), 50 ms Hann windows every 10 ms,
levels in dB relative to the loudest bin, floored 80 dB below it.
Boundary: numpy only; no plotting.
"""

from dataclasses import dataclass

import numpy as np

MEL_BANDS = 80
TOP_HZ = 8_000.0
WINDOW_S = 0.05
HOP_S = 0.01
RANGE_DB = 80.0


@dataclass(frozen=True, eq=False)
class LogMel:
    times_s: np.ndarray  # each frame's centre
    band_hz: np.ndarray  # each band's centre frequency
    levels_db: np.ndarray  # (bands, frames)


def log_mel(samples: np.ndarray, sample_rate_hz: int) -> LogMel:
    window, hop = round(WINDOW_S * sample_rate_hz), round(HOP_S * sample_rate_hz)
    padded = np.pad(np.asarray(samples, dtype=np.float64), (window // 2, window // 2))
    count = max(1, 1 + (padded.size - window) // hop)
    if padded.size < window:
        padded = np.pad(padded, (0, window - padded.size))
    frames = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop][:count]
    power = np.abs(np.fft.rfft(frames * np.hanning(window), axis=1)) ** 2
    filters, centres = _mel_filters(sample_rate_hz, window)
    mel = filters @ power.T
    with np.errstate(divide="ignore"):
        levels = 10 * np.log10(np.maximum(mel, 1e-12))
    levels = np.maximum(levels - levels.max(), -RANGE_DB)
    return LogMel(np.arange(count) * HOP_S, centres, levels)


def _mel(hz: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def _hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10 ** (mel / 2595.0) - 1.0)


def _mel_filters(sample_rate_hz: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Triangular filters (bands × FFT bins) and their centre frequencies."""
    top = min(TOP_HZ, sample_rate_hz / 2)
    edges = _hz(np.linspace(0.0, _mel(np.array(top)), MEL_BANDS + 2))
    bins = np.fft.rfftfreq(window, 1.0 / sample_rate_hz)
    rising = (bins[None, :] - edges[:-2, None]) / np.maximum(edges[1:-1, None] - edges[:-2, None], 1e-9)
    falling = (edges[2:, None] - bins[None, :]) / np.maximum(edges[2:, None] - edges[1:-1, None], 1e-9)
    return np.maximum(0.0, np.minimum(rising, falling)), edges[1:-1]
