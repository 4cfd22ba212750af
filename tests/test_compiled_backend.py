"""The `compiled` backend: the decoder split exactly, built in a child process, swapped in, cached.

One real build of v1.0's (synthetic) decoder is shared by the module: export, AOTInductor and
the C++ compiler take one to three minutes on two cores.
"""

import os
import shutil
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
import torch

from kokoro_ui.backends import TorchBackend, aoti_decoder
from kokoro_ui.backends.artifacts import DEAD_PARTIAL_S, remove_stale
from kokoro_ui.backends.compiled import MIN_LOG_MEL_CORRELATION, compiled_backend
from kokoro_ui.backends.onnx_export import PredictorHalf
from kokoro_ui.backends.onnx_fidelity import log_mel_correlation
from kokoro_ui.services.manager import ModelManager

pytestmark = pytest.mark.slow

BUILD_TIMEOUT_S = 900


def _features(release, tokens: int):
    style = release.pack_for(next(iter(release.voices)).id)[tokens].reshape(1, -1)
    input_ids = torch.LongTensor([[0, *np.random.default_rng(tokens).integers(1, 150, tokens).tolist(), 0]])
    with torch.inference_mode():
        _, _, aligned, f0, energy = PredictorHalf(release.kmodel)(input_ids, style, torch.ones(1))
    return input_ids, style, (aligned, f0, energy, style[:, :128])


def eager_decode(decoder, asr, f0_curve, energy, style) -> torch.Tensor:
    """The decoder in three parts, eager: what the compiled library replaces the middle of."""
    generator = decoder.generator
    body = aoti_decoder.DecoderBody(decoder)(asr, f0_curve, energy, style, aoti_decoder.harmonic(generator, f0_curve))
    return aoti_decoder.finish(generator, body)


@pytest.mark.parametrize("version", ["v0.19", "v1.0"])
@pytest.mark.parametrize("tokens", [1, 37])
def test_the_three_parts_are_the_decoder_bit_for_bit(manager, version, tokens):
    release = manager.get_model(version)
    _, _, features = _features(release, tokens)
    with torch.inference_mode():
        torch.manual_seed(tokens)
        whole = release.kmodel.decoder(*features)
        torch.manual_seed(tokens)
        parts = eager_decode(release.kmodel.decoder, *features)
    assert torch.equal(whole, parts)


@pytest.fixture(scope="module")
def built(v1, tmp_path_factory):
    cache = tmp_path_factory.mktemp("compiled")
    backend = compiled_backend(v1.kmodel, v1.spec, v1.source, cache_dir=cache)
    assert "eager PyTorch until it is ready" in backend.note  # it serves before the build is done
    assert backend.ready.wait(BUILD_TIMEOUT_S), "the decoder build did not finish"
    return backend, cache


def test_the_build_is_checked_and_swapped_in(built):
    backend, _ = built
    assert backend.note.startswith("decoder compiled by AOTInductor"), backend.note
    assert (backend.folder / "decoder.so").is_file() and (backend.folder / "report.json").is_file()
    assert not list(backend.folder.parent.glob("*.partial-*"))


def test_compiled_passes_keep_durations_and_sound(v1, built):
    backend, _ = built
    input_ids, style, _ = _features(v1, 60)
    torch.manual_seed(3)
    eager_audio, eager_durations = TorchBackend(v1.kmodel)(input_ids, style, 1.0)
    torch.manual_seed(3)
    audio, durations = backend(input_ids, style, 1.0)
    assert np.array_equal(durations, eager_durations)
    assert audio.shape == eager_audio.shape
    assert log_mel_correlation(eager_audio, audio) >= MIN_LOG_MEL_CORRELATION


def test_a_compiled_pass_lets_other_threads_run(v1, built):
    """The library is called without the GIL: a server's other threads keep going during a pass."""
    backend, _ = built
    input_ids, style, _ = _features(v1, 120)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.perf_counter()
    try:
        backend(input_ids, style, 1.0)
    finally:
        stop.set()
        ticker.join()
    during = [t for t in ticks if t > started]
    gaps = np.diff([started, *during])
    assert len(during) > 5 and gaps.max() < 0.5, f"longest stall of the other thread: {gaps.max():.2f} s"


def test_a_second_start_uses_the_cached_build_at_once(v1, built):
    _, cache = built
    started = time.perf_counter()
    again = compiled_backend(v1.kmodel, v1.spec, v1.source, cache_dir=cache)
    assert again.ready.is_set() and again.note.startswith("decoder compiled"), again.note
    assert time.perf_counter() - started < 30


