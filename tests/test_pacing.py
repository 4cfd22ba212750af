"""Text-level fast first audio (opt-in): a short first piece, growing pieces after it, never a cut word."""

import re

import pytest
from hypothesis import given, strategies as st

from kokoro_ui.engine.pacing import FIRST_MAX_CHARS, FIRST_MIN_CHARS, TARGET_CHARS, pieces
from kokoro_ui.config.settings import Settings
from kokoro_ui.ui.examples import LONG_PASSAGE, NUMBERS, PARAGRAPH


@pytest.mark.parametrize("text", [LONG_PASSAGE, NUMBERS, PARAGRAPH, "One.", "no punctuation at all here"])
def test_pieces_join_back_into_the_text(text):
    assert " ".join(pieces(text)).split() == text.split()


def test_first_piece_ends_at_the_last_clause_boundary_in_its_range():
    first = next(pieces("Hello, there, my dear friend. This is the rest of it, which goes on."))
    assert first == "Hello, there,"
    assert FIRST_MIN_CHARS <= len(first) <= FIRST_MAX_CHARS


def test_without_a_clause_boundary_the_first_piece_ends_before_a_phrase():
    assert list(pieces("People have tried to make machines speak for more than two hundred years.")) == [
        "People have tried", "to make machines speak for more than two hundred years."]
    assert next(pieces("The quick brown fox jumps over the lazy dog while the cat watches.")) == "The quick brown fox"


def test_a_short_text_is_not_cut():
    assert list(pieces("Hello there, friend.")) == ["Hello there, friend."]


_words = st.lists(st.sampled_from(["the", "cat", "sat", "on", "a", "mat,", "while", "dogs", "barked.", "extraordinarily"]),
                  min_size=1, max_size=40)


@given(_words)
def test_any_text_joins_back_and_a_first_piece_cut_between_words_is_short_and_ends_a_phrase(words):
    text = " ".join(words)
    cut = list(pieces(text))
    assert " ".join(cut).split() == text.split()
    if len(cut) > 1 and cut[0][-1] not in ",.":  # cut between two words
        assert FIRST_MIN_CHARS <= len(cut[0]) <= FIRST_MAX_CHARS
        assert cut[0].split()[-1] not in {"the", "a", "on", "while"}


def test_later_pieces_grow_and_end_at_sentences():
    sizes = [len(piece) for piece in pieces(LONG_PASSAGE)]
    assert sizes[0] < TARGET_CHARS[0] <= sizes[1] and max(sizes) >= TARGET_CHARS[-1]
    assert all(re.search(r"[.!?…]$", piece) for piece in list(pieces(LONG_PASSAGE))[1:])


def test_never_breaks_after_an_abbreviation_or_inside_a_number():
    text = "Dr. Smith and Mrs. Jones paid $3.50, e.g. for cake at 9:30. Then they left for home."
    for piece in pieces(text):
        assert not re.search(r"\b(Dr|Mrs|e\.g)\.$", piece)
    assert all("3.50" in piece or "$" not in piece for piece in pieces(text))


def test_fast_first_makes_the_first_chunk_shorter_for_both_releases(v1, v019):
    text = ("Although it was late, and the rain kept falling on the old tin roof, we stayed up talking "
            "about everything that had happened. Morning came too soon.")
    for release in (v1, v019):
        paced = next(release.stream(text, "af_bella", fast_first=True))
        whole = next(release.stream(text, "af_bella"))
        assert len(paced.token_ids) < len(whole.token_ids)


def test_whole_passes_are_the_default_and_fast_first_an_opt_in_setting(manager):
    assert Settings().fast_first is False and manager.settings.fast_first is False
    assert Settings.from_env({"KOKORO_UI_FAST_FIRST": "true"}).fast_first is True
