"""Analysis results kept on disk beside the workspace, so that a view computed once opens at once
in a new session and after the app restarts (at 10M order lines the Lifecycle page's stage mix
takes ~25 s and the 5W1H page's fits ~20 s; read back they take well under a second).

A result is written when it took at least KEEP_AFTER_SECONDS to compute, into
`<workspace>.results/<dataset id>-<version>-<digest>.pickle`. The digest covers the dataset's
identity (id, creation time, version, last change), the analysis, its arguments, and the code of
lib/ itself: a re-import, a deleted and re-created dataset or an upgraded memberlens never reads
an old result. Writing a dataset's result removes that dataset's results of other versions; past
MAX_BYTES (MEMBERLENS_RESULTS_MAX_BYTES; 0 turns this off) the least recently used go.

Results are pickled (frames, our frozen dataclasses, dates, numbers) and read back through an
unpickler that only builds those types, so a planted file cannot run code. A file that cannot
be read is removed and the result computed again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from lib.store import Dataset, Store

KEEP_AFTER_SECONDS = 0.5
MAX_BYTES_ENV = "MEMBERLENS_RESULTS_MAX_BYTES"
MAX_BYTES = 4 << 30
SUFFIX = ".pickle"
PART_SECONDS = 3600
LIB = Path(__file__).resolve().parent


def folder(workspace: Path) -> Path:
    return workspace.with_name(workspace.name + ".results")


def max_bytes() -> int:
    try:
        return int(os.environ.get(MAX_BYTES_ENV, MAX_BYTES))
    except ValueError:
        return MAX_BYTES


@cache
def code_digest() -> str:
    """A digest of every source file of lib/: results of another memberlens are never read."""
    digest = hashlib.sha256()
    for path in sorted(LIB.rglob("*.py")):
        digest.update(str(path.relative_to(LIB)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def file_of(store: Store, ds: Dataset, qualname: str, args: tuple, kwargs: tuple) -> Path:
    """Where this result is kept. Arguments are frozen dataclasses, dates, numbers and text, whose
    repr is their value."""
    identity = repr((code_digest(), ds.id, ds.created_at, ds.version, ds.updated_at, qualname, args, kwargs))
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return folder(store.path) / f"{ds.id}-{ds.version}-{digest}{SUFFIX}"


def kept(store: Store, ds: Dataset, qualname: str, args: tuple, kwargs: tuple, compute: Callable[[], Any]) -> Any:
    """The result read back from disk, else `compute()` (written when it took long enough)."""
    limit = max_bytes()
    if limit <= 0:
        return compute()
    path = file_of(store, ds, qualname, args, kwargs)
    try:
        result = _SafeUnpickler(io.BytesIO(path.read_bytes())).load()
        os.utime(path)  # recently used
        return result
    except FileNotFoundError:
        pass
    except Exception:  # unreadable, another polars, a planted file: compute it again
        path.unlink(missing_ok=True)
    started = time.perf_counter()
    result = compute()
    if time.perf_counter() - started >= KEEP_AFTER_SECONDS:
        try:
            _write(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), ds, limit)
        except (OSError, pickle.PicklingError):  # a full or read-only disk: the result is still shown
            pass
    return result


def _write(path: Path, data: bytes, ds: Dataset, limit: int) -> None:
    if len(data) > limit:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    for other in path.parent.glob(f"{ds.id}-*{SUFFIX}"):  # this dataset's older versions
        if not other.name.startswith(f"{ds.id}-{ds.version}-"):
            other.unlink(missing_ok=True)
    # Written beside, then renamed: a reader sees the whole file or none.
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as part:
        part.write(data)
    os.replace(part.name, path)
    _trim(path.parent, limit)


def _trim(where: Path, limit: int) -> None:
    """Remove the least recently used results until the folder holds at most `limit` bytes, and
    parts left by a write that was killed (older than PART_SECONDS: not one still being written)."""
    for part in where.glob("*.part"):
        try:
            if time.time() - part.stat().st_mtime > PART_SECONDS:
                part.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
    files = []
    for file in where.glob(f"*{SUFFIX}"):
        try:
            stat = file.stat()
        except FileNotFoundError:  # removed by another session meanwhile
            continue
        files.append((stat.st_mtime, stat.st_size, file))
    total = sum(size for _, size, _ in files)
    for _, size, file in sorted(files):
        if total <= limit:
            break
        file.unlink(missing_ok=True)
        total -= size


def forget(workspace: Path) -> None:
    """Remove every result kept for this workspace file (tests and benchmarks start cold with it)."""
    for file in folder(workspace).glob("*"):
        file.unlink(missing_ok=True)


# What a kept result may be built from: our own classes (frozen dataclasses of results), frames,
# dates and decimals. numpy's scalar and dtype appear in a frame's float statistics.
_ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timedelta"), ("decimal", "Decimal"),
            ("polars.dataframe.frame", "DataFrame"), ("polars.series.series", "Series"),
            ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module.startswith("lib."):
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):  # a result of ours: fields only
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a result type")
