"""One rendering's measures, all together: `measure_rendering`.

Boundary: puts the measure modules' results into one `RenderingMeasures`; each measure is
defined in its own module.
"""

from typing import Sequence

import numpy as np

from kokoro_ui.measures import loudness, pitch, quality, timing
from kokoro_ui.measures.error_rates import intelligibility
from kokoro_ui.measures.recognition import recogniser
from kokoro_ui.measures.results import RenderingMeasures, WordMeasures
from kokoro_ui.measures.signal import as_mono
from kokoro_ui.outputs.word_view import SpokenWord


def measure_rendering(audio: np.ndarray, sample_rate_hz: int, text: str, words: Sequence[SpokenWord],
                      asr: str = "auto", noise: bool = False) -> RenderingMeasures:
    """Every measure of `audio` (mono float, range −1..1), which says `text` with the word timings `words`
    (on the audio's clock, in text order). `asr` picks the recogniser (`recognition.ASR_CHOICES`);
    `noise` marks audio from synthetic weights."""
    samples = as_mono(audio)
    if samples.size == 0:
        raise ValueError("No audio to measure.")
    contour = pitch.f0_contour(samples, sample_rate_hz)
    heard = recogniser(asr)
    word_rows = tuple(WordMeasures(word.word, word.text_start, word.text_end, word.start_s, word.end_s,
                                   pitch.word_f0_hz(contour, word), loudness.word_energy_db(samples, sample_rate_hz, word))
                      for word in words)
    return RenderingMeasures(
        duration_s=samples.size / sample_rate_hz,
        words_per_minute=timing.words_per_minute(words),
        phones_per_s=timing.phones_per_s(words),
        pauses=timing.pauses(samples, sample_rate_hz, words),
        pitch=pitch.pitch_of(contour, text, words),
        loudness_lufs=loudness.loudness_lufs(samples, sample_rate_hz),
        intelligibility=intelligibility(text, heard.transcribe(samples, sample_rate_hz), heard.name),
        quality=quality.predicted_mos(samples, sample_rate_hz),
        words=word_rows, contour=contour, noise=noise)
