"""A listener in a real browser with the headphone check on: its sound arrives as stereo with one tone in
antiphase, the listener fails it on purpose (from the keyboard), goes through the trials (the attention
trial among them), and the session is kept and marked failed: in the database and on the Results tab."""

from dataclasses import replace

import pytest
from helpers.browser import ARTIFACTS, running_app
from helpers.study import fill_bank

from kokoro_ui.abtest.material import load_sentences, voice_pairs
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.abtest.records import ATTENTION, HEADPHONES, quality_words

pytestmark = pytest.mark.browser

TRIALS = 3  # two of the study's (a cell and its repeat) and the attention trial, always second

DECODE = """async () => {
  const audio = document.querySelector('#screen-audio audio');
  const bytes = await (await fetch(audio.currentSrc || audio.src)).arrayBuffer();
  const decoded = await new OfflineAudioContext(2, 44100, 44100).decodeAudioData(bytes);
  const [left, right] = [decoded.getChannelData(0), decoded.getChannelData(1)];
  const tones = [];
  for (let start = 0; start < 3 * 66150; start += 66150) {  // 1 s tones every 1.5 s
    let sum = 0, difference = 0, level = 0;
    for (let i = start + 4410; i < start + 39690; i++) {  // inside the tone, past its ramps
      sum = Math.max(sum, Math.abs(left[i] + right[i]));
      difference = Math.max(difference, Math.abs(left[i] - right[i]));
      level = Math.max(level, Math.abs(left[i]));
    }
    tones.push({sum, difference, level});
  }
  return {channels: decoded.numberOfChannels, seconds: decoded.duration, tones};
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory, synthetic_settings, manager):
    folder = tmp_path_factory.mktemp("quality")
    (folder / "sentences.txt").write_text("h1\tThe cat sat down.\nh2\tIt is raining.\n", encoding="utf-8")
    fill_bank(manager, folder / "bank", load_sentences(folder / "sentences.txt"), voice_pairs(manager, "af_bella"))
    settings = replace(synthetic_settings, votes_db=folder / "votes.sqlite3", listening_trials=2,
                       listening_sentences=folder / "sentences.txt", listening_voices="af_bella", listening_mode="ab",
                       clip_bank=str(folder / "bank"), attention_check=True, headphone_check=True,
                       preload="v1.0,v0.19")
    with running_app(settings, releases_from=manager) as (base_url, app_manager):
        for release in ("v1.0", "v0.19"):
            app_manager.get_model(release)
        yield base_url, settings


def play_to_end(page, selector: str) -> None:
    page.eval_on_selector(selector, "audio => { audio.currentTime = 0; return audio.play(); }")
    page.wait_for_function(f"document.querySelector('{selector}').ended", timeout=30_000)


def test_a_listener_who_fails_the_headphone_check_goes_on_and_the_session_is_kept_marked(browser, app):
    base_url, settings = app
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(base_url)
    page.get_by_role("tab", name="Listening test").click()
    page.click("#listen-start")
    for number in (1, 2, 3):
        page.wait_for_function("label => document.querySelector('#screen-progress')?.innerText.includes(label)",
                               arg=f"Headphone check {number} / 3", timeout=60_000)
        page.wait_for_selector("#screen-audio audio", state="attached")
        if number == 1:  # what the browser gets is stereo, one tone with its channels opposite, two alike
            sound = page.evaluate(DECODE)
            assert sound["channels"] == 2 and sound["seconds"] == pytest.approx(4.0, abs=0.01)
            opposite = [tone["sum"] < 0.001 < 0.1 < tone["difference"] for tone in sound["tones"]]
            alike = [tone["difference"] < 0.001 < 0.05 < tone["level"] for tone in sound["tones"]]
            assert sorted(opposite) == [False, False, True] and sorted(alike) == [False, True, True]
        page.keyboard.press("1")  # before the sound was heard: the key does nothing, as the button would
        assert page.is_disabled("#screen-1")
        play_to_end(page, "#screen-audio audio")
        page.wait_for_function("!document.querySelector('#screen-1').disabled", timeout=10_000)
        if number == 1:
            page.screenshot(path=str(ARTIFACTS / "headphone_check.png"))
        page.locator("body").press("1")  # "the first tone" three times: three different orders make that wrong
    for number in range(1, TRIALS + 1):
        page.wait_for_function("label => document.querySelector('#listen-progress')?.innerText.includes(label)",
                               arg=f"Trial {number} / {TRIALS}", timeout=60_000)
        assert not page.is_visible("#listen-screening")
        for clip in ("a", "b"):
            play_to_end(page, f"#listen-{clip} audio")
        page.wait_for_function("!document.querySelector('#vote-b').disabled", timeout=10_000)
        page.click("#vote-b")
    page.wait_for_selector("#listen-reveal-table", state="visible", timeout=60_000)
    assert "Trial 2 was an attention check" in page.inner_text("#listen-tally")

    store = open_store(settings.votes_db)
    checks = {check.kind: check for check in store.checks()}
    assert (checks[HEADPHONES].passed, checks[HEADPHONES].answered) == (False, "1 1 1")
    assert checks[ATTENTION].passed is (checks[ATTENTION].asked == "B")
    votes = store.votes()
    assert [vote.trial for vote in votes] == [1, 3] and {vote.session_id for vote in votes} == {
        checks[HEADPHONES].session_id}

    page.get_by_role("tab", name="Results").click()
    page.check("#results-include-noise input[type=checkbox]")  # these processes run on synthetic weights: count their votes
    page.wait_for_function("document.querySelector('#results-quality')?.innerText.includes('Left out')",
                           timeout=30_000)
    assert "Left out: 1 session(s) and their 2 rating(s)." in page.inner_text("#results-quality")
    session = checks[HEADPHONES].session_id
    assert quality_words(store.checks())[session].startswith("failed: ")
    assert quality_words(store.checks())[session] in page.inner_text("#results-sessions")
    page.screenshot(path=str(ARTIFACTS / "quality_checks_results.png"), full_page=True)
