"""The Hugging Face Space: README front matter, packages.txt and .huggingface.yml agree with the app."""

import inspect
import re
import sys

import gradio
import pytest
import yaml

from kokoro_ui.builds import BUILDS
from kokoro_ui.weights.voices import load_manifest
from kokoro_ui.config.settings import REPO_ROOT, Settings
from kokoro_ui.config.space_config import SPACE_CONFIG_FILE, SpaceConfigError, load_settings, read_space_config

SPACE_COLORS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}


def front_matter() -> dict:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "README.md must open with YAML front matter between '---' lines"
    return yaml.safe_load(match.group(1))


def pinned_requirement(name: str) -> str:
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==")[1].strip()
    raise AssertionError(f"{name} is not pinned in requirements.txt")


def test_readme_front_matter_describes_this_gradio_app():
    meta = front_matter()
    assert meta["sdk"] == "gradio"
    assert meta["sdk_version"] == pinned_requirement("gradio") == gradio.__version__
    assert (REPO_ROOT / meta["app_file"]).is_file() and meta["app_file"] == "app.py"
    assert meta["python_version"] == f"{sys.version_info.major}.{sys.version_info.minor}" == "3.11"
    assert meta["license"] == "apache-2.0"
    assert meta["title"] and meta["emoji"]
    assert {meta["colorFrom"], meta["colorTo"]} <= SPACE_COLORS
    assert 0 < len(meta["short_description"]) <= 60


def test_packages_txt_lists_what_install_sh_installs_with_apt():
    packages = (REPO_ROOT / "packages.txt").read_text().split()
    install = (REPO_ROOT / "scripts" / "install.sh").read_text()
    apt = re.search(r'^apt_packages="([^"]*)"', install, re.MULTILINE).group(1).split()
    assert sorted(packages) == sorted(apt)
    assert "ffmpeg" in packages  # mp3, opus and streamed flac are encoded by ffmpeg
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", package) for package in packages)


def test_the_space_file_pins_what_the_code_loads():
    config = read_space_config(SPACE_CONFIG_FILE)
    for version, build in BUILDS.items():
        release = config.releases[version]
        assert release["hub_repo"] == build.spec.hub_repo
        assert release["hub_prefix"] == build.spec.hub_prefix
        assert release["hub_revision"] == build.spec.hub_revision
        assert release["checkpoint_sha256"] == build.spec.checkpoint_sha256
        assert release["default_voice"] in load_manifest(build.spec.folder).ids()


def test_on_a_space_the_file_sets_hub_weights_host_preload_and_voices():
    settings = load_settings({"SPACE_ID": "someone/kokoro-ab"})
    assert (settings.weights, settings.host, settings.port) == ("hub", "0.0.0.0", 7860)
    assert {name for name in settings.preload.split(",")} == set(BUILDS)
    assert settings.max_chars == yaml.safe_load(SPACE_CONFIG_FILE.read_text())["settings"]["max_chars"]
    assert (settings.default_voice("v1.0"), settings.default_voice("v0.19")) == ("af_heart", "af")


def test_off_a_space_the_file_is_not_applied():
    assert load_settings({}) == Settings()


def test_environment_overrides_the_file_and_flags_override_the_environment():
    env = {"SPACE_ID": "someone/kokoro-ab", "KOKORO_UI_WEIGHTS": "synthetic", "KOKORO_UI_MAX_CHARS": "100",
           "KOKORO_UI_DEFAULT_VOICE_V1_0": "af_bella"}
    settings = load_settings(env, weights="auto", port=None)
    assert settings.weights == "auto"  # flag beats environment
    assert settings.max_chars == 100  # environment beats file
    assert settings.default_voice("v1.0") == "af_bella"
    assert settings.host == "0.0.0.0" and settings.port == 7860  # file beats defaults; no flag given


def test_a_file_named_by_the_environment_is_applied_off_a_space(tmp_path):
    path = tmp_path / "space.yml"
    data = yaml.safe_load(SPACE_CONFIG_FILE.read_text())
    data["settings"] = {"max_chars": 123}
    path.write_text(yaml.safe_dump(data))
    assert load_settings({"KOKORO_UI_SPACE_CONFIG": str(path)}).max_chars == 123


@pytest.mark.parametrize("edit, words", [
    (lambda data: data["releases"]["v1.0"].update(hub_revision="0" * 40), ["hub_revision", "ReleaseSpec"]),
    (lambda data: data["releases"]["v0.19"].update(default_voice="af_heart"), ["default_voice", "af_heart"]),
    (lambda data: data["releases"].pop("v0.19"), ["exactly"]),
    (lambda data: data["settings"].update(preload=["v2.0"]), ["preload", "v2.0"]),
    (lambda data: data["settings"].update(max_chars="many"), ["max_chars", "int"]),
    (lambda data: data["settings"].update(colour="blue"), ["colour", "not a setting"]),
], ids=["revision", "voice", "release", "preload", "type", "key"])
def test_a_space_file_that_disagrees_with_the_app_is_refused_with_the_key(tmp_path, edit, words):
    data = yaml.safe_load(SPACE_CONFIG_FILE.read_text())
    edit(data)
    path = tmp_path / "space.yml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SpaceConfigError) as raised:
        read_space_config(path)
    for word in words:
        assert word in str(raised.value)


def test_the_zerogpu_adapter_changes_nothing_where_spaces_is_absent():
    from kokoro_ui.services import synthesis, zerogpu

    if zerogpu.spaces is not None:
        pytest.skip("the `spaces` package is installed here")
    assert zerogpu.gpu(len) is len
    assert inspect.isgeneratorfunction(synthesis.speak)  # the synthesis entry point, undecorated
