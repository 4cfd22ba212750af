"""What Compare's panels and banner say before a run, from a real manager's state (no browser)."""

from dataclasses import replace

import pytest

from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.ui.landing import landing_view


def test_before_loading_each_panel_names_synthetic_noise_and_says_compare_loads_it(synthetic_settings):
    view = landing_view(ModelManager(synthetic_settings))
    assert set(view.panels) == {"v0.19", "v1.0"}
    for text in view.panels.values():
        assert "Not loaded yet" in text and "synthetic noise" in text and "loads this release first" in text
    assert "noise, not speech" in view.banner and not view.loading


def test_loaded_releases_are_ready_and_say_why_they_are_noise(manager, v1, v019):
    view = landing_view(manager)
    assert set(view.panels) == {"v0.19", "v1.0"}
    for text in view.panels.values():
        assert text.startswith("**Ready**") and "KOKORO_UI_WEIGHTS=synthetic" in text and "backend torch" in text


def test_a_failed_load_shows_why_in_its_panel_and_the_banner_points_there(synthetic_settings):
    manager = ModelManager(replace(synthetic_settings, weights="packaged"))
    with pytest.raises(KokoroUIError):
        manager.get_model("v0.19")  # only v1.0 has packaged weights
    view = landing_view(manager)
    assert "Failed to load" in view.panels["v0.19"] and "no packaged weights" in view.panels["v0.19"]
    assert "v0.19 could not be loaded" in view.banner
    assert "Not loaded yet" in view.panels["v1.0"] and "real speech" in view.panels["v1.0"]


def test_with_real_speech_and_nothing_failed_the_banner_is_empty(synthetic_settings):
    view = landing_view(ModelManager(replace(synthetic_settings, weights="hub")))
    assert view.banner == ""
