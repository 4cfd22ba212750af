"""Attribution runs: the same phonemes through both networks, and front ends crossed with networks."""

import contextlib

import pytest

from kokoro_ui.services import attribution
from kokoro_ui.services.compare import compare
from kokoro_ui.builds import vocabulary
from kokoro_ui.phonetics.notation import ESPEAK, MISAKI, convert
from kokoro_ui.services.validation import InvalidInputError, SpeechRequest
from kokoro_ui.services.attribution import validate_attribution_mode

VOICES = {"v0.19": "af_bella", "v1.0": "af_bella"}
TEXT = "The cat sat. A boy found the mouse."


def _collect(events) -> dict[str, list]:
    chunks: dict[str, list] = {}
    results = {}
    with contextlib.closing(events):
        for event in events:
            if event.chunk is not None:
                chunks.setdefault(event.label, []).append(event.chunk)
            else:
                results[event.label] = event.result
    assert all(result.error is None for result in results.values()), results
    return chunks


def test_same_phonemes_reach_both_networks_as_written_but_for_the_documented_mapping(manager, v1, v019):
    given = "ðə kˈæt sˈæt. ɐ bˈɔɪ fˈaʊnd ðə mˈaʊs."  # espeak-ng's (v0.19's) notation
    plan = attribution.plan_same_phonemes(manager, given, "auto", VOICES, 1.0, None)
    chunks = _collect(attribution.run(manager, plan))
    spoken = {cell.network: " ".join(chunk.phonemes for chunk in chunks[cell.label]) for cell in plan.pairings}
    assert spoken["v0.19"] == given
    assert spoken["v1.0"] == convert(given, ESPEAK, MISAKI, "a", vocabulary("v1.0")).phonemes
    assert spoken["v1.0"] == "ðə kˈæt sˈæt. ə bˈY fˈWnd ðə mˈWs."


def test_same_phonemes_report_what_a_network_lacked_and_dropped(manager):
    plan = attribution.plan_same_phonemes(manager, "ɫˈʊk", "v0.19", VOICES, 1.0, None)
    dropped = {cell.network: cell.dropped for cell in plan.pairings}
    assert dropped == {"v0.19": (), "v1.0": ("ɫ",)}


def test_swap_streams_four_labelled_cells_whose_own_cells_are_compare_output(manager, v1, v019):
    plan = attribution.plan_swap(manager, TEXT, VOICES, 1.0, None)
    assert [cell.label for cell in plan.pairings] == [
        "v0.19 front end → v0.19 network", "v0.19 front end → v1.0 network",
        "v1.0 front end → v0.19 network", "v1.0 front end → v1.0 network"]
    chunks = _collect(attribution.run(manager, plan))
    assert set(chunks) == {cell.label for cell in plan.pairings}
    compared = _collect(compare(manager, [SpeechRequest(TEXT, "af_bella", version, 1.0, None)
                                          for version in ("v0.19", "v1.0")]))
    for version in ("v0.19", "v1.0"):
        own, theirs = chunks[f"{version} front end → {version} network"], compared[version]
        # the same requests: same phonemes, tokens and durations (the audio differs only by the
        # decoder's noise, drawn from torch's shared random generator as the cells take turns)
        assert [(c.phonemes, c.token_ids, c.durations_frames) for c in own] == \
               [(c.phonemes, c.token_ids, c.durations_frames) for c in theirs]
        assert [len(c.audio) for c in own] == [len(c.audio) for c in theirs]
    crossed = " ".join(chunk.phonemes for chunk in chunks["v1.0 front end → v0.19 network"])
    assert "aʊ" in crossed and "W" not in crossed  # misaki's "found" said by v0.19 in its own notation


@pytest.mark.parametrize("mode", ["both", "", None, "SWAP"])
def test_a_mode_that_does_not_exist_is_refused_naming_the_modes(mode):
    with pytest.raises(InvalidInputError, match="same_phonemes"):
        validate_attribution_mode(mode)


@pytest.mark.parametrize("phonemes, says", [("", "empty"), ("  ", "empty"), ("kˈæt ☃", "Neither release"),
                                            ("hˈI hˈaɪ", "mix")])
def test_bad_phonemes_are_refused_before_any_run(manager, phonemes, says):
    with pytest.raises(InvalidInputError, match=says):
        attribution.plan_same_phonemes(manager, phonemes, "auto", VOICES, 1.0, None)
