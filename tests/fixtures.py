"""Small hand-built datasets for exact tests: orders as tuples, dates as text.

    ds = build(store, lines=[
        # member, order, date,          amount, attributes…
        ("m1", "o1", "2024-01-03",      100,    {"category": "奶粉", "channel": "门店"}),
        ("m1", "o2", "2024-02-10 09:30", -20),
    ], members=[("m1", {"gender": "F", "birth_year": 1990})])

Rows go straight into the dataset's contract tables and the store's own rebuild_derived builds
orders and members, as an import does; nothing of ours is mocked.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from lib.store import Dataset, Store


def d(text: str) -> date:
    return date.fromisoformat(text)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text if " " in text else text + " 00:00")


LINE_ATTRIBUTES = ("quantity", "unit_price", "discount", "sku", "product_name", "category", "channel",
                   "store", "region", "city", "signup_date", "gender", "birth_year", "member_tier")
MEMBER_ATTRIBUTES = ("signup_date", "gender", "birth_year", "member_tier", "region", "city", "channel")


def build(store: Store, name: str = "t", lines: list[tuple] = (), members: list[tuple] = (),
          nps: list[tuple] = (), spend: list[tuple] = ()) -> Dataset:
    """lines: (member, order or None, date, amount[, {attr: value}]); members: (member, {attr: value});
    nps: (member, date, score); spend: (period, spend[, channel])."""
    ds = store.create_dataset(name)
    with store.transaction() as cur:
        for i, row in enumerate(lines, start=1):
            member, order, when, amount, attrs = (*row, {}) if len(row) == 4 else row
            extra = [attrs.get(a) for a in LINE_ATTRIBUTES]
            cur.execute(f"INSERT INTO {ds.table('order_lines')} (line_id, member_id, order_id, order_ts, "
                        f"order_date, amount, {', '.join(LINE_ATTRIBUTES)}) VALUES "
                        f"(?, ?, ?, ?, ?, ?, {', '.join('?' * len(LINE_ATTRIBUTES))})",
                        [i, member, order or f"L{i}", _ts(when), _ts(when).date(), Decimal(str(amount)), *extra])
        for row_id, (member, attrs) in enumerate(members, start=1):
            cur.execute(f"INSERT INTO {ds.table('members_source')} (row_id, member_id, "
                        f"{', '.join(MEMBER_ATTRIBUTES)}) VALUES (?, ?, {', '.join('?' * len(MEMBER_ATTRIBUTES))})",
                        [row_id, member, *[attrs.get(a) for a in MEMBER_ATTRIBUTES]])
        for member, when, score in nps:
            cur.execute(f"INSERT INTO {ds.table('nps')} VALUES (?, ?, ?)", [member, d(when), score])
        for row in spend:
            period, amount, channel = (*row, None) if len(row) == 2 else row
            cur.execute(f"INSERT INTO {ds.table('spend')} VALUES (?, ?, ?)", [d(period), Decimal(str(amount)), channel])
        store.rebuild_derived(cur, ds)
        store.bump_version(cur, ds)
    return store.dataset(name)


def rows(frame: Any) -> list[tuple]:
    """A polars frame as a list of tuples, for literal comparison."""
    return frame.rows()


# -- one workspace per test module --------------------------------------------------------------
# For modules whose tests only read the datasets they build: building once per module keeps the
# suite fast. In the module: `store = module_store()` and `ds = module_dataset(LINES, MEMBERS)`.

def module_store():
    """A module-scoped `store` fixture: one workspace file shared by the module's tests."""

    @pytest.fixture(scope="module")
    def store(tmp_path_factory):
        with Store(tmp_path_factory.mktemp("ws") / "ws.duckdb") as st:
            yield st

    return store


def module_dataset(lines: list[tuple], members: list[tuple] = ()):
    """A module-scoped `ds` fixture: `build(store, lines=lines, members=members)` once, on `store`."""

    @pytest.fixture(scope="module")
    def ds(store):
        return build(store, lines=lines, members=members)

    return ds


def flat_export(lines: list[tuple], people: dict[str, dict]) -> list[tuple]:
    """Lines as a flat export has them: each carries its member's attributes (`people[member]`,
    none for a member not listed) beside its own."""
    return [(*row[:4], {**(row[4] if len(row) > 4 else {}), **people.get(row[0], {})}) for row in lines]


# -- simulated BTYD customers ------------------------------------------------------------------


def simulate_bgnbd(rng: np.random.Generator, n: int, r: float, alpha: float, a: float, b: float,
                   T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """FHL 2005's story: λ ~ Gamma(r, rate α), p ~ Beta(a, b); repeat purchases arrive as Poisson(λ);
    after each one the customer drops out with probability p. Returns (x, t_x)."""
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    lifetime_purchases = rng.geometric(p)            # drops out right after the k-th repeat purchase
    arrivals = rng.poisson(lam * T)                  # repeat purchases in (0, T] if alive throughout
    x = np.minimum(lifetime_purchases, arrivals)
    # Given `arrivals` in (0, T], the x-th arrival time / T is the x-th uniform order statistic.
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(arrivals - x + 1, 1)), 0.0)
    return x.astype(float), t_x
