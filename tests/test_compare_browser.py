"""The Compare tab in a real browser: type, press Compare, hear and see both releases; Stop stops."""

import time

import pytest

from helpers.browser import ARTIFACTS

pytestmark = pytest.mark.browser

PARAGRAPH = ("The first sentence is short. The second sentence carries on for a little while longer, "
             "with a clause or two. A third one ends it.")


@pytest.fixture(scope="module")
def app(server_url, manager):
    return server_url, manager


@pytest.fixture()
def page(browser, app):
    errors = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(app[0])
    page.wait_for_selector("#compare")
    yield page
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
    assert page.locator("#word-view tr").count() > 3
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


def test_closing_the_tab_stops_both_sides(app, page):
    _, manager = app
    models = [manager.get_model(version) for version in ("v0.19", "v1.0")]
    text = "\n".join(f"Line number {n} of a long text that keeps going." for n in range(40))  # ~10 chunks a side
    page.fill("#text textarea", text)
    page.click("#compare")
    page.wait_for_selector("#left-chunks li, #right-chunks li", timeout=180_000)
    at_close = sum(model.forward_passes for model in models)
    page.close()
    assert _settled_passes(models) <= at_close + 2  # at most the pass each side had under way


def _settled_passes(models, quiet_s: float = 4, limit_s: float = 120) -> int:
    """The forward-pass count once it has stopped changing for `quiet_s` (or after `limit_s`)."""
    passes, unchanged_since, deadline = -1, time.monotonic(), time.monotonic() + limit_s
    while time.monotonic() < deadline:
        now = sum(model.forward_passes for model in models)
        if now != passes:
            passes, unchanged_since = now, time.monotonic()
        elif time.monotonic() - unchanged_since >= quiet_s:
            break
        time.sleep(0.25)
    return passes


def test_too_long_text_gets_a_clear_message(app, page):
    page.fill("#text textarea", "word " * 1_100)
    page.wait_for_selector("#char-count >> text=/too long/", timeout=30_000)
    page.click("#compare")
    page.wait_for_selector("text=/limit is 5,000/", timeout=30_000)
