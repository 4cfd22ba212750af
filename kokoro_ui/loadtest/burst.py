"""The load test's default mode: many clients at once, then whether memory stayed within its bounds.

N HTTP API clients (streamed WAV) and M Gradio clients (/synthesize) at once, each sending `--requests`
requests of a different length. Prints completed, rejected with 429, failed, p50/p95 time to first
audio, whether every response's audio length fits its own text, and the server's memory: idle, what
the longest request adds on its own to each release, the peak under load against the sum of those
(each release runs one pass at a time, so more clients should not mean more memory), and memory
after the load.
"""

import argparse
import statistics
import threading
import time
from urllib.parse import urlparse

from kokoro_ui.loadtest.common import (LENGTHS, LONGEST_WORDS, Outcome, api_outcome, api_request,
                                       gradio_outcome, percentile, rss_mb, start_app, stop_app, wait_until_up)
from kokoro_ui.versions import VERSIONS


def run(args: argparse.Namespace) -> int:
    """The burst: N HTTP and M Gradio clients at once, then the memory bounds."""
    server = None if args.url else start_app(args.port)
    url = args.url or f"http://127.0.0.1:{args.port}"
    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loadtest: only loopback addresses are allowed")
    pid = args.pid or server.pid
    try:
        wait_until_up(url, args.deadline)
        for version in VERSIONS:  # load and warm both releases: the idle figure includes them
            api_request(url, version, 3, args.deadline)
        idle_mb = rss_mb(pid)
        alone_mb = {version: _peak_rss_mb(pid, [threading.Thread(
            target=api_request, args=(url, version, LONGEST_WORDS, args.deadline))]) - idle_mb for version in VERSIONS}
        outcomes, peak_mb = _run_clients(url, pid, args)
        time.sleep(2)  # the last streams finish and give their memory back
        after_mb = rss_mb(pid)
    finally:
        if server:
            stop_app(server)
    _report(outcomes, idle_mb, alone_mb, peak_mb, after_mb)
    return 0 if all(outcome.status != "failed" for outcome in outcomes) else 1


def _run_clients(url: str, pid: int, args: argparse.Namespace) -> tuple[list[Outcome], float]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.deadline

    def client(name: str, call) -> None:
        index = int(name.rsplit("-", 1)[1])
        for n in range(args.requests):
            words = 4 + 3 * ((index + n) % LENGTHS)
            if time.monotonic() > deadline:
                return
            outcome = call(name, words)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=client, args=(f"api-{i}", lambda name, words, i=i: api_outcome(
        url, "v1.0" if i % 2 else "v0.19", name, words, args.deadline))) for i in range(args.api_clients)]
    threads += [threading.Thread(target=client, args=(f"gradio-{i}", lambda name, words: gradio_outcome(
        url, name, words))) for i in range(args.gradio_clients)]
    return outcomes, _peak_rss_mb(pid, threads)


def _peak_rss_mb(pid: int, threads: list[threading.Thread]) -> float:
    """Start `threads` and return the server's highest RSS seen until they are all done."""
    peak_mb = rss_mb(pid)
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak_mb = max(peak_mb, rss_mb(pid))
        time.sleep(0.05)
    return max(peak_mb, rss_mb(pid))


def _report(outcomes: list[Outcome], idle_mb: float, alone_mb: dict[str, float], peak_mb: float,
            after_mb: float) -> None:
    done = [outcome for outcome in outcomes if outcome.status == "ok"]
    ttfas = sorted(outcome.ttfa_s for outcome in done if outcome.ttfa_s is not None)
    per_word = [outcome.audio_s / outcome.words for outcome in done]
    median = statistics.median(per_word) if per_word else 0.0
    mismatched = [o for o, s in zip(done, per_word) if not 0.5 * median <= s <= 1.5 * median]
    print(f"completed: {len(done)}")
    print(f"rejected with 429 (busy): {sum(o.status == 'rejected' for o in outcomes)}")
    print(f"failed: {sum(o.status == 'failed' for o in outcomes)}")
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"  {outcome.client}: {outcome.detail}")
    if ttfas:
        print(f"TTFA p50: {percentile(ttfas, 0.5):.2f} s, p95: {percentile(ttfas, 0.95):.2f} s")
    print(f"audio length fits its own text: {len(done) - len(mismatched)} of {len(done)}")
    print(f"server RSS idle (both releases loaded): {idle_mb:.0f} MB, peak under load: {peak_mb:.0f} MB "
          f"({100 * (peak_mb / idle_mb - 1):+.1f} %), after the load: {after_mb:.0f} MB "
          f"({100 * (after_mb / idle_mb - 1):+.1f} %)")
    alone = ", ".join(f"{version} +{mb:.0f} MB" for version, mb in alone_mb.items())
    print(f"the longest request ({LONGEST_WORDS} words) alone adds: {alone}; the peak under load adds "
          f"{peak_mb - idle_mb:.0f} MB, {(peak_mb - idle_mb) / sum(alone_mb.values()):.2f}x their sum")
    for bound, holds in memory_bounds(idle_mb, alone_mb, peak_mb, after_mb).items():
        print(f"memory bound: {bound}: {'holds' if holds else 'DOES NOT HOLD'}")


AFTER_LOAD_SLACK = 0.10  # memory after the load may exceed idle by this fraction


def memory_bounds(idle_mb: float, alone_mb: dict[str, float], peak_mb: float, after_mb: float) -> dict[str, bool]:
    """The bounds the app keeps under load (README, "Under load"): one pass per release at a time,
    so the peak adds no more than the releases' single longest requests together, and the
    passes' memory goes back to the system once the load is over."""
    return {"peak under load <= idle + the single requests' additions summed": peak_mb - idle_mb <= sum(alone_mb.values()),
            f"after the load <= idle + {AFTER_LOAD_SLACK:.0%}": after_mb <= idle_mb * (1 + AFTER_LOAD_SLACK)}
