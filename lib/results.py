"""Slow analysis results kept on disk beside the workspace, so that a view computed once opens at
once in a new session and after the app restarts (at 10M order lines the Lifecycle page's stage
mix takes ~27 s and the 5W1H page's fit ~8 s; read back they take well under a second).

A result is written when it took at least KEEP_AFTER_SECONDS to compute, into
`<workspace>.results/<dataset id>-<version>-<digest>.result`. The digest covers the dataset's
identity (id, creation time, version, last change), the analysis, its arguments, the code of
lib/ and the versions of Python and the computing packages: a re-import, a deleted and re-created
dataset or an upgraded memberlens, DuckDB or scipy never reads an old result.

No member list outlives its data: an import, a rename or a delete removes the dataset's results
once it has committed (`forget_dataset`), a result is only written while its dataset is still at
the version it was computed on (checked before and again after the file is in place, so one
computed before a change that commits meanwhile does not stay), and each write sweeps the
results of datasets no longer in the workspace. Past MAX_BYTES (MEMBERLENS_RESULTS_MAX_BYTES;
0 turns this off) the least recently read go.

The folder is trusted no further than the workspace file itself:
- each file is signed (HMAC-SHA256) with a key kept inside the workspace (`Store.results_key`),
  over its own name and content, and nothing is unpickled before the signature checks: a file
  planted, swapped, renamed or edited by someone who cannot write the workspace is never read;
- even then it is read through an unpickler that builds only frames, dates and our result
  dataclasses (no numpy: none of our results holds its objects);
- the folder is opened once per use, without following a link, must be ours and is made private
  (mode 700) if it is not; every file operation is relative to that open folder (a folder
  swapped for a link meanwhile is not followed); only regular files are read or removed, opened
  without following links and without blocking (a FIFO is skipped), none larger than the cap;
- any failure in here (polars' panics included, which are not `Exception`s) means "not kept":
  the result is computed (again), and the page never sees the error.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import io
import os
import pickle
import re
import secrets
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lib.store import Dataset, Store

KEEP_AFTER_SECONDS = 0.5
MAX_BYTES_ENV = "MEMBERLENS_RESULTS_MAX_BYTES"
MAX_BYTES = 4 << 30
_LARGEST = 1 << 40  # a setting above this is taken as this (no read ever asks for more)
SUFFIX = ".result"
PART_SUFFIX = ".part"
PART_SECONDS = 3600  # a part this old belongs to a write that was killed (one being written is younger)
MAGIC = b"memberlens-result-1\n"
SIGNATURE_BYTES = 32
LIB = Path(__file__).resolve().parent
PACKAGES = ("duckdb", "polars", "pyarrow", "numpy", "scipy")
# Our own file names only: "<dataset id>-<version>-<32 hex>.result", and its parts being written.
_RESULT_NAME = re.compile(r"([0-9]+)-([0-9]+)-[0-9a-f]{32}" + re.escape(SUFFIX))
_PART_NAME = re.compile(_RESULT_NAME.pattern + r"\.[0-9a-f]{12}" + re.escape(PART_SUFFIX))
_NOT_OURS_TO_CATCH = (KeyboardInterrupt, SystemExit)


def folder(workspace: Path) -> Path:
    """Where a workspace's results are kept: beside the workspace file (its real path, so one
    workspace reached through a link has one folder)."""
    workspace = workspace.resolve()
    return workspace.with_name(workspace.name + ".results")


def max_bytes() -> int:
    try:
        return max(0, min(int(os.environ.get(MAX_BYTES_ENV, MAX_BYTES)), _LARGEST))
    except ValueError:
        return MAX_BYTES


def code_digest() -> str:
    """A digest of every source file of lib/ and of the versions of Python and the packages that
    compute: results of another memberlens, or of another DuckDB, polars, numpy or scipy, are
    never read. An edited lib/ counts at once: the digest is computed again whenever a file's
    name, size or modification time differs (a stat per file, not a read of each on every call).
    Hidden files and anything but regular files (an editor's lock link) are not code."""
    files = []
    for path in sorted(LIB.rglob("*.py")):
        with suppress(OSError):
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and not any(part.startswith(".") for part in path.relative_to(LIB).parts):
                files.append((str(path), info.st_size, info.st_mtime_ns))
    return _digest(tuple(files))


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


def _quietly(action: Callable[[], Any]) -> Any:
    """action(), or None when it fails in any way but an interrupt: nothing in here may reach a page."""
    try:
        return action()
    except _NOT_OURS_TO_CATCH:
        raise
    except BaseException:  # noqa: BLE001 - a full disk, a panic in a reader: the result is computed
        return None


def read_or_compute(store: Store, ds: Dataset, qualname: str, args: tuple, kwargs: tuple,
                    compute: Callable[[], Any]) -> Any:
    """The result read back from disk, else `compute()` (written when it took long enough)."""
    limit = max_bytes()
    key = _quietly(store.results_key) if limit > 0 else None
    name = _quietly(lambda: file_name(ds, qualname, args, kwargs)) if key else None
    if name is None:  # nothing kept (a limit of 0, a workspace without a key) or no name for it
        return compute()
    with _opened(store.path) as where:
        if where is None:
            return compute()
        found = _quietly(lambda: where.read(name, key, limit))
        if found is not None:
            return found[0]
        started = time.perf_counter()
        result = compute()
    if time.perf_counter() - started >= KEEP_AFTER_SECONDS:
        if WRITE_IN_BACKGROUND:  # the page goes on drawing while its results are written
            writer = threading.Thread(target=_keep, args=(store, ds, name, result, key, limit),
                                      name="memberlens-keep-result", daemon=True)
            with _writers_lock:
                _writers[:] = [w for w in _writers if w.is_alive()] + [writer]
            writer.start()
        else:
            _keep(store, ds, name, result, key, limit)
    return result


# Results are pickled and written by a thread of their own (at 10M lines a page's member frames
# are 100–200 MB: writing them in the page's own run added up to 3 s to its first draw).
WRITE_IN_BACKGROUND = True
_writers: list[threading.Thread] = []
_writers_lock = threading.Lock()


def _keep(store: Store, ds: Dataset, name: str, result: Any, key: bytes, limit: int) -> None:
    with _opened(store.path) as where:
        if where is not None:
            _quietly(lambda: where.keep(store, ds, name, result, key, limit))


def wait_for_writes(timeout: float | None = None) -> None:
    """Wait until the results being written are on disk (tests and benchmarks, before they look)."""
    with _writers_lock:
        writers = list(_writers)
    for writer in writers:
        writer.join(timeout)


class _Folder:
    """The results folder, opened: every operation is relative to its descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def names(self, pattern: re.Pattern[str]) -> Iterator[tuple[str, os.stat_result]]:
        """Our regular files named by `pattern`, with their stat (links and anything else skipped)."""
        for name in os.listdir(self.fd):
            if pattern.fullmatch(name):
                with suppress(OSError):
                    info = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        yield name, info

    def remove(self, name: str) -> None:
        """Remove `name` when it is one of our regular files (never through a link)."""
        with suppress(OSError):
            if (_RESULT_NAME.fullmatch(name) or _PART_NAME.fullmatch(name)) and \
                    stat.S_ISREG(os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mode):
                os.unlink(name, dir_fd=self.fd)

    def read(self, name: str, key: bytes, limit: int) -> tuple[Any] | None:
        """(result,) when `name` holds a result signed with `key`; None otherwise. A regular file
        that is not a good result is removed; a file that cannot be read now (no memory, an I/O
        error) is left for next time."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=self.fd)
        except OSError:  # missing, a link (ELOOP), unreadable
            return None
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None  # a FIFO or device, or too large: left alone, never read
            data = fh.read(info.st_size)
        head = len(MAGIC) + SIGNATURE_BYTES
        signature, payload = data[len(MAGIC):head], data[head:]
        if not data.startswith(MAGIC) or not hmac.compare_digest(signature, _sign(key, name, payload)):
            self.remove(name)  # unsigned, truncated, planted, of another workspace or view
            return None
        try:
            result = (_SafeUnpickler(io.BytesIO(payload)).load(),)
        except _NOT_OURS_TO_CATCH:
            raise
        except BaseException:  # noqa: BLE001 - signed but unreadable (a type not allowed): computed again
            self.remove(name)
            return None
        with suppress(OSError):
            os.utime(name, dir_fd=self.fd, follow_symlinks=False)  # recently read
        return result

    def keep(self, store: Store, ds: Dataset, name: str, result: Any, key: bytes, limit: int) -> None:
        """Write `result` under `name` while `ds` is still current, then trim the folder."""
        if not _current(store, ds):
            return  # changed or deleted while this was computed: its numbers are not to be kept
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        if len(payload) + len(MAGIC) + SIGNATURE_BYTES > limit:
            return
        # Written beside, then renamed: a reader sees the whole file or none; a failed write leaves no part.
        part = f"{name}.{secrets.token_hex(6)}{PART_SUFFIX}"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + _sign(key, name, payload) + payload)
            os.replace(part, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            with suppress(OSError):
                os.unlink(part, dir_fd=self.fd)
            raise
        if not _current(store, ds):  # a change committed (and cleaned up) while this was written
            self.remove(name)
        self.trim(limit, _dataset_versions(store))

    def trim(self, limit: int, live: dict[int, int]) -> None:
        """Remove results of datasets gone (or of their older versions; `live`: id -> version),
        parts left by a write that was killed, then the least recently read results until the
        folder holds at most `limit` bytes."""
        now, kept = time.time(), []
        for name, info in list(self.names(_PART_NAME)):
            if now - info.st_mtime > PART_SECONDS:
                self.remove(name)
        for name, info in list(self.names(_RESULT_NAME)):
            dataset, version = (int(g) for g in _RESULT_NAME.fullmatch(name).groups())
            if dataset not in live or version < live[dataset]:
                self.remove(name)
            else:
                kept.append((info.st_mtime, info.st_size, name))
        total = sum(size for _, size, _ in kept)
        for _, size, name in sorted(kept):
            if total <= limit:
                break
            self.remove(name)
            total -= size

    def forget(self, dataset_id: int | None) -> None:
        """Remove the results and parts of one dataset (None: of every dataset)."""
        for pattern in (_RESULT_NAME, _PART_NAME):
            for name, _ in list(self.names(pattern)):
                if dataset_id is None or name.startswith(f"{dataset_id}-"):
                    self.remove(name)


@contextmanager
def _opened(workspace: Path, create: bool = True) -> Iterator[_Folder | None]:
    """The results folder opened, when it is a real folder of ours (made if missing; made private
    if it is not); None when it is anything else — a link, a file, someone else's — or cannot be
    opened."""
    fd = _quietly(lambda: _open_folder(workspace, create))
    try:
        yield _Folder(fd) if fd is not None else None
    finally:
        if fd is not None:
            os.close(fd)


def _open_folder(workspace: Path, create: bool) -> int | None:
    where = folder(workspace)
    if create:
        with suppress(FileExistsError):
            where.mkdir(mode=0o700)
    fd = os.open(where, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if info.st_uid != os.getuid():
            raise PermissionError(f"{where} belongs to another user")
        if info.st_mode & 0o077:  # ours but open to others (made by an earlier version, or by hand)
            os.fchmod(fd, 0o700)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _sign(key: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()


def _dataset_versions(store: Store) -> dict[int, int]:
    return dict(store.query("SELECT id, version FROM datasets").iter_rows())


def _current(store: Store, ds: Dataset) -> bool:
    """Whether `ds` is still the dataset as it is in the workspace (same creation, version, change)."""
    rows = store.query("SELECT created_at, version, updated_at FROM datasets WHERE id = ?", [ds.id])
    return rows.height == 1 and rows.row(0) == (ds.created_at, ds.version, ds.updated_at)


def forget_dataset(workspace: Path, dataset_id: int) -> None:
    """Remove a dataset's kept results, after an import, rename or delete has committed: none of
    its old numbers (member lists among them) stays on disk. Never raises: the change is done."""
    with _opened(workspace, create=False) as where:
        if where is not None:
            _quietly(lambda: where.forget(dataset_id))


def forget(workspace: Path) -> None:
    """Remove every result kept for this workspace (tests and benchmarks start cold with it)."""
    with _opened(workspace, create=False) as where:
        if where is not None:
            _quietly(lambda: where.forget(None))


# What a kept result may be built from: our own classes (frozen dataclasses of results), frames,
# dates and decimals. Only ever applied to a file whose signature checked (see the module
# docstring): a second line of defence. numpy is left out on purpose: a crafted dtype and scalar
# can crash the interpreter, and our results hold none of its objects (tests/test_results.py
# reads back every result the pages keep).
_ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timedelta"), ("decimal", "Decimal"),
            ("polars.dataframe.frame", "DataFrame"), ("polars.series.series", "Series"),
            ("lib.filters", "MemberSet")}  # a segment in a spec: its key and member ids


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module.startswith("lib.") and "." not in name:  # a dotted name would reach into other packages
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found) and found.__module__ == module:
                return found  # a result class of ours: fields only
        raise pickle.UnpicklingError(f"{module}.{name} is not a result type")
