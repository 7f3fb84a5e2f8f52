"""Files -> a dataset: stage, map, parse, reject, load — atomically.

1. Each file is staged as text in a private in-memory DuckDB database that spills to a temporary
   folder (lib/sources.py): the workspace is not touched until every row has been read and judged.
2. Columns are mapped to contract fields from their headers (lib/contract.py), then the user's
   overrides (`--map 列名=field`, `field` `-` to drop a column) are applied.
3. Every row is parsed in SQL (lib/typed.py, with lib/parsing.py's expressions). A row is
   rejected, with every reason that applies, when a required value is missing or cannot be read
   (an optional value that cannot be read is left empty and counted in a note); nothing is
   dropped silently: `rows_read = rows_loaded + rows_rejected`, and rejected
   rows go, unchanged, to a UTF-8 (with BOM, so Excel opens it) CSV with a `reason` column
   (lib/rejects.py). Lines that do not split into the header's number of fields are rejected
   too, whole, in a `raw_line` column.
4. One transaction adds the good rows, streamed from staging, to the dataset (or replaces that
   kind's table with `replace=True`), rebuilds the derived orders and members, and bumps the
   dataset version.
   Any failure rolls it back: the dataset is exactly as before, and no rejects file is left
   but the one the error names (`IngestError.rejects`). An import in which no row could be
   loaded is a failure too. `ingest_parts` does the same for files of several kinds
   (orders + members + NPS + spend): every part is staged and judged first, then one
   transaction loads them all, so a failure in any part leaves the dataset as it was.

What the import tells its user (how a column was read, the step it is at) comes as `Note`s, a
label code and its values, so the app can show them in Chinese or English.

Orders files load as order lines; amount = quantity × unit_price where there is no amount
column (or the row's amount is empty). An amount column that is an order total (买家实际支付金额,
Total …) is counted once per order. Without an order id each line is an order of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from lib import currency as currencies
from lib import merge, parsing, sources, typed
from lib.contract import FIELDS, KINDS, Kind, missing_required, suggest_mapping
from lib.i18n import Lang, t
from lib.rejects import default_rejects_dir, first_reason, write_rejects
from lib.sources import SourceError
from lib.merge import Merged
from lib.store import KIND_TABLE, Dataset, Store, StoreError, alive, validate_name
from lib.typed import Note

STAGING_MEMORY = "2GB"  # DuckDB spills to disk beyond this: a 1 GB CSV streams
PREVIEW_ROWS = 20
IGNORE = ("-", "", "ignore", "none")
UPLOAD_PREFIX = "memberlens-upload-"  # a session's temporary folder: <temp dir>/memberlens-upload-…
STALE_FOLDER_SECONDS = 24 * 3600  # a temp folder without an owner (an older version's) this old is left over


Progress = Callable[[float, Note], None]  # (fraction done, the step: reading, checking, saving, done)


class IngestError(StoreError):
    """The import cannot go ahead; the message is one line and nothing was changed.

    `rejects`: the rejected-rows file written for the failed import (when no row could be
    loaded), else None. `part`: which of `ingest_parts`' parts failed, when one of them did.
    """

    MAX_LENGTH = 500  # one short line, whatever a file holds (a 100 KB value quoted in a reason)

    def __init__(self, message: str, rejects: Path | None = None) -> None:
        if len(message) > self.MAX_LENGTH:
            keep = self.MAX_LENGTH // 2
            message = f"{message[:keep]} … {message[-keep:]}"  # the end names the rejects file
        super().__init__(message)
        self.rejects = rejects
        self.part: int | None = None


@dataclass
class FileReport:
    name: str
    read_as: str
    rows_read: int
    rows_loaded: int
    mapping: dict[str, str]


@dataclass
class IngestResult:
    dataset: str
    kind: Kind
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects: str | None
    members: int
    orders: int
    files: list[FileReport] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # The part's records (orders of an orders file; members; NPS and spend keys: lib/merge.py) as they met
    # the stored ones (lib/merge.py): new, updated (replaced or completed) and unchanged.
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # The currency the amounts name (lib.currency.detect; orders files), and the dataset's after the import.
    currency_found: str | None = None
    currency: str | None = None

    def summary(self) -> dict[str, object]:
        """The command line's JSON (SPEC "Command line")."""
        return {"dataset": self.dataset, "rows_read": self.rows_read, "rows_loaded": self.rows_loaded,
                "rows_rejected": self.rows_rejected, "rejects": self.rejects, "members": self.members,
                "orders": self.orders, "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "currency": self.currency}


@dataclass(frozen=True)
class Part:
    """Files of one kind that load together, with the user's corrections to their mapping."""

    kind: Kind
    paths: Sequence[str | Path]
    overrides: dict[str, str] | None = None
    sheet: str | None = None


@dataclass
class Preview:
    """What the upload screen shows before anything is saved."""

    headers: list[str]
    rows: pl.DataFrame  # first rows, as text, with the original headers
    mapping: dict[str, str]  # suggested header -> field
    read_as: str


def resolve_mapping(headers: list[str], kind: Kind, overrides: dict[str, str] | None,
                    file_name: str = "the file") -> dict[str, str]:
    """Header -> field: the suggestion, corrected by the user's overrides, checked for completeness."""
    names = {f.name for f in FIELDS[kind]}
    mapping = suggest_mapping(headers, kind)
    for column, target in (overrides or {}).items():
        if column not in headers:
            raise IngestError(f"{file_name} has no column {column!r} to map "
                              f"(columns: {', '.join(headers)})")
        target = target.strip()
        if target.lower() in IGNORE:
            mapping.pop(column, None)
            continue
        if target not in names:
            raise IngestError(f"{target!r} is not a field of {kind} files (fields: {', '.join(sorted(names))})")
        mapping = {h: f for h, f in mapping.items() if f != target}
        mapping[column] = target
    for name in missing_required(set(mapping.values()), kind):
        raise IngestError(f"{file_name}: no column for {name} (columns: {', '.join(headers)}); "
                          f"name one with --map COLUMN={name}")
    return mapping


STAGING_PREFIX = "memberlens-ingest-"  # <temp dir>/memberlens-ingest-…: one import's staging
OWNER_FILE = "owner.pid"  # the process the staging folder belongs to


class _Staging:
    """A private DuckDB database and temporary folder for one import; removed on cleanup (and by
    `sweep_temp_folders` when the process that made it was killed)."""

    def __init__(self) -> None:
        self.dir = owned_temp_folder(STAGING_PREFIX)
        # In memory, spilling to this folder past STAGING_MEMORY: nothing is written twice.
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit = '{STAGING_MEMORY}'")
        self.con.execute("SET temp_directory = ?", [str(self.dir / "spill")])
        parsing.install_macros(self.con)

    def close(self) -> None:
        self.con.close()

    def cleanup(self) -> None:
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def preview(path: str | Path, kind: Kind = "orders", sheet: str | None = None,
            rows: int = PREVIEW_ROWS) -> Preview:
    """Read the start of a file (a CSV's first 256 KiB) and suggest a mapping."""
    path = Path(path)
    staging = _Staging()
    try:
        target = path
        if sources.detect_format(path) == "csv":
            target = staging.dir / "sample.csv"
            with path.open("rb") as fh:
                sample = fh.read(sources.SNIFF_BYTES)
            if len(sample) == sources.SNIFF_BYTES and b"\n" in sample:
                sample = sample[: sample.rindex(b"\n") + 1]  # whole lines only
            target.write_bytes(sample)
        src = sources.stage(staging.con, target, "raw", staging.dir, sheet, kind)
        head = staging.con.sql(f"SELECT * FROM raw ORDER BY rowid LIMIT {int(rows)}").pl()
        head.columns = src.headers
        read_as = src.describe().replace(target.name, path.name)
        return Preview(src.headers, head, suggest_mapping(src.headers, kind), read_as)
    except SourceError as exc:
        raise IngestError(str(exc).replace(target.name, path.name)) from None
    finally:
        staging.cleanup()


def read_as_words(read_as: str, lang: Lang) -> str:
    """How a file was read (lib.sources.Source.describe: "CSV, gb18030, delimiter ','" or "XLSX, sheet
    订单"), in `lang`: the command line prints it in English, so its fixed words are
    translated here; the encoding and the sheet's own name stay as they are."""
    head, _, sheet = read_as.partition(", sheet ")  # the sheet comes last and may hold a comma
    parts = []
    for part in head.split(", "):
        if part.startswith("delimiter "):
            delimiter = part.removeprefix("delimiter ")
            part = t("data.read_delimiter", lang,
                     delimiter=t("data.read_tab", lang) if delimiter == "tab" else delimiter)
        parts.append(part)
    if sheet:
        parts.append(t("data.read_sheet", lang, sheet=sheet))
    return ("，" if lang == "zh" else ", ").join(parts)


def owned_temp_folder(prefix: str) -> Path:
    """A new folder in the temp dir named `prefix`…, holding the name of the process it belongs to
    (OWNER_FILE: host and pid), so a sweep can tell when that process is gone."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    (folder / OWNER_FILE).write_text(f"{socket.gethostname()} {os.getpid()}")
    return folder


class RemovedWhenDropped:
    """Removes `folder` when this object is garbage collected, or at the latest when the process
    exits (weakref.finalize). Kept in a browser session's state, the session's uploads go when
    Streamlit drops the session: once server.disconnectedSessionTTL (2 minutes) has passed since its
    tab closed, at the next session that comes or goes (Streamlit's session store expires lazily)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._remove = weakref.finalize(self, shutil.rmtree, str(folder), True)

    def remove(self) -> None:
        self._remove()


def sweep_temp_folders(max_age: float = STALE_FOLDER_SECONDS) -> int:
    """Remove what stopped apps and killed imports left in the temp dir (uploads, UPLOAD_PREFIX,
    and import staging, STAGING_PREFIX: each can hold ~100 MB of customer rows): the folders of a
    process of this host that is gone, and folders without an owner untouched for `max_age`
    seconds. A living process's folders are its own (a session's go with it: RemovedWhenDropped),
    and another host's (a shared temp dir) theirs. Best effort: a folder another process is
    removing, or one we may not touch, is simply left. Returns how many were removed."""
    removed = 0
    try:
        folders = [*Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"),
                   *Path(tempfile.gettempdir()).glob(f"{STAGING_PREFIX}*")]
    except OSError:
        return 0
    for folder in folders:
        try:
            old = folder.is_dir() and folder.stat().st_mtime < time.time() - max_age
            try:
                host, pid = (folder / OWNER_FILE).read_text().split()
            except (OSError, ValueError):
                stale = old
            else:
                stale = host == socket.gethostname() and not alive(int(pid))
        except (OSError, ValueError):
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def ingest(store: Store, paths: Sequence[str | Path], dataset: str, kind: Kind = "orders",
           overrides: dict[str, str] | None = None, replace: bool = False,
           rejects_dir: str | Path | None = None, sheet: str | None = None,
           progress: Progress | None = None, lang: Lang = "en", currency: str | None = None) -> IngestResult:
    """Load `paths` (same kind) into `dataset`, creating it if needed. See the module docstring."""
    return ingest_parts(store, [Part(kind, paths, overrides, sheet)], dataset, replace, rejects_dir, progress,
                        lang, currency)[0]


def ingest_parts(store: Store, parts: Sequence[Part], dataset: str, replace: bool = False,
                 rejects_dir: str | Path | None = None, progress: Progress | None = None,
                 lang: Lang = "en", currency: str | None = None) -> list[IngestResult]:
    """Load every part into `dataset` in one transaction, all or nothing; one result per part
    (members and orders: the dataset's counts after the import). With `replace`, each kind's
    table holds only the parts of that kind afterwards. A part's IngestError says which part
    (`part`); see the module docstring. Rejected rows' reasons are in `lang`.

    `currency`: the dataset's currency as the user chose it (a lib.currency code, or 'none');
    None keeps the dataset's, or, for one that has none yet, takes the one the amounts name."""
    for part in parts:
        if part.kind not in KINDS:
            raise IngestError(f"unknown kind {part.kind!r} (kinds: {', '.join(KINDS)})")
    try:
        chosen = currencies.check(currency) if currency is not None else _DETECT
    except ValueError as exc:
        raise IngestError(str(exc)) from None
    dataset = validate_name(dataset)
    if not parts or not all(part.paths for part in parts):
        raise IngestError("no file to import")
    report = progress or (lambda fraction, step: None)
    sweep_temp_folders()  # what killed imports and ended sessions left behind
    rejects_to = Path(rejects_dir or default_rejects_dir(store))
    stagings: list[_Staging] = []
    written: list[Path] = []  # rejects files of this import, so far
    try:
        staged = []
        for i, part in enumerate(parts):
            stagings.append(_Staging())
            share = (0.05 + 0.65 * i / len(parts), 0.65 / len(parts))  # this part's (start, width) of the bar
            try:
                staged.append(_stage(stagings[-1], part, dataset, rejects_to, report, share, written, lang))
            except IngestError as exc:
                exc.part = i
                raise
        report(0.75, Note("saving"))
        ds, merged = _load(store, [(part.kind, good, _given(result)) for part, (good, result) in zip(parts, staged)],
                           dataset, replace, stagings, chosen, [result for _, result in staged])
    except BaseException as exc:
        # Nothing was imported, so no rejects file stays but the one the error names (the rows
        # of a part none of which could be loaded): the others describe rows of an import that
        # did not happen, and nothing would point at them.
        kept = getattr(exc, "rejects", None)
        for path in written:
            if path != kept:
                path.unlink(missing_ok=True)
        if isinstance(exc, duckdb.Error):  # a full disk, no memory …: one line for the user, not a traceback
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise IngestError(f"the import failed, nothing was changed: {reason}") from exc
        raise
    finally:
        for staging in stagings:
            staging.cleanup()
    report(1.0, Note("done"))
    counts = store.table_counts(ds)
    for (_, result), records in zip(staged, merged):
        result.dataset, result.members, result.orders = ds.name, counts["members"], counts["orders"]
        result.currency = ds.currency
        result.new, result.updated, result.unchanged = records.new, records.updated, records.unchanged
    return [result for _, result in staged]


def _stage(staging: _Staging, part: Part, dataset: str, rejects_dir: Path, report: Progress,
           share: tuple[float, float], written: list[Path], lang: Lang) -> tuple[list[GoodRows], IngestResult]:
    """Read, map and judge one part's files; write its rejects (adding the file to `written`);
    return its good rows (queries of the staging connection, which stays open until they are
    saved) and its result (dataset totals filled in once loaded)."""
    kind, paths = part.kind, [Path(p) for p in part.paths]
    start, width = share
    staged, reports, notes, found = [], [], [], []
    for i, path in enumerate(paths):
        report(start + 0.8 * width * i / len(paths), Note("reading", {"file": path.name}))
        try:
            src = sources.stage(staging.con, path, f"raw_{i}", staging.dir, part.sheet, kind)
        except SourceError as exc:
            raise IngestError(str(exc)) from None
        mapping = resolve_mapping(src.headers, kind, part.overrides, path.name)
        notes += typed.parse(staging.con, src, mapping, kind, f"final_{i}", lang)
        if kind == "orders":
            code, named = currencies.detect(staging.con, src.table, [
                (f"c{src.headers.index(h)}", h) for h, f in mapping.items() if f in _AMOUNT_FIELDS])
            found.append(code)
            if len(named) > 1:  # £ and $ in one file: summed as written, so say so
                notes.append(Note("currency_mixed", {"file": path.name, "named": ", ".join(
                    f"{currencies.symbol(c)} {n:,}" for c, n in named.items())}))
        staged.append(src)
        reports.append(FileReport(path.name, src.describe(), src.rows_read, 0, mapping))
    report(start + 0.8 * width, Note("checking", {"file": ", ".join(p.name for p in paths)}))
    loaded_per_file = [staging.con.sql(f"SELECT count(*) FROM final_{i} WHERE reason IS NULL")
                       .fetchall()[0][0] for i in range(len(staged))]
    for rep, n in zip(reports, loaded_per_file):
        rep.rows_loaded = n
    rows_read = sum(s.rows_read for s in staged)
    rows_loaded = sum(loaded_per_file)
    rejects = None
    if rows_loaded < rows_read:
        rejects = write_rejects(staging.con, staged, staging.dir, rejects_dir, dataset, kind, lang)
        written.append(Path(rejects))
    if rows_read == 0:
        raise IngestError(t("ingest.no_data_rows", lang, files=", ".join(s.path.name for s in staged)))
    if rows_loaded == 0:
        first = first_reason(staging.con, staged, lang)
        raise IngestError(t("ingest.no_row_loaded", lang, rejected=rows_read, first=first, rejects=rejects),
                          rejects=Path(rejects))
    good, offset = [], 0
    for i, src in enumerate(staged):  # streamed to the workspace from here when it is saved (_insert)
        staging.con.execute(f"DROP TABLE {src.table}")  # the text is judged and its rejects written: freed
        # seq: the row's place among all files' rows, so load order needs no sort later.
        good.append(GoodRows(staging.con, f"SELECT {offset} + src_row AS seq, {i} AS file_no, * EXCLUDE (reason) "
                                          f"FROM final_{i} WHERE reason IS NULL"))
        offset += src.rows
    result = IngestResult(dataset=dataset, kind=kind, rows_read=rows_read, rows_loaded=rows_loaded,
                          rows_rejected=rows_read - rows_loaded, rejects=rejects, members=0, orders=0,
                          files=reports, notes=notes,
                          currency_found=_most_named(found, paths, notes))
    return good, result


def _most_named(found: list[str | None], paths: list[Path], notes: list[Note]) -> str | None:
    """The files' currency: the one most of them name, the first file's on a tie (a file naming
    none has no say); a note when they disagree."""
    named = [code for code in found if code]
    chosen = max(named, key=lambda code: (named.count(code), -named.index(code)), default=None)
    if len(set(named)) > 1:
        by_file = ", ".join(f"{path.name} {code}" for path, code in zip(paths, found) if code)
        notes.append(Note("currency_files", {"files": by_file, "chosen": chosen}))
    return chosen


# -- loading -------------------------------------------------------------------------------

def _load_columns(kind: Kind) -> str:
    """The parsed columns as the dataset table takes them (orders keep the time and its date;
    a members file's age has already become birth_year)."""
    names = [f.name for f in FIELDS[kind] if not (kind == "members" and f.name == "age")]
    if kind == "orders":
        names = [n for n in names if n != "order_date"] + ["order_date AS order_ts",
                                                           "order_date::DATE AS order_date"]
    return ", ".join(names)


def _given(result: IngestResult) -> frozenset[str]:
    """The dataset-table columns every file of a part has (an order date is stored as its time and
    its date): a column one file lacks is compared for none, so a narrower file saved beside a
    wider one neither wipes stored values nor adds its lines twice."""
    fields = frozenset.intersection(*(frozenset(f.mapping.values()) for f in result.files))
    return fields | ({"order_ts"} if "order_date" in fields else frozenset())


def _load(store: Store, parts: list[tuple[Kind, list[GoodRows], frozenset[str]]], dataset: str, replace: bool,
          stagings: list[_Staging], currency: str | None, results: list[IngestResult]) -> tuple[Dataset, list[Merged]]:
    """One transaction: add (or replace) each part's rows, merged with what is stored, rebuild
    derived tables, bump the version, settle the currency. Returns the dataset and each part's
    record counts."""
    kinds = list(dict.fromkeys(kind for kind, _, _ in parts))
    with store.transaction() as cur:
        ds = store.find(dataset, cur) or store.create_dataset(dataset, cur)
        ds = _settle_currency(store, cur, ds, currency, results)
        if replace:
            for kind in kinds:
                cur.execute(f"DELETE FROM {ds.table(KIND_TABLE[kind])}")
        merged = [_insert(cur, ds, kind, good, given) for kind, good, given in parts]
        for staging in stagings:
            staging.close()  # every good row is in: its memory is freed before the rebuild
        if any(m.new or m.updated for m in merged):  # else the import held nothing new: no new version
            # orders rebuild both derived tables, members only `members`, NPS and spend neither
            changed = next((k for k in ("orders", "members") if k in kinds), None)
            if changed is not None:
                store.rebuild_derived(cur, ds, changed)
            store.bump_version(cur, ds)
    store.forget_results(ds.id)  # committed: the old version's kept results go (never inside the import)
    return store.dataset(ds.name), merged


_DETECT = "detect"  # ingest_parts' currency when the user chose none: the dataset's, else the amounts'
_AMOUNT_FIELDS = ("amount", "unit_price")  # the columns whose text names a currency


def _settle_currency(store: Store, cur: duckdb.DuckDBPyConnection, ds: Dataset, chosen: str | None,
                     results: list[IngestResult]) -> Dataset:
    """The dataset's currency after this import: the user's choice; else the stored one, with a
    note when the files name another (kept: one dataset, one currency; the user may change it);
    else the one the files name (with a note saying so)."""
    found = next((r.currency_found for r in results if r.currency_found), None)
    orders = next((r for r in results if r.kind == "orders"), None)
    if chosen != _DETECT:
        return store.set_currency(ds.name, chosen, cur) if chosen != ds.currency else ds
    if ds.currency is None and found is not None:  # not known yet (a dataset the user set to NONE is known)
        orders.notes.append(Note("currency_found", {"currency": currencies.label(found)}))
        return store.set_currency(ds.name, found, cur)
    if found is not None and found != ds.currency:
        orders.notes.append(Note("currency_differs", {"found": currencies.label(found),
                                                      "kept": currencies.label(ds.currency)}))
    return ds


@dataclass(frozen=True)
class GoodRows:
    """A staged file's good rows: a query of its staging connection, streamed into the workspace
    as Arrow batches (a Parquet file between the two took 9 s to write and 2.5 s to read at 10M
    lines; the stream takes 5.6 s for both)."""

    con: duckdb.DuckDBPyConnection
    sql: str


GOOD_ROWS_BATCH = 1_000_000


def _insert(cur: duckdb.DuckDBPyConnection, ds: Dataset, kind: Kind, good: list[GoodRows],
            given: frozenset[str] | None = None) -> Merged:
    """Add one part's good rows to the dataset's table of `kind`, merged with what is stored
    (lib/merge.py), and count its records. Into an empty table from one file (a first import,
    or --replace) the rows go straight in: there is nothing to meet."""
    names = [f"good_{i}" for i in range(len(good))]
    readers = [rows_of_file.con.cursor() for rows_of_file in good]  # one stream per connection
    table = ds.table(KIND_TABLE[kind])
    try:
        for name, reader, rows_of_file in zip(names, readers, good):
            cur.register(name, reader.sql(rows_of_file.sql).to_arrow_reader(GOOD_ROWS_BATCH))
        rows = " UNION ALL ".join(f"SELECT * FROM {n}" for n in names)
        straight = kind in ("orders", "members") and len(good) == 1 and not cur.sql(
            f"SELECT 1 FROM {table} LIMIT 1").fetchall()
        numbered = _numbered(cur, table, kind, rows)
        if straight:
            if kind == "orders":  # an order of its own for every line without an order id
                numbered = (f"SELECT * EXCLUDE (order_id), coalesce(order_id, {merge.BARE_ORDER_ID}) AS order_id "
                            f"FROM ({numbered})")
            cur.execute(f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (file_no) FROM ({numbered})")
            key = "member_id, order_id" if kind == "orders" else "member_id"
            return Merged(new=cur.sql(f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {table})").fetchall()[0][0])
        cur.execute(f"CREATE TEMP TABLE merge_incoming AS {numbered}")
        try:
            return merge.merge(cur, table, kind, "merge_incoming", given)
        finally:
            cur.execute("DROP TABLE IF EXISTS merge_incoming")
    finally:
        for name in names:
            with contextlib.suppress(duckdb.Error):
                cur.unregister(name)
        for reader in readers:
            reader.close()


def _numbered(cur: duckdb.DuckDBPyConnection, table: str, kind: Kind, rows: str) -> str:
    """The rows as the table takes them, with file_no; order lines and members rows numbered in
    load order after the stored ones (line_id, row_id: a member listed twice takes the later
    row's values). Gaps (rejected rows) are harmless. NPS and spend rows need no number."""
    if kind not in ("orders", "members"):
        return f"SELECT file_no, {_load_columns(kind)} FROM ({rows})"
    column = "line_id" if kind == "orders" else "row_id"
    start = cur.sql(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchall()[0][0]
    return f"SELECT {int(start)} + seq AS {column}, file_no, {_load_columns(kind)} FROM ({rows})"
