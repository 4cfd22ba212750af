"""The process's memory settings hold: glibc's arenas are capped as asked, and large tensors
are in transparent huge pages.

Each case runs in a fresh interpreter: the cap governs only arenas made after it is set, and
PyTorch reads its huge-page setting once, at its first allocation.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

_COUNT_ARENAS = """
import ctypes, os, sys, tempfile, threading
from kokoro_ui.builds.memory import limit_arenas
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



_HUGE_PAGES_OF_A_TENSOR = """
import kokoro_ui.manager  # the whole stack, torch included, imported as the app imports it
import torch
tensor = torch.ones(4 << 20)  # 16 MB, written
address = tensor.data_ptr()
inside = False
for line in open("/proc/self/smaps"):
    name = line.split()[0]
    if not name.endswith(":"):  # a mapping's header: "low-high perms ..."
        low, high = (int(bound, 16) for bound in name.split("-"))
        inside = low <= address < high
    elif inside and name == "AnonHugePages:":
        print(int(line.split()[1]))
"""
_THP_MODE = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _huge_kb(env: dict) -> int:
    result = subprocess.run([sys.executable, "-c", _HUGE_PAGES_OF_A_TENSOR], capture_output=True, text=True,
                            check=True, env=env)
    return int(result.stdout)


@pytest.mark.skipif(not _THP_MODE.exists() or "[madvise]" not in _THP_MODE.read_text(),
                    reason="huge pages only where a process asks for them (the kernel's 'madvise' mode)")
def test_large_tensors_are_in_huge_pages_unless_turned_off():
    env = {key: value for key, value in os.environ.items() if key != "THP_MEM_ALLOC_ENABLE"}
    assert _huge_kb(env) >= 8 << 10  # importing kokoro_ui asked PyTorch for huge pages in time
    assert _huge_kb({**env, "THP_MEM_ALLOC_ENABLE": "0"}) == 0  # a deployment can say no
