"""Export a release's `KModel` to ONNX: two graphs, with the decoder's random draws as inputs.

``KModel.forward_with_tokens`` draws random numbers in its decoder (the harmonic source's
initial phases and its additive noise). Left inside the graph they would become ONNX
RandomUniform/RandomNormal ops with their own generator: no two runs, and no ONNX run and
PyTorch run, could then be compared sample for sample, and on synthetic weights, whose audio
is mostly that noise, not even by their spectra. So the network is cut where the noise's
size becomes known, after the predicted durations:

- ``predictor``: token ids, style, speed -> durations, the aligned text features, F0 and energy;
- ``decoder``: those, the style, and the random draws -> audio.

The caller draws the random numbers from PyTorch's global generator, in the order and shapes
`KModel` draws them (`random_draws`), so a run matches the PyTorch backend's run from the
same seed. The decoder's ``torch.istft`` is replaced by `ExactSTFT` in a copy of the model;
the live model is never changed.

Boundary: model -> files. Loading, caching and checking the files is `kokoro_ui.backends.onnx`'s job.
"""

import copy
import warnings
from pathlib import Path
from typing import Optional

import torch
from kokoro import KModel
from torch import nn
from torch.overrides import TorchFunctionMode

from kokoro_ui.backends.exact_stft import ExactSTFT

OPSET = 17
PREDICTOR_INPUTS = ("input_ids", "style", "speed")
PREDICTOR_OUTPUTS = ("durations", "raw_durations", "aligned_text", "f0", "energy")
DECODER_INPUTS = ("aligned_text", "f0", "energy", "style", "initial_phases", "noise")


def noise_shape(kmodel: KModel) -> tuple[int, int]:
    """(audio samples per F0 frame, harmonics): the random draws' shapes follow from these."""
    generator = kmodel.decoder.generator
    return int(generator.f0_upsamp.scale_factor), int(generator.m_source.l_sin_gen.dim)


