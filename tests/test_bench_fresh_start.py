"""`--fresh-start`: the worst side of each fair-mode Compare in the first minutes, against the steady state.

The real measurement (a fresh process, both decoders built from nothing) takes minutes of both
cores, so it is not run here: its loop runs briefly on the session's loaded releases, and its
summary is checked on known rounds.
"""

import json
import time
from dataclasses import asdict

from kokoro_ui.bench.fresh_start import FairRound, FreshStart, format_fresh_start, measure_fresh_start
from kokoro_ui.bench.measure import WHOLE_PATH

EARLY = [FairRound(12.0, {"v0.19": 1.5, "v1.0": 0.6}, True), FairRound(14.0, {"v0.19": 0.7, "v1.0": 2.4}, True),
         FairRound(17.0, {"v0.19": 1.2, "v1.0": 0.5}, False)]
STEADY = [FairRound(400.0, {"v0.19": 1.0, "v1.0": 0.5}, False), FairRound(402.0, {"v0.19": 0.5, "v1.0": 1.2}, False),
          FairRound(404.0, {"v0.19": 1.1, "v1.0": 0.6}, False)]
RESULT = FreshStart("compiled", WHOLE_PATH, 300.0, 11.5, 17.0, {"v0.19": "decoder compiled", "v1.0": "decoder compiled"},
                    EARLY, STEADY)


def test_the_ratio_is_the_window_s_worst_compare_over_the_steady_median_worst_side():
    summary = RESULT.summary()
    assert summary["fresh_start_worst_s"] == 2.4  # v1.0 went second in the second Compare
    assert summary["fresh_start_steady_s"] == 1.1  # worst sides 1.0, 1.2, 1.1
    assert summary["fresh_start_ratio"] == round(2.4 / 1.1, 3)
    assert summary["fresh_start_rounds"] == 3 and summary["fresh_start_rounds_while_building"] == 2


def test_the_report_gives_each_side_and_the_headline_against_its_target():
    text = format_fresh_start(RESULT)
    assert "fresh start on compiled (app, whole)" in text and "builds done by 17.0 s" in text
    assert "| v1.0 | 0.600 / 2.400 / 2.400 | 0.600 | 4.00 |" in text
    assert "| v0.19 | 1.200 / 1.500 / 1.500 | 1.000 | 1.50 |" in text
    assert "against the steady state: 2.182 (target ≤ 1.2)" in text


def test_the_measuring_process_s_answer_reads_back_as_it_was():
    assert FreshStart.from_json(json.loads(json.dumps(asdict(RESULT)))) == RESULT


def test_the_loop_measures_both_sides_until_the_window_ends_then_the_steady_state(manager, v1, v019):
    started_at = time.monotonic()
    result = measure_fresh_start(manager, 0.0, 1, started_at)  # no window left: one Compare in each part
    assert len(result.early) == 1 and len(result.steady) == 1
    for row in (*result.early, *result.steady):
        assert set(row.first_audio_s) == {"v0.19", "v1.0"} and all(s > 0 for s in row.first_audio_s.values())
        assert not row.building  # the session's releases run on torch: nothing is built
    assert result.backend == "torch" and result.path == WHOLE_PATH
    assert 0 <= result.loaded_s <= result.built_s <= time.monotonic() - started_at
