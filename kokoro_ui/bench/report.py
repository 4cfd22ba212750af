"""The benchmark's outputs: a table, CSV, a PNG plot, and the ratios the targets are stated in."""

import csv
from dataclasses import asdict, fields
from pathlib import Path
from typing import Optional

from kokoro_ui.bench.measure import (FAIR_FIRST_AUDIO_PATH, FAST_FIRST_PATH, GRADIO_ADDS_PATHS, GRADIO_CLIENT_PATH,
                                     GRADIO_SERVER_PATH, PLAYER_START_PATH, RAW_PATH, WHOLE_PATH, WINDOWS_PATH, Row)
from kokoro_ui.bench.texts import TEXTS


def summarise(rows: list[Row], loaded_rss_mb: dict[str, float], default_backend: str = "torch",
              default_path: str = WHOLE_PATH) -> dict:
    """Target ratios; a ratio whose inputs were not measured in this run is None.

    The default configuration is `default_path` (`measure.default_path`: whole passes unless a
    setting opts in to windows or fast first) on `default_backend` (`settings.backend`); the
    `default_*` figures are its. Text-level fast first is an opt-in, and its ratio says so.
    """
    by_key = {row.key: row for row in rows}
    releases = sorted({row.release for row in rows})
    backends = sorted({row.backend for row in rows})
    texts = sorted({row.text for row in rows})

    def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
        return None if numerator is None or not denominator else round(numerator / denominator, 3)

    def present(values: list[Optional[float]]) -> list[float]:
        return [value for value in values if value is not None]

    def worst(values: list[Optional[float]]) -> Optional[float]:
        return max(present(values), default=None)

    def lowest(values: list[Optional[float]]) -> Optional[float]:
        return None if not present(values) else round(min(present(values)), 4)

    def get(release, backend, text, path, field):
        row = by_key.get((release, backend, text, path))
        return None if row is None else getattr(row, field)

    def seconds(value: Optional[float]) -> Optional[float]:
        return None if value is None else round(value, 3)

    def gradio_adds(path: str) -> Optional[float]:
        return seconds(worst([get(r, "torch", "short", GRADIO_ADDS_PATHS[path], "ttfa_median_s") for r in releases]))

    def against_raw(path: str, text: str) -> Optional[float]:
        """v1.0's RTF on `path` over raw `KPipeline`'s, raw timed in the default backend's own turns where it
        ran there (a PyTorch backend), else in torch's."""
        return ratio(get("v1.0", default_backend, text, path, "rtf"),
                     get("v1.0", default_backend, text, RAW_PATH, "rtf") or get("v1.0", "torch", text, RAW_PATH, "rtf"))

    default_rows = [row for row in rows if row.backend == default_backend and row.path == default_path]
    return {
        "default_path": default_path,
        "default_backend": default_backend,
        # the default path's first audio, worst release, per text; and its fidelity, lowest over releases and texts
        "default_first_audio_s": {text: seconds(worst([row.ttfa_median_s for row in default_rows if row.text == text]))
                                  for text in TEXTS if any(row.text == text for row in default_rows)},
        "default_log_mel_r": lowest([row.log_mel_r for row in default_rows]),
        "default_length_ratio": max(present([row.length_ratio for row in default_rows]),
                                    key=lambda length_ratio: abs(length_ratio - 1), default=None),
        "default_paragraph_rtf_ratio": against_raw(default_path, "paragraph"),
        "passage_rtf_vs_kpipeline": against_raw(default_path, "passage"),
        "fair_first_audio_s": _fair_first_audio(rows),
        "overhead_ratio": worst([ratio(get(r, "torch", t, WHOLE_PATH, "total_s"), get(r, "torch", t, RAW_PATH, "total_s"))
                                 for r in releases for t in TEXTS]),
        "onnx_paragraph_rtf_ratio": worst([ratio(get(r, "onnx", "paragraph", WHOLE_PATH, "rtf"),
                                                 get(r, "torch", "paragraph", WHOLE_PATH, "rtf")) for r in releases]),
        "onnx_int8_paragraph_rtf_ratio": worst([ratio(get(r, "onnx-int8", "paragraph", WHOLE_PATH, "rtf"),
                                                      get(r, "torch", "paragraph", WHOLE_PATH, "rtf")) for r in releases]),
        # the release's own passes streamed in decoder windows (opt-in), against the same passes streamed whole
        "windows_rtf_vs_whole": worst([ratio(get(r, b, t, WINDOWS_PATH, "rtf"), get(r, b, t, WHOLE_PATH, "rtf"))
                                       for r in releases for b in backends for t in texts]),
        "windows_paragraph_rtf_vs_kpipeline": against_raw(WINDOWS_PATH, "paragraph"),
        # text-level fast first (opt-in, a cut the release would not make): its paragraph first audio over whole passes'
        "opt_in_fast_first_ttfa_ratio": worst([ratio(get(r, "torch", "paragraph", FAST_FIRST_PATH, "ttfa_median_s"),
                                                     get(r, "torch", "paragraph", WHOLE_PATH, "ttfa_median_s"))
                                               for r in releases]),
        "gradio_ttfa_overhead_s": gradio_adds(GRADIO_SERVER_PATH),
        "gradio_client_ttfa_overhead_s": gradio_adds(GRADIO_CLIENT_PATH),
        "gradio_player_start_s": seconds(get("any", "torch", "short", PLAYER_START_PATH, "ttfa_median_s")),
        "both_loaded_rss_mb": {backend: round(mb) for backend, mb in loaded_rss_mb.items()},
    }


