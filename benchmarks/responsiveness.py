"""Do other sessions stay responsive while the app saves a big import?

    python benchmarks/responsiveness.py                       # the 1M-line workspace (benchmarks/ingest.py --keep)
    python benchmarks/responsiveness.py --members 2200000     # 10M

Opens a copy of the bench workspace as the app does (Store(shared=True): read-only between saves,
reopened for writing while it saves) and, in reader threads standing for other sessions, runs a
small page query (the KPI cards of the dataset "bench": kpis.run, uncached) over and over. First
alone, then while the main thread imports the bench orders export into a new dataset of the same
store. Prints each reader query's latency (median, 95th percentile, worst) idle and during the
import, and the longest time a reader waited for its query to start: the switches between the
read-only and the writable file (the hand-back closes the writable file, a checkpoint).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib import kpis  # noqa: E402
from lib.ingest import ingest  # noqa: E402
from lib.store import Store  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def _read_loop(store: Store, stop: threading.Event, latencies: list[float]) -> None:
    ds = store.dataset("bench")
    while not stop.is_set():
        started = time.perf_counter()
        kpis.run(store, store.dataset(ds.name), kpis.KpiSpec())
        latencies.append(time.perf_counter() - started)
        time.sleep(0.05)  # a person clicks; not a tight loop


def _summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"{len(ordered):5d} queries  median {statistics.median(ordered):6.3f} s  "
            f"p95 {p95:6.3f} s  worst {ordered[-1]:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=220_000)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--idle-seconds", type=float, default=10)
    args = parser.parse_args()
    source = OUT / f"bench-{args.members}.duckdb"
    orders = OUT / f"demo-{args.members}" / "orders.csv"
    if not source.exists() or not orders.exists():
        sys.exit(f"run `python benchmarks/ingest.py --members {args.members} --keep` first")
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        path = Path(scratch) / "ws.duckdb"
        shutil.copy(source, path)
        store = Store(path, shared=True)
        try:
            for phase in ("idle", "during the import"):
                stop, latencies = threading.Event(), []
                readers = [threading.Thread(target=_read_loop, args=(store, stop, latencies))
                           for _ in range(args.readers)]
                for reader in readers:
                    reader.start()
                started = time.perf_counter()
                if phase == "idle":
                    time.sleep(args.idle_seconds)
                else:
                    result = ingest(store, [orders], "bench_again")
                took = time.perf_counter() - started
                stop.set()
                for reader in readers:
                    reader.join()
                print(f"{phase:18s} {took:6.1f} s  {_summary(latencies)}")
            print(f"imported {result.rows_loaded:,} lines into a second dataset; {args.readers} reader threads")
        finally:
            store.close()


if __name__ == "__main__":
    main()
