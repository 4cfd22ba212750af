"""A refused request leaves one line in the server's log, what was refused and why, and no traceback:
from the HTTP API, the named Gradio API and the page alike. User text goes to the log only as a short
prefix."""

import logging

import httpx
import pytest
from gradio_client import Client
from helpers.gradio_page import click

CLIENT_LOGGERS = ("httpx", "httpcore", "gradio_client")  # the test's own side of the connection
LONG_NAME = "Z" * 63  # within the longest voice name accepted, so it reaches the voice lookup


@pytest.fixture
def server_log(caplog, capfd):
    """The log records the server (this process) writes, and what reaches stderr (Gradio's tracebacks)."""
    caplog.set_level(logging.INFO)
    capfd.readouterr()

    def read() -> tuple[list[logging.LogRecord], str]:
        records = [record for record in caplog.records
                   if record.levelno >= logging.INFO and record.name.split(".")[0] not in CLIENT_LOGGERS]
        caplog.clear()
        return records, capfd.readouterr().err

    return read


def assert_one_line_without_traceback(records: list[logging.LogRecord], err: str, *words: str) -> None:
    assert len(records) == 1, [record.getMessage() for record in records]
    line = records[0].getMessage()
    assert "\n" not in line and records[0].exc_info is None and "Traceback" not in err, err[-2000:]
    assert all(word in line for word in words), line
    assert "Z" * 41 not in line


def test_a_refused_http_request_logs_one_line(server_url, server_log):
    response = httpx.post(f"{server_url}/v1/audio/speech", json={"input": "Hi.", "voice": LONG_NAME}, timeout=60)
    assert response.status_code == 400
    assert_one_line_without_traceback(*server_log(), "refused", "/v1/audio/speech", "400", "voice")


def test_a_refused_named_api_call_logs_one_line(server_url, server_log):
    client = Client(server_url, verbose=False)
    server_log()  # the client's own connection
    with pytest.raises(Exception, match="no voice"):
        client.predict("Hi.", LONG_NAME, 1.0, api_name="/synthesize")
    assert_one_line_without_traceback(*server_log(), "refused", "gradio_api", "/synthesize", "voice")


def test_a_refused_click_on_the_page_logs_one_line(server_url, server_log):
    message = click(server_url, "compare", ["   ", "af_bella", "af_bella", 1.0, "", "fair", None])
    assert message["success"] is False and "text" in message["output"]["error"].lower()
    assert_one_line_without_traceback(*server_log(), "refused", "ui", "/compare", "Text is empty")


def test_a_value_the_page_s_own_input_refuses_logs_one_line(server_url, server_log):
    message = click(server_url, "compare", ["Hello.", "af_bella", "af_bella", 9.0, "", "fair", None])
    assert message["success"] is False and "maximum value 2.0" in message["output"]["error"]
    assert_one_line_without_traceback(*server_log(), "refused", "ui", "Speed", "maximum")


def test_a_refused_body_that_is_not_json_logs_one_line(server_url, server_log):
    response = httpx.post(f"{server_url}/v1/audio/speech", content=b'{"input": "\\ud800"}',
                          headers={"content-type": "application/json"}, timeout=60)
    assert response.status_code == 400
    assert_one_line_without_traceback(*server_log(), "refused", "400")
