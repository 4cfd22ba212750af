"""report.html: one self-contained page (figures inlined as PNG) that reads a test-set run.

It shows the paired differences per measure (summary.csv's "all" rows, then each category's),
the distributions of the main measures for both releases, the largest differences with their
texts, the pairs whose voices are least alike (pairs.csv's speaker similarity), and the
word-aligned figures (`figures`) of the sentences whose final contours differ
most (durations, where no contour was measured). A run in which a release spoke on synthetic weights says so at the top.
Boundary: reads the rows and the saved audio and word timings; measures only the F0 contours
its figures draw.
"""

import base64
import html
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Sequence

import soundfile

from kokoro_ui.evaluation.figures import Rendering, pair_figures
from kokoro_ui.evaluation.summary import LEFT, RIGHT, SUMMARY_COLUMNS
from kokoro_ui.measures.export import SPEAKER_LABEL, SPEAKER_NOISE_NOTE
from kokoro_ui.measures.pitch import f0_contour, pitch_of
from kokoro_ui.outputs.word_view import SpokenWord

DISTRIBUTIONS = ("words_per_minute", "f0_median_hz", "f0_range_semitones", "final_contour_semitones",
                 "pause_total_s", "loudness_lufs", "wer", "mos")
LARGEST = ("final_contour_semitones", "f0_range_semitones", "words_per_minute", "wer", "mos")
SHOWN = 5  # rows per largest-difference table
FIGURED = 3  # sentences drawn
STYLE = ("body{font-family:system-ui,sans-serif;max-width:960px;margin:auto;padding:12px;line-height:1.4}"
         "table{border-collapse:collapse;font-size:14px;display:block;overflow-x:auto}"
         "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td.text,th.text{text-align:left}"
         "img{max-width:100%;height:auto}.warn{background:#fff3cd;border:1px solid #c9a227;padding:8px}")


def write_report(out: Path, rows: Sequence[dict], summary: Sequence[dict], pair_rows: Sequence[dict]) -> Path:
    noise = sorted({row["release"] for row in rows if row.get("noise") == "True"})
    parts = [f"<h1>Kokoro {LEFT} vs {RIGHT}: measures over a test set</h1>",
             f"<p>{len({row['id'] for row in rows})} texts, {len({row['voice'] for row in rows})} voice pairs, "
             f"{len(rows)} renderings; written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Differences are "
             f"{RIGHT} − {LEFT}, paired by text and voice, with a 95 % bootstrap interval and a Wilcoxon signed-rank "
             "p.</p>"]
    if noise:
        parts.append(f"<p class='warn'>{', '.join(noise)} spoke on synthetic weights: "
                     f"those numbers measure noise, not speech, and {SPEAKER_NOISE_NOTE}.</p>")
    parts += [_summary_tables(summary), _distributions(rows), _largest(rows), _least_alike(pair_rows),
              _figures(out, rows)]
    path = out / "report.html"
    path.write_text("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    "<meta name='viewport' content='width=device-width,initial-scale=1'>"
                    f"<title>Kokoro measures</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>",
                    encoding="utf-8")
    return path


