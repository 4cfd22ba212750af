"""How close an ONNX export of a release is to the PyTorch model it was exported from.

The check runs both on three fixed token sequences (short, medium, long) of the release's
own vocabulary with a fixed style row, and compares:

- the predicted durations: equal, or different only where the rounding is a tie (the
  unrounded duration within `TIE_FRAMES` of a half frame, where float rounding decides);
- the decoder's audio, both decoders given the same aligned features (PyTorch's) and the same
  random draws: 80-band log-mel correlation, waveform correlation and level difference.

Feeding both decoders PyTorch's alignment keeps the audio comparable even where durations
differ (a tie in fp32, a quantised predictor in int8). The PyTorch side is `KModel` itself
(`onnx_export`'s predictor half and the live decoder reproduce ``forward_with_tokens`` bit for
bit from the same draws; a test holds them to that).

Boundary: numbers only. Whether they are good enough is `kokoro_ui.backends.onnx`'s decision.
"""

from dataclasses import asdict, dataclass

import numpy as np
import torch
from kokoro import KModel

from kokoro_ui.backends import onnx_export

SAMPLE_RATE_HZ = 24_000
CASE_TOKENS = (30, 150, 400)
TIE_FRAMES = 1e-3
_SEED = 20250219


@dataclass(frozen=True)
class CaseFidelity:
    tokens: int
    audio_s: float
    durations_changed: int  # tokens whose predicted duration differs from PyTorch's
    duration_ties: int  # of those, the ones at a rounding tie
    log_mel_correlation: float
    waveform_correlation: float
    level_db: float  # RMS level of the export's audio relative to PyTorch's


@dataclass(frozen=True)
class Fidelity:
    cases: tuple[CaseFidelity, ...]

    @property
    def durations_changed_pct(self) -> float:
        return 100 * sum(case.durations_changed for case in self.cases) / sum(case.tokens for case in self.cases)

    @property
    def untied_duration_changes(self) -> int:
        return sum(case.durations_changed - case.duration_ties for case in self.cases)

    @property
    def min_log_mel_correlation(self) -> float:
        return min(case.log_mel_correlation for case in self.cases)

    def summary(self) -> str:
        levels = ", ".join(f"{case.level_db:+.2f}" for case in self.cases)
        return (f"log-mel correlation {', '.join(f'{case.log_mel_correlation:.5f}' for case in self.cases)} "
                f"({'/'.join(str(case.tokens) for case in self.cases)} tokens), level {levels} dB, "
                f"durations changed {self.durations_changed_pct:.1f}% "
                f"({self.untied_duration_changes} outside rounding ties)")

    def as_json(self) -> dict:
        return {"cases": [asdict(case) for case in self.cases],
                "durations_changed_pct": self.durations_changed_pct,
                "min_log_mel_correlation": self.min_log_mel_correlation}


def measure(kmodel: KModel, style_pack: torch.Tensor, predictor, decoder) -> Fidelity:
    """Compare ONNX Runtime sessions `predictor` and `decoder` with `kmodel` on the fixed cases."""
    samples_per_f0_frame, harmonics = onnx_export.noise_shape(kmodel)
    vocabulary = np.array(sorted(set(kmodel.vocab.values())))
    rng = np.random.default_rng(_SEED)
    generator = torch.Generator().manual_seed(_SEED)
    cases = []
    for tokens in CASE_TOKENS:
        input_ids = torch.LongTensor([[0, *rng.choice(vocabulary, tokens).tolist(), 0]])
        style = style_pack[min(tokens, len(style_pack) - 1)].reshape(1, -1)
        with torch.inference_mode():
            durations, _, aligned, f0, energy = onnx_export.PredictorHalf(kmodel)(input_ids, style, torch.ones(1))
            draws = onnx_export.random_draws(f0.shape[-1], samples_per_f0_frame, harmonics, generator)
            audio = onnx_export.DecoderHalf(kmodel)(aligned, f0, energy, style, *draws).numpy()
        onnx_durations, onnx_raw, *_ = predictor.run(None, {"input_ids": input_ids.numpy(), "style": style.numpy(),
                                                            "speed": np.ones(1, np.float32)})
        (onnx_audio,) = decoder.run(None, {"aligned_text": aligned.numpy(), "f0": f0.numpy(), "energy": energy.numpy(),
                                           "style": style.numpy(), "initial_phases": draws[0].numpy(),
                                           "noise": draws[1].numpy()})
        changed = onnx_durations != durations.numpy()
        tie = np.abs(onnx_raw - (onnx_durations + durations.numpy()) / 2) <= TIE_FRAMES
        cases.append(CaseFidelity(
            tokens, round(len(audio) / SAMPLE_RATE_HZ, 3), int(changed.sum()), int((changed & tie).sum()),
            log_mel_correlation(audio, onnx_audio), float(np.corrcoef(audio, onnx_audio)[0, 1]),
            float(20 * np.log10(np.std(onnx_audio) / np.std(audio))),
        ))
    return Fidelity(tuple(cases))


def log_mel_correlation(first: np.ndarray, second: np.ndarray) -> float:
    """Pearson correlation of two equally long signals' 80-band log-mel spectrograms."""
    return float(np.corrcoef(log_mel(first).ravel(), log_mel(second).ravel())[0, 1])


def log_mel(audio: np.ndarray, n_fft: int = 1024, hop: int = 256, bands: int = 80) -> np.ndarray:
    """(frames, bands) natural-log mel power spectrogram: Hann window, HTK mel scale, 0 Hz to Nyquist."""
    padded = np.pad(np.asarray(audio, np.float64).reshape(-1), n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop] * np.hanning(n_fft + 1)[:-1]
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    to_mel = lambda hz: 2595 * np.log10(1 + hz / 700)  # noqa: E731
    edges = 700 * (10 ** (np.linspace(0, to_mel(SAMPLE_RATE_HZ / 2), bands + 2) / 2595) - 1)
    bins = np.fft.rfftfreq(n_fft, 1 / SAMPLE_RATE_HZ)[None, :]
    rising = (bins - edges[:-2, None]) / (edges[1:-1, None] - edges[:-2, None])
    falling = (edges[2:, None] - bins) / (edges[2:, None] - edges[1:-1, None])
    return np.log(power @ np.maximum(0, np.minimum(rising, falling)).T + 1e-5)
