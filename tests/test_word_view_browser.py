"""The word view in a real browser: a row's play control plays the word from v0.19, then from v1.0,
each clip the word's own duration plus the context either side; a 5,000-character passage's table
draws in under a second."""

import pytest

from helpers.browser import close_pages, open_app
from kokoro_ui.engine.words import written_words
from kokoro_ui.ui import word_table
from kokoro_ui.outputs.word_view import CONTEXT_S, SpokenWord, WordRow

pytestmark = pytest.mark.browser

TEXT = "Hello there, my old friend, it is good to see you again."
ROW = 2  # "my": a word in the middle, so both sides of its clip have their full context

# Media events do not bubble; caught on the way down, each word clip that ends is noted in order. Only the
# word view's clips count: the releases' own players (which play on their own as audio streams) end too.
RECORD_CLIPS = """() => { window.clipsEnded = [];
  document.addEventListener('ended', (e) => { if (e.target.classList.contains('kab-clip'))
    window.clipsEnded.push({side: e.target.dataset.side, duration: e.target.duration}); }, true); }"""


@pytest.fixture(scope="module")
def page(chromium, server_url):
    errors = []
    page = open_app(chromium, server_url, errors)
    page.wait_for_selector("#compare")
    page.fill("#text textarea", TEXT)
    page.click("#compare")
    page.wait_for_selector(f"#word-view button.kab-play[data-row='{ROW}']", timeout=240_000)
    yield page
    close_pages(chromium)
    assert errors == []


def test_a_rows_play_control_plays_the_word_from_both_releases_in_turn(page):
    page.evaluate(RECORD_CLIPS)
    cells = page.locator(f"#word-view tr[data-row='{ROW}'] td").all_inner_texts()
    assert cells[0] == "my"
    left_ms, right_ms = int(cells[3]), int(cells[4])
    button = page.locator(f"#word-view button.kab-play[data-row='{ROW}']")
    assert "my" in button.get_attribute("aria-label")
    button.focus()
    page.keyboard.press("Enter")  # the keyboard works as a click does
    page.wait_for_function("() => window.clipsEnded.length >= 2", timeout=30_000)
    ended = page.evaluate("() => window.clipsEnded")
    assert [clip["side"] for clip in ended] == ["v0.19", "v1.0"]
    for clip, ms in zip(ended, (left_ms, right_ms)):
        assert clip["duration"] == pytest.approx(ms / 1000 + 2 * CONTEXT_S, abs=0.03)


def test_the_word_view_of_a_5000_character_passage_draws_in_under_a_second(page):
    html = word_table.word_table_html(_rows(_passage(5000)), "v0.19", "v1.0")
    elapsed_ms = page.evaluate("""(html) => {
        const view = document.querySelector('#word-view .kab-words table')?.parentElement
                     ?? document.querySelector('#word-view');
        const started = performance.now();
        view.innerHTML = html;
        view.getBoundingClientRect(); document.body.offsetHeight;  // style and layout done, not deferred
        return performance.now() - started; }""", html)
    assert page.locator("#word-view tr[data-row]").count() > 800
    assert elapsed_ms < 1000


def _passage(chars: int) -> str:
    sentence = "Dr. Smith paid $3.50 for the well-known book at 10:30, didn't he? "
    return (sentence * (chars // len(sentence) + 1))[:chars]


def _rows(text: str) -> list[WordRow]:
    """A row per written word, every other one differing, phonemes as long as real ones."""
    rows = []
    for number, word in enumerate(written_words(text)):
        left = SpokenWord(word.word, word.start, word.end, "ˈɛ" * len(word.word), number * 0.3, number * 0.3 + 0.25)
        right = SpokenWord(word.word, word.start, word.end, ("ˈɛ" if number % 2 else "ˈA") * len(word.word),
                           number * 0.3, number * 0.3 + 0.2)
        rows.append(WordRow(word.word, left, right))
    return rows
