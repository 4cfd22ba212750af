"""Measures as plain data: the JSON object the API and the named API return, and table rows.

One shape for every surface, so `POST /v1/evaluate`, Gradio's `/evaluate` and the CLI's
metrics.csv agree number for number. Boundary: no measuring, no I/O.
"""

from typing import Any, Optional

from kokoro_ui.measures.results import RenderingMeasures

NOISE_NOTE = "synthetic weights: these numbers measure noise, not speech"


def _rounded(value: Optional[float], digits: int = 4) -> Optional[float]:
    return None if value is None else round(float(value), digits)


def metrics_json(measures: RenderingMeasures) -> dict[str, Any]:
    """The `metrics` object of `POST /v1/evaluate`."""
    pitch, pauses = measures.pitch, measures.pauses
    metrics = {
        "duration_s": _rounded(measures.duration_s), "words_per_minute": _rounded(measures.words_per_minute),
        "phones_per_s": _rounded(measures.phones_per_s),
        "pauses": {"count": pauses.count, "total_s": _rounded(pauses.total_s), "longest_s": _rounded(pauses.longest_s)},
        "f0_hz": {"median": _rounded(pitch.median_hz), "p5": _rounded(pitch.p5_hz), "p95": _rounded(pitch.p95_hz)},
        "f0_range_semitones": _rounded(pitch.range_semitones),
        "final_contour_semitones": _rounded(pitch.final_contour_semitones),
        "sentences": [{"last_word": sentence.last_word, "ends_with": sentence.ends_with,
                       "final_contour_semitones": _rounded(sentence.semitones)} for sentence in pitch.sentences],
        "loudness_lufs": _rounded(measures.loudness_lufs),
        "transcript": measures.intelligibility.transcript, "wer": _rounded(measures.intelligibility.wer),
        "cer": _rounded(measures.intelligibility.cer), "asr_model": measures.intelligibility.recogniser,
        "mos": _rounded(measures.quality.mos), "mos_model": measures.quality.model,
        "words": [{"word": word.word, "start_s": _rounded(word.start_s), "end_s": _rounded(word.end_s),
                   "f0_hz": _rounded(word.f0_hz), "energy_db": _rounded(word.energy_db)} for word in measures.words]}
    if measures.noise:
        metrics["warning"] = NOISE_NOTE
    return metrics


def metrics_row(measures: RenderingMeasures) -> dict[str, Any]:
    """One table row: every scalar measure (rounded as in `metrics_json`), the transcript, and the noise flag."""
    row: dict[str, Any] = {name: _rounded(value) for name, value in measures.scalars().items()}
    row["transcript"] = measures.intelligibility.transcript
    row["noise"] = measures.noise
    return row
