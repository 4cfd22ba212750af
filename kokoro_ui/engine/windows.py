"""Decode one forward pass window by window, at the whole pass's prosody.

Job: for one chunk, run the text side and the predictor once (durations, pitch and energy of
the whole pass), make the decoder's harmonic source once for the whole chunk (it draws the
pass's random numbers, so the draws are a whole pass's), then run the decoder over windows of
frames and hand out each window's audio as soon as it is decoded. Durations, and so the length
to the sample, are the whole pass's exactly.

What is not exact: the generator's AdaIN layers normalise over the whole time axis, and a
window sees only its own frames. (The decoder's layers before the generator run at the text
frames' rate, cost about a tenth of it, and run over the whole pass at once: exact.) Each window
normalises with statistics pooled over every frame decoded so far in the chunk (its own
included), layer by layer, the frames still to come standing in with an earlier pass's
statistics (`PooledNorms`), so the estimate converges on the whole pass's as the windows go.
Each window is decoded with `CONTEXT_FRAMES` of its neighbours on either side (the convolutions'
reach), and consecutive windows are crossfaded over `CROSSFADE_SAMPLES`, so no seam steps. The
generator's layers are called as kokoro 0.9.4's `Generator.forward` calls them
(`backends.aoti_decoder.generator_body`), with the normalisation swapped; a test holds one window
over a whole pass to that pass.

Boundary: one pass's tensors in, audio windows out, eager PyTorch. Which surfaces stream
windows, the forward gate and the backends are `engine.release`'s.
"""

import time
from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np
import torch
from kokoro import KModel
from torch import nn

from kokoro_ui.backends.aoti_decoder import finish, frame_features, generator_body, harmonic
from kokoro_ui.backends.onnx_export import PredictorHalf
from kokoro_ui.engine.chunk import SAMPLES_PER_FRAME

FIRST_FRAMES = 40  # the first window: 1 s of audio, so first audio waits for the predictor and this
GROWTH = 2  # each next window is this many times as long as the one before...
MOST_FRAMES = 320  # ...up to this (8 s): long windows cost less context, short ones come sooner
CONTEXT_FRAMES = 12  # decoded on either side of a window and thrown away: the convolutions' reach
CROSSFADE_SAMPLES = 480  # 20 ms, where one window's audio hands over to the next's
HARMONIC_PER_FRAME = 120  # the harmonic source's spectrum steps per text frame (one more at the end)


@dataclass(frozen=True)
class Prosody:
    """What the decoder needs for one whole pass, made once: its inputs and its harmonic source."""

    durations_frames: tuple[int, ...]  # per token, pads included
    aligned_text: torch.Tensor  # [1, 512, frames]
    f0: torch.Tensor  # [1, 2 * frames]
    energy: torch.Tensor  # [1, 2 * frames]
    style: torch.Tensor  # the decoder's half of the style row, [1, 128]
    harmonic: torch.Tensor  # the harmonic source's spectrum, [1, 22, 120 * frames + 1]

    @property
    def frames(self) -> int:
        return self.aligned_text.shape[-1]


def predict(kmodel: KModel, input_ids: torch.LongTensor, style: torch.Tensor, speed: float) -> Prosody:
    """The text side and the predictor for the whole pass, and its harmonic source (the pass's random draws)."""
    with torch.inference_mode():
        durations, _, aligned_text, f0, energy = PredictorHalf(kmodel)(input_ids, style, torch.tensor([speed]))
        source = harmonic(kmodel.decoder.generator, f0)
    return Prosody(tuple(durations.reshape(-1).tolist()), aligned_text, f0, energy, style[:, :128], source)


def window_bounds(frames: int) -> list[tuple[int, int]]:
    """[start, end) of each window in text frames: `FIRST_FRAMES`, then growing by `GROWTH` to `MOST_FRAMES`.

    A last window shorter than half the one before is joined to it (its context would cost more than it).
    """
    bounds, start, size = [], 0, FIRST_FRAMES
    while start < frames:
        end = frames if frames - start < size * 3 // 2 else start + size
        bounds.append((start, end))
        start, size = end, min(size * GROWTH, MOST_FRAMES)
    return bounds


