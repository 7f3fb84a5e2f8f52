"""The workspace: one DuckDB file holding named datasets.

Path: the environment variable MEMBERLENS_DB, default `data/memberlens.duckdb`.

Layout inside the file
- `meta(key, value)`: `schema_version`, so later releases can migrate the file, and
  `results_key`, which signs the results kept beside the file (lib/results.py).
- `datasets(id, name, schema_name, version, created_at, updated_at)`: the catalog. A dataset's
  tables live in its own schema `ds_<id>`; the schema name is generated, never taken from the
  user, so dataset names only ever travel as bound parameters.
- per dataset: the contract's tables `order_lines`, `members_source` (as loaded from members
  files), `nps`, `spend`, and the derived `orders` (one row per member + order) and `members`
  (every known member, members-file attributes first, else the latest values repeated on
  order lines). `version` grows with every change, so caches can key on (dataset, version).

Threads: Streamlit runs each session in its own thread. Every query gets its own cursor, and
writes are serialised by one lock, so a reader never sees half a change (DuckDB transactions).

Processes: DuckDB lets one process write a file, or any number read it. The app opens its store
`shared`: it holds the file read-only and reopens it for writing only while it saves (an import, a
rename, a delete), so `python -m lib report` runs beside the open dashboard. A process that finds
the file taken waits for it (MEMBERLENS_LOCK_WAIT seconds) before saying who holds it.
"""

from __future__ import annotations

import os
import atexit
import math
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from lib.contract import FIELDS, SQL_TYPES, Kind
from lib.currency import check as currency_code

# 2: orders.nth and orders.first_date; 3: a line without an order id names its order 'L' + line_id +
# a no-break space (lib/merge.py BARE_ORDER_ID); 4: datasets.currency; 5: saved segments (the
# segments and segment_members tables, lib/segments.py). An older workspace is upgraded when opened.
SCHEMA_VERSION = 5
DEFAULT_DB = Path("data/memberlens.duckdb")
DB_ENV = "MEMBERLENS_DB"
# DuckDB's memory limit (its default: 80 % of the machine) and the folder it spills big sorts and
# joins to (beside the workspace file), both overridable. The default limit is kept on purpose: on
# the 10M-line demo a lower one made the lifecycle summary slower without using less memory (4.2 s
# and 1.0 GB peak at 19 GB; 9.2 s and 1.9 GB at 12 GB; 22 s at 4 GB) — memory is bounded by
# making the queries lean (issue 14), not by starving them.
MEMORY_ENV = "MEMBERLENS_MEMORY_LIMIT"   # e.g. "6GB"
TEMP_ENV = "MEMBERLENS_TEMP_DIR"
# A connection that can write (an import, in the app only while it saves) works in at most this
# much unless MEMORY_ENV says otherwise: an import's memory is capped, its staging having its own
# cap (lib/ingest.py STAGING_MEMORY). Re-importing 10M lines peaked at 7.4 GB in 55 s with DuckDB's
# default and at 4.5 GB in 74 s with 2 GB here: a laptop's memory is worth the spilling.
WRITING_MEMORY_ENV = "MEMBERLENS_IMPORT_MEMORY_LIMIT"
WRITING_MEMORY = "2GB"
# How long opening a workspace another process holds waits for it (seconds): the app's saves are
# short and a report ends, but a writer that never lets go must be named, not waited on forever.
LOCK_WAIT_ENV = "MEMBERLENS_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 60.0
MAX_NAME_LENGTH = 80
_DATASET_COLUMNS = "id, name, schema_name, version, created_at, updated_at, currency"


class StoreError(Exception):
    """A problem the user can act on; its message is one line, shown as is."""


class OlderSchema(StoreError):
    """A workspace made by an earlier version, opened read-only: open it once for writing to upgrade."""


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def duckdb_settings(path: Path, writing: bool = False) -> dict[str, str]:
    """The settings of a workspace's connection: the spill folder beside the workspace file
    (MEMBERLENS_TEMP_DIR wins) and DuckDB's memory limit: MEMBERLENS_MEMORY_LIMIT when set, else,
    for a connection that can write, MEMBERLENS_IMPORT_MEMORY_LIMIT (2 GB), else DuckDB's own."""
    settings = {"temp_directory": os.environ.get(TEMP_ENV) or str(path.with_name(path.name + ".tmp"))}
    limit = os.environ.get(MEMORY_ENV) or (writing and (os.environ.get(WRITING_MEMORY_ENV) or WRITING_MEMORY))
    if limit:
        settings["memory_limit"] = limit
    return settings


