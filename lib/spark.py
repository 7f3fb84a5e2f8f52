"""Spark as the engine: the analyses' own SQL, transpiled by SQLGlot, run on a SparkSession.

Every analysis builds DuckDB SQL over a dataset's canonical tables (lib/filters.py's base and its own
CTEs) and runs it with `store.query(sql, params)`. `SparkStore` answers that same call: it parses the
text as DuckDB's dialect, points the dataset's table names at Spark views, writes Spark SQL and runs
it with the parameters bound (`spark.sql(text, args=...)`: DuckDB's `$name` becomes Spark's `:name`,
`?` stays `?`); no value is ever formatted into the text. So the SQL of each analysis exists once;
where a DuckDB form has no Spark equivalent, the analysis's SQL is written in a portable form.

The source: a table of the session's catalog or a Parquet path holding the canonical order lines
(the contract's field names: member_id, order_id, order_date, amount required; the optional ones
used when present), and optionally members, NPS answers and marketing spend likewise. A column
mapping (`field=column`) names the source's columns where they differ. The derived tables
(`orders`, `members`) are built on Spark by the same SQL the workspace builds them with
(lib/store.py `orders_sql`, `members_sql`) and cached in the session. The source is taken as clean
canonical data: its values are not cleaned as an import cleans a file's (the README says what that means).

A source can be kept beside a workspace (`<workspace>.spark.json`, `python -m lib spark-source add`):
it is then the dataset spark:NAME of the app's sidebar and of `report --dataset`.

Errors a user can act on (no Java, an unreachable master, a missing table or column, a column of
the wrong type) raise `SparkUnavailable` with one line; never a JVM stack trace.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlglot
from sqlglot import exp

from lib.contract import FIELDS
from lib.store import Dataset, StoreError, members_sql, orders_sql, table_counts_sql

# A SparkStore's Dataset has the schema spark_ds<N> (N its own number in this process); its tables are
# the session's views spark_ds<N>_<table>, so two stores on one session never see each other's.
SCHEMA = "spark_ds"
_STORE_NUMBERS = itertools.count(1)
DEFAULT_MASTER = "local[2]"


class SparkUnavailable(StoreError):
    """Spark cannot run this source: one line saying what is missing."""


@dataclass(frozen=True)
class SparkSource:
    """Where the canonical tables are: `tables` maps order_lines (required), members_source, nps,
    spend to a catalog table name or a Parquet path; `mapping` maps a contract field to the column
    holding it (in every table having that field; the field's own name otherwise)."""

    tables: Mapping[str, str]
    master: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    name: str = "spark"
    saved_at: datetime = datetime(1970, 1, 1)  # a saved source's: keys the app's caches (`dataset`)

    def table(self, kind: str) -> str | None:
        return self.tables.get(kind)

    @property
    def dataset(self) -> Dataset:
        """The source as a dataset of the app (id −1: no saved segments, no import)."""
        return Dataset(-1, self.name, f"{SCHEMA}0", 0, self.saved_at, self.saved_at, self.currency)

    def key(self) -> str:
        """Everything that decides its numbers, as text (the app keeps one SparkStore per key)."""
        return json.dumps({"tables": dict(self.tables), "master": self.master, "mapping": dict(self.mapping),
                           "currency": self.currency, "name": self.name, "saved_at": self.saved_at.isoformat()},
                          ensure_ascii=False, sort_keys=True)


# -- Spark sources kept beside a workspace: the app's Spark datasets -----------------------------------

# A saved source is a dataset named spark:NAME in the sidebar and on the command line (`report
# --dataset spark:NAME`); a workspace's own datasets never start so (lib/store.py refuses the name).
PREFIX = "spark:"
_SOURCE_TABLES = ("order_lines", "members_source", "nps", "spend")


def settings_path(workspace: Path) -> Path:
    """`<workspace>.spark.json`: the workspace's Spark sources, {"sources": {NAME: {...}}}."""
    return workspace.with_name(workspace.name + ".spark.json")


def saved_sources(workspace: Path) -> dict[str, SparkSource]:
    """The Spark sources saved beside `workspace`, by their dataset name (spark:NAME)."""
    path = settings_path(workspace)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise StoreError(f"cannot read the Spark sources in {path}: {exc.strerror or exc}") from None
    try:
        entries = json.loads(text)["sources"]
        out = {}
        for name, entry in entries.items():
            tables = {k: str(v) for k, v in entry["tables"].items() if k in _SOURCE_TABLES and v}
            if not isinstance(name, str) or "order_lines" not in tables:
                raise ValueError(name)
            out[PREFIX + name] = SparkSource(
                tables, master=entry.get("master"), mapping={str(k): str(v) for k, v in entry.get("mapping", {}).items()},
                currency=entry.get("currency"), name=PREFIX + name,
                saved_at=datetime.fromisoformat(entry["saved_at"]))
        return out
    except (ValueError, KeyError, TypeError, AttributeError):
        raise StoreError(f"{path} is not a Spark sources file of this version; fix or delete it") from None


def save_source(workspace: Path, name: str, source: SparkSource) -> SparkSource:
    """Keep `source` as the workspace's Spark dataset spark:`name` (replacing one of that name);
    written whole to a temporary file first, so a failed write leaves the old file."""
    from lib.store import validate_name

    name = validate_name(name.removeprefix(PREFIX), "Spark source")
    saved = {n.removeprefix(PREFIX): s for n, s in saved_sources(workspace).items()}
    # a relative Parquet path is the one meant now, wherever the app is started later
    tables = {k: str(Path(v).resolve()) if _is_path(v) and "://" not in v else v for k, v in source.tables.items()}
    saved[name] = SparkSource(tables, source.master, dict(source.mapping), source.currency,
                              PREFIX + name, datetime.now().replace(microsecond=0))
    _write_sources(workspace, saved)
    return saved[name]


def remove_source(workspace: Path, name: str) -> None:
    saved = {n.removeprefix(PREFIX): s for n, s in saved_sources(workspace).items()}
    if saved.pop(name.removeprefix(PREFIX), None) is None:
        raise StoreError(f"no Spark source named {name.removeprefix(PREFIX)!r}")
    _write_sources(workspace, saved)


def _write_sources(workspace: Path, sources: dict[str, SparkSource]) -> None:
    path = settings_path(workspace)
    body = {"sources": {name: {"tables": dict(s.tables), "master": s.master, "mapping": dict(s.mapping),
                               "currency": s.currency, "saved_at": s.saved_at.isoformat()}
                        for name, s in sorted(sources.items())}}
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(part, path)


def export_dataset(store, ds: Dataset, folder: Path) -> dict[str, str]:
    """A workspace dataset's loaded tables as Parquet files holding the contract's fields, as a
    warehouse would hold them ({table: path}; order_date with its time of day): a dataset moved to
    Spark, and the tests' and benchmark's source."""
    folder.mkdir(parents=True, exist_ok=True)
    selects = {"order_lines": f"SELECT * EXCLUDE (line_id, order_date, order_ts), order_ts AS order_date "
                              f"FROM {ds.table('order_lines')} ORDER BY line_id",
               "members_source": f"SELECT * EXCLUDE (row_id) FROM {ds.table('members_source')} ORDER BY row_id",
               "nps": f"SELECT * FROM {ds.table('nps')}", "spend": f"SELECT * FROM {ds.table('spend')}"}
    paths = {}
    with store.cursor() as cur:
        for table, select in selects.items():
            path = folder / f"{table}.parquet"
            cur.sql(select).write_parquet(str(path))
            paths[table] = str(path)
    return paths


# -- transpiling ------------------------------------------------------------------------------------


def _spark_forms(node: exp.Expression) -> exp.Expression:
    """DuckDB forms SQLGlot writes word for word but Spark reads otherwise or not at all; each with
    the same meaning in Spark's words."""
    if isinstance(node, exp.Table) and re.fullmatch(rf"{SCHEMA}\d+", node.db):
        # the dataset's tables are the session's views spark_ds<N>_<table> (`Dataset.table` names them)
        return exp.Table(this=exp.to_identifier(f"{node.db}_{node.name}"), alias=node.args.get("alias"))
    ordered = node.this if isinstance(node, exp.Filter) else node
    if isinstance(ordered, exp.ArrayAgg) and isinstance(ordered.this, exp.Order):
        # list(x ORDER BY x): Spark's collect_list / collect_set keep no order, so the list is sorted
        # after (array_sort, ascending, nulls last); a list ordered by another key has no such form
        inner, keys = ordered.this.this, ordered.this.expressions
        value = inner.expressions[0] if isinstance(inner, exp.Distinct) else inner
        if len(keys) != 1 or keys[0].this != value or keys[0].args.get("desc"):
            raise ValueError(f"no Spark form for {ordered.sql(dialect='duckdb')}: order by the listed value only")
        unordered = ordered.copy()
        unordered.set("this", inner)
        if isinstance(node, exp.Filter):
            unordered = exp.Filter(this=unordered, expression=node.expression)
        return exp.Anonymous(this="array_sort", expressions=[unordered])
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)  # a DuckDB planning hint; Spark plans its own
    if isinstance(node, exp.Div) and not (isinstance(node.this, exp.Cast) and node.this.to.is_type("double")):
        # DuckDB's `/` divides as doubles whatever its operands (a DECIMAL sum by a count included);
        # Spark's keeps DECIMAL and rounds to 6 places. Said as DuckDB means it.
        return exp.Div(this=exp.cast(node.this, "DOUBLE"), expression=node.expression)
    if isinstance(node, exp.Avg) and not isinstance(node.parent, exp.Window):
        # DuckDB's avg of DECIMALs is their exact sum divided as a double; Spark's stays DECIMAL and
        # rounds half up (2.67 and 2.68: DuckDB 2.675 → round 2.67, Spark 2.68)
        return exp.Div(this=exp.cast(exp.Sum(this=node.this), "DOUBLE"), expression=exp.Count(this=node.this.copy()))
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Explode):
        # unnest(generate_series(dates))::DATE: DuckDB's series of dates are timestamps, Spark's
        # sequence of dates is dates already (and a generator cannot sit inside a cast)
        return node.this
    if isinstance(node, exp.Add) and isinstance(node.expression, exp.Anonymous) \
            and node.expression.name.lower() == "to_months":
        return exp.AddMonths(this=node.this, expression=node.expression.expressions[0])
    if isinstance(node, exp.PercentileCont) and not isinstance(node.parent, exp.WithinGroup):
        # quantile_cont(x, q): the linear interpolation between the two nearest values, as Spark's percentile
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.PercentileDisc) and not isinstance(node.parent, exp.WithinGroup):
        # quantile_disc(x, q), q a number or a list: the first value whose cumulative share reaches q
        # in both (DuckDB's equals SQL's percentile_disc, checked on every q = i/k, k ≤ 11)
        # (SQLGlot writes its own PercentileDisc for Spark as an approximation: named as a function)
        return exp.WithinGroup(this=exp.Anonymous(this="percentile_disc", expressions=[node.expression]),
                               expression=exp.Order(expressions=[exp.Ordered(this=node.this)]))
    if isinstance(node, exp.Mod) and isinstance(node.this, (exp.Anonymous, exp.Func)) \
            and node.this.sql(dialect="spark").upper().startswith("HASH("):
        # hash(x) % n = b splits members into buckets: Spark's hash is a signed INT, so pmod
        return exp.Anonymous(this="pmod", expressions=[node.this, node.expression])
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.UBIGINT:
        return exp.DataType.build("BIGINT")  # Spark has no unsigned types (the buckets' numbers above)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_position":
        # 1-based in both; absent: DuckDB NULL, Spark 0
        return exp.Nullif(this=exp.Anonymous(this="array_position", expressions=node.expressions),
                          expression=exp.Literal.number(0))
    return node


