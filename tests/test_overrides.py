"""Pronunciation overrides `[word](/phonemes/)`: exactly that word changes, in both releases; bad ones are refused."""

import re

import pytest

from kokoro_ui.phonetics.overrides import OverrideError, parse, rewrite
from kokoro_ui.builds import vocabulary
from kokoro_ui.services.validation import InvalidInputError, validate_text

# (text with overrides, the overridden words' phonemes per release); each differs from the release's own
CASES = [
    ("I like the [tomato](/təmˈɑːtoʊ/) soup.", {"v0.19": ["təmˈɑːtoʊ"], "v1.0": ["təmˈɑtO"]}),
    ("The [apple](/ˈæpl/) is red, the pie is good.", {"v0.19": ["ˈæpl"], "v1.0": ["ˈæpl"]}),
    ("Out of the box and into [Kokoro](/kˈOkəɹO/) land.", {"v0.19": ["kˈoʊkəɹoʊ"], "v1.0": ["kˈOkəɹO"]}),
    ("An hour ago, [Bob](/bˈɑbi/) [Smith](/smˈɪθi/) came.", {"v0.19": ["bˈɑbi", "smˈɪθi"],
                                                            "v1.0": ["bˈɑbi", "smˈɪθi"]}),
]


def _plain(text: str) -> str:
    return re.sub(r"\[([^\]]*)\]\(/[^)]*/\)", r"\1", text)


def _words(release, text: str) -> list[str]:
    phonemes = " ".join(segment.phonemes for segment in release.frontend.segments(text, "a"))
    return phonemes.replace(",", " ,").replace(".", " .").split()


@pytest.mark.parametrize("text, expected", CASES, ids=[case[0][:24] for case in CASES])
@pytest.mark.parametrize("version", ["v0.19", "v1.0"])
def test_an_override_changes_exactly_that_word(manager, version, text, expected):
    release = manager.get_model(version)
    before, after = _words(release, _plain(text)), _words(release, text)
    assert len(before) == len(after)  # every other word is where it was, and as it was
    assert [word for word, was in zip(after, before) if word != was] == expected[version]


def test_the_phoneme_view_shows_the_word_as_written_and_its_override(v019):
    segment, = v019.frontend.segments("Say [Kokoro](/kˈOkəɹO/) now.", "a")
    assert segment.graphemes == "Say Kokoro now."
    assert "kˈoʊkəɹoʊ" in segment.phonemes


def test_an_override_in_the_other_notation_is_mapped_for_each_release():
    text, mapped = rewrite("[hi](/hˈaɪ/) there", "v1.0", "a", vocabulary("v1.0"))
    assert text == "[hi](/hˈI/) there" and mapped[0].dropped == ()


def test_links_that_are_not_overrides_are_left_alone():
    assert parse("see [the docs](https://example.org) now") == []


@pytest.mark.parametrize("text, says", [
    ("Say [Kokoro](/kˈOkəɹO now.", "malformed"),
    ("Say [Kokoro] (/kˈOkəɹO/) now.", "nothing between"),
    ("Say [](/kˈOkəɹO/) now.", "no word"),
    ("Say [Kokoro](//) now.", "no phonemes"),
    ("Say [Kokoro](/kˈO, kəɹO/) now.", "punctuation"),
])
def test_a_malformed_override_is_refused_saying_how_to_write_it(text, says):
    with pytest.raises(OverrideError, match=says):
        parse(text)
    with pytest.raises(InvalidInputError, match=says):
        validate_text(text, 1000)


def test_an_override_with_symbols_neither_release_knows_is_refused_naming_them():
    with pytest.raises(InvalidInputError, match=r"neither release knows: '☃' \(U\+2603\)"):
        validate_text("Say [snow](/sn☃/) now.", 1000)


def test_an_override_mixing_both_notations_is_refused():
    with pytest.raises(InvalidInputError, match="mix"):
        validate_text("Say [hi](/hˈI hˈaɪ/) now.", 1000)
