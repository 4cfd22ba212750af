"""ONNX Runtime backends: the export speaks like PyTorch, is made once, and is never reused stale.

Real components on synthetic weights. The releases here are built in a session-scoped
temporary cache (synthetic weights, then each release's export beside them), so every
session exports once, from scratch: v1.0 and v0.19 in fp32, v1.0 in int8. To keep that
modest, the export-time check runs on two of its three token lengths.
"""

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from conftest import THREE_PARAGRAPHS
from kokoro_ui.backends import onnx as onnx_backend
from kokoro_ui.backends import onnx_export, onnx_fidelity
from kokoro_ui.builds import BUILDS
from kokoro_ui.backends import TorchBackend, check_backend
from kokoro_ui.engine.chunk import SAMPLES_PER_FRAME
from kokoro_ui.backends.exact_stft import ExactSTFT
from kokoro_ui.weights.checkpoint import fold_weight_norm, load_checkpoint, new_kmodel
from kokoro_ui.builds.v0_19 import _original_stft_window
from kokoro_ui.errors import KokoroUIError, WeightsError
from kokoro_ui.services.manager import ModelManager

pytestmark = pytest.mark.slow

SENTENCE = "Kokoro compares two releases of one model, side by side."
CHECK_TOKENS = (30, 150)


class ExportStarted(Exception):
    """Raised by a stand-in for `onnx_export.export`: an export was attempted."""


