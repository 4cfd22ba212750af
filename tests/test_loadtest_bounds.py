"""The load test states the memory bounds it checks, and says when one does not hold."""

from kokoro_ui.loadtest.burst import memory_bounds


def test_peak_within_the_single_requests_sum_and_memory_back_after_the_load_hold():
    bounds = memory_bounds(1000.0, {"v1.0": 400.0, "v0.19": 500.0}, peak_mb=1800.0, after_mb=1090.0)
    assert list(bounds.values()) == [True, True]


def test_a_peak_above_the_sum_or_memory_kept_after_the_load_is_reported():
    bounds = memory_bounds(1000.0, {"v1.0": 400.0, "v0.19": 500.0}, peak_mb=1950.0, after_mb=1150.0)
    assert list(bounds.values()) == [False, False]
