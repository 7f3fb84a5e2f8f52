"""The analyses on Spark (lib/spark.py) give DuckDB's numbers: every report, on hand-built fixtures
and on the bundled demo, with filters and date ranges; and a bad configuration is one line, exit 1.

pyspark runs in local mode (a JVM; Java 17+). Where no Java is found these tests skip saying so,
except in CI (`MEMBERLENS_SPARK=1`, set by .ci/run, which installs OpenJDK 17), where they fail.
They stay on one pytest worker (one JVM, one cached copy of each dataset).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
from pathlib import Path

import polars as pl
import pytest

from lib import reports
from lib.__main__ import _filters, _parser, main
from lib.store import Store
from tests.conftest import import_csv
from tests.report_compare import assert_same_report
from tests.report_snapshots import COMMANDS

pytestmark = pytest.mark.xdist_group("spark")
# One JVM serves every test here (and the app's stores the AppTest opens stay cached in it): Spark's
# default 1 GB driver heap ran out in the stage mix after the demo's tests ("Java heap space").
os.environ.setdefault("MEMBERLENS_SPARK_MEMORY", "2g")


def _why_not() -> str | None:
    from lib.spark import java_missing

    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -r requirements.txt)"
    return java_missing()


_MISSING = _why_not()
if _MISSING and os.environ.get("MEMBERLENS_SPARK") != "1":
    pytest.skip(f"Spark tests skipped: {_MISSING}", allow_module_level=True)


def _both(duck_store: Store, dataset: str, spark_store, command: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The report `command` (as typed after `report`) on DuckDB and on Spark; an error is a result
    too (the same refusal on both engines)."""
    args = _parser().parse_args(["report", command[0], "--dataset", dataset, *command[1:]])
    filters = _filters(args)

    def run(store, ds) -> pl.DataFrame:
        try:
            return reports.REPORTS[command[0]].table(store, ds, filters, args)
        except ValueError as exc:  # a report refused for this scope: the same words on both engines
            return pl.DataFrame({"refused": [str(exc)]})

    return run(duck_store, duck_store.dataset(dataset)), run(spark_store, spark_store.dataset)


def _spark_store(folder: Path, duck_store: Store, dataset: str):
    from lib.spark import SparkSource, SparkStore, export_dataset

    ds = duck_store.dataset(dataset)
    return SparkStore(SparkSource(export_dataset(duck_store, ds, folder), currency=ds.currency, name=dataset))


# -- the hand-built fixture ----------------------------------------------------------------------

# Two channels, three categories, multi-line orders, a refund line on a later day, a refund-only
# order, a member with a tier only in the members file, a prospect who never buys, NPS answers and
# monthly spend: every table and every branch of the base (lib/filters.py) has rows.
ORDERS = """会员ID,订单号,支付时间,实付金额,数量,渠道,品类,商品编码,折扣,会员等级
A,A1,2024-01-05 10:00:00,100.00,1,天猫,奶粉,S1,0,金卡
A,A1,2024-01-05 10:00:00,35.50,2,天猫,纸尿裤,S2,5,金卡
A,A2,2024-02-07 09:30:00,80.00,1,门店,奶粉,S1,0,金卡
A,A3,2024-04-01 12:00:00,60.00,1,门店,辅食,S3,10,金卡
A,A3,2024-04-09 12:00:00,-20.00,-1,门店,辅食,S3,0,金卡
B,B1,2024-01-20 08:00:00,45.00,1,门店,纸尿裤,S2,0,银卡
B,B2,2024-03-02 18:00:00,45.00,1,门店,纸尿裤,S2,0,银卡
B,B3,2024-05-30 18:00:00,90.00,2,天猫,纸尿裤,S2,0,银卡
C,C1,2024-02-14 11:11:00,300.00,1,天猫,奶粉,S4,30,
C,C2,2024-02-20 11:11:00,-300.00,-1,天猫,奶粉,S4,0,
D,D1,2024-03-03 07:00:00,25.00,1,门店,辅食,S3,0,
D,D2,2024-03-03 19:00:00,25.00,1,门店,辅食,S3,0,
D,D3,2024-06-01 07:00:00,150.00,3,天猫,奶粉,S1,0,
E,E1,2024-06-15 13:00:00,99.99,1,天猫,辅食,S5,0,银卡
E,E2,2024-06-28 13:00:00,0.01,1,门店,辅食,S5,0,银卡
"""
MEMBERS = """会员ID,注册时间,性别,出生年份,会员等级,注册渠道
A,2023-12-01,女,1990,金卡,门店
C,2024-02-01,男,1985,金卡,天猫
D,2024-03-01,女,1999,,门店
P,2024-05-05,女,2001,银卡,天猫
"""
NPS = """会员ID,提交时间,推荐评分
A,2024-02-10,10
B,2024-03-10,6
C,2024-03-11,0
D,2024-06-05,9
"""
SPEND = """月份,营销费用,渠道
2024-01-01,500,天猫
2024-01-01,300,门店
2024-03-01,800,天猫
2024-06-01,100,门店
"""

