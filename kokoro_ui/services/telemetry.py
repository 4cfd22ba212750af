"""What an operator sees from outside: the app's Prometheus metrics, in a registry of its own.

Two kinds of numbers. Events are counted as they happen: requests by surface (`http`, the
named Gradio API `gradio_api`, the page `ui`) and outcome, and each finished run's time to
first audio and RTF by release and backend (`observe_run`, called by `ModelManager` for
every run a surface started). State is read when scraped, so it is never stale and nothing
has to remember to update it: each release's queue depth, forward passes and load state,
the busy refusals (429s) `Admission` counted, and the votes stored.

The registry is the app's own, not prometheus_client's global one, so several apps in one
process (tests) never collide. Per-run measurements shown to users are `metrics.py`'s job;
the surfaces decide what a request's outcome is (`api.prometheus`, `ui.events`).
"""

import logging
from typing import Callable, Iterator, Optional

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.metrics import RunMetrics

log = logging.getLogger(__name__)

STATES = ("ready", "loading", "failed", "not loaded")  # `ModelStatus.state`
TTFA_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)
RTF_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 4)


class Telemetry:
    """One app's metrics; `exposition()` is the text `GET /metrics` serves."""

    def __init__(self, manager: ModelManager, count_votes: Optional[Callable[[], int]] = None):
        """`count_votes`: how many listening-test votes are stored (the study's store, read at each scrape)."""
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("kokoro_requests", "Requests answered, by surface and outcome.",
                                ["surface", "outcome"], registry=self.registry)
        self.ttfa = Histogram("kokoro_time_to_first_audio_seconds",
                              "Server-side time from a request's arrival to its first chunk.",
                              ["version", "backend"], buckets=TTFA_BUCKETS_S, registry=self.registry)
        self.rtf = Histogram("kokoro_real_time_factor", "A finished run's compute time / audio duration.",
                             ["version", "backend"], buckets=RTF_BUCKETS, registry=self.registry)
        self.registry.register(_StateCollector(manager, count_votes))
        manager.run_observers.append(self.observe_run)

    def count(self, surface: str, outcome: str) -> None:
        self.requests.labels(surface, outcome).inc()

    def observe_run(self, metrics: RunMetrics) -> None:
        if metrics.ttfa_s is not None:
            self.ttfa.labels(metrics.version, metrics.backend).observe(metrics.ttfa_s)
        if metrics.rtf is not None:
            self.rtf.labels(metrics.version, metrics.backend).observe(metrics.rtf)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector(Collector):
    """Read at each scrape: the releases' queues, passes and load state, the 429s, and the votes."""

    def __init__(self, manager: ModelManager, count_votes: Optional[Callable[[], int]]):
        self.manager, self.count_votes = manager, count_votes

    def collect(self) -> Iterator:
        admission = self.manager.admission
        depth = GaugeMetricFamily("kokoro_queue_depth", "Requests in progress or waiting, per release.",
                                  labels=["version"])
        busy = CounterMetricFamily("kokoro_busy_refusals", "Requests refused because the release's queue "
                                   "was full (HTTP 429).", labels=["version"])
        passes = CounterMetricFamily("kokoro_forward_passes", "Forward passes run by a loaded release.",
                                     labels=["version"])
        state = GaugeMetricFamily("kokoro_model_state", "1 for each release's current load state.",
                                  labels=["version", "state"])
        for status in self.manager.status():
            depth.add_metric([status.version], admission.in_progress.get(status.version, 0))
            busy.add_metric([status.version], admission.refused.get(status.version, 0))
            for name in STATES:
                state.add_metric([status.version, name], float(status.state == name))
            if status.loaded:
                passes.add_metric([status.version], self.manager.get_model(status.version).forward_passes)
        yield from (depth, busy, passes, state)
        if self.count_votes is not None:
            try:
                stored = self.count_votes()
            except KokoroUIError as error:  # a scrape must not fail because the database is down
                log.warning("metrics: votes not counted: %s", error)
            else:
                yield GaugeMetricFamily("kokoro_votes_stored", "Listening-test votes in the database.", stored)
