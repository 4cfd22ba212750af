"""The Voices tab: every voice from the manifests, samples to hear, and a voice to take away."""

import json
import re
from dataclasses import replace

import numpy as np
import pytest
import soundfile
from browser import launch_chromium, running_app, sync_playwright

from kokoro_ui.abtest.clips import ClipCache, integrated_loudness
from kokoro_ui.weights.voices import MANIFEST_ROOT
from kokoro_ui.ui.gallery_tab import ANY, choose_voice, gallery_cards, language_choices, noise_warning, play_sample


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


def test_a_card_plays_its_voice_at_the_listening_loudness_and_says_it_is_noise(manager):
    path, caption = play_sample(manager, ClipCache(manager), "v0.19", "bf_emma")
    audio, rate = soundfile.read(path)
    assert rate == 24_000 and len(audio) > rate // 2 and np.abs(audio).max() > 0.01
    assert integrated_loudness(audio) == pytest.approx(-23.0, abs=0.5)
    assert "Emma" in caption and "noise, not speech" in caption


def test_a_voice_whose_language_cannot_be_spoken_here_says_so_instead_of_failing(manager):
    japanese = next(card for card in gallery_cards(manager, "ja") if card.release == "v1.0")
    path, caption = play_sample(manager, ClipCache(manager), "v1.0", japanese.voice.id)  # must not raise
    assert path is not None or "can't be played here" in caption  # plays where misaki[ja] is installed


def test_choosing_a_voice_gives_its_exact_name_and_working_snippets(manager):
    voice = manager.voices("v1.0").get("af_heart")
    chosen, curl, python, slot = choose_voice("v1.0", voice)
    assert "`af_heart`" in chosen and slot == "af_heart"
    body = json.loads(re.search(r"-d '(.*)'", curl).group(1))
    assert body == {"model": "kokoro", "input": body["input"], "voice": "af_heart", "version": "v1.0"}
    assert "/v1/audio/speech" in curl
    compile(python, "snippet.py", "exec")
    assert 'voice="af_heart"' in python and '"version": "v1.0"' in python and "base_url=" in python


def test_synthetic_weights_are_announced_next_to_the_play_buttons(manager):
    assert "noise, not speech" in noise_warning(manager)
    assert "v0.19" in noise_warning(manager) and "v1.0" in noise_warning(manager)


@pytest.fixture(scope="module")
def app(tmp_path_factory, synthetic_settings):
    folder = tmp_path_factory.mktemp("gallery")
    with running_app(replace(synthetic_settings, votes_db=folder / "votes.sqlite3")) as (base_url, _):
        yield base_url


def test_in_the_browser_cards_play_choose_and_send_a_pair_to_compare(app):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(app)
        page.get_by_role("tab", name="Voices").click()
        page.wait_for_function("document.querySelectorAll('.kab-card').length === 65", timeout=60_000)
        assert "noise, not speech" in page.inner_text("#gallery-noise")

        page.click("#play-v1_0-af_bella")
        page.wait_for_function("(a => a && a.currentTime > 0)(document.querySelector('#gallery-player audio'))",
                               timeout=120_000)
        assert "Bella" in page.inner_text("#gallery-now-playing")

        page.click("#choose-v0_19-bm_george")
        page.wait_for_function("document.querySelector('#gallery-chosen').innerText.includes('bm_george')")
        assert "bm_george" in page.inner_text("#gallery-curl")
        page.click("#choose-v1_0-bf_emma")
        page.wait_for_function("document.querySelector('#gallery-chosen').innerText.includes('bf_emma')")
        page.get_by_label("Male", exact=True).check()
        males = sum(voice["gender"] == "male" for voice in manifest("v1_0") + manifest("v0_19"))
        page.wait_for_function(f"[...document.querySelectorAll('.kab-card')].filter(c => c.offsetParent).length"
                               f" === {males}", timeout=10_000)
        page.click("#gallery-compare")
        page.wait_for_function("document.querySelector('#left-voice input')?.value.includes('bm_george')",
                               timeout=10_000)
        assert "bf_emma" in page.input_value("#right-voice input")
        assert page.get_by_role("tab", name="Compare").get_attribute("aria-selected") == "true"
        browser.close()
