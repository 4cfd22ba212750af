"""One settings object, read from the environment (``KOKORO_UI_*``; see README)."""

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

from kokoro_ui.errors import KokoroUIError

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    weights: str = "auto"  # auto | hub | synthetic | a folder path
    weights_dir: Path = REPO_ROOT / "weights"  # the folder `auto` tries first
    cache_dir: Path = Path.home() / ".cache" / "kokoro_ui"
    synthetic_seed: int = 0
    max_chars: int = 5_000
    host: str = "127.0.0.1"
    port: int = 7860

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **overrides) -> "Settings":
        """Defaults, then ``KOKORO_UI_<FIELD>`` variables, then explicit overrides (CLI flags)."""
        values = {}
        for field, default in cls().__dict__.items():
            raw = env.get(f"KOKORO_UI_{field.upper()}")
            if raw is not None:
                values[field] = _parse(field, raw, type(default))
        settings = replace(cls(), **values)
        return replace(settings, **{key: value for key, value in overrides.items() if value is not None})


def _parse(field: str, raw: str, kind: type) -> object:
    try:
        return Path(raw).expanduser() if issubclass(kind, Path) else kind(raw)
    except ValueError:
        raise KokoroUIError(f"KOKORO_UI_{field.upper()}={raw!r} is not a valid {kind.__name__}.") from None
