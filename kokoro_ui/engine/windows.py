"""Decode one forward pass window by window, at the whole pass's prosody.

Job: for one chunk, run the text side and the predictor once (durations, pitch and energy of
the whole pass), make the decoder's harmonic source once for the whole chunk (it draws the
pass's random numbers, so the draws are a whole pass's), then run the decoder over windows of
frames and hand out each window's audio as soon as it is decoded. Durations, and so the length
to the sample, are the whole pass's exactly.

What is not exact: the decoder's AdaIN layers normalise over the whole time axis, and a window
sees only its own frames. Each window here normalises with statistics pooled over every frame
decoded so far in the chunk (its own included), layer by layer, the frames still to come
standing in with an earlier pass's statistics in the same voice (`PooledNorms`), so the
estimate converges on the whole pass's as the windows go. Each window is decoded with `CONTEXT_FRAMES`
of its neighbours on either side (the convolutions' reach), and consecutive windows are
crossfaded over `CROSSFADE_SAMPLES`, so no seam steps. The decoder's layers are called as
kokoro 0.9.4's `Decoder.forward` calls them (`backends.aoti_decoder.DecoderBody`), with the
normalisation swapped; a test holds one window over a whole pass to that pass.

Boundary: one pass's tensors in, audio windows out, eager PyTorch. Which surfaces stream
windows, the forward gate and the backends are `engine.release`'s.
"""

import time
from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np
import torch
import torch.nn.functional as F
from kokoro import KModel
from torch import nn

from kokoro_ui.backends.aoti_decoder import finish, harmonic
from kokoro_ui.backends.onnx_export import PredictorHalf
from kokoro_ui.engine.chunk import SAMPLES_PER_FRAME

FIRST_FRAMES = 40  # the first window: 1 s of audio, so first audio waits for the predictor and this
GROWTH = 2  # each next window is this many times as long as the one before...
MOST_FRAMES = 320  # ...up to this (8 s): long windows cost less context, short ones come sooner
CONTEXT_FRAMES = 12  # decoded on either side of a window and thrown away: the convolutions' reach
CROSSFADE_SAMPLES = 480  # 20 ms, where one window's audio hands over to the next's


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


Statistics = dict[int, tuple[torch.Tensor, torch.Tensor]]  # AdaIN layer -> per channel: mean, mean of squares


def decode(decoder: nn.Module, prosody: Prosody, norms: "PooledNorms") -> Iterator[DecodedWindow]:
    """The pass's audio, window after window; concatenated, exactly as long as the whole pass's."""
    bounds = window_bounds(prosody.frames)
    held = np.zeros(0, np.float32)  # the previous window's audio past its end, to fade out of
    cursor = 0
    for index, (start, end) in enumerate(bounds):
        started = time.perf_counter()
        audio, audio_start = _decode_window(decoder, prosody, start, end, norms)
        last = index == len(bounds) - 1
        stop = end * SAMPLES_PER_FRAME if last else end * SAMPLES_PER_FRAME - CROSSFADE_SAMPLES // 2
        piece = audio[cursor - audio_start:stop - audio_start].copy()
        if len(held):
            fade = np.linspace(0, 1, len(held) + 2, dtype=np.float32)[1:-1]
            piece[:len(held)] = held * (1 - fade) + piece[:len(held)] * fade
        held = audio[stop - audio_start:stop + CROSSFADE_SAMPLES - audio_start]
        yield DecodedWindow(index, cursor, piece, time.perf_counter() - started, last)
        cursor = stop


def _decode_window(decoder: nn.Module, prosody: Prosody, start: int, end: int,
                   norms: "PooledNorms") -> tuple[np.ndarray, int]:
    """Frames [start, end) with their context decoded; the audio and the whole-pass sample it starts at."""
    first, last = max(0, start - CONTEXT_FRAMES), min(prosody.frames, end + CONTEXT_FRAMES)
    norms.cores = [(start - first, end - first)]
    with torch.inference_mode():
        x = decoder_body(decoder, *_inputs(prosody, [(first, last)]), norms)
        audio = finish(decoder.generator, x).reshape(-1).numpy()
    return audio, first * SAMPLES_PER_FRAME


