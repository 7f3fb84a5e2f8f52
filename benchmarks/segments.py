"""Seconds for saved segments on a large workspace: saving one, evaluating it live, and analyses
filtered by it (as saved: a subquery of segment_members; live: its ids bound as one list), beside
the same analyses unfiltered, the floor (one DuckDB scan of the orders joined to the segment's
members) and hand-written polars (the same count and sum over orders loaded into memory).

    python benchmarks/ingest.py --members 220000 --keep      # ~1M order lines -> benchmarks/out/
    python benchmarks/segments.py --members 220000           # works on a copy: the workspace is not changed

Prints warm seconds (the second of two runs) and the process's peak memory; run it with
/usr/bin/time -v for the whole process's.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

import lib  # noqa: E402
from lib import cohorts, kpis, lifecycle, rfm, segments  # noqa: E402
from lib.filters import Filters  # noqa: E402
from lib.store import Store  # noqa: E402

lib.keep_freed_arrays()


def _timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _warm(call: Callable[[], object]) -> tuple[float, object]:
    call()
    return _timed(call)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=220_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--dataset", default="bench")
    parser.add_argument("--cell", default="at_risk", help="the RFM segment saved (default at_risk)")
    args = parser.parse_args()
    source = args.db or ROOT / "benchmarks" / "out" / f"bench-{args.members}.duckdb"
    if not source.exists():
        sys.exit(f"no workspace at {source}: run benchmarks/ingest.py --members {args.members} --keep first")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        shutil.copy(source, db)
        with Store(db) as store:  # writable only to save: a writing connection has a 2 GB memory limit
            ds = store.dataset(args.dataset)
            counts = store.table_counts(ds)
            print(f"{source.name}: {counts['order_lines']:,} order lines, {counts['orders']:,} orders, "
                  f"{counts['members']:,} members")
            definition = segments.Definition.of(rfm.members, rfm.RfmSpec(), rfm.RfmCell(segment=args.cell))
            save_s, saved = _timed(lambda: segments.save(store, ds, "bench", definition))
        with Store(db, read_only=True) as store:  # as the app reads (lib.store: shared, read-only between saves)
            ds = store.dataset(args.dataset)
            live_s, (live, _) = _warm(lambda: segments.scope(store, ds, saved, "live"))
            as_saved = segments.saved_set(saved)
            print(f"segment {args.cell}: {saved.members:,} members; saved in {save_s:.2f} s (evaluated and written); "
                  f"evaluated live in {live_s:.2f} s")
            history_s, _ = _timed(lambda: segments.size_over_time(store, ds, saved))
            overlap_s, _ = _warm(lambda: segments.overlap(store, live, as_saved))
            export_s, exported = _timed(lambda: segments.export(store, ds, as_saved, segments.DEFAULT_EXPORT))
            print(f"size over time (13 evaluations) {history_s:.2f} s; overlap {overlap_s:.2f} s; "
                  f"export ({', '.join(exported.columns)}) {export_s:.2f} s")

            floor_s, floor = _warm(lambda: store.query(f"""
                SELECT count(*) AS orders, sum(net_amount)::DOUBLE AS revenue FROM {ds.table('orders')}
                WHERE is_purchase AND member_id IN (SELECT member_id FROM segment_members WHERE segment_id = $id)""",
                {"id": saved.id}))
            orders = store.query(f"SELECT member_id, net_amount::DOUBLE AS net_amount, is_purchase "
                                 f"FROM {ds.table('orders')}")
            ids = segments.ids_of(store, as_saved)["member_id"]
            hand_s, hand = _warm(lambda: orders.filter(pl.col("is_purchase") & pl.col("member_id").is_in(ids.implode()))
                                 .select(pl.len().alias("orders"), pl.col("net_amount").sum().alias("revenue")))
            same = (int(floor["orders"][0]) == int(hand["orders"][0])
                    and abs(float(floor["revenue"][0]) - float(hand["revenue"][0])) < 0.01)
            print(f"floor (orders of its members, one DuckDB scan) {floor_s:.2f} s; polars over loaded orders "
                  f"{hand_s:.2f} s; same numbers: {'yes' if same else 'NO'}")

            print(f"{'analysis':<18} {'all s':>7} {'saved s':>8} {'live s':>7}  saved = live")
            for name, run in (("kpis", lambda f: kpis.run(store, ds, kpis.KpiSpec(f))),
                              ("cohorts month", lambda f: cohorts.run(store, ds, cohorts.CohortSpec(f))),
                              ("rfm", lambda f: rfm.run(store, ds, rfm.RfmSpec(f))),
                              ("lifecycle", lambda f: lifecycle.run(store, ds, lifecycle.LifecycleSpec(f)))):
                all_s, _ = _warm(lambda: run(Filters()))
                saved_s, by_saved = _warm(lambda: run(Filters.of(segment=as_saved)))
                live_run_s, by_live = _warm(lambda: run(Filters.of(segment=live)))
                print(f"{name:<18} {all_s:>7.2f} {saved_s:>8.2f} {live_run_s:>7.2f}  "
                      f"{'yes' if by_saved.equals(by_live) else 'NO'}", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
