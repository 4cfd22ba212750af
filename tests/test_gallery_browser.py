"""The Voices tab in a real browser: cached samples play from their files, the shortlist survives a
reload, and cards play, choose and send a pair to Compare."""

from dataclasses import replace

import pytest
from helpers.browser import running_app
from test_gallery import manifest

from kokoro_ui.samples.cache import SampleCache
from kokoro_ui.samples.renderer import SampleJob, SampleRenderer
from kokoro_ui.services.languages import sample_sentence

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory, synthetic_settings, manager):
    folder = tmp_path_factory.mktemp("gallery")
    settings = replace(synthetic_settings, votes_db=folder / "votes.sqlite3", samples_dir=folder / "samples")
    with running_app(settings, releases_from=manager) as (base_url, app_manager):
        for version in app_manager.versions():
            app_manager.get_model(version)
        jobs = [SampleJob("v1.0", voice, sample_sentence("a")) for voice in ("af_bella", "af_sky")]
        renderer = SampleRenderer(SampleCache(app_manager), jobs)
        assert renderer.start().join(300) and renderer.rendered == 2  # in the background, as at start
        yield base_url, app_manager


@pytest.fixture(scope="module")
def app(served):
    return served[0]


def open_gallery(browser, base_url):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(base_url)
    page.get_by_role("tab", name="Voices").click()
    page.wait_for_function("document.querySelectorAll('.kab-card').length === 65", timeout=60_000)
    return page


def test_in_the_browser_a_cached_sample_plays_from_its_file_without_a_forward_pass(browser, served):
    """Play on a card whose sample is ready serves the file: no pass runs, and the player plays it.
    The delay from click to `playing` is printed (0.17 s on a busy machine), not asserted: timings
    belong to benchmarks on a quiet machine. The page's first Play also starts up its player."""
    base_url, manager = served
    page = open_gallery(browser, base_url)
    page.wait_for_function("getComputedStyle(document.querySelector('#card-v1_0-af_bella .kab-ready')).display"
                           " !== 'none'", timeout=30_000)
    assert page.locator("#card-v1_0-am_adam .kab-ready").is_hidden()  # not rendered: no tick
    page.click("#play-v1_0-af_sky")
    page.wait_for_function("(a => a && a.currentTime > 0)(document.querySelector('#gallery-player audio'))",
                           timeout=30_000)
    page.evaluate("""() => {
        window.kab = {};
        document.addEventListener('click', e => {
            if (e.target.closest('#play-v1_0-af_bella')) window.kab.click = performance.now(); }, true);
        document.addEventListener('playing', e => {
            if (e.target.closest('#gallery-player')) window.kab.playing = performance.now(); }, true);
    }""")
    passes = manager.get_model("v1.0").forward_passes
    page.click("#play-v1_0-af_bella")
    page.wait_for_function("window.kab.playing !== undefined", timeout=30_000)
    print(f"click to playing: {page.evaluate('(window.kab.playing - window.kab.click) / 1000'):.3f} s")
    assert manager.get_model("v1.0").forward_passes == passes


def test_in_the_browser_a_shortlist_survives_a_reload_and_sends_two_voices_to_compare(browser, app):
    page = open_gallery(browser, app)
    page.click("#star-v1_0-af_bella")
    page.wait_for_function("document.querySelector('#star-v1_0-af_bella').innerText.includes('★')")
    page.click("#star-v0_19-bm_george")
    page.wait_for_function("document.querySelector('#shortlist').innerText.includes('George')")
    page.reload()
    page.get_by_role("tab", name="Voices").click()
    page.wait_for_function("document.querySelector('#shortlist').innerText.includes('George')", timeout=30_000)
    assert "Bella" in page.inner_text("#shortlist")
    assert page.get_by_role("button", name="★ Shortlisted").count() == 2
    page.get_by_label("🇺🇸 Bella (Kokoro v1.0)").check()
    page.get_by_label("🇬🇧 George (Kokoro v0.19)").check()
    page.click("#shortlist-compare")
    page.wait_for_function("document.querySelector('#left-voice input')?.value.includes('bm_george')",
                           timeout=10_000)
    assert "af_bella" in page.input_value("#right-voice input")


def test_in_the_browser_cards_play_choose_and_send_a_pair_to_compare(browser, app):
    page = open_gallery(browser, app)
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
