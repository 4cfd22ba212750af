"""The notation mapping, row by row: espeak-ng IPA (v0.19) <-> misaki (v1.0), and what is dropped."""

import pytest
from misaki.espeak import EspeakFallback

from kokoro_ui.builds import vocabulary
from kokoro_ui.phonetics.notation import ESPEAK, MISAKI, MixedNotationError, convert, detect, table, to_release

V0_19, V1_0 = vocabulary("v0.19"), vocabulary("v1.0")

# (accent, espeak-ng, misaki): each maps to the other, both ways.
MIN_SHARED_SOUNDS = 13  # sounds misaki's own espeak table and ours both rewrite (kokoro 0.9.4, misaki 0.9.4)
BOTH_WAYS = [
    ("a", "hˈaɪ", "hˈI"),  # I = aɪ
    ("a", "nˈaʊ", "nˈW"),  # W = aʊ
    ("a", "dˈeɪ", "dˈA"),  # A = eɪ
    ("a", "bˈɔɪ", "bˈY"),  # Y = ɔɪ
    ("a", "ɡˈoʊ", "ɡˈO"),  # O = oʊ, American
    ("b", "ɡˈəʊ", "ɡˈQ"),  # Q = əʊ, British
    ("a", "dʒˈʌdʒ", "ʤˈʌʤ"),  # one-letter affricates
    ("a", "tʃˈɪp", "ʧˈɪp"),
    ("a", "bˈɛɾɚ", "bˈɛTəɹ"),  # the flap, and an r-coloured schwa
    ("a", "bˈɜːd", "bˈɜɹd"),  # American stressed r-coloured vowel
    ("a", "stˈɜːɹɪŋ", "stˈɜɹɪŋ"),  # ... and its ɹ kept before a vowel
    ("a", "kˈoʊkəɹoʊ", "kˈOkəɹO"),  # əɹ before a vowel is not ɚ: the ɹ starts the next syllable
    ("b", "bˈɜːd", "bˈɜːd"),  # British keeps its length mark
    ("b", "hˈeə", "hˈɛː"),  # British SQUARE
    ("b", "nˈiə", "nˈɪə"),  # British NEAR
    ("a", "ðə kˈæt", "ðə kˈæt"),  # what both write alike stays
]
# (accent, espeak-ng, misaki): one way only, espeak-ng -> misaki.
ESPEAK_ONLY = [
    ("a", "fˈɑːðɚ", "fˈɑðəɹ"),  # American misaki has no length marks
    ("a", "bˈʌʔn̩", "bˈʌtᵊn"),  # glottal stop -> t, syllabic n -> ᵊn
    ("a", "ɐbˈaʊt", "əbˈWt"),  # ɐ -> ə, as misaki's own table
    ("a", "«ɐsˈaɪd»", "(əsˈId)"),  # v0.19's normaliser writes parentheses as guillemets
]


@pytest.mark.parametrize("lang, espeak, misaki", BOTH_WAYS)
def test_espeak_maps_to_misaki(lang, espeak, misaki):
    assert convert(espeak, ESPEAK, MISAKI, lang, V1_0).phonemes == misaki


@pytest.mark.parametrize("lang, espeak, misaki", BOTH_WAYS)
def test_misaki_maps_to_espeak(lang, espeak, misaki):
    assert convert(misaki, MISAKI, ESPEAK, lang, V0_19).phonemes == espeak


@pytest.mark.parametrize("lang, espeak, misaki", ESPEAK_ONLY)
def test_espeak_only_sounds_map_to_misaki_as_misaki_would(lang, espeak, misaki):
    assert convert(espeak, ESPEAK, MISAKI, lang, V1_0).phonemes == misaki


def test_every_espeak_rewrite_of_misaki_own_table_agrees_where_both_have_one():
    """misaki's E2M (tied espeak symbols -> misaki) and ours (untied) say the same for each shared sound."""
    ours = table(ESPEAK, MISAKI, "a")
    shared = [(tied.replace("^", ""), misaki) for tied, misaki in EspeakFallback.E2M
              if tied.replace("^", "") in ours and tied.replace("^", "") not in ("e", "ʲo", "ʲə")]
    assert len(shared) >= MIN_SHARED_SOUNDS
    for untied, misaki in shared:
        assert ours[untied] == misaki, untied


def test_every_mapping_lands_in_the_target_vocabulary():
    for lang in "ab":
        assert set("".join(table(ESPEAK, MISAKI, lang).values())) <= V1_0
        assert set("".join(table(MISAKI, ESPEAK, lang).values())) <= V0_19


def test_symbols_the_target_lacks_are_dropped_and_reported():
    result = convert("ɫˈʊk ħ", ESPEAK, MISAKI, "a", V1_0)  # dark l and a pharyngeal: v0.19 only
    assert result.phonemes == "ˈʊk "
    assert result.dropped == ("ɫ", "ħ")
    assert "ɫ ħ" in result.note and "v1.0" in result.note


def test_misaki_symbols_v0_19_lacks_are_dropped_and_reported():
    result = convert("ꭧ̃a", MISAKI, ESPEAK, "a", V0_19)
    assert result.phonemes == "a" and result.dropped == ("ꭧ", "\u0303")


def test_nothing_dropped_reports_nothing():
    assert convert("hˈI", MISAKI, ESPEAK, "a", V0_19).note == ""


@pytest.mark.parametrize("phonemes, notation", [
    ("hˈI", MISAKI), ("kˈOkəɹO", MISAKI), ("bˈɛTəɹ", MISAKI),
    ("hˈaɪ", ESPEAK), ("bˈɛɾɚ", ESPEAK), ("dʒˈʌmp", ESPEAK),
    ("kˈæt", None),  # the same in both
])
def test_the_notation_is_told_by_the_marks_only_it_writes(phonemes, notation):
    assert detect(phonemes) == notation


def test_a_string_mixing_both_notations_is_refused_naming_the_marks():
    with pytest.raises(MixedNotationError, match="misaki.*I.*espeak-ng.*aɪ"):
        detect("hˈI hˈaɪ")


def test_to_release_reads_either_notation_into_the_release_own():
    assert to_release("hˈaɪ", "v1.0", "a", V1_0).phonemes == "hˈI"
    assert to_release("hˈI", "v1.0", "a", V1_0).phonemes == "hˈI"
    assert to_release("hˈI", "v0.19", "a", V0_19).phonemes == "hˈaɪ"
    assert to_release("kˈæt", "v0.19", "a", V0_19).source == ESPEAK  # ambiguous: the release's own
