"""Compare's Measures section in a real browser: after a run, both figures with alt text, the measure table,
and downloads; at a phone's width the figures fit the screen."""

import base64
import csv
import io

import pytest

from helpers.browser import close_pages, open_app

pytestmark = pytest.mark.browser

TEXT = "The cat sat on the mat."


@pytest.fixture(scope="module")
def page(chromium, server_url):
    errors = []
    page = open_app(chromium, server_url, errors, width=390, height=844)
    page.wait_for_selector("#compare")
    page.fill("#text textarea", TEXT)
    page.click("#compare")
    page.wait_for_selector("#measures-view #measures-f0 img", timeout=300_000)
    yield page
    close_pages(chromium)
    assert errors == []


def test_both_figures_are_there_with_alt_text(page):
    figures = page.locator("#measures-view figure img")
    assert figures.count() == 2
    alts = [figures.nth(index).get_attribute("alt") for index in range(2)]
    assert alts[0].startswith("Log-mel spectrograms of Kokoro v0.19") and "v1.0" in alts[0]
    assert alts[1].startswith("F0 contours of Kokoro v0.19") and "v1.0" in alts[1]
    assert all("6 words, from “The” to “mat”" in alt for alt in alts)


def test_the_figures_fit_a_phone_screen(page):
    widths = page.locator("#measures-view figure img").evaluate_all("(images) => images.map(i => i.clientWidth)")
    assert len(widths) == 2 and all(0 < width <= 390 for width in widths)


def test_the_tables_and_downloads_are_there(page):
    view = page.locator("#measures-view")
    assert view.locator("tr", has_text="words_per_minute").count() == 1
    assert "measure noise" in view.inner_text()  # synthetic weights in the tests' app
    downloads = view.locator("a[download]").evaluate_all("(links) => links.map(a => a.getAttribute('download'))")
    assert downloads == ["kokoro_spectrograms.png", "kokoro_f0.png", "kokoro_measures.csv", "kokoro_word_measures.csv"]


def test_the_speaker_similarity_is_labelled_and_says_noise_makes_it_meaningless(page):
    """Both releases on the session's synthetic weights: the number is there, and so is what it is worth."""
    row = page.locator("#measures-speaker td")
    assert row.count() == 2 and row.nth(0).inner_text() == "speaker similarity (resemblyzer, GE2E)"
    value, _, rest = row.nth(1).inner_text().partition(" ")
    assert 0 <= float(value) <= 1 and rest.endswith("(cosine of the d-vectors of their voices; 1: one voice): "
                                                    "compares noise, means nothing")
    text = page.locator("#measures-view").inner_text()
    assert "the speaker similarity (resemblyzer, GE2E) compares noise from synthetic weights: it means nothing" in text
    assert "speaker similarity: resemblyzer 0.1.4 VoiceEncoder" in text
    href = page.locator("#measures-view a[download='kokoro_measures.csv']").get_attribute("href")
    header, *rows = csv.reader(io.StringIO(base64.b64decode(href.split(",", 1)[1]).decode()))
    assert header == ["measure", "v0.19", "v1.0", "difference"]
    assert rows[-1][:3] == ["speaker similarity (resemblyzer, GE2E)", "", ""]
    assert float(rows[-1][3]) == pytest.approx(float(value), abs=5e-4)  # the page shows 3 decimals, the CSV 4
