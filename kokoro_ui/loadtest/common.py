"""What every load-test mode shares: requests to a running app, their outcomes, and the app's process.

Loopback only; each call is bounded in time. The modes (`burst`, `soak`, `listening`) build on this
module and on nothing of each other's.
"""

import os
import socket
import subprocess
import sys
import time
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import httpx
import soundfile

WORD = "word"  # requests differ only in how many words they say, so audio length tracks text length
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


def api_outcome(url: str, version: str, name: str, words: int, timeout_s: float) -> Outcome:
    try:
        status, ttfa_s, audio_s, detail = api_request(url, version, words, timeout_s)
    except Exception as error:  # a load test reports every failure instead of stopping
        return Outcome(name, words, "failed", detail=repr(error))
    kind = {200: "ok", 429: "rejected"}.get(status, "failed")
    return Outcome(name, words, kind, ttfa_s, audio_s, detail)


def api_request(url: str, version: str, words: int, timeout_s: float) -> tuple[int, Optional[float], Optional[float], str]:
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


def gradio_outcome(url: str, name: str, words: int) -> Outcome:
    from gradio_client import Client

    try:
        path, metrics = Client(url, verbose=False).predict(" ".join([WORD] * words) + ".", "af_heart", 1.0, "v1.0",
                                                          api_name="/synthesize")
        return Outcome(name, words, "ok", metrics["ttfa_s"], soundfile.info(path).duration)
    except Exception as error:
        status = "rejected" if "busy" in str(error) else "failed"
        return Outcome(name, words, status, detail=str(error)[:200])


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def start_app(port: int, extra_env: Optional[dict[str, str]] = None) -> subprocess.Popen:
    env = {**os.environ, "KOKORO_UI_PRELOAD": "v1.0,v0.19", **(extra_env or {})}
    return subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--host", "127.0.0.1"],
                            cwd=Path(__file__).resolve().parents[2], env=env,
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
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:  # 503 while starting (kokoro_ui.serving.boot)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"loadtest: {url} did not come up")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
