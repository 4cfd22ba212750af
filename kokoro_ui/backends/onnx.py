"""ONNX Runtime backends, ``onnx`` (fp32) and ``onnx-int8``: a release exported once, checked, cached.

On first use a release's `KModel` is exported (`onnx_export`: two graphs, an exact inverse
STFT, the decoder's random numbers as inputs) and checked against PyTorch (`onnx_fidelity`);
an fp32 export that predicts other durations (beyond rounding ties) or whose audio's log-mel
correlation falls below `MIN_FP32_LOG_MEL_CORRELATION` is refused. ``onnx-int8`` quantises
that export's decoder (`onnx_int8`: static, calibrated, raw-signal layers kept in fp32) and keeps
its fp32 predictor, so durations stay PyTorch's; it is labelled with its measured fidelity
instead of being refused: quantisation changes the sound by design.

Exports are cached beside the release's weights when that folder is writable (never inside
the Hugging Face cache), else under `CACHE_DIR`, in a folder named by `export_key`: a digest
of every weight, the decoder's STFT window (which a release may adapt, as v0.19 does, and
which is not in the state dict), the export code and the kokoro, torch and onnxruntime
versions. A different checkpoint, adaptation or code never reuses a stale export, and a new
export removes the stale ones beside it. A folder is complete once its fidelity JSON is
written; exports are built aside and renamed into place.

Run: the caller draws the decoder's random numbers from PyTorch's global generator exactly as
`KModel` would, so a seeded run matches the PyTorch backend's.
"""

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import kokoro
import numpy as np
import onnxruntime as ort
import torch
from kokoro import KModel

from kokoro_ui.backends import exact_stft, onnx_export, onnx_fidelity, onnx_int8
from kokoro_ui.backends.artifacts import artifact_root, remove_stale, style_packs
from kokoro_ui.weights.checkpoint import weights_digest
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.sources import WeightSource
from kokoro_ui.errors import WeightsError

log = logging.getLogger(__name__)

CACHE_DIR = Path.home() / ".cache" / "kokoro_ui" / "onnx"
FORMAT = 1  # bump when the export's files or their check change
MIN_FP32_LOG_MEL_CORRELATION = 0.999
CALIBRATION_VOICES = 4  # int8's activation ranges are taken over this many of the release's voices
# Return the arena's memory after every pass: a long pass needs a GB or more of activations, and
# an arena that kept it would hold each release at its largest pass ever (measured: no slower).
_RUN = ort.RunOptions()
_RUN.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
# (predictor, decoder, fidelity report) per quantisation. int8 quantises the decoder only: it is
# ~98 % of the compute, while the predictor is ~2 % and quantising it would change durations.
_FILES = {False: ("predictor.onnx", "decoder.onnx", "fidelity.json"),
          True: ("predictor.onnx", "decoder.int8.onnx", "fidelity.int8.json")}


@dataclass(frozen=True)
class OnnxBackend:
    """A release's forward pass in ONNX Runtime; called like `TorchBackend`."""

    name: str  # 'onnx' or 'onnx-int8'
    predictor: ort.InferenceSession
    decoder: ort.InferenceSession
    samples_per_f0_frame: int
    harmonics: int
    note: str  # what the export-time check measured against PyTorch, in words

    def __call__(self, input_ids: torch.LongTensor, style: torch.Tensor, speed: float) -> tuple[np.ndarray, np.ndarray]:
        style = style.reshape(1, -1).numpy()
        durations, _, aligned, f0, energy = self.predictor.run(None, {
            "input_ids": input_ids.numpy(), "style": style, "speed": np.array([speed], np.float32)}, _RUN)
        initial_phases, noise = onnx_export.random_draws(f0.shape[-1], self.samples_per_f0_frame, self.harmonics)
        (audio,) = self.decoder.run(None, {"aligned_text": aligned, "f0": f0, "energy": energy, "style": style,
                                           "initial_phases": initial_phases.numpy(), "noise": noise.numpy()}, _RUN)
        return audio, durations


def onnx_backend(kmodel: KModel, spec: ReleaseSpec, source: WeightSource, quantized: bool,
                 cache_dir: Optional[Path] = None) -> OnnxBackend:
    """The release's ONNX backend, exporting, quantising and checking on first use.

    `cache_dir` replaces both default locations (tests use it). `kmodel` is only read.
    """
    folder = export_folder(kmodel, spec, source, cache_dir)
    report = _ensure_fp32(kmodel, spec, source, folder)
    if quantized:
        report = _ensure_int8(kmodel, spec, source, folder)
    predictor_file, decoder_file, _ = _FILES[quantized]
    samples_per_f0_frame, harmonics = onnx_export.noise_shape(kmodel)
    return OnnxBackend("onnx-int8" if quantized else "onnx", _session(folder / predictor_file),
                       _session(folder / decoder_file), samples_per_f0_frame, harmonics, report["summary"])


