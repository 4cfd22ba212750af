"""Figures of two renderings of one text on one word-aligned time axis (`aligned_axis`), as PNG.

Two figures: both renderings' log-mel spectrograms, one above the other, and both F0 contours
on one plot; each written word's span is at the same place in both, marked and labelled. Each
comes with alt text that says what it shows in numbers. Used by Compare's Measures section and
by the test-set report. Boundary: draws; measures nothing (the contours come measured).
"""

import io
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from kokoro_ui.evaluation.aligned_axis import AlignedAxis, align
from kokoro_ui.measures.results import F0Contour, Pitch
from kokoro_ui.measures.spectrogram import log_mel
from kokoro_ui.outputs.word_view import SpokenWord

WIDTH_IN, DPI = 8.0, 100
COLOURS = ("#b8560b", "#1f5fa8")  # left, right: the app's two release colours in contrast with a white page


@dataclass(frozen=True)
class Rendering:
    """What a figure needs of one rendering."""

    name: str  # e.g. "v0.19"
    audio: np.ndarray
    sample_rate_hz: int
    words: Sequence[SpokenWord]
    contour: F0Contour
    pitch: Pitch

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate_hz


@dataclass(frozen=True)
class Figure:
    png: bytes
    alt: str


@dataclass(frozen=True)
class PairFigures:
    spectrograms: Figure
    contours: Figure
    axis: AlignedAxis


def pair_figures(left: Rendering, right: Rendering) -> PairFigures:
    axis = align(left.words, right.words, len(left.audio) / left.sample_rate_hz,
                 len(right.audio) / right.sample_rate_hz)
    return PairFigures(_spectrograms(left, right, axis), _contours(left, right, axis), axis)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _spectrograms(left: Rendering, right: Rendering, axis: AlignedAxis) -> Figure:
    plt = _plt()
    figure, rows = plt.subplots(2, 1, figsize=(WIDTH_IN, 4.6), dpi=DPI, sharex=True, constrained_layout=True)
    for row, rendering, warp in ((rows[0], left, axis.left_to_shared), (rows[1], right, axis.right_to_shared)):
        mel = log_mel(rendering.audio, rendering.sample_rate_hz)
        edges = np.concatenate([mel.times_s - 0.005, [mel.times_s[-1] + 0.005]])
        row.pcolormesh(warp(edges), np.arange(len(mel.band_hz) + 1), mel.levels_db, cmap="magma", shading="flat")
        row.set_ylabel(f"{rendering.name}\nmel band")
        _mark_words(row, axis)
    rows[1].set_xlabel("word-aligned time (s, the longer rendering of each word)")
    _label_words(rows[0], axis)
    alt = (f"Log-mel spectrograms of Kokoro {left.name} (top, {left.duration_s:.1f} s) and "
           f"{right.name} (bottom, {right.duration_s:.1f} s) on one word-aligned time axis: "
           f"{_words_phrase(axis)} each at the same place in both.")
    return Figure(_png(figure), alt)


def _contours(left: Rendering, right: Rendering, axis: AlignedAxis) -> Figure:
    plt = _plt()
    figure, row = plt.subplots(figsize=(WIDTH_IN, 3.0), dpi=DPI, constrained_layout=True)
    for rendering, warp, colour, style in ((left, axis.left_to_shared, COLOURS[0], "-"),
                                           (right, axis.right_to_shared, COLOURS[1], "--")):
        contour = rendering.contour
        row.plot(warp(contour.times_s), contour.f0_hz, style, color=colour, linewidth=1.8, label=rendering.name)
    _mark_words(row, axis)
    _label_words(row, axis)
    row.set_ylabel("F0 (Hz)")
    row.set_xlabel("word-aligned time (s)")
    row.legend(loc="upper right", fontsize=8)
    alt = (f"F0 contours of Kokoro {left.name} ({_pitch_phrase(left.pitch)}) and {right.name} "
           f"({_pitch_phrase(right.pitch)}) on one word-aligned time axis: {_words_phrase(axis)} "
           "each at the same place for both.")
    return Figure(_png(figure), alt)


def _mark_words(row, axis: AlignedAxis) -> None:
    for index, span in enumerate(axis.spans):
        if index % 2 == 0:
            row.axvspan(span.start, span.end, color="#888888", alpha=0.12, linewidth=0)
        row.axvline(span.start, color="#ffffff", alpha=0.5, linewidth=0.6)
    row.set_xlim(0, max(axis.length, 1e-3))


def _label_words(row, axis: AlignedAxis) -> None:
    top = row.secondary_xaxis("top")
    top.set_xticks([(span.start + span.end) / 2 for span in axis.spans])
    top.set_xticklabels([span.word for span in axis.spans], rotation=60 if len(axis.spans) > 8 else 0, fontsize=8)
    top.tick_params(length=0)


def _words_phrase(axis: AlignedAxis) -> str:
    if not axis.spans:
        return "no words,"
    return f"{len(axis.spans)} words, from “{axis.spans[0].word}” to “{axis.spans[-1].word}”,"


def _pitch_phrase(pitch: Pitch) -> str:
    if pitch.median_hz is None:
        return "no voiced frames"
    contour = pitch.final_contour_semitones
    ending = "" if contour is None else f", last word {'rises' if contour > 0 else 'falls'} {abs(contour):.1f} semitones"
    return f"median {pitch.median_hz:.0f} Hz{ending}"


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    _plt().close(figure)
    return buffer.getvalue()
