"""What the Gradio path adds to time to first audio, timed on the server and at the client.

The Compare event runs through a real server on loopback and a real `gradio_client`; the
same text goes straight to the release's `stream` in the same process, the two taking turns.
On the server, an ASGI stopwatch notes when the queue join arrives and when the first event
carrying a streamed player leaves: that span, minus the release's own time to its first
chunk, is what Gradio and the Compare handler add (request in, first chunk out). It
includes starting the player's AAC encoder (a process Gradio spawns on a stream's first
chunk), which is also timed on its own (`PLAYER_START_PATH`), so the part before the chunk
is handed to the player can be told apart. The client's span adds loopback and server-sent
events on top.

Fair mode runs one release's pass at a time, either going first; each first frame is
credited to the release whose player it fills.
"""

import asyncio
import json
import statistics
from collections import defaultdict
import time
import uuid
from typing import Callable, Optional

import numpy as np

from kokoro_ui.bench.measure import GRADIO_ADDS_PATHS, GRADIO_CLIENT_PATH, GRADIO_SERVER_PATH, PLAYER_START_PATH, Row, rss_mb
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.serving.server import running_server
from kokoro_ui.ui.compare_handlers import LEFT, OUTPUTS, RIGHT

TEXT = "Hello there."
_AUDIO_OUTPUTS = {OUTPUTS.index("left_audio"): LEFT, OUTPUTS.index("right_audio"): RIGHT}


class FirstAudioStopwatch:
    """ASGI middleware: seconds from a queue join arriving to its first streamed player leaving.

    Meant for one client submitting one event at a time, as the benchmark does; events are
    told apart by the id the join answers with, so a cancelled event's late frames are ignored.
    """

    def __init__(self):
        self.app: Optional[Callable] = None
        self.joined_at: Optional[float] = None
        self.event_id: Optional[str] = None
        self.first_audio: Optional[tuple[str, float]] = None  # (release, seconds since the join)

    def around(self, app: Callable) -> "FirstAudioStopwatch":
        self.app = app
        return self

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.endswith("/queue/join"):
            self.joined_at, self.event_id, self.first_audio = time.perf_counter(), None, None
            send = self._watching(send, self._note_event_id)
        elif path.endswith("/queue/data"):
            send = self._watching(send, self._note_first_audio)
        await self.app(scope, receive, send)

    @staticmethod
    def _watching(send: Callable, note: Callable[[bytes], None]) -> Callable:
        async def watched(message):
            if message["type"] == "http.response.body":
                note(message.get("body", b""))
            await send(message)
        return watched

    def _note_event_id(self, body: bytes) -> None:
        if body:
            self.event_id = json.loads(body).get("event_id")

    def _note_first_audio(self, body: bytes) -> None:
        if self.first_audio is None and self.event_id is not None:
            version = _release_given_audio(body, self.event_id)
            if version:
                self.first_audio = version, time.perf_counter() - self.joined_at


def _release_given_audio(body: bytes, event_id: str) -> Optional[str]:
    """The release whose player event `event_id`'s server-sent frames start streaming, if any."""
    for line in body.splitlines():
        if not line.startswith(b"data: "):
            continue
        event = json.loads(line[len(b"data: "):])
        if event.get("msg") != "process_generating" or event.get("event_id") != event_id:
            continue
        outputs = event["output"]["data"]
        for index, version in _AUDIO_OUTPUTS.items():
            value = outputs[index]
            full = isinstance(value, dict) and value.get("is_stream") is True
            if full or (isinstance(value, list) and ["add", ["is_stream"], True] in value):  # a diff
                return version
    return None


def measure_gradio_path(manager: ModelManager, backend: str, repetitions: int) -> list[Row]:
    """Rows for each release: its own first chunk ('app, first chunk'); via Gradio, timed on
    the server (`GRADIO_SERVER_PATH`) and at the client (`GRADIO_CLIENT_PATH`); what Gradio
    adds on each (`GRADIO_ADDS_PATHS`); and Gradio's player start on its own.

    What Gradio adds is taken round by round, against the same release's own first chunk
    timed just before, so a machine slowing down over the run does not leak into it.
    """
    from gradio_client import Client  # a test and benchmark dependency, not the app's

    timings: dict[tuple[str, str], list[float]] = defaultdict(list)  # (path, release) -> seconds
    stopwatch = FirstAudioStopwatch()
    with running_server(manager, middleware=stopwatch.around) as url:
        client = Client(url, verbose=False)
        for _ in range(repetitions):
            own = {version: _first_chunk_s(manager, version) for version in (LEFT, RIGHT)}
            timings[PLAYER_START_PATH, "any"].append(_player_start_s())
            client_version, client_s = _first_audio_via_compare(client)
            server_version, server_s = stopwatch.first_audio
            for version, seconds in own.items():
                timings["app, first chunk", version].append(seconds)
            for path, version, seconds in ((GRADIO_CLIENT_PATH, client_version, client_s),
                                           (GRADIO_SERVER_PATH, server_version, server_s)):
                timings[path, version].append(seconds)
                timings[GRADIO_ADDS_PATHS[path], version].append(seconds - own[version])
    return [Row(version, backend, "short", path, statistics.median(values), max(values), None, None, None, None, rss_mb())
            for (path, version), values in timings.items()]


def _player_start_s() -> float:
    """Gradio's own cost of a streamed player's first chunk (one second of audio)."""
    import gradio as gr

    player, output_id = gr.Audio(streaming=True), uuid.uuid4().hex
    value = player.postprocess((SAMPLE_RATE_HZ, np.zeros(SAMPLE_RATE_HZ, np.int16))).model_dump()

    async def first_chunk() -> float:
        started = time.perf_counter()
        await player.stream_output(value, output_id, True)
        seconds = time.perf_counter() - started
        await player.flush_stream_output(output_id)
        return seconds

    return asyncio.run(first_chunk())


def _first_chunk_s(manager: ModelManager, version: str) -> float:
    release = manager.get_model(version)
    started = time.perf_counter()
    stream = release.stream(TEXT, "af_bella")
    next(stream)
    seconds = time.perf_counter() - started
    stream.close()
    return seconds


def _first_audio_via_compare(client) -> tuple[str, float]:
    """The release whose player got audio first, and when; the event runs to its end, so
    the other release's pass is not still running when the next measurement starts."""
    started = time.perf_counter()
    first: Optional[tuple[str, float]] = None
    for outputs in client.submit(TEXT, "af_bella", "af_bella", 1.0, "", "fair", api_name="/compare"):
        for index, version in _AUDIO_OUTPUTS.items():
            if first is None and isinstance(outputs[index], str):  # a streamed player's file; else an update dict
                first = version, time.perf_counter() - started
    if first is None:
        raise RuntimeError("the Compare event ended without audio")
    return first
