"""The word view's data: both releases' words paired by where they are in the text, and word clips."""

import gradio as gr
from hypothesis import given
from hypothesis import strategies as st

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.engine.words import written_words
from kokoro_ui.services.metrics import History
from kokoro_ui.phonetics.phoneme_diff import sounds_same
from kokoro_ui.ui import compare_handlers, word_table
from kokoro_ui.outputs.word_view import CONTEXT_S, RunWords, SpokenWord, WordRow, clip, pair_words, spoken_words

TEXT = 'Dr. Smith paid $3.50 at 10:30 for the "well-known" e-book, didn\'t he?'


def _spoken(spans: list[tuple[int, int]], phonemes: str = "ab") -> list[SpokenWord]:
    return [SpokenWord(f"w{start}", start, end, phonemes, start / 10, end / 10) for start, end in spans]


@st.composite
def _side(draw) -> list[tuple[int, int]]:
    """Words of one side: in text order, not overlapping each other."""
    spans, cursor = [], 0
    for gap, length in draw(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 6)), max_size=30)):
        spans.append((cursor + gap, cursor + gap + length))
        cursor += gap + length
    return spans


@given(_side(), _side())
def test_every_word_of_each_side_lands_in_exactly_one_row_in_order(left_spans, right_spans):
    left, right = _spoken(left_spans), _spoken(right_spans)
    rows = pair_words(left, right)
    assert [row.left for row in rows if row.left is not None] == left
    assert [row.right for row in rows if row.right is not None] == right
    assert all(row.left is not None or row.right is not None for row in rows)


@given(_side(), _side())
def test_words_share_a_row_only_where_their_spans_overlap(left_spans, right_spans):
    for row in pair_words(_spoken(left_spans), _spoken(right_spans)):
        if row.left is not None and row.right is not None:
            assert row.left.text_start < row.right.text_end and row.right.text_start < row.left.text_end


@given(_side())
def test_the_same_words_on_both_sides_pair_one_to_one(spans):
    rows = pair_words(_spoken(spans), _spoken(spans))
    assert len(rows) == len(spans)
    assert all(row.left.text_start == row.right.text_start and row.same for row in rows)


def test_a_word_only_one_release_says_gets_a_row_with_the_other_side_empty():
    rows = pair_words(_spoken([(0, 3), (4, 7), (8, 11)]), _spoken([(0, 3), (8, 11)]))
    assert [(row.left is not None, row.right is not None) for row in rows] == [(True, True), (True, False),
                                                                                 (True, True)]
    assert not rows[1].same


def test_same_means_the_same_sounds_and_stress_once_misaki_is_spelled_out():
    assert sounds_same("hˈoʊm,", "hˈOm")  # misaki's O is oʊ; punctuation is a pause
    assert not sounds_same("hˈoʊm", "hoʊm")  # stress counts
    assert not sounds_same("tˈɑːk", "tˈɔk")


def test_a_clip_is_the_word_with_context_each_side_within_the_audio():
    import numpy as np

    audio = np.arange(SAMPLE_RATE_HZ * 2, dtype=np.float32)
    middle = SpokenWord("a", 0, 1, "a", 1.0, 1.2)
    assert len(clip(audio, middle)) == round((0.2 + 2 * CONTEXT_S) * SAMPLE_RATE_HZ)
    assert clip(audio, middle)[0] == round((1.0 - CONTEXT_S) * SAMPLE_RATE_HZ)
    first = SpokenWord("a", 0, 1, "a", 0.05, 0.3)
    assert len(clip(audio, first)) == round((0.3 + CONTEXT_S) * SAMPLE_RATE_HZ)


def test_real_runs_pair_every_written_word_of_both_releases(v019, v1):
    left, right = list(v019.stream(TEXT, "af_bella")), list(v1.stream(TEXT, "af_bella"))
    run = RunWords.of(left, right)
    written = [(word.start, word.end) for word in written_words(TEXT)]
    assert [(row.left.text_start, row.left.text_end) for row in run.rows] == written
    assert [(row.right.text_start, row.right.text_end) for row in run.rows] == written
    assert run.rows[3].word == "$3.50" and "dˈɑːlɚz" in run.rows[3].left.phonemes
    for number, row in enumerate(run.rows):
        for side, audio in zip((row.left, row.right), run.clips(number)):
            assert 0 <= side.start_s <= side.end_s
            assert len(audio) <= round((side.end_s - side.start_s + 2 * CONTEXT_S) * SAMPLE_RATE_HZ)


def test_words_are_on_the_whole_runs_clock_across_chunks(v1):
    chunks = list(v1.stream("First sentence here.\n\nSecond sentence there.", "af_bella"))
    assert len(chunks) == 2
    words = spoken_words(chunks)
    second = next(word for word in words if word.word == "Second")
    assert second.start_s >= chunks[0].audio_s


def test_a_comparison_ends_with_the_word_view_captions_and_playable_rows(manager):
    frames = list(compare_handlers.run_comparison(manager, "Hello there, old friend.", "af_bella", "af_bella",
                                                  1.0, "", "fair", History()))
    final = dict(zip(compare_handlers.OUTPUTS, frames[-1]))
    assert "4 words" in final["words"] and final["words"].count("<button") == 4
    assert sorted(path.rsplit("/", 1)[1] for path in final["captions"]) == [
        "kokoro_v0.19_words.srt", "kokoro_v0.19_words.vtt", "kokoro_v1.0_words.srt", "kokoro_v1.0_words.vtt"]
    vtt = next(path for path in final["captions"] if path.endswith("v1.0_words.vtt"))
    assert open(vtt, encoding="utf-8").read().startswith("WEBVTT\n\n00:00:00.")
    player = compare_handlers.play_word(final["run_words"], _Event(row=3))
    assert player.count("<audio") == 2 and "friend" in player


def test_a_press_on_a_row_the_run_lacks_or_before_any_run_changes_nothing():
    for run, row in ((RunWords.of([], []), 0), (None, 0), (RunWords.of([], []), "0")):
        assert compare_handlers.play_word(run, _Event(row=row)) == gr.skip()


def test_text_whose_words_all_vanish_gets_a_message_not_an_empty_table():
    assert word_table.word_table_html([], "v0.19", "v1.0") == f"<p class='kab-words-empty'>{word_table.NOTHING_TIMED}</p>"


def test_a_word_a_user_wrote_is_text_never_markup():
    row = WordRow("<b>x</b>", *_spoken([(0, 8)]) * 2)
    assert "<b>x" not in word_table.word_table_html([row], "v0.19", "v1.0")


class _Event:
    """What Gradio's `EventData` gives a handler for the table's `trigger('click', {row})`."""

    def __init__(self, **data):
        self.__dict__.update(data)
