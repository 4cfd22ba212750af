"""`python -m kokoro_ui.bench --fresh-start`: fair-mode first audio in the first minutes after a start
with an empty build cache, against the steady state once the builds are done (issue #32, item 5).

On the default backend (`compiled`) each release's decoder is built in a background process that
visitors' passes hold (`backends.hold`); until it is done, eager PyTorch serves. `run_fresh_start`
starts a process of its own (this module) with a new, empty persistent folder, where the compiled
backend keeps its builds (`backends.compiled.build_root`), and an empty inductor cache, so the
builds really start from nothing; the weights are the configured ones, as at any start. That
process loads both releases, one after the other as the app does, then runs fair-mode Compares
of a 50-character sentence back to back (`fair`, streaming as the settings say) until `seconds`
have passed since it was started, waits for the builds to end, and runs `steady_rounds` more.

What is compared: each Compare's worst side (the later of the two first audios); the worst of
those over the window, against their median in the steady state (target: at most 1.2).
Boundary: the measurement and its summary; the app's other start-up work (the gallery's samples,
rendered in the background) is not run here.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional

from kokoro_ui.bench.fair import fair_first_audio
from kokoro_ui.bench.measure import default_path, p90
from kokoro_ui.bench.texts import SENTENCE_50
from kokoro_ui.engine.release import Release
from kokoro_ui.services.manager import ModelManager

TARGET_RATIO = 1.2  # issue #32: the first minutes within 1.2x of the steady state
BUILD_TIMEOUT_S = 1800  # both releases' builds, held by visitors, on two cores: minutes, not half an hour
VOICE = "af_bella"  # in both releases


@dataclass(frozen=True)
class FairRound:
    started_s: float  # when the Compare started, seconds since the process was started
    first_audio_s: dict[str, float]  # release -> seconds to its first chunk
    building: bool  # a decoder build was still under way when the Compare started

    @property
    def worst_s(self) -> float:
        return max(self.first_audio_s.values())


@dataclass(frozen=True)
class FreshStart:
    backend: str
    path: str  # how the Compares streamed (`measure.default_path`)
    window_s: float  # the first seconds measured
    loaded_s: float  # both releases loaded and warm, seconds since the start
    built_s: float  # every build done (or failed) by then: the first Compare that found none under way, or the wait's end
    notes: dict[str, str]  # release -> its backend's note once built (says whether the build is in use)
    early: list[FairRound]  # Compares started within `window_s`
    steady: list[FairRound]  # Compares after every build was done

    @classmethod
    def from_json(cls, data: dict) -> "FreshStart":
        rounds = {key: [FairRound(**row) for row in data[key]] for key in ("early", "steady")}
        return cls(**{**data, **rounds})

    def summary(self) -> dict:
        """The ratio the target is stated in, and what it is made of (seconds)."""
        early = [row.worst_s for row in self.early]
        steady_s = statistics.median(row.worst_s for row in self.steady)
        return {
            "fresh_start_ratio": round(max(early) / steady_s, 3),  # the window's worst Compare / the steady median
            "fresh_start_p90_ratio": round(p90(early) / steady_s, 3),
            "fresh_start_worst_s": round(max(early), 3),
            "fresh_start_steady_s": round(steady_s, 3),
            "fresh_start_rounds": len(early),
            "fresh_start_rounds_while_building": sum(row.building for row in self.early),
        }


def run_fresh_start(seconds: float, steady_rounds: int, env: Mapping[str, str] = os.environ) -> FreshStart:
    """Measure in a new process whose build cache (persistent folder, inductor's cache) is new and empty."""
    with tempfile.TemporaryDirectory(prefix="kokoro-fresh-start-") as scratch:
        persistent = Path(scratch) / "persistent"
        persistent.mkdir()
        child_env = {**env, "KOKORO_UI_PERSISTENT_DIR": str(persistent),
                     "TORCHINDUCTOR_CACHE_DIR": str(Path(scratch) / "inductor")}
        command = [sys.executable, "-m", "kokoro_ui.bench.fresh_start", "--seconds", str(seconds),
                   "--steady-rounds", str(steady_rounds), "--started-at", repr(time.monotonic())]
        result = subprocess.run(command, env=child_env, stdout=subprocess.PIPE, text=True, check=True)
    return FreshStart.from_json(json.loads(result.stdout.strip().splitlines()[-1]))


def measure_fresh_start(manager: ModelManager, seconds: float, steady_rounds: int, started_at: float,
                        log: Callable[[str], None] = lambda message: None) -> FreshStart:
    """Load every release of `manager`, Compare until `seconds` after `started_at` (`time.monotonic`),
    wait for the builds, Compare `steady_rounds` times more. At least one Compare in each part."""
    def since_start() -> float:
        return time.monotonic() - started_at

    releases = [manager.get_model(version) for version in manager.versions()]
    loaded_s = since_start()
    log(f"fresh start: both releases loaded after {loaded_s:.1f} s; fair-mode Compares until {seconds:.0f} s")
    early: list[FairRound] = []
    while not early or since_start() < seconds:
        early.append(_one_round(manager, releases, since_start(), len(early), log))
    log("fresh start: waiting for the builds to end")
    for release in releases:
        wait_for_build(release, log)
    built_s = next((row.started_s for row in early if not row.building), since_start())
    steady = [_one_round(manager, releases, since_start(), number, log) for number in range(max(1, steady_rounds))]
    settings = manager.settings
    return FreshStart(settings.backend, default_path(settings.fast_first, settings.stream_windows), seconds, loaded_s,
                      built_s, {release.info.version: release.info.backend_note for release in releases}, early, steady)


def _one_round(manager: ModelManager, releases: list[Release], started_s: float, number: int,
               log: Callable[[str], None]) -> FairRound:
    building = any(build_pending(release) for release in releases)
    firsts = fair_first_audio(manager, SENTENCE_50, VOICE, number)  # the number picks who goes first
    log(f"  {started_s:6.1f} s: " + ", ".join(f"{version} {seconds:.2f} s" for version, seconds in firsts.items())
        + (" (building)" if building else ""))
    return FairRound(started_s, firsts, building)


def build_pending(release: Release) -> bool:
    """Whether `release`'s backend is still building what it will serve with (`compiled`'s decoder)."""
    ready = getattr(release.backend, "ready", None)  # only the compiled backend builds in the background
    return ready is not None and not ready.is_set()


def wait_for_build(release: Release, log: Callable[[str], None]) -> None:
    """Wait until `release`'s backend has its build in use (or has given up on it), saying so."""
    if not build_pending(release):
        return
    log(f"{release.info.version}: waiting for the compiled decoder ({release.info.backend_note})")
    if not release.backend.ready.wait(BUILD_TIMEOUT_S):
        raise RuntimeError(f"{release.info.version}: the decoder build did not end within {BUILD_TIMEOUT_S} s")
    log(f"{release.info.version}: {release.info.backend_note}")


def format_fresh_start(result: FreshStart) -> str:
    """A table per release (each side's own figures) and the headline ratio, worst side per Compare."""
    lines = [f"fresh start on {result.backend} ({result.path}), a {len(SENTENCE_50)}-character sentence in fair mode; "
             f"both releases loaded after {result.loaded_s:.1f} s, builds done by {result.built_s:.1f} s",
             *(f"{version}: {note or 'no build'}" for version, note in result.notes.items()),
             f"| release | first {result.window_s:.0f} s: median / p90 / worst s | steady median s | worst ÷ steady |",
             "|---|---|---|---|"]
    for version in result.notes:
        early = [row.first_audio_s[version] for row in result.early]
        steady_s = statistics.median(row.first_audio_s[version] for row in result.steady)
        lines.append(f"| {version} | {statistics.median(early):.3f} / {p90(early):.3f} / {max(early):.3f} | "
                     f"{steady_s:.3f} | {max(early) / steady_s:.2f} |")
    summary = result.summary()
    lines += ["", *(f"{name}: {value}" for name, value in summary.items()),
              f"the worst side's first {result.window_s:.0f} s against the steady state: "
              f"{summary['fresh_start_ratio']} (target ≤ {TARGET_RATIO})"]
    return "\n".join(lines)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Optional[list[str]] = None) -> int:
    """The measuring process `run_fresh_start` starts: prints its `FreshStart` as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m kokoro_ui.bench.fresh_start", description=main.__doc__)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--steady-rounds", type=int, required=True)
    parser.add_argument("--started-at", type=float, required=True, help="time.monotonic() when the start began")
    args = parser.parse_args(argv)
    result = measure_fresh_start(ModelManager(), args.seconds, args.steady_rounds, args.started_at, _log)
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
