"""`python -m kokoro_ui.bench [--quick] [--json] [--backends torch,compiled,onnx,onnx-int8] [--reps N] [--fresh-start]`

Measures, in one run and on the same inputs: fair-mode first audio of both sides of a Compare
on the default configuration (`fair`); each release through the app's streaming paths, per
backend (whole passes, the default; decoder windows and text-level fast first, both opt-in) and
through the release's own code path (the raw baseline), with each path's fidelity to the
release's own whole passes in the same table (`fidelity`: length ratio, log-mel r); RSS with both
releases loaded, per backend; what the Gradio path adds to the first audio; what word timing
costs as a share of the forward passes (`word_cost`), per release on the paragraph (--quick: the
sentence); and what a run's measures cost as a share of its synthesis and the memory of their
models (`measures_cost`, v1.0 on the same text). Prints one table, writes CSV and a PNG plot, and
summarises the ratios the targets are stated in, the default path's first. RTF here is wall
time ÷ audio seconds (end to end, as a listener sees it).

`--fresh-start` measures instead the first minutes after a start with an empty build cache
(`fresh_start`).
"""

import argparse
import json
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from kokoro_ui.bench.fair import measure_fair_first_audio
from kokoro_ui.bench.fidelity import Fidelity, against, seeded_reference, seeded_stream
from kokoro_ui.bench.fresh_start import format_fresh_start, run_fresh_start, wait_for_build
from kokoro_ui.bench.measure import (FAST_FIRST_PATH, RAW_PATH, WHOLE_PATH, WINDOWS_PATH, Row, default_path, measure,
                                     rss_mb)
from kokoro_ui.bench.measures_cost import measures_cost
from kokoro_ui.bench.report import summarise, write_csv, write_plot, format_table
from kokoro_ui.bench.texts import FAIR_TEXTS, TEXTS
from kokoro_ui.bench.word_cost import word_timing_share
from kokoro_ui.builds import BUILDS, Build
from kokoro_ui.backends import BACKENDS
from kokoro_ui.engine.release import Release
from kokoro_ui.services.manager import DEFAULT_VERSION, ModelManager
from kokoro_ui.config.settings import Settings

VOICE = "af_bella"  # in both releases
FIDELITY_FIELDS = ("length_ratio", "log_mel_r", "worst_window_r", "seam_step_ratio")
APP_PATHS = {WHOLE_PATH: (False, False), WINDOWS_PATH: (False, True), FAST_FIRST_PATH: (True, False)}  # (fast first, windows)


def main() -> int:
    args = _parser().parse_args()
    if args.rss_probe:
        return _rss_probe(args.rss_probe)
    if args.fresh_start:
        return _fresh_start(args)
    settings = Settings.from_env()
    # PyTorch backends first: they keep the model the reference is made with, which the ONNX ones' fidelity reuses
    backends = sorted(args.backends.split(","), key=lambda backend: backend.startswith("onnx"))
    rows: list[Row] = _fair_rows(settings, 2 if args.quick else 2 * args.reps)
    weights: dict[str, str] = {}
    word_shares: dict[str, float] = {}
    measures: dict[str, float] = {}
    references: dict[tuple[str, str], np.ndarray] = {}  # (release, text) -> its own whole passes, seeded
    for backend in backends:
        manager = ModelManager(replace(settings, backend=backend))
        for version, build in BUILDS.items():
            if version not in args.releases.split(","):
                continue
            release = manager.get_model(version)
            wait_for_build(release, _log)  # `compiled` is timed once its decoder is in use (eager until then)
            weights[version] = release.info.weights
            list(release.stream("Warm up.", VOICE))  # first-call costs out of the way...
            list(release.stream("Warm up.", VOICE, in_windows=True))  # ...and the voice's windows calibrated
            rows.extend(_release_rows(release, build, args, references))
            if backend == "torch":
                word_shares[version] = word_timing_share(release, TEXTS["sentence" if args.quick else "paragraph"], VOICE)
                if version == DEFAULT_VERSION:
                    measures = measures_cost(release, TEXTS["sentence" if args.quick else "paragraph"], VOICE,
                                             settings.asr)
            _log(f"{version} on {backend}: done, RSS {rss_mb():.0f} MB")
            manager.unload(version)
    if not args.quick and "torch" in backends:
        _log("the Gradio path: Compare through a server and client, against each release's own first chunk")
        from kokoro_ui.bench.gradio_path import measure_gradio_path  # Gradio's ~100 MB stays out of the RSS probe
        rows.extend(measure_gradio_path(ModelManager(replace(settings, backend="torch")), "torch", 4 * args.reps))
    memory = {} if args.quick else {backend: _loaded_rss(backend) for backend in backends}
    path = default_path(settings.fast_first, settings.stream_windows)
    summary = {**summarise(rows, memory, settings.backend, path), "word_timing_share": word_shares,
               "measures_share": measures.get("share"), "measures_cost": measures}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(rows, out / "bench.csv")
    write_plot(rows, out / "bench.png")
    if args.json:
        print(json.dumps({**summary, "rows": [asdict(row) for row in rows]}))
    else:
        print(format_table(rows, summary, weights))
    return 0


