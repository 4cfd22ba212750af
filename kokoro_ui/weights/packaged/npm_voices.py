"""Kokoro v1.0's voice packs from the npm package `kokoro-js` 1.2.1 (Apache-2.0).

The tarball (``npm pack kokoro-js@1.2.1``, fetched by scripts/install.sh into
``<cache>/npm/``) carries ``package/voices/<name>.bin``: raw little-endian float32, 510 × 256
values, the same numbers as the hub's ``voices/<name>.pt``. Each file is checked against the
sha256 in the voice manifest and saved in the hub's form, a float32 tensor [510, 1, 256].
Without the tarball, seeded random packs of that shape stand in, and say so.

Boundary: writes voice packs into a folder; it neither fetches nor loads them.
"""

import hashlib
import tarfile
from pathlib import Path

import numpy as np
import torch

from kokoro_ui.weights.voices import VoiceManifest
from kokoro_ui.errors import WeightsError

PACKAGE = "kokoro-js 1.2.1 (npm)"
TARBALL = "kokoro-js-1.2.1.tgz"  # the name `npm pack kokoro-js@1.2.1` gives it
ROWS, STYLE_DIM = 510, 256
_SYNTHETIC_SCALE = 0.2  # like the synthetic weights' voices: the spread of real packs' values


def tarball_path(cache_dir: Path) -> Path:
    return Path(cache_dir).expanduser() / "npm" / TARBALL


def write_npm_packs(tarball: Path, voices: VoiceManifest, folder: Path) -> None:
    """Every manifest voice from `tarball`, verified, as ``folder/<voice.file>``."""
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for voice in voices:
                raw = _member(archive, f"package/voices/{voice.id}.bin", tarball)
                _verify(raw, voice.sha256, voice.id, tarball)
                pack = np.frombuffer(raw, dtype="<f4").reshape(ROWS, 1, STYLE_DIM)
                _save(torch.from_numpy(pack.astype(np.float32)), folder / voice.file)
    except (OSError, tarfile.TarError) as error:
        raise WeightsError(f"Cannot read the voice packs in {tarball}: {error}; fetch it again "
                           f"(scripts/install.sh runs `npm pack kokoro-js@1.2.1`).") from None


def write_synthetic_packs(voices: VoiceManifest, folder: Path, seed: int) -> None:
    """Seeded random packs of the real shape, for when the tarball was never fetched."""
    generator = torch.Generator().manual_seed(seed)
    for voice in voices:
        _save(torch.randn(ROWS, 1, STYLE_DIM, generator=generator) * _SYNTHETIC_SCALE, folder / voice.file)


def _member(archive: tarfile.TarFile, name: str, tarball: Path) -> bytes:
    try:
        stream = archive.extractfile(name)
    except KeyError:
        stream = None
    if stream is None:
        raise WeightsError(f"{tarball} has no {name}: it is not the kokoro-js 1.2.1 package.")
    return stream.read()


def _verify(raw: bytes, expected_sha256: str | None, voice_id: str, tarball: Path) -> None:
    if expected_sha256 is None:
        raise WeightsError(f"The v1.0 voice manifest records no sha256 for {voice_id}; cannot verify {tarball}.")
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) != ROWS * STYLE_DIM * 4 or digest != expected_sha256:
        raise WeightsError(
            f"{voice_id}.bin in {tarball} has sha256 {digest[:12]}…, not the recorded {expected_sha256[:12]}…; "
            "refusing a voice pack that may not be the release's. Delete the file and fetch it again."
        )


def _save(pack: torch.Tensor, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(pack.contiguous(), path)
