"""How faithful a streaming path is to the release's own whole passes, in one run.

The reference is made with a fixed seed, and so is the path's output, so where the passes are the
same the decoder's random draws are too: what differs is only how the text was cut and how the
audio was decoded. Length is compared to the sample; the log-mel correlation
(`backends.onnx_fidelity`) over the whole output and in each decoder window, when the lengths
agree (a cut the release would not make changes the length, and then there is nothing to line
up); durations against the app's own whole passes. The benchmark's reference is the release's
own code (`Build.reference`: `KPipeline` for v1.0, the bare pass per segment for v0.19).
"""

from dataclasses import dataclass
from typing import Callable, Iterator, Optional

import numpy as np
import torch

from kokoro_ui.backends.onnx_fidelity import log_mel_correlation
from kokoro_ui.engine.chunk import Chunk
from kokoro_ui.engine.release import Release

_SEED = 20251207
_SHORTEST_WINDOW_SAMPLES = 2048  # a log-mel correlation needs a few of its frames
_NEAR_SEAM_SAMPLES = 2400  # 0.1 s either side of a seam: where the whole pass's own steps are looked at


@dataclass(frozen=True)
class Fidelity:
    length_ratio: float  # the path's samples / the reference's samples
    durations_identical: bool  # the same passes with the same durations as the app's whole passes
    log_mel_r: Optional[float]  # over the whole output; None when the lengths differ
    worst_window_r: float  # the lowest over the decoder windows (1.0 when decoded in whole passes)
    seam_step_ratio: float  # the worst window seam's step over the reference's own largest step within 0.1 s of it


def streamed_fidelity(release: Release, text: str, voice: str) -> Fidelity:
    """`release`'s windowed stream of `text` against its whole passes, the same random draws in both."""
    whole = seeded_stream(release, text, voice)
    return against(seeded_stream(release, text, voice, in_windows=True), joined_audio(whole), whole)


def seeded_stream(release: Release, text: str, voice: str, fast_first: bool = False,
                  in_windows: bool = False) -> list[Chunk]:
    """One of the app's paths through `release`, with the fixed seed."""
    with torch.random.fork_rng():
        torch.manual_seed(_SEED)
        return list(release.stream(text, voice, fast_first=fast_first, in_windows=in_windows))


def seeded_reference(speak: Callable[[str], Iterator[np.ndarray]], text: str) -> np.ndarray:
    """The release's own code path (`Build.reference`'s speaker) over `text`, with the fixed seed."""
    with torch.random.fork_rng():
        torch.manual_seed(_SEED)
        return np.concatenate([np.asarray(audio, dtype=np.float32).reshape(-1) for audio in speak(text)])


def joined_audio(chunks: list[Chunk]) -> np.ndarray:
    return np.concatenate([chunk.audio for chunk in chunks])


def against(streamed: list[Chunk], reference: np.ndarray, whole: list[Chunk]) -> Fidelity:
    """`streamed` (a path's chunks) against `reference` (audio) and the app's `whole` passes (durations)."""
    streamed_audio = joined_audio(streamed)
    same_length = len(streamed_audio) == len(reference)
    window_rs, seam_ratios = [1.0], [0.0]
    offset = 0
    for chunk in streamed:
        end = offset + len(chunk.audio)
        if same_length and chunk.window is not None:
            if end - offset >= _SHORTEST_WINDOW_SAMPLES:
                window_rs.append(log_mel_correlation(streamed_audio[offset:end], reference[offset:end]))
            if chunk.window.index > 0:
                near = reference[max(0, offset - _NEAR_SEAM_SAMPLES):offset + _NEAR_SEAM_SAMPLES]
                step = abs(streamed_audio[offset] - streamed_audio[offset - 1])
                seam_ratios.append(float(step / np.abs(np.diff(near)).max()))
        offset = end
    durations = [chunk.durations_frames for chunk in whole]
    streamed_durations = [chunk.durations_frames for chunk in streamed if chunk.completes_pass]
    return Fidelity(len(streamed_audio) / len(reference), durations == streamed_durations,
                    log_mel_correlation(streamed_audio, reference) if same_length else None,
                    min(window_rs), max(seam_ratios))
