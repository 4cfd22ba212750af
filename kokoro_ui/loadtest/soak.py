"""`python -m kokoro_ui.loadtest --soak SECONDS`: steady mixed traffic for a long time, on loopback.

Starts the app (both releases preloaded, votes and clips in a folder of the soak's own, the study
driver on) and keeps it busy until the time is up: HTTP API clients (streamed WAV, both releases),
a Gradio client (/synthesize), a listener going through whole blind sessions (the study driver's
routes: the listening tab's own handlers, without a browser), and a client sending bad requests
that must each get a 4xx. Every minute it prints what happened in that minute: requests answered,
failures, 429s, p50/p95 time to first audio and the server's RSS; at the end the memory after the
soak against the idle figure (the soak fails beyond `MEMORY_SLACK`) and every failure, one line
each. What a single burst of many clients does is `loadtest`'s main mode.
"""

import argparse
import tempfile
import threading
import time
from dataclasses import dataclass, field

import httpx

from kokoro_ui.loadtest.common import (LONGEST_WORDS, Outcome, api_outcome, api_request, gradio_outcome, rss_mb, percentile,
                                start_app, stop_app, wait_until_up)
from kokoro_ui.versions import VERSIONS

MEMORY_SLACK = 0.10  # memory after the soak may exceed idle by this much
BAD_REQUESTS = [  # each must be refused with a 4xx that says why
    b'{"input": "Hi.", "speed": 9}', b'{"input": "\\ud800 Hi.", "voice": "af_heart"}', b'{"input": ',
    b'{"input": "Hi.", "voice": "nobody"}', b'[' * 5000 + b']' * 5000, b'{"input": "Hi.", "extra": 1}',
]
DRIVER = "/_study_driver"


@dataclass
class Tally:
    """What the clients saw, minute by minute."""

    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def since(self, start: int) -> list[Outcome]:
        with self.lock:
            return self.outcomes[start:]


def run(args: argparse.Namespace) -> int:
    folder = tempfile.mkdtemp(prefix="kokoro_soak_")
    server = start_app(args.port, {"KOKORO_UI_STUDY_DRIVER": "1", "KOKORO_UI_VOTES_DB": f"{folder}/votes.sqlite3",
                                   "KOKORO_UI_CLIP_BANK": f"{folder}/bank", "KOKORO_UI_PRERENDER_SAMPLES": "false",
                                   "KOKORO_UI_LISTENING_VOICES": "af_bella"})
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_up(url, 600)
        _warm_up(url)
        time.sleep(2)
        idle_mb = rss_mb(server.pid)
        print(f"soak: {args.soak:.0f} s of mixed traffic on {url}; server RSS idle {idle_mb:.0f} MB", flush=True)
        tally, failures = _soak(url, server.pid, args.soak, args.api_clients_soak)
        time.sleep(3)  # the last streams end and give their memory back
        after_mb = rss_mb(server.pid)
    finally:
        stop_app(server)
    within = after_mb <= idle_mb * (1 + MEMORY_SLACK)
    print(f"memory after the soak: {after_mb:.0f} MB against {idle_mb:.0f} MB idle "
          f"({100 * (after_mb / idle_mb - 1):+.1f} %): {'within' if within else 'NOT within'} "
          f"{MEMORY_SLACK:.0%}")
    print(f"in all: {len(tally.outcomes)} requests, {failures} failed, "
          f"{sum(o.status == 'rejected' for o in tally.outcomes)} answered 429")
    for outcome in tally.outcomes:
        if outcome.status == "failed":
            print(f"  failed {outcome.client}: {outcome.detail}")
    return 0 if within and not failures else 1


def _warm_up(url: str) -> None:
    """Each kind of traffic once, the longest API request on each release too: the idle figure then holds
    what first use allocates for good (loaded releases, caches, a session's clips), and growth after it
    is what the soak is looking for."""
    for version in VERSIONS:
        api_request(url, version, LONGEST_WORDS, 300)
    gradio_outcome(url, "warm-up", LONGEST_WORDS)
    _bad_outcome(url, 0)
    with httpx.Client(base_url=f"{url}{DRIVER}", timeout=300) as client:
        _session(client, threading.Event(), Tally())