# Every report with its default options and the options that choose another table, plus filters
# (member, order, line) and date ranges (start, end, as_of) across the analyses.
FIXTURE_COMMANDS: tuple[tuple[str, ...], ...] = tuple(c for c in COMMANDS if c[0] not in ("clv", "whatif")) + (
    ("kpis", "--as-of", "2024-03-31"),
    ("kpis", "--start", "2024-02-01", "--end", "2024-04-30", "--where", "category=奶粉"),
    ("cohorts", "--where", "member_tier=金卡"),
    ("cohorts", "--start", "2024-02-01", "--end", "2024-03-31", "--mode", "revenue"),
    ("cohorts", "--basis", "signup", "--where", "channel=天猫"),
    ("activity", "--where", "channel=门店", "--as-of", "2024-05-31"),
    ("rfm", "--where", "category=纸尿裤"),
    ("rfm", "--view", "grid", "--as-of", "2024-04-30"),
    ("lifecycle", "--where", "gender=女"),
    ("lifecycle", "--funnel", "--as-of", "2024-03-31"),
    ("repurchase", "--where", "channel=门店"),
    ("repurchase", "--by", "sku", "--start", "2024-02-01"),
    ("pairs", "--level", "sku", "--min-support", "0", "--min-together", "1"),
    ("first_orders", "--where", "member_tier=银卡"),
    ("price_bands", "--price-bands", "3", "--where", "channel=天猫"),
    ("cac", "--by-channel", "--start", "2024-01-01", "--end", "2024-03-31"),
    ("nps", "--by", "segment", "--where", "member_tier=金卡"),
)


