"""Seconds per analysis on a large workspace, and the process's peak memory.

    python benchmarks/ingest.py --members 2200000 --keep     # ~10M order lines -> benchmarks/out/
    python benchmarks/analyses.py --members 2200000          # times every analysis on that workspace

Each analysis runs once cold (first call after opening the file) and once warm; the table shows
both. Filtered variants show the line-level path (a category filter) and an order filter. Then
kpis, cohorts, RFM, activity and lifecycle stages beside the floor (one GROUP BY member_id over the
lines) and hand-written polars over the same orders, each checked to give the same numbers
(benchmarks/baselines.py).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib import (activity, backtest, cac, clv, cohorts, kpis, lifecycle, nps, pairs,  # noqa: E402
                 price_bands, repurchase, rfm)
from lib.w5h1 import why  # noqa: E402
from benchmarks import baselines  # noqa: E402
from lib.filters import Filters  # noqa: E402
from lib.store import Store  # noqa: E402
import lib  # noqa: E402

lib.keep_freed_arrays()  # malloc tuned as the app and the command line tune it


def cases(store: Store, ds) -> list[tuple[str, Callable[[], object]]]:
    data_end = kpis.order_span(store, ds)[1]
    year_ago = data_end - timedelta(days=365)
    toys = Filters.of(category="奶粉")
    tmall = Filters.of(channel="天猫")
    return [
        ("kpis", lambda: kpis.run(store, ds)),
        ("kpis, category filter", lambda: kpis.run(store, ds, kpis.KpiSpec(toys))),
        ("cohorts month", lambda: cohorts.run(store, ds, cohorts.CohortSpec())),
        ("cohorts week", lambda: cohorts.run(store, ds, cohorts.CohortSpec(period="week"))),
        ("cohorts rolling 30", lambda: cohorts.run(store, ds, cohorts.CohortSpec(rolling=30))),
        ("cohorts revenue, 天猫", lambda: cohorts.run(store, ds, cohorts.CohortSpec(tmall, mode="revenue"))),
        ("cohorts average", lambda: cohorts.average(store, ds, cohorts.CohortSpec())),
        ("activity month", lambda: activity.run(store, ds, activity.ActivitySpec())),
        ("rfm", lambda: rfm.run(store, ds, rfm.RfmSpec())),
        ("rfm grid", lambda: rfm.grid(store, ds, rfm.RfmSpec())),
        ("rfm segments", lambda: rfm.segments(store, ds, rfm.RfmSpec())),
        ("lifecycle", lambda: lifecycle.run(store, ds, lifecycle.LifecycleSpec())),
        ("lifecycle summary", lambda: lifecycle.summary(store, ds, lifecycle.LifecycleSpec())),
        ("lifecycle mix by month", lambda: lifecycle.mix_over_time(store, ds, lifecycle.LifecycleSpec(), "month")),
        ("lifecycle mix by week", lambda: lifecycle.mix_over_time(store, ds, lifecycle.LifecycleSpec(), "week")),
        ("lifecycle migration", lambda: lifecycle.migration(store, ds, lifecycle.LifecycleSpec(), year_ago, data_end)),
        ("repurchase by category", lambda: repurchase.run(store, ds, repurchase.RepurchaseSpec(by="category"))),
        ("repurchase by sku", lambda: repurchase.run(store, ds, repurchase.RepurchaseSpec(by="sku"))),
        ("repurchase cycles", lambda: repurchase.cycles(store, ds, repurchase.RepurchaseSpec())),
        ("next purchases", lambda: repurchase.next_purchases(store, ds, repurchase.RepurchaseSpec(by="category"))),
        ("product pairs", lambda: pairs.run(store, ds, pairs.PairSpec())),
        ("price x discount", lambda: price_bands.run(store, ds, price_bands.PriceBandSpec())),
        ("nps by stage", lambda: nps.run(store, ds, nps.NpsSpec(by="stage"))),
        ("cac by channel", lambda: cac.run(store, ds, cac.CacSpec(by_channel=True))),
        ("clv (fit + score)", lambda: clv.run(store, ds, clv.ClvSpec())),
        ("clv backtest", lambda: backtest.backtest(store, ds, clv.ClvSpec(), year_ago)),
        ("historical clv", lambda: why.historical(store, ds, clv.ClvSpec())),
    ]


def _warm(call: Callable[[], object]) -> tuple[float, object]:
    call()
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def compare(store: Store, ds) -> None:
    """kpis, cohorts (month), RFM, activity (month) and lifecycle stages beside the floor and
    hand-written polars (warm seconds)."""
    floor, _ = _warm(lambda: baselines.floor(store, ds))
    started = time.perf_counter()
    orders = baselines.load_orders(store, ds)
    load = time.perf_counter() - started
    end = baselines.data_end(store, ds)
    spec = lifecycle.LifecycleSpec()
    recent = baselines.load_recent_lines(store, ds, end, 2 * spec.spend_window_days)
    print(f"\nfloor (one GROUP BY member_id over the lines): {floor:.2f} s; polars: orders loaded in {load:.2f} s "
          f"(not counted below)")
    print(f"{'analysis':<26} {'ours s':>8} {'× floor':>8} {'polars s':>9} {'× polars':>9}  same numbers")
    rows = (("kpis", lambda: kpis.run(store, ds), lambda: baselines.polars_kpis(orders), baselines.check_kpis),
            ("cohorts month", lambda: cohorts.run(store, ds), lambda: baselines.polars_cohorts(orders),
             baselines.check_cohorts),
            ("rfm", lambda: rfm.run(store, ds), lambda: baselines.polars_rfm(orders, end), baselines.check_rfm),
            ("activity month", lambda: activity.run(store, ds), lambda: baselines.polars_activity(orders),
             baselines.check_activity),
            ("lifecycle stages", lambda: lifecycle.run(store, ds, spec),
             lambda: baselines.polars_lifecycle(orders, recent, end, spec), baselines.check_lifecycle))
    for name, ours, hand, check in rows:
        ours_s, _ = _warm(ours)
        hand_s, result = _warm(hand)
        print(f"{name:<26} {ours_s:>8.2f} {ours_s / floor:>8.1f} {hand_s:>9.2f} {ours_s / hand_s:>9.1f}  "
              f"{'yes' if check(store, ds, result) else 'NO'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2_200_000)
    parser.add_argument("--db", type=Path, help="workspace (default: the one benchmarks/ingest.py kept)")
    parser.add_argument("--dataset", default="bench")
    parser.add_argument("--only", help="run the cases whose name contains this text")
    parser.add_argument("--compare", action="store_true", help="only the comparison with the floor and polars")
    args = parser.parse_args()
    db = args.db or ROOT / "benchmarks" / "out" / f"bench-{args.members}.duckdb"
    if not db.exists():
        sys.exit(f"no workspace at {db}: run benchmarks/ingest.py --members {args.members} --keep first")
    with Store(db, read_only=True) as store:
        ds = store.dataset(args.dataset)
        counts = store.table_counts(ds)
        print(f"{db.name}: {counts['order_lines']:,} order lines, {counts['orders']:,} orders, "
              f"{counts['members']:,} members")
        print(f"{'analysis':<26} {'cold s':>8} {'warm s':>8} {'rows':>10}")
        for name, call in cases(store, ds):
            if args.compare or (args.only and args.only not in name):
                continue
            started = time.perf_counter()
            result = call()
            cold = time.perf_counter() - started
            started = time.perf_counter()
            call()
            warm = time.perf_counter() - started
            rows = getattr(result, "height", None)
            if rows is None and hasattr(result, "per_member"):
                rows = result.per_member.height
            print(f"{name:<26} {cold:>8.2f} {warm:>8.2f} {rows if rows is not None else '':>10}", flush=True)
        if not args.only:
            compare(store, ds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
