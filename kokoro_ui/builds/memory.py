"""Giving freed memory back to the system once a long job is over, and keeping less of it meanwhile.

A forward pass over 510 tokens allocates a GB or more of activations. glibc's allocator
keeps much of what is freed for reuse, so without this a process would sit at the size of
its longest pass ever. Trimming after a stream (not after every pass, which would make the
next pass fault its pages in again) keeps the idle footprint at the models' own size.

A server runs passes on whichever request thread gets there, and glibc gives each thread that
allocates while another does its own arena (up to 8 per core), where that pass's freed
activations then wait for a pass on the same thread. `limit_arenas` caps them (the app: two).
Measured with the load test (16 API and 4 Gradio clients): memory after the load +5–6 % of idle
(three runs) instead of +13–17 % (two runs).

The activations themselves go in transparent huge pages: the package sets PyTorch's
``THP_MEM_ALLOC_ENABLE`` (`kokoro_ui/__init__.py`), so each tensor of 2 MB or more is
``madvise``d as huge and faults in 2 MB at a time instead of 4 kB. Measured, both releases
loaded, two runs each, alternated: paragraph RTF 0.526–0.529 (v1.0) and 0.522–0.528 (v0.19)
against 0.56–0.60 and 0.60–0.62 without; one 450-token pass 13.6–14.9 s against 16.8–18.3 s;
the peak over those runs +755–765 MB above idle against +1,536–1,807 MB. Also tried, and
slower: a fixed glibc mmap threshold of 1 or 4 MB (each large tensor its own mapping, returned
at once): peak +513/+563 MB, but paragraph RTF 0.61–0.66, every mapping zeroed anew.
"""

import ctypes
import ctypes.util

_libc_name = ctypes.util.find_library("c")
_libc = ctypes.CDLL(_libc_name) if _libc_name else None
_malloc_trim = getattr(_libc, "malloc_trim", None)
_mallopt = getattr(_libc, "mallopt", None)
_M_ARENA_MAX = -8  # glibc's malloc.h


def return_freed_memory() -> None:
    """Ask glibc to release its free heap pages (a no-op with another C library)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def limit_arenas(count: int) -> None:
    """Let at most `count` glibc arenas hold the process's memory; call before threads start."""
    if _mallopt is not None:
        _mallopt(_M_ARENA_MAX, count)
