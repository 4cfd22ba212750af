"""Helpers for browser tests: the real app on a free local port, and Debian's chromium via Playwright.

The server is `kokoro_ui.serving.server.running_server` (uvicorn in a thread, in-process), so a test can look at
the same `ModelManager` and database the browser talks to. Playwright cannot download browsers
here; it drives the system chromium (``apt-get install -y chromium``).
"""

import contextlib
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Optional

import pytest

from kokoro_ui.builds import BUILDS
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.serving.server import running_server
from kokoro_ui.config.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@contextlib.contextmanager
def running_app(settings: Settings, releases_from: Optional[ModelManager] = None) -> Iterator[tuple[str, ModelManager]]:
    """The app's base URL and its manager, served until the block ends.

    `releases_from`: a manager with the same weights and backend whose releases this app takes as
    they are (loaded once for the session) instead of loading its own; its other settings (votes,
    clip bank, samples, study) stay the app's own."""
    builds = BUILDS
    if releases_from is not None:
        same = (releases_from.settings.weights, releases_from.settings.backend, releases_from.settings.synthetic_seed)
        assert same == (settings.weights, settings.backend, settings.synthetic_seed), "releases from other weights"
        builds = {version: replace(build, load=lambda source, backend, version=version: releases_from.get_model(version))
                  for version, build in BUILDS.items()}
    manager = ModelManager(settings, builds)
    with running_server(manager) as base_url:
        yield base_url, manager


def launch_chromium(playwright):
    """A headless chromium that may play audio without a click (players start when tests ask)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("chromium is not installed: run scripts/install.sh --test (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def sync_playwright():
    """Playwright's sync API (pip install -r requirements-test.txt; scripts/install.sh --test does)."""
    from playwright.sync_api import sync_playwright as playwright_api

    return playwright_api()


def open_app(browser, url: str, errors: list[str], width: int = 1400, height: int = 1000):
    """A new page on the app at `url`; its uncaught script errors go to `errors`, for the test to check."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page


def close_pages(browser) -> None:
    """Close every page `browser` has open (each in its own context), leaving the browser for the next test."""
    for context in browser.contexts:
        context.close()