@functools.lru_cache(maxsize=1024)
def to_spark(sql: str) -> str:
    """An analysis's DuckDB SQL as Spark SQL: parameters stay parameters ($name → :name, ? → ?)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    # a replaced node's children are not visited in the same pass (a to_months inside a to_months):
    # again until nothing changes
    for _ in range(20):
        before, tree = tree, tree.transform(_spark_forms)
        if tree == before:
            break
    return tree.sql(dialect="spark")


# -- the session and the source ----------------------------------------------------------------------

# The canonical tables' column types in Spark's words (lib/store.py DATASET_TABLES in DuckDB's).
_SPARK_TYPES = {"VARCHAR": "STRING", "TIMESTAMP": "TIMESTAMP_NTZ", "INTEGER": "INT", "BIGINT": "BIGINT",
                "DATE": "DATE", "DOUBLE": "DOUBLE", "DECIMAL(18,2)": "DECIMAL(18,2)", "BOOLEAN": "BOOLEAN"}
# Fields a Spark order-lines table must have (the contract's order_id is optional in a file, whose
# lines without one are numbered at import; a warehouse table has its order ids).
REQUIRED: dict[str, tuple[str, ...]] = {"order_lines": ("member_id", "order_id", "order_date", "amount"),
                                        "members_source": ("member_id",), "nps": ("member_id", "survey_date", "score"),
                                        "spend": ("period", "spend")}
# Every contract field's name, the names --spark-map maps.
FIELDS_BY_NAME = frozenset(f.name for fields in FIELDS.values() for f in fields)
_KIND_OF = {"order_lines": "orders", "members_source": "members", "nps": "nps", "spend": "spend"}
# What a field's source column may be in Spark's types (its simpleString's start), by contract type.
_ACCEPTED = {"id": ("string", "int", "bigint", "smallint", "tinyint", "decimal"), "text": ("string",),
             "gender": ("string",), "timestamp": ("timestamp", "date"), "date": ("date", "timestamp"),
             "money": ("decimal", "double", "float", "int", "bigint", "smallint", "tinyint"),
             "number": ("decimal", "double", "float", "int", "bigint", "smallint", "tinyint"),
             "integer": ("int", "bigint", "smallint", "tinyint"), "score": ("int", "bigint", "smallint", "tinyint")}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def java_missing() -> str | None:
    """Why Spark cannot start here (no Java), or None."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return None
    if shutil.which("java"):
        return None
    return "Spark needs Java (OpenJDK 17 or later) and none was found: install it (Debian: apt-get install " \
           "openjdk-17-jre-headless) or set JAVA_HOME"


