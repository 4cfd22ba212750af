"""The v1.0 build streams what `KPipeline` itself would produce, chunk by chunk."""

import json

import numpy as np
import pytest
import torch
from kokoro import KPipeline

from conftest import THREE_PARAGRAPHS
from kokoro_ui.engine.chunk import SAMPLES_PER_FRAME
from kokoro_ui.weights.checkpoint import load_checkpoint, new_kmodel
from kokoro_ui.errors import UnknownVoiceError, UnsupportedLanguageError


def test_three_paragraphs_stream_as_several_chunks(v1):
    chunks = list(v1.stream(THREE_PARAGRAPHS, "af_heart"))
    assert len(chunks) >= 2
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    assert all(chunk.audio.dtype == np.float32 and chunk.audio.ndim == 1 for chunk in chunks)


def test_each_chunk_equals_kpipeline_output_bit_for_bit(v1):
    pack = v1.voice_pack(v1.voices.get("af_heart"))
    torch.manual_seed(1234)  # the decoder draws noise from torch's global RNG
    ours = list(v1.stream(THREE_PARAGRAPHS, "af_heart", speed=1.1, fast_first=False))
    torch.manual_seed(1234)
    pipeline = KPipeline(lang_code="a", repo_id="hexgrad/Kokoro-82M", model=v1.kmodel)
    theirs = list(pipeline(THREE_PARAGRAPHS, voice=pack, speed=1.1))
    assert len(ours) == len(theirs) == 3  # one pass per paragraph
    for chunk, result in zip(ours, theirs):
        assert chunk.phonemes == result.phonemes
        assert chunk.durations_frames == tuple(result.pred_dur.tolist())
        assert np.array_equal(chunk.audio, result.audio.numpy())


def test_chunk_audio_length_is_its_durations_times_600_samples(v1):
    chunks = list(v1.stream(THREE_PARAGRAPHS, "bf_emma"))
    assert len(chunks) >= 3
    for chunk in chunks:
        assert len(chunk.durations_frames) == len(chunk.token_ids) + 2  # a pad token at each end
        assert len(chunk.audio) == sum(chunk.durations_frames) * SAMPLES_PER_FRAME


def test_synthetic_durations_are_speech_like(v1):
    chunk = next(v1.stream("A sentence of ordinary length, to count frames per token.", "af_heart"))
    frames_per_token = sum(chunk.durations_frames) / len(chunk.durations_frames)
    assert 2.5 <= frames_per_token <= 5


def test_closing_the_stream_stops_computation(v1):
    before = v1.forward_passes
    stream = v1.stream(THREE_PARAGRAPHS, "af_heart")
    next(stream)
    stream.close()
    assert v1.forward_passes == before + 1


def test_timings_are_reported_per_chunk(v1):
    chunk = next(v1.stream("Timing test.", "af_heart"))
    assert chunk.model_s > 0 and chunk.frontend_s >= 0


def test_unknown_voice_is_refused_with_choices(v1):
    with pytest.raises(UnknownVoiceError, match=r"no voice '\.\./\.\./etc/passwd'.*af_heart"):
        v1.stream("Hello.", "../../etc/passwd")


def test_unknown_language_is_refused_before_any_work(v1):
    before = v1.forward_passes
    with pytest.raises(UnsupportedLanguageError, match="'x'"):
        v1.stream("Hello.", "af_heart", lang="x")
    assert v1.forward_passes == before


def test_voice_packs_are_read_once(v1):
    voice = v1.voices.get("am_adam")
    assert v1.voice_pack(voice) is v1.voice_pack(voice)


def test_british_voice_speaks_british_english(v1):
    us = next(v1.stream("I can't find the tomato.", "af_heart")).phonemes
    gb = next(v1.stream("I can't find the tomato.", "bf_emma")).phonemes
    assert us != gb


def test_folding_weight_norm_changes_no_sample(v1):
    """The loaded model has its weight norm folded (one copy of each weight, not three); the
    network as `KModel` builds it, hooks and all, gives the same audio bit for bit."""
    config = json.loads(v1.source.file("config.json").read_text())
    hooked = new_kmodel(v1.spec, config)
    load_checkpoint(hooked, v1.spec, v1.source.file(v1.spec.checkpoint_file))
    assert any(name.endswith("weight_g") for name, _ in hooked.named_parameters())
    assert not any(name.endswith("weight_g") for name, _ in v1.kmodel.named_parameters())
    input_ids = torch.LongTensor([[0, *v1.frontend.tokenize("kəkˈɔːɹoʊ ɪz ə mˈɑːdəl."), 0]])
    style = v1.voice_pack(v1.voices.get("af_heart"))[input_ids.shape[1]]
    outputs = []
    for kmodel in (hooked, v1.kmodel):
        torch.manual_seed(5)
        with torch.inference_mode():
            outputs.append(kmodel.forward_with_tokens(input_ids, style, 1.0))
    assert torch.equal(outputs[0][0], outputs[1][0]) and torch.equal(outputs[0][1], outputs[1][1])
