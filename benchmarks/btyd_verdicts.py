"""Every model's verdict, reason and parameters on the samples the tests use, one line per fit,
to compare across solver versions: the fit's verdict must not depend on scipy's.

    python benchmarks/btyd_verdicts.py > /tmp/pinned.txt
    /path/to/other-venv/bin/python benchmarks/btyd_verdicts.py > /tmp/other.txt   # e.g. scipy 1.13.1, numpy 2.0.2
    diff /tmp/pinned.txt /tmp/other.txt      # verdicts and reasons must agree; values may differ only where not_converged

Cases: CDNOW in weeks and days, simulated no-dropout / one-dropout-probability / one-dropout-rate
samples, 31 members with one history, 24,000 members (the coarse-grid path), the 5W1H page's 300
members on all data and before its cut-off, and six small BG/NBD samples (150–400 members, whole
days). Takes about four minutes.
"""

import sys
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import scipy

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
warnings.simplefilter("ignore")

from lib import btyd  # noqa: E402
from tests import cdnow  # noqa: E402
from tests.fixtures import simulate_bgnbd  # noqa: E402
from test_btyd import simulate_same_dropout_rate  # noqa: E402
from test_page_w5h1 import population_orders  # noqa: E402


def summary_of(csv_text: str, end: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, t_x, T in days from order rows (member, order, day, amount), distinct purchase days up to end."""
    per: dict[str, set[date]] = {}
    for line in csv_text.splitlines()[1:]:
        member, _, day, _ = line.split(",")
        per.setdefault(member, set()).add(date.fromisoformat(day))
    x, tx, T = [], [], []
    for days in per.values():
        d = sorted(day for day in days if day <= end)
        if d:
            x.append(len(d) - 1)
            tx.append((d[-1] - d[0]).days)
            T.append((end - d[0]).days)
    return np.array(x, float), np.array(tx, float), np.array(T, float)


def cases() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    out = {}
    frame = cdnow.summary()
    weeks = tuple(frame[c].to_numpy().astype(float) for c in ("x", "t_x", "T"))
    out["cdnow_weeks"], out["cdnow_days"] = weeks, (weeks[0], weeks[1] * 7, weeks[2] * 7)
    rng = np.random.default_rng(1)
    T = rng.uniform(30, 60, 3000)
    arrivals = rng.poisson(rng.gamma(0.5, 1 / 0.5, 3000) * T)
    out["no_dropout"] = (arrivals.astype(float), np.where(arrivals > 0, T * rng.beta(np.maximum(arrivals, 1), 1), 0.0), T)
    rng = np.random.default_rng(3)
    T = 39 - rng.uniform(0, 12, 4000)
    out["same_dropout"] = (*simulate_bgnbd(rng, 4000, 0.5, 4.0, 3e7, 7e7, T), T)
    out["same_rate"] = simulate_same_dropout_rate(np.random.default_rng(5), 4000)
    out["one_history"] = (np.array([1.0] * 30 + [0]), np.array([1.0] * 30 + [0]), np.array([9.0] * 30 + [2]))
    rng = np.random.default_rng(11)
    T = rng.uniform(10, 78, 24_000)
    out["coarse_24k"] = (*simulate_bgnbd(rng, 24_000, 0.5, 6.0, 0.9, 2.5, T), T)
    orders = population_orders()
    out["population_all"] = summary_of(orders, date(2024, 6, 30))
    out["population_cutoff"] = summary_of(orders, date(2023, 12, 30))
    for seed in range(6):
        rng, n = np.random.default_rng(100 + seed), 150 + 50 * seed
        T = rng.integers(30, 365, n).astype(float)
        x, t_x = simulate_bgnbd(rng, n, 0.5, 20.0, 0.8, 2.4, T)
        out[f"small_{n}"] = (x, np.floor(t_x), T)
    return out


def main() -> None:
    print("scipy", scipy.__version__, "numpy", np.__version__, file=sys.stderr)
    for name, (x, t_x, T) in cases().items():
        for model in btyd.MODELS:
            fitted = btyd.fit(model, x, t_x, T)
            reason = btyd.boundary_reason(fitted) or btyd.runaway_reason(fitted) or "-"
            print(f"{name:18} {model:10} {fitted.verdict:13} {reason:18} "
                  + " ".join(f"{v:.4g}" for v in fitted.values), flush=True)


if __name__ == "__main__":
    main()
