"""The v0.19 build: its own checkpoint layout, voices and sentence-sized streaming."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from kokoro_ui.builds import BUILDS, Build
from kokoro_ui.engine.chunk import SAMPLES_PER_FRAME
from kokoro_ui.errors import UnsupportedLanguageError, WeightsError
from kokoro_ui.services.manager import ModelManager

TEXT = "Dr. Smith paid $3.50 for it. Kokoro is (very) good! It costs ninety-nine pounds."


def test_speaks_a_text_that_fits_one_pass_in_one_pass_as_the_original_did(v019):
    """Sentences are packed up to 510 tokens, so this text is one pass through v0.19's own normaliser."""
    chunks = list(v019.stream(TEXT, "af_bella"))
    assert [chunk.graphemes for chunk in chunks] == [
        "Doctor Smith paid 3 dollars and 50 cents for it. Kokoro is «very» good! It costs ninety-nine pounds."]
    assert len(chunks[0].audio) == sum(chunks[0].durations_frames) * SAMPLES_PER_FRAME


def test_fast_first_when_asked_cuts_a_short_first_piece_then_packs_the_rest(v019):
    """The first piece ends before a phrase ("for"), within `pacing`'s first-piece range; the rest
    is one pass. Each piece goes through v0.19's own normaliser."""
    chunks = list(v019.stream(TEXT, "af_bella", fast_first=True))
    assert [chunk.graphemes for chunk in chunks] == [
        "Doctor Smith paid 3 dollars and 50 cents",
        "for it. Kokoro is «very» good! It costs ninety-nine pounds.",
    ]
    for chunk in chunks:
        assert len(chunk.audio) == sum(chunk.durations_frames) * SAMPLES_PER_FRAME


def test_speaks_only_english(v019):
    with pytest.raises(UnsupportedLanguageError, match="American English"):
        v019.stream("Hola.", "af_bella", lang="e")


def test_voice_manifest_pairs_same_named_voices(manager):
    voices = manager.voices("v0.19")
    assert len(voices) == 11
    assert voices.get("bm_lewis").pairs_with == "bm_lewis"
    assert voices.get("af").pairs_with is None  # a mix with no v1.0 counterpart
    v1_ids = set(manager.voices("v1.0").ids())
    assert all(voice.pairs_with in v1_ids for voice in voices if voice.pairs_with)


def _weights_folder(settings, tmp_path, offered_as: str, taken_from: str):
    """A weights folder whose `offered_as` release holds `taken_from`'s synthetic files."""
    synthetic = settings.cache_dir / f"synthetic-seed{settings.synthetic_seed}"
    target = tmp_path / BUILDS[offered_as].spec.folder
    target.mkdir()
    source = synthetic / BUILDS[taken_from].spec.folder
    (target / "config.json").write_bytes((synthetic / BUILDS[offered_as].spec.folder / "config.json").read_bytes())
    (target / BUILDS[offered_as].spec.checkpoint_file).symlink_to(source / BUILDS[taken_from].spec.checkpoint_file)
    return ModelManager(replace(settings, weights=str(tmp_path)))


def test_a_v1_0_checkpoint_offered_as_v0_19_is_refused(manager, synthetic_settings, tmp_path):
    manager.get_model("v1.0"), manager.get_model("v0.19")  # both synthetic releases exist
    wrong = _weights_folder(synthetic_settings, tmp_path, offered_as="v0.19", taken_from="v1.0")
    with pytest.raises(WeightsError, match=r"not a Kokoro v0\.19 checkpoint.*\{'net': \.\.\.\}"):
        wrong.get_model("v0.19")


def test_a_v0_19_checkpoint_offered_as_v1_0_is_refused(manager, synthetic_settings, tmp_path):
    manager.get_model("v1.0"), manager.get_model("v0.19")
    wrong = _weights_folder(synthetic_settings, tmp_path, offered_as="v1.0", taken_from="v0.19")
    with pytest.raises(WeightsError, match=r"not a Kokoro v1\.0 checkpoint.*v0\.19 layout"):
        wrong.get_model("v1.0")


def test_a_v1_0_voice_pack_is_refused_by_v0_19(v019, manager, tmp_path):
    v1_pack = manager.get_model("v1.0").source.file("voices/af_bella.pt")
    pack = torch.load(v1_pack, weights_only=True)
    assert pack.shape == (510, 1, 256)
    broken = replace(v019.source, fetch=lambda relative: v1_pack)
    release = type(v019)(v019.spec, v019.kmodel, v019.frontend, v019.voices, broken, 0.0)
    with pytest.raises(WeightsError, match=r"not a Kokoro v0\.19 voice pack: shape \(510, 1, 256\)"):
        release.voice_pack(v019.voices.get("af_bella"))


def test_switching_versions_builds_each_once_and_repeats_exactly(synthetic_settings):
    loads = []

    def counted(version):
        def load(source, backend):
            loads.append(version)
            return BUILDS[version].load(source, backend)
        return Build(BUILDS[version].spec, load, BUILDS[version].reference)

    manager = ModelManager(synthetic_settings, {version: counted(version) for version in BUILDS})
    first: dict[str, np.ndarray] = {}
    for _ in range(3):  # there, back, there again: each switch after the first two finds both built
        for version, voice in (("v0.19", "af_sarah"), ("v1.0", "af_sarah")):
            model = manager.get_model(version)  # the first call loads and warms up, which draws random numbers
            torch.manual_seed(7)
            audio = next(model.stream("Switch and switch back.", voice)).audio
            assert np.array_equal(first.setdefault(version, audio), audio)
    assert sorted(loads) == ["v0.19", "v1.0"]
    assert not np.array_equal(first["v0.19"][:1000], first["v1.0"][:1000])
