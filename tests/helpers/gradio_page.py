"""Calling the page's own events over HTTP as the browser does, without a browser: for tests that need a
request to arrive from the page (the `ui` surface) rather than from `gradio_client`."""

import json
import secrets

import httpx

BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0"}


def config(url: str) -> dict:
    return httpx.get(f"{url}/config", timeout=30).json()


def component_id(page: dict, elem_id: str) -> int:
    return next(component["id"] for component in page["components"]
                if component.get("props", {}).get("elem_id") == elem_id)


def unqueued_event(url: str, output_elem_id: str, data: list) -> httpx.Response:
    """Call the page's unqueued event whose one output is `output_elem_id`."""
    page = config(url)
    output = component_id(page, output_elem_id)
    event = next(dependency for dependency in page["dependencies"] if dependency["outputs"] == [output])
    return httpx.post(f"{url}/gradio_api/run/predict", headers=BROWSER, timeout=30,
                      json={"fn_index": event["id"], "data": data, "session_hash": secrets.token_hex(8)})


def click(url: str, button_elem_id: str, data: list, timeout_s: float = 120) -> dict:
    """Press a button's (queued) click event and wait for its end; returns Gradio's last message."""
    page = config(url)
    button = component_id(page, button_elem_id)
    event = next(dependency for dependency in page["dependencies"]  # the queued one: unqueued ones only set up the page
                 if dependency.get("queue") is not False
                 and any(target[0] == button and target[1] == "click" for target in dependency["targets"]))
    session = secrets.token_hex(8)
    joined = httpx.post(f"{url}/gradio_api/queue/join", headers=BROWSER, timeout=30, json={
        "data": data, "fn_index": event["id"], "session_hash": session, "trigger_id": button, "event_data": None})
    joined.raise_for_status()
    with httpx.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}, headers=BROWSER,
                      timeout=timeout_s) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the event never completed")
