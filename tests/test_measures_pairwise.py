"""Two renderings side by side: per-word differences, the word-aligned time axis, and its figures."""

import numpy as np
from hypothesis import given, settings, strategies as st

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.evaluation.aligned_axis import align
from kokoro_ui.evaluation.figures import Rendering, pair_figures
from kokoro_ui.evaluation.single import evaluate
from kokoro_ui.measures import compare_renderings
from kokoro_ui.measures.results import (Intelligibility, Pauses, Pitch, Quality, RenderingMeasures, SpeakerSimilarity,
                                        WordMeasures)
from kokoro_ui.measures.pitch import f0_contour
from kokoro_ui.services.validation import SpeechRequest
from kokoro_ui.outputs.word_view import SpokenWord, pair_words

TEXT = "The cat sat on the mat."
SPEAKER = SpeakerSimilarity(0.8, "test")  # taken from the audio, which these measures have none of


def _measures(words: list[WordMeasures]) -> RenderingMeasures:
    return RenderingMeasures(1.0, 150.0, 10.0, Pauses(0, 0.0, 0.0), Pitch(200.0, 150.0, 250.0, ()), -23.0,
                             Intelligibility("", 0.0, 0.0, "test"), Quality(3.0, "test"), tuple(words),
                             f0_contour(np.zeros(SAMPLE_RATE_HZ), SAMPLE_RATE_HZ))


def _word(word, at, start_s, end_s, f0_hz):
    return WordMeasures(word, at, at + len(word), start_s, end_s, f0_hz, -20.0)


def test_each_written_word_gets_a_duration_ratio_and_a_pitch_difference():
    left = _measures([_word("The", 0, 0.0, 0.2, 200.0), _word("cat", 4, 0.2, 0.5, 200.0)])
    right = _measures([_word("The", 0, 0.0, 0.2, 200.0), _word("cat", 4, 0.2, 0.8, 400.0)])
    difference = compare_renderings(left, right, SPEAKER, "v0.19", "v1.0")
    assert [word.word for word in difference.words] == ["The", "cat"]
    assert difference.words[0].duration_ratio == 1.0 and difference.words[0].f0_difference_semitones == 0.0
    assert abs(difference.words[1].duration_ratio - 2.0) < 1e-9
    assert abs(difference.words[1].f0_difference_semitones - 12.0) < 1e-9
    assert difference.most_different == ("“cat”: v1.0 takes 2.00× v0.19's time (300 → 600 ms)",
                                         "“cat”: v1.0 is 12.0 semitones higher than v0.19 (200 → 400 Hz)")
    assert difference.differences()["loudness_lufs"] == 0.0


def test_a_word_only_one_rendering_said_has_no_ratio():
    left = _measures([_word("The", 0, 0.0, 0.2, 200.0)])
    right = _measures([_word("The", 0, 0.0, 0.2, 200.0), _word("cat", 4, 0.2, 0.5, 210.0)])
    words = compare_renderings(left, right, SPEAKER).words
    assert len(words) == 2 and words[1].left is None
    assert words[1].duration_ratio is None and words[1].f0_difference_semitones is None


@st.composite
def _two_renderings(draw):
    """Two timings of the same written words: each side has its own durations and gaps, and may skip a word."""
    count = draw(st.integers(1, 12))
    sides = []
    for _ in range(2):
        words, clock = [], 0.0
        for index in range(count):
            clock += draw(st.floats(0.0, 0.5))
            duration = draw(st.floats(0.02, 0.8))
            if draw(st.integers(0, 9)) > 0:  # a word this side did not say: one in ten
                words.append(SpokenWord(f"w{index}", index * 10, index * 10 + 2, "", clock, clock + duration))
            clock += duration
        sides.append((words, clock + draw(st.floats(0.0, 0.5))))
    return sides


@settings(max_examples=200, deadline=None)
@given(_two_renderings())
def test_the_aligned_axis_puts_each_word_at_the_same_place_for_both(sides):
    (left, left_s), (right, right_s) = sides
    axis = align(left, right, left_s, right_s)
    rows = pair_words(left, right)
    assert len(axis.spans) == len(rows)
    for span, row in zip(axis.spans, rows):
        for word, warp in ((row.left, axis.left_to_shared), (row.right, axis.right_to_shared)):
            if word is not None:
                assert np.isclose(warp(np.array([word.start_s]))[0], span.start, atol=1e-9)
                assert np.isclose(warp(np.array([word.end_s]), ends=True)[0], span.end, atol=1e-9)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(axis.spans, axis.spans[1:]))  # in text order, no overlap
    assert np.isclose(axis.left_to_shared(np.array([left_s]))[0], axis.right_to_shared(np.array([right_s]))[0])


def test_both_releases_words_line_up_and_are_drawn_with_alt_text(manager):
    """Synthetic weights (timings are still each release's own): the figures of a real pair of runs."""
    left, right = (evaluate(manager, SpeechRequest(TEXT, voice, version, 1.0, None))
                   for version, voice in (("v0.19", "af_bella"), ("v1.0", "af_bella")))
    figures = pair_figures(*(Rendering(version, side.audio, SAMPLE_RATE_HZ, side.words, side.measures.contour,
                                       side.measures.pitch)
                             for version, side in (("v0.19", left), ("v1.0", right))))
    assert [span.word for span in figures.axis.spans] == ["The", "cat", "sat", "on", "the", "mat"]
    checked = 0
    for span, a, b in zip(figures.axis.spans, left.words, right.words):
        for word, warp in ((a, figures.axis.left_to_shared), (b, figures.axis.right_to_shared)):
            if word.end_s > word.start_s:  # a word said in no time is a point: its span is the other side's
                assert np.isclose(warp(np.array([word.start_s]))[0], span.start)
                assert np.isclose(warp(np.array([word.end_s]), ends=True)[0], span.end)
                checked += 1
    assert checked >= 8
    for figure in (figures.spectrograms, figures.contours):
        assert figure.png.startswith(b"\x89PNG")
        assert "v0.19" in figure.alt and "v1.0" in figure.alt and "6 words" in figure.alt