def _table(header: Sequence[str], rows: Sequence[Sequence], text_columns: int = 1) -> str:
    def cell(tag: str, index: int, value) -> str:
        shown = "" if value is None or value == "" else html.escape(str(value))
        return f"<{tag}{' class=text' if index < text_columns else ''}>{shown}</{tag}>"
    head = "".join(cell("th", index, name) for index, name in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", index, value) for index, value in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _summary_tables(summary: Sequence[dict]) -> str:
    columns = SUMMARY_COLUMNS[1:]
    parts = ["<h2>All texts</h2>", _table(columns, [[row[c] for c in columns] for row in summary
                                                     if row["category"] == "all"])]
    for category in sorted({row["category"] for row in summary} - {"all"}):
        parts += [f"<details><summary>{html.escape(category)}</summary>",
                  _table(columns, [[row[c] for c in columns] for row in summary if row["category"] == category]),
                  "</details>"]
    return "".join(parts)


def _paired(rows: Sequence[dict], measure: str) -> list[tuple[dict, float, float]]:
    """(the v1.0 row, its v0.19 value, its v1.0 value) for each text and voice both releases measured."""
    left = {(row["id"], row["voice"]): row for row in rows if row["release"] == LEFT and row.get(measure)}
    return [(row, float(left[key][measure]), float(row[measure])) for row in rows
            if row["release"] == RIGHT and row.get(measure) and (key := (row["id"], row["voice"])) in left]


def _distributions(rows: Sequence[dict]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 4, figsize=(11, 5.2), dpi=90, constrained_layout=True)
    for axis, measure in zip(axes.flat, DISTRIBUTIONS):
        pairs = _paired(rows, measure)
        axis.boxplot([[pair[1] for pair in pairs], [pair[2] for pair in pairs]], tick_labels=[LEFT, RIGHT])
        axis.set_title(measure, fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    alt = (f"Box plots of {', '.join(DISTRIBUTIONS)} for Kokoro {LEFT} and {RIGHT}, one box per release, "
           "over every text and voice both releases said.")
    return f"<h2>Distributions</h2>{_img(buffer.getvalue(), alt)}"


def _largest(rows: Sequence[dict]) -> str:
    parts = ["<h2>Largest differences</h2>"]
    for measure in LARGEST:
        pairs = sorted(_paired(rows, measure), key=lambda pair: -abs(pair[2] - pair[1]))[:SHOWN]
        parts += [f"<h3>{measure}</h3>", _table(("text", "id", "voice", LEFT, RIGHT, "difference"), [
            [row["text"], row["id"], row["voice"], left, right, round(right - left, 3)] for row, left, right in pairs])]
    return "".join(parts)


def _least_alike(pair_rows: Sequence[dict]) -> str:
    """The pairs whose two renderings the speaker encoder hears as least alike (1: one voice)."""
    measured = sorted((row for row in pair_rows if row.get("speaker_similarity")),
                      key=lambda row: float(row["speaker_similarity"]))[:SHOWN]
    model = pair_rows[0]["speaker_model"] if pair_rows else ""
    return (f"<h2>Least alike voices: {html.escape(SPEAKER_LABEL)}</h2><p>{html.escape(model)}: the cosine of the two "
            "renderings' d-vectors (1: one voice; README says what it does not measure).</p>"
            + _table(("text", "id", f"{LEFT} voice", f"{RIGHT} voice", "speaker similarity", "note"),
                     [[row["text"], row["id"], row["voice"], row["voice_v1_0"], row["speaker_similarity"],
                       row["speaker_note"]] for row in measured]))


def _figures(out: Path, rows: Sequence[dict]) -> str:
    measure = "final_contour_semitones" if _paired(rows, "final_contour_semitones") else "duration_s"  # noise: no pitch
    pairs = sorted(_paired(rows, measure), key=lambda pair: -abs(pair[2] - pair[1]))[:FIGURED]
    parts = [f"<h2>The sentences whose {measure} differs most</h2>"]
    for row, _, _ in pairs:
        renderings = [_rendering(out, row, release) for release in (LEFT, RIGHT)]
        if None in renderings:
            continue
        drawn = pair_figures(*renderings)
        parts += [f"<h3>{html.escape(row['text'])} <small>({html.escape(row['id'])}, {html.escape(row['voice'])})"
                  "</small></h3>", _img(drawn.spectrograms.png, drawn.spectrograms.alt),
                  _img(drawn.contours.png, drawn.contours.alt)]
    return "".join(parts)


def _rendering(out: Path, row: dict, release: str) -> Optional[Rendering]:
    name = f"{row['id']}_{row['voice']}_{release}"
    audio_path, words_path = out / "audio" / f"{name}.wav", out / "words" / f"{name}.json"
    if not audio_path.exists() or not words_path.exists():
        return None
    audio, rate = soundfile.read(audio_path, dtype="float64")
    words = [SpokenWord(**word) for word in json.loads(words_path.read_text())]
    contour = f0_contour(audio, rate)
    return Rendering(release, audio, rate, words, contour, pitch_of(contour, row["text"], words))


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode()
    return f"<figure><img src='data:image/png;base64,{data}' alt='{html.escape(alt, quote=True)}'></figure>"
