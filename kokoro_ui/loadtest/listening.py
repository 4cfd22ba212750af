"""The load test's listening mode (``python -m kokoro_ui.loadtest --listening``): N listeners at once, each
in its own real Chromium context, through whole blind sessions served from a full clip bank, and
beside them (``--http-sessions M``) M sessions over HTTP through the study driver
(`listening_http`), which load the server without running browsers on its cores.

It renders the study's clips into the bank first (``python -m kokoro_ui.abtest render``, for the
sentences and voices chosen here, so a run stays short), starts the app, and then every listener
opens the page, starts a session, plays every clip of every trial to the end and votes. Reported:
sessions finished, votes cast against votes stored in the database, the time from a vote's click
to the next trial's clips being playable in the page (p50 / p95; the target is 1 s), and the
forward passes the app ran (0 with a full bank). Loopback only, bounded by `--deadline`.
Needs Playwright and Chromium (``scripts/install.sh --test``).
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kokoro_ui.abtest.material import load_sentences
from kokoro_ui.abtest.persistence import open_store
from kokoro_ui.config.settings import Settings
from kokoro_ui.loadtest import listening_http
from kokoro_ui.loadtest.common import percentile, start_app, stop_app, wait_until_up

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"]
CHOICES = ("vote-a", "vote-b", "vote-none")
TARGET_S = 1.0
WAIT_MS = 180_000  # per step: a shared, busy machine is slow, and a slow step is reported, not a failure


@dataclass
class ListenerRun:
    name: str
    votes: int = 0
    finished: bool = False
    next_shown_s: list[float] = field(default_factory=list)  # vote click -> the next trial's number on the page
    next_trial_s: list[float] = field(default_factory=list)  # vote click -> the next trial's clips playable
    error: str = ""


def run(args: argparse.Namespace) -> int:
    """The whole listening load test, with the arguments of `kokoro_ui.loadtest`'s parser."""
    folder = Path(tempfile.mkdtemp(prefix="kokoro-listening-load-"))
    sentences = load_sentences(Settings().listening_sentences)[:args.sentences]
    (folder / "sentences.txt").write_text("".join(f"{s.id}\t{s.text}\n" for s in sentences), encoding="utf-8")
    env = {"KOKORO_UI_LISTENING_SENTENCES": str(folder / "sentences.txt"), "KOKORO_UI_LISTENING_VOICES": args.voices,
           "KOKORO_UI_LISTENING_TRIALS": str(args.trials), "KOKORO_UI_PRELOAD": "v1.0,v0.19",
           "KOKORO_UI_VOTES_DB": os.environ.get("KOKORO_UI_VOTES_DB") or str(folder / "votes.sqlite3"),
           # the gallery's background samples are forward passes of their own; this run counts the trials'
           "KOKORO_UI_PRERENDER_SAMPLES": "false",
           # every vote cast is matched with a vote stored: an attention trial's answer is stored as a mark instead
           "KOKORO_UI_ATTENTION_CHECK": "false"}
    if args.http_sessions:  # the HTTP listeners need the test-only study driver
        env["KOKORO_UI_STUDY_DRIVER"] = "1"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "kokoro_ui.abtest", "render"], env={**os.environ, **env}, check=True,
                   cwd=Path(__file__).resolve().parents[2])
    print(f"clip bank ready in {time.monotonic() - started:.0f} s")
    server = start_app(args.port, env)
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_up(url, args.deadline)
        before = _forward_passes(url, args.deadline)
        runs, http_runs = asyncio.run(_everyone(url, _niced_chromium(folder, args.browser_nice), args))
        after = _forward_passes(url, args.deadline)
    finally:
        stop_app(server)
    stored = len(open_store(env["KOKORO_UI_VOTES_DB"]).votes())
    http_ok = listening_http.report(http_runs, _http_rate(args)) if http_runs else True
    cast = sum(run.votes for run in http_runs)
    browsers_code = _report(runs, stored - cast, {version: after[version] - before[version] for version in before})
    return 0 if http_ok and browsers_code == 0 else 1


async def _everyone(url: str, chromium: str, args: argparse.Namespace) -> tuple[list, list]:
    """The browsers (`--listeners`) and the HTTP sessions (`--http-sessions`), all at once."""
    http = (listening_http.drive(url, args.http_sessions, args.deadline, _http_rate(args)) if args.http_sessions
            else asyncio.sleep(0))
    browsers = _listeners(url, chromium, args) if args.listeners else asyncio.sleep(0)
    runs, http_runs = await asyncio.gather(browsers, http)
    return runs or [], http_runs or []


def _http_rate(args: argparse.Namespace) -> float:
    """How fast the HTTP sessions listen: the browsers' playback rate, or 0 (not at all) when flat out."""
    return 0.0 if args.http_flat_out else args.playback_rate


