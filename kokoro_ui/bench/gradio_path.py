"""What the Gradio path adds to time to first audio.

The Compare event runs through a real server on loopback and a real `gradio_client`; the
same text goes straight to the release's `stream` in the same process, the two taking turns.
The client's time to the first frame carrying audio, minus the release's own time to its
first chunk, bounds the Gradio path's cost from above: it also holds the client's share
(loopback, server-sent events) and the encoding of that first chunk for the browser.

Fair mode runs one release's pass at a time, either going first; each frame is credited to
the release whose player it fills.
"""

import statistics
import time

from kokoro_ui.bench.measure import GRADIO_PATH, Row, rss_mb
from kokoro_ui.manager import ModelManager
from kokoro_ui.server import running_server
from kokoro_ui.ui.compare_handlers import LEFT, OUTPUTS, RIGHT

TEXT = "Hello there."
_AUDIO_OUTPUTS = {OUTPUTS.index("left_audio"): LEFT, OUTPUTS.index("right_audio"): RIGHT}


def measure_gradio_path(manager: ModelManager, backend: str, repetitions: int) -> list[Row]:
    """Rows for each release: its own first chunk ('app, first chunk') and via Gradio (`GRADIO_PATH`)."""
    from gradio_client import Client  # a test and benchmark dependency, not the app's

    direct: dict[str, list[float]] = {LEFT: [], RIGHT: []}
    via_gradio: dict[str, list[float]] = {LEFT: [], RIGHT: []}
    with running_server(manager) as url:
        client = Client(url, verbose=False)
        for _ in range(repetitions):
            for version in direct:
                direct[version].append(_first_chunk_s(manager, version))
            version, seconds = _first_audio_via_compare(client)
            via_gradio[version].append(seconds)
    rows = []
    for version in direct:
        for path, timings in (("app, first chunk", direct[version]), (GRADIO_PATH, via_gradio[version])):
            if timings:
                rows.append(Row(version, backend, "short", path, statistics.median(timings), max(timings),
                                None, None, None, None, rss_mb()))
    return rows


def _first_chunk_s(manager: ModelManager, version: str) -> float:
    release = manager.get_model(version)
    started = time.perf_counter()
    stream = release.stream(TEXT, "af_bella")
    next(stream)
    seconds = time.perf_counter() - started
    stream.close()
    return seconds


def _first_audio_via_compare(client) -> tuple[str, float]:
    started = time.perf_counter()
    job = client.submit(TEXT, "af_bella", "af_bella", 1.0, "", "fair", api_name="/compare")
    try:
        for outputs in job:
            for index, version in _AUDIO_OUTPUTS.items():
                if isinstance(outputs[index], str):  # a streamed player's file; an untouched one is an update dict
                    return version, time.perf_counter() - started
    finally:
        job.cancel()
    raise RuntimeError("the Compare event ended without audio")
