"""Comparing two releases: both stream at once, fair mode never overlaps, Stop stops both."""

import random
import time

import pytest

from kokoro_ui.services.compare import compare
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.validation import SpeechRequest

TEXT = "First sentence here. A second one follows! And then a third."


def requests(text: str = TEXT, left_voice: str = "af_bella", right_voice: str = "af_bella") -> list[SpeechRequest]:
    return [SpeechRequest(text, left_voice, "v0.19", 1.0, None), SpeechRequest(text, right_voice, "v1.0", 1.0, None)]


def three_chunk_text() -> str:
    return TEXT.replace(". ", ".\n").replace("! ", "!\n")  # v1.0 splits at newlines, v0.19 at sentences


@pytest.mark.parametrize("mode", ["fair", "parallel"])
def test_each_side_streams_its_first_chunk_before_either_finishes(manager, v1, v019, mode):
    events = list(compare(manager, requests(three_chunk_text()), mode))
    finished_at = [i for i, event in enumerate(events) if event.result is not None]
    for version in ("v0.19", "v1.0"):
        first_chunk = next(i for i, event in enumerate(events) if event.version == version and event.chunk)
        assert first_chunk < min(finished_at)
    results = {event.version: event.result for event in events if event.result}
    assert results["v0.19"].chunks == 3 and results["v1.0"].chunks == 3
    assert all(result.mode == mode and result.error is None for result in results.values())


def test_fair_mode_never_runs_two_forward_passes_at_once(manager, v1, v019):
    chunks = [event.chunk for event in compare(manager, requests(three_chunk_text()), "fair") if event.chunk]
    spans = sorted((chunk.model_started_at, chunk.model_started_at + chunk.model_s) for chunk in chunks)
    assert len(spans) == 6
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))


def test_fair_mode_alternates_and_randomises_who_goes_first(manager, v1, v019):
    firsts = set()
    for seed in range(8):
        events = compare(manager, requests("One. Two."), "fair", random.Random(seed))
        order = [event.version for event in events if event.chunk]
        assert order[0] != order[1]
        firsts.add(order[0])
    assert firsts == {"v0.19", "v1.0"}


def test_parallel_mode_overlaps_the_two_releases(manager, v1, v019):
    chunks = {}
    for event in compare(manager, requests(three_chunk_text()), "parallel"):
        if event.chunk:
            chunks.setdefault(event.version, []).append(event.chunk)
    left = [(c.model_started_at, c.model_started_at + c.model_s) for c in chunks["v0.19"]]
    right = [(c.model_started_at, c.model_started_at + c.model_s) for c in chunks["v1.0"]]
    assert any(a < d and c < b for a, b in left for c, d in right)


@pytest.mark.parametrize("mode", ["fair", "parallel"])
def test_stopping_stops_both_sides(manager, v1, v019, mode):
    long_text = " ".join(f"Sentence number {n} is here." for n in range(12)).replace(". ", ".\n")
    events = compare(manager, requests(long_text), mode)
    next(event for event in events if event.chunk)
    events.close()
    passes = v1.forward_passes + v019.forward_passes
    time.sleep(1.5)
    assert v1.forward_passes + v019.forward_passes == passes


def test_a_bad_voice_fails_only_its_own_side(manager, v1, v019):
    events = list(compare(manager, requests("Hello there.", left_voice="../../etc/passwd"), "fair"))
    results = {event.version: event.result for event in events if event.result}
    assert "no voice '../../etc/passwd'" in results["v0.19"].error
    assert results["v1.0"].error is None and results["v1.0"].chunks == 1


def test_metrics_count_what_was_streamed(manager, v1, v019):
    events = list(compare(manager, requests(three_chunk_text()), "fair"))
    for version in ("v0.19", "v1.0"):
        chunks = [event.chunk for event in events if event.version == version and event.chunk]
        result = next(event.result for event in events if event.version == version and event.result)
        assert result.tokens == sum(len(chunk.token_ids) for chunk in chunks)
        assert result.audio_s == pytest.approx(sum(chunk.audio_s for chunk in chunks))
        assert 0 < result.ttfa_s <= result.total_s
        assert result.rtf == pytest.approx(result.compute_s / result.audio_s)
        assert result.characters == len(three_chunk_text()) and not result.loaded_first


def test_unknown_mode_is_refused(manager):
    with pytest.raises(KokoroUIError, match="fair, parallel"):
        compare(manager, requests(), "sequential")
