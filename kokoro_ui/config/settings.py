"""One settings object, read from the environment (``KOKORO_UI_*``; see README)."""

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Optional

from kokoro_ui.errors import KokoroUIError

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    weights: str = "auto"  # auto | hub | synthetic | a folder path
    weights_dir: Path = REPO_ROOT / "weights"  # the folder `auto` tries first
    cache_dir: Path = Path.home() / ".cache" / "kokoro_ui"
    synthetic_seed: int = 0
    backend: str = "compiled"  # compiled | torch | onnx | onnx-int8, for both releases
    fast_first: bool = False  # opt-in: cut the text's first 10-24 characters into a pass of their own (labelled)
    # opt-in: streamed surfaces decode each pass in windows (sooner first audio, audio not the whole pass's: labelled)
    stream_windows: bool = False
    max_chars: int = 5_000
    queue_limit: int = 6  # requests per release in progress or waiting; more get "busy, retry"
    retry_after_s: int = 5  # the retry hint a busy answer carries
    persistent_dir: Path = Path("/data")  # a Space's persistent storage: votes and clip bank go here if writable
    votes_db: str = ""  # an SQLite path or a postgresql:// URL; "" = votes.sqlite3 in the persistent dir or cache
    votes_dataset: str = ""  # "<owner>/<name>": back the votes up to this HF dataset (needs HF_TOKEN)
    votes_backup_every_min: float = 10.0  # how often the backup exports and uploads
    listening_trials: int = 10  # trials per listening-test session, the repeated one included
    listening_sentences: Path = REPO_ROOT / "kokoro_ui" / "abtest" / "sentences.txt"  # "<id><TAB><sentence>" lines
    listening_voices: str = ""  # v0.19 voice ids of the pairs to use, comma-separated; "" = every pair
    listening_mode: str = "ab"  # ab: which do you prefer? abx: is X the same as A or as B?
    listening_speed: float = 1.0  # the speed every trial clip is spoken at
    completion_code: str = ""  # shown when a session ends (crowd studies), with Prolific's return link for its ids
    attention_check: bool = True  # one trial per session whose clips ask for a given answer (abtest/attention.py)
    headphone_check: bool = False  # three antiphase-tone trials before the first trial (abtest/screening.py)
    clip_bank: str = ""  # folder of pre-rendered trial clips; "" = clip_bank in the persistent dir or cache
    study_driver: bool = False  # TESTS ONLY: HTTP routes that drive listening sessions without a browser
    host: str = "127.0.0.1"
    port: int = 7860
    preload: str = "all"  # releases loaded in the background at start: all | none | e.g. "v1.0"; others on first use
    default_voice_v1_0: str = "af_heart"  # each release's voice when a request names none
    default_voice_v0_19: str = "af"
    download_ttl_s: int = 3_600  # how long a `return_download_link` file is kept (Kokoro-FastAPI: an hour)
    download_max_mb: int = 512  # the most such files may hold in all; the oldest go first
    samples_dir: Path = Path.home() / ".cache" / "kokoro_ui" / "samples"  # the gallery's rendered samples (WAV)
    asr: str = "auto"  # the measures' speech recogniser: auto | hub | packaged | pocketsphinx (kokoro_ui.measures.recognition)
    prerender_samples: bool = True  # render every voice's gallery sample in the background once both releases are loaded

    def default_voice(self, version: str) -> str:
        return {"v1.0": self.default_voice_v1_0, "v0.19": self.default_voice_v0_19}[version]

    def persistent_root(self) -> Optional[Path]:
        """The persistent folder, if it is there and this process may write in it (else None)."""
        root = Path(self.persistent_dir).expanduser()
        return root if root.is_dir() and os.access(root, os.W_OK | os.X_OK) else None

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
        if issubclass(kind, bool):
            return _parse_bool(raw)
        return Path(raw).expanduser() if issubclass(kind, Path) else kind(raw)
    except ValueError:
        raise KokoroUIError(f"KOKORO_UI_{field.upper()}={raw!r} is not a valid {kind.__name__}.") from None


def _parse_bool(raw: str) -> bool:
    words = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
    if raw.strip().lower() not in words:
        raise ValueError(raw)
    return words[raw.strip().lower()]
