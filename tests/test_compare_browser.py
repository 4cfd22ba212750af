"""The Compare tab in a real browser: type, press Compare, hear and see both releases; Stop stops."""

import time

import pytest

from browser import ARTIFACTS, launch_chromium, running_app, sync_playwright

PARAGRAPH = ("The first sentence is short. The second sentence carries on for a little while longer, "
             "with a clause or two. A third one ends it.")


@pytest.fixture(scope="module")
def app(synthetic_settings):
    with running_app(synthetic_settings) as (base_url, manager):
        yield base_url, manager


@pytest.fixture()
def page(app):
    errors = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(app[0])
        page.wait_for_selector("#compare")
        yield page
        browser.close()
    assert errors == []


def test_compare_streams_both_releases_side_by_side(app, page):
    page.fill("#text textarea", PARAGRAPH)
    page.click("#compare")
    for side in ("left", "right"):
        page.wait_for_function(
            f"() => {{ const a = document.querySelector('#{side}-audio audio'); return a && a.currentTime > 0; }}",
            timeout=180_000)
        page.wait_for_selector(f"#{side}-chunks li", timeout=180_000)
    page.wait_for_selector('#run-table [data-testid="cell-1-0"]', timeout=240_000)
    assert {page.inner_text('#run-table [data-testid="cell-0-0"]'),
            page.inner_text('#run-table [data-testid="cell-1-0"]')} == {"v0.19", "v1.0"}
    assert "synthetic weights" in page.inner_text("#synthetic-banner")
    assert "noise" in page.inner_text("#synthetic-banner")
    assert page.locator("#alignment tr").count() > 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)


def test_stop_cancels_both_sides(app, page):
    base_url, manager = app
    text = "\n".join(f"Line number {n} of a long text that keeps going." for n in range(20))
    page.fill("#text textarea", text)
    page.click("#compare")
    page.wait_for_selector("#left-chunks li, #right-chunks li", timeout=180_000)
    page.click("#stop")
    time.sleep(0.5)  # a forward pass already running may finish
    models = [manager.get_model(version) for version in ("v0.19", "v1.0")]
    passes = sum(model.forward_passes for model in models)
    time.sleep(3)
    assert sum(model.forward_passes for model in models) == passes


def test_too_long_text_gets_a_clear_message(app, page):
    page.fill("#text textarea", "word " * 1_100)
    page.wait_for_selector("#char-count >> text=/too long/", timeout=30_000)
    page.click("#compare")
    page.wait_for_selector("text=/limit is 5,000/", timeout=30_000)
