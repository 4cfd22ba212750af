"""Giving freed memory back to the system once a long job is over, and keeping less of it meanwhile.

A forward pass over 510 tokens allocates a GB or more of activations. glibc's allocator
keeps much of what is freed for reuse, so without this a process would sit at the size of
its longest pass ever. Trimming after a stream (not after every pass, which would make the
next pass fault its pages in again) keeps the idle footprint at the models' own size.

A server runs passes on whichever request thread gets there, and glibc gives each thread that
allocates while another does its own arena (up to 8 per core), where that pass's freed
activations then wait for a pass on the same thread. `limit_arenas` caps them (the app: two).
Measured with the load test (16 API and 4 Gradio clients): memory after the load +5–6 % of idle
(three runs) instead of +13–17 % (two runs); the peak is no different within the runs' spread
(+39–57 % against +52–60 %): it is the passes under way, which no allocator setting shrinks.
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