def lock_wait() -> float:
    """MEMBERLENS_LOCK_WAIT as seconds (default 60): a number from 0 to a day."""
    text = os.environ.get(LOCK_WAIT_ENV)
    try:
        seconds = float(text) if text else DEFAULT_LOCK_WAIT
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= 86_400:  # nan, negative, inf
        raise StoreError(f"{LOCK_WAIT_ENV} takes seconds from 0 to 86400, not {text!r}")
    return seconds


def alive(pid: int) -> bool:
    """Whether process `pid` of this machine runs (another user's counts: not ours to judge)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


APP_MARK = ".app"  # <workspace>.app: "host pid" of the app that has the workspace open (Store(shared=True))


def running_app(path: Path) -> int | None:
    """The pid of another live app on this machine that has `path` open, from its mark, or None."""
    try:
        host, pid = path.with_name(path.name + APP_MARK).read_text().split()
        pid = int(pid)
    except (OSError, ValueError):
        return None
    return pid if host == socket.gethostname() and pid != os.getpid() and alive(pid) else None


def open_for_reading(path: Path, on_wait: Callable[[str], None] | None = None) -> "Store":
    """A read-only Store of `path`; a workspace of an older schema is upgraded first (opened once
    for writing), so the command line reads workspaces made by earlier versions too."""
    try:
        return Store(path, read_only=True, on_wait=on_wait)
    except StoreError as exc:
        if not isinstance(exc, OlderSchema):
            raise
    Store(path, on_wait=on_wait).close()
    return Store(path, read_only=True, on_wait=on_wait)


@dataclass(frozen=True)
class Dataset:
    id: int
    name: str
    schema: str
    version: int
    created_at: datetime
    updated_at: datetime
    currency: str | None = None  # lib.currency's code (CNY, USD …), None: amounts shown without a symbol

    def table(self, name: str) -> str:
        """Qualified name of one of this dataset's tables, for SQL text (both parts are ours)."""
        if name not in DATASET_TABLES:
            raise KeyError(name)
        return f"{self.schema}.{name}"


