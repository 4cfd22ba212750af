"""Deployment settings from `.huggingface.yml`, merged into `Settings`.

Hugging Face reads a Space's README front matter and `packages.txt`, not `.huggingface.yml`: that
file is this app's own settings for its Space (weight source, host, limits, releases loaded at
start, default voices). The app applies it on a Space (where ``SPACE_ID`` is set), or wherever
``KOKORO_UI_SPACE_CONFIG`` names a file (to rehearse a Space locally). Precedence, lowest first:
``Settings`` defaults < the file < ``KOKORO_UI_*`` environment variables < command-line flags.

The file also states each release's hub repository, revision and checkpoint digest. Those stay
pinned in code (`ReleaseSpec`), beside the digest that vouches for them; the file must agree with
the code, or the app refuses to start, so it never describes weights the app would not load.
"""

import logging
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

import yaml

from kokoro_ui.weights.voices import load_manifest
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.config.settings import REPO_ROOT, Settings

if TYPE_CHECKING:
    from kokoro_ui.builds import Build

log = logging.getLogger(__name__)

SPACE_CONFIG_FILE = REPO_ROOT / ".huggingface.yml"
PINNED = ("hub_repo", "hub_prefix", "hub_revision", "checkpoint_sha256")  # must equal the ReleaseSpec's
_SETTABLE = {"weights": str, "max_chars": int, "host": str, "port": int, "preload": list}


class SpaceConfigError(KokoroUIError):
    """`.huggingface.yml` is unreadable, or says something the app cannot do."""


@dataclass(frozen=True)
class SpaceConfig:
    path: Path
    settings: dict[str, object]  # Settings field -> value, as the file sets them
    releases: dict[str, dict[str, str]]  # version -> the PINNED keys and `default_voice`


def config_path(env: Mapping[str, str] = os.environ) -> Optional[Path]:
    """The file to apply: ``KOKORO_UI_SPACE_CONFIG``, else `.huggingface.yml` on a Space, else none."""
    if env.get("KOKORO_UI_SPACE_CONFIG"):
        return Path(env["KOKORO_UI_SPACE_CONFIG"]).expanduser()
    return SPACE_CONFIG_FILE if env.get("SPACE_ID") else None


def load_settings(env: Mapping[str, str] = os.environ, check_releases: bool = True, **flags) -> Settings:
    """Settings from defaults, the Space's file (if it applies), the environment, then `flags`.

    `check_releases=False` leaves out what needs the releases' code (the file's pins, voices and
    preload names), so nothing heavy is imported: `listen_address` needs only host and port.
    """
    settings = Settings()
    path = config_path(env)
    if path is not None:
        settings = replace(settings, **read_space_config(path, check_releases=check_releases).settings)
        log.info("settings from %s", path)
    from_env = Settings.from_env(env)
    set_in_env = {field.name: getattr(from_env, field.name) for field in fields(Settings)
                  if f"KOKORO_UI_{field.name.upper()}" in env}
    given = {key: value for key, value in flags.items() if value is not None}
    return replace(settings, **{**set_in_env, **given})


def listen_address(env: Mapping[str, str] = os.environ, **flags) -> tuple[str, int]:
    """The host and port `load_settings` gives, found before the releases' code is imported (`kokoro_ui.serving.boot`)."""
    settings = load_settings(env, check_releases=False, **flags)
    return settings.host, settings.port


def read_space_config(path: Path, builds: Optional[Mapping[str, "Build"]] = None,
                      check_releases: bool = True) -> SpaceConfig:
    """Parse and check the file: known keys, right types, real voices, pins that match the code
    (`builds`, default `BUILDS`); with `check_releases=False`, only the settings' keys and types."""
    if check_releases and builds is None:
        from kokoro_ui.builds import BUILDS  # imports torch and both releases' code: only when checking them
        builds = BUILDS
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SpaceConfigError(f"Cannot read {path}: {error}") from None
    if not isinstance(data, dict) or set(data) - {"settings", "releases"}:
        raise SpaceConfigError(f"{path} must be a mapping with 'settings' and 'releases'.")
    settings = _settings(path, data.get("settings") or {}, builds)
    releases = data.get("releases") or {}
    if builds is None:
        return SpaceConfig(Path(path), settings, releases)
    if not isinstance(releases, dict) or set(releases) != set(builds):
        raise SpaceConfigError(f"{path}: 'releases' must describe exactly {', '.join(builds)}.")
    for version, release in releases.items():
        build = builds[version]
        settings[f"default_voice_{build.spec.folder}"] = _check_release(path, version, release, build)
    return SpaceConfig(Path(path), settings, releases)


def _settings(path: Path, values: object, builds: Optional[Mapping[str, "Build"]]) -> dict[str, object]:
    if not isinstance(values, dict):
        raise SpaceConfigError(f"{path}: 'settings' must be a mapping.")
    for key, value in values.items():
        kind = _SETTABLE.get(key)
        if kind is None:
            raise SpaceConfigError(f"{path}: settings.{key} is not a setting; use one of: {', '.join(_SETTABLE)}.")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise SpaceConfigError(f"{path}: settings.{key} must be a {kind.__name__}, not {value!r}.")
    preload = values.get("preload", [])
    unknown = [version for version in preload if builds is not None and version not in builds]
    if unknown:
        raise SpaceConfigError(
            f"{path}: settings.preload names unknown releases {unknown}; choose from {', '.join(builds)}.")
    return {**values, "preload": ",".join(preload)} if "preload" in values else dict(values)


def _check_release(path: Path, version: str, release: object, build: "Build") -> str:
    """The release's default voice, once its pins are seen to match the code."""
    if not isinstance(release, dict) or set(release) != {*PINNED, "default_voice"}:
        raise SpaceConfigError(f"{path}: releases.{version} must give exactly {', '.join(PINNED)} and default_voice.")
    for key in PINNED:
        pinned = getattr(build.spec, key)
        if str(release[key]) != pinned:
            raise SpaceConfigError(
                f"{path}: releases.{version}.{key} is {release[key]!r}, but the app loads {pinned!r} "
                f"(ReleaseSpec in kokoro_ui/builds/{build.spec.folder}); change both together.")
    voice = release["default_voice"]
    if voice not in load_manifest(build.spec.folder).ids():
        raise SpaceConfigError(f"{path}: releases.{version}.default_voice {voice!r} is not a Kokoro {version} voice.")
    return voice
