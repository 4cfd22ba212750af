"""Streaming a pass in decoder windows (`kokoro_ui.engine.windows`, `Release.stream(in_windows=True)`).

Length and durations are the whole pass's exactly, on synthetic weights; how close the sound is
(log-mel correlation, seams) is measured on the real packaged v1.0 weights, the same random
draws in both (`bench.fidelity`).
"""

import pytest
import torch

from kokoro_ui.backends.aoti_decoder import DecoderBody, finish, frame_features, harmonic
from kokoro_ui.backends.onnx_fidelity import log_mel_correlation
from kokoro_ui.bench.fidelity import streamed_fidelity
from kokoro_ui.bench.texts import PARAGRAPH, SENTENCE
from kokoro_ui.engine import windows
from kokoro_ui.engine.chunk import SAMPLES_PER_FRAME, joined
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.ui.examples import LONG_PASSAGE

PASSAGE_5000 = (LONG_PASSAGE + " ") * (5000 // len(LONG_PASSAGE) + 1)
PASSAGE_5000 = PASSAGE_5000[:PASSAGE_5000.rindex(".", 0, 5000) + 1]


def test_window_bounds_cover_the_pass_in_growing_windows():
    for frames in (1, 39, 40, 61, 200, 944, 1800):
        bounds = windows.window_bounds(frames)
        assert bounds[0][0] == 0 and bounds[-1][1] == frames
        assert all(end == start for (_, end), (start, _) in zip(bounds, bounds[1:]))
        sizes = [end - start for start, end in bounds]
        assert sizes[0] <= max(windows.FIRST_FRAMES * 3 // 2, frames)
        assert all(size <= windows.MOST_FRAMES * 3 // 2 for size in sizes)


def test_one_window_over_a_whole_pass_is_the_decoder(v1):
    """The frame-rate layers, then the windowed generator with one window and its own statistics,
    compute what `Decoder.forward` does (the statistics are summed in float64 rather than by
    InstanceNorm's kernel: rounding apart)."""
    prosody = _prosody(v1, "One window, the whole pass.")
    decoder = v1.kmodel.decoder
    norms = windows.PooledNorms(prosody.frames)
    norms.cores = [(0, prosody.frames)]
    with torch.inference_mode():
        features = frame_features(decoder, prosody.aligned_text, prosody.f0, prosody.energy, prosody.style)
        ours = windows.generator_in_windows(decoder.generator, features, prosody.harmonic, prosody.style, norms)
        with torch.random.fork_rng():
            torch.manual_seed(5)
            reference = finish(decoder.generator, DecoderBody(decoder)(
                prosody.aligned_text, prosody.f0, prosody.energy, prosody.style, harmonic(decoder.generator, prosody.f0)))
        audio = finish(decoder.generator, ours)
    assert audio.shape == reference.shape
    assert log_mel_correlation(audio.reshape(-1).numpy(), reference.reshape(-1).numpy()) > 0.99999  # float rounding only


@pytest.mark.slow
def test_a_streamed_5000_character_passage_is_as_long_as_its_whole_passes_with_the_same_durations(v1):
    """The whole passage streamed in windows; its pass plan is KPipeline's (no model needed to know it),
    and every pass's durations are those the whole pass predicts (a whole pass's audio is its durations'
    frames to the sample: `test_one_window_over_a_whole_pass_is_the_decoder`, and `v1_0_build`'s tests
    against KPipeline), so only the predictor runs again, not the decoder.
    Spoken at twice the pace, the fastest the app allows: half the frames to decode, the same passes."""
    streamed = list(v1.stream(PASSAGE_5000, "af_heart", speed=2.0, in_windows=True))
    passes = [joined(group) for group in _passes(streamed)]
    plan = [segment.phonemes for segment in v1.frontend.segments(PASSAGE_5000, "a")
            if v1.frontend.tokenize(segment.phonemes)]
    assert [chunk.phonemes for chunk in passes] == plan and len(plan) > 1
    assert all(len(chunk.audio) == sum(chunk.durations_frames) * SAMPLES_PER_FRAME for chunk in passes)
    assert max(len(chunk.token_ids) for chunk in passes) > 400  # long passes among them
    for chunk in passes:
        style = v1.pack_for("af_heart")[v1.frontend.style_row(chunk.phonemes, list(chunk.token_ids))]
        whole = windows.predict(v1.kmodel, torch.LongTensor([[0, *chunk.token_ids, 0]]), style, 2.0)
        assert whole.durations_frames == chunk.durations_frames
    assert max(len(group) for group in _passes(streamed)) > 2  # long passes really are windowed
    assert {chunk.decoding for chunk in streamed} == {"decoder windows"}


def test_a_voices_first_windowed_pass_is_calibrated_once_and_gives_the_random_draws_back(v1):
    """A voice with no windowed pass yet gets its calibration pass first (a warm-up pass, not a
    visitor's), only once; the calibration's random draws are given back, so a seeded windowed
    stream draws the same numbers with or without it."""
    voice = "af_heart(1)+am_adam(3)"  # a mix no other test streams in windows
    draws, calibrations = [], []
    for _ in range(2):
        warm_ups, passes = v1.warm_up_passes, v1.forward_passes
        torch.manual_seed(11)
        chunks = list(v1.stream("Calibrated once.", voice, in_windows=True))
        draws.append(torch.rand(4))
        calibrations.append(v1.warm_up_passes - warm_ups)
        assert v1.forward_passes - passes == len(_passes(chunks)) == 1
    assert calibrations == [1, 0]
    assert torch.equal(draws[0], draws[1])


def test_stop_during_a_windowed_stream_stops_at_the_next_window(v1):
    before = v1.forward_passes
    stream = v1.stream(PARAGRAPH, "af_heart", in_windows=True)
    first = next(stream)
    assert first.window is not None and first.window.index == 0 and not first.window.last
    stream.close()
    assert next(stream, None) is None
    assert v1.forward_passes == before + 1  # the one pass it began; no other began


def test_bad_input_to_a_windowed_stream_is_refused_before_any_work(v1):
    before = v1.forward_passes
    with pytest.raises(KokoroUIError, match="voice"):
        v1.stream("Hello.", "no_such_voice", in_windows=True)
    assert v1.forward_passes == before


def _passes(streamed):
    groups, current = [], []
    for chunk in streamed:
        current.append(chunk)
        if chunk.completes_pass:
            groups.append(current)
            current = []
    assert not current
    return groups


def _prosody(release, text: str) -> windows.Prosody:
    segment = next(release.frontend.segments(text, "a"))
    token_ids = release.frontend.tokenize(segment.phonemes)
    style = release.pack_for("af_heart")[release.frontend.style_row(segment.phonemes, token_ids)]
    with torch.random.fork_rng():
        torch.manual_seed(5)
        return windows.predict(release.kmodel, torch.LongTensor([[0, *token_ids, 0]]), style, 1.0)


@pytest.fixture(scope="module")
def packaged_v1(real):
    return real.get_model("v1.0")


@pytest.mark.slow
def test_windows_keep_the_whole_pass_timing_and_stay_near_its_sound_on_real_weights(packaged_v1):
    """The opt-in's measured floor (README: 0.9949, every window >= 0.992 for this sentence in a calibrated
    voice; 0.9785 and 0.966 before the frame-rate layers ran whole and voices were calibrated), not the
    issue's target (r >= 0.998), which it does not reach yet: that is why decoder windows are opt-in and labelled."""
    fidelity = streamed_fidelity(packaged_v1, SENTENCE, "af_heart")
    assert fidelity.length_ratio == 1.0 and fidelity.durations_identical
    assert fidelity.log_mel_r >= 0.99
    assert fidelity.worst_window_r >= 0.985
    assert fidelity.seam_step_ratio <= 1.0  # no seam steps more than the speech itself does nearby