def _columns(kind: Kind, exclude: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{f.name} {SQL_TYPES[f.type]}" for f in FIELDS[kind] if f.name not in exclude)


# order_lines keeps every contract field (the flat export's member attributes included) plus
# line_id, the load order, which also names orders of exports without an order number.
_ORDER_LINE_COLUMNS = "line_id BIGINT, " + _columns("orders", exclude=("order_date",)) + \
    ", order_ts TIMESTAMP, order_date DATE"
_MEMBER_COLUMNS = ("member_id VARCHAR, signup_date DATE, gender VARCHAR, birth_year INTEGER, "
                   "member_tier VARCHAR, region VARCHAR, city VARCHAR, channel VARCHAR")
DATASET_TABLES: dict[str, str] = {
    "order_lines": _ORDER_LINE_COLUMNS,
    "members_source": "row_id BIGINT, " + _MEMBER_COLUMNS,
    "nps": _columns("nps"),
    "spend": _columns("spend"),
    "orders": ("member_id VARCHAR, order_id VARCHAR, order_ts TIMESTAMP, order_date DATE, "
               "net_amount DECIMAL(18,2), lines INTEGER, quantity DOUBLE, channel VARCHAR, "
               "store VARCHAR, region VARCHAR, city VARCHAR, is_purchase BOOLEAN, nth INTEGER, first_date DATE"),
    "members": _MEMBER_COLUMNS + ", in_members_file BOOLEAN, first_order_date DATE",
}
# Which table each kind of file loads into.
KIND_TABLE: dict[Kind, str] = {"orders": "order_lines", "members": "members_source", "nps": "nps",
                               "spend": "spend"}


class Store:
    """One DuckDB file. Open once per process (see `open_store` in the app) and share it."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False, shared: bool = False,
                 wait: float | None = None, on_wait: Callable[[str], None] | None = None):
        """`read_only`: never write. `shared` (the app): hold the file read-only between writes, so
        other processes can read it meanwhile (see the module's notes). `wait`: seconds to wait for
        a file another process holds (default MEMBERLENS_LOCK_WAIT); `on_wait` is told once, when
        the waiting starts."""
        self.path = Path(path) if path is not None else default_path()
        self._shared = shared
        self._wait = lock_wait() if wait is None else wait
        self._on_wait = on_wait
        self._write_lock = threading.RLock()
        # Cursors in use, and a switch of connection (shared mode) that waits for them to end.
        self._state = threading.Condition()
        self._readers = 0
        self._switching = False
        self._own = threading.local()  # .cursors: how many this thread holds; .transaction: inside one
        self._writes = 0               # nesting of writes, under _write_lock
        self._hand_back = False        # shared: reopen read-only once no cursor is in use
        self._draining = False         # … and new cursors wait meanwhile, so reads never keep it writable
        self._closed = False
        self._con: duckdb.DuckDBPyConnection | None = None
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if not read_only and not shared and (app := running_app(self.path)) is not None:
            # The running app lets go of the file for an instant at every save: a writer waiting
            # for that instant would get in and hold the app off (or out) for the whole import.
            raise StoreError(_app_has_it(self.path, f"the running app (process {app})"))
        # Shared: read-only from the start (the app starts beside a running report), written only
        # when the workspace is new or of an older schema.
        self._con = self._connect(read_only or (shared and self.path.exists()), self._wait)
        if self._foreign():
            self.close()
            raise StoreError(f"{self.path} is a DuckDB file of something else, not a memberlens workspace")
        if not read_only and (not self.held_read_only or self._needs_setup()):
            with self._writing():  # in shared mode the file is handed back (read-only) after
                self._init_schema()
                self._upgrade()
        self._check_version()
        if shared:  # the command line's writers stay out while this app runs (running_app)
            self._mark = self.path.with_name(self.path.name + APP_MARK)
            self._mark.write_text(f"{socket.gethostname()} {os.getpid()}")
            atexit.register(self._mark.unlink, missing_ok=True)  # the app's store is never closed

    def _connect(self, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting up to `wait` seconds while another process holds it."""
        deadline = time.monotonic() + wait
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only,
                                     config=duckdb_settings(self.path, writing=not read_only))
                self.held_read_only = read_only
                return con
            except (duckdb.InvalidInputException, duckdb.ParserException) as exc:  # a setting DuckDB cannot read
                raise StoreError(f"{MEMORY_ENV}, {WRITING_MEMORY_ENV} or {TEMP_ENV} is not usable: "
                                 f"{first_line(exc)}") from None
            except duckdb.IOException as exc:
                if not _held_elsewhere(exc) or time.monotonic() >= deadline:
                    raise StoreError(_explain_open_error(self.path, exc, read_only)) from None
                if self._on_wait is not None:
                    self._on_wait(f"{self.path} is held by {_holder(exc)}; waiting up to {wait:g} s for it")
                    self._on_wait = None
            except duckdb.Error as exc:
                raise StoreError(f"{self.path} is not a memberlens database: {first_line(exc)}") from None
            time.sleep(0.2)

    def _needs_setup(self) -> bool:
        """The file lacks our tables or is of an older schema: it must be opened for writing once."""
        tables = set(self.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")
                     ["table_name"])
        if not {"meta", "datasets"} <= tables:
            return True
        rows = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        return not rows.height or int(rows.item()) < SCHEMA_VERSION

    # -- connections -------------------------------------------------------------------------
    # Shared mode switches the connection (read-only <-> writable). A switch waits for the cursors
    # in use and holds off new ones; a thread already holding a cursor is never held off (the switch
    # waits for it, so it would wait for itself). Opening the file inside a switch never waits for
    # another process: that would hold off every session; waiting happens between tries.

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own for one thread or one query (DuckDB's rule for threads)."""
        held = getattr(self._own, "cursors", 0)
        if self._con is None and not held:  # handing the file back failed (a writer elsewhere): try again
            self._hand_back_when_idle()
        with self._state:
            if not held:
                self._state.wait_for(lambda: not self._switching and not self._draining)
            self._readers += 1
        self._own.cursors = held + 1
        try:
            con = self._con
            if con is None:
                raise StoreError(f"{self.path} is closed" if self._closed else
                                 f"{self.path} is being written by another process; try again when it has finished")
            with con.cursor() as cur:
                yield cur
        finally:
            self._own.cursors -= 1
            with self._state:
                self._readers -= 1
                self._state.notify_all()
            self._hand_back_when_idle()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the write lock; in shared mode the file is reopened for writing first, and handed
        back (read-only) once the outermost write has ended and no cursor is in use."""
        if self._shared and getattr(self._own, "cursors", 0):
            raise RuntimeError("a thread holding a cursor cannot write to a shared workspace "
                               "(reopening the file for writing waits for every cursor)")
        try:
            with self._write_lock:
                with self._state:
                    self._hand_back = self._draining = False
                    self._state.notify_all()
                if self._shared and self._writes == 0 and (self._con is None or self.held_read_only):
                    self._reopen_for_writing()
                self._writes += 1
                try:
                    yield
                finally:
                    self._writes -= 1
                    self._hand_back = self._shared and self._writes == 0
        finally:  # a write that failed (a name taken meanwhile) hands the file back too
            self._hand_back_when_idle()

    @contextmanager
    def _switch(self) -> Iterator[None]:
        """Hold off new cursors and wait for those in use: the connection may be replaced."""
        with self._state:
            self._state.wait_for(lambda: not self._switching)
            self._switching = True
            self._state.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._state:
                self._switching = False
                self._state.notify_all()

    def _let_go(self) -> None:
        if self._con is not None:
            self._con.close()  # DuckDB checkpoints a writable file on close: it holds every commit
            self._con = None

    def _reopen_for_writing(self) -> None:
        # Another process reading the file (a report) keeps it from us: between tries the file is
        # reopened read-only, so this process's readers carry on while the write waits.
        deadline = time.monotonic() + self._wait
        while True:
            with self._switch():
                self._let_go()
                try:
                    self._con = duckdb.connect(str(self.path), config=duckdb_settings(self.path, writing=True))
                    self.held_read_only = False
                    return
                except duckdb.Error as exc:
                    failure = exc
                try:
                    self._con = self._connect(read_only=True, wait=0)
                except StoreError:  # a writer elsewhere took the file in between: the next cursor tries again
                    self._hand_back = True
            if not _held_elsewhere(failure) or time.monotonic() >= deadline:
                raise StoreError(_explain_refused_save(self.path, failure, self._wait))
            time.sleep(0.2)

    def _hand_back_when_idle(self) -> None:
        """Shared mode, after a write (or a failed reopen): reopen the file read-only once no cursor
        is in use and no write runs, so other processes can read it again. The last cursor to end
        does it; one that finds the write lock taken leaves it to the lock's holder, which checks
        again after letting go."""
        while self._hand_back and not self._closed:
            if not self._write_lock.acquire(blocking=False):
                return
            try:
                with self._state:
                    idle = self._hand_back and not (self._writes or self._readers or self._switching)
                    if idle:
                        self._switching = True
                    elif self._hand_back and self._readers and not self._writes and not self.held_read_only:
                        # reads still running on the writable file: new ones wait, so that sessions
                        # reading without a pause cannot keep it from the other processes for ever
                        self._draining = True
                if idle:
                    try:
                        self._let_go()
                        try:
                            self._con = self._connect(read_only=True, wait=0)
                        except StoreError:  # a writer elsewhere took the file in between
                            pass  # _hand_back stays: the next cursor tries again
                        else:
                            self._hand_back = False
                    finally:
                        with self._state:
                            self._switching = self._draining = False
                            self._state.notify_all()
                    return
            finally:
                self._write_lock.release()
            with self._state:  # busy: a cursor or a write still running does it when it ends …
                if self._readers or self._writes or self._switching:
                    return
            # … unless it ended while this thread held the lock, and found the lock taken: go again

    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
        """Run one read query with bound parameters and return a polars frame."""
        with self.cursor() as cur:
            return cur.sql(sql, params=params).pl()

    @contextmanager
    def snapshot(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor whose queries all read one state of the workspace (one read transaction), for
        an analysis made of several queries: an import committing meanwhile is not seen halfway."""
        with self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            finally:
                cur.execute("ROLLBACK")  # nothing was written

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN … COMMIT; any exception rolls everything back. Not nested: a
        second one would be a transaction of its own, committed whatever the first one does, so
        code inside one passes its cursor on (`cur=`)."""
        if getattr(self._own, "transaction", False):
            raise RuntimeError("a transaction inside a transaction: pass its cursor on instead")
        with self._writing(), self.cursor() as cur:
            self._own.transaction = True
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    yield cur
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                cur.execute("COMMIT")
            finally:
                self._own.transaction = False

    def close(self) -> None:
        if getattr(self, "_mark", None) is not None:
            self._mark.unlink(missing_ok=True)
            self._mark = None
        self._closed = True
        with self._state:
            self._hand_back = self._draining = False
            self._state.notify_all()
            self._state.wait_for(lambda: self._readers == 0 or getattr(self._own, "cursors", 0))
        self._let_go()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------------

    def _init_schema(self) -> None:
        with self.transaction() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            cur.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                        [str(SCHEMA_VERSION)])
            # signs the results kept beside the workspace (lib/results.py): only this file's own are read
            cur.execute("INSERT INTO meta VALUES ('results_key', ?) ON CONFLICT DO NOTHING", [secrets.token_hex(32)])
            cur.execute("CREATE SEQUENCE IF NOT EXISTS dataset_ids START 1")
            cur.execute("""CREATE TABLE IF NOT EXISTS datasets (
                id INTEGER PRIMARY KEY, name VARCHAR UNIQUE NOT NULL, schema_name VARCHAR NOT NULL,
                version INTEGER NOT NULL, created_at TIMESTAMP NOT NULL,
                updated_at TIMESTAMP NOT NULL, currency VARCHAR)""")
            # Saved segments (lib/segments.py): a definition and the snapshot of its members. They
            # outlive their dataset (dataset_id then names none), so they are not in its schema.
            cur.execute("CREATE SEQUENCE IF NOT EXISTS segment_ids START 1")
            cur.execute("""CREATE TABLE IF NOT EXISTS segments (
                id INTEGER PRIMARY KEY, name VARCHAR UNIQUE NOT NULL, dataset_id INTEGER NOT NULL,
                dataset_name VARCHAR NOT NULL, dataset_version INTEGER NOT NULL, source VARCHAR NOT NULL,
                definition VARCHAR NOT NULL, data_end DATE, members BIGINT NOT NULL,
                saved_at TIMESTAMP NOT NULL)""")
            cur.execute("CREATE TABLE IF NOT EXISTS segment_members (segment_id INTEGER NOT NULL, "
                        "member_id VARCHAR NOT NULL)")
        self._drop_orphan_schemas()

    def _foreign(self) -> bool:
        """Tables but no memberlens catalog: another program's database, to be left alone."""
        tables = set(self.query("SELECT table_name FROM information_schema.tables "
                                "WHERE table_schema = 'main'")["table_name"])
        return bool(tables) and not {"meta", "datasets"} <= tables

    def _upgrade(self) -> None:
        """Bring a workspace of an older schema up to SCHEMA_VERSION, in one transaction (all or
        nothing, as an import). 1 → 2: orders gain nth and first_date. 2 → 3: the orders of lines
        without an order id ('L' + line_id) take the no-break space that keeps them apart from a
        real order 'L5' (an append would otherwise merge the two). Both recompute orders. 3 → 4:
        datasets gain a currency, CNY for those there (they were shown in ¥ until then). 4 → 5: the
        segment tables, made by _init_schema before this runs."""
        rows = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        found = int(rows.item()) if rows.height else SCHEMA_VERSION
        if found >= SCHEMA_VERSION:
            return
        with self.transaction() as cur:
            if found < 4:
                cur.execute("ALTER TABLE datasets ADD COLUMN currency VARCHAR")
                cur.execute("UPDATE datasets SET currency = 'CNY'")
            for ds in self.datasets(cur) if found < 3 else []:
                if found < 2:
                    cur.execute(f"ALTER TABLE {ds.table('orders')} ADD COLUMN nth INTEGER")
                    cur.execute(f"ALTER TABLE {ds.table('orders')} ADD COLUMN first_date DATE")
                cur.execute(f"UPDATE {ds.table('order_lines')} SET order_id = order_id || chr(160) "
                            f"WHERE order_id = 'L' || line_id")
                self.rebuild_derived(cur, ds, "orders")
            cur.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])

    def _check_version(self) -> None:
        rows = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        found = int(rows.item()) if rows.height else None
        if found is not None and found < SCHEMA_VERSION:
            raise OlderSchema(f"{self.path} has schema version {found}; open it once with the app (or any "
                              f"`python -m lib ingest`) to upgrade it to version {SCHEMA_VERSION}")
        if found != SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {found}; this memberlens reads "
                             f"version {SCHEMA_VERSION}")

    def _drop_orphan_schemas(self) -> None:
        # A process killed between CREATE SCHEMA and COMMIT leaves nothing (DDL is transactional);
        # this only tidies schemas whose catalog row was removed by hand.
        orphans = self.query("""
            SELECT schema_name FROM information_schema.schemata
            WHERE catalog_name = current_database() AND regexp_full_match(schema_name, 'ds_[0-9]+')
              AND schema_name NOT IN (SELECT schema_name FROM datasets)""")
        with self.transaction() as cur:
            for schema in orphans["schema_name"]:
                cur.execute(f"DROP SCHEMA {_schema_ident(schema)} CASCADE")

    # -- datasets ----------------------------------------------------------------------------

    def datasets(self, cur: duckdb.DuckDBPyConnection | None = None) -> list[Dataset]:
        """Every dataset by name; pass `cur` to look inside a transaction."""
        if cur is None:
            with self.cursor() as own:
                return self.datasets(own)
        return [Dataset(*r) for r in cur.sql(f"SELECT {_DATASET_COLUMNS} FROM datasets ORDER BY name").fetchall()]

    def find(self, name: str, cur: duckdb.DuckDBPyConnection | None = None) -> Dataset | None:
        """The dataset called `name`, or None; pass `cur` to look inside a transaction."""
        if cur is None:
            with self.cursor() as own:
                return self.find(name, own)
        rows = cur.sql(f"SELECT {_DATASET_COLUMNS} FROM datasets WHERE name = ?", params=[name]).fetchall()
        return Dataset(*rows[0]) if rows else None

    def dataset(self, name: str) -> Dataset:
        return self._existing(name)

    def _existing(self, name: str, cur: duckdb.DuckDBPyConnection | None = None) -> Dataset:
        found = self.find(name, cur)
        if found is None:
            known = ", ".join(d.name for d in self.datasets()) or "none yet"
            raise StoreError(f"no dataset named {name!r} (datasets: {known})")
        return found

    def create_dataset(self, name: str, cur: duckdb.DuckDBPyConnection | None = None) -> Dataset:
        """A new, empty dataset. Pass `cur` to create it inside a caller's transaction."""
        name = validate_name(name)
        if cur is None:
            with self.transaction() as own:
                return self.create_dataset(name, own)
        if cur.sql("SELECT 1 FROM datasets WHERE name = ?", params=[name]).fetchall():
            raise StoreError(f"a dataset named {name!r} already exists")
        new_id = cur.sql("SELECT nextval('dataset_ids')").fetchall()[0][0]
        schema = f"ds_{int(new_id)}"
        cur.execute(f"CREATE SCHEMA {schema}")
        for table, columns in DATASET_TABLES.items():
            cur.execute(f"CREATE TABLE {schema}.{table} ({columns})")
        cur.execute("INSERT INTO datasets VALUES (?, ?, ?, 1, now()::TIMESTAMP, now()::TIMESTAMP, NULL)",
                    [new_id, name, schema])
        return self.find(name, cur)

    def rename_dataset(self, old: str, new: str) -> Dataset:
        new = validate_name(new)
        with self.transaction() as cur:
            ds = self._existing(old, cur)
            if new != old and cur.sql("SELECT 1 FROM datasets WHERE name = ?", params=[new]).fetchall():
                raise StoreError(f"a dataset named {new!r} already exists")
            cur.execute("UPDATE datasets SET name = ?, updated_at = now()::TIMESTAMP WHERE id = ?",
                        [new, ds.id])
            renamed = self._existing(new, cur)
        self.forget_results(ds.id)
        return renamed

    def set_currency(self, name: str, code: str | None, cur: duckdb.DuckDBPyConnection | None = None) -> Dataset:
        """Show the dataset's amounts in `code` (lib.currency; None: without a symbol). No number
        changes, so the version and the kept results stay."""
        try:
            code = currency_code(code)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        if cur is None:
            with self.transaction() as own:
                return self.set_currency(name, code, own)
        ds = self._existing(name, cur)
        cur.execute("UPDATE datasets SET currency = ? WHERE id = ?", [code, ds.id])
        return self._existing(name, cur)

    def delete_dataset(self, name: str) -> None:
        """Drop the dataset's tables and reclaim their blocks: the data leaves the file."""
        with self.transaction() as cur:
            ds = self._existing(name, cur)
            cur.execute(f"DROP SCHEMA {ds.schema} CASCADE")
            cur.execute("DELETE FROM datasets WHERE id = ?", [ds.id])
        self.forget_results(ds.id)
        # Reclaim the dropped blocks now. The data is already gone from every query; a checkpoint
        # refused while another session writes simply happens at the next automatic one.
        with self._writing(), self.cursor() as cur:
            try:
                cur.execute("CHECKPOINT")
            except duckdb.TransactionException:
                pass

    def results_key(self) -> bytes | None:
        """The key lib/results.py signs this workspace's kept results with (None: a workspace
        opened read-only that has none yet; then nothing is kept)."""
        if not hasattr(self, "_results_key"):
            rows = self.query("SELECT value FROM meta WHERE key = 'results_key'")
            self._results_key = bytes.fromhex(rows["value"][0]) if rows.height else None
        return self._results_key

    def forget_results(self, dataset_id: int) -> None:
        """Remove a dataset's kept results (after its change has committed: see lib/results.py)."""
        from lib import results  # lib.results builds on this module

        results.forget_dataset(self.path, dataset_id)

    def bump_version(self, cur: duckdb.DuckDBPyConnection, ds: Dataset) -> None:
        cur.execute("UPDATE datasets SET version = version + 1, updated_at = now()::TIMESTAMP "
                    "WHERE id = ?", [ds.id])

    def table_counts(self, ds: Dataset) -> dict[str, int]:
        """Rows per table of one dataset, for summaries."""
        return dict(self.query(table_counts_sql(ds)).iter_rows())

    # -- derived tables ----------------------------------------------------------------------

    def rebuild_derived(self, cur: duckdb.DuckDBPyConnection, ds: Dataset, changed: Kind | None = None) -> None:
        """Recompute `orders` and `members` from the loaded tables (inside the caller's transaction).

        `changed` names the kind of table that changed: orders rebuild both, members only
        `members`, NPS and spend nothing; None rebuilds both.

        A member listed several times in members files takes, field by field, the last loaded
        non-empty value (arg_max skips nulls). Ages: on an order line, age at the order's year;
        in a members file, age at the import's year (ingest turns it into birth_year).

        An order = the lines sharing (member_id, order_id); its time is its earliest line's,
        its net amount the sum of its lines, and it is a purchase when that sum is > 0. Order
        attributes (channel, store, region, city) are taken from its earliest line that has them.
        """
        if changed in ("nps", "spend"):
            return
        orders, members = ds.table("orders"), ds.table("members")
        if changed == "members":
            cur.execute(f"DELETE FROM {members}")
            cur.execute(f"INSERT INTO {members} {members_sql(ds)} ORDER BY 1")
            return
        cur.execute(f"DELETE FROM {orders}")
        cur.execute(f"INSERT INTO {orders} {orders_sql(ds)} ORDER BY order_ts, member_id, order_id")
        cur.execute(f"DELETE FROM {members}")
        cur.execute(f"INSERT INTO {members} {members_sql(ds)} ORDER BY 1")


