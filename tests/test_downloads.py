"""Download links: kept for their time and no longer, bounded in size, unguessable, and honest about why one is missing."""

import json

import numpy as np
import pytest
import soundfile

from kokoro_ui.api.downloads import DownloadStore, Recording, new_name, save_as
from kokoro_ui.api.openai_errors import NotFoundError
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock) -> DownloadStore:
    return DownloadStore(ttl_s=60, max_bytes=1_000, clock=clock)


def put(store: DownloadStore, size_bytes: int) -> str:
    name = store.reserve(new_name("mp3"))
    store.put(name, b"x" * size_bytes, "audio/mpeg")
    return name


def test_a_stored_file_is_served_until_its_time_is_up(store, clock):
    name = put(store, 10)
    clock.now_s = 59.9
    assert store.read(name) == (b"x" * 10, "audio/mpeg")
    clock.now_s = 60.0
    with pytest.raises(NotFoundError, match="links last 60 s"):
        store.read(name)


def test_an_expired_file_is_deleted_from_disk(store, clock):
    name = put(store, 10)
    path = store.folder / name
    clock.now_s = 61
    put(store, 10)  # any store or read clears out what has expired
    assert not path.exists()


def test_the_oldest_files_go_first_when_the_store_would_outgrow_its_size(store):
    first, second = put(store, 400), put(store, 400)
    third = put(store, 400)
    with pytest.raises(NotFoundError):
        store.read(first)
    assert store.read(second)[0] and store.read(third)[0]


def test_a_reserved_name_says_it_is_still_being_made_and_an_abandoned_one_that_it_is_gone(store):
    name = store.reserve(new_name("wav"))
    with pytest.raises(NotFoundError, match="still being made"):
        store.read(name)
    store.abandon(name)
    with pytest.raises(NotFoundError, match="No download"):
        store.read(name)


def test_names_are_random_and_never_paths():
    names = {new_name("wav") for _ in range(1_000)}
    assert len(names) == 1_000
    assert all("/" not in name and name.count(".") == 1 and len(name) == 26 for name in names)


@pytest.mark.parametrize("requested, saved", [
    (None, "TOKEN.mp3"),
    ("my talk", "my_talk.mp3"),
    ("my talk.wav", "my_talk.mp3"),  # the stored file's extension is what it is
    ("../../etc/passwd", "TOKEN.mp3"),
    ("..", "TOKEN.mp3"),
    ("a" * 300, "a" * 100 + ".mp3"),
])
def test_the_saved_name_is_the_clients_choice_made_safe(requested, saved):
    assert save_as(requested, "TOKEN.mp3") == saved


def test_a_recording_stores_the_whole_audio_and_each_chunk_time_beside_it(store):
    store.max_bytes = 10_000_000
    recording = Recording(store, "wav", timing=True)
    first, second = np.full(SAMPLE_RATE_HZ // 2, 0.25, np.float32), np.full(SAMPLE_RATE_HZ, -0.25, np.float32)
    recording.add("Hello.", first)
    recording.add("Again.", second)
    recording.finish()
    assert recording.headers()["X-Timing-Path"] == recording.headers()["X-Download-Path"] + ".json"
    audio, rate = soundfile.read(store.folder / recording.audio_name, dtype="float32")
    assert rate == SAMPLE_RATE_HZ and len(audio) == len(first) + len(second)
    timings = json.loads(store.read(recording.timing_name)[0])
    assert timings == {"chunks": [{"text": "Hello.", "start": 0.0, "end": 0.5},
                                  {"text": "Again.", "start": 0.5, "end": 1.5}]}