def export_folder(kmodel: KModel, spec: ReleaseSpec, source: WeightSource, cache_dir: Optional[Path] = None) -> Path:
    """Where this model's export lives (whether or not it exists yet)."""
    return artifact_root(spec, source, CACHE_DIR, cache_dir) / f"onnx-{export_key(kmodel)[:24]}"


def export_key(kmodel: KModel) -> str:
    """A digest of everything an export depends on (see the module docstring)."""
    digest = hashlib.sha256()
    for part in (FORMAT, onnx_export.OPSET, kokoro.__version__, torch.__version__, ort.__version__):
        digest.update(f"{part}\n".encode())
    for module in (exact_stft, onnx_export, onnx_fidelity, onnx_int8):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(weights_digest(kmodel).encode())
    return digest.hexdigest()


def _ensure_fp32(kmodel: KModel, spec: ReleaseSpec, source: WeightSource, folder: Path) -> dict:
    predictor_file, decoder_file, report_file = _FILES[False]
    if (folder / report_file).is_file():
        return json.loads((folder / report_file).read_text())
    staging = folder.with_name(f"{folder.name}.partial-{uuid.uuid4().hex[:8]}")
    staging.mkdir(parents=True)
    try:
        started = time.perf_counter()
        log.info("Kokoro %s: exporting to ONNX (first use of this checkpoint; about a minute)", spec.version)
        onnx_export.export(kmodel, staging / predictor_file, staging / decoder_file)
        fidelity = _measure(kmodel, spec, source, staging, False)
        if fidelity.untied_duration_changes or fidelity.min_log_mel_correlation < MIN_FP32_LOG_MEL_CORRELATION:
            raise WeightsError(
                f"Kokoro {spec.version}: the ONNX export does not reproduce the PyTorch model (needs equal "
                f"durations and log-mel correlation >= {MIN_FP32_LOG_MEL_CORRELATION}): {fidelity.summary()}. "
                "Refusing it; use the torch backend."
            )
        report = _write_report(staging / report_file, spec, "onnx", fidelity, time.perf_counter() - started)
        try:
            staging.rename(folder)
        except OSError:  # another process finished the same export first: theirs is as good
            if not (folder / report_file).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    remove_stale(folder, "onnx-")
    return report


def _ensure_int8(kmodel: KModel, spec: ReleaseSpec, source: WeightSource, folder: Path) -> dict:
    _, decoder_file, report_file = _FILES[True]
    if (folder / report_file).is_file():
        return json.loads((folder / report_file).read_text())
    started = time.perf_counter()
    log.info("Kokoro %s: quantising the ONNX decoder to int8 (first use)", spec.version)
    partial = folder / f"{decoder_file}.partial-{uuid.uuid4().hex[:8]}"
    try:
        onnx_int8.quantise_decoder(kmodel, style_packs(spec, source, CALIBRATION_VOICES),
                                   folder / _FILES[False][1], partial)
        os.replace(partial, folder / decoder_file)
    finally:
        partial.unlink(missing_ok=True)
    fidelity = _measure(kmodel, spec, source, folder, True)
    return _write_report(folder / report_file, spec, "onnx-int8", fidelity, time.perf_counter() - started)


def _measure(kmodel: KModel, spec: ReleaseSpec, source: WeightSource, folder: Path,
             quantized: bool) -> onnx_fidelity.Fidelity:
    """The check, styled by the release's first voice (a real voice for real weights)."""
    predictor_file, decoder_file, _ = _FILES[quantized]
    (pack,) = style_packs(spec, source, 1)
    return onnx_fidelity.measure(kmodel, pack, _session(folder / predictor_file), _session(folder / decoder_file))


def _write_report(path: Path, spec: ReleaseSpec, backend: str, fidelity: onnx_fidelity.Fidelity, made_s: float) -> dict:
    summary = f"{backend} vs PyTorch: {fidelity.summary()}"
    report = {"release": spec.version, "backend": backend, "made_s": round(made_s, 1), "summary": summary,
              **fidelity.as_json()}
    temporary = path.with_name(path.name + f".partial-{uuid.uuid4().hex[:8]}")
    temporary.write_text(json.dumps(report, indent=2))
    os.replace(temporary, path)
    log.info("Kokoro %s: %s (made in %.0f s)", spec.version, summary, made_s)
    return report


def _session(path: Path) -> ort.InferenceSession:
    """A session that runs one pass at a time on every core this process may use.

    The target machine has 2 cores: one intra-op thread per core is all the parallelism
    there is (more only adds contention), and `Release` already serialises a release's
    passes, so inter-op parallelism stays off. Idle threads do not spin, so a session
    waiting between passes leaves the cores to the other release and the UI. Weights are not
    pre-packed: that keeps a second copy of the predictor's matrices (~17 MB a session) for
    no speed-up measurable here.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.disable_prepacking", "1")
    options.log_severity_level = 3  # warnings about unused initialisers etc. are expected
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
