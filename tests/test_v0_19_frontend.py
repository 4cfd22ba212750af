"""The v0.19 front end: it must reproduce the original kokoro.py exactly, and chunk long text."""

import json
from pathlib import Path

import pytest
from phonemizer.backend import EspeakBackend

from kokoro_ui.builds.v0_19 import chunking
from kokoro_ui.builds.v0_19.chunking import segments
from kokoro_ui.builds.v0_19.frontend import (
    VOCAB,
    normalize_text,
    phonemize,
    tokenize,
)

GOLDEN = json.loads(
    (Path(__file__).parent / "data" / "v0_19" / "golden_frontend.json").read_text(encoding="utf-8")
)
CASE_IDS = [f"{case['lang']}-{case['text'][:40]}" for case in GOLDEN["cases"]]
golden_case = pytest.mark.parametrize("case", GOLDEN["cases"], ids=CASE_IDS)

def espeak_version() -> str:
    """The espeak-ng version the front end uses (espeakng-loader's), e.g. '1.52.0': the phonemes, so the fixtures, depend on it."""
    phonemize("a", "a")  # the front end points phonemizer at espeakng-loader's library first
    return ".".join(str(part) for part in EspeakBackend.version())


PHRASE = "the quick brown fox jumps over the lazy dog"
LONG_SENTENCE = ", ".join([PHRASE] * 13) + "."  # about 700 tokens


@pytest.fixture(scope="module")
def fixture_espeak() -> None:
    """Phoneme fixtures only hold for the espeak-ng that made them: say so, not 'phonemes differ'."""
    made_with, found = GOLDEN["espeak_ng_version"], espeak_version()
    if found != made_with:
        pytest.fail(f"fixtures were made with espeak-ng {made_with}, found {found}")


def token_count(phonemes: str) -> int:
    return len(tokenize(phonemes))


# --- golden: identical to the original v0.19 kokoro.py ----------------------------------

def test_espeak_ng_is_the_version_the_fixtures_were_made_with(fixture_espeak):
    assert espeak_version() == GOLDEN["espeak_ng_version"]


def test_fixtures_cover_enough_american_and_british_cases():
    langs = [case["lang"] for case in GOLDEN["cases"]]
    assert len(langs) >= 36 and langs.count("b") >= 8


@golden_case
def test_normalize_text_matches_original(case):
    assert normalize_text(case["text"]) == case["normalized"]


@golden_case
def test_phonemize_matches_original(case, fixture_espeak):
    assert phonemize(case["text"], case["lang"]) == case["phonemes"]


@golden_case
def test_tokenize_matches_original(case):
    assert tokenize(case["phonemes"]) == case["token_ids"]


# --- vocabulary and language -------------------------------------------------------------

def test_vocab_ids_are_positions_in_pad_punctuation_letters_ipa():
    assert (VOCAB["$"], VOCAB[";"], VOCAB[" "], VOCAB["A"], VOCAB["a"], VOCAB["ɑ"]) == (
        0, 1, 16, 17, 43, 69,
    )


def test_vocab_spans_ids_0_to_177_with_177_symbols():
    assert max(VOCAB.values()) == 177  # so the embedding table has 178 rows
    assert len(VOCAB) == len(set(VOCAB.values())) == 177


def test_repeated_apostrophe_keeps_its_later_position_leaving_174_unused():
    assert VOCAB["'"] == 176
    assert 174 not in VOCAB.values()


def test_tokenize_drops_symbols_outside_the_vocabulary():
    assert tokenize("a1b\u0301") == [VOCAB["a"], VOCAB["b"]]


def test_unsupported_language_is_a_value_error_naming_the_supported_ones():
    with pytest.raises(ValueError, match=r"'a'.*'b'"):
        phonemize("Hello.", "j")


# --- chunking ----------------------------------------------------------------------------

def test_sentences_are_packed_into_one_segment_while_they_fit():
    text = "The sun rose. Was it warm? It was!"
    assert [(segment.graphemes, segment.phonemes) for segment in segments(text, "a")] == [
        (text, phonemize(text, "a", normalize=False))]


def test_sentences_beyond_the_limit_start_a_new_segment_at_a_sentence_end():
    text = " ".join(["This is a fairly ordinary sentence with several words in it."] * 12)
    assert token_count(phonemize(text, "a")) > 510  # precondition
    pieces = list(segments(text, "a"))
    assert len(pieces) == 2
    assert all(piece.graphemes.endswith(".") and token_count(piece.phonemes) <= 510 for piece in pieces)
    assert " ".join(piece.graphemes for piece in pieces) == text


def test_a_newline_ends_a_segment():
    assert len(list(segments("First line\nsecond line", "a"))) == 2


def test_a_title_is_not_a_sentence_end():
    assert [(segment.graphemes, segment.phonemes) for segment in segments("Dr. Smith arrived.", "a")] == [
        ("Doctor Smith arrived.", phonemize("Doctor Smith arrived.", "a", normalize=False))
    ]


def test_segment_graphemes_are_normalised_text():
    assert [s.graphemes for s in segments("It costs $5.", "b")] == ["It costs 5 dollars."]


def test_a_long_sentence_is_split_at_commas_within_the_token_limit():
    assert token_count(phonemize(LONG_SENTENCE, "a")) > 510  # precondition
    pieces = list(segments(LONG_SENTENCE, "a"))
    assert len(pieces) > 1
    assert all(token_count(piece.phonemes) <= 510 for piece in pieces)
    assert all(piece.graphemes.endswith((",", ".")) for piece in pieces)
    assert " ".join(piece.graphemes for piece in pieces) == normalize_text(LONG_SENTENCE)


def test_clause_punctuation_is_preferred_to_commas():
    text = f"{', '.join([PHRASE] * 7)}; {', '.join([PHRASE] * 7)}."
    assert [s.graphemes[-1] for s in segments(text, "a")] == [";", "."]


def test_a_long_sentence_without_punctuation_is_split_between_words():
    text = " ".join([PHRASE] * 13)
    pieces = list(segments(text, "a"))
    assert len(pieces) > 1
    assert all(token_count(piece.phonemes) <= 510 for piece in pieces)
    assert " ".join(piece.graphemes for piece in pieces) == text


def test_a_word_longer_than_the_limit_is_truncated_to_it():
    word = "Kokoro" * 100  # 600 letters
    assert token_count(phonemize(word, "a")) > 510  # precondition
    (piece,) = segments(word, "a")
    assert 500 < token_count(piece.phonemes) <= 510


@pytest.mark.parametrize("text", ["", "  \n\t ", "...", "?!", "—", "( )"])
def test_text_with_nothing_to_say_gives_no_segments(text):
    assert list(segments(text, "a")) == []


def test_closing_the_generator_early_stops_phonemizing(monkeypatch):
    calls = []

    def counting_phonemize(text: str, lang: str, normalize: bool = True, words=()) -> str:
        calls.append(text)
        return phonemize(text, lang, normalize, words)

    monkeypatch.setattr(chunking, "phonemize", counting_phonemize)
    stream = segments("One.\nTwo.\nThree.\nFour.\nFive.", "a")
    assert next(stream).graphemes == "One."
    stream.close()
    assert calls == ["One."]
    assert next(stream, None) is None
