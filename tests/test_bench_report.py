"""The benchmark's summary computes the ratios the performance targets are stated in."""

from dataclasses import replace

from kokoro_ui.bench.measure import (FAIR_FIRST_AUDIO_PATH, FAST_FIRST_PATH, GRADIO_ADDS_PATHS, GRADIO_CLIENT_PATH,
                                     GRADIO_SERVER_PATH, PLAYER_START_PATH, RAW_PATH, WHOLE_PATH, WINDOWS_PATH, Row,
                                     default_path)
from kokoro_ui.bench.report import format_table, summarise

FAST, WHOLE, RAW = FAST_FIRST_PATH, WHOLE_PATH, RAW_PATH


def _row(release, backend, text, path, ttfa, total, audio=10.0):
    return Row(release, backend, text, path, ttfa, ttfa, total, audio, total / audio, 2, 900.0)


ROWS = [
    _row("v1.0", "torch", "paragraph", FAST, 2.0, 9.0),
    _row("v1.0", "torch", "paragraph", WHOLE, 10.0, 10.2),
    _row("v1.0", "torch", "paragraph", RAW, 10.0, 10.0),
    _row("v0.19", "torch", "paragraph", FAST, 3.0, 8.0),
    _row("v0.19", "torch", "paragraph", WHOLE, 12.0, 8.0),
    _row("v0.19", "torch", "paragraph", RAW, 12.0, 8.4),
    _row("v1.0", "torch", "passage", FAST, 2.0, 40.0, audio=50.0),
    _row("v1.0", "torch", "passage", RAW, 20.0, 50.0, audio=50.0),
    _row("v1.0", "onnx", "paragraph", WHOLE, 7.0, 7.0),
    _row("v0.19", "onnx", "paragraph", WHOLE, 6.0, 6.0),
    _row("v1.0", "torch", "short", GRADIO_ADDS_PATHS[GRADIO_SERVER_PATH], 0.05, 0.6),
    _row("v0.19", "torch", "short", GRADIO_ADDS_PATHS[GRADIO_SERVER_PATH], 0.08, 0.7),
    _row("v1.0", "torch", "short", GRADIO_ADDS_PATHS[GRADIO_CLIENT_PATH], 0.15, 0.7),
    _row("any", "torch", "short", PLAYER_START_PATH, 0.0771, 0.1),
    _row("v1.0", "torch", "sentence50", FAIR_FIRST_AUDIO_PATH, 0.61, 0.61),
    _row("v0.19", "torch", "sentence50", FAIR_FIRST_AUDIO_PATH, 1.2345, 1.2345),
    _row("v1.0", "torch", "paragraph", FAIR_FIRST_AUDIO_PATH, 1.3, 1.3),
]


def test_ratios_take_the_worst_release_and_none_when_unmeasured():
    summary = summarise(ROWS, {"torch": 1234.4})
    assert summary["overhead_ratio"] == 1.02  # v1.0: 10.2 / 10.0 (v0.19's app was faster than its raw)
    assert summary["opt_in_fast_first_ttfa_ratio"] == 0.25  # v0.19: 3 / 12 (v1.0: 2 / 10)
    assert summary["passage_rtf_vs_kpipeline"] is None  # the default path (whole) was not timed on the passage
    assert summary["onnx_paragraph_rtf_ratio"] == 0.75  # v0.19: 6 / 8
    assert summary["onnx_int8_paragraph_rtf_ratio"] is None
    assert summary["gradio_ttfa_overhead_s"] == 0.08
    assert summary["gradio_client_ttfa_overhead_s"] == 0.15
    assert summary["gradio_player_start_s"] == 0.077
    assert summary["both_loaded_rss_mb"] == {"torch": 1234}


def test_the_headline_figures_are_the_default_path_s_whole_passes_not_fast_first():
    summary = summarise(ROWS, {}, "torch")
    assert (summary["default_path"], summary["default_backend"]) == (WHOLE, "torch")
    assert summary["default_first_audio_s"] == {"paragraph": 12.0}  # v0.19's whole passes, the later release
    assert summary["default_paragraph_rtf_ratio"] == 1.02  # v1.0 whole 10.2 / raw 10.0, not fast first's 0.9
    assert summarise(ROWS, {}, "onnx")["default_paragraph_rtf_ratio"] == 0.7  # onnx whole 7.0 / torch's raw 10.0


def test_with_an_opt_in_on_the_headline_follows_it():
    assert default_path(fast_first=False, stream_windows=False) == WHOLE
    assert default_path(fast_first=True, stream_windows=False) == FAST
    assert default_path(fast_first=True, stream_windows=True) == WINDOWS_PATH  # windows win, as in Release.stream
    summary = summarise(ROWS, {}, "torch", FAST)
    assert summary["default_paragraph_rtf_ratio"] == 0.9 and summary["passage_rtf_vs_kpipeline"] == 0.8


def test_the_default_path_s_fidelity_is_its_lowest_log_mel_r_and_its_length_ratio_farthest_from_one():
    rows = [replace(row, length_ratio=ratio, log_mel_r=r) for row, ratio, r in
            ((ROWS[1], 1.0, 1.0), (ROWS[4], 0.97, 0.9991), (ROWS[0], 1.2, None))]  # v1.0 whole, v0.19 whole, fast first
    summary = summarise(rows, {}, "torch")
    assert summary["default_log_mel_r"] == 0.9991 and summary["default_length_ratio"] == 0.97


def test_fair_first_audio_is_given_per_text_and_side():
    assert summarise(ROWS, {}, "torch")["fair_first_audio_s"] == {"sentence50": {"v1.0": 0.61, "v0.19": 1.234},
                                                                  "paragraph": {"v1.0": 1.3}}


def test_one_table_names_each_release_s_weights_every_row_the_default_and_the_fidelity_columns():
    rows = [replace(ROWS[1], length_ratio=1.0, log_mel_r=1.0), *ROWS[2:]]
    table = format_table(rows, summarise(rows, {}), {"v1.0": "packaged", "v0.19": "synthetic"})
    assert "v1.0 weights: packaged" in table and "v0.19 weights: synthetic" in table
    assert table.count("| paragraph |") == 8
    assert "| v1.0 | torch | paragraph | app, whole * | 10.000 |" in table
    assert "| v0.19 | torch | paragraph | app, fast first (opt-in) | 3.000 |" in table
    assert "| 1.000000 | 1.0000 |" in table and "length ratio | log-mel r" in table
    assert "overhead_ratio: 1.02" in table
