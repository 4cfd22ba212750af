"""Voice samples on disk: each one rendered once, loudness-matched, and served as a file from then on.

A sample is a voice (or a mix) saying a text at a speed through one release. Its file is named by
a digest of everything that decides its sound: the release's `ModelInfo.weights_id` (a digest of
the loaded network), the backend, the digest of the voice pack actually used (so a mix, or a voice
whose pack changed, never reuses another's file), the text and the speed. Same name, same sound:
a file can be served at once, across restarts, with no bookkeeping beside the folder itself.
Files are written whole under a temporary name, then renamed, so a reader never sees half a file;
the folder keeps at most `MAX_FILES` (the least recently played go first).

Audio is matched to the listening test's loudness (`abtest.clips`), so voices are compared by
how they sound, not by how loud they are. Rendering runs as a visitor's request unless the caller
is in the background (`engine.gate.in_background`, as `SampleRenderer` is).

Boundary: one sample at a time, on request. Which samples to render ahead of time, and when, is
`renderer`'s business; how the gallery shows them is the UI's.
"""

import contextlib
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import soundfile

from kokoro_ui.outputs.loudness import Clip, integrated_loudness, match_loudness
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.engine.release import Release
from kokoro_ui.services.manager import ModelManager

MAX_FILES = 2_000  # ~4 s of 16-bit audio each: about 400 MB at most


@dataclass(frozen=True)
class Sample:
    path: Path  # a 16-bit mono WAV at SAMPLE_RATE_HZ
    real_speech: bool  # False: the release runs on synthetic weights, so this is noise


class SampleCache:
    """Samples of one manager's releases in `folder` (default: the `samples_dir` setting)."""

    def __init__(self, manager: ModelManager, folder: Optional[Path] = None):
        self.manager = manager
        self.folder = Path(folder or manager.settings.samples_dir)
        self._pack_digests: dict[tuple[str, str, str], str] = {}  # (version, weights id, voice) -> digest
        self._rendering: dict[Path, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, version: str, voice: str, text: str, speed: float = 1.0,
            between_passes: Callable[[], None] = lambda: None) -> Sample:
        """The sample's file: served from disk, or rendered now (loading the release first if need be).

        `between_passes` is called before each forward pass of a render: a background caller waits
        there for visitors to finish (or raises to give up).
        """
        release = self.manager.get_model(version)
        path = self._path(release, voice, text, speed)
        with self._render_lock(path):
            if not _touch(path):
                self._render(release, voice, text, speed, path, between_passes)
        return Sample(path, release.info.real_speech)

    def ready(self, version: str, voice: str, text: str, speed: float = 1.0) -> bool:
        """Whether the sample is on disk already; False while its release is not loaded (nothing is loaded here)."""
        if not self.manager.is_loaded(version):
            return False
        return self._path(self.manager.get_model(version), voice, text, speed).exists()

    def _path(self, release: Release, voice: str, text: str, speed: float) -> Path:
        info = release.info
        parts = [info.version, info.weights_id, info.backend, self._pack_digest(release, voice), text, repr(float(speed))]
        return self.folder / f"{hashlib.sha256(chr(0).join(parts).encode()).hexdigest()[:32]}.wav"

    def _pack_digest(self, release: Release, voice: str) -> str:
        key = (release.info.version, release.info.weights_id, voice)
        if key not in self._pack_digests:
            pack = release.pack_for(voice).contiguous().numpy()
            self._pack_digests[key] = hashlib.sha256(pack.tobytes()).hexdigest()
        return self._pack_digests[key]

    def _render_lock(self, path: Path) -> threading.Lock:
        """One lock per file: two requests for one sample render it once."""
        with self._lock:
            return self._rendering.setdefault(path, threading.Lock())

    def _render(self, release: Release, voice: str, text: str, speed: float, path: Path,
                between_passes: Callable[[], None]) -> None:
        pieces = []
        with contextlib.closing(release.stream(text, voice, speed)) as chunks:
            while True:
                between_passes()
                chunk = next(chunks, None)
                if chunk is None:
                    break
                pieces.append(chunk.audio)
        audio = np.concatenate(pieces).astype(np.float32)
        matched = match_loudness([Clip(audio, integrated_loudness(audio), release.info.real_speech)])[0]
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp.wav")
        soundfile.write(partial, matched, SAMPLE_RATE_HZ, subtype="PCM_16")
        os.replace(partial, path)
        self._prune()

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.wav"), key=_mtime)
        for old in files[:max(0, len(files) - MAX_FILES)]:
            old.unlink(missing_ok=True)


def _touch(path: Path) -> bool:
    """Mark a file as just played, so pruning keeps it; False if there is no such file (not yet, or pruned)."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned by another thread meanwhile
        return 0.0
