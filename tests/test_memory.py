"""glibc's arenas are capped as asked: memory freed by one request thread is reused by the next.

Each case runs in a fresh interpreter, since the cap only governs arenas made after it is set.
"""

import subprocess
import sys

import pytest

_COUNT_ARENAS = """
import ctypes, os, sys, tempfile, threading
from kokoro_ui.engine.memory import limit_arenas
if sys.argv[1] != "none":
    limit_arenas(int(sys.argv[1]))
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = libc.fdopen.restype = ctypes.c_void_p
libc.free.argtypes = libc.fclose.argtypes = [ctypes.c_void_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
start = threading.Barrier(8)
def allocate():
    start.wait()  # all at once, so that each would get an arena of its own
    blocks = [libc.malloc(4096) for _ in range(2000)]
    start.wait()
    for block in blocks:
        libc.free(block)
threads = [threading.Thread(target=allocate) for _ in range(8)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
with tempfile.TemporaryFile("w+b") as report:
    stream = libc.fdopen(os.dup(report.fileno()), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    report.seek(0)
    print(report.read().count(b"<heap nr="))
"""


def _arenas(limit: str) -> int:
    result = subprocess.run([sys.executable, "-c", _COUNT_ARENAS, limit], capture_output=True, text=True, check=True)
    return int(result.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_limit_arenas_caps_the_arenas_threads_allocate_from():
    assert _arenas("none") > 2  # without the cap, threads allocating at once get arenas of their own
    assert _arenas("2") == 2
