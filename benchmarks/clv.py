"""Seconds to fit and score each CLV model, and the process's peak memory.

    python benchmarks/clv.py --members 2000000                 # simulated member summaries (whole days)
    python benchmarks/clv.py --db benchmarks/out/bench.duckdb --dataset bench   # a workspace (benchmarks/ingest.py)

Simulated: members follow the MBG/NBD story (λ ~ Gamma(0.3, rate 30 days), dropout p ~ Beta(0.8,
2.4) after each purchase), first purchases spread over three years, times in whole days, as the
SQL summary hands them over. Each model is fitted on the rows grouped by distinct (x, t_x, T) —
what lib/clv.py does — then every member is scored (P(alive) and expected purchases over 52
weeks). The floor beside it is the grouping itself (numpy unique over the members), the least any
fit must read. Workspace: clv.fit + clv.run per model through the SQL summary (the floor there is
clv.summary alone). Run on a quiet machine: timings are wall-clock.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib import btyd, clv  # noqa: E402
import lib  # noqa: E402

lib.keep_freed_arrays()  # malloc tuned as the app and the command line tune it


def simulate(n: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    T = rng.integers(0, 3 * 365, n).astype(float)
    lam, p = rng.gamma(0.3, 1 / 30, n), rng.beta(0.8, 2.4, n)  # a purchase per 100 days on average
    purchases_alive = rng.geometric(p) - 1           # MBG: may drop out right after the first purchase
    arrivals = rng.poisson(lam * T)
    x = np.minimum(purchases_alive, arrivals)
    t_x = np.where(x > 0, np.floor(T * rng.beta(np.maximum(x, 1), np.maximum(arrivals - x + 1, 1))), 0.0)
    return x.astype(float), t_x, T


def timed(f):
    started = time.perf_counter()
    out = f()
    return out, time.perf_counter() - started


def simulated(n: int, models: tuple[str, ...]) -> None:
    x, t_x, T = simulate(n)
    (keys, counts), floor = timed(lambda: np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_counts=True))
    print(f"{n:,} members, {len(keys):,} distinct (x, t_x, T) rows; grouping (floor) {floor:.2f} s")
    print(f"{'model':<12}{'fit s':>8}{'score s':>9}{'total s':>9}  verdict        parameters (per day)")
    for model in models:
        fitted, fit_s = timed(lambda: btyd.fit(model, keys[:, 0], keys[:, 1], keys[:, 2], counts))
        _, score_s = timed(lambda: (btyd.p_alive(fitted, keys[:, 0], keys[:, 1], keys[:, 2]),
                                    btyd.expected_purchases(fitted, 364, keys[:, 0], keys[:, 1], keys[:, 2])))
        values = ", ".join(f"{k} {v:.4g}" for k, v in zip(fitted.names, fitted.values))
        print(f"{model:<12}{fit_s:>8.2f}{score_s:>9.2f}{floor + fit_s + score_s:>9.2f}  {fitted.verdict:<14} {values}")


def workspace(db: Path, dataset: str, models: tuple[str, ...]) -> None:
    from lib.store import Store

    with Store(db, read_only=True) as store:
        ds = store.dataset(dataset)
        frame, floor = timed(lambda: clv.summary(store, ds, clv.ClvSpec()))
        print(f"{frame.height:,} buyers; SQL summary alone (floor) {floor:.2f} s")
        print(f"{'model':<12}{'fit s':>8}{'run s':>8}  status")
        for model in models:
            spec = clv.ClvSpec(model=model)
            fitted, fit_s = timed(lambda: clv.fit(store, ds, spec))
            _, run_s = timed(lambda: clv.run(store, ds, spec, fitted))
            print(f"{model:<12}{fit_s:>8.2f}{run_s:>8.2f}  {fitted.status} {fitted.notes or fitted.runaway or ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=2_000_000)
    ap.add_argument("--models", nargs="+", choices=btyd.MODELS, default=list(btyd.MODELS))
    ap.add_argument("--db", type=Path)
    ap.add_argument("--dataset")
    args = ap.parse_args()
    if args.db:
        workspace(args.db, args.dataset, tuple(args.models))
    else:
        simulated(args.members, tuple(args.models))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
