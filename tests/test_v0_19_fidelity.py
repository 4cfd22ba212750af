"""Kokoro v0.19 fidelity: this project's v0.19 forward pass is the original v0.19 forward pass.

The v0.19 build runs the v0.19 weights through the `kokoro` package's `KModel`, not through
the code v0.19 shipped with. `data/v0_19/original_forward.npz` holds what the ORIGINAL code
(models.py, istftnet.py, plbert.py and kokoro.py of v0.19, run unmodified) produced on the
same synthetic v0.19 weights (seed 0): for each case the tokens, the voice, speed and torch
seed, the per-token durations (pad tokens included), the unrounded durations and the audio.
Given the same tokens, style row, speed and seed, the build must predict the same durations
and a waveform that correlates with the original's at >= 0.999999 (the issue asks 0.9999;
with v0.19's own STFT window restored the difference is at the fixture's float16 rounding,
1 - r ~ 2e-8). The synthetic audio is noise-driven, so this only holds if both draw the same
random numbers in the same order.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

# the passes run in a child process that loads v0.19 on MKL's portable path (below)
pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parent / "data" / "v0_19" / "original_forward.npz"
MIN_CORRELATION = 0.999999
RAW_DURATION_ATOL = 1e-4  # frames; the rounded durations are only as good as this margin
STREAM_CASE = 1  # one sentence with numbers, money and a title: one segment, one forward pass


@dataclass(frozen=True)
class Case:
    index: int
    text: str
    lang: str
    voice: str
    speed: float
    seed: int
    tokens: tuple[int, ...]
    durations: tuple[int, ...]
    raw_durations: np.ndarray
    audio: np.ndarray

    def __str__(self) -> str:
        return f"{self.index}-{self.voice}-{len(self.tokens)}tok-x{self.speed}"


def _load_fixture() -> tuple[int, list[Case]]:
    with np.load(FIXTURE) as data:
        count = sum(1 for key in data.files if key.startswith("tokens_"))
        cases = [
            Case(
                index=i,
                text=str(data[f"text_{i}"]),
                lang=str(data[f"lang_{i}"]),
                voice=str(data[f"voice_{i}"]),
                speed=float(data[f"speed_{i}"]),
                seed=int(data[f"seed_{i}"]),
                tokens=tuple(int(t) for t in data[f"tokens_{i}"]),
                durations=tuple(int(d) for d in data[f"durations_{i}"]),
                raw_durations=data[f"raw_durations_{i}"].astype(np.float64),
                audio=data[f"audio_{i}"].astype(np.float64),
            )
            for i in range(count)
        ]
        return int(data["weights_seed"]), cases


WEIGHTS_SEED, CASES = _load_fixture()
each_case = pytest.mark.parametrize("case", CASES, ids=str)


def correlation(ours: np.ndarray, original: np.ndarray) -> float:
    return float(np.corrcoef(np.asarray(ours, dtype=np.float64), original)[0, 1])


@pytest.fixture(scope="module")
def release(manager, v019):
    """The session's v0.19 build, provided it runs on the weights the fixture was made from."""
    if manager.settings.synthetic_seed != WEIGHTS_SEED:
        pytest.fail(
            f"original_forward.npz was made on synthetic weights of seed {WEIGHTS_SEED}, but this "
            f"session's synthetic weights use seed {manager.settings.synthetic_seed} "
            "(KOKORO_UI_SYNTHETIC_SEED?): the comparison would be meaningless."
        )
    return v019


# The original's passes were made with MKL's portable code path's results; MKL's own paths for a
# newer CPU (AVX-512, AMX) differ in the last bits, and the decoder turns that into a different first
# frame of the shortest case (r = 0.99993 on a Sapphire Rapids; 1 - 2e-8 with the portable path).
# MKL reads this once, as it starts, so our passes run in a child process that sets it.
MKL_PORTABLE = {"MKL_CBWR": "COMPATIBLE"}
CHILD = """
import sys
import numpy as np
sys.path[:0] = [{tests!r}, {repo!r}]
from test_v0_19_fidelity import CASES, our_pass
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.config.settings import Settings
settings = Settings.from_env(weights="synthetic", cache_dir={cache!r}, synthetic_seed={seed})
release = ModelManager(settings).get_model("v0.19")
out = {{}}
for case in CASES:
    audio, durations, raw = our_pass(release, case)
    out.update({{f"audio_{{case.index}}": audio, f"durations_{{case.index}}": np.array(durations),
                f"raw_{{case.index}}": raw}})
np.savez({path!r}, **out)
"""


