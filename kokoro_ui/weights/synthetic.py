"""Synthetic weights: the real architecture with seeded random weights, for tests and offline runs.

They are written once, in the release's real checkpoint layout and folder, to a cache
directory, and then loaded like any downloaded release, so the whole loading path is
exercised. The audio is noise. Random weights would predict ~24 frames per token; the
duration head is shrunk so they predict ~3.5, as real speech does, which keeps timings
measured on them representative.
"""

import json
import math
import shutil
import zlib
from pathlib import Path

import torch

from kokoro_ui.weights.staging import one_writer
from kokoro_ui.weights.checkpoint import checkpoint_state, new_kmodel
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.voices import VoiceManifest
from kokoro_ui.weights.sources import WeightSource, folder_source

STYLE_DIM = 256
_FORMAT = 1  # bump when what is written here changes, so old caches are rebuilt
_FRAMES_PER_TOKEN = 3.5
_DURATION_BINS = 50  # a token's duration is the sum of this many sigmoids (config max_dur)
_VOICE_SCALE = 0.2


def synthetic_source(cache_dir: Path, spec: ReleaseSpec, seed: int, voices: VoiceManifest) -> WeightSource:
    root = Path(cache_dir).expanduser() / f"synthetic-seed{seed}"
    ensure_synthetic(root / spec.folder, spec, seed, voices)
    return folder_source(root, spec, "synthetic", f"synthetic (seeded random weights, seed {seed}): noise, not speech")


def ensure_synthetic(folder: Path, spec: ReleaseSpec, seed: int, voices: VoiceManifest) -> None:
    """Write the release's synthetic files into `folder` unless a complete copy is there."""
    stamp = folder / "SYNTHETIC.json"
    expected = {"format": _FORMAT, "seed": seed, "release": spec.version}

    def complete() -> bool:
        return stamp.is_file() and json.loads(stamp.read_text()) == expected

    if complete():
        return
    with one_writer(folder):
        if complete():  # another process wrote it while this one waited
            return
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "voices").mkdir(parents=True)
        shutil.copyfile(spec.embedded_config, staging / "config.json")
        release_config = json.loads(spec.embedded_config.read_text())
        torch.save(checkpoint_state(synthetic_kmodel(spec, release_config, seed), spec), staging / spec.checkpoint_file)
        generator = torch.Generator().manual_seed(_release_seed(spec, seed))
        for voice in voices:
            pack = torch.randn(spec.voice_pack_rows, 1, STYLE_DIM, generator=generator) * _VOICE_SCALE
            torch.save(pack, staging / voice.file)
        (staging / "SYNTHETIC.json").write_text(json.dumps(expected))
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)  # atomic: a half-written cache is never taken for a whole one


def synthetic_kmodel(spec: ReleaseSpec, release_config: dict, seed: int):
    """A randomly initialised `KModel` whose duration head predicts realistic lengths."""
    kmodel = new_kmodel(spec, release_config, _release_seed(spec, seed))
    head = kmodel.predictor.duration_proj.linear_layer
    with torch.no_grad():
        head.weight.mul_(0.01)
        per_bin = _FRAMES_PER_TOKEN / _DURATION_BINS
        head.bias.fill_(math.log(per_bin / (1 - per_bin)))
    return kmodel


def _release_seed(spec: ReleaseSpec, seed: int) -> int:
    """The release name is mixed into the seed so the two releases get different networks."""
    return seed + zlib.crc32(spec.version.encode())
