"""The decoder's STFT and inverse STFT as convolutions that export to ONNX and stay exact.

`KModel`'s decoder turns its output into audio with ``torch.istft`` (`TorchSTFT`), which the
ONNX exporter cannot express; kokoro's export-friendly `CustomSTFT` is an approximation (no
division by the window envelope, DC and Nyquist bins weighted like the others, replicate
padding), which costs about 1 dB and audible fidelity. `ExactSTFT` computes what
``torch.stft``/``torch.istft`` (``center=True``, reflect padding, one-sided, unnormalised)
compute, with plain ``conv1d``/``conv_transpose1d``:

- forward: reflect-pad by ``n_fft // 2``, one strided convolution with the windowed DFT basis;
- inverse: the inverse real DFT (DC and Nyquist counted once, the other bins twice, imaginary
  parts of DC and Nyquist ignored, as ``irfft`` does) as one transposed convolution, i.e. a
  windowed overlap-add, divided by the overlap-added squared window, then trimmed by
  ``n_fft // 2`` at both ends.

Boundary: it is a drop-in for the decoder's ``stft`` attribute, used only in a copy of the
model made for export (`kokoro_ui.backends.onnx`); it takes the live model's window,
so a release's own window (v0.19's float64 Hann) carries over.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn


class ExactSTFT(nn.Module):
    def __init__(self, window: torch.Tensor, hop_length: int):
        super().__init__()
        window = window.detach().to(torch.float64).reshape(-1)
        self.n_fft = window.numel()
        self.hop_length = hop_length
        bins = self.n_fft // 2 + 1
        k = torch.arange(bins, dtype=torch.float64)[:, None]
        n = torch.arange(self.n_fft, dtype=torch.float64)[None, :]
        cos, sin = _exact_basis(k, n, self.n_fft)
        # forward: [real; imag] of sum_n x[n] w[n] e^{-2πikn/N}  -> (2·bins, 1, n_fft)
        forward = torch.cat([cos * window, -sin * window])[:, None, :]
        # inverse: x[n] = (1/N) Σ_k c_k (Re X_k cos - Im X_k sin), c = 1 at DC and Nyquist, else 2;
        # sin is exactly 0 there, so their imaginary parts drop out as in irfft. Windowed for overlap-add.
        weight = torch.full((bins, 1), 2.0, dtype=torch.float64)
        weight[0] = 1.0
        if self.n_fft % 2 == 0:
            weight[-1] = 1.0
        inverse = torch.cat([weight * cos, -weight * sin]) * window / self.n_fft
        self.register_buffer("forward_basis", forward.float(), persistent=False)
        self.register_buffer("inverse_basis", inverse[:, None, :].float(), persistent=False)
        self.register_buffer("window_squared", (window ** 2).float()[None, None, :], persistent=False)

    def transform(self, waveform: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(batch, samples) -> magnitude and phase, each (batch, n_fft // 2 + 1, frames)."""
        pad = self.n_fft // 2
        padded = F.pad(waveform[:, None, :], (pad, pad), mode="reflect")
        real, imag = F.conv1d(padded, self.forward_basis, stride=self.hop_length).chunk(2, dim=1)
        magnitude = torch.sqrt(real * real + imag * imag)
        # torch.angle gives +π where the imaginary part is exactly zero (DC, Nyquist) and the real
        # part negative; atan2 may give -π for a negative zero.
        phase = torch.where((imag == 0) & (real < 0), torch.full_like(real, math.pi), torch.atan2(imag, real))
        return magnitude, phase

    def inverse(self, magnitude: torch.Tensor, phase: torch.Tensor) -> torch.Tensor:
        """Magnitude and phase (batch, bins, frames) -> (batch, 1, hop · (frames - 1)), as torch.istft."""
        spectrum = torch.cat([magnitude * torch.cos(phase), magnitude * torch.sin(phase)], dim=1)
        summed = F.conv_transpose1d(spectrum, self.inverse_basis, stride=self.hop_length)
        envelope = F.conv_transpose1d(torch.ones_like(magnitude[:, :1, :]), self.window_squared, stride=self.hop_length)
        pad = self.n_fft // 2
        end = summed.shape[-1] - pad
        return summed[..., pad:end] / envelope[..., pad:end]


def _exact_basis(k: torch.Tensor, n: torch.Tensor, n_fft: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of 2πkn/N with the angle reduced mod N first, so exact zeros stay exact."""
    angle = 2 * math.pi * torch.remainder(k * n, n_fft) / n_fft
    cos, sin = torch.cos(angle), torch.sin(angle)
    exact = torch.remainder(2 * k * n, n_fft) == 0  # angle is a multiple of π: sin is 0
    return cos, torch.where(exact, torch.zeros_like(sin), sin)