def random_draws(f0_frames: int, samples_per_f0_frame: int, harmonics: int,
                 generator: Optional[torch.Generator] = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The decoder's random numbers, drawn as `KModel`'s harmonic source draws them.

    `SineGen` draws the initial phases (``rand``, one per harmonic) and then the additive noise
    (``randn_like``, one per sample and harmonic); `SourceModuleHnNSF` then draws a noise branch
    the decoder never uses. It is drawn too, so the global generator stays in step with PyTorch's.
    `SineGen`'s sines are a transposed (harmonic-major) view, and PyTorch fills a non-contiguous
    tensor with other numbers than a contiguous one of the same shape; so the noise is drawn
    into the same layout, and handed over as (1, harmonics, samples), which is that memory.
    """
    samples = f0_frames * samples_per_f0_frame
    initial_phases = torch.rand(1, harmonics, generator=generator)
    noise = torch.empty(1, harmonics, samples).transpose(1, 2).normal_(generator=generator).transpose(1, 2)
    torch.randn(1, samples, 1, generator=generator)
    return initial_phases, noise


def export(kmodel: KModel, predictor_path: Path, decoder_path: Path) -> None:
    """Write the two graphs (opset 17, any token count) for a copy of `kmodel` with an exact iSTFT."""
    model = _export_copy(kmodel)
    input_ids = torch.LongTensor([[0, *range(1, 33), 0]])
    style = torch.zeros(1, 256)
    speed = torch.ones(1)
    predictor = PredictorHalf(model)
    with torch.no_grad():
        _, _, aligned_text, f0, energy = predictor(input_ids, style, speed)
    samples_per_f0_frame, harmonics = noise_shape(model)
    draws = (torch.zeros(1, harmonics), torch.zeros(1, harmonics, f0.shape[-1] * samples_per_f0_frame))
    with warnings.catch_warnings():
        # The tracer's notes, each reviewed: ALBERT's mask checks fold to constants (one unpadded
        # sequence, no causal mask), torch.tensor(2) is a constant, the alignment's indices are
        # never negative, LSTMs are exported for batch 1.
        warnings.simplefilter("ignore")
        _onnx_export(predictor, (input_ids, style, speed), predictor_path, PREDICTOR_INPUTS, PREDICTOR_OUTPUTS,
                     {"input_ids": {1: "tokens"}, "durations": {0: "tokens"}, "raw_durations": {0: "tokens"},
                      "aligned_text": {2: "frames"}, "f0": {1: "f0_frames"}, "energy": {1: "f0_frames"}})
        _onnx_export(DecoderHalf(model), (aligned_text, f0, energy, style, *draws), decoder_path, DECODER_INPUTS,
                     ("audio",), {"aligned_text": {2: "frames"}, "f0": {1: "f0_frames"}, "energy": {1: "f0_frames"},
                                  "noise": {2: "samples"}, "audio": {0: "samples"}})


def _onnx_export(module: nn.Module, args: tuple, path: Path, inputs, outputs, dynamic_axes: dict) -> None:
    torch.onnx.export(module.eval(), args, str(path), dynamo=False, opset_version=OPSET,
                      input_names=list(inputs), output_names=list(outputs), dynamic_axes=dynamic_axes,
                      do_constant_folding=True)


def _export_copy(kmodel: KModel) -> KModel:
    """A deep copy of `kmodel` (weight norm folded, as `load_release` leaves it) whose decoder
    inverts its spectrum with `ExactSTFT`."""
    model = copy.deepcopy(kmodel).eval()
    generator = model.decoder.generator
    generator.stft = ExactSTFT(kmodel.decoder.generator.stft.window, generator.stft.hop_length)
    return model


class PredictorHalf(nn.Module):
    """`KModel.forward_with_tokens` (kokoro 0.9.4) up to the decoder, for one unpadded sequence."""

    def __init__(self, kmodel: KModel):
        super().__init__()
        self.kmodel = kmodel

    def forward(self, input_ids, style, speed):
        model = self.kmodel
        input_lengths = torch.full((1,), input_ids.shape[-1], dtype=torch.long)
        text_mask = torch.arange(input_ids.shape[-1]).unsqueeze(0) + 1 > input_lengths.unsqueeze(1)
        bert_dur = model.bert(input_ids, attention_mask=(~text_mask).int())
        d_en = model.bert_encoder(bert_dur).transpose(-1, -2)
        s = style[:, 128:]
        d = model.predictor.text_encoder(d_en, s, input_lengths, text_mask)
        x, _ = model.predictor.lstm(d)
        raw_durations = (torch.sigmoid(model.predictor.duration_proj(x)).sum(axis=-1) / speed).reshape(-1)
        durations = torch.round(raw_durations).clamp(min=1).long()
        indices = torch.repeat_interleave(torch.arange(input_ids.shape[1]), durations)
        alignment = torch.zeros((input_ids.shape[1], indices.shape[0]))
        alignment[indices, torch.arange(indices.shape[0])] = 1
        alignment = alignment.unsqueeze(0)
        en = d.transpose(-1, -2) @ alignment
        f0, energy = model.predictor.F0Ntrain(en, s)
        aligned_text = model.text_encoder(input_ids, input_lengths, text_mask) @ alignment
        return durations, raw_durations, aligned_text, f0, energy


class DecoderHalf(nn.Module):
    """`KModel`'s decoder, its harmonic source drawing from the given random numbers."""

    def __init__(self, kmodel: KModel):
        super().__init__()
        self.decoder = kmodel.decoder

    def forward(self, aligned_text, f0, energy, style, initial_phases, noise):
        with _GivenDraws(initial_phases, noise):
            return self.decoder(aligned_text, f0, energy, style[:, :128]).reshape(-1)


class _GivenDraws(TorchFunctionMode):
    """Within it, ``torch.rand`` and ``torch.randn_like`` return the given tensors (this thread only).

    Only the harmonic source draws random numbers in the decoder: `SineGen` its initial phases
    (``rand``) and its noise (``randn_like``, one per harmonic), then `SourceModuleHnNSF` a noise
    branch with one channel that the decoder discards (zeros stand in for it). Any other draw
    means `KModel` changed: it fails here rather than become an unseeded op in the graph.
    """

    _DRAWS = {"rand", "randn", "rand_like", "randint", "randint_like", "randperm", "normal", "normal_", "uniform_",
              "bernoulli", "bernoulli_", "multinomial", "poisson", "exponential_", "random_", "geometric_"}

    def __init__(self, initial_phases: torch.Tensor, noise: torch.Tensor):
        super().__init__()
        self.initial_phases, self.noise = initial_phases, noise

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.rand:
            return self.initial_phases.clone()  # SineGen zeroes its first column in place
        if func is torch.randn_like:
            like = args[0]
            if like.shape[-1] == self.noise.shape[1]:
                return self.noise.transpose(1, 2)
            return torch.zeros_like(like)
        if getattr(func, "__name__", "") in self._DRAWS:
            raise RuntimeError(f"KModel's decoder draws random numbers with {func.__name__}, which the ONNX "
                               "export does not know how to feed; update onnx_export for this kokoro version.")
        return func(*args, **kwargs)
