"""How faithful a streaming path is to the release's own whole passes, in one run.

Both are made with the same seed, so the decoder's random draws are the same: what differs is
only how the audio was decoded. Length is compared to the sample, and the log-mel correlation
(`backends.onnx_fidelity`) over the whole output and in each decoder window.
"""

from dataclasses import dataclass

import numpy as np
import torch

from kokoro_ui.backends.onnx_fidelity import log_mel_correlation
from kokoro_ui.engine.chunk import Chunk
from kokoro_ui.engine.release import Release

_SEED = 20251207
_SHORTEST_WINDOW_SAMPLES = 2048  # a log-mel correlation needs a few of its frames


@dataclass(frozen=True)
class Fidelity:
    length_ratio: float  # streamed samples / whole-pass samples
    durations_identical: bool
    log_mel_r: float  # over the whole output
    worst_window_r: float  # the lowest over the decoder windows (1.0 when decoded in whole passes)
    seam_step_ratio: float  # the worst window seam's step over the whole pass's own largest step within 0.1 s of it


def streamed_fidelity(release: Release, text: str, voice: str) -> Fidelity:
    """`release`'s windowed stream of `text` against its whole passes, the same random draws in both."""
    whole = _seeded(release, text, voice, in_windows=False)
    streamed = _seeded(release, text, voice, in_windows=True)
    whole_audio = np.concatenate([chunk.audio for chunk in whole])
    streamed_audio = np.concatenate([chunk.audio for chunk in streamed])
    durations = [chunk.durations_frames for chunk in whole]
    streamed_durations = [chunk.durations_frames for chunk in streamed if chunk.completes_pass]
    window_rs, seam_ratios = [1.0], [0.0]
    offset = 0
    for chunk in streamed:
        end = offset + len(chunk.audio)
        if end - offset >= _SHORTEST_WINDOW_SAMPLES and chunk.window is not None:
            window_rs.append(log_mel_correlation(streamed_audio[offset:end], whole_audio[offset:end]))
        if chunk.window is not None and chunk.window.index > 0:
            near = whole_audio[max(0, offset - 2400):offset + 2400]
            seam_ratios.append(float(abs(streamed_audio[offset] - streamed_audio[offset - 1]) / np.abs(np.diff(near)).max()))
        offset = end
    same_length = len(streamed_audio) == len(whole_audio)
    return Fidelity(len(streamed_audio) / len(whole_audio), durations == streamed_durations,
                    log_mel_correlation(streamed_audio, whole_audio) if same_length else float("nan"),
                    min(window_rs), max(seam_ratios))


def _seeded(release: Release, text: str, voice: str, in_windows: bool) -> list[Chunk]:
    with torch.random.fork_rng():
        torch.manual_seed(_SEED)
        return list(release.stream(text, voice, fast_first=False, in_windows=in_windows))
