"""Clips for listening: taken from the clip bank or synthesised once per (release, voice, text,
speed), loudness-matched, and written as anonymous WAV files.

Loudness is matched by `outputs.loudness`, so a louder clip never wins for being louder. Files get a
random name, carry only the RIFF ``fmt``/``data`` chunks, and are dithered with fresh noise each
time, so neither the name, the header nor the content hash (Gradio names its cache folders by
content) can tie a file to a release or to an earlier session.
"""

import logging
import secrets
import tempfile
import threading
import time
import wave
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from kokoro_ui.abtest.bank import ClipBank, synthesise
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.engine.release import Release
from kokoro_ui.outputs.loudness import Clip, integrated_loudness
from kokoro_ui.services.manager import ModelManager

log = logging.getLogger(__name__)

CLIP_FOLDER = Path(tempfile.gettempdir()) / "kokoro_ui_clips"
CLIP_MAX_AGE_S = 3600.0
CLEANUP_EVERY_S = 60.0  # a busy study writes thousands of files an hour: look for old ones once a minute
_last_cleanup = {"at": float("-inf")}  # when `_remove_old` last looked (time.monotonic())


ClipKey = tuple[str, str, str, float]  # (release, voice, text, speed)


class ClipCache:
    """Clips kept in memory (least recently used dropped first), read from the bank when it has them.

    A clip the bank lacks is synthesised and added to it, so the bank fills with use. Two requests
    for the same clip share one synthesis; `prefetch` works in one background thread, so the next
    trial is usually ready before the listener asks for it."""

    def __init__(self, manager: ModelManager, max_clips: int = 256, bank: ClipBank | None = None):
        self.manager = manager
        self.max_clips = max_clips
        self.bank = bank
        self._clips: OrderedDict[ClipKey, Clip] = OrderedDict()
        self._pending: dict[ClipKey, Future] = {}
        self._lock = threading.Lock()
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clip-prefetch")

    def get(self, release: str, voice: str, text: str, speed: float = 1.0) -> Clip:
        key = (self.manager.resolve_version(release), voice, text, float(speed))
        with self._lock:
            if key in self._clips:
                self._clips.move_to_end(key)
                return self._clips[key]
            future, mine = self._pending.get(key), key not in self._pending
            if mine:
                future = self._pending[key] = Future()
        if not mine:
            return future.result()
        try:
            clip = self._synthesise(*key)
        except BaseException as error:
            with self._lock:
                self._pending.pop(key, None)
            future.set_exception(error)
            raise
        with self._lock:
            self._pending.pop(key, None)
            self._clips[key] = clip
            while len(self._clips) > self.max_clips:
                self._clips.popitem(last=False)
        future.set_result(clip)
        return clip

    def prefetch(self, keys: list[ClipKey]) -> None:
        """Synthesise `keys` in the background; failures are logged here and raised again on `get`."""
        for key in keys:
            self._background.submit(self._prefetch_one, key)

    def _prefetch_one(self, key: ClipKey) -> None:
        try:
            self.get(*key)
        except Exception as error:  # the foreground `get` will meet the same error and show it
            log.warning("prefetching clip %s failed: %s", key[:2], error)

    def _synthesise(self, release: str, voice: str, text: str, speed: float) -> Clip:
        model = self.manager.get_model(release)
        audio = self.bank.load(model, voice, text, speed) if self.bank else None
        if audio is None:
            audio = synthesise(model, voice, text, speed)
            if self.bank:
                self._bank_save(model, voice, text, speed, audio)
        return Clip(audio, integrated_loudness(audio), model.info.real_speech)

    def _bank_save(self, model: Release, voice: str, text: str, speed: float, audio: np.ndarray) -> None:
        try:
            self.bank.save(model, voice, text, speed, audio)
        except OSError as error:  # a full or read-only bank: the clip is served all the same, from memory
            log.warning("clip bank: could not keep a clip in %s: %s", self.bank.folder, error)


def write_blind_wav(audio: np.ndarray, folder: Path = CLIP_FOLDER, sample_rate_hz: int = SAMPLE_RATE_HZ) -> Path:
    """16-bit WAV under a random name, TPDF-dithered with fresh noise; old files in `folder` are removed.

    1-D `audio` is mono; 2-D is (frames, channels), e.g. the headphone screening's stereo tones."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    noise = np.random.default_rng()  # seeded from the OS: never the same twice
    audio = np.asarray(audio, dtype=np.float64)
    scaled = audio * 32767 + noise.random(audio.shape) - noise.random(audio.shape)
    samples = np.clip(np.round(scaled), -32768, 32767).astype("<i2")
    path = folder / f"{secrets.token_hex(16)}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1 if audio.ndim == 1 else audio.shape[1])
        out.setsampwidth(2)
        out.setframerate(sample_rate_hz)
        out.writeframes(samples.tobytes())  # row-major (frames, channels): interleaved, as WAV wants
    return path


def _remove_old(folder: Path) -> None:
    now = time.monotonic()
    if now - _last_cleanup["at"] < CLEANUP_EVERY_S:
        return
    _last_cleanup["at"] = now
    cutoff = time.time() - CLIP_MAX_AGE_S
    for old in folder.glob("*.wav"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:  # another thread removed it first
            pass
