"""Where a backend keeps what it makes from a release's weights, and the voices it checks them with.

Beside the release's weights when that folder is writable (never inside the Hugging Face
cache, which is the hub client's), else under the backend's own cache folder. Each artifact is a
folder named by a digest of what it depends on; a new one removes the stale ones beside it.
"""

import os
import shutil
import time
from pathlib import Path
from typing import Optional

import torch

from kokoro_ui.errors import WeightsError
from kokoro_ui.weights.sources import WeightSource
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.voices import load_manifest

DEAD_PARTIAL_S = 3600  # an artifact takes minutes; a partial folder untouched this long belongs to no one


def artifact_root(spec: ReleaseSpec, source: WeightSource, fallback: Path, cache_dir: Optional[Path] = None) -> Path:
    """The folder a release's artifacts go in; `cache_dir` replaces both defaults (tests use it)."""
    if cache_dir is not None:
        return Path(cache_dir) / spec.folder
    if source.kind != "hub":
        beside = source.file(spec.checkpoint_file).parent
        if os.access(beside, os.W_OK):
            return beside
    return fallback / spec.folder


def remove_stale(current: Path, prefix: str) -> None:
    """Artifacts named `prefix`… beside `current` other than it: older weights, code or versions, and
    half-made ones left by a process that was stopped (untouched for `DEAD_PARTIAL_S`)."""
    for folder in current.parent.glob(f"{prefix}*"):
        in_progress = ".partial-" in folder.name and time.time() - folder.stat().st_mtime < DEAD_PARTIAL_S
        if folder != current and not in_progress:
            shutil.rmtree(folder, ignore_errors=True)


def style_packs(spec: ReleaseSpec, source: WeightSource, count: int) -> list[torch.Tensor]:
    """Style packs, (rows, 256), of `count` of the release's voices spread over those its weights
    folder holds, first voice first. A folder may lack some packs (the release still loads and speaks
    the others), so an artifact is checked with voices that exist; with none, `WeightsError` says so."""
    present = [voice for voice in load_manifest(spec.folder) if _has_file(source, voice.file)]
    if not present:
        raise WeightsError(f"Kokoro {spec.version}: no voice pack of its manifest is in {source.description}, "
                           "so there is no voice to check an artifact with.")
    chosen = present[::max(1, len(present) // count)][:count]
    packs = [torch.load(source.file(voice.file), map_location="cpu", weights_only=True).float() for voice in chosen]
    return [pack.reshape(pack.shape[0], -1) for pack in packs]


def _has_file(source: WeightSource, relative: str) -> bool:
    try:
        source.file(relative)
    except WeightsError:
        return False
    return True