@dataclass(frozen=True)
class DecodedWindow:
    """Audio of one window of a pass: samples [start_sample, start_sample + len(audio)) of the whole pass's."""

    index: int
    start_sample: int
    audio: np.ndarray  # float32
    decode_s: float
    last: bool


@dataclass(frozen=True)
class Statistics:
    """Each AdaIN layer's per-channel mean and mean of squares, over `frames` text frames of a voice's passes."""

    frames: int
    layers: dict[int, tuple[torch.Tensor, torch.Tensor]]

    def pooled(self, other: "Statistics") -> "Statistics":
        """Both together, each weighted by its frames: a voice's prior grows with every windowed pass
        (so a short pass, whose statistics are far from a long one's, cannot replace it)."""
        frames = self.frames + other.frames
        return Statistics(frames, {key: tuple((self.frames * mine + other.frames * theirs) / frames
                                              for mine, theirs in zip(self.layers[key], other.layers[key]))
                                   for key in self.layers.keys() & other.layers.keys()})


def decode(decoder: nn.Module, prosody: Prosody, norms: "PooledNorms") -> Iterator[DecodedWindow]:
    """The pass's audio, window after window; concatenated, exactly as long as the whole pass's.

    The decoder's layers at the text frames' rate are cheap (about a tenth of it) and run over the
    whole pass first, as the pass runs them (their statistics are exact); only the generator runs
    window by window.
    """
    bounds = window_bounds(prosody.frames)
    with torch.inference_mode():
        features = frame_features(decoder, prosody.aligned_text, prosody.f0, prosody.energy, prosody.style)
    held = np.zeros(0, np.float32)  # the previous window's audio past its end, to fade out of
    cursor = 0
    for index, (start, end) in enumerate(bounds):
        started = time.perf_counter()
        audio, audio_start = _decode_window(decoder.generator, prosody, features, start, end, norms)
        last = index == len(bounds) - 1
        stop = end * SAMPLES_PER_FRAME if last else end * SAMPLES_PER_FRAME - CROSSFADE_SAMPLES // 2
        piece = audio[cursor - audio_start:stop - audio_start].copy()
        if len(held):
            fade = np.linspace(0, 1, len(held) + 2, dtype=np.float32)[1:-1]
            piece[:len(held)] = held * (1 - fade) + piece[:len(held)] * fade
        held = audio[stop - audio_start:stop + CROSSFADE_SAMPLES - audio_start]
        yield DecodedWindow(index, cursor, piece, time.perf_counter() - started, last)
        cursor = stop


def _decode_window(generator: nn.Module, prosody: Prosody, features: torch.Tensor, start: int, end: int,
                   norms: "PooledNorms") -> tuple[np.ndarray, int]:
    """Frames [start, end) with their context decoded; the audio and the whole-pass sample it starts at."""
    first, last = max(0, start - CONTEXT_FRAMES), min(prosody.frames, end + CONTEXT_FRAMES)
    norms.cores = [(start - first, end - first)]
    with torch.inference_mode():
        x = generator_in_windows(generator, features[..., 2 * first:2 * last],
                                 prosody.harmonic[..., HARMONIC_PER_FRAME * first:HARMONIC_PER_FRAME * last + 1],
                                 prosody.style, norms)
        audio = finish(generator, x).reshape(-1).numpy()
    return audio, first * SAMPLES_PER_FRAME


