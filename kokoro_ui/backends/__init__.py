"""How a forward pass is executed: PyTorch (the reference), PyTorch with a compiled decoder, or ONNX Runtime.

A backend takes the padded token ids, a style row and the speed, and returns the audio and
the per-token durations, exactly like `KModel.forward_with_tokens`. One setting chooses it
for both releases (`KOKORO_UI_BACKEND`), and `BackendChoice` carries it down with what else a
backend needs of the settings. ONNX Runtime and the compiler are imported only when asked for,
so the torch backend pays nothing for them.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol

import numpy as np
import torch
from kokoro import KModel

from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.sources import WeightSource
from kokoro_ui.errors import KokoroUIError

BACKENDS = ("torch", "compiled", "onnx", "onnx-int8")


@dataclass(frozen=True)
class BackendChoice:
    """Which backend runs forward passes, and where it may keep what it builds (from the settings)."""

    name: str = "torch"
    # writable persistent storage (a Space's /data, `KOKORO_UI_PERSISTENT_DIR`), None where there is none:
    # the compiled backend keeps its builds there, so a restart reuses them
    persistent_dir: Optional[Path] = None


class Backend(Protocol):
    name: str
    note: str  # how it differs from the reference, in words ('' for the reference itself)

    def __call__(self, input_ids: torch.LongTensor, style: torch.Tensor, speed: float) -> tuple[np.ndarray, np.ndarray]: ...


class TorchBackend:
    name = "torch"
    note = ""

    def __init__(self, kmodel: KModel):
        self.kmodel = kmodel

    def __call__(self, input_ids: torch.LongTensor, style: torch.Tensor, speed: float) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode():
            audio, durations = self.kmodel.forward_with_tokens(input_ids, style, speed)
        return audio.numpy(), durations.numpy()


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise KokoroUIError(f"Unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}.")
    return name


def make_backend(choice: BackendChoice, kmodel: KModel, spec: ReleaseSpec, source: WeightSource) -> Backend:
    """The chosen backend for a loaded (and adapted) `kmodel`; an ONNX export or a compiled decoder is made on first use."""
    if check_backend(choice.name) == "torch":
        return TorchBackend(kmodel)
    if choice.name == "compiled":
        from kokoro_ui.backends.compiled import compiled_backend

        return compiled_backend(kmodel, spec, source, persistent_dir=choice.persistent_dir)
    from kokoro_ui.backends.onnx import onnx_backend

    return onnx_backend(kmodel, spec, source, quantized=choice.name == "onnx-int8")