_MASTER = re.compile(r"local(\[(\*|[1-9][0-9]*)(,[0-9]+)?\])?|spark://[^/\s]+|k8s://\S+|yarn")


def _check_master(master: str) -> None:
    """A master URL Spark would refuse with a JVM trace is refused here in one line, and a standalone
    master that does not answer is said at once (Spark itself retries for a minute)."""
    if not _MASTER.fullmatch(master):
        raise SparkUnavailable(f"--spark-master {master!r}: give local[N], spark://HOST:PORT, k8s://URL or yarn")
    if master == "yarn" and not (os.environ.get("HADOOP_CONF_DIR") or os.environ.get("YARN_CONF_DIR")):
        raise SparkUnavailable("--spark-master yarn needs HADOOP_CONF_DIR or YARN_CONF_DIR naming the cluster's "
                               "configuration")
    if not master.startswith("spark://"):
        return
    import socket

    reason = "no address"
    for address in master[len("spark://"):].split(","):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise SparkUnavailable(f"--spark-master {master}: each address is HOST:PORT (7077 by default)")
        try:
            with socket.create_connection((host, int(port)), timeout=5):
                return
        except OSError as exc:
            reason = _first_line(exc)
    raise SparkUnavailable(f"cannot reach the Spark master {master}: {reason}")


