"""A crowd participant in a real browser: arrives on a Prolific link, rates a whole MOS session from the
keyboard alone (keys work only once the clip has played to its end, as the buttons), sees the
completion code with the return link, and on a second visit is told they have finished."""

from dataclasses import replace

import pytest
from helpers.browser import ARTIFACTS, running_app
from helpers.study import fill_bank

from kokoro_ui.abtest.material import load_sentences, voice_pairs
from kokoro_ui.abtest.persistence import open_store

pytestmark = pytest.mark.browser

LINK = "?PROLIFIC_PID=60a1b2c3d4e5f6a7b8c9d0e1&STUDY_ID=study42&SESSION_ID=sess7"
CODE = "C1A2B3"
TRIALS = 4
SCORES = ["5", "2", "4", "1"]


@pytest.fixture(scope="module")
def app(tmp_path_factory, synthetic_settings, manager):
    folder = tmp_path_factory.mktemp("crowd")
    (folder / "sentences.txt").write_text("c1\tThe cat sat down.\nc2\tIt is raining.\n", encoding="utf-8")
    fill_bank(manager, folder / "bank", load_sentences(folder / "sentences.txt"), voice_pairs(manager, "af_bella"))
    settings = replace(synthetic_settings, votes_db=folder / "votes.sqlite3", listening_trials=TRIALS,
                       listening_sentences=folder / "sentences.txt", listening_voices="af_bella",
                       listening_mode="mos", completion_code=CODE, clip_bank=str(folder / "bank"),
                       preload="v1.0,v0.19")
    with running_app(settings, releases_from=manager) as (base_url, app_manager):
        for release in ("v1.0", "v0.19"):
            app_manager.get_model(release)
        yield base_url, settings


def open_listening(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(url)
    page.get_by_role("tab", name="Listening test").click()
    page.wait_for_selector("#listen-start", state="visible")
    return page


def start_by_keyboard(page) -> None:
    page.focus("#listen-start")
    page.keyboard.press("Enter")


def test_a_prolific_participant_rates_a_mos_session_by_keyboard_and_gets_the_code_once(browser, app):
    base_url, settings = app
    page = open_listening(browser, base_url + "/" + LINK)
    start_by_keyboard(page)
    for number, score in enumerate(SCORES, start=1):
        page.wait_for_function(f"document.querySelector('#listen-progress')?.innerText.includes('{number} / {TRIALS}')",
                               timeout=120_000)
        assert page.get_attribute("#vote-5", "aria-keyshortcuts") == "5"
        page.keyboard.press(score)  # before the clip was heard: the key does nothing, as the button would
        page.wait_for_timeout(500)
        assert page.is_disabled("#vote-1") and len(open_store(settings.votes_db).votes()) == number - 1
        page.eval_on_selector("#listen-a audio", "audio => { audio.currentTime = 0; return audio.play(); }")
        page.wait_for_function("document.querySelector('#listen-a audio').ended", timeout=30_000)
        page.wait_for_function("!document.querySelector('#vote-1').disabled", timeout=10_000)
        page.locator("body").press(score)
    page.wait_for_selector("#listen-reveal-table", state="visible", timeout=60_000)
    tally = page.inner_text("#listen-tally")
    page.screenshot(path=str(ARTIFACTS / "crowd_completion.png"), full_page=True)
    assert CODE in tally
    assert page.get_attribute("#listen-tally a", "href") == f"https://app.prolific.com/submissions/complete?cc={CODE}"

    stored = open_store(settings.votes_db).votes()
    assert [vote.score for vote in stored] == [int(score) for score in SCORES]
    assert {(vote.participant, vote.study_id, vote.platform_session, vote.mode) for vote in stored} == {
        ("60a1b2c3d4e5f6a7b8c9d0e1", "study42", "sess7", "mos")}
    assert "60a1b2c3d4e5f6a7b8c9d0e1" not in page.inner_text("#listen-panel")

    again = open_listening(browser, base_url + "/" + LINK)
    start_by_keyboard(again)
    again.wait_for_function("document.querySelector('#listen-message')?.innerText.includes('already finished')",
                            timeout=60_000)
    assert len(open_store(settings.votes_db).votes()) == TRIALS
