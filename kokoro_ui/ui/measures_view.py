"""Compare's Measures section as HTML, and the handler that makes it after a run (no browser needed).

`measure_comparison` runs once a Compare has finished streaming (an event after the run, so it
never delays the audio): it measures both renderings (`kokoro_ui.measures`), draws them on the
word-aligned axis (`evaluation.figures`) and returns one HTML block: the two figures (alt text,
a PNG download each), the measure table with both releases side by side and notable differences
marked, and the speaker similarity of the two, the per-word table, the summary of where they differ
most, and both tables as CSV.
Boundary: presentation of measures already defined elsewhere.
"""

import base64
import html
from typing import Optional, Sequence

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.evaluation.figures import Figure, Rendering, pair_figures
from kokoro_ui.measures import compare_renderings, measure_rendering, speaker_similarity
from kokoro_ui.measures.export import (NOISE_NOTE, SPEAKER_LABEL, SPEAKER_NOISE_NOTE, comparison_rows, csv_text,
                                       word_rows)
from kokoro_ui.measures.results import SpeakerSimilarity
from kokoro_ui.outputs.word_view import RunWords
from kokoro_ui.services.manager import ModelManager

NOTABLE_SHARE = 0.10  # a difference of more than a tenth of the larger value is marked


def measure_comparison(manager: ModelManager, run_words: Optional[RunWords], text: str, left_name: str,
                       right_name: str) -> str:
    """The section's HTML for the last run (a hint where there is no finished run with both sides)."""
    if run_words is None or not len(run_words.left_audio) or not len(run_words.right_audio):
        return "<p>Measures appear here once both releases have spoken.</p>"
    sides = []
    for name, audio, words in ((left_name, run_words.left_audio, [row.left for row in run_words.rows if row.left]),
                               (right_name, run_words.right_audio, [row.right for row in run_words.rows if row.right])):
        noise = not manager.get_model(name).info.real_speech
        try:
            measures = measure_rendering(audio, SAMPLE_RATE_HZ, text, words, manager.settings.asr, noise)
        except (KokoroUIError, ValueError) as error:
            return f"<p class='kab-error'>Could not measure {html.escape(name)}: {html.escape(str(error))}</p>"
        sides.append((Rendering(name, audio, SAMPLE_RATE_HZ, words, measures.contour, measures.pitch), measures))
    try:
        speaker = speaker_similarity(run_words.left_audio, run_words.right_audio, SAMPLE_RATE_HZ, left_name, right_name)
    except KokoroUIError as error:
        return f"<p class='kab-error'>Could not compare the voices: {html.escape(str(error))}</p>"
    difference = compare_renderings(sides[0][1], sides[1][1], speaker, left_name, right_name)
    figures = pair_figures(sides[0][0], sides[1][0])
    measures_rows, words_table = comparison_rows(difference, left_name, right_name), word_rows(difference, left_name,
                                                                                               right_name)
    noisy = [name for (rendering, measures), name in zip(sides, (left_name, right_name)) if measures.noise]
    return "".join([
        f"<p class='kab-banner'>{html.escape(', '.join(noisy))}: {NOISE_NOTE}; {SPEAKER_NOISE_NOTE}.</p>"
        if noisy else "",
        _figure(figures.spectrograms, "kokoro_spectrograms.png", "measures-spectrograms"),
        _figure(figures.contours, "kokoro_f0.png", "measures-f0"),
        "<h4>Where they differ most</h4>",
        "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in difference.most_different) + "</ul>"
        if difference.most_different else "<p>No word differs by more than a quarter in length or 2 semitones.</p>",
        f"<h4>Measures</h4>{_measures_table(measures_rows, left_name, right_name, difference.speaker, bool(noisy))}",
        _download(csv_text(measures_rows), "kokoro_measures.csv", "text/csv", "Download the measures (CSV)"),
        f"<details><summary>Word by word</summary>{_table(words_table)}</details>",
        _download(csv_text(words_table), "kokoro_word_measures.csv", "text/csv", "Download the words (CSV)"),
        f"<p class='kab-note'>Speech recognition: {html.escape(sides[1][1].intelligibility.recogniser)}; quality: "
        f"{html.escape(sides[1][1].quality.model)}; speaker similarity: {html.escape(speaker.model)} "
        "(README: what each measure means and its limits).</p>"])


def _figure(figure: Figure, filename: str, elem_id: str) -> str:
    data = base64.b64encode(figure.png).decode()
    alt = html.escape(figure.alt, quote=True)
    return (f"<figure id='{elem_id}'><img src='data:image/png;base64,{data}' alt='{alt}'>"
            f"<figcaption>{alt} {_link(data, filename, 'image/png', 'Download PNG')}</figcaption></figure>")


def _download(text: str, filename: str, media_type: str, label: str) -> str:
    return f"<p>{_link(base64.b64encode(text.encode()).decode(), filename, media_type, label)}</p>"


def _link(data: str, filename: str, media_type: str, label: str) -> str:
    return f"<a download='{filename}' href='data:{media_type};base64,{data}'>{html.escape(label)}</a>"


def _measures_table(rows: Sequence[dict], left_name: str, right_name: str, speaker: SpeakerSimilarity,
                    noise: bool) -> str:
    body = []
    for row in rows:
        if row["measure"] == SPEAKER_LABEL:
            body.append(f"<tr id='measures-speaker'><td>{html.escape(SPEAKER_LABEL)}</td>"
                        f"<td colspan='3'>{html.escape(_speaker_cell(speaker, noise))}</td></tr>")
            continue
        left, right, delta = row[left_name], row[right_name], row["difference"]
        notable = delta is not None and abs(delta) > NOTABLE_SHARE * max(abs(left), abs(right), 1e-9)
        mark = "" if not notable else (" ▲" if delta > 0 else " ▼")
        body.append(f"<tr{' class=diff' if notable else ''}><td>{html.escape(row['measure'])}</td><td>{_cell(left)}</td>"
                    f"<td>{_cell(right)}</td><td>{_cell(delta)}{mark}</td></tr>")
    return (f"<div class='kab-scroll' tabindex='0' role='region' aria-label='Measures of both releases'><table><tr><th>measure</th><th>{html.escape(left_name)}</th>"
            f"<th>{html.escape(right_name)}</th><th>difference</th></tr>{''.join(body)}</table></div>")


def _speaker_cell(speaker: SpeakerSimilarity, noise: bool) -> str:
    """The similarity in words: one number for the pair, what it is, and why it is missing or means nothing."""
    if speaker.value is None:
        return speaker.note
    return (f"{speaker.value:.3f} between the two renderings (cosine of the d-vectors of their voices; 1: one voice)"
            + (": compares noise, means nothing" if noise else ""))


def _table(rows: Sequence[dict]) -> str:
    if not rows:
        return "<p>No words.</p>"
    head = "".join(f"<th>{html.escape(name)}</th>" for name in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{_cell(value)}</td>" for value in row.values()) + "</tr>" for row in rows)
    return (f"<div class='kab-scroll' tabindex='0' role='region' aria-label='Word by word measures'><table><tr>{head}</tr>"
            f"{body}</table></div>")


def _cell(value) -> str:
    return "—" if value is None else html.escape(str(value))