def table_counts_sql(ds: Dataset) -> str:
    """(t, n): rows per table of a dataset (Store.table_counts; lib/spark.py's SparkStore too)."""
    return " UNION ALL ".join(f"SELECT '{t}' AS t, count(*) AS n FROM {ds.table(t)}" for t in DATASET_TABLES)


def orders_sql(ds: Dataset) -> str:
    """The SELECT of the `orders` table from a dataset's order lines (Store.rebuild_derived; lib/spark.py
    builds the same table on Spark from this text)."""
    lines = ds.table("order_lines")
    return f"""
        WITH grouped AS (
            SELECT member_id, order_id, min(order_ts) AS order_ts, min(order_date) AS order_date,
                   sum(amount) AS net_amount, count(*) AS lines, sum(quantity) AS quantity,
                   arg_min(channel, order_ts) FILTER (WHERE channel IS NOT NULL) AS channel,
                   arg_min(store, order_ts) FILTER (WHERE store IS NOT NULL) AS store,
                   arg_min(region, order_ts) FILTER (WHERE region IS NOT NULL) AS region,
                   arg_min(city, order_ts) FILTER (WHERE city IS NOT NULL) AS city,
                   sum(amount) > 0 AS is_purchase
            FROM {lines} GROUP BY member_id, order_id)
        -- the purchase sequence and first purchase date of the whole history, numbered once here
        -- so that unfiltered analyses need no window over every purchase (lib.filters.base);
        -- both over one sort of each member's orders (nth: the purchases up to this one); written
        -- without FILTER or a named window, which Spark's windows lack (lib/spark.py runs this too)
        SELECT *, CASE WHEN is_purchase THEN sum(CASE WHEN is_purchase THEN 1 ELSE 0 END) OVER (
                       PARTITION BY member_id ORDER BY order_ts, order_id ROWS UNBOUNDED PRECEDING) END AS nth,
               min(CASE WHEN is_purchase THEN order_date END) OVER (
                   PARTITION BY member_id ORDER BY order_ts, order_id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS first_date
        FROM grouped"""


