"""The same analyses on Spark (lib/spark.py) and on DuckDB, in one run, on a generated workspace.

    python benchmarks/ingest.py --members 2200000 --keep     # ~10M order lines -> benchmarks/out/
    python benchmarks/spark.py --members 2200000 [--master local[2]]

The workspace's dataset is written out as Parquet (as a warehouse would hold it), Spark reads it
and builds the derived tables (orders, members: the workspace's own SQL, cached in the session),
then each report runs on both engines, warm (a first untimed call each), and is checked to give
the same numbers (tests/test_spark.py's comparison). The floor on each engine is one GROUP BY
member_id over the order lines. Spark on one 2-core machine is slower than DuckDB: the point is
that the same SQL runs on a cluster (`--master spark://HOST:7077`).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib import reports  # noqa: E402
from lib.__main__ import _filters, _parser  # noqa: E402
from lib.spark import SparkSource, SparkStore, export_dataset  # noqa: E402
from lib.store import Store  # noqa: E402
from tests.report_compare import assert_same_report  # noqa: E402

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("kpis",), ("cohorts",), ("rfm", "--view", "segments"), ("activity",), ("lifecycle", "--summary"),
    ("repurchase",), ("kpis", "--where", "category=奶粉"), ("cohorts", "--where", "channel=天猫"),
)
FLOOR = "SELECT member_id, count(*) AS lines, sum(amount) AS amount FROM {lines} GROUP BY member_id"


def timed(call, repeat: int = 1):
    call()  # warm: plans, caches, the JVM's code
    started = time.perf_counter()
    for _ in range(repeat):
        out = call()
    return (time.perf_counter() - started) / repeat, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=220000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--dataset", default="bench")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    db = args.db or ROOT / "benchmarks" / "out" / f"bench-{args.members}.duckdb"
    with Store(db, read_only=True) as duck, tempfile.TemporaryDirectory() as folder:
        ds = duck.dataset(args.dataset)
        started = time.perf_counter()
        paths = export_dataset(duck, ds, Path(folder))
        print(f"export to Parquet: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with SparkStore(SparkSource({"order_lines": paths["order_lines"], "members_source": paths["members_source"]},
                                    master=args.master, currency=ds.currency)) as spark:
            print(f"Spark {args.master}: start, read, build and cache orders and members: "
                  f"{time.perf_counter() - started:.1f} s")
            rows = []
            for name, store, dataset in (("duckdb", duck, ds), ("spark", spark, spark.dataset)):
                seconds, _ = timed(lambda: store.query(FLOOR.format(lines=dataset.table("order_lines"))))
                rows.append(("floor: GROUP BY member_id", name, seconds))
            print(f"{'report':42} {'duckdb s':>9} {'spark s':>9}  same numbers")
            print(f"{'floor: GROUP BY member_id':42} {rows[0][2]:9.2f} {rows[1][2]:9.2f}")
            for command in COMMANDS:
                parsed = _parser().parse_args(["report", command[0], "--dataset", args.dataset, *command[1:]])
                filters = _filters(parsed)
                table = reports.REPORTS[command[0]].table
                duck_s, duck_out = timed(lambda: table(duck, ds, filters, parsed))
                spark_s, spark_out = timed(lambda: table(spark, spark.dataset, filters, parsed))
                assert_same_report(duck_out, spark_out, " ".join(command))
                print(f"{' '.join(command):42} {duck_s:9.2f} {spark_s:9.2f}  yes ({duck_out.height} rows)", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (DuckDB and the Python side; the JVM is a child): {peak:.0f} MB")


if __name__ == "__main__":
    main()
