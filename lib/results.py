"""Slow analysis results kept on disk beside the workspace, so that a view computed once opens at
once in a new session and after the app restarts (at 10M order lines the Lifecycle page's stage
mix takes ~27 s and the 5W1H page's fit ~8 s; read back they take well under a second).

A result is written when it took at least KEEP_AFTER_SECONDS to compute, into
`<workspace>.results/<dataset id>-<version>-<digest>.result`. The digest covers the dataset's
identity (id, creation time, version, last change), the analysis, its arguments, the code of
lib/ and the versions of Python and the computing packages: a re-import, a deleted and re-created
dataset or an upgraded memberlens, DuckDB or scipy never reads an old result. An import, a rename
or a delete removes the dataset's results once it has committed (`forget_dataset`: no member list
outlives its data); past MAX_BYTES (MEMBERLENS_RESULTS_MAX_BYTES; 0 turns this off) the least
recently used go.

The folder is trusted no further than the workspace file itself:
- each file is signed (HMAC-SHA256) with a key kept inside the workspace (`Store.results_key`),
  over its own name and content, and nothing is unpickled before the signature checks: a file
  planted, swapped or edited by someone who cannot write the workspace is never read;
- even then it is read through an unpickler that builds only frames, dates and our result
  dataclasses;
- only regular files are read or removed, opened without following links and without
  blocking (a FIFO, a symlink or a folder swapped for a link is skipped), and a file larger than
  the cap is not read;
- any failure while reading (polars' panics included, which are not `Exception`s) means "not
  kept": the result is computed again, and the page never sees the error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import io
import os
import pickle
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lib.store import Dataset, Store

KEEP_AFTER_SECONDS = 0.5
MAX_BYTES_ENV = "MEMBERLENS_RESULTS_MAX_BYTES"
MAX_BYTES = 4 << 30
SUFFIX = ".result"
PART_SUFFIX = ".part"
PART_SECONDS = 3600
MAGIC = b"memberlens-result-1\n"
SIGNATURE_BYTES = 32
LIB = Path(__file__).resolve().parent
PACKAGES = ("duckdb", "polars", "pyarrow", "numpy", "scipy")
# Our own file names only: "<dataset id>-<version>-<32 hex>.result" (and the parts being written).
_RESULT_NAME = re.compile(r"[0-9]+-[0-9]+-[0-9a-f]{32}\.result")
_PART_NAME = re.compile(r"[0-9]+-[0-9]+-[0-9a-f]{32}\.result\.[A-Za-z0-9_]+\.part")


def folder(workspace: Path) -> Path:
    """Where a workspace's results are kept: beside the workspace file."""
    return workspace.with_name(workspace.name + ".results")


def max_bytes() -> int:
    try:
        return int(os.environ.get(MAX_BYTES_ENV, MAX_BYTES))
    except ValueError:
        return MAX_BYTES


