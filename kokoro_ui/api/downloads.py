"""Download links: a response's audio kept for a while, served by this app (`return_download_link`).

Kokoro-FastAPI's `return_download_link` keeps a copy of the audio and names its path in the
`X-Download-Path` header (fetched under `/v1`); `return_timing` adds a JSON file beside it with
each chunk's text, start and end in seconds (`X-Timing-Path`). Here each file lives in a folder
of the store's own, named by a random token: a link cannot be guessed, and nothing a request
says ever becomes part of a path. A file is deleted `ttl_s` seconds after it was stored, and the
oldest go first when the folder would grow past `max_bytes`; the folder goes with the process.
A streamed response names its link up front and fills it when the stream ends: until then, or
if the stream broke off, the link is a 404 that says which.

Boundary: this module keeps bytes and serves them. What the audio is (format, volume) is
`api/speech.py`'s; the copy is encoded whole, once the run is over, so it is a proper file even
where the stream was not (a streamed wav's sizes, a streamed flac's length).
"""

import json
import re
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from fastapi import APIRouter, Response

from kokoro_ui.api.openai_errors import NotFoundError
from kokoro_ui.api.schemas import ErrorBody
from kokoro_ui.outputs.audio_formats import MEDIA_TYPES, encode
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ

_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM_CHARS = 100


@dataclass(frozen=True)
class _Stored:
    path: Path
    media_type: str
    size_bytes: int
    expires_at: float


def new_name(extension: str) -> str:
    """A file name no one can guess: 128 random bits, then the extension."""
    return f"{secrets.token_urlsafe(16)}.{extension}"


class DownloadStore:
    """Files kept `ttl_s` seconds, `max_bytes` in all; thread-safe."""

    def __init__(self, ttl_s: float, max_bytes: int, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self._clock = clock
        self.folder = Path(tempfile.mkdtemp(prefix="kokoro_ui_downloads_"))  # removed with the store
        weakref.finalize(self, shutil.rmtree, self.folder)
        self._stored: dict[str, _Stored] = {}  # oldest first
        self._pending: set[str] = set()
        self._lock = threading.Lock()

    def reserve(self, name: str) -> str:
        """`name` (from `new_name`) is known from now on: fetching it says 'not ready' until `put`."""
        with self._lock:
            self._pending.add(name)
        return name

    def put(self, name: str, data: bytes, media_type: str) -> None:
        path = self.folder / name
        path.write_bytes(data)
        with self._lock:
            self._pending.discard(name)
            self._drop_expired()
            while self._stored and self._total_bytes() + len(data) > self.max_bytes:
                self._delete(next(iter(self._stored)))  # the oldest
            self._stored[name] = _Stored(path, media_type, len(data), self._clock() + self.ttl_s)

    def abandon(self, name: str) -> None:
        """A reserved name whose file will never come (the stream broke off)."""
        with self._lock:
            self._pending.discard(name)

    def read(self, name: str) -> tuple[bytes, str]:
        """A stored file's bytes and media type, or `NotFoundError` saying why not."""
        with self._lock:
            self._drop_expired()
            if name in self._pending:
                raise NotFoundError(f"Download {name!r} is still being made: fetch it once its stream has ended.")
            stored = self._stored.get(name)
            if stored is None:
                raise NotFoundError(f"No download {name[:60]!r}: links last {self.ttl_s:g} s, and one "
                                            f"whose stream broke off never fills.")
            return stored.path.read_bytes(), stored.media_type

    def _drop_expired(self) -> None:
        now = self._clock()
        for name in [name for name, stored in self._stored.items() if stored.expires_at <= now]:
            self._delete(name)

    def _delete(self, name: str) -> None:
        self._stored.pop(name).path.unlink()

    def _total_bytes(self) -> int:
        return sum(stored.size_bytes for stored in self._stored.values())


class Recording:
    """One response's download copy (and timings), collected chunk by chunk as the response is made."""

    def __init__(self, store: DownloadStore, download_format: str, timing: bool):
        self._store = store
        self._format = download_format
        self.audio_name = store.reserve(new_name(download_format))
        self.timing_name = store.reserve(f"{self.audio_name}.json") if timing else None  # where Kokoro-FastAPI puts it
        self._pieces: list[np.ndarray] = []
        self._timings: list[dict] = []
        self._samples = 0
        self._finished = False

    def headers(self) -> dict[str, str]:
        headers = {"X-Download-Path": f"/download/{self.audio_name}",
                   "X-Kokoro-Download-Expires-In-S": f"{self._store.ttl_s:g}"}
        if self.timing_name:
            headers["X-Timing-Path"] = f"/download/{self.timing_name}"
        return headers

    def add(self, text: str, audio: np.ndarray) -> None:
        start_s, self._samples = self._samples / SAMPLE_RATE_HZ, self._samples + len(audio)
        self._pieces.append(audio)
        self._timings.append({"text": text, "start": round(start_s, 3), "end": round(self._samples / SAMPLE_RATE_HZ, 3)})

    def finish(self, encoded: Optional[bytes] = None) -> None:
        """Store the copy: `encoded` if the response's bytes already are it, else the audio encoded whole."""
        audio = np.concatenate(self._pieces) if self._pieces else np.zeros(0, np.float32)
        data = encode(audio, self._format) if encoded is None else encoded
        self._store.put(self.audio_name, data, MEDIA_TYPES[self._format])
        if self.timing_name:
            self._store.put(self.timing_name, json.dumps({"chunks": self._timings}).encode(), "application/json")
        self._finished = True

    def abandon(self) -> None:
        if not self._finished:
            for name in (self.audio_name, self.timing_name):
                if name:
                    self._store.abandon(name)


def save_as(requested: Optional[str], stored_name: str) -> str:
    """The name a browser saves a download under: the client's `name` made safe, the stored extension kept."""
    stem = Path(_UNSAFE_IN_NAME.sub("_", requested or "")).stem.strip("._-")[:_MAX_STEM_CHARS]
    return stem + stored_name[stored_name.index("."):] if stem else stored_name


def add_download_route(router: APIRouter, store: DownloadStore) -> None:
    @router.get("/v1/download/{filename}", response_class=Response,
                responses={200: {"description": "The audio, or its timings as JSON."}, 404: {"model": ErrorBody}})
    def download(filename: str, name: Optional[str] = None) -> Response:
        """A file made by a speech request with `return_download_link`; `name` sets the saved file's name."""
        data, media_type = store.read(filename)
        disposition = f'attachment; filename="{save_as(name, filename)}"'
        return Response(data, media_type=media_type,
                        headers={"Content-Disposition": disposition, "Cache-Control": "no-cache"})