def members_sql(ds: Dataset) -> str:
    """The SELECT of the `members` table from a dataset's loaded tables and `orders` (Store.rebuild_derived;
    lib/spark.py builds the same table on Spark from this text)."""
    # Attributes repeated on order lines: each member's latest non-empty value. Region, city
    # and channel on order lines describe the order, not the member, so they stay there.
    lines, orders = ds.table("order_lines"), ds.table("orders")
    return f"""
        WITH from_lines AS (
            SELECT member_id,
                   arg_max(signup_date, order_ts) FILTER (WHERE signup_date IS NOT NULL) AS signup_date,
                   arg_max(gender, order_ts) FILTER (WHERE gender IS NOT NULL) AS gender,
                   arg_max(coalesce(birth_year, year(order_ts)::INTEGER - age), order_ts)
                       FILTER (WHERE birth_year IS NOT NULL OR age IS NOT NULL) AS birth_year,
                   arg_max(member_tier, order_ts) FILTER (WHERE member_tier IS NOT NULL) AS member_tier
            FROM {lines} GROUP BY member_id),
        from_file AS (
            SELECT member_id, arg_max(signup_date, row_id) AS signup_date, arg_max(gender, row_id) AS gender,
                   arg_max(birth_year, row_id) AS birth_year, arg_max(member_tier, row_id) AS member_tier,
                   arg_max(region, row_id) AS region, arg_max(city, row_id) AS city,
                   arg_max(channel, row_id) AS channel
            FROM {ds.table("members_source")} GROUP BY member_id),
        first_purchase AS (
            SELECT member_id, min(order_date) AS first_order_date FROM {orders}
            WHERE is_purchase GROUP BY member_id)
        SELECT coalesce(f.member_id, l.member_id) AS member_id,
               coalesce(f.signup_date, l.signup_date) AS signup_date, coalesce(f.gender, l.gender) AS gender,
               coalesce(f.birth_year, l.birth_year) AS birth_year,
               coalesce(f.member_tier, l.member_tier) AS member_tier, f.region, f.city, f.channel,
               f.member_id IS NOT NULL AS in_members_file, p.first_order_date
        FROM from_file f FULL JOIN from_lines l ON f.member_id = l.member_id
        LEFT JOIN first_purchase p ON p.member_id = coalesce(f.member_id, l.member_id)"""