@pytest.fixture(scope="session")
def onnx_settings(synthetic_settings, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(onnx_fidelity, "CASE_TOKENS", CHECK_TOKENS)
        yield replace(synthetic_settings, cache_dir=tmp_path_factory.mktemp("kokoro-cache"), backend="onnx")


@pytest.fixture(scope="session")
def onnx_manager(onnx_settings):
    return ModelManager(onnx_settings)


@pytest.fixture(scope="session")
def onnx_v1(onnx_manager):
    return onnx_manager.get_model("v1.0")


@pytest.fixture(scope="session")
def int8_v1(onnx_settings, onnx_v1):  # after onnx_v1: int8 quantises its fp32 export
    return ModelManager(replace(onnx_settings, backend="onnx-int8")).get_model("v1.0")


@pytest.fixture()
def no_export(monkeypatch):
    def refuse(*args, **kwargs):
        raise ExportStarted()

    monkeypatch.setattr(onnx_export, "export", refuse)


def _export_folder(settings, folder: str) -> Path:
    (found,) = (settings.cache_dir / f"synthetic-seed{settings.synthetic_seed}" / folder).glob("onnx-*")
    return found


def _fresh_kmodel(release):
    """The release's network loaded again from its checkpoint, as `load_release` does (v1.0 needs no adapting)."""
    config = json.loads(release.source.file("config.json").read_text())
    kmodel = new_kmodel(release.spec, config)
    load_checkpoint(kmodel, release.spec, release.source.file(release.spec.checkpoint_file))
    fold_weight_norm(kmodel)
    return kmodel


def test_onnx_speaks_like_torch_given_the_same_seed(v1, onnx_v1):
    # Synthetic weights predict ~3.5 frames for every token at speed 1, where float rounding (PyTorch's
    # or ONNX Runtime's) decides between 3 and 4: at 1.1 no token sits on that tie.
    speed = 1.1
    torch.manual_seed(7)  # both backends draw the decoder's noise from torch's global RNG, in the same order
    expected = list(v1.stream(SENTENCE, "af_heart", speed, fast_first=False))
    torch.manual_seed(7)
    got = list(onnx_v1.stream(SENTENCE, "af_heart", speed, fast_first=False))
    assert [chunk.durations_frames for chunk in got] == [chunk.durations_frames for chunk in expected]
    audio, expected_audio = (np.concatenate([chunk.audio for chunk in chunks]) for chunks in (got, expected))
    assert onnx_fidelity.log_mel_correlation(expected_audio, audio) >= 0.999


def test_the_release_says_it_runs_on_onnx(onnx_v1):
    assert onnx_v1.info.backend == "onnx"


def test_the_export_is_checked_and_its_fidelity_kept_beside_it(onnx_settings, onnx_v1):
    report = json.loads((_export_folder(onnx_settings, "v1_0") / "fidelity.json").read_text())
    assert [case["tokens"] for case in report["cases"]] == list(CHECK_TOKENS)
    assert report["durations_changed_pct"] == 0
    assert report["min_log_mel_correlation"] >= onnx_backend.MIN_FP32_LOG_MEL_CORRELATION


def test_a_second_load_reuses_the_export(onnx_settings, onnx_v1, no_export):
    folder = _export_folder(onnx_settings, "v1_0")
    modified = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    release = ModelManager(onnx_settings).get_model("v1.0")
    assert release.info.backend == "onnx"
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == modified
    assert not list(folder.parent.glob("*.partial-*"))


def test_a_different_checkpoint_does_not_reuse_the_export(onnx_settings, onnx_v1, no_export):
    kmodel = _fresh_kmodel(onnx_v1)
    assert onnx_backend.export_folder(kmodel, onnx_v1.spec, onnx_v1.source) == _export_folder(onnx_settings, "v1_0")
    with torch.no_grad():
        kmodel.decoder.generator.conv_post.bias[0] += 1e-4
    assert onnx_backend.export_folder(kmodel, onnx_v1.spec, onnx_v1.source) != _export_folder(onnx_settings, "v1_0")
    with pytest.raises(ExportStarted):
        onnx_backend.onnx_backend(kmodel, onnx_v1.spec, onnx_v1.source, quantized=False)


def test_a_release_adaptation_outside_the_state_dict_changes_the_key():
    spec = BUILDS["v0.19"].spec
    kmodel = new_kmodel(spec, json.loads(spec.embedded_config.read_text()), seed=0)
    float32_window = onnx_backend.export_key(kmodel)
    _original_stft_window(kmodel)  # v0.19's float64-computed window: a plain attribute, not a buffer
    assert onnx_backend.export_key(kmodel) != float32_window


def test_an_export_that_does_not_match_torch_is_refused_and_not_kept(onnx_v1, tmp_path, monkeypatch):
    poor = onnx_fidelity.Fidelity((onnx_fidelity.CaseFidelity(30, 3.0, 2, 0, 0.95, 0.9, -1.1),))
    monkeypatch.setattr(onnx_export, "export", lambda kmodel, *paths: [path.touch() for path in paths])
    monkeypatch.setattr(onnx_backend, "_measure", lambda *args: poor)
    with pytest.raises(WeightsError, match=r"log-mel correlation 0\.95000.*durations changed 6\.7%"):
        onnx_backend.onnx_backend(_fresh_kmodel(onnx_v1), onnx_v1.spec, onnx_v1.source, False, cache_dir=tmp_path)
    assert not list(tmp_path.rglob("*.onnx"))


def test_onnx_int8_is_labelled_with_its_measured_fidelity(onnx_settings, int8_v1):
    assert int8_v1.info.backend == "onnx-int8"
    assert "log-mel correlation" in int8_v1.info.backend_note
    assert int8_v1.kmodel is None  # the export is all that runs: the PyTorch weights are not kept
    report = json.loads((_export_folder(onnx_settings, "v1_0") / "fidelity.int8.json").read_text())
    assert report["backend"] == "onnx-int8"
    assert report["durations_changed_pct"] == 0  # only the decoder is quantised
    assert 0.9 <= report["min_log_mel_correlation"] < 1


def test_int8_quantises_the_decoder_blocks_and_keeps_raw_signals_in_float(onnx_settings, int8_v1):
    graph = onnx.load(str(_export_folder(onnx_settings, "v1_0") / "decoder.int8.onnx")).graph
    dequantised = {node.output[0] for node in graph.node if node.op_type == "DequantizeLinear"}
    int8_weights = {node.name: node.input[1] in dequantised for node in graph.node
                    if node.op_type in ("Conv", "ConvTranspose")}
    float_layers = {name for name in int8_weights if not any(
        block in name for block in ("/encode/", "/decode.", "/ups.", "/resblocks.", "/noise_res."))}
    # F0, energy and text features in; the harmonic source's STFT and its 2 convolutions; conv_post; the inverse STFT (2)
    assert len(float_layers) == 9
    assert int8_weights == {name: name not in float_layers for name in int8_weights}


def test_int8_streams_speech_of_the_predicted_length(int8_v1):
    chunks = list(int8_v1.stream(SENTENCE, "af_heart"))
    assert chunks and all(len(chunk.audio) == sum(chunk.durations_frames) * SAMPLES_PER_FRAME for chunk in chunks)


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_both_releases_stream_on_onnx(onnx_manager, version):
    release = onnx_manager.get_model(version)
    voice = next(iter(release.voices)).id
    chunks = list(release.stream(THREE_PARAGRAPHS, voice))
    assert len(chunks) >= 2
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.audio.dtype == np.float32 and chunk.audio.ndim == 1
        assert len(chunk.durations_frames) == len(chunk.token_ids) + 2
        assert len(chunk.audio) == sum(chunk.durations_frames) * SAMPLES_PER_FRAME
        assert np.isfinite(chunk.audio).all()


def test_an_unknown_backend_is_a_clear_error(synthetic_settings):
    with pytest.raises(KokoroUIError, match=r"Unknown backend 'tensorrt'; choose one of: torch, compiled, onnx, onnx-int8"):
        check_backend("tensorrt")
    with pytest.raises(KokoroUIError, match="Unknown backend"):
        ModelManager(replace(synthetic_settings, backend="onnx-fp16")).get_model("v1.0")


def test_exact_stft_is_torch_stft_and_istft():
    window = torch.hann_window(20)
    stft = ExactSTFT(window, hop_length=5)
    signal = torch.randn(1, 4800, generator=torch.Generator().manual_seed(0))
    spectrum = torch.stft(signal, 20, 5, 20, window=window, return_complex=True)
    magnitude, phase = stft.transform(signal)
    assert torch.allclose(magnitude, spectrum.abs(), atol=1e-5)
    assert torch.allclose(magnitude * torch.exp(1j * phase), spectrum, atol=1e-4)
    assert torch.equal(phase[:, 0] == math.pi, spectrum.real[:, 0] < 0)  # DC: angle 0 or π exactly, as torch.angle
    spectrum = spectrum.abs() * torch.exp(1j * torch.sin(torch.randn(spectrum.shape, generator=torch.Generator().manual_seed(1))))
    expected = torch.istft(spectrum, 20, 5, 20, window=window)
    assert torch.allclose(stft.inverse(spectrum.abs(), spectrum.angle()).reshape(-1), expected.reshape(-1), atol=1e-5)


def test_the_exported_halves_are_forward_with_tokens_bit_for_bit(v1):
    """What the export is made from, and what it is checked against, is `KModel` itself."""
    input_ids = torch.LongTensor([[0, *v1.frontend.tokenize("kəkˈɔːɹoʊ ɪz ə mˈɑːdəl."), 0]])
    style = v1.voice_pack(v1.voices.get("af_heart"))[input_ids.shape[1]]
    torch.manual_seed(3)
    audio, durations = TorchBackend(v1.kmodel)(input_ids, style, 1.1)
    with torch.inference_mode():
        half_durations, _, aligned, f0, energy = onnx_export.PredictorHalf(v1.kmodel)(input_ids, style, torch.tensor([1.1]))
        torch.manual_seed(3)
        draws = onnx_export.random_draws(f0.shape[-1], *onnx_export.noise_shape(v1.kmodel))
        half_audio = onnx_export.DecoderHalf(v1.kmodel)(aligned, f0, energy, style, *draws)
    assert np.array_equal(half_durations.numpy(), durations)
    assert np.array_equal(half_audio.numpy(), audio)

