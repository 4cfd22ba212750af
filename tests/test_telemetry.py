"""`GET /metrics`: Prometheus text that its own parser reads, and counters that move with real traffic
through each surface (the HTTP API, the named Gradio API, the page, a vote)."""

import contextlib

import httpx
import pytest
from gradio_client import Client
from helpers.gradio_page import unqueued_event
from prometheus_client.parser import text_string_to_metric_families

from helpers.study import session_book

from kokoro_ui.abtest.material import Sentence, voice_pairs


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, keyed by name and sorted labels."""
    response = httpx.get(f"{url}/metrics", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def requests_of(metrics: dict, surface: str, outcome: str) -> float:
    return metrics.get(("kokoro_requests_total", (("outcome", outcome), ("surface", surface))), 0.0)


def moved(before: dict, after: dict, surface: str, outcome: str) -> float:
    return requests_of(after, surface, outcome) - requests_of(before, surface, outcome)


def speak_over_http(url: str, **fields) -> httpx.Response:
    body = {"input": "Hi.", "voice": "af_heart", "response_format": "wav", **fields}
    return httpx.post(f"{url}/v1/audio/speech", json=body, timeout=120)


def test_metrics_parse_and_describe_each_release(server_url):
    metrics = scrape(server_url)
    for version in ("v0.19", "v1.0"):
        assert metrics[("kokoro_model_state", (("state", "ready"), ("version", version)))] == 1
        assert metrics[("kokoro_model_state", (("state", "failed"), ("version", version)))] == 0
        assert ("kokoro_queue_depth", (("version", version),)) in metrics
        assert ("kokoro_busy_refusals_total", (("version", version),)) in metrics
        assert ("kokoro_forward_passes_total", (("version", version),)) in metrics
    assert ("kokoro_votes_stored", ()) in metrics


def test_http_requests_are_counted_by_outcome_with_their_run_times(server_url):
    before = scrape(server_url)
    assert speak_over_http(server_url).status_code == 200
    assert speak_over_http(server_url, speed=9).status_code == 400
    after = scrape(server_url)
    assert moved(before, after, "http", "ok") == 1 and moved(before, after, "http", "refused") == 1
    ttfa = ("kokoro_time_to_first_audio_seconds_count", (("backend", "torch"), ("version", "v1.0")))
    rtf = ("kokoro_real_time_factor_count", (("backend", "torch"), ("version", "v1.0")))
    assert after[ttfa] - before.get(ttfa, 0) == 1 and after[rtf] - before.get(rtf, 0) == 1
    passes = ("kokoro_forward_passes_total", (("version", "v1.0"),))
    assert after[passes] > before[passes]


def test_a_full_queue_is_counted_as_a_429(server_url, manager):
    before = scrape(server_url)
    tickets = []
    try:
        with contextlib.suppress(Exception):
            while True:  # the server's own admission: take every place in v0.19's queue
                tickets.append(manager.admission.admit("v0.19"))
        assert speak_over_http(server_url, model="kokoro-v0.19", voice="af").status_code == 429
        during = scrape(server_url)
        assert during[("kokoro_queue_depth", (("version", "v0.19"),))] == len(tickets)
    finally:
        for ticket in tickets:
            ticket.release()
    after = scrape(server_url)
    assert moved(before, after, "http", "busy") == 1
    busy = ("kokoro_busy_refusals_total", (("version", "v0.19"),))
    assert after[busy] - before[busy] >= 1  # the first call counts, and the test's own overflow one too


def test_the_named_api_and_the_page_are_counted_apart(server_url):
    client = Client(server_url, verbose=False)
    before = scrape(server_url)
    client.predict("Hi.", "af_heart", 1.0, api_name="/synthesize")
    with pytest.raises(Exception, match="no voice"):
        client.predict("Hi.", "nobody", 1.0, api_name="/synthesize")
    assert unqueued_event(server_url, "char-count", ["Hello"]).status_code == 200
    after = scrape(server_url)
    assert moved(before, after, "gradio_api", "ok") == 1 and moved(before, after, "gradio_api", "refused") == 1
    assert moved(before, after, "ui", "ok") == 1


def test_a_stored_vote_is_counted(server_url, manager):
    before = scrape(server_url)[("kokoro_votes_stored", ())]
    book = session_book(manager.settings.votes_db, [Sentence("t1", "One.")], voice_pairs(manager, "af_bella"), trials=1)
    session = book.start()
    trial = book.current_trial(session.id)
    book.show(session.id, trial.number, real_speech=False)
    for clip in trial.clips:
        book.report(session.id, trial.number, clip, "play")
        book.report(session.id, trial.number, clip, "end")
    book.vote(session.id, trial.number, "A")
    assert scrape(server_url)[("kokoro_votes_stored", ())] == before + 1
