"""What a user types is shown as text, never run as markup, in every view that echoes it."""

import pytest

pytestmark = pytest.mark.browser

PAYLOAD = ('Hello <img src=x onerror="window.__xss = 1"> and <script>window.__xss = 2</script> '
           'and **bold** [link](javascript:window.__xss=3).')


@pytest.fixture(scope="module")
def app(server_url):
    return server_url


def test_markup_in_the_text_is_shown_literally_and_runs_nothing(browser, app):
    page = browser.new_page()
    page.goto(app)
    page.wait_for_selector("#compare")
    page.fill("#text textarea", PAYLOAD)
    page.click("#compare")
    page.wait_for_selector('#run-table [data-testid="cell-1-0"]', timeout=240_000)
    for side in ("left", "right"):
        shown = page.inner_text(f"#{side}-chunks")
        assert "<img src=x" in shown and "<script>" in shown
        assert page.locator(f"#{side}-chunks img, #{side}-chunks script, #{side}-chunks strong").count() == 0
    assert page.evaluate("window.__xss") is None