def code_digest() -> str:
    """A digest of every source file of lib/ and of the versions of Python and the packages that
    compute: results of another memberlens, or of another DuckDB, polars, numpy or scipy, are
    never read. An edited lib/ counts at once: the digest is computed again whenever a file's
    name, size or change time differs (a stat per file, not a read of each on every call)."""
    return _digest(tuple((str(p), *_stamp(p)) for p in sorted(LIB.rglob("*.py"))))


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=4)
def _digest(files: tuple) -> str:
    digest = hashlib.sha256(repr((sys.version, [_version(p) for p in PACKAGES])).encode())
    for name, *_ in files:
        path = Path(name)
        digest.update(str(path.relative_to(LIB)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def file_name(ds: Dataset, qualname: str, args: tuple, kwargs: tuple) -> str:
    """The name this result is kept under. Arguments are frozen dataclasses, dates, numbers and
    text, whose repr is their value."""
    identity = repr((code_digest(), ds.id, ds.created_at, ds.version, ds.updated_at, qualname, args, kwargs))
    return f"{ds.id}-{ds.version}-{hashlib.sha256(identity.encode()).hexdigest()[:32]}{SUFFIX}"


def kept(store: Store, ds: Dataset, qualname: str, args: tuple, kwargs: tuple, compute: Callable[[], Any]) -> Any:
    """The result read back from disk, else `compute()` (written when it took long enough)."""
    limit, key = max_bytes(), store.results_key()
    where = _own_folder(store.path) if limit > 0 and key else None
    if where is None:
        return compute()
    name = file_name(ds, qualname, args, kwargs)
    found = _read(where, name, key, limit)
    if found is not None:
        return found[0]
    started = time.perf_counter()
    result = compute()
    if time.perf_counter() - started >= KEEP_AFTER_SECONDS:
        with contextlib.suppress(Exception):  # a full or read-only disk, a result pickle cannot hold: still shown
            _write(where, name, result, key, ds, limit)
    return result


def _own_folder(workspace: Path, create: bool = True) -> Path | None:
    """The results folder when it is a real folder of ours (made if missing, private to us);
    None when it is anything else — a link, a file, someone else's — or cannot be made."""
    where = folder(workspace)
    try:
        if create:
            with contextlib.suppress(FileExistsError):
                where.mkdir(mode=0o700)
        info = os.lstat(where)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return None
    return where


def _sign(key: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()


def _read(where: Path, name: str, key: bytes, limit: int) -> tuple[Any] | None:
    """(result,) when `name` holds a result signed with `key`; None otherwise (then a file that
    is there but not a good result is removed, when it is a regular file)."""
    path = where / name
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # missing, a symlink (ELOOP), unreadable
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None  # a FIFO or device, or too large: left alone, never read
            data = fh.read(limit + 1)
        head = len(MAGIC) + SIGNATURE_BYTES
        signature, payload = data[len(MAGIC):head], data[head:]
        if not data.startswith(MAGIC) or not hmac.compare_digest(signature, _sign(key, name, payload)):
            raise ValueError("not a result of this workspace")
        result = (_SafeUnpickler(io.BytesIO(payload)).load(),)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - unsigned, truncated, planted, a panic in a reader: computed again
        _remove(where, name)
        return None
    with contextlib.suppress(OSError):
        os.utime(path, follow_symlinks=False)  # recently used
    return result


def _write(where: Path, name: str, result: Any, key: bytes, ds: Dataset, limit: int) -> None:
    payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    if len(payload) + len(MAGIC) + SIGNATURE_BYTES > limit:
        return
    for other in _files(where, _RESULT_NAME):  # this dataset's older versions
        if other.name.startswith(f"{ds.id}-") and not other.name.startswith(f"{ds.id}-{ds.version}-"):
            _remove(where, other.name)
    # Written beside, then renamed: a reader sees the whole file or none; a failed write leaves no part.
    fd, part = tempfile.mkstemp(dir=where, prefix=name + ".", suffix=PART_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + _sign(key, name, payload) + payload)
        os.replace(part, where / name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise
    _trim(where, limit)


def _files(where: Path, pattern: re.Pattern[str]) -> Iterator[os.DirEntry[str]]:
    """The regular files of `where` named by `pattern` (links and anything else are skipped)."""
    with os.scandir(where) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    yield entry


def _remove(where: Path, name: str) -> None:
    """Remove `name` from `where` when it is one of our regular files (never through a link)."""
    with contextlib.suppress(OSError):
        if (_RESULT_NAME.fullmatch(name) or _PART_NAME.fullmatch(name)) and \
                stat.S_ISREG(os.lstat(where / name).st_mode):
            os.unlink(where / name)


def _trim(where: Path, limit: int) -> None:
    """Remove the least recently used results until the folder holds at most `limit` bytes, and
    parts left by a write that was killed (older than PART_SECONDS: not one still being written)."""
    now, files = time.time(), []
    for entry in _files(where, _PART_NAME):
        with contextlib.suppress(OSError):
            if now - entry.stat(follow_symlinks=False).st_mtime > PART_SECONDS:
                _remove(where, entry.name)
    for entry in _files(where, _RESULT_NAME):
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            files.append((info.st_mtime, info.st_size, entry.name))
    total = sum(size for _, size, _ in files)
    for _, size, name in sorted(files):
        if total <= limit:
            break
        _remove(where, name)
        total -= size


def forget_dataset(workspace: Path, dataset_id: int) -> None:
    """Remove a dataset's kept results, after an import, rename or delete has committed: none of
    its old numbers (member lists among them) stays on disk. Never raises: the change is done."""
    where = _own_folder(workspace, create=False)
    if where is None:
        return
    with contextlib.suppress(OSError):
        for entry in list(_files(where, _RESULT_NAME)):
            if entry.name.startswith(f"{dataset_id}-"):
                _remove(where, entry.name)


def forget(workspace: Path) -> None:
    """Remove every result kept for this workspace (tests and benchmarks start cold with it)."""
    where = _own_folder(workspace, create=False)
    if where is None:
        return
    with contextlib.suppress(OSError):
        for pattern in (_RESULT_NAME, _PART_NAME):
            for entry in list(_files(where, pattern)):
                _remove(where, entry.name)


# What a kept result may be built from: our own classes (frozen dataclasses of results), frames,
# dates and decimals; numpy's scalar and dtype appear in a frame's float statistics. Only ever
# applied to a file whose signature checked (see the module docstring): a second line of defence.
_ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timedelta"), ("decimal", "Decimal"),
            ("polars.dataframe.frame", "DataFrame"), ("polars.series.series", "Series"),
            ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module.startswith("lib.") and "." not in name:  # a dotted name would reach into other packages
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found) and found.__module__ == module:
                return found  # a result class of ours: fields only
        raise pickle.UnpicklingError(f"{module}.{name} is not a result type")