class PooledNorms:
    """Instance normalisation whose statistics estimate the whole pass's, layer by layer.

    A layer's statistics are those of every frame of the pass decoded so far (only windows' own
    frames, `cores`, count: context counts as its own window's) and, for the frames not decoded
    yet, `prior`'s: the statistics of the voice's earlier passes, when there are some
    (`statistics`). Sums are kept in float64, per layer and channel.
    """

    def __init__(self, frames: int, prior: Optional[Statistics] = None):
        self.frames = frames
        self.cores: list[tuple[int, int]] = []
        self._prior = prior.layers if prior else {}
        self._decoded: dict[int, tuple[int, torch.Tensor, torch.Tensor]] = {}

    def statistics(self) -> Statistics:
        """Each layer's statistics over the frames decoded so far: a prior for the next pass in this voice."""
        return Statistics(self.frames, {key: (total / count, squares / count)
                                        for key, (count, total, squares) in self._decoded.items()})

    def __call__(self, adain: nn.Module, x: torch.Tensor, style: torch.Tensor, per_frame: int) -> torch.Tensor:
        """``AdaIN1d.forward`` (`adain`) with pooled statistics; `x` has `per_frame` steps per text frame."""
        core = torch.cat([x[..., per_frame * first:per_frame * last] for first, last in self.cores], dim=-1)
        var, mean = torch.var_mean(core, dim=-1, correction=0)
        mean, squares, steps = mean.double(), var.double() + mean.double() ** 2, core.shape[-1]
        key = id(adain)
        count, total, total_squares = self._decoded.get(key, (0, 0.0, 0.0))
        count, total, total_squares = count + steps, total + mean * steps, total_squares + squares * steps
        self._decoded[key] = (count, total, total_squares)
        rest = max(0, self.frames * per_frame - count)
        if key in self._prior and rest:
            prior_mean, prior_squares = self._prior[key]
            total, total_squares, count = total + prior_mean * rest, total_squares + prior_squares * rest, count + rest
        mean, squares = total / count, total_squares / count
        rstd = torch.rsqrt((squares - mean ** 2).clamp(min=0) + adain.norm.eps)
        gamma, beta = torch.chunk(adain.fc(style).view(1, -1, 1), chunks=2, dim=1)
        norm = adain.norm
        scale = (1 + gamma) * (rstd * norm.weight).float()[..., None]
        shift = beta + (1 + gamma) * (norm.bias - mean * rstd * norm.weight).float()[..., None]
        return torch.addcmul(shift, x, scale)


def whole_pass_statistics(decoder: nn.Module, prosody: Prosody) -> Statistics:
    """The generator's statistics over a whole pass, layer by layer (its audio is not made)."""
    norms = PooledNorms(prosody.frames)
    norms.cores = [(0, prosody.frames)]
    with torch.inference_mode():
        features = frame_features(decoder, prosody.aligned_text, prosody.f0, prosody.energy, prosody.style)
        generator_in_windows(decoder.generator, features, prosody.harmonic, prosody.style, norms)
    return norms.statistics()


def generator_in_windows(generator: nn.Module, features: torch.Tensor, har: torch.Tensor, style: torch.Tensor,
                         norms: PooledNorms) -> torch.Tensor:
    """`aoti_decoder.generator_body` with `norms` in place of every AdaIN layer's own normalisation."""
    return generator_body(generator, features, har, style,
                          lambda block, x, per_frame: _adain_res_stack(block, x, style, norms, per_frame))


def _adain_res_stack(block: nn.Module, x, style, norms: PooledNorms, per_frame: int) -> torch.Tensor:
    """``AdaINResBlock1.forward``: Snake activations between AdaIN and dilated convolutions."""
    for c1, c2, n1, n2, a1, a2 in zip(block.convs1, block.convs2, block.adain1, block.adain2, block.alpha1, block.alpha2):
        xt = norms(n1, x, style, per_frame)
        xt = c1(xt + (1 / a1) * (torch.sin(a1 * xt) ** 2))
        xt = norms(n2, xt, style, per_frame)
        xt = c2(xt + (1 / a2) * (torch.sin(a2 * xt) ** 2))
        x = xt + x
    return x
