"""Measures as plain data: the JSON object the API and the named API return, and table rows.

One shape for every surface (and the CSVs of a Compare's Measures section), so `POST /v1/evaluate`, Gradio's `/evaluate` and the CLI's
metrics.csv agree number for number. Boundary: no measuring, no I/O.
"""

from typing import Any, Optional

from kokoro_ui.measures.results import RenderingMeasures, RenderingsDifference, SpeakerSimilarity
from kokoro_ui.measures.speaker import LABEL as SPEAKER_LABEL

NOISE_NOTE = "synthetic weights: these numbers measure noise, not speech"
SPEAKER_NOISE_NOTE = f"the {SPEAKER_LABEL} compares noise from synthetic weights: it means nothing"


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
    """One table row: every scalar measure (rounded as in `metrics_json`), the transcript, the models that
    heard and rated it (a WER or MOS means little without them), and the noise flag."""
    row: dict[str, Any] = {name: _rounded(value) for name, value in measures.scalars().items()}
    row["transcript"] = measures.intelligibility.transcript
    row["asr_model"] = measures.intelligibility.recogniser
    row["mos_model"] = measures.quality.model
    row["noise"] = measures.noise
    return row


def comparison_rows(difference: RenderingsDifference, left_name: str, right_name: str) -> list[dict[str, Any]]:
    """One row per scalar measure: both renderings' values and right − left; last, the speaker similarity,
    one number for the pair, in the column of what lies between them (`difference`)."""
    left, right, delta = difference.left.scalars(), difference.right.scalars(), difference.differences()
    rows = [{"measure": name, left_name: _rounded(left[name]), right_name: _rounded(right[name]),
             "difference": _rounded(delta[name])} for name in left]
    rows.append({"measure": SPEAKER_LABEL, left_name: None, right_name: None,
                 "difference": _rounded(difference.speaker.value)})
    return rows


def speaker_row(similarity: SpeakerSimilarity, noise: bool) -> dict[str, Any]:
    """The speaker similarity's columns in a table of pairs: its value, its model, why it is missing, and
    whether a side was noise."""
    return {"speaker_similarity": _rounded(similarity.value), "speaker_model": similarity.model,
            "speaker_note": similarity.note or (SPEAKER_NOISE_NOTE if noise else ""), "noise": noise}


def word_rows(difference: RenderingsDifference, left_name: str, right_name: str) -> list[dict[str, Any]]:
    """One row per written word: each rendering's span, duration and F0, the duration ratio and F0 difference."""
    rows = []
    for word in difference.words:
        row: dict[str, Any] = {"word": word.word}
        for name, side in ((left_name, word.left), (right_name, word.right)):
            row.update({f"{name} start_s": _rounded(side.start_s) if side else None,
                        f"{name} duration_ms": round(side.duration_s * 1000) if side else None,
                        f"{name} f0_hz": _rounded(side.f0_hz, 1) if side else None,
                        f"{name} energy_db": _rounded(side.energy_db, 1) if side else None})
        row["duration_ratio"] = _rounded(word.duration_ratio, 3)
        row["f0_difference_semitones"] = _rounded(word.f0_difference_semitones, 2)
        rows.append(row)
    return rows


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text (empty cells for None)."""
    import csv
    import io

    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, list(rows[0]))
        writer.writeheader()
        writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in rows)
    return buffer.getvalue()
