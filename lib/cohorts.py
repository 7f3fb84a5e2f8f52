"""Cohorts: retention by the period of each member's first purchase (or signup).

Definitions (SPEC "Metric definitions" → Cohort; the choices where SPEC is silent are marked *):
- **cohort** = the calendar period (day / ISO week starting Monday / month / quarter) holding the
  member's anchor date: the first purchase in scope (basis `first_purchase`, default) or
  `members.signup_date` (basis `signup`; members without one are left out, as are signups
  after as_of). *With basis signup the cohort is every member who signed up in the period and
  passes the member filters, whether or not they ever bought (so k = 0 is not 100 %); order and
  line filters only decide which purchases count as retention.
- **period k**: calendar mode = whole calendar periods from the cohort period to the purchase's
  period; rolling mode (`rolling` = 1 / 7 / 30 / 91) = floor(days since the member's own anchor /
  window). In both, `cohort` is the calendar period of the anchor. *Purchases (and revenue)
  before period 0 (before the anchor in rolling mode; before the signup period in calendar
  mode) are ignored.
- **modes**: classic = members of the cohort with ≥ 1 purchase in k / cohort size; unbounded =
  members with ≥ 1 purchase in k or later / cohort size; revenue = cohort revenue in k / cohort
  revenue in period 0, where *revenue = the net amount of the cohort's scoped order lines dated
  in k (refund-only orders included; a refund line counts on its own date, as for KPI revenue),
  and the rate is null when period-0 revenue ≤ 0. Revenue retention may exceed 1, and is
  negative when the refunds dated in k outweigh the purchases.
- **complete** = the cell's period has ended by as_of. Calendar: the period's last day ≤ as_of.
  *Rolling: every member's window k has ended (latest anchor of the cohort + (k + 1) × window − 1
  ≤ as_of).
- **cells reported**: k = 0 … the last period that has started at as_of (rolling: for the
  cohort's earliest anchor), zeros included.
- **date range**: *the cohorts whose period lies between the period holding `start` and the one
  holding `end` (whole cohorts: a cohort is never cut in half by the range); each is followed to
  as_of (purchases after `end` count). Without `start` every cohort from the first anchor on.
- **average** per k over the cohorts whose cell k is *complete*; weight = cohort size (classic,
  unbounded) or period-0 revenue (revenue; cohorts with period-0 revenue ≤ 0 are left out), so
  rate = Σ retained / Σ weight.
- *at_period(k)*: one column of the triangle (every cohort's cell k, e.g. month-1 retention by
  cohort); *compare(field, values)*: the average curve of each scope "the spec's filters, with
  `field` = value" (a filter the spec already has on that field is replaced by the value).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import polars as pl

from lib.filters import FILTER_FIELDS, Base, Filters, base
from lib.periods import (Period, check_period, period_end_sql, period_index_sql, period_shift_sql,
                         period_start_sql)
from lib.store import Dataset, Store

Basis = Literal["first_purchase", "signup"]
Mode = Literal["classic", "unbounded", "revenue"]
BASES: tuple[Basis, ...] = ("first_purchase", "signup")
MODES: tuple[Mode, ...] = ("classic", "unbounded", "revenue")
ROLLING_WINDOWS: tuple[int, ...] = (1, 7, 30, 91)
DEFAULT_PERIOD: Period = "month"
DEFAULT_BASIS: Basis = "first_purchase"
DEFAULT_MODE: Mode = "classic"
CLI_COLUMNS = ("cohort", "period", "cohort_size", "retained", "rate", "complete")
# The members-behind-a-cell frame names the anchor after the basis.
ANCHOR_COLUMN: dict[Basis, str] = {"first_purchase": "first_purchase", "signup": "signup_date"}


def _check(value: object, allowed: tuple, name: str) -> None:
    # Same type as well as equal: True == 1 and 7.0 == 7, but neither may reach the SQL text.
    if not any(type(value) is type(option) and value == option for option in allowed):
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}")


# The columns and types of run() with the default spec (tests/test_cells.py checks them); with
# mode revenue, retained is Float64 (money).
SCHEMA: dict[str, pl.DataType] = {"cohort": pl.Date, "period": pl.Int64, "cohort_size": pl.Int64, "retained": pl.Int64,
          "rate": pl.Float64, "complete": pl.Boolean}


@dataclass(frozen=True)
class CohortSpec:
    filters: Filters = field(default_factory=Filters)
    period: Period = DEFAULT_PERIOD
    basis: Basis = DEFAULT_BASIS
    mode: Mode = DEFAULT_MODE
    rolling: int | None = None  # window in days; None = calendar periods

    def __post_init__(self) -> None:
        # These values are written into SQL text, so only allow-listed ones get through.
        check_period(self.period)
        _check(self.basis, BASES, "basis")
        _check(self.mode, MODES, "mode")
        if self.rolling is not None:
            _check(self.rolling, ROLLING_WINDOWS, "rolling")


def _anchors(ds: Dataset, spec: CohortSpec) -> str:
    """One row per candidate member: member_id, anchor (first purchase in scope, or signup date)."""
    if spec.basis == "first_purchase":
        return "SELECT member_id, first_date AS anchor FROM first_purchases"
    # scoped_members: the members passing the member filters (lib/filters.py).
    return ("SELECT member_id, signup_date AS anchor FROM scoped_members "
            "WHERE signup_date IS NOT NULL AND signup_date <= (SELECT as_of FROM limits)")


def _k(spec: CohortSpec, day: str) -> str:
    """Period index of the date `day` for a row of cohort_members `c`."""
    if spec.rolling:
        return f"(date_diff('day', c.anchor, {day}) // {spec.rolling})"
    return period_index_sql(spec.period, "c.cohort", period_start_sql(spec.period, day))


def _after_start(spec: CohortSpec, day: str) -> str:
    # Rows before period 0 are dropped (and keep the integer division away from negatives).
    return f"{day} >= c.anchor" if spec.rolling else f"{day} >= c.cohort"


def _in_cohorts(p: Period, anchor: str, one_cohort: bool) -> str:
    """Whether the date `anchor` falls in a reported cohort (from start, up to end; with
    one_cohort only the one holding $cohort); `b` = bounds. Our own SQL expressions only."""
    return (f"($start::DATE IS NULL OR {anchor} >= {period_start_sql(p, '$start::DATE')}) "
            f"AND {period_start_sql(p, anchor)} <= {period_start_sql(p, 'b.end_date')} AND "
            + (f"{period_start_sql(p, anchor)} = {period_start_sql(p, '$cohort::DATE')}" if one_cohort else "true"))


def _query(ds: Dataset, spec: CohortSpec, one_cohort: bool = False) -> tuple[Base, str]:
    """The base plus CTEs cohort_members, cohorts, purchase_cells, revenue_cells, member_cells, cells.
    one_cohort: only the cohort holding the bound date $cohort (the members of one cell need no
    other cohort's purchases: on 10M lines 2.3 s instead of 3.5–6 s)."""
    b = base(ds, spec.filters)
    p = spec.period
    weight = "coalesce(m.value, 0)" if spec.mode == "revenue" else "s.cohort_size"
    if spec.rolling:
        last_k = f"(date_diff('day', s.first_anchor, l.as_of) // {spec.rolling})"
        period_end = f"(s.last_anchor + ((g.k + 1) * {spec.rolling} - 1)::INTEGER)"
    else:
        last_k = period_index_sql(p, "s.cohort", period_start_sql(p, "l.as_of"))
        period_end = period_end_sql(p, period_shift_sql(p, "g.cohort", "g.k"))
    if spec.basis == "first_purchase":
        # Every purchase carries its member's first purchase date: no join with the cohorts.
        purchase_cells = f"""
            SELECT c.member_id, c.cohort, {_k(spec, 'c.order_date')} AS k, count(*) AS purchases
            FROM (SELECT member_id, order_date, first_date AS anchor, {period_start_sql(p, 'first_date')} AS cohort
                  FROM purchases) c, bounds b
            WHERE {_in_cohorts(p, 'c.anchor', one_cohort)} AND {_after_start(spec, 'c.order_date')} GROUP BY ALL"""
    else:
        purchase_cells = f"""
            SELECT c.member_id, c.cohort, {_k(spec, 'o.order_date')} AS k, count(*) AS purchases
            FROM purchases o JOIN cohort_members c USING (member_id)
            WHERE {_after_start(spec, 'o.order_date')} GROUP BY ALL"""
    ctes = f"""
        anchors AS ({_anchors(ds, spec)}),
        cohort_members AS (
            SELECT a.member_id, a.anchor, {period_start_sql(p, 'a.anchor')} AS cohort
            FROM anchors a, bounds b WHERE {_in_cohorts(p, 'a.anchor', one_cohort)}),
        cohorts AS (
            SELECT cohort, count(*) AS cohort_size, min(anchor) AS first_anchor, max(anchor) AS last_anchor
            FROM cohort_members GROUP BY cohort),
        purchase_cells AS ({purchase_cells}),  -- one row per member and period with a purchase
        revenue_cells AS (  -- one row per member and period with a line in scope, refunds included
            SELECT c.member_id, c.cohort, {_k(spec, 'o.order_date')} AS k, sum(o.amount) AS revenue
            FROM scoped_lines o JOIN cohort_members c USING (member_id)
            WHERE {_after_start(spec, 'o.order_date')} GROUP BY ALL),
        member_cells AS (
            SELECT member_id, cohort, k, coalesce(pc.purchases, 0) AS purchases,
                   coalesce(rc.revenue, 0) AS revenue
            FROM purchase_cells pc FULL JOIN revenue_cells rc USING (member_id, cohort, k)),
        grid AS (
            SELECT s.cohort, unnest(range(0, {last_k} + 1)) AS k FROM cohorts s, limits l),
        measure AS ({_measure(spec.mode)}),
        weights AS (
            -- exact (members, or DECIMAL money): sums of doubles would move in the last digit with
            -- the order threads add them in
            SELECT s.cohort, {weight} AS weight
            FROM cohorts s LEFT JOIN measure m ON m.cohort = s.cohort AND m.k = 0),
        cells AS (
            SELECT g.cohort, g.k AS period, s.cohort_size, coalesce(m.value, 0) AS retained, w.weight,
                   {period_end} <= l.as_of AS complete
            FROM grid g JOIN cohorts s USING (cohort) JOIN weights w USING (cohort)
            LEFT JOIN measure m USING (cohort, k) CROSS JOIN limits l)"""
    return b, ctes


def _measure(mode: Mode) -> str:
    """(cohort, k, value): retained members (classic / unbounded) or revenue of each cell."""
    if mode == "classic":
        return "SELECT cohort, k, count(*) AS value FROM purchase_cells GROUP BY ALL"
    if mode == "revenue":
        return "SELECT cohort, k, sum(revenue) AS value FROM revenue_cells GROUP BY ALL"
    return """
            SELECT g.cohort, g.k, count(r.member_id) AS value
            FROM grid g JOIN (SELECT member_id, cohort, max(k) AS last_k FROM purchase_cells GROUP BY ALL) r
              ON r.cohort = g.cohort AND r.last_k >= g.k
            GROUP BY ALL"""


def _retained_sql(mode: Mode) -> str:
    return "round(retained, 2)::DOUBLE" if mode == "revenue" else "retained::BIGINT"


def run(store: Store, ds: Dataset, spec: CohortSpec = CohortSpec()) -> pl.DataFrame:
    """The retention triangle, one row per cohort and period, ORDER BY cohort, period.

    Columns: cohort (DATE, first day of the cohort period), period (k ≥ 0), cohort_size (members),
    retained (members; for mode revenue the revenue of period k, 2 decimals), rate (retained /
    cohort_size; revenue: / period-0 revenue, null when that is ≤ 0), complete (bool).
    """
    b, ctes = _query(ds, spec)
    sql = b.query(ctes + f"""
        SELECT cohort, period::BIGINT AS period, cohort_size::BIGINT AS cohort_size,
               {_retained_sql(spec.mode)} AS retained,
               CASE WHEN weight > 0 THEN retained / weight END::DOUBLE AS rate, complete
        FROM cells ORDER BY cohort, period""")
    return store.query(sql, b.params)


def average(store: Store, ds: Dataset, spec: CohortSpec = CohortSpec()) -> pl.DataFrame:
    """The weighted average curve, one row per period k that has ≥ 1 complete cell, ORDER BY period.

    Columns: period, cohorts (cohorts contributing), members (their summed cohort sizes),
    weight (summed weights: = members, or period-0 revenue for mode revenue), rate (Σ retained / Σ weight).
    """
    b, ctes = _query(ds, spec)
    sql = b.query(ctes + """
        SELECT period::BIGINT AS period, count(*)::BIGINT AS cohorts, sum(cohort_size)::BIGINT AS members,
               round(sum(weight), 2)::DOUBLE AS weight, (sum(retained) / sum(weight))::DOUBLE AS rate
        FROM cells WHERE complete AND weight > 0
        GROUP BY period ORDER BY period""")
    return store.query(sql, b.params)


def at_period(store: Store, ds: Dataset, spec: CohortSpec = CohortSpec(), k: int = 1) -> pl.DataFrame:
    """Cell k of every cohort that has reached it (run()'s rows with period = k), ORDER BY cohort.

    Columns as run(): cohort, period, cohort_size, retained, rate, complete.
    """
    return run(store, ds, spec).filter(pl.col("period") == k)


def scoped(filters: Filters, name: str, value: str) -> Filters:
    """`filters` narrowed to `name` = value (replacing any values it already had for `name`)."""
    if name not in FILTER_FIELDS:
        raise ValueError(f"cannot filter on {name!r} (fields: {', '.join(FILTER_FIELDS)})")
    return Filters.of(start=filters.start, end=filters.end, as_of=filters.as_of, segment=filters.segment,
                      **{**dict(filters.where), name: [value]})


def compare(store: Store, ds: Dataset, spec: CohortSpec, name: str, values: tuple[str, ...]) -> pl.DataFrame:
    """The average curve of each scope (spec's filters with `name` = value), one after another.

    Columns: scope (the value), then average()'s period, cohorts, members, weight, rate;
    ORDER BY the order of `values`, then period.
    """
    frames = [average(store, ds, replace(spec, filters=scoped(spec.filters, name, value)))
              .select(pl.lit(value, pl.String).alias("scope"), pl.all()) for value in values]
    empty = pl.DataFrame(schema={"scope": pl.String, "period": pl.Int64, "cohorts": pl.Int64,
                                 "members": pl.Int64, "weight": pl.Float64, "rate": pl.Float64})
    return pl.concat([empty, *frames], how="vertical_relaxed")


@dataclass(frozen=True)
class CohortCell:
    """A number of the triangle: `cohort` is any date in the cohort period; `period` k, or None for
    the whole cohort (cohort_size)."""

    cohort: date
    period: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.cohort, date):
            raise ValueError(f"cohort must be a date; got {self.cohort!r}")
        if self.period is not None and (type(self.period) is not int or self.period < 0):
            raise ValueError(f"period must be a whole number ≥ 0 or None; got {self.period!r}")