def _fair_first_audio(rows: list[Row]) -> dict[str, dict[str, float]]:
    """text -> release -> median seconds to its first audio in fair mode."""
    fair: dict[str, dict[str, float]] = {}
    for row in rows:
        if row.path == FAIR_FIRST_AUDIO_PATH:
            fair.setdefault(row.text, {})[row.release] = round(row.ttfa_median_s, 3)
    return fair


def format_table(rows: list[Row], summary: dict, weights: dict[str, str]) -> str:
    """One table: per release, backend, text and path, first audio, RTF, RSS and fidelity; the summary below it."""
    header = ("release", "backend", "text", "path", "TTFA med s", "TTFA p90 s", "total s", "audio s", "RTF",
              "chunks", "RSS MB", "length ratio", "log-mel r", "worst window r", "seam step ratio")
    default = summary.get("default_backend"), summary.get("default_path")
    lines = [f"{version} weights: {source}" for version, source in weights.items()]
    lines.append(f"default: {default[1]} on {default[0]} (marked *); length ratio and log-mel r: each app path's "
                 "output against the release's own whole passes (raw), the same random draws; — where not measured, "
                 "log-mel r also where the lengths differ")
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        path = f"{row.path} *" if (row.backend, row.path) == default else row.path
        cells = (row.release, row.backend, row.text, path, _num(row.ttfa_median_s), _num(row.ttfa_p90_s),
                 _num(row.total_s), _num(row.audio_s, 1), _num(row.rtf), row.chunks if row.chunks else "—",
                 f"{row.rss_mb:.0f}", _num(row.length_ratio, 6), _num(row.log_mel_r, 4), _num(row.worst_window_r, 4),
                 _num(row.seam_step_ratio, 2))
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    lines.append("")
    lines.extend(f"{name}: {value}" for name, value in summary.items())
    return "\n".join(lines)


def write_csv(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[field.name for field in fields(Row)])
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)


def write_plot(rows: list[Row], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (ttfa_axis, rtf_axis) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = [f"{row.release} {row.backend}\n{row.text}, {row.path}" for row in rows]
    positions = range(len(rows))
    ttfa_axis.barh(positions, [row.ttfa_median_s for row in rows])
    ttfa_axis.set(yticks=list(positions), yticklabels=labels, xlabel="time to first audio, median (s)")
    rtf_axis.barh(positions, [row.rtf or 0 for row in rows])
    rtf_axis.set(yticks=list(positions), yticklabels=[], xlabel="real-time factor (lower is faster)")
    for axis in (ttfa_axis, rtf_axis):
        axis.invert_yaxis()
        axis.tick_params(axis="y", labelsize=6)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _num(value: Optional[float], digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"