_SESSIONS: dict[str, Any] = {}
_QUIET_LOG = Path(__file__).with_name("spark_log4j2.properties")


def session(master: str | None = None):
    """The process's SparkSession on `master` (default local[2]), made once."""
    master = master or DEFAULT_MASTER
    if master in _SESSIONS:
        return _SESSIONS[master]
    missing = java_missing()
    if missing:
        raise SparkUnavailable(missing)
    _check_master(master)
    if _SESSIONS:  # Spark keeps one session a process, on the master it started with
        raise SparkUnavailable(f"this process already runs Spark on {next(iter(_SESSIONS))}, not {master}")
    # PySpark's note on pandas 3, which memberlens never hands it (results travel as Arrow)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("Spark's Python package is not installed: pip install -r requirements.txt") from None
    builder = SparkSession.builder
    if not os.environ.get("SPARK_CONF_DIR"):  # your own configuration, logging included, is left alone
        builder = (builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{_QUIET_LOG}")
                   # no spark-warehouse/ folder left in whatever folder the command ran in
                   .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "memberlens-spark-warehouse")))
        if os.environ.get("MEMBERLENS_SPARK_MEMORY"):  # in local mode the driver is the whole cluster
            builder = builder.config("spark.driver.memory", os.environ["MEMBERLENS_SPARK_MEMORY"])
    try:
        spark = (builder.master(master).appName("memberlens")
                 # dates and timestamps read and written as the workspace does: no time zone moves them
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 # ${…} in a column's name is a name, not a variable to put in the text (nor an
                 # environment variable to show in an error)
                 .config("spark.sql.variable.substitute", "false")
                 # Spark 4.3's CTE pushdown leaves some of the analyses' plans unresolved
                 # (PLAN_VALIDATION_FAILED_RULE_IN_BATCH); without it every plan holds
                 .config("spark.sql.optimizer.excludedRules",
                         "org.apache.spark.sql.catalyst.optimizer.PushdownPredicatesAndPruneColumnsForCTEDef")
                 .config("spark.sql.shuffle.partitions", os.environ.get("MEMBERLENS_SPARK_PARTITIONS", "8"))
                 .getOrCreate())
        spark.sparkContext.setLogLevel("OFF")  # its log on the terminal: errors reach the user as one line
    except Exception as exc:  # the JVM's own words, first line only
        raise SparkUnavailable(f"Spark did not start on {master}: {_java_reason(exc)}") from None
    # PySpark logs every refused query's JVM trace on stderr as JSON; the refusal reaches the user as
    # one line of ours instead (SparkStore._run)
    from pyspark.logger import PySparkLogger

    PySparkLogger.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL + 1)
    _SESSIONS[master] = spark
    return spark


