"""What a release streams: one `Chunk` per forward pass of the network, or per decoder window of
one (`engine.windows`), with the written words it says."""

from dataclasses import dataclass, replace
from typing import Optional, Sequence

import numpy as np

SAMPLE_RATE_HZ = 24_000
SAMPLES_PER_FRAME = 600  # one predicted-duration frame is 25 ms of audio
MAX_TOKENS = 510  # per forward pass, plus the pad token at each end


DECODED_WHOLE = "whole passes"  # how a chunk's audio was decoded, when it is not in windows


@dataclass(frozen=True)
class Window:
    """Which part of its forward pass a windowed chunk's audio is (`engine.windows`)."""

    index: int  # 0, 1, ... within the pass
    start_sample: int  # where its audio starts in the pass's audio
    last: bool  # the pass's last window: the chunk is complete with it


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
    ``len(audio) == sum(durations_frames) * SAMPLES_PER_FRAME``. A chunk with a `window` is one
    window of such a pass: every field is the pass's except `audio` (that window's samples) and
    `model_s` (that window's decoding; the first's includes the predictor); `joined` makes the
    pass's chunk of its windows.
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
    window: Optional[Window] = None  # None: the whole pass's audio
    decoding: str = DECODED_WHOLE  # how the audio was decoded, in words a surface shows

    @property
    def completes_pass(self) -> bool:
        """A whole pass's chunk, or the last window of one: a pass's worth of counts and words is done."""
        return self.window is None or self.window.last

    @property
    def audio_s(self) -> float:
        return len(self.audio) / SAMPLE_RATE_HZ


def joined(windows: Sequence[Chunk]) -> Chunk:
    """The whole pass's chunk made of its windows, in order (a whole chunk stays as it is)."""
    if len(windows) == 1 and windows[0].window is None:
        return windows[0]
    audio = np.concatenate([window.audio for window in windows])
    return replace(windows[0], audio=audio, model_s=sum(window.model_s for window in windows), window=None)
