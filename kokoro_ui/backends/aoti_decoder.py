"""Compile a release's decoder ahead of time with AOTInductor, in a process of its own.

Why ahead of time, and why elsewhere: `torch.compile` in the serving process traces for a minute
or two while holding the GIL, and made visitors' passes 3-6x slower meanwhile (README,
Performance). Here a child process at the lowest CPU priority exports the decoder
(`torch.export`), compiles it to one shared library and checks it against eager PyTorch; the
server only loads the finished library (`kokoro_ui.backends.compiled`).

What is compiled is `DecoderBody`: the decoder without its harmonic source and without its
inverse STFT. The harmonic source draws random numbers and resamples by a float factor, which
`torch.export` cannot express for every frame count, so it stays eager (`harmonic`), and so do
its draws: a seeded pass draws exactly what eager draws. The inverse STFT is complex arithmetic
and cheap; it stays eager too (`finish`). `harmonic`, `DecoderBody` and `finish` in a row compute
exactly what ``Decoder.forward`` (kokoro 0.9.4) computes, op for op; a test holds them to it.

Run: ``python -m kokoro_ui.backends.aoti_decoder <model.pt> <folder>`` with a ``torch.save`` of
``{"kmodel": ..., "style": ...}``; it writes ``decoder.so`` and ``report.json`` into `folder`.
Boundary: model in, library and its measured fidelity out. Caching and loading are the caller's.
"""

import ctypes
import json
import os
import signal
import sys
import time
import zipfile
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F
from kokoro import KModel
from torch import nn

from kokoro_ui.backends.onnx_export import PredictorHalf
from kokoro_ui.backends.onnx_fidelity import log_mel_correlation

MAX_FRAMES = 100_000  # text frames of one pass (~40 min of speech): int32 indexing holds up to here
CHECK_TOKENS = (30, 150)
_SEED = 20250219
_PR_SET_PDEATHSIG = 1


def harmonic(generator: nn.Module, f0_curve: torch.Tensor) -> torch.Tensor:
    """The generator's harmonic source and its spectrum, as ``Generator.forward`` makes them."""
    f0 = generator.f0_upsamp(f0_curve[:, None]).transpose(1, 2)
    source, _, _ = generator.m_source(f0)
    spectrum, phase = generator.stft.transform(source.transpose(1, 2).squeeze(1))
    return torch.cat([spectrum, phase], dim=1)