@pytest.fixture(scope="module")
def fixture_engines(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark-fixture")
    with Store(folder / "ws.duckdb") as duck:
        for kind, text in (("orders", ORDERS), ("members", MEMBERS), ("nps", NPS), ("spend", SPEND)):
            import_csv(duck, folder, "fixture", text, kind=kind)
    # read-only, as the command line opens it (the CLI tests below open it too)
    with Store(folder / "ws.duckdb", read_only=True) as duck:
        with _spark_store(folder / "parquet", duck, "fixture") as spark:
            yield duck, spark


def test_the_fixture_has_what_the_comparison_needs(fixture_engines):
    duck, _ = fixture_engines
    counts = duck.table_counts(duck.dataset("fixture"))
    assert (counts["order_lines"], counts["orders"], counts["members"], counts["nps"], counts["spend"]) == (15, 13, 6, 4, 4)


def test_spark_builds_the_derived_tables_as_the_workspace_does(fixture_engines):
    duck, spark = fixture_engines
    ds = duck.dataset("fixture")
    for table, key in (("orders", "member_id, order_id"), ("members", "member_id")):
        assert_same_report(duck.query(f"SELECT * FROM {ds.table(table)} ORDER BY {key}"),
                           spark.query(f"SELECT * FROM {spark.dataset.table(table)} ORDER BY {key}"), table)
    # the fixture's own hand-worked facts, on Spark: A's refund line makes A3 40.00 net, C2 is a
    # refund-only order, D's two orders of 2024-03-03 are purchases 1 and 2
    rows = spark.query(f"SELECT order_id, net_amount, is_purchase, nth FROM {spark.dataset.table('orders')} "
                       "WHERE order_id IN ('A3', 'C2', 'D1', 'D2') ORDER BY order_id").rows()
    assert [(o, str(n), p, k) for o, n, p, k in rows] == [
        ("A3", "40.00", True, 3), ("C2", "-300.00", False, None), ("D1", "25.00", True, 1), ("D2", "25.00", True, 2)]


@pytest.mark.parametrize("command", FIXTURE_COMMANDS, ids=" ".join)
def test_every_report_on_the_fixture_gives_duckdbs_numbers(fixture_engines, command):
    duck, spark = fixture_engines
    assert_same_report(*_both(duck, "fixture", spark, command), " ".join(command))


def test_a_fixture_report_is_not_empty_and_reads_as_worked_out(fixture_engines):
    """The comparison above would pass on two empty tables: the KPIs are worked out by hand here."""
    duck, spark = fixture_engines
    _, kpis = _both(duck, "fixture", spark, ("kpis",))
    values = dict(zip(kpis["metric"], kpis["value"]))
    # revenue = all lines: 135.50 + 80 + 60 − 20 + 45 + 45 + 90 + 300 − 300 + 25 + 25 + 150 + 99.99 + 0.01
    assert values["revenue"] == pytest.approx(735.50)
    # purchases: A1 A2 A3, B1 B2 B3, C1, D1 D2 D3, E1 E2 (C2 is refund-only)
    assert (values["orders"], values["buyers"]) == (12, 5)


# -- the demo -------------------------------------------------------------------------------------

DEMO_EXTRA: tuple[tuple[str, ...], ...] = (
    ("kpis", "--as-of", "2025-12-31"),
    ("cohorts", "--start", "2025-01-01", "--end", "2025-06-30", "--where", "channel=天猫"),
    ("rfm", "--as-of", "2026-03-31", "--view", "segments"),
    ("lifecycle", "--summary", "--where", "category=奶粉"),
    ("repurchase", "--start", "2026-01-01", "--where", "channel=天猫"),
    ("clv", "--where", "channel=门店", "--horizon", "6"),
)


@pytest.fixture(scope="module")
def demo_engines(demo_workspace, tmp_path_factory):
    db, dataset = demo_workspace
    with Store(db, read_only=True) as duck:
        with _spark_store(tmp_path_factory.mktemp("spark-demo"), duck, dataset) as spark:
            yield duck, dataset, spark


@pytest.mark.parametrize("command", COMMANDS + DEMO_EXTRA, ids=" ".join)
def test_every_report_on_the_demo_gives_duckdbs_numbers(demo_engines, command):
    duck, dataset, spark = demo_engines
    a, b = _both(duck, dataset, spark, command)
    assert a.height > 0
    assert_same_report(a, b, " ".join(command))


# -- the command line ---------------------------------------------------------------------------

def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def fixture_files(fixture_engines, tmp_path_factory):
    from lib.spark import export_dataset

    duck, _ = fixture_engines
    return duck, export_dataset(duck, duck.dataset("fixture"), tmp_path_factory.mktemp("spark-cli"))


def test_report_engine_spark_prints_what_the_workspace_prints(fixture_files):
    duck, paths = fixture_files
    argv = ("report", "cohorts", "--mode", "revenue", "--where", "category=奶粉")
    code, duck_out, _ = _cli(*argv, "--dataset", "fixture", "--db", str(duck.path))
    assert code == 0
    code, spark_out, err = _cli(*argv, "--engine", "spark", "--spark-table", paths["order_lines"],
                                "--spark-members", paths["members_source"])
    assert (code, err) == (0, "")
    assert spark_out == duck_out


def test_spark_map_names_the_columns_a_warehouse_calls_otherwise(fixture_files, tmp_path):
    duck, paths = fixture_files
    renamed = tmp_path / "lines.parquet"
    pl.read_parquet(paths["order_lines"]).rename({"member_id": "cust_no", "amount": "paid"}).write_parquet(renamed)
    assert _cli("report", "kpis", "--dataset", "fixture", "--db", str(duck.path))[0] == 0
    duck_out = _cli("report", "kpis", "--dataset", "fixture", "--db", str(duck.path))[1]
    code, spark_out, err = _cli("report", "kpis", "--engine", "spark", "--spark-table", str(renamed),
                                "--spark-map", "member_id=cust_no", "--spark-map", "amount=paid")
    assert (code, err) == (0, "")
    # without the members file the KPIs (which use none of its fields) are the same
    assert spark_out == duck_out


def _one_line_error(code: int, out: str, err: str) -> str:
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "\tat " not in err and "org.apache" not in err
    return err


def test_bad_configuration_is_one_line_naming_what_is_missing(fixture_files, tmp_path):
    _, paths = fixture_files
    spark = ("report", "kpis", "--engine", "spark")
    no_amount = tmp_path / "no_amount.parquet"
    pl.read_parquet(paths["order_lines"]).drop("amount").write_parquet(no_amount)
    text_amount = tmp_path / "text_amount.parquet"
    pl.read_parquet(paths["order_lines"]).with_columns(pl.col("amount").cast(pl.String)).write_parquet(text_amount)
    cases = {
        "no column amount": (*spark, "--spark-table", str(no_amount)),
        "column amount (amount) is string": (*spark, "--spark-table", str(text_amount)),
        "no table warehouse.order_lines in the Spark catalog": (*spark, "--spark-table", "warehouse.order_lines"),
        f"no Parquet data at {tmp_path / 'missing.parquet'}": (*spark, "--spark-table", str(tmp_path / "missing.parquet")),
        "cannot reach the Spark master spark://127.0.0.1:9": (*spark, "--spark-table", paths["order_lines"],
                                                              "--spark-master", "spark://127.0.0.1:9"),
        "--engine spark needs --spark-table": spark,
        "--spark-table goes with --engine spark": ("report", "kpis", "--dataset", "x", "--spark-table", "t"),
        "with --engine spark use --where": (*spark, "--spark-table", paths["order_lines"], "--segment", "vip"),
        "not a contract field": (*spark, "--spark-table", paths["order_lines"], "--spark-map", "amout=paid"),
    }
    for expected, argv in cases.items():
        assert expected in _one_line_error(*_cli(*argv)), argv


def test_no_java_is_said_in_one_line(fixture_files, monkeypatch, tmp_path):
    _, paths = fixture_files
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    # a master this process has no session on yet, so the check runs
    err = _one_line_error(*_cli("report", "kpis", "--engine", "spark", "--spark-table", paths["order_lines"],
                                "--spark-master", "local[1]"))
    assert "Spark needs Java (OpenJDK 17 or later)" in err


# -- one SQL ------------------------------------------------------------------------------------

def test_parameters_stay_parameters_in_spark_sql():
    """User values never enter the SQL text on Spark either: DuckDB's $name becomes Spark's :name."""
    from lib.filters import Filters, base
    from lib.spark import SparkSource, to_spark
    from lib.store import Dataset

    ds = Dataset(0, "x", "spark_ds7", 0, None, None)  # type: ignore[arg-type]
    b = base(ds, Filters.of(channel=["门店'; DROP TABLE x; --"]))
    text = to_spark(b.query("SELECT count(*) FROM scoped_orders"))
    assert ":f_channel" in text and ":as_of" in text and "DROP" not in text
    assert "spark_ds7_order_lines" in text and "spark_ds7.order_lines" not in text
    assert SparkSource({"order_lines": "t"}).table("members_source") is None


def test_duckdb_forms_are_said_in_spark_words():
    from lib.spark import to_spark

    # quantile_disc is exact on Spark too (SQLGlot's own spelling would be an approximation)
    text = to_spark("SELECT quantile_disc(price, $cuts::DOUBLE[]) AS q FROM priced")
    assert "PERCENTILE_DISC(CAST(:cuts AS ARRAY<DOUBLE>)) WITHIN GROUP (ORDER BY price" in text
    assert "APPROX" not in text
    # DuckDB's / and avg divide as doubles; a date plus months stays a date
    assert to_spark("SELECT a / b, avg(m) FROM t") == "SELECT CAST(a AS DOUBLE) / b, CAST(SUM(m) AS DOUBLE) / COUNT(m) FROM t"
    assert "ADD_MONTHS(d, CAST((3 * (k)) AS INT))" in to_spark("SELECT (d + to_months((3 * (k))::INTEGER))::DATE FROM t")
    # an ordered list keeps its order (Spark's collect_list has none), and one it cannot keep is refused
    assert to_spark("SELECT list(DISTINCT g ORDER BY g) FROM t") == "SELECT ARRAY_SORT(COLLECT_LIST(DISTINCT g)) FROM t"
    with pytest.raises(ValueError, match="no Spark form"):
        to_spark("SELECT list(g ORDER BY h) FROM t")


# -- the pages' own queries, and a Spark source kept as a dataset of the app ---------------------------

def test_the_pages_own_queries_give_duckdbs_numbers(fixture_engines):
    """What the pages ask besides the reports: the stage mix over time (with its refund-after-purchase
    steps and hash buckets), the migration, Member 360's orders, the filters' values, the order span."""
    from datetime import date

    from lib import kpis, lifecycle, member360
    from lib.filters import filter_options

    duck, spark = fixture_engines
    ds, sds = duck.dataset("fixture"), spark.dataset
    spec = lifecycle.LifecycleSpec()
    for period in ("month", "week"):
        assert_same_report(lifecycle.mix_over_time(duck, ds, spec, period),
                           lifecycle.mix_over_time(spark, sds, spec, period), f"mix by {period}")
    assert_same_report(lifecycle.migration(duck, ds, spec, date(2024, 3, 31), date(2024, 6, 30)),
                       lifecycle.migration(spark, sds, spec, date(2024, 3, 31), date(2024, 6, 30)), "migration")
    a = member360.orders(duck, ds, "A")
    assert_same_report(a, member360.orders(spark, sds, "A"), "member 360 orders")
    assert a["items"].to_list()[0] == "S1 · S2 ×2"  # the dearest line first
    assert filter_options(duck, ds) == filter_options(spark, sds)
    assert kpis.order_span(duck, ds) == kpis.order_span(spark, sds)


def test_a_saved_spark_source_is_a_dataset_of_the_command_line(fixture_files, tmp_path):
    duck, paths = fixture_files
    workspace = tmp_path / "ws.duckdb"
    code, out, err = _cli("spark-source", "add", "仓库 lines", "--db", str(workspace),
                          "--spark-table", paths["order_lines"], "--spark-members", paths["members_source"],
                          "--spark-nps", paths["nps"], "--spark-spend", paths["spend"], "--currency", "CNY")
    assert (code, err) == (0, "") and '"dataset": "spark:仓库 lines", "orders": 13' in out
    code, out, _ = _cli("spark-source", "list", "--db", str(workspace))
    assert code == 0 and '"dataset": "spark:仓库 lines"' in out and '"currency": "CNY"' in out
    for command in (("nps", "--by", "channel"), ("cac",), ("rfm", "--view", "segments")):
        code, from_spark, err = _cli("report", *command[:1], "--dataset", "spark:仓库 lines", "--db", str(workspace),
                                     *command[1:])
        assert (code, err) == (0, "")
        assert from_spark == _cli("report", *command[:1], "--dataset", "fixture", "--db", str(duck.path),
                                  *command[1:])[1]
    assert "is a saved Spark source" in _one_line_error(*_cli(
        "report", "kpis", "--dataset", "spark:仓库 lines", "--db", str(workspace), "--spark-table", "t"))
    assert _cli("spark-source", "remove", "仓库 lines", "--db", str(workspace))[0] == 0
    assert "no Spark source named '仓库 lines'" in _one_line_error(*_cli(
        "report", "kpis", "--dataset", "spark:仓库 lines", "--db", str(workspace)))


def test_a_workspace_dataset_cannot_take_the_spark_prefix(store):
    from lib.store import StoreError

    with pytest.raises(StoreError, match="cannot start with 'spark:'"):
        store.create_dataset("Spark:sales")


def test_the_pages_draw_a_spark_source_with_the_numbers_of_the_same_data_imported(fixture_files, workspace,
                                                                                  tmp_path):
    """The sidebar offers the saved source as "NAME (Spark)"; the Overview's cards and the RFM page's
    cards on it equal those of the same data imported; no "Save as segment" under its lists."""
    from lib import spark
    from tests.conftest import app, page

    _, paths = fixture_files
    spark.save_source(workspace.path, "wh", spark.SparkSource(
        {"order_lines": paths["order_lines"], "members_source": paths["members_source"]}, currency="CNY"))
    for kind, text in (("orders", ORDERS), ("members", MEMBERS)):
        import_csv(workspace, tmp_path, "same", text, kind=kind)
    at = app("en", dataset="spark:wh")
    at.default_timeout = 300
    at.switch_page("pages/rfm.py").run()
    assert not at.exception
    picker = at.sidebar.selectbox[0]
    assert picker.value == "spark:wh" and "wh (Spark)" in picker.options
    assert any("Computed on Spark" in c.value for c in at.sidebar.caption)
    assert not [p for p in at.get("popover") if "segment" in str(p.proto).lower()]
    on_spark = {m.label: m.value for m in at.metric}
    assert on_spark == {m.label: m.value for m in page("rfm", "en", dataset="same").metric}
    assert on_spark  # cards were drawn
    overview = app("en", dataset="spark:wh")
    overview.default_timeout = 300
    overview.switch_page("pages/overview.py").run()
    assert not overview.exception
    assert {m.label: m.value for m in overview.metric} == {m.label: m.value
                                                           for m in page("overview", "en", dataset="same").metric}


# -- what a warehouse table holds that Spark would read otherwise --------------------------------------

def test_a_source_without_a_row_is_refused(fixture_files, tmp_path):
    _, paths = fixture_files
    empty = tmp_path / "empty.parquet"
    pl.read_parquet(paths["order_lines"]).head(0).write_parquet(empty)
    err = _one_line_error(*_cli("report", "kpis", "--engine", "spark", "--spark-table", str(empty)))
    assert "holds no order lines" in err


def test_a_column_name_is_never_read_as_a_spark_variable(fixture_files, tmp_path):
    duck, paths = fixture_files
    odd = tmp_path / "odd.parquet"
    pl.read_parquet(paths["order_lines"]).rename({"amount": "${spark:spark.app.name}"}).with_columns(
        memberlens=pl.lit(1000.0)).write_parquet(odd)
    code, out, err = _cli("report", "kpis", "--engine", "spark", "--spark-table", str(odd),
                          "--spark-map", "amount=${spark:spark.app.name}")
    assert (code, err) == (0, "")
    assert out == _cli("report", "kpis", "--dataset", "fixture", "--db", str(duck.path))[1]


def test_masters_and_mappings_spark_would_refuse_with_a_trace_are_one_line(fixture_files, monkeypatch):
    _, paths = fixture_files
    monkeypatch.delenv("HADOOP_CONF_DIR", raising=False)
    monkeypatch.delenv("YARN_CONF_DIR", raising=False)
    spark = ("report", "kpis", "--engine", "spark", "--spark-table", paths["order_lines"])
    cases = {"give local[N], spark://HOST:PORT": ("--spark-master", "garbage"),
             "yarn needs HADOOP_CONF_DIR": ("--spark-master", "yarn"),
             "each address is HOST:PORT": ("--spark-master", "spark://127.0.0.1"),
             "maps member_id and order_id to the same column member_id": (
                 "--spark-map", "order_id=member_id", "--spark-map", "member_id=member_id")}
    for expected, options in cases.items():
        assert expected in _one_line_error(*_cli(*spark, *options)), options
