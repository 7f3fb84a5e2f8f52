"""memberlens core: everything but the pages (see README "Layout")."""

import ctypes
import functools
import os

# numpy takes each array from the C library's malloc. With glibc's defaults an array of a few MB
# is a fresh mmap (or heap that is trimmed back as soon as it is freed), so every temporary of a
# likelihood over 504k summary rows is page-faulted in again on each evaluation: 92 ms of a
# BG/NBD likelihood's 100 ms. Keeping freed memory up to KEEP_FREED_BYTES for reuse takes it to
# 31 ms (a 10M-line fit 6.7 -> 2.7 s), bit for bit the same numbers. The price: each of the
# process's malloc arenas (one per busy thread) may hold up to that much freed memory. DuckDB
# and polars bring their own allocators and are not affected.
ARRAYS_FROM_HEAP_BELOW = 32 << 20   # M_MMAP_THRESHOLD: glibc's own ceiling for it
KEEP_FREED_BYTES = 256 << 20        # M_TRIM_THRESHOLD


@functools.cache
def keep_freed_arrays() -> None:
    """Tune glibc's malloc as above, once per process, from its entry points (the app, the command
    line, the benchmarks) rather than on import. Nothing changes off glibc or when the user set
    MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ themselves."""
    if any(name in os.environ for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")):
        return
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, ValueError):  # not glibc (macOS, Windows, musl)
        return
    mallopt(-3, ARRAYS_FROM_HEAP_BELOW)  # M_MMAP_THRESHOLD
    mallopt(-1, KEEP_FREED_BYTES)        # M_TRIM_THRESHOLD
