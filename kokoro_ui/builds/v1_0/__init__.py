"""Kokoro v1.0: `KModel` with the v1.0 checkpoint, `KPipeline`'s misaki front end, 54 voices."""

from typing import Callable, Iterator

import numpy as np
from kokoro import KPipeline

from kokoro_ui.backends import BackendChoice
from kokoro_ui.engine.release import Release, load_release
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.builds.v1_0 import languages
from kokoro_ui.builds.v1_0.frontend import V1FrontEnd
from kokoro_ui.weights.sources import WeightSource

SPEC = ReleaseSpec(
    version="v1.0",
    folder="v1_0",
    checkpoint_file="kokoro-v1_0.pth",
    wraps_in_net=False,
    voice_pack_rows=510,
    hub_repo="hexgrad/Kokoro-82M",
    hub_prefix="",
    hub_revision="fbba31e67ad83eb66394c926627e99d35abeb087",
    checkpoint_sha256="496dba118d1a58f5f3db2efc88dbdc216e0483fc89fe6e47ee1f2c53f18ad1e4",
    kmodel_config=lambda config: config,  # KModel reads v1.0's config.json as it is
)


def load(source: WeightSource, backend: BackendChoice = BackendChoice()) -> Release:
    return load_release(SPEC, source, lambda config: V1FrontEnd(SPEC.hub_repo, config["vocab"]), backend=backend)


def unavailable_reason(lang: str) -> str:
    """'' if v1.0 can speak `lang` here (its G2P builds and works), else why not; decided once per process."""
    return languages.unavailable_reason(SPEC.hub_repo, lang)


def reference(release: Release, voice: str) -> Callable[[str], Iterator[np.ndarray]]:
    """v1.0 as the `kokoro` package runs it: one `KPipeline` with this release's `KModel`, nothing of ours."""
    pack = release.voice_pack(release.voices.get(voice))
    pipeline = KPipeline(lang_code=release.voices.get(voice).language, repo_id=SPEC.hub_repo, model=release.kmodel)
    return lambda text: (result.audio.numpy() for result in pipeline(text, voice=pack))