def finish(generator: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The last layer's output to audio: magnitude and phase, then the inverse STFT."""
    bins = generator.post_n_fft // 2 + 1
    return generator.stft.inverse(torch.exp(x[:, :bins, :]), torch.sin(x[:, bins:, :]))


class DecoderBody(nn.Module):
    """``Decoder.forward`` from its inputs and the harmonic spectrum to the generator's last layer."""

    def __init__(self, decoder: nn.Module):
        super().__init__()
        self.decoder = decoder

    def forward(self, asr, f0_curve, energy, style, har):
        features = frame_features(self.decoder, asr, f0_curve, energy, style)
        return generator_body(self.decoder.generator, features, har, style)


def frame_features(decoder: nn.Module, asr, f0_curve, energy, style) -> torch.Tensor:
    """``Decoder.forward`` up to the generator: the layers at the text frames' rate, two steps per frame out."""
    f0 = decoder.F0_conv(f0_curve.unsqueeze(1))
    n = decoder.N_conv(energy.unsqueeze(1))
    x = decoder.encode(torch.cat([asr, f0, n], axis=1), style)
    asr_res = decoder.asr_res(asr)
    res = True
    for block in decoder.decode:
        if res:
            x = torch.cat([x, asr_res, f0, n], axis=1)
        x = block(x, style)
        if block.upsample_type != "none":
            res = False
    return x


ResidualStack = Callable[[nn.Module, torch.Tensor, int], torch.Tensor]  # (block, x, steps per text frame) -> x


def generator_body(generator: nn.Module, x: torch.Tensor, har: torch.Tensor, style: torch.Tensor,
                   stack: Optional[ResidualStack] = None) -> torch.Tensor:
    """``Generator.forward`` from its input features and harmonic spectrum to its last layer.

    `stack` runs each AdaIN residual block (`engine.windows` swaps their normalisation); by default
    the block's own forward.
    """
    stack = stack or (lambda block, x, per_frame: block(x, style))
    per_frame = 2
    for i in range(generator.num_upsamples):
        per_frame *= generator.ups[i].stride[0]
        x = F.leaky_relu(x, negative_slope=0.1)
        source = stack(generator.noise_res[i], generator.noise_convs[i](har), per_frame)
        x = generator.ups[i](x)
        if i == generator.num_upsamples - 1:
            x = generator.reflection_pad(x)
        x = x + source
        blocks = generator.resblocks[i * generator.num_kernels:(i + 1) * generator.num_kernels]
        xs = stack(blocks[0], x, per_frame)
        for block in blocks[1:]:
            xs += stack(block, x, per_frame)
        x = xs / generator.num_kernels
    return generator.conv_post(F.leaky_relu(x))


def compile_library(kmodel: KModel, style: torch.Tensor, folder: Path) -> dict:
    """Export, compile and check `kmodel`'s decoder; write ``decoder.so`` and ``report.json`` in `folder`."""
    started = time.perf_counter()
    decoder = kmodel.decoder
    with torch.no_grad():  # not inference mode: export needs ordinary tensors
        example = _features(kmodel, style, 40)
        har = harmonic(decoder.generator, example[1])
    frames = torch.export.Dim("frames", min=2, max=MAX_FRAMES)
    with torch.no_grad():
        program = torch.export.export(DecoderBody(decoder).eval(), (*example, har), dynamic_shapes=(
            {2: frames}, {1: 2 * frames}, {1: 2 * frames}, None, {2: 120 * frames + 1}))
        package = torch._inductor.aoti_compile_and_package(program, package_path=str(folder / "decoder.pt2"))
    with zipfile.ZipFile(package) as archive:
        (library,) = [name for name in archive.namelist() if name.endswith(".so")]
        (folder / "decoder.so").write_bytes(archive.read(library))
    os.unlink(package)
    compiled = SharedLibraryBody(folder / "decoder.so")
    correlations = []
    for tokens in CHECK_TOKENS:
        with torch.inference_mode():
            features = _features(kmodel, style, tokens)
            audio = []
            for body in (DecoderBody(decoder), compiled):
                with torch.random.fork_rng():
                    torch.manual_seed(_SEED)
                    x = body(*features, harmonic(decoder.generator, features[1]))
                    audio.append(finish(decoder.generator, x).reshape(-1).numpy())
        correlations.append(log_mel_correlation(*audio))
    report = {"torch": torch.__version__, "made_s": round(time.perf_counter() - started, 1),
              "check_tokens": list(CHECK_TOKENS), "log_mel_correlation": correlations}
    (folder / "report.json").write_text(json.dumps(report, indent=2))
    return report


def _features(kmodel: KModel, style: torch.Tensor, tokens: int) -> tuple[torch.Tensor, ...]:
    """The decoder's inputs for a fixed sequence of `tokens` of the release's vocabulary."""
    vocabulary = np.array(sorted(set(kmodel.vocab.values())))
    input_ids = torch.LongTensor([[0, *np.random.default_rng(_SEED).choice(vocabulary, tokens).tolist(), 0]])
    _, _, aligned, f0, energy = PredictorHalf(kmodel)(input_ids, style, torch.ones(1))
    return aligned, f0, energy, style[:, :128]


class SharedLibraryBody:
    """A compiled `DecoderBody`, called through AOTInductor's C interface.

    Through ctypes, because ctypes lets go of the GIL for the call: torch's own loader holds it
    for the whole pass, which would stop the server (its event loop, the other release) for as
    long as the decoder runs. The library owns its weights (a copy of the decoder's, ~200 MB).
    """

    def __init__(self, path: Path):
        self._library = ctypes.CDLL(str(path))
        self._container = ctypes.c_void_p()
        self._check(self._library.AOTInductorModelContainerCreateWithDevice(
            ctypes.byref(self._container), ctypes.c_size_t(1), b"cpu", None), "load")
        outputs = ctypes.c_size_t()
        self._check(self._library.AOTInductorModelContainerGetNumOutputs(self._container, ctypes.byref(outputs)),
                    "inspect")
        self._outputs = outputs.value

    def __call__(self, *inputs: torch.Tensor) -> torch.Tensor:
        if not MAX_FRAMES >= inputs[0].shape[-1] >= 2:
            raise ValueError(f"{inputs[0].shape[-1]} frames: outside the compiled range 2-{MAX_FRAMES}")
        handles = [_pointer(capsule) for capsule in torch._C._aoti.unsafe_alloc_void_ptrs_from_tensors(
            [tensor.contiguous() for tensor in inputs])]
        outputs = (ctypes.c_void_p * self._outputs)()
        # The run takes ownership of the input handles and hands out new ones for the outputs.
        self._check(self._library.AOTInductorModelContainerRun(
            self._container, (ctypes.c_void_p * len(handles))(*handles), ctypes.c_size_t(len(handles)),
            outputs, ctypes.c_size_t(self._outputs), None, None), "run")
        (x,) = torch._C._aoti.alloc_tensors_by_stealing_from_void_ptrs([_capsule(handle) for handle in outputs])
        return x

    @staticmethod
    def _check(code: int, what: str) -> None:
        if code != 0:
            raise RuntimeError(f"the compiled decoder failed to {what} (AOTInductor error {code})")


_pythonapi = ctypes.pythonapi
_pythonapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
_pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_pythonapi.PyCapsule_New.restype = ctypes.py_object
_pythonapi.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


def _pointer(capsule: object) -> int:
    return _pythonapi.PyCapsule_GetPointer(capsule, None)


def _capsule(pointer: int) -> object:
    return _pythonapi.PyCapsule_New(pointer, None, None)


def _main(model_file: str, folder: str) -> None:
    """The child: lowest priority, dies with its parent, compiles with one thread."""
    os.nice(19)
    libc = ctypes.CDLL(None)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent is already gone
        sys.exit(1)
    saved = torch.load(model_file, weights_only=False)
    compile_library(saved["kmodel"].eval(), saved["style"], Path(folder))


if __name__ == "__main__":
    os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")
    _main(*sys.argv[1:3])
