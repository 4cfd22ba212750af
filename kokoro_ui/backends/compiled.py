"""``compiled``: PyTorch, its decoder swapped for an AOTInductor library once one is ready.

The decoder is ~98 % of a pass, and eager PyTorch runs its elementwise work (Snake
activations, AdaIN's instance norms) one trip through memory per operation; compiled, those
fuse (what that saves is measured in README, Performance).

The backend serves eager PyTorch at once. If no artifact for these weights, this code and this
machine is cached (`build_root`: on persistent storage where the settings name a writable one,
so a Space's restart reuses it; else beside the weights, or in `CACHE_DIR`), a child process at
the lowest CPU priority makes one (`aoti_decoder`), stopped while any visitor's pass runs
(`hold.COMPILERS`), so visitors' passes keep the cores; the next pass after it is ready uses it. Predicted durations are eager PyTorch's, bit for bit
(only the decoder is compiled), and so are the decoder's random draws; the audio differs from
eager's by float rounding only, measured when it is made (log-mel correlation, in the note).
A compile that fails (no C++ compiler, say) or measures below `MIN_LOG_MEL_CORRELATION` leaves
eager PyTorch serving, the reason in the note, and so does a pass the library refuses.

Boundary: one release's forward pass. `torch` stays the reference the fidelity tests hold.
"""

import copy
import hashlib
import json
import logging
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Optional

import kokoro
import numpy as np
import torch
from kokoro import KModel
from torch import nn

from kokoro_ui.backends import TorchBackend, aoti_decoder
from kokoro_ui.errors import WeightsError
from kokoro_ui.backends.artifacts import artifact_root, remove_stale, style_packs
from kokoro_ui.backends.hold import COMPILERS
from kokoro_ui.weights.checkpoint import weights_digest
from kokoro_ui.weights.sources import WeightSource
from kokoro_ui.weights.spec import ReleaseSpec

log = logging.getLogger(__name__)

CACHE_DIR = Path.home() / ".cache" / "kokoro_ui" / "compiled"  # where artifacts go when nowhere else will do
MIN_LOG_MEL_CORRELATION = 0.9995  # the bar; two eager seeds differ more (0.9994-0.9997)
_PREFIX = "aoti-"
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # where `-m kokoro_ui…` finds the package


class CompiledBackend(TorchBackend):
    """`TorchBackend` until the compiled decoder is ready, then with it."""

    name = "compiled"

    def __init__(self, kmodel: KModel, folder: Path):
        super().__init__(kmodel)
        self.folder = folder
        self.ready = threading.Event()  # set once the artifact is in use, or has failed
        self.note = "decoder being compiled: eager PyTorch until it is ready"
        self.compiler: Optional[subprocess.Popen] = None  # the compiling process while it runs
        self._model = kmodel

    def __call__(self, input_ids: torch.LongTensor, style: torch.Tensor, speed: float) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode():
            audio, durations = self._model.forward_with_tokens(input_ids, style, speed)
        return audio.numpy(), durations.numpy()

    def start(self, style: torch.Tensor) -> None:
        """Use the cached artifact, or make one in a child process (`style`: the check's voice row)."""
        if (self.folder / "report.json").is_file():
            try:
                self._use(self.folder)
            except Exception as error:  # a cached artifact that no longer loads: eager, and say so
                self.stay_eager("loading the compiled decoder", error)
            return
        threading.Thread(target=self._compile, args=(style,), name="compile-decoder", daemon=True).start()

    def _compile(self, style: torch.Tensor) -> None:
        staging = self.folder.with_name(f"{self.folder.name}.partial-{uuid.uuid4().hex[:8]}")
        try:
            staging.mkdir(parents=True)
            with tempfile.TemporaryDirectory() as scratch:
                model_file = Path(scratch) / "model.pt"
                torch.save({"kmodel": self.kmodel, "style": style}, model_file)
                log.info("compiled backend: compiling the decoder in a background process (a few minutes)")
                returncode, stderr = self._run_compiler(model_file, staging)
            if returncode != 0:
                last = (stderr.strip().splitlines() or ["no output"])[-1]
                raise RuntimeError(f"the compiler exited with {returncode}: {last[:200]}")
            try:
                staging.rename(self.folder)
            except OSError:  # another process finished the same artifact first: theirs is as good
                if not (self.folder / "report.json").is_file():
                    raise
            remove_stale(self.folder, _PREFIX)
            self._use(self.folder)
        except Exception as error:  # any failure leaves eager PyTorch serving
            self.stay_eager("compiling the decoder", error)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _run_compiler(self, model_file: Path, staging: Path) -> tuple[int, str]:
        """Run the compiler in a process group of its own, stopped while visitors' passes run; its exit code and stderr."""
        self.compiler = subprocess.Popen([sys.executable, "-m", "kokoro_ui.backends.aoti_decoder", str(model_file),
                                          str(staging.resolve())], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         text=True, cwd=_PACKAGE_PARENT, start_new_session=True)
        COMPILERS.add(self.compiler)
        try:
            _, stderr = self.compiler.communicate()
        finally:
            COMPILERS.discard(self.compiler)
        return self.compiler.returncode, stderr

    def stay_eager(self, doing: str, error: Exception) -> None:
        """Serve eager PyTorch from now on, saying in the note what failed and why."""
        self.note = f"{doing} failed ({type(error).__name__}: {str(error)[:200]}): eager PyTorch"
        log.warning("compiled backend: %s", self.note)
        self.ready.set()

    def _use(self, folder: Path) -> None:
        report = json.loads((folder / "report.json").read_text())
        correlation = min(report["log_mel_correlation"])
        if correlation < MIN_LOG_MEL_CORRELATION:
            self.note = (f"compiled decoder refused: log-mel correlation {correlation:.5f} against eager PyTorch, "
                         f"below {MIN_LOG_MEL_CORRELATION}: eager PyTorch")
        else:
            body = aoti_decoder.SharedLibraryBody(folder / "decoder.so")
            self._model = _with_decoder(self.kmodel, _CompiledDecoder(self.kmodel.decoder, body))
            self.note = (f"decoder compiled by AOTInductor: log-mel correlation "
                         f"{', '.join(f'{value:.5f}' for value in report['log_mel_correlation'])} against eager "
                         f"PyTorch ({'/'.join(map(str, report['check_tokens']))} tokens), durations identical")
        log.info("compiled backend: %s", self.note)
        self.ready.set()


