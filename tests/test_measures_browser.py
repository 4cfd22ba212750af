"""Compare's Measures section in a real browser: after a run, both figures with alt text, the measure table,
and downloads; at a phone's width the figures fit the screen."""

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
