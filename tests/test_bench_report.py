"""The benchmark's summary computes the ratios the performance targets are stated in."""

from kokoro_ui.bench.measure import FAIR_FIRST_AUDIO_PATH, GRADIO_ADDS_PATHS, GRADIO_CLIENT_PATH, GRADIO_SERVER_PATH, PLAYER_START_PATH, Row
from kokoro_ui.bench.report import format_table, summarise


def _row(release, backend, text, path, ttfa, total, audio=10.0):
    return Row(release, backend, text, path, ttfa, ttfa, total, audio, total / audio, 2, 900.0)


ROWS = [
    _row("v1.0", "torch", "paragraph", "app, fast first", 2.0, 9.0),
    _row("v1.0", "torch", "paragraph", "app, whole", 10.0, 10.2),
    _row("v1.0", "torch", "paragraph", "raw", 10.0, 10.0),
    _row("v0.19", "torch", "paragraph", "app, fast first", 3.0, 8.0),
    _row("v0.19", "torch", "paragraph", "app, whole", 12.0, 8.0),
    _row("v0.19", "torch", "paragraph", "raw", 12.0, 8.4),
    _row("v1.0", "torch", "passage", "app, fast first", 2.0, 40.0, audio=50.0),
    _row("v1.0", "torch", "passage", "raw", 20.0, 50.0, audio=50.0),
    _row("v1.0", "onnx", "paragraph", "app, whole", 7.0, 7.0),
    _row("v0.19", "onnx", "paragraph", "app, whole", 6.0, 6.0),
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
    assert summary["ttfa_fast_first_ratio"] == 0.25  # v0.19: 3 / 12 (v1.0: 2 / 10)
    assert summary["passage_rtf_vs_kpipeline"] == 0.8
    assert summary["onnx_paragraph_rtf_ratio"] == 0.75  # v0.19: 6 / 8
    assert summary["onnx_int8_paragraph_rtf_ratio"] is None
    assert summary["gradio_ttfa_overhead_s"] == 0.08
    assert summary["gradio_client_ttfa_overhead_s"] == 0.15
    assert summary["gradio_player_start_s"] == 0.077
    assert summary["both_loaded_rss_mb"] == {"torch": 1234}


def test_fair_first_audio_is_given_per_text_and_side_and_the_default_ratio_against_raw():
    summary = summarise(ROWS, {}, "torch")
    assert summary["fair_first_audio_s"] == {"sentence50": {"v1.0": 0.61, "v0.19": 1.234}, "paragraph": {"v1.0": 1.3}}
    assert summary["default_paragraph_rtf_ratio"] == 0.9  # v1.0 fast first 9.0 / raw 10.0
    assert summarise(ROWS, {}, "onnx")["default_paragraph_rtf_ratio"] is None  # onnx's fast first not measured


def test_the_table_names_each_release_s_weights_and_every_row():
    table = format_table(ROWS, summarise(ROWS, {}), {"v1.0": "packaged", "v0.19": "synthetic"})
    assert "v1.0 weights: packaged" in table and "v0.19 weights: synthetic" in table
    assert table.count("| paragraph |") == 9
    assert "overhead_ratio: 1.02" in table
