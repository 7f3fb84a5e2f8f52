"""Active members per period: new, returning, resurrecting and dormant members, and CRR.

Definitions (SPEC "Active members" and "CRR"; the choices where SPEC is silent are marked *):
- periods: day / ISO week starting Monday / month / quarter, labelled by their first day; the
  report runs from the period holding `start` (default: the first purchase in scope) to the one
  holding `end` (default: as_of), so periods after the last order still show their dormant members.
- **active** in P = members with a purchase (order with net amount > 0) in P;
  **new** = members whose first purchase in scope ever falls in P;
  **returning** = active in P and in P−1; **resurrecting** = active in P, not in P−1, not new;
  **dormant** = active in P−1, not in P (a positive count). active = new + returning + resurrecting.
  Statuses are decided on all history in scope, including purchases before `start`.
- **crr** = (E − N) / S with S = active in P−1 (= returning + dormant), E = active in P, N = new
  in P; null when S = 0. E − N also counts resurrecting members, so crr can exceed 1.
  **crr_strict** = returning / S.
- **revenue_new** = net amount of the scoped lines dated in P of members new in P;
  **revenue_returning** = that of every other member (returning, resurrecting, and refunds of
  members not active in P). *Lines are dated on their own date, as KPI revenue is, so the two add
  up to the overview's revenue of the period; refund-only orders count.
- *complete = the period's last day ≤ as_of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

from lib.periods import (Period, check_period, period_end_sql, period_shift_sql, period_start_sql,
                         period_starts_sql)
from lib.filters import Base, Filters, base
from lib.store import Dataset, Store

DEFAULT_PERIOD: Period = "month"
Status = Literal["new", "returning", "resurrecting", "dormant", "active"]
STATUSES: tuple[Status, ...] = ("new", "returning", "resurrecting", "dormant", "active")
CLI_COLUMNS = ("period", "active", "new", "returning", "resurrecting", "dormant", "crr", "crr_strict",
               "revenue_new", "revenue_returning", "complete")


# The columns and types of run() with the default spec (tests/test_cells.py checks them).
SCHEMA: dict[str, pl.DataType] = {"period": pl.Date, "active": pl.Int64, "new": pl.Int64, "returning": pl.Int64,
          "resurrecting": pl.Int64, "dormant": pl.Int64, "crr": pl.Float64, "crr_strict": pl.Float64,
          "revenue_new": pl.Float64, "revenue_returning": pl.Float64, "complete": pl.Boolean}


@dataclass(frozen=True)
class ActivitySpec:
    filters: Filters = field(default_factory=Filters)
    period: Period = DEFAULT_PERIOD

    def __post_init__(self) -> None:
        check_period(self.period)


def _query(ds: Dataset, spec: ActivitySpec) -> tuple[Base, str]:
    """The base plus CTEs member_periods, statuses (member_id, period, status, purchases), periods."""
    b = base(ds, spec.filters)
    p = spec.period
    ctes = f"""
        member_periods AS (  -- every period in which a member bought, over all history in scope
            SELECT member_id, {period_start_sql(p, 'order_date')} AS period, count(*) AS purchases,
                   {period_start_sql(p, 'min(first_date)')} AS first_period
            FROM purchases GROUP BY ALL),
        member_runs AS (
            SELECT *, lag(period) OVER (PARTITION BY member_id ORDER BY period) AS prev_period,
                      lead(period) OVER (PARTITION BY member_id ORDER BY period) AS next_period
            FROM member_periods),
        statuses AS (
            SELECT member_id, period, purchases,
                   CASE WHEN period = first_period THEN 'new'
                        WHEN prev_period = {period_shift_sql(p, 'period', '-1')} THEN 'returning'
                        ELSE 'resurrecting' END AS status
            FROM member_runs
            UNION ALL
            -- the period after each active period that has no purchase of the member's own
            SELECT member_id, {period_shift_sql(p, 'period', '1')}, 0, 'dormant'
            FROM member_runs
            WHERE next_period IS NULL OR next_period <> {period_shift_sql(p, 'period', '1')}),
        periods AS (SELECT {period_starts_sql(p, 'start_date', 'end_date')} AS period FROM bounds)"""
    return b, ctes


def run(store: Store, ds: Dataset, spec: ActivitySpec = ActivitySpec()) -> pl.DataFrame:
    """One row per period of the range, ORDER BY period (empty when nothing is in scope and no start).

    Columns: period (DATE, first day), active, new, returning, resurrecting, dormant (counts),
    crr, crr_strict (fractions, null when nobody was active in the previous period),
    revenue_new, revenue_returning (2 decimals), complete (bool).
    """
    b, ctes = _query(ds, spec)
    p = spec.period
    sql = b.query(ctes + f""",
        counts AS (
            SELECT period, count_if(status = 'new') AS n_new, count_if(status = 'returning') AS n_ret,
                   count_if(status = 'resurrecting') AS n_res, count_if(status = 'dormant') AS n_dor
            FROM statuses GROUP BY period),
        revenue AS (
            SELECT {period_start_sql(p, 'l.order_date')} AS period,
                   sum(l.amount) FILTER (WHERE {period_start_sql(p, 'f.first_date')}
                                               = {period_start_sql(p, 'l.order_date')}) AS rev_new,
                   sum(l.amount) FILTER (WHERE f.first_date IS NULL OR {period_start_sql(p, 'f.first_date')}
                                               <> {period_start_sql(p, 'l.order_date')}) AS rev_ret
            FROM scoped_lines l LEFT JOIN first_purchases f USING (member_id) GROUP BY 1),
        filled AS (  -- RETURNING is an SQL keyword, hence the short internal names
            SELECT g.period, coalesce(c.n_new, 0) AS n_new, coalesce(c.n_ret, 0) AS n_ret,
                   coalesce(c.n_res, 0) AS n_res, coalesce(c.n_dor, 0) AS n_dor,
                   coalesce(r.rev_new, 0) AS rev_new, coalesce(r.rev_ret, 0) AS rev_ret,
                   {period_end_sql(p, 'g.period')} <= l.as_of AS complete
            FROM periods g LEFT JOIN counts c USING (period) LEFT JOIN revenue r USING (period) CROSS JOIN limits l
            WHERE g.period IS NOT NULL)
        SELECT period, (n_new + n_ret + n_res)::BIGINT AS active, n_new::BIGINT AS "new",
               n_ret::BIGINT AS "returning", n_res::BIGINT AS resurrecting, n_dor::BIGINT AS dormant,
               CASE WHEN n_ret + n_dor > 0 THEN (n_ret + n_res) / (n_ret + n_dor) END::DOUBLE AS crr,
               CASE WHEN n_ret + n_dor > 0 THEN n_ret / (n_ret + n_dor) END::DOUBLE AS crr_strict,
               round(rev_new, 2)::DOUBLE AS revenue_new, round(rev_ret, 2)::DOUBLE AS revenue_returning,
               complete
        FROM filled ORDER BY period""")
    return store.query(sql, b.params)


@dataclass(frozen=True)
class ActivityCell:
    """A count of run(): `period` is any date in the period; status new / returning / resurrecting /
    dormant, or active (= the first three)."""

    period: date
    status: Status

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}; got {self.status!r}")


def cells(store: Store, ds: Dataset, spec: ActivitySpec = ActivitySpec()) -> list[tuple[ActivityCell, int]]:
    """Every count run() shows, with its cell."""
    return [(ActivityCell(row["period"], status), row[status])
            for row in run(store, ds, spec).iter_rows(named=True) for status in STATUSES]


def members(store: Store, ds: Dataset, spec: ActivitySpec, cell: ActivityCell) -> pl.DataFrame:
    """The members behind one count, ORDER BY member_id.

    Columns: member_id, status, purchases (in the period; 0 for dormant), first_purchase (in scope).
    """
    b, ctes = _query(ds, spec)
    sql = b.query(ctes + f"""
        SELECT s.member_id, s.status, s.purchases::BIGINT AS purchases, f.first_date AS first_purchase
        FROM statuses s JOIN first_purchases f USING (member_id)
        WHERE s.period = {period_start_sql(spec.period, '$period::DATE')}
          AND (s.status = $status OR ($status = 'active' AND s.status <> 'dormant'))
        ORDER BY s.member_id""")
    return store.query(sql, {**b.params, "period": cell.period, "status": cell.status})