def _release_rows(release: Release, build: Build, args: argparse.Namespace,
                  references: dict[tuple[str, str], np.ndarray]) -> list[Row]:
    """Every path through `release` for each text, timed in turns, then each app path's fidelity."""
    version, backend = release.info.version, release.backend.name
    speak_raw = build.reference(release, VOICE) if release.kmodel is not None else None  # PyTorch backends
    rows = []
    for name, text in TEXTS.items():
        if name not in args.texts.split(",") or _skipped_when_quick(args.quick, version, name):
            continue
        first_only = args.quick and name != "sentence"
        reps = 1 if name == "passage" or args.quick else args.reps
        paths = {label: _app_path(release, text, *options) for label, options in APP_PATHS.items()}
        if speak_raw and not first_only:
            paths[RAW_PATH] = lambda speak=speak_raw, text=text: speak(text)
        fidelity = {}
        if not first_only:
            if speak_raw and (version, name) not in references:
                _log(f"{version}, {name}: the release's own whole passes, seeded (the fidelity reference)")
                references[version, name] = seeded_reference(speak_raw, text)
            # before the timed runs: the windows' prior has not heard this text yet, as for a visitor's new text
            fidelity = _fidelity(release, text, references.get((version, name)))
        rows.extend(replace(row, **{field: getattr(fidelity[row.path], field) for field in FIDELITY_FIELDS})
                    if row.path in fidelity else row for row in measure(version, backend, name, paths, reps, first_only))
    return rows


def _fidelity(release: Release, text: str, reference: np.ndarray | None) -> dict[str, Fidelity]:
    """Each app path's length ratio and log-mel r against `reference`, the same random draws."""
    if reference is None:
        _log(f"{release.info.version} on {release.backend.name}: no fidelity reference (run a PyTorch backend too)")
        return {}
    _log(f"{release.info.version} on {release.backend.name}: each path's fidelity to the release's own whole passes")
    whole = seeded_stream(release, text, VOICE)
    return {label: against(whole if label == WHOLE_PATH else seeded_stream(release, text, VOICE, *options),
                           reference, whole) for label, options in APP_PATHS.items()}


def _fair_rows(settings: Settings, rounds: int) -> list[Row]:
    """Both releases on the default configuration, loaded and warm, in fair-mode Compares."""
    manager = ModelManager(settings)
    for version in manager.versions():
        wait_for_build(manager.get_model(version), _log)
        list(manager.get_model(version).stream("Warm up.", VOICE, in_windows=settings.stream_windows))
    rows = measure_fair_first_audio(manager, FAIR_TEXTS, VOICE, rounds)
    for version in manager.versions():
        manager.unload(version)
    _log(f"fair mode on {settings.backend}: done")
    return rows


def _fresh_start(args: argparse.Namespace) -> int:
    _log(f"fresh start: a new process with an empty build cache, measured for {args.fresh_start_seconds:.0f} s")
    result = run_fresh_start(args.fresh_start_seconds, 2 * args.reps)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "fresh_start.json").write_text(json.dumps(asdict(result)), encoding="utf-8")
    print(json.dumps({**result.summary(), **asdict(result)}) if args.json else format_fresh_start(result))
    return 0


def _skipped_when_quick(quick: bool, version: str, text: str) -> bool:
    """--quick keeps the sentence (every path) and the default release's paragraph to first audio."""
    return quick and (text == "passage" or (text == "paragraph" and version != DEFAULT_VERSION))


def _app_path(release: Release, text: str, fast_first: bool, in_windows: bool):
    return lambda: (chunk.audio for chunk in release.stream(text, VOICE, fast_first=fast_first, in_windows=in_windows))


def _loaded_rss(backend: str) -> float:
    """RSS of a fresh process with both releases loaded on `backend` (MB)."""
    result = subprocess.run([sys.executable, "-m", "kokoro_ui.bench", "--rss-probe", backend],
                            capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def _rss_probe(backend: str) -> int:
    manager = ModelManager(replace(Settings.from_env(), backend=backend))
    for version in BUILDS:
        list(manager.get_model(version).stream("Loaded.", VOICE))
    print(f"{rss_mb():.0f}")
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kokoro_ui.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="sentence in full, v1.0's paragraph to first audio, no memory probe (about a minute)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--backends", default="torch", help=f"comma-separated, from {', '.join(BACKENDS)}")
    parser.add_argument("--texts", default=",".join(TEXTS), help=f"comma-separated, from {', '.join(TEXTS)}")
    parser.add_argument("--releases", default=",".join(BUILDS), help=f"comma-separated, from {', '.join(BUILDS)}")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions per row (passage: 1)")
    parser.add_argument("--out", default="artifacts/bench", help="folder for bench.csv and bench.png")
    parser.add_argument("--fresh-start", action="store_true",
                        help="only this: fair-mode first audio from a start with an empty build cache, on the "
                             "default backend, against the steady state once the builds are done")
    parser.add_argument("--fresh-start-seconds", type=float, default=300.0,
                        help="how long after the start --fresh-start measures (default 300)")
    parser.add_argument("--rss-probe", help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    sys.exit(main())
