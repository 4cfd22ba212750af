"""What distinguishes one release's files: names, layout, voice-pack shape and hub coordinates.

Each build declares one `ReleaseSpec`; the shared machinery (weight sources, checkpoint
loading, synthetic weights) reads only this, never a version number.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

BUILDS_DIR = Path(__file__).resolve().parents[1] / "builds"  # each release's own files live beside its code


@dataclass(frozen=True)
class ReleaseSpec:
    version: str  # the user-facing name, e.g. 'v1.0'
    folder: str  # its folder in a weights directory and under voices/, e.g. 'v1_0'
    checkpoint_file: str  # as named on the hub
    wraps_in_net: bool  # v0.19 checkpoints are {'net': {module: state}}; v1.0's are {module: state}
    voice_pack_rows: int  # a pack is [rows, 1, 256]; the style row is chosen by input length
    hub_repo: str
    hub_prefix: str  # folder inside the hub repo, '' or e.g. 'v0.19/'
    hub_revision: str  # a commit where one is known, so a release never changes under us
    checkpoint_sha256: str  # published digest (or its published prefix), checked on hub downloads
    kmodel_config: Callable[[dict], dict]  # the release's config.json -> KModel's config dict

    @property
    def embedded_config(self) -> Path:
        """The release's own config.json, shipped with the build (used to make synthetic weights)."""
        return BUILDS_DIR / self.folder / "config.json"
