"""One way to check an HTTP API refusal: OpenAI's error shape, the status, the field at fault and the words that say why."""

import httpx


def assert_openai_error(response: httpx.Response, status: int, param, *words: str) -> str:
    """Assert `response` is a `status` refusal naming `param`, whose message holds each of `words`; returns the message."""
    assert response.status_code == status, response.text
    assert "traceback" not in response.text.lower()
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["param"] == param
    message = body["error"]["message"]
    for word in words:
        assert word.lower() in message.lower(), message
    return message