def _is_path(ref: str) -> bool:
    return "/" in ref or ref.endswith(".parquet") or Path(ref).exists()


def _read(spark, ref: str, option: str):
    from pyspark.errors import AnalysisException

    with _one_line(f"{option} {ref}: Spark could not read it"):  # anything else (a missing S3 library …)
        try:
            if _is_path(ref):
                return spark.read.parquet(ref)
            return spark.table(ref)
        except AnalysisException as exc:
            what = f"no Parquet data at {ref}" if _is_path(ref) else f"no table {ref} in the Spark catalog"
            raise SparkUnavailable(f"{option}: {what} ({_java_reason(exc)})") from None


def _canonical(spark, table: str, ref: str, mapping: Mapping[str, str], option: str):
    """The source as the canonical table's columns (lib/store.py DATASET_TABLES), a DataFrame; raises
    SparkUnavailable naming a missing column or a wrong type. A field is read from the column
    --spark-map names (which must exist), else from the column of its own name when there is one
    (case-insensitive), else it is empty (NULL). The source's column names (the data's own) never
    enter SQL text: its columns are renamed by position first and built with the Column API."""
    from pyspark.sql import functions as F

    frame = _read(spark, ref, option)
    with _one_line(f"{option} {ref}"):
        types = {f.name.lower(): (f"c{i}", f.name, f.dataType.simpleString())
                 for i, f in enumerate(frame.schema.fields)}
        frame = frame.toDF(*(f"c{i}" for i in range(len(frame.columns))))
    fields = {f.name: f for f in FIELDS[_KIND_OF[table]]}
    shared = [c for c in set(mapping.values()) if sum(1 for v in mapping.values() if v.lower() == c.lower()) > 1]
    if shared:  # two fields from one column would pass silently (orders numbered as members)
        named = sorted(f for f, c in mapping.items() if c.lower() == shared[0].lower())
        raise SparkUnavailable(f"--spark-map maps {' and '.join(named)} to the same column {shared[0]}")
    found: dict[str, Any] = {}  # field -> its source column
    for name, contract_field in fields.items():
        source = mapping.get(name, name)
        hit = types.get(source.lower())
        if hit is None and name in mapping:
            raise SparkUnavailable(f"{option} {ref} has no column {source} (--spark-map {name}={source})")
        if hit is None:
            if name in REQUIRED[table]:
                raise SparkUnavailable(f"{option} {ref} has no column {name}; name its column with "
                                       f"--spark-map {name}=COLUMN")
            continue
        position, column, actual = hit
        accepted = _ACCEPTED[contract_field.type]
        if not actual.startswith(accepted):
            raise SparkUnavailable(f"{option} {ref}: column {column} ({name}) is {actual}; it must be "
                                   f"{' or '.join(sorted(set(accepted)))}")
        found[name] = F.col(position)
    columns = []
    for name, duck_type in _column_specs(table):
        spark_type = _SPARK_TYPES[duck_type]
        if name in ("line_id", "row_id"):  # load order: the order Spark reads the source in
            column = F.monotonically_increasing_id()
        elif table == "order_lines" and name == "order_ts":
            column = found["order_date"].cast("TIMESTAMP_NTZ")
        elif table == "order_lines" and name == "order_date":
            column = found["order_date"].cast("DATE")
        elif table == "members_source" and name == "birth_year" and "birth_year" not in found and "age" in found:
            # a members file's age is its age now (lib/typed.py: at the import's year)
            column = F.year(F.current_date()) - found["age"]
        else:
            column = found.get(name, F.lit(None))
        columns.append(column.cast(spark_type).alias(name))
    with _one_line(f"{option} {ref}"):
        return frame.select(*columns)