def validate_name(name: str, what: str = "dataset") -> str:
    """A dataset's (or, `what`, a segment's) name, trimmed: 1 to MAX_NAME_LENGTH characters, none a control."""
    name = (name or "").strip()
    if not name:
        raise StoreError(f"a {what} needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise StoreError(f"{what} names are at most {MAX_NAME_LENGTH} characters")
    if any(ord(c) < 32 for c in name):
        raise StoreError(f"{what} names cannot contain control characters")
    if what == "dataset" and name.lower().startswith("spark:"):  # the app's Spark sources (lib/spark.py PREFIX)
        raise StoreError("dataset names cannot start with 'spark:', the prefix of Spark sources")
    return name


def _schema_ident(schema: str) -> str:
    if not re.fullmatch(r"ds_[0-9]+", schema):
        raise ValueError(f"not a dataset schema: {schema!r}")
    return schema


def first_line(exc: BaseException) -> str:
    """An exception's message as one line, for the user."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _held_elsewhere(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def _holder(exc: duckdb.Error) -> str:
    pid = re.search(r"PID (\d+)", str(exc))
    return f"process {pid.group(1)}" if pid else "another process"


def _explain_refused_save(path: Path, exc: duckdb.Error, waited: float) -> str:
    """Why the app could not save: another process kept reading the workspace (a report)."""
    if not _held_elsewhere(exc):
        return f"cannot open {path} for writing: {first_line(exc)}"
    return (f"{path} is being read by {_holder(exc)} (a report from the command line?) and was not free "
            f"within {waited:g} s; nothing was changed: save again when it has finished")


def _explain_open_error(path: Path, exc: duckdb.Error, read_only: bool) -> str:
    if not _held_elsewhere(exc):
        return f"cannot open {path}: {first_line(exc)}"
    who = _holder(exc)
    if read_only:  # a writer held it all the time we waited: an import, or a workspace opened for writing
        return (f"{path} is being written by {who} (an import?); try again when it has finished, or point "
                f"--db / {DB_ENV} at another file")
    return _app_has_it(path, f"{who} (probably the running app)")


def _app_has_it(path: Path, who: str) -> str:
    return (f"{path} is in use by {who}; import from the app's Data page, or stop the app and run this "
            f"again (reports work while the app runs)")
