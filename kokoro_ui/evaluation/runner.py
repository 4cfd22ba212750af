"""The test set through both releases: metrics.csv, pairs.csv, summary.csv and report.html in one folder.

Each (sentence, voice pair, release) is spoken whole and measured (`single.evaluate`), and its row
is appended to metrics.csv at once, with its audio (`audio/<key>.wav`) and word timings
(`words/<key>.json`) for the report's figures. Then each (sentence, voice pair) whose two renderings
are there gets its speaker similarity, from the saved audio, in a row of pairs.csv. A rerun into the
same folder skips the rows it already has, so a stopped run resumes where it stopped. summary.csv
and report.html are written anew at the end from every row in metrics.csv and pairs.csv.
Boundary: files and the order of work; measuring is `single`'s, statistics `summary`'s.
"""

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import soundfile

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.evaluation import report
from kokoro_ui.evaluation.single import evaluate
from kokoro_ui.evaluation.summary import LEFT, RIGHT, SUMMARY_COLUMNS, summarise, summarise_between
from kokoro_ui.evaluation.test_set import TestSentence
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.measures import speaker_similarity
from kokoro_ui.measures.export import SPEAKER_LABEL, metrics_row, speaker_row
from kokoro_ui.services.validation import validate_speech

DEFAULT_PAIRS = "af_bella,am_adam"
KEY_COLUMNS = ("id", "category", "voice", "release")
RUN_COLUMNS = ("text", "weights_kind", "synthesis_s", "measures_s")
MEASURE_COLUMNS = ("duration_s", "words_per_minute", "phones_per_s", "pause_count", "pause_total_s", "pause_longest_s",
                   "f0_median_hz", "f0_p5_hz", "f0_p95_hz", "f0_range_semitones", "final_contour_semitones",
                   "loudness_lufs", "wer", "cer", "mos")
COLUMNS = (*KEY_COLUMNS, *RUN_COLUMNS, *MEASURE_COLUMNS, "transcript", "asr_model", "mos_model", "noise")
PAIR_COLUMNS = ("id", "category", "voice", "voice_v1_0", "text", "speaker_similarity", "speaker_model", "speaker_note",
                "noise")  # noise: either release spoke on synthetic weights

Progress = Callable[[int, int, str], None]  # (done, total, what is being done now)


@dataclass(frozen=True)
class VoicePair:
    """The voice each release speaks with; a pair is named by its v0.19 voice in the files."""

    v0_19: str
    v1_0: str

    def voice(self, release: str) -> str:
        return self.v0_19 if release == LEFT else self.v1_0


def parse_pairs(text: str) -> list[VoicePair]:
    """``"af_bella,am_adam"`` (the same name on both) or ``"af:af_heart"`` (v0.19's, then v1.0's)."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        left, _, right = item.partition(":")
        pairs.append(VoicePair(left, right or left))
    if not pairs:
        raise KokoroUIError("--voices needs at least one voice pair, e.g. af_bella,am_adam or af:af_heart.")
    return pairs


def key(sentence: TestSentence, pair: VoicePair, release: str) -> str:
    return f"{sentence.id}_{pair.v0_19}_{release}"


def run_test_set(manager: ModelManager, sentences: Sequence[TestSentence], pairs: Sequence[VoicePair], out: Path,
                 progress: Progress = lambda done, total, now: None) -> Path:
    """Measure what is missing from `out`/metrics.csv, then write summary.csv and report.html; returns the report."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "audio").mkdir(exist_ok=True)
    (out / "words").mkdir(exist_ok=True)
    requests = _checked_requests(manager, sentences, pairs)  # every voice checked before the first forward pass
    metrics_path = out / "metrics.csv"
    _check_columns(metrics_path, COLUMNS)
    done = {_row_key(row) for row in read_rows(metrics_path)}
    for index, (sentence, pair, release, request) in enumerate(requests):
        progress(index, len(requests), f"{sentence.id} {pair.voice(release)} ({release})")
        if (sentence.id, pair.v0_19, release) in done:
            continue
        evaluation = evaluate(manager, request)
        name = key(sentence, pair, release)
        soundfile.write(out / "audio" / f"{name}.wav", evaluation.audio, SAMPLE_RATE_HZ, subtype="PCM_16")
        (out / "words" / f"{name}.json").write_text(json.dumps([asdict(word) for word in evaluation.words]))
        _append(metrics_path, COLUMNS, {"id": sentence.id, "category": sentence.category, "voice": pair.v0_19,
                               "release": release, "text": sentence.text, "weights_kind": evaluation.info.weights_kind,
                               "synthesis_s": round(evaluation.synthesis_s, 3),
                               "measures_s": round(evaluation.measures_s, 3), **metrics_row(evaluation.measures)})
    progress(len(requests), len(requests), "speaker similarity of each pair")
    rows = read_rows(metrics_path)
    _compare_voices(out, sentences, pairs, rows)
    progress(len(requests), len(requests), "summary and report")
    pair_rows = read_rows(out / "pairs.csv")
    _write(out / "summary.csv", SUMMARY_COLUMNS,
           summarise(rows, MEASURE_COLUMNS) + summarise_between(pair_rows, "speaker_similarity", SPEAKER_LABEL))
    return report.write_report(out, rows, read_rows(out / "summary.csv"), pair_rows)


