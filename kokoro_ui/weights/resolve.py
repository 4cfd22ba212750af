"""Choose a release's weight source from the ``KOKORO_UI_WEIGHTS`` setting."""

from pathlib import Path

from kokoro_ui.weights.packaged import packaged_available, packaged_source
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.synthetic import synthetic_source
from kokoro_ui.weights.voices import load_manifest
from kokoro_ui.weights.sources import (CHOICES, WeightSource, folder_source, holds_release, hub_cached,
                                      hub_reachable, hub_source)
from kokoro_ui.errors import WeightsError


def resolve_source(spec: ReleaseSpec, choice: str, weights_dir: Path, cache_dir: Path, seed: int) -> WeightSource:
    """The weight source `choice` names for this release; ``auto`` takes the first that works."""
    if choice == "hub":
        return hub_source(spec)
    if choice == "synthetic":
        return synthetic_source(cache_dir, spec, seed, load_manifest(spec.folder))
    if choice == "packaged":
        return packaged_source(cache_dir, spec, load_manifest(spec.folder), seed)
    if choice == "auto":
        local = folder_source(weights_dir, spec)
        if holds_release(local, spec):
            return local
        if hub_cached(spec) or hub_reachable():
            return hub_source(spec)
        if packaged_available(spec):
            return packaged_source(cache_dir, spec, load_manifest(spec.folder), seed)
        return synthetic_source(cache_dir, spec, seed, load_manifest(spec.folder))
    folder = Path(choice).expanduser()
    if not folder.is_dir():
        raise WeightsError(
            f"KOKORO_UI_WEIGHTS={choice!r} is neither one of {', '.join(CHOICES)} nor an existing folder."
        )
    return folder_source(folder, spec)
