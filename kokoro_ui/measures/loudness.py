"""Loudness of one rendering: integrated loudness by EBU R128 / ITU-R BS.1770-4 (the app's own
implementation, `outputs.loudness`, which also levels the listening study's clips), and each word's
energy (RMS level over its span).

Integrated loudness gates out silence, so it describes the speech, not the pauses; it needs at
least one 400 ms block, so a shorter rendering has none (None).
Boundary: levels only; pitch and timing are measured elsewhere.
"""

from typing import Optional

import numpy as np

from kokoro_ui.measures.signal import level_db, span
from kokoro_ui.outputs.loudness import integrated_loudness
from kokoro_ui.outputs.word_view import SpokenWord

BLOCK_S = 0.4  # BS.1770's gating block


def loudness_lufs(samples: np.ndarray, sample_rate_hz: int) -> Optional[float]:
    """Integrated loudness in LUFS (None: shorter than one block, or silent)."""
    if samples.size < BLOCK_S * sample_rate_hz:
        return None
    lufs = integrated_loudness(samples, sample_rate_hz)
    return lufs if np.isfinite(lufs) else None


def word_energy_db(samples: np.ndarray, sample_rate_hz: int, word: SpokenWord) -> Optional[float]:
    """The word's RMS level, dB full scale (None for a word the rendering did not say)."""
    return level_db(span(samples, sample_rate_hz, word.start_s, word.end_s))