def test_a_failed_build_leaves_eager_pytorch_serving(v1, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    backend = compiled_backend(v1.kmodel, v1.spec, v1.source, cache_dir=blocker)
    assert backend.ready.wait(60)
    assert "compiling the decoder failed" in backend.note and "eager PyTorch" in backend.note
    input_ids, style, _ = _features(v1, 20)
    torch.manual_seed(5)
    expected = TorchBackend(v1.kmodel)(input_ids, style, 1.0)
    torch.manual_seed(5)
    audio, durations = backend(input_ids, style, 1.0)
    assert np.array_equal(audio, expected[0]) and np.array_equal(durations, expected[1])


def test_the_library_refuses_a_pass_outside_its_range(v1, built):
    backend, _ = built
    body = aoti_decoder.SharedLibraryBody(backend.folder / "decoder.so")
    with pytest.raises(ValueError, match="outside the compiled range"):
        body(torch.zeros(1, 512, aoti_decoder.MAX_FRAMES + 1), *[torch.zeros(1)] * 4)


def test_a_cached_build_that_does_not_load_leaves_eager_serving(v1, built, tmp_path):
    backend, _ = built
    copy = tmp_path / v1.spec.folder / backend.folder.name
    shutil.copytree(backend.folder, copy)
    (copy / "decoder.so").write_bytes(b"not a shared library")
    again = compiled_backend(v1.kmodel, v1.spec, v1.source, cache_dir=tmp_path)
    assert again.ready.is_set()
    assert "loading the compiled decoder failed" in again.note and "eager PyTorch" in again.note


def test_stale_builds_and_dead_half_made_ones_are_removed_beside_a_new_build(tmp_path):
    current, older, live, dead = (tmp_path / name for name in
                                  ("aoti-new", "aoti-old", "aoti-new.partial-1", "aoti-old.partial-2"))
    for folder in (current, older, live, dead):
        folder.mkdir()
    long_ago = time.time() - DEAD_PARTIAL_S - 60
    os.utime(dead, (long_ago, long_ago))
    remove_stale(current, "aoti-")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["aoti-new", "aoti-new.partial-1"]


def _folder_without(settings, tmp_path, folder: str, missing: set[str]):
    """A weights folder with the synthetic release `folder`, its voice packs but `missing` (every pack if empty)."""
    synthetic = settings.cache_dir / f"synthetic-seed{settings.synthetic_seed}" / folder
    target = tmp_path / folder
    (target / "voices").mkdir(parents=True)
    for name in ("config.json", next(synthetic.glob("*.pth")).name):
        (target / name).symlink_to(synthetic / name)
    kept = [pack for pack in (synthetic / "voices").glob("*.pt") if missing and pack.stem not in missing]
    for pack in kept:
        (target / "voices" / pack.name).symlink_to(pack)
    return target, len(kept)


def test_a_folder_without_the_default_voice_loads_on_the_default_backend_and_speaks(
        v1, built, synthetic_settings, tmp_path):
    """The default backend checks its build with voices the folder has: one missing pack takes nothing down."""
    backend, _ = built
    target, kept = _folder_without(synthetic_settings, tmp_path, v1.spec.folder, {"af_heart"})
    assert kept > 0 and not (target / "voices" / "af_heart.pt").exists()
    shutil.copytree(backend.folder, target / backend.folder.name)  # the shared build, cached beside the weights
    manager = ModelManager(replace(synthetic_settings, weights=str(tmp_path), backend="compiled"))
    release = manager.get_model("v1.0")
    assert release.backend.ready.wait(60) and release.info.backend_note.startswith("decoder compiled"), \
        release.info.backend_note
    chunks = list(release.stream("A voice the folder still has.", "af_bella"))
    assert chunks and all(len(chunk.audio) for chunk in chunks)


def test_a_folder_with_no_voice_pack_stays_eager_and_says_why(v1, synthetic_settings, tmp_path):
    _folder_without(synthetic_settings, tmp_path, v1.spec.folder, set())
    manager = ModelManager(replace(synthetic_settings, weights=str(tmp_path), backend="compiled"))
    release = manager.get_model("v1.0")
    assert release.backend.ready.is_set()
    assert "no voice pack" in release.info.backend_note and "eager PyTorch" in release.info.backend_note
