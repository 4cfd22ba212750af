"""Voice manifests: which voices a release has, and the only way a voice name becomes a file.

A user's voice string is looked up in the manifest; the file path comes from the manifest,
never from the string, so no input can point the loader at an arbitrary file.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from kokoro_ui.errors import UnknownVoiceError

MANIFEST_ROOT = Path(__file__).resolve().parents[2] / "voices"
_SHOWN_IN_ERRORS = 12  # enough names to guide a user without dumping the whole list


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    language: str  # the kokoro lang code: 'a' en-US, 'b' en-GB, ...
    language_tag: str
    accent: str
    flag: str
    gender: str
    file: str  # relative to the release's weight folder, as on the hub
    pairs_with: Optional[str] = None  # same-named voice of the other release, if any
    sha256: Optional[str] = None  # of the pack's raw float32 values, where a manifest records it


class VoiceManifest:
    """The voices of one release, read from ``voices/<release folder>/voices.json``."""

    def __init__(self, release: str, voices: list[Voice]):
        self.release = release
        self._by_id = {voice.id: voice for voice in voices}

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, voice_id: str) -> Voice:
        """The manifest entry for `voice_id`, or an error that names some valid choices."""
        voice = self._by_id.get(voice_id) if isinstance(voice_id, str) else None
        if voice is None:
            shown = ", ".join(self.ids()[:_SHOWN_IN_ERRORS])
            more = "" if len(self) <= _SHOWN_IN_ERRORS else f", … ({len(self)} in all)"
            raise UnknownVoiceError(
                f"Kokoro {self.release} has no voice {quoted(voice_id)}. Choose one of: {shown}{more}."
            )
        return voice


@functools.cache
def load_manifest(folder: str) -> VoiceManifest:
    """The manifest in ``voices/<folder>/voices.json``, read once per process."""
    data = json.loads((MANIFEST_ROOT / folder / "voices.json").read_text(encoding="utf-8"))
    return VoiceManifest(data["release"], [Voice(**entry) for entry in data["voices"]])


def quoted(value: object) -> str:
    """A short, printable rendering of untrusted input for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…'"
