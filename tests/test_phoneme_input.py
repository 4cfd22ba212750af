"""Phoneme input: a release's network speaks given phonemes, its G2P bypassed, styled by its own rule."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from kokoro import KPipeline

from kokoro_ui.builds.v0_19.frontend import VOCAB as V0_19_VOCAB
from kokoro_ui.engine.chunk import SAMPLES_PER_FRAME
from kokoro_ui.engine.phoneme_input import UnknownPhonemesError, describe_symbol, passes, unknown_symbols

HELLO_V1_0 = "həlˈO wˈɜɹld!"  # misaki's phonemes for "Hello world!"


def test_a_string_that_fits_is_one_pass_without_its_edge_spaces():
    assert list(passes("  ab cd.  ")) == ["ab cd."]


@pytest.mark.parametrize("phonemes, first", [
    ("aa. bb, cc dd", "aa."),  # a sentence end beats a comma and a space
    ("aa, bb; cc dd", "aa, bb;"),  # a clause end beats a comma
    ("aa bb, cc dd", "aa bb,"),  # a comma beats a space
    ("aa bb cc dd", "aa bb cc"),  # a space, the last one within the limit
    ("aabbccddee", "aabbccdd"),  # no break at all: cut at the limit
], ids=["sentence", "clause", "phrase", "space", "none"])
def test_a_long_string_is_cut_at_the_best_break_within_the_limit(phonemes, first):
    assert next(passes(phonemes, max_tokens=8)) == first


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab .,;!—", max_size=120), st.integers(min_value=1, max_value=30))
def test_passes_fit_the_limit_and_keep_every_symbol_in_order(phonemes, max_tokens):
    pieces = list(passes(phonemes, max_tokens))
    assert all(0 < len(piece) <= max_tokens and piece == piece.strip() for piece in pieces)
    assert "".join(pieces).replace(" ", "") == phonemes.replace(" ", "")


def test_symbols_are_described_so_that_invisible_ones_show():
    assert describe_symbol("ʧ") == "'ʧ' (U+02A7)"
    assert describe_symbol("\n") == "U+000A"
    assert describe_symbol("\u200b") == "U+200B"


def test_unknown_symbols_are_listed_once_each_in_order(v1):
    assert unknown_symbols("aʣ1bʣ2", v1.frontend.tokenize) == ["1", "2"]


@pytest.mark.parametrize("release, symbol", [("v1", "ɫ"), ("v019", "ʣ")])  # each in the other's vocabulary only
def test_a_symbol_outside_the_release_vocabulary_is_refused_before_any_pass(request, release, symbol):
    release = request.getfixturevalue(release)
    before = release.forward_passes
    with pytest.raises(UnknownPhonemesError) as raised:
        release.stream_phonemes(f"hˈə{symbol}o\t", "af_bella")
    assert raised.value.symbols == [symbol, "\t"]
    assert f"'{symbol}'" in str(raised.value) and "U+0009" in str(raised.value)
    assert release.forward_passes == before


def test_v1_0_from_phonemes_equals_kpipeline_generate_from_tokens_bit_for_bit(v1):
    pack = v1.voice_pack(v1.voices.get("af_heart"))
    torch.manual_seed(7)  # the decoder draws noise from torch's global RNG
    ours = list(v1.stream_phonemes(HELLO_V1_0, "af_heart", speed=1.2))
    torch.manual_seed(7)
    pipeline = KPipeline(lang_code="a", repo_id="hexgrad/Kokoro-82M", model=v1.kmodel)
    theirs = list(pipeline.generate_from_tokens(HELLO_V1_0, voice=pack, speed=1.2))
    assert len(ours) == len(theirs) == 1
    assert ours[0].phonemes == HELLO_V1_0 and ours[0].graphemes == ""
    assert ours[0].durations_frames == tuple(theirs[0].pred_dur.tolist())
    assert np.array_equal(ours[0].audio, theirs[0].audio.numpy())


def test_v0_19_from_its_own_phonemes_equals_speaking_the_text(v019):
    torch.manual_seed(7)
    from_text = list(v019.stream("Hello world!", "af_bella", fast_first=False))
    torch.manual_seed(7)
    from_phonemes = list(v019.stream_phonemes(from_text[0].phonemes, "af_bella"))
    assert len(from_text) == len(from_phonemes) == 1
    assert from_phonemes[0].token_ids == from_text[0].token_ids
    assert np.array_equal(from_phonemes[0].audio, from_text[0].audio)


def test_a_string_over_510_symbols_streams_its_passes_one_at_a_time(v1):
    phonemes = f"{HELLO_V1_0} {'ə' * 505}"  # 519 symbols: too many for one pass; '!' is the only break
    assert [len(piece) for piece in passes(phonemes)] == [len(HELLO_V1_0), 505]
    before = v1.forward_passes
    stream = v1.stream_phonemes(phonemes, "af_bella")
    first = next(stream)
    stream.close()  # the 505-symbol pass is never computed: this test stays cheap
    assert first.phonemes == HELLO_V1_0 and len(first.token_ids) == len(HELLO_V1_0)
    assert len(first.audio) == sum(first.durations_frames) * SAMPLES_PER_FRAME
    assert v1.forward_passes == before + 1


def test_every_v0_19_symbol_is_one_token(v019):
    assert all(len(v019.frontend.tokenize(symbol)) == 1 for symbol in V0_19_VOCAB)
