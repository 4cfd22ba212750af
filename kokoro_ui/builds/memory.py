"""Giving freed memory back to the system once a long job is over.

A forward pass over 510 tokens allocates a GB or more of activations. glibc's allocator
keeps much of what is freed for reuse, so without this a process would sit at the size of
its longest pass ever. Trimming after a stream (not after every pass, which would make the
next pass fault its pages in again) keeps the idle footprint at the models' own size.
"""

import ctypes
import ctypes.util

_libc_name = ctypes.util.find_library("c")
_malloc_trim = getattr(ctypes.CDLL(_libc_name), "malloc_trim", None) if _libc_name else None


def return_freed_memory() -> None:
    """Ask glibc to release its free heap pages (a no-op with another C library)."""
    if _malloc_trim is not None:
        _malloc_trim(0)