def _compare_voices(out: Path, sentences: Sequence[TestSentence], pairs: Sequence[VoicePair], rows: list[dict]) -> None:
    """pairs.csv: the speaker similarity of each (sentence, voice pair) not in it yet, from the two saved audios."""
    path = out / "pairs.csv"
    done = {(row["id"], row["voice"]) for row in read_rows(path)}
    noise = {_row_key(row) for row in rows if row["noise"] == "True"}
    for sentence in sentences:
        for pair in pairs:
            if (sentence.id, pair.v0_19) in done:
                continue
            audio = [soundfile.read(out / "audio" / f"{key(sentence, pair, release)}.wav", dtype="float64")[0]
                     for release in (LEFT, RIGHT)]
            similarity = speaker_similarity(*audio, SAMPLE_RATE_HZ, LEFT, RIGHT)
            noisy = any((sentence.id, pair.v0_19, release) in noise for release in (LEFT, RIGHT))
            _append(path, PAIR_COLUMNS, {"id": sentence.id, "category": sentence.category, "voice": pair.v0_19,
                                         "voice_v1_0": pair.v1_0, "text": sentence.text,
                                         **speaker_row(similarity, noisy)})


def _checked_requests(manager: ModelManager, sentences: Sequence[TestSentence], pairs: Sequence[VoicePair]) -> list:
    return [(sentence, pair, release, validate_speech(manager, sentence.text, pair.voice(release), release, 1.0, None))
            for sentence in sentences for pair in pairs for release in (LEFT, RIGHT)]


def _row_key(row: dict) -> tuple[str, str, str]:
    return row["id"], row["voice"], row["release"]


def read_rows(path: Path) -> list[dict]:
    """A CSV's rows as dicts ([] if there is no file yet)."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _check_columns(path: Path, columns: Sequence[str]) -> None:
    """Refuse to resume into a table whose header is not this version's: appended rows would not line up."""
    if path.exists():
        with path.open(newline="", encoding="utf-8") as file:
            header = next(csv.reader(file), [])
        if header and tuple(header) != tuple(columns):
            raise KokoroUIError(f"{path} was written with other columns (an older version of this app): resume "
                                "into a new --out folder, or move that one aside.")


def _append(path: Path, columns: Sequence[str], row: dict) -> None:
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, columns)
        if new:
            writer.writeheader()
        writer.writerow({column: "" if row.get(column) is None else row[column] for column in columns})


def _write(path: Path, columns: Sequence[str], rows: Sequence[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        writer.writerows({column: "" if row.get(column) is None else row[column] for column in columns}
                         for row in rows)


def latest_report(out: Path) -> Optional[Path]:
    path = out / "report.html"
    return path if path.exists() else None
