"""The Voices tab: every voice from the manifests, samples to hear, and a voice to take away."""

import json
import re

import numpy as np
import pytest
import soundfile

from kokoro_ui.outputs.loudness import integrated_loudness
from kokoro_ui.samples.cache import SampleCache
from kokoro_ui.weights.voices import MANIFEST_ROOT
from kokoro_ui.ui.gallery_cards import ANY, gallery_cards, language_choices
from kokoro_ui.ui.gallery_handlers import (choose_voice, compare_picked, mix_of_two, noise_warning, play_sample,
                                           play_shortlist, toggle_shortlist)


def manifest(folder: str) -> list[dict]:
    return json.loads((MANIFEST_ROOT / folder / "voices.json").read_text(encoding="utf-8"))["voices"]


def test_the_gallery_lists_every_voice_of_both_releases_from_their_manifests(manager):
    cards = gallery_cards(manager)
    expected = ({("v1.0", voice["id"]) for voice in manifest("v1_0")}
                | {("v0.19", voice["id"]) for voice in manifest("v0_19")})
    assert len(cards) == 54 + 11 == len(expected)
    assert {(card.release, card.voice.id) for card in cards} == expected


def test_filters_keep_the_voices_of_one_language_and_gender(manager):
    cards = gallery_cards(manager, "en-GB", "male")
    expected = [voice["id"] for voice in manifest("v1_0") + manifest("v0_19")
                if voice["language_tag"] == "en-GB" and voice["gender"] == "male"]
    assert sorted(card.voice.id for card in cards) == sorted(expected)
    tags = {tag for _, tag in language_choices(manager)}
    assert tags == {ANY} | {v["language_tag"] for v in manifest("v1_0")}


def test_a_voice_and_its_namesake_in_the_other_release_sit_side_by_side(manager):
    keys = [card.key for card in gallery_cards(manager)]
    assert keys.index("v0_19-af_bella") == keys.index("v1_0-af_bella") + 1


def test_a_card_plays_its_voice_at_the_listening_loudness_and_says_it_is_noise(manager, tmp_path):
    path, caption = play_sample(manager, SampleCache(manager, tmp_path), "v0.19", "bf_emma")
    audio, rate = soundfile.read(path)
    assert rate == 24_000 and len(audio) > rate // 2 and np.abs(audio).max() > 0.01
    assert integrated_loudness(audio) == pytest.approx(-23.0, abs=0.5)
    assert "Emma" in caption and "noise, not speech" in caption


def test_choosing_a_voice_gives_its_exact_name_and_working_snippets(manager):
    chosen, curl, python, slot = choose_voice("v1.0", "af_heart", "It's me.")
    assert "`af_heart`" in chosen and slot == "af_heart"
    body = json.loads(re.search(r"-d '(.*)'", curl).group(1))
    assert body == {"model": "kokoro", "input": body["input"], "voice": "af_heart", "version": "v1.0"}
    assert "/v1/audio/speech" in curl
    compile(python, "snippet.py", "exec")
    assert 'voice="af_heart"' in python and '"version": "v1.0"' in python and "base_url=" in python


def test_synthetic_weights_are_announced_next_to_the_play_buttons(manager):
    assert "noise, not speech" in noise_warning(manager)
    assert "v0.19" in noise_warning(manager) and "v1.0" in noise_warning(manager)


def test_the_slider_makes_a_mix_of_two_voices_and_either_end_is_one_voice():
    assert mix_of_two("af_bella", "af_sky", 70) == "af_bella(70)+af_sky(30)"
    assert mix_of_two("af_bella", "af_sky", 100) == "af_bella" and mix_of_two("af_bella", "af_sky", 0) == "af_sky"
    assert mix_of_two("af_bella", "af_bella", 40) == "af_bella"


def test_a_mix_plays_and_its_caption_names_its_shares(manager, tmp_path):
    path, caption = play_sample(manager, SampleCache(manager, tmp_path), "v1.0", "af_bella(70)+af_sky(30)")
    assert soundfile.info(path).duration > 0.5 and "Bella 70% + Sky 30%" in caption


def test_a_bad_mix_says_why_instead_of_playing(manager, tmp_path):
    path, caption = play_sample(manager, SampleCache(manager, tmp_path), "v1.0", "af_bella(70)+bf_emma(30)")
    assert path is None and "one language" in caption


def test_the_shortlist_plays_each_voice_in_turn_on_the_visitor_s_sentence(manager, tmp_path):
    shortlist = toggle_shortlist("v0_19-bm_george", toggle_shortlist("v1_0-af_bella", []))
    frames = list(play_shortlist(manager, SampleCache(manager, tmp_path), shortlist, "Good morning."))
    assert [caption.split(" · ")[0] for _, caption in frames[:2]] == ["**1 of 2**", "**2 of 2**"]
    assert "Bella" in frames[0][1] and "George" in frames[1][1] and "Bella, George" in frames[2][1]
    assert all(soundfile.info(path).duration > 0.3 for path, _ in frames[:2])


def test_a_second_press_takes_a_voice_off_the_shortlist():
    assert toggle_shortlist("v1_0-af_bella", ["v1_0-af_bella", "v1_0-af_sky"]) == ["v1_0-af_sky"]


def test_compare_these_two_needs_one_voice_of_each_release(manager):
    left, right, _, message = compare_picked(manager, ["v1_0-af_bella", "v0_19-bm_george"])
    assert (left, right, message) == ("bm_george", "af_bella", "")
    *_, message = compare_picked(manager, ["v1_0-af_bella", "v1_0-af_sky"])
    assert "one of Kokoro v0.19 and one of Kokoro v1.0" in message
