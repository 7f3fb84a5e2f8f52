"""KPIs: the headline numbers over a date range, each beside the previous window of equal length.

Definitions (SPEC "Metric definitions"; the window is [start, end], both inclusive; start defaults
to the first purchase in scope, end to as_of; the previous window is the same number of days
just before start):
- revenue = sum of the net amounts of the scoped order lines dated in the window (a refund line
  counts on its own date);
- orders = purchases (orders with net amount > 0) dated in the window;
- buyers = active_members = members with ≥ 1 purchase in the window;
- aov = revenue / orders; purchase_frequency = orders / buyers;
- repurchase_rate = buyers of the window with a repeat purchase in it (a purchase that is not
  their first in scope; history before start counts, as SPEC's date-range rule says) / buyers;
- order_repurchase_rate = purchases in the window that are not the member's first in scope / orders;
- new_buyers = buyers whose first purchase in scope is in the window;
- crr = (E − N) / S with S = buyers of the previous win, E = buyers of this one, N = new buyers
  of this one; crr_strict = members active in both windows / S.
A ratio with a zero denominator is null.

trend() gives the same metrics per calendar period (day / ISO week / month / quarter) from the
period holding start to the one holding end, whole periods; there the "previous window" of CRR is
the previous calendar period (as in lib.activity, so active / new / crr agree with it).
window() makes the window explicit: the whole range, or its last N days.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

import polars as pl

from lib.filters import Base, Filters, base
from lib.periods import Period, check_period, period_end_sql, period_shift_sql, period_start_sql, period_starts_sql
from lib.store import Dataset, Store

METRICS = ("revenue", "orders", "buyers", "aov", "purchase_frequency", "repurchase_rate",
           "order_repurchase_rate", "active_members", "new_buyers", "crr", "crr_strict")
Window = Literal["current", "previous"]
# Members behind a number: which metric names a set of members, and how.
MEMBER_METRICS = ("buyers", "active_members", "new_buyers", "repeat_buyers", "retained")
# Metrics that are fractions: their change reads best in percentage points, not as a ratio.
RATE_METRICS = ("repurchase_rate", "order_repurchase_rate", "crr", "crr_strict")


# The columns and types of run() with the default spec (tests/test_cells.py checks them).
SCHEMA: dict[str, pl.DataType] = {"metric": pl.String, "value": pl.Float64, "previous": pl.Float64, "change": pl.Float64}


@dataclass(frozen=True)
class KpiSpec:
    filters: Filters = field(default_factory=Filters)


def _query(ds: Dataset, spec: KpiSpec) -> tuple[Base, str]:
    b = base(ds, spec.filters)
    windows = """
        windows AS (
            SELECT 'current' AS win, start_date AS w_start, end_date AS w_end FROM bounds
            UNION ALL
            SELECT 'previous', start_date - (date_diff('day', start_date, end_date) + 1)::INTEGER, start_date - 1 FROM bounds),
        window_purchases AS (
            SELECT w.win, p.* FROM windows w JOIN purchases p ON p.order_date BETWEEN w.w_start AND w.w_end),
        window_buyers AS (
            SELECT win, member_id, count(*) AS purchases, bool_or(nth = 1) AS is_new,
                   bool_or(nth >= 2) AS is_repeat  -- history before the window counts
            FROM window_purchases GROUP BY win, member_id)"""
    return b, windows


def _window_counts(store: Store, ds: Dataset, spec: KpiSpec) -> dict[str, dict]:
    """Per window (current, previous): revenue, orders, buyers, repeat_buyers, new_buyers,
    repeat_orders, and retained (buyers of both windows; the same on both rows)."""
    b, windows = _query(ds, spec)
    sql = b.query(windows + """,
        revenue AS (
            SELECT w.win, sum(l.amount) AS revenue
            FROM windows w JOIN scoped_lines l ON l.order_date BETWEEN w.w_start AND w.w_end GROUP BY 1),
        counts AS (
            SELECT win, count(*) AS buyers, sum(purchases) AS orders, count_if(is_repeat) AS repeat_buyers,
                   count_if(is_new) AS new_buyers
            FROM window_buyers GROUP BY win),
        repeat_orders AS (SELECT win, count_if(nth > 1) AS n FROM window_purchases GROUP BY win),
        both_windows AS (
            SELECT count(*) AS n FROM window_buyers c JOIN window_buyers p
            ON c.member_id = p.member_id AND c.win = 'current' AND p.win = 'previous')
        SELECT w.win, coalesce(r.revenue, 0)::DOUBLE AS revenue, coalesce(c.orders, 0)::DOUBLE AS orders,
               coalesce(c.buyers, 0)::DOUBLE AS buyers, coalesce(c.repeat_buyers, 0)::DOUBLE AS repeat_buyers,
               coalesce(c.new_buyers, 0)::DOUBLE AS new_buyers, coalesce(ro.n, 0)::DOUBLE AS repeat_orders,
               (SELECT n FROM both_windows)::DOUBLE AS retained
        FROM windows w LEFT JOIN revenue r USING (win) LEFT JOIN counts c USING (win)
        LEFT JOIN repeat_orders ro USING (win)
        ORDER BY w.win""")
    return {r["win"]: r for r in store.query(sql, b.params).iter_rows(named=True)}


def run(store: Store, ds: Dataset, spec: KpiSpec = KpiSpec()) -> pl.DataFrame:
    """Columns: metric (METRICS order), value, previous (the window before), change (value / previous − 1).

    Amounts are rounded to 2 decimals; rates are fractions.
    """
    raw = _window_counts(store, ds, spec)
    current = _metrics(raw["current"], raw["previous"])
    previous = _metrics(raw["previous"], None)
    return pl.DataFrame({
        "metric": list(METRICS),
        "value": [current[m] for m in METRICS],
        "previous": [previous[m] for m in METRICS],
        "change": [_change(current[m], previous[m]) for m in METRICS],
    }, schema={"metric": pl.String, "value": pl.Float64, "previous": pl.Float64, "change": pl.Float64})


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _change(now: float | None, before: float | None) -> float | None:
    return now / before - 1 if now is not None and before else None


def _metrics(row: dict, before: dict | None) -> dict[str, float | None]:
    revenue, orders, buyers = row["revenue"], row["orders"], row["buyers"]
    earlier = before["buyers"] if before else 0.0
    return {
        "revenue": round(revenue, 2),
        "orders": orders,
        "buyers": buyers,
        "aov": None if not orders else round(revenue / orders, 2),
        "purchase_frequency": _ratio(orders, buyers),
        "repurchase_rate": _ratio(row["repeat_buyers"], buyers),
        "order_repurchase_rate": _ratio(row["repeat_orders"], orders),
        "active_members": buyers,
        "new_buyers": row["new_buyers"],
        # CRR needs the window before this one; the previous window's own CRR is not computed.
        "crr": _ratio(buyers - row["new_buyers"], earlier) if before else None,
        "crr_strict": _ratio(row["retained"], earlier) if before else None,
    }


@dataclass(frozen=True)
class KpiCell:
    """A member count: buyers / active_members, new_buyers, repeat_buyers (≥ 2 purchases in the
    window) or retained (active in both windows; window ignored), in the current or previous window."""

    metric: str
    window: Window = "current"

    def __post_init__(self) -> None:
        if self.metric not in MEMBER_METRICS:
            raise ValueError(f"no members behind {self.metric!r} (choose from {', '.join(MEMBER_METRICS)})")
        if self.window not in ("current", "previous"):
            raise ValueError(f"window must be current or previous; got {self.window!r}")


def cells(store: Store, ds: Dataset, spec: KpiSpec = KpiSpec()) -> list[tuple[KpiCell, int]]:
    """Every member count behind run(), with its cell: buyers (= active_members), new_buyers and
    repeat_buyers (the numerator of repurchase_rate) in both windows, and retained (of crr_strict)."""
    raw = _window_counts(store, ds, spec)
    counted = {"buyers": "buyers", "active_members": "buyers", "new_buyers": "new_buyers",
               "repeat_buyers": "repeat_buyers"}
    return ([(KpiCell(metric, window), int(raw[window][column]))
             for window in ("current", "previous") for metric, column in counted.items()]
            + [(KpiCell("retained"), int(raw["current"]["retained"]))])


def members(store: Store, ds: Dataset, spec: KpiSpec, cell: KpiCell) -> pl.DataFrame:
    """The members behind a member count (KpiCell).

    Columns: member_id, purchases (in the win), first_purchase (date, in scope), sorted by member_id.
    """
    metric, window = cell.metric, cell.window
    condition = {"buyers": "true", "active_members": "true", "new_buyers": "is_new",
                 "repeat_buyers": "is_repeat",
                 "retained": "member_id IN (SELECT member_id FROM window_buyers WHERE win = 'previous')"}[metric]
    if metric == "retained":
        window = "current"
    b, windows = _query(ds, spec)
    sql = b.query(windows + f"""
        SELECT wb.member_id, wb.purchases, min(p.first_date) AS first_purchase
        FROM window_buyers wb JOIN purchases p USING (member_id)
        WHERE wb.win = $window AND {condition}
        GROUP BY wb.member_id, wb.purchases ORDER BY wb.member_id""")
    return store.query(sql, {**b.params, "window": window})


def window(filters: Filters, first: date, last: date, days: int | None = None) -> Filters:
    """The KPI window as explicit dates: the last `days` days (both ends inclusive) up to the end
    of the range (`filters.end`, else data end `last`); days None = the whole range
    (`filters.start`, else the first order date `first`). The rest of the scope stays as it is."""
    if days is not None and days < 1:
        raise ValueError(f"days must be ≥ 1; got {days}")
    end = min(filters.end or last, last)
    start = end - timedelta(days=days - 1) if days else (filters.start or first)
    return replace(filters, start=start, end=end)


def trend(store: Store, ds: Dataset, spec: KpiSpec = KpiSpec(), period: Period = "month") -> pl.DataFrame:
    """The KPIs per calendar period, one row per period of the range, ORDER BY period.

    Columns: period (DATE, first day), then METRICS (as run(), each over the period; crr and
    crr_strict against the previous calendar period, null when nobody bought in it), complete
    (the period's last day ≤ as_of). Periods run from the one holding start (default: the first
    purchase in scope) to the one holding end (default: as_of), whole periods; empty when nothing
    is in scope and there is no start.
    """
    check_period(period)
    b = base(ds, spec.filters)
    ps = lambda expr: period_start_sql(period, expr)  # noqa: E731
    sql = b.query(f"""
        periods AS (SELECT {period_starts_sql(period, 'start_date', 'end_date')} AS period FROM bounds),
        member_periods AS (  -- over all history in scope: the period before start decides CRR
            SELECT member_id, {ps('order_date')} AS period, count(*) AS purchases,
                   count_if(nth > 1) AS repeat_orders, bool_or(nth = 1) AS is_new, bool_or(nth >= 2) AS is_repeat
            FROM purchases GROUP BY ALL),
        counts AS (
            SELECT period, count(*) AS buyers, sum(purchases) AS orders, count_if(is_repeat) AS repeat_buyers,
                   sum(repeat_orders) AS repeat_orders, count_if(is_new) AS new_buyers
            FROM member_periods GROUP BY period),
        retained AS (
            SELECT c.period, count(*) AS n FROM member_periods c JOIN member_periods p
              ON p.member_id = c.member_id AND p.period = {period_shift_sql(period, 'c.period', '-1')}
            GROUP BY c.period),
        revenue AS (SELECT {ps('order_date')} AS period, sum(amount) AS revenue FROM scoped_lines GROUP BY 1)
        SELECT g.period, coalesce(r.revenue, 0)::DOUBLE AS revenue, coalesce(c.orders, 0)::DOUBLE AS orders,
               coalesce(c.buyers, 0)::DOUBLE AS buyers, coalesce(c.repeat_buyers, 0)::DOUBLE AS repeat_buyers,
               coalesce(c.repeat_orders, 0)::DOUBLE AS repeat_orders,
               coalesce(c.new_buyers, 0)::DOUBLE AS new_buyers, coalesce(t.n, 0)::DOUBLE AS retained,
               coalesce(p.buyers, 0)::DOUBLE AS previous_buyers,
               {period_end_sql(period, 'g.period')} <= l.as_of AS complete
        FROM periods g LEFT JOIN revenue r USING (period) LEFT JOIN counts c USING (period)
        LEFT JOIN retained t USING (period)
        LEFT JOIN counts p ON p.period = {period_shift_sql(period, 'g.period', '-1')}
        CROSS JOIN limits l
        WHERE g.period IS NOT NULL
        ORDER BY g.period""")
    rows = []
    for row in store.query(sql, b.params).iter_rows(named=True):
        metrics = _metrics(row, {"buyers": row["previous_buyers"]})
        rows.append({"period": row["period"], **metrics, "complete": row["complete"]})
    schema = {"period": pl.Date, **{m: pl.Float64 for m in METRICS}, "complete": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row")


def series(frame: pl.DataFrame, metric: str) -> list[float]:
    """A trend() column as a sparkline: the complete periods only (an open period's partial
    numbers would read as a drop), periods without a value left out."""
    return [v for v in frame.filter(pl.col("complete"))[metric].to_list() if v is not None]


def order_span(store: Store, ds: Dataset) -> tuple[date | None, date | None]:
    """First and last order date of a dataset (the last is data end, the default as_of)."""
    return store.query(f"SELECT min(order_date) AS first, max(order_date) AS last "
                       f"FROM {ds.table('order_lines')}").row(0)
