"""What a build streams: one `Chunk` per forward pass of the network."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # `engine.words` builds on this module's constants
    from kokoro_ui.engine.words import WordTiming

SAMPLE_RATE_HZ = 24_000
SAMPLES_PER_FRAME = 600  # one predicted-duration frame is 25 ms of audio
MAX_TOKENS = 510  # per forward pass, plus the pad token at each end


@dataclass(frozen=True)
class Chunk:
    """One chunk of speech with everything needed to explain and time it.

    `durations_frames` covers the pad token at each end as well as `token_ids`, so
    ``len(audio) == sum(durations_frames) * SAMPLES_PER_FRAME``.
    """

    index: int
    graphemes: str
    phonemes: str
    token_ids: tuple[int, ...]
    audio: np.ndarray  # float32, mono, SAMPLE_RATE_HZ
    durations_frames: tuple[int, ...]
    frontend_s: float
    model_s: float
    model_started_at: float  # time.perf_counter() when the forward pass began: shows overlaps
    words: tuple["WordTiming", ...] = ()  # the written words it says, in order, timed within it (`engine.words`)

    @property
    def audio_s(self) -> float:
        return len(self.audio) / SAMPLE_RATE_HZ
