"""The one key of kept audio (the clip bank's trial clips, the gallery's samples).

Kept audio is always the release's own: its text cut into passes only where the release cuts it
(`pacing.WHOLE_PASS`). A key for anything else, text-level fast first audio (`pacing.FAST_FIRST`,
the opt-in setting) above all, is refused, whatever the setting says, so that a listener's vote or
a voice's sample never hears a phrase end the release would not make.

`audio_key` is that key, built from everything that decides its sound: the
release's identity (version, weights kind, backend, the loaded network's digest), the front-end
packages' versions (they decide the phonemes), how the audio was rendered, the voice pack's
digest (so a mix, or a voice whose pack changed, gets its own), the text and the speed. Where
and how a keeper stores its files is its own business (`abtest.bank`, `samples.cache`).
"""

import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata

from kokoro_ui.engine.pacing import WHOLE_PASS
from kokoro_ui.engine.release import Release
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.weights.checkpoint import pack_digest

FRONT_END_PACKAGES = ("kokoro", "misaki", "phonemizer-fork", "espeakng-loader")


@dataclass(frozen=True)
class AudioKey:
    """What decides a kept clip's sound, in three parts (each safe as a file or folder name).

    A voice is known by its pack's values, not its name: the same mix written otherwise is the same key."""

    release: str  # <version>-<weights kind>-<backend>-<weights id>-<front ends>-<rendering>
    pack: str  # the digest of the voice pack used
    utterance: str  # a digest of the text and the speed

    def digest(self) -> str:
        """All three parts in one name."""
        return hashlib.sha256("\n".join((self.release, self.pack, self.utterance)).encode()).hexdigest()[:32]


def audio_key(release: Release, voice: str, text: str, speed: float, rendering: str) -> AudioKey:
    """The key of `voice` saying `text` at `speed` through `release`, rendered as `rendering` says.

    Only `WHOLE_PASS` audio is kept: any other rendering is refused with a message that says why."""
    if rendering != WHOLE_PASS:
        raise KokoroUIError(f"Audio that is kept (the clip bank, the gallery's samples, the listening study) is "
                            f"rendered only as the release cuts its text ({WHOLE_PASS}), never {rendering!r}: "
                            "a text cut for fast first audio adds a phrase end the release would not make.")
    info = release.info
    identity = f"{info.version}-{info.weights_kind}-{info.backend}-{info.weights_id}-{_front_ends()}-{rendering}"
    utterance = hashlib.sha256(f"{float(speed)!r}\n{text}".encode()).hexdigest()[:32]
    return AudioKey(identity, _pack_digest(release, voice)[:16], utterance)


@lru_cache(maxsize=512)
def _pack_digest(release: Release, voice: str) -> str:
    return pack_digest(release.pack_for(voice))


@cache
def _front_ends() -> str:
    versions = []
    for package in FRONT_END_PACKAGES:
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()[:8]
