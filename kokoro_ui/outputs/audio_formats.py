"""Audio encodings for the HTTP API, whole or streamed, from float32 24 kHz mono chunks.

Whole responses: wav and flac by libsndfile (exact headers), pcm as raw samples, mp3, opus and
aac by one ffmpeg run. Streams: wav is a header whose two sizes say "unknown" (0xFFFFFFFF, which
decoders read as "up to the end of the data") followed by raw samples, so a stream cut at any
point still decodes; pcm is raw; mp3, opus, aac and flac go through one ffmpeg process per
response, fed chunk by chunk. pcm is signed 16-bit little-endian, 24 kHz, mono, no header. Opus is
encoded from 24 kHz but, like all Opus, decodes at 48 kHz. aac is ADTS (every frame carries its
own header), whole or streamed, so a stream can be played from any frame.

A volume change (`scale`) clips to [-1, 1], so loud audio saturates rather than wrapping round
to the opposite sign when it becomes 16 bits; every encoder then gets audio in range.
"""

import io
import struct
import subprocess
import threading
from typing import Optional

import numpy as np
import soundfile

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.errors import KokoroUIError

FORMATS = ("wav", "mp3", "flac", "opus", "aac", "pcm")
MEDIA_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "opus": "audio/ogg", "aac": "audio/aac",
               "pcm": "audio/pcm"}
UNKNOWN_SIZE = 0xFFFFFFFF
_FFMPEG_IN = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-probesize", "32", "-analyzeduration", "0",
              "-f", "s16le", "-ar", str(SAMPLE_RATE_HZ), "-ac", "1", "-i", "pipe:0"]
_FFMPEG_OUT = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3"],
    "opus": ["-c:a", "libopus", "-b:a", "48k", "-page_duration", "100000", "-f", "ogg"],
    "aac": ["-c:a", "aac", "-b:a", "64k", "-f", "adts"],
    "flac": ["-c:a", "flac", "-f", "flac"],
}
_FIRST_OUTPUT_WAIT_S = 1.0  # how long a stream's first chunk may wait for ffmpeg's first bytes
_NEXT_OUTPUT_WAIT_S = 0.1  # the same for later chunks (what is not ready goes out with the next)
_QUIET_S = 0.03  # output is taken once ffmpeg has been quiet this long


class EncoderError(KokoroUIError):
    """The server could not encode audio (ffmpeg missing or failing): not the request's fault."""


def to_int16(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def scale(audio: np.ndarray, volume: float) -> np.ndarray:
    """`audio` times `volume`, clipped to [-1, 1]."""
    if volume == 1.0:
        return audio
    return np.clip(audio * np.float32(volume), -1.0, 1.0)


def wav_header(data_bytes: int = UNKNOWN_SIZE) -> bytes:
    """A 44-byte PCM WAV header; the default (unknown size) is the streamed one."""
    riff_bytes = UNKNOWN_SIZE if data_bytes == UNKNOWN_SIZE else 36 + data_bytes
    return (b"RIFF" + struct.pack("<I", riff_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE_HZ, SAMPLE_RATE_HZ * 2, 2, 16)
            + b"data" + struct.pack("<I", data_bytes))


def encode(audio: np.ndarray, response_format: str) -> bytes:
    """A whole file of `audio` in `response_format`."""
    if response_format == "pcm":
        return to_int16(audio)
    if response_format in ("wav", "flac"):
        out = io.BytesIO()
        soundfile.write(out, audio, SAMPLE_RATE_HZ, format=response_format.upper(), subtype="PCM_16")
        return out.getvalue()
    try:
        done = subprocess.run(_ffmpeg(response_format), input=to_int16(audio), capture_output=True, timeout=600)
    except FileNotFoundError:
        raise _no_ffmpeg(response_format) from None
    if done.returncode != 0:
        raise EncoderError(f"ffmpeg could not encode {response_format}: {done.stderr.decode(errors='replace')[-300:]}")
    return done.stdout


class StreamEncoder:
    """Encodes a stream chunk by chunk: `start()`, `encode()` per chunk, `finish()`; `close()` always."""

    def start(self) -> bytes:
        return b""

    def encode(self, audio: np.ndarray) -> bytes:
        return to_int16(audio)

    def finish(self) -> bytes:
        return b""

    def close(self) -> None:
        pass


class WavStream(StreamEncoder):
    def start(self) -> bytes:
        return wav_header()


class FfmpegStream(StreamEncoder):
    """One ffmpeg process: samples go in as chunks arrive; a thread collects what comes out."""

    def __init__(self, response_format: str):
        self.response_format = response_format
        self._process: Optional[subprocess.Popen] = None
        self._output = bytearray()
        self._ready = threading.Condition()
        self._reader: Optional[threading.Thread] = None
        self._first = True

    def start(self) -> bytes:
        try:
            self._process = subprocess.Popen(_ffmpeg(self.response_format), stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise _no_ffmpeg(self.response_format) from None
        self._reader = threading.Thread(target=self._read, name="ffmpeg-reader", daemon=True)
        self._reader.start()
        return b""

    def encode(self, audio: np.ndarray) -> bytes:
        try:
            self._process.stdin.write(to_int16(audio))
            self._process.stdin.flush()
        except BrokenPipeError:
            raise self._failed() from None
        wait_s, self._first = (_FIRST_OUTPUT_WAIT_S if self._first else _NEXT_OUTPUT_WAIT_S), False
        return self._take(wait_s)

    def finish(self) -> bytes:
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        self._reader.join()
        if self._process.wait() != 0:
            raise self._failed()
        return self._take(0.0)

    def close(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._reader.join()  # it sees the end of ffmpeg's output, then stops
        for pipe in (self._process.stdin, self._process.stdout, self._process.stderr):
            try:
                pipe.close()
            except OSError:  # unflushed input to a process that is gone
                pass

    def _read(self) -> None:
        for block in iter(lambda: self._process.stdout.read1(1 << 16), b""):
            with self._ready:
                self._output += block
                self._ready.notify_all()

    def _take(self, wait_s: float) -> bytes:
        """What ffmpeg has written: waits up to `wait_s` for output, then until it goes quiet."""
        with self._ready:
            if not self._output:
                self._ready.wait(wait_s)
            if self._output:
                while self._ready.wait(_QUIET_S):
                    pass
            data = bytes(self._output)
            self._output.clear()
        return data

    def _failed(self) -> EncoderError:
        self._process.wait()
        message = self._process.stderr.read().decode(errors="replace")[-300:]
        return EncoderError(
            f"ffmpeg could not encode {self.response_format} (exit {self._process.returncode}): {message}")


def stream_encoder(response_format: str) -> StreamEncoder:
    if response_format == "wav":
        return WavStream()
    if response_format == "pcm":
        return StreamEncoder()
    return FfmpegStream(response_format)


def _ffmpeg(response_format: str) -> list[str]:
    return [*_FFMPEG_IN, *_FFMPEG_OUT[response_format], "-flush_packets", "1", "pipe:1"]


def _no_ffmpeg(response_format: str) -> EncoderError:
    return EncoderError(f"{response_format} needs ffmpeg, which is not installed on this server; "
                        f"ask for wav, flac or pcm, or install ffmpeg.")
