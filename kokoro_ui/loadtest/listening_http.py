"""The listening load test's HTTP listeners (``--http-sessions N``): N sessions at once through the study
driver (`kokoro_ui.ui.listening_driver`, the tab's own handlers without a browser), so the server's
cores serve sessions instead of running browsers.

Each session reports every clip of a trial as played to its end, as a page would, then votes; the
time from sending a vote to its answer is the time to the next trial's clips, because the vote's
answer comes once those clips are written (from the bank) and ready to serve. By default a session
plays each clip for its length divided by the playback rate (the browsers' `--playback-rate`, 4x
unless told), so fifty sessions are fifty listeners, each four times as quick as a person and each
at a pace of its own; `--http-flat-out` drops the listening, and the sessions then vote in
lockstep as fast as the server answers: a stress test of the store, not a crowd. Reported: p50 /
p95 of that time against the 0.5 s target, sessions finished, and votes cast.
"""

import asyncio
import statistics
import time
from dataclasses import dataclass, field

import httpx

from kokoro_ui.loadtest.common import percentile

DRIVER = "/_study_driver"
TARGET_S = 0.5
CHOICES = ("A", "B", "none")


@dataclass
class HttpRun:
    votes: int = 0
    finished: bool = False
    next_trial_s: list[float] = field(default_factory=list)  # vote sent -> answer with the next trial's clips
    error: str = ""


async def drive(url: str, sessions: int, timeout_s: float, playback_rate: float) -> list[HttpRun]:
    """`sessions` whole sessions at once, each bounded by `timeout_s`; each clip is listened to for its
    length / `playback_rate` (0: not at all, flat out)."""
    runs = [HttpRun() for _ in range(sessions)]
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    async with httpx.AsyncClient(base_url=url + DRIVER, timeout=timeout_s, limits=limits) as client:
        await asyncio.gather(*(_session(client, run, timeout_s, playback_rate) for run in runs))
    return runs


async def _session(client: httpx.AsyncClient, run: HttpRun, timeout_s: float, playback_rate: float) -> None:
    try:
        await asyncio.wait_for(_through(client, run, playback_rate), timeout=timeout_s)
    except Exception as error:  # a load test reports every failure instead of stopping
        run.error = f"{type(error).__name__}: {str(error)[:200]}"


async def _through(client: httpx.AsyncClient, run: HttpRun, playback_rate: float) -> None:
    shown = await _post(client, "start", {})
    session = shown["session_id"]
    while not shown["finished"]:
        if shown["refused"]:
            raise RuntimeError(shown["message"])
        for clip, seconds in zip("ABX"[:shown["clips"]], shown["seconds"], strict=True):
            await _post(client, "report", {"session_id": session, "trial": shown["trial"], "clip": clip,
                                           "event": "play"})
            if playback_rate:
                await asyncio.sleep(seconds / playback_rate)
            await _post(client, "report", {"session_id": session, "trial": shown["trial"], "clip": clip,
                                           "event": "end"})
        sent = time.perf_counter()
        shown = await _post(client, "vote", {"session_id": session, "trial": shown["trial"],
                                             "choice": CHOICES[run.votes % len(CHOICES)]})
        if shown["refused"]:
            raise RuntimeError(shown["message"])
        run.votes += 1
        if not shown["finished"]:
            run.next_trial_s.append(time.perf_counter() - sent)
    run.finished = True


async def _post(client: httpx.AsyncClient, route: str, body: dict) -> dict:
    response = await client.post(f"/{route}", json=body)
    response.raise_for_status()
    return response.json()


def report(runs: list[HttpRun], playback_rate: float) -> bool:
    """Print the HTTP listeners' numbers; whether every session finished and the target was met."""
    waits = sorted(wait for run in runs for wait in run.next_trial_s)
    pace = f"clips heard at {playback_rate:g}x" if playback_rate else "flat out, clips not listened to"
    print(f"HTTP sessions: {len(runs)} at once ({pace}), whole: {sum(run.finished for run in runs)}, "
          f"votes cast: {sum(run.votes for run in runs)}")
    met = False
    if waits:
        p95 = percentile(waits, 0.95)
        met = p95 <= TARGET_S
        print(f"HTTP vote -> next trial's clips ready: p50 {statistics.median(waits):.3f} s, p95 {p95:.3f} s "
              f"(target {TARGET_S:.1f} s, {'met' if met else 'MISSED'}) over {len(waits)} trials")
    for number, run in enumerate(runs):
        if run.error:
            print(f"  http-{number}: {run.error}")
    return met and all(run.finished for run in runs)
