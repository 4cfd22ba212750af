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

What a pass holds at its peak is its activations (~18 MB per second of speech in the decoder's
last stage) plus allocator slack. Measured here, and not made the default:
- PyTorch's own ``THP_MEM_ALLOC_ENABLE=1`` (tensors of 2 MB or more in transparent huge pages):
  a stream's peak about half, PyTorch passes over whole paragraphs 22 % faster (RTF 0.56 against
  0.72), the default fast-first path ~6 % (0.53 against 0.57); ONNX Runtime's arena gains nothing
  from it, so `onnx` and `onnx-int8` lose their lead (0.92x and 0.79x torch's paragraph RTF
  against 0.70x and 0.54x in the same pair of runs); the load test's peak is no different (+43 to
  +89 % against +39 to +59 %). A PyTorch-only deployment with long texts may set it.
- A fixed glibc mmap threshold of 1 or 4 MB (each large tensor its own mapping, returned at
  once): lower peaks, but every mapping is zeroed anew: paragraph RTF +15–25 %.
- jemalloc (``LD_PRELOAD``): a pass's peak no more than its live activations, but passes of
  100–450 tokens 15–47 % slower (with its ``thp:always``, as fast as glibc, but only as a library
  preloaded before the interpreter starts).
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
