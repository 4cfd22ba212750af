"""The 2×2 swap mode in a real browser: choose it, run it, and all four labelled players play."""

import pytest

from helpers.browser import ARTIFACTS, open_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(server_url, manager):
    return server_url, manager


def test_swap_mode_streams_four_labelled_players_that_all_play(browser, app):
    errors = []
    page = open_app(browser, app[0], errors, height=1200)
    page.wait_for_selector("#what-to-compare")
    page.fill("#text textarea", "The cat sat on the mat. It was happy there.")
    page.get_by_label("Swap front ends (2×2)").check()
    page.wait_for_selector("#attribution-run", state="visible")
    page.click("#attribution-run")
    for n in range(4):
        page.wait_for_function(
            f"() => {{ const a = document.querySelector('#cell{n}-audio audio'); return a && a.currentTime > 0; }}",
            timeout=240_000)
    statuses = [page.inner_text(f"#cell{n}-status") for n in range(4)]
    assert [status.split(" — ")[0].strip("* ") for status in statuses] == [
        "v0.19 front end → v0.19 network", "v0.19 front end → v1.0 network",
        "v1.0 front end → v0.19 network", "v1.0 front end → v1.0 network"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "attribution_swap.png"), full_page=True)
    assert errors == []
