"""The Gradio-path stopwatch recognises the frame that starts a release's player, and only that."""

import json

from kokoro_ui.bench.gradio_path import _release_given_audio
from kokoro_ui.ui.compare_handlers import LEFT, OUTPUTS, RIGHT

STREAM = {"path": "s/1/playlist.m3u8", "is_stream": True, "meta": {"_type": "gradio.FileData"}}


def _frame(event_id: str, outputs: list, msg: str = "process_generating") -> bytes:
    return b"data: " + json.dumps({"msg": msg, "event_id": event_id, "output": {"data": outputs}}).encode() + b"\n\n"


def _outputs(**values) -> list:
    return [values.get(name, {"__type__": "update"}) for name in OUTPUTS]


def test_a_full_frame_with_a_stream_names_the_release_of_that_player():
    assert _release_given_audio(_frame("e1", _outputs(right_audio=STREAM)), "e1") == RIGHT


def test_a_diff_that_adds_a_stream_names_the_release_of_that_player():
    diff = [["delete", ["__type__"], None], ["add", ["path"], "s/1/playlist.m3u8"], ["add", ["is_stream"], True]]
    outputs = [[] for _ in OUTPUTS]
    outputs[OUTPUTS.index("left_audio")] = diff
    assert _release_given_audio(_frame("e1", outputs), "e1") == LEFT


def test_frames_without_audio_or_of_another_event_are_not_counted():
    assert _release_given_audio(_frame("e1", _outputs(left_status="streaming")), "e1") is None
    assert _release_given_audio(_frame("old", _outputs(left_audio=STREAM)), "e1") is None
    assert _release_given_audio(_frame("e1", _outputs(left_audio=STREAM), msg="process_completed"), "e1") is None
    assert _release_given_audio(b'data: {"msg":"estimation","event_id":"e1","rank":0}\n\n', "e1") is None