def our_pass(release, case: Case) -> tuple[np.ndarray, tuple[int, ...], np.ndarray]:
    """The build's forward pass for a case: (audio, durations, unrounded durations).

    The unrounded durations are read off the duration head with a hook, so the pass itself
    is the build's own, untouched.
    """
    logits = []
    hook = release.kmodel.predictor.duration_proj.register_forward_hook(
        lambda module, args, output: logits.append(output))
    try:
        style = release.voice_pack(release.voices.get(case.voice))[len(case.tokens)]
        torch.manual_seed(case.seed)
        result = release.forward(list(case.tokens), style, case.speed)
    finally:
        hook.remove()
    raw = (torch.sigmoid(logits[0]).sum(dim=-1) / case.speed).reshape(-1).double().numpy()
    return result.audio, result.durations_frames, raw


@pytest.fixture(scope="module")
def forward(manager, release, tmp_path_factory):
    """Every case's pass, run once, on the session's weights, in a child process on MKL's portable path."""
    path = tmp_path_factory.mktemp("v0_19_passes") / "passes.npz"
    tests = Path(__file__).parent
    script = CHILD.format(tests=str(tests), repo=str(tests.parent), cache=str(manager.settings.cache_dir),
                          seed=manager.settings.synthetic_seed, path=str(path))
    subprocess.run([sys.executable, "-c", script], env={**os.environ, **MKL_PORTABLE}, check=True, timeout=600)
    with np.load(path) as passes:
        results = {case.index: (passes[f"audio_{case.index}"], tuple(int(d) for d in passes[f"durations_{case.index}"]),
                                passes[f"raw_{case.index}"]) for case in CASES}
    return lambda case: results[case.index]


# --- the fixture is what it claims to be -----------------------------------------------------

def test_the_session_runs_on_the_synthetic_weights_the_fixture_was_made_from(manager, v019):
    assert v019.info.weights_kind == "synthetic"
    assert manager.settings.synthetic_seed == WEIGHTS_SEED, (
        f"fixture made with synthetic seed {WEIGHTS_SEED}, session uses {manager.settings.synthetic_seed}"
    )


def test_the_fixture_covers_short_to_long_inputs_both_accents_and_several_speeds():
    assert len(CASES) == 4
    assert min(len(case.tokens) for case in CASES) < 50 <= 200 < max(len(case.tokens) for case in CASES)
    assert {case.lang for case in CASES} == {"a", "b"}
    assert len({case.speed for case in CASES}) == 3


# --- the forward pass, case by case ------------------------------------------------------------

@each_case
def test_durations_are_the_originals(case, forward):
    _, durations, _ = forward(case)
    assert durations == case.durations


@each_case
def test_unrounded_durations_match_the_originals(case, forward):
    """Rounding hides small differences in the duration path; the values before it may not differ."""
    _, _, raw = forward(case)
    np.testing.assert_allclose(raw, case.raw_durations, rtol=0, atol=RAW_DURATION_ATOL)


@each_case
def test_waveform_has_the_originals_length(case, forward):
    audio, _, _ = forward(case)
    assert audio.dtype == np.float32
    assert len(audio) == len(case.audio)


@each_case
def test_waveform_correlates_with_the_originals(case, forward):
    audio, _, _ = forward(case)
    r = correlation(audio, case.audio)
    assert r >= MIN_CORRELATION, f"Pearson r = {r:.7f} < {MIN_CORRELATION}"


# --- end to end: text in, the original's tokens, style row and random draws out ----------------

@pytest.fixture(scope="module")
def streamed(release):
    """The first chunk of streaming the stream case's text with its voice and speed, under its seed.

    Without fast first audio: the original spoke the sentence in one pass, and the first piece
    `pacing` cuts is this app's own addition, the same for both releases (tested in test_pacing)."""
    case = CASES[STREAM_CASE]
    assert release.voices.get(case.voice).language == case.lang, "the voice's own language must be the case's"
    stream = release.stream(case.text, case.voice, case.speed, fast_first=False)  # one pass, as the original
    torch.manual_seed(case.seed)  # the text is phonemized inside next(), after this
    try:
        return next(stream)
    finally:
        stream.close()


def test_streaming_tokenizes_the_text_as_the_original(streamed):
    assert streamed.token_ids == CASES[STREAM_CASE].tokens


def test_streaming_styles_the_text_with_the_row_the_original_picks(streamed):
    """v0.19's rule is ``pack[len(tokens)]``; a neighbouring row gives r ~ 0.9 on these weights."""
    case = CASES[STREAM_CASE]
    assert streamed.durations_frames == case.durations
    r = correlation(streamed.audio, case.audio)
    assert r >= MIN_CORRELATION, f"Pearson r = {r:.7f} < {MIN_CORRELATION}"


def test_the_front_end_draws_nothing_from_torchs_random_generator(release):
    """Else the audio of a seeded stream would depend on how much text came before it."""
    case = CASES[STREAM_CASE]
    torch.manual_seed(case.seed)
    before = torch.get_rng_state()
    segments = list(release.frontend.segments(case.text, case.lang))
    [release.frontend.tokenize(segment.phonemes) for segment in segments]
    assert torch.equal(torch.get_rng_state(), before)