def _inputs(prosody: Prosody, spans: list[tuple[int, int]]) -> tuple[torch.Tensor, ...]:
    """The decoder's inputs over `spans` of text frames, laid end to end."""
    def joined(tensor: torch.Tensor, per_frame: int, extra: int = 0) -> torch.Tensor:
        return torch.cat([tensor[..., per_frame * first:per_frame * last] for first, last in spans]
                         + [tensor[..., per_frame * spans[-1][1]:per_frame * spans[-1][1] + extra]], dim=-1)

    return (joined(prosody.aligned_text, 1), joined(prosody.f0, 2), joined(prosody.energy, 2), prosody.style,
            joined(prosody.harmonic, 120, 1))


class PooledNorms:
    """Instance normalisation whose statistics estimate the whole pass's, layer by layer.

    A layer's statistics are those of every frame of the pass decoded so far (only windows' own
    frames, `cores`, count: context counts as its own window's) and, for the frames not decoded
    yet, `prior`'s: the statistics of an earlier pass in the same voice, when there is one
    (`statistics`). Sums are kept in float64, per layer and channel.
    """

    def __init__(self, frames: int, prior: Optional[Statistics] = None):
        self.frames = frames
        self.cores: list[tuple[int, int]] = []
        self._prior = prior or {}
        self._decoded: dict[int, tuple[int, torch.Tensor, torch.Tensor]] = {}

    def statistics(self) -> Statistics:
        """Each layer's statistics over the frames decoded so far: a prior for the next pass in this voice."""
        return {key: (total / count, squares / count) for key, (count, total, squares) in self._decoded.items()}

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


def decoder_body(decoder: nn.Module, asr, f0_curve, energy, style, har, norms: PooledNorms) -> torch.Tensor:
    """`aoti_decoder.DecoderBody.forward` with `norms` in place of every AdaIN layer's own normalisation."""
    generator = decoder.generator
    f0 = decoder.F0_conv(f0_curve.unsqueeze(1))
    n = decoder.N_conv(energy.unsqueeze(1))
    x = _adain_res_block(decoder.encode, torch.cat([asr, f0, n], axis=1), style, norms, 1)
    asr_res = decoder.asr_res(asr)
    res = True
    for block in decoder.decode:
        if res:
            x = torch.cat([x, asr_res, f0, n], axis=1)
        x = _adain_res_block(block, x, style, norms, 1)
        if block.upsample_type != "none":
            res = False
    per_frame = 2
    for i in range(generator.num_upsamples):
        per_frame *= generator.ups[i].stride[0]
        x = F.leaky_relu(x, negative_slope=0.1)
        source = _adain_res_stack(generator.noise_res[i], generator.noise_convs[i](har), style, norms, per_frame)
        x = generator.ups[i](x)
        if i == generator.num_upsamples - 1:
            x = generator.reflection_pad(x)
        x = x + source
        blocks = generator.resblocks[i * generator.num_kernels:(i + 1) * generator.num_kernels]
        xs = _adain_res_stack(blocks[0], x, style, norms, per_frame)
        for block in blocks[1:]:
            xs += _adain_res_stack(block, x, style, norms, per_frame)
        x = xs / generator.num_kernels
    return generator.conv_post(F.leaky_relu(x))


def _adain_res_block(block: nn.Module, x, style, norms: PooledNorms, per_frame: int) -> torch.Tensor:
    """``AdainResBlk1d.forward`` (dropout is off in inference)."""
    out = block.pool(block.actv(norms(block.norm1, x, style, per_frame)))
    out = block.conv1(out)
    out = norms(block.norm2, out, style, per_frame * (1 if block.upsample_type == "none" else 2))
    out = block.conv2(block.actv(out))
    return (out + block._shortcut(x)) * torch.rsqrt(torch.tensor(2))


def _adain_res_stack(block: nn.Module, x, style, norms: PooledNorms, per_frame: int) -> torch.Tensor:
    """``AdaINResBlock1.forward``: Snake activations between AdaIN and dilated convolutions."""
    for c1, c2, n1, n2, a1, a2 in zip(block.convs1, block.convs2, block.adain1, block.adain2, block.alpha1, block.alpha2):
        xt = norms(n1, x, style, per_frame)
        xt = c1(xt + (1 / a1) * (torch.sin(a1 * xt) ** 2))
        xt = norms(n2, xt, style, per_frame)
        xt = c2(xt + (1 / a2) * (torch.sin(a2 * xt) ** 2))
        x = xt + x
    return x
