"""What a release streams: one `Chunk` per forward pass of the network, with the written words it says."""

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE_HZ = 24_000
SAMPLES_PER_FRAME = 600  # one predicted-duration frame is 25 ms of audio
MAX_TOKENS = 510  # per forward pass, plus the pad token at each end


@dataclass(frozen=True)
class WordTiming:
    """One written word as spoken in one chunk; times are seconds from the chunk's start."""

    word: str  # as the user wrote it, without the punctuation around it
    phonemes: str  # what the release said for it ('' if it said nothing)
    start_s: float
    end_s: float
    text_start: int  # where the word is in the text that was spoken (character offsets)
    text_end: int

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


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
    words: tuple[WordTiming, ...] = ()  # the written words it says, in order, timed within it (`engine.words`)

    @property
    def audio_s(self) -> float:
        return len(self.audio) / SAMPLE_RATE_HZ
