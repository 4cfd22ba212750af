"""The clip bank: `render` synthesises only what is missing, clips are filed by what made them, and the
listening test serves banked clips without a forward pass (still matched and freshly dithered)."""

import numpy as np
import pytest

from kokoro_ui.abtest.attention import instruction
from kokoro_ui.abtest.bank import RENDERING, ClipBank, render
from kokoro_ui.abtest.design import AB
from kokoro_ui.abtest.clips import ClipCache
from kokoro_ui.abtest.material import Sentence, voice_pairs

SENTENCE = Sentence("k1", "Hi.")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, manager):
    bank = ClipBank(tmp_path_factory.mktemp("bank"))
    done = render(manager, bank, [SENTENCE], voice_pairs(manager, "af_bella"), 1.0, ["v1.0", "v0.19"], progress=False)
    return bank, done


def test_render_makes_every_missing_clip_and_keeps_what_is_there(rendered, manager):
    bank, done = rendered
    assert (done.made, done.kept) == (2, 0)
    again = render(manager, bank, [SENTENCE], voice_pairs(manager, "af_bella"), 1.0, ["v1.0", "v0.19"],
                   progress=False)
    assert (again.made, again.kept) == (0, 2)


def test_render_makes_the_attention_trials_clips_in_each_pairs_v1_0_voice(rendered, manager, v1):
    bank, _ = rendered
    asked = instruction(AB, "B")
    only_old = render(manager, bank, [SENTENCE], voice_pairs(manager, "af_bella"), 1.0, ["v0.19"], progress=False,
                      attention_texts=[asked])
    assert (only_old.made, only_old.kept) == (0, 1)  # v0.19 never speaks an attention trial
    done = render(manager, bank, [SENTENCE], voice_pairs(manager, "af_bella"), 1.0, ["v1.0"], progress=False,
                  attention_texts=[asked])
    assert (done.made, done.kept) == (1, 1) and bank.has(v1, "af_bella", asked, 1.0)


def test_clips_are_filed_by_release_weights_rendering_voice_text_and_speed(rendered, v1, v019):
    bank, _ = rendered
    here = bank.path(v1, "af_bella", SENTENCE.text, 1.0)
    release_folder = here.parent.parent.name
    assert RENDERING == "whole-pass" and release_folder.endswith(f"-{RENDERING}")
    assert v1.info.weights_id in release_folder and release_folder.startswith("v1.0-synthetic-torch-")
    assert bank.path(v019, "af_bella", SENTENCE.text, 1.0).parent.parent.name != release_folder
    assert here.is_file()
    others = {bank.path(v1, "af_heart", SENTENCE.text, 1.0), bank.path(v1, "af_bella", "Ho.", 1.0),
              bank.path(v1, "af_bella", SENTENCE.text, 1.1), bank.path(v019, "af_bella", SENTENCE.text, 1.0)}
    assert here not in others and len(others) == 4


def test_a_banked_clip_is_served_without_a_forward_pass(rendered, manager, v1):
    bank, _ = rendered
    before = v1.forward_passes
    clip = ClipCache(manager, bank=bank).get("v1.0", "af_bella", SENTENCE.text, 1.0)
    assert v1.forward_passes == before
    assert np.array_equal(clip.audio, bank.load(v1, "af_bella", SENTENCE.text, 1.0))


def test_a_clip_the_bank_lacks_or_cannot_read_is_made_once_and_banked(tmp_path, manager, v1):
    bank = ClipBank(tmp_path)
    path = bank.path(v1, "af_bella", "Yes.", 1.0)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a file")  # e.g. copied in by hand and cut short
    assert bank.load(v1, "af_bella", "Yes.", 1.0) is None
    before = v1.forward_passes
    ClipCache(manager, bank=bank).get("v1.0", "af_bella", "Yes.", 1.0)
    made = v1.forward_passes - before
    assert made >= 1 and bank.load(v1, "af_bella", "Yes.", 1.0) is not None
    ClipCache(manager, bank=bank).get("v1.0", "af_bella", "Yes.", 1.0)  # a fresh cache: another process
    assert v1.forward_passes - before == made
