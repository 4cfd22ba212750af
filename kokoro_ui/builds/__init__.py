"""The releases Kokoro A/B can load, by name: only what makes one release differ from the other.

Each build (`v0_19`, `v1_0`) brings its spec, its front end, its adaptations of the shared network
and its reference code path; the machinery they share is `kokoro_ui.engine`'s.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from kokoro_ui.backends import BackendChoice
from kokoro_ui.builds import v0_19, v1_0
from kokoro_ui.engine.release import Release
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.sources import WeightSource


@dataclass(frozen=True)
class Build:
    spec: ReleaseSpec
    load: Callable[[WeightSource, BackendChoice], Release]  # (weights, backend) -> loaded release
    # The release's own code path, nothing of ours around it: (release, voice) -> a speaker,
    # text -> audio per pass; set up once, as its users would. The benchmark's baseline.
    reference: Callable[[Release, str], Callable[[str], Iterator[np.ndarray]]]
    # lang code -> '' if the release can speak it on this server, else why not (tried once per process)
    unavailable_reason: Callable[[str], str] = lambda lang: ""


BUILDS: dict[str, Build] = {build.spec.version: build for build in (
    Build(v0_19.SPEC, v0_19.load, v0_19.reference, v0_19.unavailable_reason),
    Build(v1_0.SPEC, v1_0.load, v1_0.reference, v1_0.unavailable_reason),
)}


@functools.cache
def vocabulary(version: str) -> frozenset[str]:
    """The symbols `version`'s network has a token for, read from its own files (no model loaded)."""
    if version == v0_19.SPEC.version:
        return frozenset(v0_19.frontend.VOCAB)
    config = Path(v1_0.__file__).with_name("config.json")
    return frozenset(json.loads(config.read_text(encoding="utf-8"))["vocab"])
