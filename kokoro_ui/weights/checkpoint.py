"""The network both releases share: build a `KModel`, load a checkpoint strictly, save one.

`KModel`'s own loader falls back to ``strict=False`` on any mismatch, so a wrong checkpoint
would load silently as random weights. Here every key must match, with one documented
exception: `KModel` gives each AdaIN block's InstanceNorm an affine weight and bias (an
ONNX-export workaround) that no released checkpoint carries; those stay at 1 and 0.
"""

import hashlib
import io
from pathlib import Path
from typing import Optional

import torch
from kokoro import KModel
from torch.nn.utils.weight_norm import WeightNorm

from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.errors import WeightsError

MODULES = ("bert", "bert_encoder", "predictor", "text_encoder", "decoder")
_PREFIX = "module."  # both releases were saved from DataParallel-wrapped modules


def new_kmodel(spec: ReleaseSpec, release_config: dict, seed: Optional[int] = None) -> KModel:
    """A `KModel` with PyTorch's default random initialisation and no checkpoint loaded.

    `KModel.__init__` always loads a checkpoint, downloading one when given none; an empty
    in-memory checkpoint keeps it offline and leaves loading to `load_checkpoint`. The
    initialisation draws from a forked RNG, so loading a model never shifts the random
    stream that the decoder's noise (and so a seeded comparison) depends on.
    """
    empty = io.BytesIO()
    torch.save({}, empty)
    empty.seek(0)
    config = spec.kmodel_config(release_config)
    with torch.random.fork_rng():
        if seed is not None:
            torch.manual_seed(seed)
        return KModel(repo_id=spec.hub_repo, config=config, model=empty).eval()


def load_checkpoint(kmodel: KModel, spec: ReleaseSpec, path: Path) -> None:
    """Load `path` into `kmodel`, refusing any file that is not this release's checkpoint."""
    modules = _unwrap(spec, path, _read(path))
    for name in MODULES:
        module = getattr(kmodel, name)
        state = {key.removeprefix(_PREFIX): value for key, value in modules[name].items()}
        try:
            result = module.load_state_dict(state, strict=False)
        except RuntimeError as error:  # shape mismatches
            raise WeightsError(f"{path.name} does not fit Kokoro {spec.version} ({name}): {error}") from None
        missing = sorted(set(result.missing_keys) - _unsaved_keys(module))
        if missing or result.unexpected_keys:
            raise WeightsError(
                f"{path.name} is not a complete Kokoro {spec.version} checkpoint: module {name!r} "
                f"is missing {_some(missing)} and has unexpected {_some(result.unexpected_keys)}."
            )


def fold_weight_norm(kmodel: KModel) -> None:
    """Store each weight-normalised layer's weight as one plain parameter, for inference.

    `KModel` keeps ``weight_g`` and ``weight_v`` and recomputes ``weight`` from them before
    every call, holding the result as well: two copies of 58 M decoder weights more than
    inference needs (~230 MB per release). The folded weight is the value that hook computes,
    so the audio is bit for bit the same. Call it after loading: checkpoints carry g and v.
    """
    for module in kmodel.modules():
        for hook in list(module._forward_pre_hooks.values()):
            if isinstance(hook, WeightNorm):
                torch.nn.utils.remove_weight_norm(module, hook.name)


def weights_digest(kmodel: KModel) -> str:
    """A sha256 of everything the network computes with: every tensor's name, type, shape and values,
    and the decoder's STFT window (a release may adapt it, as v0.19 does; it is not in the state dict).

    Two loaded models with the same digest make the same audio from the same input, so caches of
    audio (listening clips, voice samples) and of exports are keyed by it. ~0.2 s for 82 M weights.
    """
    digest = hashlib.sha256()
    tensors = dict(kmodel.state_dict())
    tensors["decoder.generator.stft.window"] = kmodel.decoder.generator.stft.window
    for name, tensor in sorted(tensors.items()):
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}\n".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


def pack_digest(pack: torch.Tensor) -> str:
    """A sha256 of a voice pack's shape and float32 values: with `weights_digest`, what a clip of
    that voice depends on (a re-exported or edited pack gets a new digest, so cached audio is remade)."""
    values = pack.detach().cpu().float().contiguous()
    digest = hashlib.sha256(f"{tuple(values.shape)}\n".encode())
    digest.update(values.reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


def checkpoint_state(kmodel: KModel, spec: ReleaseSpec) -> dict:
    """`kmodel`'s weights in the release's own checkpoint layout, as the hub file has them."""
    modules = {
        name: {
            _PREFIX + key: value
            for key, value in getattr(kmodel, name).state_dict().items()
            if key not in _unsaved_keys(getattr(kmodel, name))
        }
        for name in MODULES
    }
    return {"net": modules} if spec.wraps_in_net else modules


def _read(path: Path) -> object:
    """The checkpoint, memory-mapped: its tensors are copied into the model from the page cache,
    so loading does not hold a second, heap-allocated copy of the weights (~330 MB) that the
    allocator would then keep."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except FileNotFoundError:
        raise WeightsError(f"Checkpoint not found: {path}") from None
    except Exception as error:  # torch raises many types for a truncated or foreign file
        raise WeightsError(f"Cannot read checkpoint {path}: {error}") from None


def _unwrap(spec: ReleaseSpec, path: Path, raw: object) -> dict:
    """The per-module state dicts, after checking the top-level layout is this release's."""
    keys = sorted(raw) if isinstance(raw, dict) else []
    if spec.wraps_in_net:
        if keys != ["net"]:
            raise WeightsError(
                f"{path.name} is not a Kokoro {spec.version} checkpoint: {spec.version} wraps its "
                f"modules in {{'net': ...}}, this file has top-level keys {_some(keys)} "
                "(a v1.0 checkpoint has the modules at the top)."
            )
        raw = raw["net"]
        keys = sorted(raw) if isinstance(raw, dict) else []
    elif "net" in keys:
        raise WeightsError(
            f"{path.name} is not a Kokoro {spec.version} checkpoint: it wraps its modules in "
            "{'net': ...}, the v0.19 layout."
        )
    if keys != sorted(MODULES):
        raise WeightsError(
            f"{path.name} is not a Kokoro {spec.version} checkpoint: expected modules "
            f"{', '.join(MODULES)}, found {_some(keys)}."
        )
    return raw


def _unsaved_keys(module: torch.nn.Module) -> set[str]:
    """The affine InstanceNorm parameters `KModel` adds and no released checkpoint has."""
    return {
        f"{name}.{param}"
        for name, sub in module.named_modules()
        if isinstance(sub, torch.nn.InstanceNorm1d) and sub.affine
        for param in ("weight", "bias")
    }


def _some(keys: list) -> str:
    if not keys:
        return "nothing"
    shown = ", ".join(repr(key) for key in keys[:4])
    return shown + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")
