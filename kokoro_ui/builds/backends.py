"""How a forward pass is executed. PyTorch is the reference; an ONNX Runtime export is the
next backend to plug in here (issue #6).

A backend takes the padded token ids, a style row and the speed, and returns the audio and
the per-token durations, exactly like `KModel.forward_with_tokens`. One setting chooses it
for both releases (`KOKORO_UI_BACKEND`).
"""

from typing import Protocol

import numpy as np
import torch
from kokoro import KModel

from kokoro_ui.errors import KokoroUIError

BACKENDS = ("torch",)


class Backend(Protocol):
    name: str

    def __call__(self, input_ids: torch.LongTensor, style: torch.Tensor, speed: float) -> tuple[np.ndarray, np.ndarray]: ...


class TorchBackend:
    name = "torch"

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
