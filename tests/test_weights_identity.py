"""A loaded release's `weights_id` and its voice packs' digests: the same weights give the same id, any
change gives another."""

import copy

import torch

from kokoro_ui.services.manager import ModelManager
from kokoro_ui.weights.checkpoint import pack_digest, weights_digest


def test_loading_the_same_weights_again_gives_the_same_id(synthetic_settings, v1):
    again = ModelManager(synthetic_settings).get_model("v1.0")
    assert again.info.weights_id == v1.info.weights_id != ""


def test_the_two_releases_have_different_ids(v1, v019):
    assert v1.info.weights_id != v019.info.weights_id


def test_changing_one_weight_changes_the_digest(v1):
    changed = copy.deepcopy(v1.kmodel)
    with torch.no_grad():
        changed.decoder.generator.conv_post.bias[0] += 1e-6
    assert weights_digest(changed) != weights_digest(v1.kmodel)


def test_changing_the_stft_window_changes_the_digest(v1):
    changed = copy.deepcopy(v1.kmodel)
    changed.decoder.generator.stft.window = changed.decoder.generator.stft.window.double().float() * (1 + 1e-7)
    assert weights_digest(changed) != weights_digest(v1.kmodel)


def test_a_voice_pack_digest_changes_with_any_value_and_not_otherwise(v1):
    pack = v1.voice_pack(v1.voices.get("af_bella"))
    changed = pack.clone()
    changed[0, 0, 0] += 1e-6
    assert pack_digest(pack) == pack_digest(pack.clone()) != pack_digest(changed)
    assert pack_digest(pack) != pack_digest(v1.voice_pack(v1.voices.get("af_heart")))
