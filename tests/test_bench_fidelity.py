"""The benchmark's fidelity columns: each app path against the release's own whole passes, same draws.

Whole passes on `torch` are the release's own, sample for sample; text-level fast first audio is
not (its cut adds a phrase end, so it is longer, and there is nothing to line up); decoder windows
keep the length and durations.
"""

import numpy as np
import pytest

from kokoro_ui.bench.fidelity import against, joined_audio, seeded_reference, seeded_stream
from kokoro_ui.builds import BUILDS

VOICE = "af_bella"
TEXT = "The quick brown fox, and the lazy dog."  # long enough for fast first to cut it


@pytest.mark.parametrize("version", ["v1.0", "v0.19"])
def test_each_path_is_measured_against_the_release_s_own_whole_passes(manager, version):
    release = manager.get_model(version)
    reference = seeded_reference(BUILDS[version].reference(release, VOICE), TEXT)
    whole = seeded_stream(release, TEXT, VOICE)

    assert np.array_equal(joined_audio(whole), reference)
    own = against(whole, reference, whole)
    assert own.length_ratio == 1.0 and own.log_mel_r == pytest.approx(1.0, abs=1e-12) and own.durations_identical

    windows = against(seeded_stream(release, TEXT, VOICE, in_windows=True), reference, whole)
    assert windows.length_ratio == 1.0 and windows.durations_identical and windows.log_mel_r is not None

    fast_first = against(seeded_stream(release, TEXT, VOICE, fast_first=True), reference, whole)
    assert fast_first.length_ratio != 1.0 and fast_first.log_mel_r is None and not fast_first.durations_identical
