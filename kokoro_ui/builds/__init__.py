"""The releases Kokoro A/B can load, by name. Each build exposes a spec and a loader."""

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from kokoro_ui.builds import v0_19, v1_0
from kokoro_ui.builds.release import Release
from kokoro_ui.builds.spec import ReleaseSpec
from kokoro_ui.builds.weights import WeightSource


@dataclass(frozen=True)
class Build:
    spec: ReleaseSpec
    load: Callable[[WeightSource, str], Release]  # (weights, backend name) -> loaded release
    # The release's own code path, nothing of ours around it: (release, voice) -> a speaker,
    # text -> audio per pass; set up once, as its users would. The benchmark's baseline.
    reference: Callable[[Release, str], Callable[[str], Iterator[np.ndarray]]]


BUILDS: dict[str, Build] = {build.spec.version: build for build in (
    Build(v0_19.SPEC, v0_19.load, v0_19.reference),
    Build(v1_0.SPEC, v1_0.load, v1_0.reference),
)}
