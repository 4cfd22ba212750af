"""The benchmark's word-timing cost: the time of word plans and `time_words` over the forward passes."""

from kokoro_ui.bench.word_cost import word_timing_share
from kokoro_ui.builds.v0_19.word_map import WordMapper
from kokoro_ui.builds.v1_0.word_plan import TokenLocator
from kokoro_ui.engine import release as release_module

TEXT = "Dr. Smith paid $3.50 at 10:30, and the well-known shop closed."


def test_the_share_is_measured_for_both_releases_and_the_code_path_is_left_as_it_was(v019, v1):
    before = (TokenLocator.plan, WordMapper.plan, release_module.time_words)
    for release in (v019, v1):
        share = word_timing_share(release, TEXT, "af_bella")
        assert 0 < share < 0.5  # something was timed, and far less than the passes themselves
    assert (TokenLocator.plan, WordMapper.plan, release_module.time_words) == before