def _soak(url: str, pid: int, seconds: float, api_clients: int) -> tuple[Tally, int]:
    tally, stop = Tally(), threading.Event()
    workers = [threading.Thread(target=_keep_going, args=(stop, tally, lambda n, i=i: api_outcome(
        url, VERSIONS[i % 2], f"api-{i}", 4 + 3 * (n % 6), 120))) for i in range(api_clients)]
    workers += [threading.Thread(target=_keep_going, args=(stop, tally, lambda n: gradio_outcome(url, "gradio", 4 + n % 8))),
                threading.Thread(target=_listen, args=(url, stop, tally)),
                threading.Thread(target=_keep_going, args=(stop, tally, lambda n: _bad_outcome(url, n)))]
    for worker in workers:
        worker.start()
    started, seen, minute = time.monotonic(), 0, 0
    print(f"{'minute':>6} {'answered':>8} {'failed':>6} {'429':>5} {'TTFA p50':>9} {'TTFA p95':>9} {'RSS MB':>7}")
    while time.monotonic() - started < seconds:
        time.sleep(max(0.0, min(60.0, seconds - (time.monotonic() - started))))
        minute += 1
        window = tally.since(seen)
        seen += len(window)
        ttfas = sorted(o.ttfa_s for o in window if o.status == "ok" and o.ttfa_s is not None)
        p50, p95 = (f"{percentile(ttfas, q):.2f} s" if ttfas else "-" for q in (0.5, 0.95))
        print(f"{minute:>6} {len(window):>8} {sum(o.status == 'failed' for o in window):>6} "
              f"{sum(o.status == 'rejected' for o in window):>5} {p50:>9} {p95:>9} {rss_mb(pid):>7.0f}", flush=True)
    stop.set()
    for worker in workers:
        worker.join(timeout=300)
    return tally, sum(outcome.status == "failed" for outcome in tally.outcomes)


def _keep_going(stop: threading.Event, tally: Tally, call) -> None:
    n = 0
    while not stop.is_set():
        tally.add(call(n))
        n += 1


def _bad_outcome(url: str, n: int) -> Outcome:
    """One bad request; anything but a 4xx with a message is a failure. Paced: refusals cost nothing."""
    time.sleep(0.5)
    try:
        response = httpx.post(f"{url}/v1/audio/speech", content=BAD_REQUESTS[n % len(BAD_REQUESTS)],
                              headers={"content-type": "application/json"}, timeout=30)
        refused = 400 <= response.status_code < 500 and response.json()["error"]["message"]
    except Exception as error:  # a soak reports every failure instead of stopping
        return Outcome("bad", 0, "failed", detail=repr(error))
    return Outcome("bad", 0, "refused" if refused else "failed", detail=f"{response.status_code} {response.text[:120]}")


def _listen(url: str, stop: threading.Event, tally: Tally) -> None:
    """Whole listening sessions, one after another, until `stop`."""
    with httpx.Client(base_url=f"{url}{DRIVER}", timeout=300) as client:
        while not stop.is_set():
            _session(client, stop, tally)


def _session(client: httpx.Client, stop: threading.Event, tally: Tally) -> None:
    """One listening session through the study driver: every clip played to the end, then a vote, to the last
    trial (or until `stop`, or a refusal)."""
    try:
        shown = client.post("/start", json={}).raise_for_status().json()
        while not (shown["finished"] or shown["refused"] or stop.is_set()):
            for clip in "ABX"[:shown["clips"]]:
                for event in ("play", "end"):
                    client.post("/report", json={"session_id": shown["session_id"], "trial": shown["trial"],
                                                 "clip": clip, "event": event}).raise_for_status()
            shown = client.post("/vote", json={"session_id": shown["session_id"], "trial": shown["trial"],
                                               "choice": "A"}).raise_for_status().json()
            tally.add(Outcome("listener", 0, "failed" if shown["refused"] else "voted", detail=shown["message"]))
    except Exception as error:  # a soak reports every failure instead of stopping
        tally.add(Outcome("listener", 0, "failed", detail=repr(error)))