def cells(store: Store, ds: Dataset, spec: CohortSpec = CohortSpec()) -> list[tuple[CohortCell, int]]:
    """Every member count run() shows, with its cell: each cohort's size and (classic, unbounded)
    each period's retained members."""
    frame = run(store, ds, spec)
    out = [(CohortCell(c), n) for c, n in frame.filter(pl.col("period") == 0).select("cohort", "cohort_size").rows()]
    if spec.mode != "revenue":
        out += [(CohortCell(c, k), n) for c, k, n in frame.select("cohort", "period", "retained").rows()]
    return out


def members(store: Store, ds: Dataset, spec: CohortSpec, cell: CohortCell) -> pl.DataFrame:
    """The members behind one cell, ORDER BY member_id.

    period None: the whole cohort (cohort_size). Otherwise, by mode: classic = members with a
    purchase in k; unbounded = with a purchase in k or later; revenue = members with a scoped
    line in k (refunds included).
    Columns: member_id, first_purchase (or signup_date), purchases and revenue (2 decimals) in
    the cell (unbounded: in k and later; whole cohort: from period 0 on).
    """
    b, ctes = _query(ds, spec, one_cohort=True)
    period = cell.period
    if period is None:
        k_condition, having = "true", "true"
    else:
        k_condition = "mc.k >= $k" if spec.mode == "unbounded" else "mc.k = $k"
        having = "count(mc.k) > 0" if spec.mode == "revenue" else "sum(mc.purchases) > 0"
    sql = b.query(ctes + f"""
        SELECT c.member_id, c.anchor AS {ANCHOR_COLUMN[spec.basis]},
               coalesce(sum(mc.purchases), 0)::BIGINT AS purchases,
               round(coalesce(sum(mc.revenue), 0), 2)::DOUBLE AS revenue
        FROM cohort_members c LEFT JOIN member_cells mc ON mc.member_id = c.member_id AND {k_condition}
        WHERE c.cohort = {period_start_sql(spec.period, '$cohort::DATE')}
        GROUP BY c.member_id, c.anchor HAVING {having}
        ORDER BY c.member_id""")
    params = {**b.params, "cohort": cell.cohort, **({} if period is None else {"k": period})}
    return store.query(sql, params)
