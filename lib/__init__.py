"""memberlens core: everything but the pages (see README "Layout")."""

import ctypes
import ctypes.util
import sys

# numpy takes each array from the C library's malloc. With glibc's defaults an array of a few MB
# is a fresh mmap (or heap that is trimmed back as soon as it is freed), so every temporary of a
# likelihood over 504k summary rows is page-faulted in again on each evaluation: 92 ms of a
# BG/NBD likelihood's 100 ms. Keeping freed memory up to KEEP_FREED_BYTES for reuse takes it to
# 31 ms (a 10M-line fit 6.7 -> 2.7 s), bit for bit the same numbers. DuckDB and polars bring
# their own allocators and are not affected. Linux with glibc only; elsewhere nothing changes.
ARRAYS_FROM_HEAP_BELOW = 32 << 20   # M_MMAP_THRESHOLD: glibc's own ceiling for it
KEEP_FREED_BYTES = 256 << 20        # M_TRIM_THRESHOLD


def _keep_freed_arrays() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries: no mallopt to tune
        return
    mallopt(-3, ARRAYS_FROM_HEAP_BELOW)  # M_MMAP_THRESHOLD
    mallopt(-1, KEEP_FREED_BYTES)        # M_TRIM_THRESHOLD


_keep_freed_arrays()