def _column_specs(table: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a canonical table, from lib/store.py's DATASET_TABLES text."""
    from lib.store import DATASET_TABLES

    specs = []
    for part in DATASET_TABLES[table].split(", "):
        name, _, duck_type = part.strip().partition(" ")
        specs.append((name, duck_type.replace(" ", "")))
    return specs


@contextmanager
def _one_line(what: str) -> Iterator[None]:
    """Spark's and the JVM's errors as SparkUnavailable: `what`, then the innermost cause's first line."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        raise SparkUnavailable(f"{what}: {_java_reason(exc)}") from None


def _java_reason(exc: BaseException) -> str:
    cause = getattr(exc, "java_exception", None)
    try:
        while cause is not None and cause.getCause() is not None:
            cause = cause.getCause()
        if cause is not None and cause.getMessage():
            return cause.getMessage().strip().splitlines()[0][:300]
    except Exception:  # the JVM itself gone: its Python-side words
        pass
    return _first_line(exc)


class _Result:
    """One query's answer, read as lib.store's cursors read theirs (.pl(), .fetchall())."""

    def __init__(self, frame) -> None:
        self._frame = frame

    def pl(self) -> pl.DataFrame:
        with _one_line("Spark could not run the query"):
            return pl.from_arrow(self._frame.toArrow())  # type: ignore[return-value]

    def fetchall(self) -> list[tuple]:
        with _one_line("Spark could not run the query"):
            return [tuple(row) for row in self._frame.collect()]


class SparkStore:
    """The analyses' store on Spark: `query(sql, params)` and `snapshot()` as lib.store.Store has them."""

    def __init__(self, source: SparkSource) -> None:
        if not source.table("order_lines"):
            raise SparkUnavailable("--spark-table is required: the table or Parquet path of the order lines")
        self.source = source
        self.schema = f"{SCHEMA}{next(_STORE_NUMBERS)}"
        self.spark = session(source.master)
        options = {"order_lines": "--spark-table", "members_source": "--spark-members", "nps": "--spark-nps",
                   "spend": "--spark-spend"}
        for table in ("order_lines", "members_source", "nps", "spend"):
            ref = source.table(table)
            if ref:
                select = _canonical(self.spark, table, ref, source.mapping, options[table])
                if table == "order_lines":
                    self._refuse_empty(select, f"{options[table]} {ref}")
            else:  # none given: the table is empty, as in a dataset without that kind of file
                select = "SELECT " + ", ".join(f"CAST(NULL AS {_SPARK_TYPES[t]}) AS {n}"
                                               for n, t in _column_specs(table)) + " WHERE false"
            self._view(table, select, cache=False)
        ds = self.dataset
        # the derived tables by the workspace's own SQL, kept in the session's memory for the queries
        for table, select in (("orders", orders_sql(ds)), ("members", members_sql(ds))):
            typed = ", ".join(f"CAST({n} AS {_SPARK_TYPES[t]}) AS {n}" for n, t in _column_specs(table))
            self._view(table, f"SELECT {typed} FROM ({to_spark(select)}) derived", cache=True)

    def _refuse_empty(self, frame, what: str) -> None:
        """A source with no row at all is refused (every report would print zeros)."""
        with _one_line(f"{what}: Spark could not read it"):
            if frame.isEmpty():
                raise SparkUnavailable(f"{what} holds no order lines")

    @property
    def dataset(self) -> Dataset:
        """The source as a dataset whose tables are this store's views."""
        return replace(self.source.dataset, schema=self.schema)

    def _view(self, table: str, select: Any, cache: bool) -> None:
        """The view spark_ds<N>_<table>: `select` is our own SQL text or (a source) a DataFrame."""
        name = f"{self.schema}_{table}"
        with _one_line("Spark could not read the source"):
            self.spark.sql(f"UNCACHE TABLE IF EXISTS {name}")
            self.spark.sql(f"DROP VIEW IF EXISTS {name}")
            if isinstance(select, str):
                select = self.spark.sql(select)
            select.createOrReplaceTempView(name)
            if cache:  # now: a value Spark cannot cast is said here, once
                self.spark.sql(f"CACHE TABLE {name}")

    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
        return self._run(sql, params).pl()

    def table_counts(self, ds: Dataset) -> dict[str, int]:
        """Rows per table of the source, as Store.table_counts counts a dataset's."""
        return dict(self.query(table_counts_sql(ds)).iter_rows())

    def results_key(self) -> None:
        """None: no result of a Spark source is kept on disk (lib/results.py); the warehouse changes
        under them, and the app keeps them in memory only, per saved source."""
        return None

    def _run(self, sql: str, params: list[Any] | dict[str, Any] | None) -> _Result:
        with _one_line("Spark refused the query"):
            return _Result(self.spark.sql(to_spark(sql), args=params or None))

    def sql(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> _Result:
        return self._run(sql, params)

    @contextmanager
    def snapshot(self) -> Iterator[SparkStore]:
        """Spark reads the source as it is at each query; the derived tables are cached once."""
        yield self

    def close(self) -> None:
        from py4j.protocol import Py4JError

        try:
            for table in ("orders", "members"):
                self.spark.sql(f"UNCACHE TABLE IF EXISTS {self.schema}_{table}")
        except Py4JError:  # the JVM is gone: nothing is cached any more
            pass

    def __enter__(self) -> SparkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