def _forward_passes(url: str, timeout_s: float) -> dict[str, int]:
    """Each release's forward passes, once both are loaded (the load test preloads them)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        versions = httpx.get(f"{url}/health", timeout=10).json()["versions"]
        if all(release["forward_passes"] is not None for release in versions):
            return {release["version"]: release["forward_passes"] for release in versions}
        time.sleep(0.5)
    raise SystemExit("loadtest: the releases did not load")


def _niced_chromium(folder: Path, niceness: int) -> str:
    """A launcher that starts Chromium at `niceness`, so its processes (renderers included) yield the CPU.

    Ten pages on the server's own two cores would otherwise take most of its CPU, and the load test
    would time the browsers' rendering rather than what the server makes a listener wait.
    """
    if niceness == 0:
        return CHROMIUM
    launcher = folder / "chromium"
    launcher.write_text(f'#!/bin/sh\nexec nice -n {niceness} {CHROMIUM} "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    return str(launcher)


async def _listeners(url: str, chromium: str, args: argparse.Namespace) -> list[ListenerRun]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        runs = [ListenerRun(f"listener-{number}") for number in range(args.listeners)]
        try:
            await asyncio.wait_for(asyncio.gather(*(_session(browser, url, run, args) for run in runs)),
                                   timeout=args.deadline)
        finally:
            await browser.close()
    return runs


async def _session(browser, url: str, run: ListenerRun, args: argparse.Namespace) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    try:
        await page.goto(url, timeout=WAIT_MS)
        await page.get_by_role("tab", name="Listening test").click(timeout=WAIT_MS)
        await page.click("#listen-start", timeout=WAIT_MS)
        await _wait_playable(page, 1, args.trials)
        for number in range(1, args.trials + 1):  # each vote waits for the next trial to be playable
            for player in ("listen-a", "listen-b"):
                await page.eval_on_selector(f"#{player} audio", "(audio, rate) => { audio.playbackRate = rate; "
                                            "audio.currentTime = 0; return audio.play(); }", args.playback_rate)
                await page.wait_for_function(f"document.querySelector('#{player} audio').ended", timeout=WAIT_MS)
            await page.wait_for_function("!document.querySelector('#vote-a').disabled", timeout=WAIT_MS)
            clicked = time.perf_counter()
            await page.click(f"#{CHOICES[number % len(CHOICES)]}", timeout=WAIT_MS)
            run.votes += 1
            if number < args.trials:
                await page.wait_for_function("label => document.querySelector('#listen-progress')?.innerText"
                                             ".includes(label)", arg=f"{number + 1} / {args.trials}",
                                             timeout=WAIT_MS, polling=20)
                run.next_shown_s.append(time.perf_counter() - clicked)
                await _wait_playable(page, number + 1, args.trials)
                run.next_trial_s.append(time.perf_counter() - clicked)
        await page.wait_for_selector("#listen-reveal-table", state="visible", timeout=WAIT_MS)
        run.finished = True
    except Exception as error:  # a load test reports every failure instead of stopping
        run.error = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        await context.close()


async def _wait_playable(page, number: int, total: int) -> None:
    """Until the page shows trial `number` and both of its players can play (HAVE_FUTURE_DATA)."""
    await page.wait_for_function(
        "([label]) => document.querySelector('#listen-progress')?.innerText.includes(label) && "
        "['#listen-a audio', '#listen-b audio'].every(s => { const a = document.querySelector(s); "
        "return a && a.src && a.readyState >= 3 && a.dataset.kabSeen !== a.src; })",
        arg=[f"{number} / {total}"], timeout=WAIT_MS, polling=20)
    await page.evaluate("['#listen-a audio', '#listen-b audio'].forEach(s => { const a = document.querySelector(s); "
                        "a.dataset.kabSeen = a.src; })")


def _report(runs: list[ListenerRun], stored: int, passes: dict[str, int]) -> int:
    cast = sum(run.votes for run in runs)
    print(f"listeners: {len(runs)}, whole sessions: {sum(run.finished for run in runs)}")
    print(f"votes cast: {cast}, stored: {stored}" + ("" if stored == cast else "  <-- MISMATCH"))
    shown = sorted(wait for run in runs for wait in run.next_shown_s)
    if shown:
        print(f"vote -> next trial shown: p50 {statistics.median(shown):.2f} s, p95 {percentile(shown, 0.95):.2f} s")
    waits = sorted(wait for run in runs for wait in run.next_trial_s)
    if waits:
        p95 = percentile(waits, 0.95)
        print(f"vote -> next trial's clips playable: p50 {statistics.median(waits):.2f} s, p95 {p95:.2f} s "
              f"(target {TARGET_S:.1f} s{', met' if p95 <= TARGET_S else ', MISSED'}) over {len(waits)} trials")
    print("forward passes during the run: " + ", ".join(f"{version} {count}" for version, count in passes.items()))
    for run in runs:
        if run.error:
            print(f"  {run.name}: {run.error}")
    return 0 if all(run.finished for run in runs) and stored == cast else 1