class _CompiledDecoder(nn.Module):
    """The decoder with its middle compiled; eager where the library refuses a pass."""

    def __init__(self, decoder: nn.Module, body: aoti_decoder.SharedLibraryBody):
        super().__init__()
        self.decoder = decoder
        self.body = body

    def forward(self, asr, f0_curve, energy, style):
        generator = self.decoder.generator
        har = aoti_decoder.harmonic(generator, f0_curve)
        try:
            x = self.body(asr, f0_curve, energy, style, har)
        except (ValueError, RuntimeError) as error:
            log.warning("compiled decoder: %s; this pass runs eager", error)
            x = aoti_decoder.DecoderBody(self.decoder)(asr, f0_curve, energy, style, har)
        return aoti_decoder.finish(generator, x)


def _with_decoder(kmodel: KModel, decoder: nn.Module) -> KModel:
    """`kmodel` with another decoder: the same parameters, nothing copied; `kmodel` is unchanged."""
    twin = copy.copy(kmodel)
    twin._modules = {**kmodel._modules, "decoder": decoder}
    return twin


def compiled_backend(kmodel: KModel, spec: ReleaseSpec, source: WeightSource, cache_dir: Optional[Path] = None,
                     persistent_dir: Optional[Path] = None) -> CompiledBackend:
    """The release's compiled backend, its artifact started (or loaded from the cache).

    `persistent_dir`: writable persistent storage, if any (`BackendChoice`); `cache_dir` replaces
    every default location (tests use it).
    """
    root = artifact_root(spec, source, CACHE_DIR, cache_dir) if cache_dir else build_root(spec, source, persistent_dir)
    backend = CompiledBackend(kmodel, root / f"{_PREFIX}{artifact_key(kmodel)[:24]}")
    try:
        (pack,) = style_packs(spec, source, 1)
    except WeightsError as error:  # nothing to check an artifact with: the release still speaks, eagerly
        backend.stay_eager("checking the compiled decoder", error)
        return backend
    backend.start(pack[min(50, len(pack) - 1)].reshape(1, -1))
    return backend


def build_root(spec: ReleaseSpec, source: WeightSource, persistent_dir: Optional[Path]) -> Path:
    """Where a release's compiled decoders are kept: under `persistent_dir` when there is one, so a
    restart that wipes everything else (a Space's) reuses them; else beside the weights or in `CACHE_DIR`."""
    if persistent_dir is not None:
        return Path(persistent_dir) / "kokoro_ui" / "compiled" / spec.folder
    return artifact_root(spec, source, CACHE_DIR)


def artifact_key(kmodel: KModel) -> str:
    """A digest of what an artifact depends on: weights, the artifact's code, library versions, the CPU it targets."""
    digest = hashlib.sha256()
    for part in (kokoro.__version__, torch.__version__, platform.machine(), torch.backends.cpu.get_cpu_capability()):
        digest.update(f"{part}\n".encode())
    digest.update(Path(aoti_decoder.__file__).read_bytes())
    digest.update(weights_digest(kmodel).encode())
    return digest.hexdigest()
