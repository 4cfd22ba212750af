"""Captions: a run's word timings on one clock, as Kokoro-FastAPI's timestamps, WebVTT or SRT.

Each `Chunk` times its words from its own start (`Chunk.words`, the network's predicted
durations); a run's chunks play one after the other, so a word's time in the whole audio is its
time in its chunk plus the audio of the chunks before it. Boundary: no synthesis and no audio
here; the chunks come from a release, the formats' files go to a surface.
"""

from dataclasses import dataclass
from typing import Iterable

from kokoro_ui.engine.chunk import Chunk


@dataclass(frozen=True)
class Caption:
    """One written word and when it is spoken, in seconds from the start of the whole audio."""

    word: str
    start_s: float
    end_s: float

    def as_timestamp(self) -> dict:
        """Kokoro-FastAPI's shape: `{"word", "start_time", "end_time"}`."""
        return {"word": self.word, "start_time": round(self.start_s, 3), "end_time": round(self.end_s, 3)}


def chunk_captions(chunk: Chunk, offset_s: float) -> list[Caption]:
    """`chunk`'s words, moved onto a clock on which the chunk starts at `offset_s`."""
    return [Caption(word.word, offset_s + word.start_s, offset_s + word.end_s) for word in chunk.words]


def run_captions(chunks: Iterable[Chunk]) -> list[Caption]:
    """Every word of a run's chunks, in order, on the whole audio's clock."""
    captions, offset_s = [], 0.0
    for chunk in chunks:
        captions += chunk_captions(chunk, offset_s)
        offset_s += chunk.audio_s
    return captions


def webvtt(captions: Iterable[Caption]) -> str:
    """A WebVTT file, one cue per word."""
    cues = [f"{_clock(caption.start_s, '.')} --> {_clock(caption.end_s, '.')}\n{caption.word}" for caption in captions]
    return "WEBVTT\n\n" + "".join(f"{cue}\n\n" for cue in cues)


def srt(captions: Iterable[Caption]) -> str:
    """A SubRip file, one numbered cue per word."""
    return "".join(f"{number}\n{_clock(caption.start_s, ',')} --> {_clock(caption.end_s, ',')}\n{caption.word}\n\n"
                   for number, caption in enumerate(captions, start=1))


def _clock(seconds: float, decimal: str) -> str:
    millis = round(max(0.0, seconds) * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}{decimal}{millis % 1000:03d}"
