"""`python -m kokoro_ui.loadtest`: many clients at once against a running app, on loopback only.

Starts the app (both releases preloaded) unless `--url` and `--pid` name one already running,
then runs N HTTP API clients (streamed WAV) and M Gradio clients (/synthesize) at once, each
sending `--requests` requests of a different length. Prints completed, rejected with 429,
failed, p50/p95 time to first audio, whether every response's audio length fits its own text,
and the server's memory: idle, what the longest request adds on its own to each release, the
peak under load against the sum of those (each release runs one pass at a time, so more
clients should not mean more memory), and memory after the load.
Bounded in count and in time (`--deadline`).

``--soak SECONDS`` runs mixed traffic for that long instead, reporting every minute
(`kokoro_ui.loadtest_soak`). ``--listening`` runs the listening mode instead (`kokoro_ui.loadtest_listening`): listeners in real
Chromium contexts through whole blind sessions from a full clip bank.
"""

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

import httpx
import soundfile

WORD = "word"  # requests differ only in how many words they say, so audio length tracks text length
VERSIONS = ("v1.0", "v0.19")
LENGTHS = 8  # request n of client i says 4 + 3 * ((i + n) % LENGTHS) words
LONGEST_WORDS = 4 + 3 * (LENGTHS - 1)


@dataclass
class Outcome:
    client: str
    words: int
    status: str  # 'ok', 'rejected' (429) or 'failed'
    ttfa_s: Optional[float] = None
    audio_s: Optional[float] = None
    detail: str = ""


def main() -> int:
    args = _parser().parse_args()
    if args.soak:
        from kokoro_ui import loadtest_soak

        return loadtest_soak.run(args)
    if args.listening:
        if args.url:
            raise SystemExit("loadtest: --listening starts its own app (it sets the study's sentences and voices)")
        from kokoro_ui import loadtest_listening

        return loadtest_listening.run(args)
    server = None if args.url else start_app(args.port)
    url = args.url or f"http://127.0.0.1:{args.port}"
    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loadtest: only loopback addresses are allowed")
    pid = args.pid or server.pid
    try:
        wait_until_up(url, args.deadline)
        for version in VERSIONS:  # load and warm both releases: the idle figure includes them
            _api_request(url, version, 3, args.deadline)
        idle_mb = _rss_mb(pid)
        alone_mb = {version: _peak_rss_mb(pid, [threading.Thread(
            target=_api_request, args=(url, version, LONGEST_WORDS, args.deadline))]) - idle_mb for version in VERSIONS}
        outcomes, peak_mb = _run_clients(url, pid, args)
        time.sleep(2)  # the last streams finish and give their memory back
        after_mb = _rss_mb(pid)
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

    threads = [threading.Thread(target=client, args=(f"api-{i}", lambda name, words, i=i: _api_outcome(
        url, "v1.0" if i % 2 else "v0.19", name, words, args.deadline))) for i in range(args.api_clients)]
    threads += [threading.Thread(target=client, args=(f"gradio-{i}", lambda name, words: _gradio_outcome(
        url, name, words))) for i in range(args.gradio_clients)]
    return outcomes, _peak_rss_mb(pid, threads)


def _peak_rss_mb(pid: int, threads: list[threading.Thread]) -> float:
    """Start `threads` and return the server's highest RSS seen until they are all done."""
    peak_mb = _rss_mb(pid)
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak_mb = max(peak_mb, _rss_mb(pid))
        time.sleep(0.05)
    return max(peak_mb, _rss_mb(pid))


def _api_outcome(url: str, version: str, name: str, words: int, timeout_s: float) -> Outcome:
    try:
        status, ttfa_s, audio_s, detail = _api_request(url, version, words, timeout_s)
    except Exception as error:  # a load test reports every failure instead of stopping
        return Outcome(name, words, "failed", detail=repr(error))
    kind = {200: "ok", 429: "rejected"}.get(status, "failed")
    return Outcome(name, words, kind, ttfa_s, audio_s, detail)


def _api_request(url: str, version: str, words: int, timeout_s: float) -> tuple[int, Optional[float], Optional[float], str]:
    body = {"input": " ".join([WORD] * words) + ".", "version": version, "response_format": "wav", "stream": True,
            "voice": "af_bella"}
    started = time.perf_counter()
    with httpx.stream("POST", f"{url}/v1/audio/speech", json=body, timeout=timeout_s) as response:
        if response.status_code != 200:
            return response.status_code, None, None, response.read().decode(errors="replace")[:200]
        data, ttfa_s = b"", None
        for part in response.iter_bytes():
            ttfa_s = ttfa_s if ttfa_s is not None or len(data) + len(part) <= 44 else time.perf_counter() - started
            data += part
    audio, rate = soundfile.read(io.BytesIO(data), dtype="int16")
    return 200, ttfa_s, len(audio) / rate, ""


def _gradio_outcome(url: str, name: str, words: int) -> Outcome:
    from gradio_client import Client

    try:
        path, metrics = Client(url, verbose=False).predict(" ".join([WORD] * words) + ".", "af_heart", 1.0, "v1.0",
                                                          api_name="/synthesize")
        return Outcome(name, words, "ok", metrics["ttfa_s"], soundfile.info(path).duration)
    except Exception as error:
        status = "rejected" if "busy" in str(error) else "failed"
        return Outcome(name, words, status, detail=str(error)[:200])


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


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def start_app(port: int, extra_env: Optional[dict[str, str]] = None) -> subprocess.Popen:
    env = {**os.environ, "KOKORO_UI_PRELOAD": "v1.0,v0.19", **(extra_env or {})}
    return subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--host", "127.0.0.1"],
                            cwd=Path(__file__).resolve().parents[1], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_app(server: subprocess.Popen) -> None:
    """Ask the app to stop; uvicorn waits for open connections (Gradio clients keep some), so not forever."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_until_up(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:  # 503 while starting (kokoro_ui.boot)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"loadtest: {url} did not come up")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kokoro_ui.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--api-clients", type=int, default=16)
    parser.add_argument("--gradio-clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=1, help="requests per client")
    parser.add_argument("--deadline", type=float, default=600, help="seconds before no new request starts")
    parser.add_argument("--url", help="an app already running on loopback (then also give --pid)")
    parser.add_argument("--pid", type=int, help="that app's process id, for its memory")
    parser.add_argument("--port", type=int, default=_free_port(), help="port for the app this starts")
    soak = parser.add_argument_group("soak mode")
    soak.add_argument("--soak", type=float, metavar="SECONDS", help="mixed traffic for this long, a report a minute")
    soak.add_argument("--api-clients-soak", type=int, default=3, help="HTTP API clients during the soak")
    listening = parser.add_argument_group("listening mode")
    listening.add_argument("--listening", action="store_true", help="listeners in Chromium through whole sessions")
    listening.add_argument("--listeners", type=int, default=10)
    listening.add_argument("--trials", type=int, default=10, help="trials per session")
    listening.add_argument("--sentences", type=int, default=5, help="the study's first N sentences")
    listening.add_argument("--voices", default="af_bella,am_adam", help="v0.19 voice ids of the pairs")
    listening.add_argument("--playback-rate", type=float, default=4.0,
                           help="how fast the pages play clips (the server sees the same events, sooner)")
    listening.add_argument("--browser-nice", type=int, default=19,
                           help="CPU niceness of the browsers: listeners stand for other people's machines, so they "
                                "yield the cores to the server (0: browsers and server share the cores equally)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
