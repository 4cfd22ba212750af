"""`python -m kokoro_ui evaluate`: a small categorised set through both releases (synthetic weights), its CSVs,
its report, resuming, and agreement with `POST /v1/evaluate`."""

from pathlib import Path

import pandas
import pytest

from kokoro_ui.cli import main
from kokoro_ui.evaluation.runner import MEASURE_COLUMNS, parse_pairs, VoicePair
from kokoro_ui.evaluation.test_set import CATEGORIES, load_test_set
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.measures.speaker import LABEL as SPEAKER_LABEL

TEXTS = "q1\tquestion\tIs it raining?\ns1\tstatement\tThe cat sat on the mat.\ns2\tstatement\tWe left at noon.\n"
pytestmark = pytest.mark.slow  # the command runs both releases over a set, with its own manager

DETERMINISTIC = ("duration_s", "words_per_minute", "phones_per_s")  # timings; the decoder's noise source is random


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evaluate")
    (folder / "texts.tsv").write_text(TEXTS, encoding="utf-8")
    out = folder / "out"
    args = ["evaluate", "--texts", str(folder / "texts.tsv"), "--voices", "af_bella", "--out", str(out),
            "--weights", "synthetic"]
    assert main(args) == 0
    return out, args


def test_metrics_csv_has_a_row_per_text_voice_and_release(run):
    metrics = pandas.read_csv(run[0] / "metrics.csv")
    assert len(metrics) == 6
    assert set(zip(metrics["id"], metrics["release"])) == {(i, r) for i in ("q1", "s1", "s2") for r in ("v0.19", "v1.0")}
    assert set(MEASURE_COLUMNS) <= set(metrics.columns)
    assert metrics["noise"].all()  # synthetic weights: every row says it measures noise
    assert (metrics["duration_s"] > 0).all()
    assert metrics["asr_model"].str.startswith("Whisper tiny.en").all()  # which models heard and rated each row
    assert metrics["mos_model"].str.contains("DNSMOS").all()


def test_summary_csv_pairs_the_releases_per_category(run):
    summary = pandas.read_csv(run[0] / "summary.csv")
    assert set(summary["category"]) == {"question", "statement", "all"}
    durations = summary[(summary["measure"] == "duration_s") & (summary["category"] == "all")].iloc[0]
    metrics = pandas.read_csv(run[0] / "metrics.csv").pivot(index="id", columns="release", values="duration_s")
    assert durations["pairs"] == 3
    assert durations["difference"] == pytest.approx((metrics["v1.0"] - metrics["v0.19"]).mean(), abs=1e-3)
    assert durations["ci_low"] <= durations["difference"] <= durations["ci_high"]
    assert 0 <= durations["wilcoxon_p"] <= 1


def test_pairs_csv_has_each_pairs_speaker_similarity_and_says_noise_makes_it_meaningless(run):
    pairs = pandas.read_csv(run[0] / "pairs.csv")
    assert len(pairs) == 3 and set(pairs["id"]) == {"q1", "s1", "s2"}
    assert pairs["speaker_similarity"].between(0, 1).all()
    assert pairs["speaker_model"].str.startswith("resemblyzer 0.1.4 VoiceEncoder (GE2E").all()
    assert pairs["noise"].all() and pairs["speaker_note"].str.endswith("it means nothing").all()
    summary = pandas.read_csv(run[0] / "summary.csv").set_index(["category", "measure"])
    overall = summary.loc[("all", SPEAKER_LABEL)]
    assert overall["pairs"] == 3
    assert overall["mean_between"] == pytest.approx(pairs["speaker_similarity"].mean(), abs=1e-3)
    assert overall["ci_low"] <= overall["mean_between"] <= overall["ci_high"]
    assert pandas.isna(overall["difference"]) and pandas.isna(overall["wilcoxon_p"])


def test_the_report_is_one_self_contained_page(run):
    page = (run[0] / "report.html").read_text(encoding="utf-8")
    assert page.count("<img src='data:image/png;base64,") >= 3 and "alt='" in page
    assert "src='http" not in page and "<script" not in page
    assert "synthetic weights" in page and "The cat sat on the mat." in page
    assert f"Least alike voices: {SPEAKER_LABEL}" in page and "it means nothing" in page


def test_a_rerun_resumes_without_measuring_again(run):
    out, args = run
    before = [(out / name).read_text() for name in ("metrics.csv", "pairs.csv")]
    assert main(args) == 0
    assert [(out / name).read_text() for name in ("metrics.csv", "pairs.csv")] == before


def test_a_rerun_into_a_table_of_other_columns_is_refused_before_any_pass(run, tmp_path, capsys):
    out, args = run
    (tmp_path / "metrics.csv").write_text("id,category,voice,release,text\n", encoding="utf-8")  # an older version's
    assert args[-3] == str(out)
    assert main([*args[:-3], str(tmp_path), *args[-2:]]) == 2
    assert "written with other columns" in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["audio", "metrics.csv", "words"]


def test_the_csv_agrees_with_the_http_route(run, api):
    row = pandas.read_csv(run[0] / "metrics.csv").set_index(["id", "release"]).loc[("s1", "v1.0")]
    response = api.post("/v1/evaluate", json={"input": "The cat sat on the mat.", "voice": "af_bella", "version": "v1.0"})
    metrics = response.json()["metrics"]
    for name in DETERMINISTIC:
        assert row[name] == pytest.approx(metrics[name], abs=1e-4), name


def test_the_shipped_set_has_every_category_and_stable_ids():
    sentences = load_test_set()
    assert len(sentences) == 64 and len({sentence.id for sentence in sentences}) == 64
    assert {sentence.category for sentence in sentences} == set(CATEGORIES)
    assert sentences[0].id == "q01" and sentences[0].text == "Are you coming to the party tonight?"


def test_a_malformed_line_is_named(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("q1\tquestion\tFine?\nq2 question Broken\n", encoding="utf-8")
    with pytest.raises(KokoroUIError, match="bad.tsv:2"):
        load_test_set(path)


def test_voice_pairs_are_read_as_written():
    assert parse_pairs("af_bella, af:af_heart") == [VoicePair("af_bella", "af_bella"), VoicePair("af", "af_heart")]
    with pytest.raises(KokoroUIError):
        parse_pairs(" , ")


def test_the_measures_tab_shows_a_reports_summary_and_files(run, manager):
    from kokoro_ui.ui.measures_tab import latest

    status, summary, files = latest(manager, run[0])
    assert run[0].name in status
    assert [row[0] for row in summary["value"]][:3] == ["duration_s", "words_per_minute", "phones_per_s"]
    assert [Path(path).name for path in files] == ["report.html", "summary.csv", "metrics.csv", "pairs.csv"]
    assert SPEAKER_LABEL in [row[0] for row in summary["value"]]
