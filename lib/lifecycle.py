"""Lifecycle stages at as_of: prospect, exploration, growth, stable, decline, churned.

Definitions (SPEC "Lifecycle stage"; every threshold is a spec field, defaults below; day
counts are whole days between dates; purchases are those in scope up to as_of). The first rule
that holds decides:
1. prospect — in a members file (`in_members_file`), no purchase in scope, and not signed up
   after as_of (an unknown signup date counts as registered). Only with a members file, and only
   without an order or line filter (`has_prospects`): under one, the population is the buyers in
   that scope, and a member who bought only outside it, or never, has no stage there.
2. churned — recency_days = as_of − last purchase date > churn_days (180): 180 is not churned.
3. exploration — exactly one purchase.
4. decline — ≥ 2 purchases and either
   - the gap rule: recency_days > gap_multiple (1.5) × the member's median gap, where the gaps
     are the days between consecutive *purchase days* (same-day purchases are one visit, so a
     gap is never 0; a member whose purchases all fall on one day has no gap and the rule
     does not apply), median of an even count = mean of the middle two; or
   - the spend rule: net spend in (as_of − 90, as_of] ≤ spend_ratio (0.70) × net spend in
     (as_of − 180, as_of − 90] (windows of spend_window_days). Net spend = the scoped order
     lines dated in the window, refund lines on their own date (as revenue). The rule only
     applies when the earlier window's net spend is > 0: from 0 or less there is nothing to
     decline from.
5. growth — ≥ 2 purchases and as_of − first purchase date ≤ growth_days (365).
6. stable — the remaining members with ≥ 2 purchases.
start / end do not apply (a stage is a snapshot at as_of over all history in scope).

Funnel steps: registered (every member with a stage = prospects + buyers; without a members
file, or under an order or line filter, the buyers) → first_purchase (≥ 1 purchase) → second_purchase (≥ 2) → third_purchase
(≥ 3) → stable (stage stable; it may include 2-purchase members, so it is not always a subset of
the step before). Migration between two dates: each member's stage with as_of = each date,
everything else equal; a member without a stage at the first date (not yet registered, known
only from later orders, or under an order or line filter not yet a buyer in scope) has from_stage
null.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import polars as pl

from lib.filters import Filters, base
from lib.periods import (check_period, period_end_sql, period_start_sql, period_starts_sql,
                         purchase_day_gaps_sql)
from lib.store import Dataset, Store

DEFAULT_CHURN_DAYS = 180
DEFAULT_GAP_MULTIPLE = 1.5
DEFAULT_SPEND_RATIO = 0.70
DEFAULT_SPEND_WINDOW_DAYS = 90
DEFAULT_GROWTH_DAYS = 365

Stage = Literal["prospect", "exploration", "growth", "stable", "decline", "churned"]
# Funnel order: the way a member moves through the stages.
STAGES: tuple[Stage, ...] = ("prospect", "exploration", "growth", "stable", "decline", "churned")
Step = Literal["registered", "first_purchase", "second_purchase", "third_purchase", "stable"]
# funnel step -> which rows of run() it counts
FUNNEL: dict[Step, pl.Expr] = {
    "registered": pl.col("member_id").is_not_null(),  # every row (member_id is never null)
    "first_purchase": pl.col("purchases") >= 1,
    "second_purchase": pl.col("purchases") >= 2,
    "third_purchase": pl.col("purchases") >= 3,
    "stable": pl.col("stage") == "stable",
}
RUN_COLUMNS = ("member_id", "stage", "purchases", "recency_days", "median_gap_days", "first_purchase",
               "last_purchase", "recent_spend", "prior_spend")


# The columns and types of run() with the default spec (tests/test_cells.py checks them).
SCHEMA: dict[str, pl.DataType] = {"member_id": pl.String, "stage": pl.String, "purchases": pl.Int64, "recency_days": pl.Int64,
          "median_gap_days": pl.Float64, "first_purchase": pl.Date, "last_purchase": pl.Date,
          "recent_spend": pl.Float64, "prior_spend": pl.Float64}


@dataclass(frozen=True)
class LifecycleSpec:
    filters: Filters = field(default_factory=Filters)
    churn_days: int = DEFAULT_CHURN_DAYS
    gap_multiple: float = DEFAULT_GAP_MULTIPLE
    spend_ratio: float = DEFAULT_SPEND_RATIO
    spend_window_days: int = DEFAULT_SPEND_WINDOW_DAYS
    growth_days: int = DEFAULT_GROWTH_DAYS

    def __post_init__(self) -> None:
        if self.churn_days < 0 or self.growth_days < 0 or self.spend_window_days < 1:
            raise ValueError("churn_days and growth_days must be ≥ 0, spend_window_days ≥ 1")
        if self.gap_multiple < 0 or self.spend_ratio < 0:
            raise ValueError("gap_multiple and spend_ratio must be ≥ 0")


@dataclass(frozen=True)
class MigrationCell:
    """The members who moved from one stage at date_from to another at date_to (None: no stage
    at that date)."""

    date_from: date
    date_to: date
    from_stage: str | None
    to_stage: str | None

    def __post_init__(self) -> None:
        for stage in (self.from_stage, self.to_stage):
            if stage is not None and stage not in STAGES:
                raise ValueError(f"no stage {stage!r} (stages: {', '.join(STAGES)})")


def has_prospects(filters: Filters) -> bool:
    """Whether prospects are counted in this scope: not under an order or line filter, since
    "registered, never bought" does not depend on a channel, store or product ("prospects of
    天猫" would be every member who has not bought there, buyers elsewhere included)."""
    return not filters.narrows_orders()


def _stage_sql(as_of: str) -> str:
    """The stage rules (module docstring) over purchases, recency_days, median_gap_days,
    first_purchase, recent_spend, prior_spend; `as_of` is our own SQL expression."""
    return f"""CASE WHEN purchases = 0 THEN 'prospect'
                    WHEN recency_days > $lc_churn_days THEN 'churned'
                    WHEN purchases = 1 THEN 'exploration'
                    WHEN coalesce(recency_days > $lc_gap_multiple * median_gap_days, false)
                      OR (prior_spend > 0 AND recent_spend <= $lc_spend_ratio * prior_spend) THEN 'decline'
                    WHEN date_diff('day', first_purchase, {as_of}) <= $lc_growth_days THEN 'growth'
                    ELSE 'stable' END"""


def prospects_known(store: Store, ds: Dataset, filters: Filters) -> bool:
    """Whether the prospect count means something in this scope: a members file is loaded (the
    only source of members who never bought) and `has_prospects(filters)`. Elsewhere a count of 0
    prospects means "unknown", not "none"."""
    return has_prospects(filters) and store.table_counts(ds)["members_source"] > 0


def ctes(ds: Dataset, spec: LifecycleSpec) -> str:
    """CTEs after the filtered base; the last, `lifecycle`, has RUN_COLUMNS (prospects included
    when `has_prospects`, bound by `params` as $lc_prospects)."""
    return f"""
    lc_buyers AS (
        SELECT member_id, count(*) AS purchases, min(order_date) AS first_purchase,
               max(order_date) AS last_purchase
        FROM purchases GROUP BY member_id),
    lc_gaps AS ({purchase_day_gaps_sql("purchases", "member_id")}),
    lc_median AS (
        SELECT member_id, quantile_cont(gap_days, 0.5) AS median_gap_days FROM lc_gaps
        WHERE gap_days IS NOT NULL GROUP BY member_id),
    lc_spend AS (
        SELECT l.member_id,
               coalesce(sum(l.amount) FILTER (WHERE l.order_date > b.as_of - $lc_window::INTEGER), 0)::DOUBLE
                   AS recent_spend,
               coalesce(sum(l.amount) FILTER (WHERE l.order_date > b.as_of - (2 * $lc_window)::INTEGER
                                              AND l.order_date <= b.as_of - $lc_window::INTEGER), 0)::DOUBLE
                   AS prior_spend
        FROM scoped_lines l CROSS JOIN bounds b
        WHERE l.order_date > b.as_of - (2 * $lc_window)::INTEGER  -- only the two windows' lines
        GROUP BY l.member_id),
    lc_facts AS (
        SELECT c.member_id, c.purchases, date_diff('day', c.last_purchase, (SELECT as_of FROM bounds)) AS recency_days,
               g.median_gap_days, c.first_purchase, c.last_purchase,
               coalesce(s.recent_spend, 0) AS recent_spend, coalesce(s.prior_spend, 0) AS prior_spend
        FROM lc_buyers c LEFT JOIN lc_median g USING (member_id) LEFT JOIN lc_spend s USING (member_id)
        UNION ALL
        SELECT m.member_id, 0, NULL, NULL, NULL, NULL, NULL, NULL
        FROM scoped_members m
        WHERE $lc_prospects AND m.in_members_file
          AND (m.signup_date IS NULL OR m.signup_date <= (SELECT as_of FROM bounds))
          AND NOT EXISTS (SELECT 1 FROM lc_buyers c WHERE c.member_id = m.member_id)),
    lifecycle AS (
        SELECT member_id,
               {_stage_sql("(SELECT as_of FROM bounds)")} AS stage,
               purchases, recency_days, median_gap_days, first_purchase, last_purchase,
               round(recent_spend, 2) AS recent_spend, round(prior_spend, 2) AS prior_spend
        FROM lc_facts)"""


def params(spec: LifecycleSpec) -> dict[str, object]:
    return {"lc_churn_days": spec.churn_days, "lc_gap_multiple": float(spec.gap_multiple),
            "lc_spend_ratio": float(spec.spend_ratio), "lc_window": spec.spend_window_days,
            "lc_growth_days": spec.growth_days, "lc_prospects": has_prospects(spec.filters)}


def _sql(ds: Dataset, spec: LifecycleSpec, select: str, member: str | None = None) -> tuple[str, dict[str, object]]:
    b = base(ds, spec.filters, member)
    return b.query(ctes(ds, spec) + " " + select), {**b.params, **params(spec)}


def run(store: Store, ds: Dataset, spec: LifecycleSpec = LifecycleSpec()) -> pl.DataFrame:
    """One row per member with a stage: RUN_COLUMNS, sorted by member_id. Prospects have
    purchases 0 and nulls elsewhere; recent_spend / prior_spend are the spend rule's two windows."""
    sql, values = _sql(ds, spec, f"SELECT {', '.join(RUN_COLUMNS)} FROM lifecycle ORDER BY member_id")
    return store.query(sql, values)


def member_row(store: Store, ds: Dataset, spec: LifecycleSpec, member_id: str) -> dict[str, object] | None:
    """run()'s row of one member (None: no stage in this scope), from that member's history
    alone: a stage depends on nothing else but the data end (Member 360 shows one member)."""
    sql, values = _sql(ds, spec, f"SELECT {', '.join(RUN_COLUMNS)} FROM lifecycle", member_id)
    frame = store.query(sql, values)
    return frame.row(0, named=True) if frame.height else None


# summary, funnel, migration and their members are counted from run()'s frames (`*_of`), so a
# page that shows them all computes the stages once (the page caches run() per spec).


def summary_of(stages: pl.DataFrame) -> pl.DataFrame:
    """stage, members: all 6 stages in funnel order (STAGES), zeros included, from run()'s frame."""
    counts = stages.group_by("stage").agg(members=pl.len())
    return (pl.DataFrame({"stage": STAGES}, schema={"stage": pl.String})
            .join(counts, on="stage", how="left", maintain_order="left")
            .with_columns(pl.col("members").fill_null(0).cast(pl.Int64)))


def summary(store: Store, ds: Dataset, spec: LifecycleSpec = LifecycleSpec()) -> pl.DataFrame:
    """summary_of(run())."""
    return summary_of(run(store, ds, spec))


def funnel_of(stages: pl.DataFrame) -> pl.DataFrame:
    """step, members: the FUNNEL steps in order (see the module docstring), from run()'s frame."""
    counts = stages.select(**{step: condition.sum() for step, condition in FUNNEL.items()})
    return pl.DataFrame({"step": list(FUNNEL), "members": [int(counts[step].item()) for step in FUNNEL]},
                        schema={"step": pl.String, "members": pl.Int64})


def funnel(store: Store, ds: Dataset, spec: LifecycleSpec = LifecycleSpec()) -> pl.DataFrame:
    """funnel_of(run())."""
    return funnel_of(run(store, ds, spec))


MixPeriod = Literal["week", "month", "quarter"]
MIX_PERIODS: tuple[MixPeriod, ...] = ("week", "month", "quarter")
MIX_SCHEMA: dict[str, pl.DataType] = {"period": pl.Date, "period_end": pl.Date, "stage": pl.String,
                                      "members": pl.Int64}
MIX_COLUMNS = tuple(MIX_SCHEMA)


# A shifted date never leaves DuckDB's date range, whatever a spec's thresholds are: a shift past
# this many days lands after every period end, which is all such a change point needs to do.
_MAX_SHIFT_DAYS = 1_000_000


def _plus_days(day: str, days: str) -> str:
    """`day` + `days` whole days, capped (our own SQL expressions)."""
    return f"({day} + least({days}, {_MAX_SHIFT_DAYS})::INTEGER)"


def _mix_ctes(period: MixPeriod) -> str:
    """CTEs after the base ending in `mx_changes(period, period_end, key, delta)`: at each period
    end (`mx_ends`) the change in the members in each stage (key = the stage; buyers), registered
    members (key 'registered') and registered buyers (key 'registered_buyer'); the prospects
    are the difference of the last two (none unless $lc_prospects, as in `ctes`). Only the
    members of bucket $mx_bucket of $mx_buckets count (`_IN_BUCKET`; 0 of 1: everyone).

    The same rules as `lifecycle`, evaluated as if as_of were each period end over the scoped
    lines dated up to it, so an order's net amount (and whether it is a purchase) is what it
    was at that date, exactly as `run()` with that as_of sees it. Linear in lines, not in
    lines × periods: a member's stage only changes on a few days (each line's date and that
    date + the spend window and + twice it, the day after the churn, gap and growth limits of
    each purchase history, the signup date), so it is evaluated at the first period end on or
    after each of those days and holds until the next; each change adds one member to its new
    stage and takes one from the old, and the counts are running sums over the periods."""
    return ",".join((_mix_ends_cte(period), _mix_history_ctes(), _mix_points_ctes(period), _mix_changes_ctes()))


def _mix_ends_cte(period: MixPeriod) -> str:
    return f"""
    mx_ends AS (
        SELECT period, least({period_end_sql(period, "period")}, as_of) AS period_end
        FROM (SELECT {period_starts_sql(period, "start_date", "least(end_date, as_of)")} AS period, as_of
              FROM bounds))"""


def _mix_history_ctes() -> str:
    """Each member's purchase history as steps in time: `mx_segments(member_id, seg_start,
    next_start, purchases, first_purchase, last_purchase, median_gap_days)` holds from seg_start
    until the member's next step starts (next_start; null: the last step; purchases 0: no
    purchase then).

    An order is a purchase while its running net (its lines summed per date, refunds on their
    own date) is > 0, and a purchase keeps its order's date. For almost every member each order
    is a purchase from its date on, so the history only grows by purchase days at its end and
    the facts are running windows over the purchase days. The others (an order that becomes or
    stops being a purchase after its date) get each step's facts from the purchases valid at the
    end of the period the step falls in."""
    return f"""
    mx_order_days AS (
        SELECT member_id, order_id, order_date AS day, sum(amount) AS amount FROM scoped_lines
        WHERE {_IN_BUCKET} GROUP BY member_id, order_id, order_date),
    mx_order_steps AS (
        SELECT d.member_id, o.order_date, d.day AS valid_from, lead(d.day) OVER w AS valid_until,
               sum(d.amount) OVER w AS net, d.order_id
        FROM mx_order_days d JOIN scoped_orders o USING (member_id, order_id)  -- the days hold one bucket
        WINDOW w AS (PARTITION BY d.member_id, d.order_id ORDER BY d.day)),
    mx_orders AS (
        SELECT member_id, any_value(order_date) AS order_date, bool_or(net > 0) AS ever,
               bool_and(net > 0) AND min(valid_from) = any_value(order_date) AS from_its_date
        FROM mx_order_steps GROUP BY member_id, order_id),
    mx_irregular AS (SELECT DISTINCT member_id FROM mx_orders WHERE ever AND NOT from_its_date),
    mx_days AS (
        SELECT member_id, order_date AS day, count(*) AS purchases FROM mx_orders
        WHERE from_its_date AND member_id NOT IN (SELECT member_id FROM mx_irregular)
        GROUP BY member_id, order_date),
    mx_growing AS (
        SELECT member_id, day AS seg_start, sum(purchases) OVER w AS purchases,
               first_value(day) OVER w AS first_purchase, day AS last_purchase,
               quantile_cont(gap_days, 0.5) OVER w AS median_gap_days,
               lead(day) OVER (PARTITION BY member_id ORDER BY day) AS next_start
        FROM (SELECT *, date_diff('day', lag(day) OVER (PARTITION BY member_id ORDER BY day), day) AS gap_days FROM mx_days)
        WINDOW w AS (PARTITION BY member_id ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
    -- A history step of these members is evaluated at the end of the period its change falls in
    -- (only period ends are counted): at most one step per period, so a member with very many
    -- orders costs periods × purchases, not steps × purchases.
    -- (the first period end on or after each change: a range join and min, not DuckDB's ASOF JOIN,
    -- which Spark lacks; these members are few)
    mx_steps AS (
        SELECT DISTINCT member_id, seg_start FROM (
            SELECT s.member_id, s.valid_from, min(e.period_end) AS seg_start
            FROM (SELECT member_id, valid_from FROM mx_order_steps
                  WHERE member_id IN (SELECT member_id FROM mx_irregular)) s
            JOIN mx_ends e ON s.valid_from <= e.period_end
            GROUP BY s.member_id, s.valid_from)),
    mx_step_purchases AS (
        SELECT g.member_id, g.seg_start, s.order_date
        FROM mx_steps g JOIN mx_order_steps s ON s.member_id = g.member_id AND s.valid_from <= g.seg_start
         AND (s.valid_until IS NULL OR g.seg_start < s.valid_until)
        WHERE s.net > 0),
    mx_step_gaps AS ({purchase_day_gaps_sql("mx_step_purchases", "member_id, seg_start")}),
    mx_segments AS (
        SELECT member_id, seg_start, next_start, purchases, first_purchase, last_purchase, median_gap_days
        FROM mx_growing
        UNION ALL
        SELECT g.member_id, g.seg_start, lead(g.seg_start) OVER (PARTITION BY g.member_id ORDER BY g.seg_start),
               coalesce(p.purchases, 0), p.first_purchase, p.last_purchase, m.median_gap_days
        FROM mx_steps g
        LEFT JOIN (SELECT member_id, seg_start, count(*) AS purchases, min(order_date) AS first_purchase,
                          max(order_date) AS last_purchase
                   FROM mx_step_purchases GROUP BY member_id, seg_start) p USING (member_id, seg_start)
        LEFT JOIN (SELECT member_id, seg_start, quantile_cont(gap_days, 0.5) AS median_gap_days
                   FROM mx_step_gaps WHERE gap_days IS NOT NULL GROUP BY member_id, seg_start) m
          USING (member_id, seg_start))"""


def _mix_points_ctes(period: MixPeriod) -> str:
    """`mx_points(member_id, period, until, stage, registered)`: a member's stage (null: no
    purchase then) and whether registered, at the end of each period in which something that
    decides it happened (see `_mix_ctes`), holding until the member's next such period (null:
    to the end).

    Every such day is an event dated to the first period end on or after it (none after the
    last); its effect on the two spend windows is a delta (a line's net enters the recent window
    on its date, moves to the earlier one W days later, leaves it 2W days later) and a history
    step is found by its start, so the state at a period end is the running sum of the deltas
    and the latest history step up to that period: no lookups by date."""
    window = "$lc_window"
    return f"""
    mx_member_days AS (
        SELECT member_id, day, sum(amount) AS amount FROM mx_order_days GROUP BY member_id, day),
    mx_registered AS (
        SELECT member_id, signup_date FROM scoped_members WHERE $lc_prospects AND in_members_file AND {_IN_BUCKET}),
    mx_events AS (
        SELECT member_id, day AS on_day, amount AS recent_delta, 0 AS prior_delta, NULL::DATE AS seg_start,
               false AS signs_up FROM mx_member_days
        UNION ALL SELECT member_id, {_plus_days("day", window)}, -amount, amount, NULL, false FROM mx_member_days
        UNION ALL SELECT member_id, {_plus_days("day", f"2 * {window}::BIGINT")}, 0, -amount, NULL, false FROM mx_member_days
        UNION ALL SELECT member_id, seg_start, 0, 0, seg_start, false FROM mx_segments
        UNION ALL SELECT member_id, limit_day, 0, 0, NULL, false
        FROM (SELECT member_id, next_start,
                     unnest([{_plus_days("last_purchase", "$lc_churn_days::BIGINT + 1")},
                             {_plus_days("last_purchase", "floor($lc_gap_multiple * median_gap_days) + 1")},
                             {_plus_days("first_purchase", "$lc_growth_days::BIGINT + 1")}]) AS limit_day
              FROM mx_segments WHERE purchases > 0)
        -- a limit reached after the next step starts is that step's business
        WHERE limit_day IS NOT NULL AND (next_start IS NULL OR limit_day < next_start)
        UNION ALL SELECT member_id, coalesce(signup_date, DATE '0001-01-01'), 0, 0, NULL, true FROM mx_registered),
    mx_span AS (SELECT min(period) AS first_period, min(period_end) AS first_end, max(period_end) AS last_end
                FROM mx_ends),
    mx_member_periods AS (
        SELECT v.member_id,
               CASE WHEN v.on_day <= s.first_end THEN s.first_period
                    ELSE {period_start_sql(period, "v.on_day")} END AS period,
               sum(v.recent_delta) AS recent_delta, sum(v.prior_delta) AS prior_delta,
               max(v.seg_start) AS seg_start, bool_or(v.signs_up) AS signs_up
        FROM mx_events v CROSS JOIN mx_span s WHERE v.on_day <= s.last_end
        GROUP BY ALL),
    mx_states AS (
        SELECT member_id, period, e.period_end,
               lead(period) OVER (PARTITION BY member_id ORDER BY period) AS until,
               (sum(recent_delta) OVER w)::DOUBLE AS recent_spend, (sum(prior_delta) OVER w)::DOUBLE AS prior_spend,
               max(seg_start) OVER w AS seg_start, bool_or(signs_up) OVER w AS registered
        FROM mx_member_periods JOIN mx_ends e USING (period)
        WINDOW w AS (PARTITION BY member_id ORDER BY period ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
    mx_points AS (
        SELECT member_id, period, until, registered,
               CASE WHEN coalesce(purchases, 0) > 0 THEN {_stage_sql("period_end")} END AS stage
        FROM (SELECT t.member_id, t.period, t.period_end, t.until, t.registered, t.recent_spend, t.prior_spend,
                     h.purchases, date_diff('day', h.last_purchase, t.period_end) AS recency_days, h.median_gap_days,
                     h.first_purchase
              FROM mx_states t LEFT JOIN mx_segments h USING (member_id, seg_start)))"""


def _mix_changes_ctes() -> str:
    """`mx_changes(period, period_end, key, delta)` from `mx_points`, one row per period end and key
    (zeros included): a member counts under a point's keys (its stage, 'registered',
    'registered_buyer') from that point's period until their next point's, so each point adds +1
    at its period and −1 at its `until`; each end's count is the running sum of the deltas up to
    it (`_counts`)."""
    keys = ", ".join(f"('{s}')" for s in (*STAGES, "registered", "registered_buyer"))
    return f"""
    mx_keyed AS (
        SELECT period, until, stage AS key FROM mx_points WHERE stage IS NOT NULL
        UNION ALL SELECT period, until, 'registered' FROM mx_points WHERE registered
        UNION ALL SELECT period, until, 'registered_buyer' FROM mx_points WHERE registered AND stage IS NOT NULL),
    mx_deltas AS (
        SELECT period, key, count(*) AS delta FROM mx_keyed GROUP BY period, key
        UNION ALL
        SELECT until, key, -count(*) FROM mx_keyed WHERE until IS NOT NULL GROUP BY until, key),
    mx_changes AS (
        SELECT e.period, e.period_end, k.key, coalesce(d.delta, 0)::BIGINT AS delta
        FROM mx_ends e CROSS JOIN (VALUES {keys}) k(key)
        LEFT JOIN (SELECT period, key, sum(delta) AS delta FROM mx_deltas GROUP BY period, key) d
          ON d.period = e.period AND d.key = k.key)"""


# Members are split into buckets by a hash of their id, one query each, when the scope has more
# orders than this: a member's stages depend on their own history alone, so the buckets' counts
# add up exactly, and each query's hash tables and windows hold a bucket's members, not everyone
# (at 10M lines one query took 6.6 GB).
MIX_ORDERS_PER_BUCKET = 2_000_000
# (UBIGINT like hash(): untyped parameters made the modulo 10× slower)
_IN_BUCKET = "hash(member_id) % $mx_buckets::UBIGINT = $mx_bucket::UBIGINT"


def _counts(changes: pl.DataFrame) -> pl.DataFrame:
    """MIX_COLUMNS from `mx_changes` rows (of one or several buckets): each key's running sum
    over the periods, prospects = registered − registered_buyer."""
    summed = changes.group_by("period", "period_end", "key").agg(pl.col("delta").sum())
    counts = (summed.sort("period").with_columns(members=pl.col("delta").cum_sum().over("key"))
              .pivot(on="key", index=["period", "period_end"], values="members"))
    members = {s: pl.col(s) for s in STAGES if s != "prospect"} | {
        "prospect": pl.col("registered") - pl.col("registered_buyer")}
    return (counts.select("period", "period_end", *(members[s].alias(s) for s in STAGES))
            .unpivot(index=["period", "period_end"], variable_name="stage", value_name="members")
            .with_columns(order=pl.col("stage").replace_strict(STAGES, list(range(len(STAGES)))))
            .sort("period", "order").drop("order")
            .with_columns(pl.col("members").cast(pl.Int64)))


def mix_over_time(store: Store, ds: Dataset, spec: LifecycleSpec = LifecycleSpec(),
                  period: MixPeriod = "month") -> pl.DataFrame:
    """Stage counts at the end of each period: MIX_COLUMNS, every stage of every period (zeros
    included), by period then STAGES order.

    Periods run from the one holding start (default: the first purchase in scope) to the one
    holding end (default: as_of); period_end = the period's last day, or as_of for the period
    holding it. Each count is `summary()` with as_of = period_end (same thresholds and filters),
    in one query per bucket of members (MIX_ORDERS_PER_BUCKET). One choice where the two could
    differ: an age-band filter is decided on the age at the spec's as_of (data end) for every
    period, so the chart follows one population."""
    check_period(period, MIX_PERIODS)
    b = base(ds, spec.filters)
    sql = b.query(_mix_ctes(period) + " SELECT period, period_end, key, delta FROM mx_changes")
    with store.snapshot() as cur:  # every bucket reads the same data, whatever an import commits meanwhile
        orders = cur.sql(b.query("SELECT count(*) FROM scoped_orders"), params=b.params).fetchall()[0][0]
        buckets = mix_buckets(orders)
        values = {**b.params, **params(spec), "mx_buckets": buckets}
        changes = pl.concat([cur.sql(sql, params={**values, "mx_bucket": bucket}).pl() for bucket in range(buckets)])
    return _counts(changes) if changes.height else pl.DataFrame(schema=MIX_SCHEMA)


def mix_buckets(orders: int) -> int:
    """How many buckets of members the stage mix of `orders` orders in scope is computed in (a
    filter's smaller scope needs fewer)."""
    return max(1, -(-orders // MIX_ORDERS_PER_BUCKET))


def spec_at(spec: LifecycleSpec, when: date, data_end: date | None = None) -> LifecycleSpec:
    """The spec with as_of = `when`: the spec itself (or an equal one) when `when` is the as_of it
    already has, or the data end when it has none (same numbers, one cache entry for a page)."""
    if spec.filters.as_of is None and when == data_end:
        return spec
    return replace(spec, filters=replace(spec.filters, as_of=when))


def _moves(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """member_id, from_stage, to_stage: run()'s frames at two dates joined (null: no stage then)."""
    return (before.select("member_id", from_stage="stage")
            .join(after.select("member_id", to_stage="stage"), on="member_id", how="full", coalesce=True))


def migration_of(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """from_stage, to_stage, members from run()'s frames at date_from and date_to: the non-empty
    cells, stages in funnel order, a null from_stage (no stage at date_from) first."""
    order = {stage: i for i, stage in enumerate(STAGES)}
    ranks = [pl.col(c).replace_strict(order, default=None, return_dtype=pl.Int64) for c in ("from_stage", "to_stage")]
    return (_moves(before, after).group_by("from_stage", "to_stage").agg(members=pl.len().cast(pl.Int64))
            .sort(ranks, nulls_last=False))


def migration(store: Store, ds: Dataset, spec: LifecycleSpec, date_from: date, date_to: date) -> pl.DataFrame:
    """migration_of(run() at date_from, run() at date_to), everything else equal."""
    return migration_of(run(store, ds, spec_at(spec, date_from)), run(store, ds, spec_at(spec, date_to)))


@dataclass(frozen=True)
class StageCell:
    """The members in one stage (summary)."""

    stage: str

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"no stage {self.stage!r} (stages: {', '.join(STAGES)})")


@dataclass(frozen=True)
class StepCell:
    """The members who reached one funnel step (funnel)."""

    step: str

    def __post_init__(self) -> None:
        if self.step not in FUNNEL:
            raise ValueError(f"no funnel step {self.step!r} (steps: {', '.join(FUNNEL)})")


LifecycleCell = StageCell | StepCell | MigrationCell


def cells(store: Store, ds: Dataset, spec: LifecycleSpec = LifecycleSpec()) -> list[tuple[LifecycleCell, int]]:
    """Every member count of summary() and funnel(), with its cell (migration cells need two
    dates: see migration())."""
    stages = run(store, ds, spec)
    return ([(StageCell(stage), n) for stage, n in summary_of(stages).rows()]
            + [(StepCell(step), n) for step, n in funnel_of(stages).rows()])


def members_of(stages: pl.DataFrame, cell: StageCell | StepCell) -> pl.DataFrame:
    """The rows of run()'s frame behind a stage or a funnel step (RUN_COLUMNS, by member_id)."""
    return stages.filter(pl.col("stage") == cell.stage if isinstance(cell, StageCell) else FUNNEL[cell.step])


def moves_of(before: pl.DataFrame, after: pl.DataFrame, cell: MigrationCell) -> pl.DataFrame:
    """The members behind a migration cell from run()'s frames at its two dates: member_id,
    from_stage, to_stage, sorted by member_id."""
    same = [pl.col(c).eq_missing(pl.lit(v, pl.String)) for c, v in (("from_stage", cell.from_stage),
                                                                     ("to_stage", cell.to_stage))]
    return _moves(before, after).filter(*same).sort("member_id")


def members(store: Store, ds: Dataset, spec: LifecycleSpec, cell: LifecycleCell) -> pl.DataFrame:
    """The members behind one number: a stage (RUN_COLUMNS), a funnel step (RUN_COLUMNS), or a
    migration cell (member_id, from_stage, to_stage). Sorted by member_id."""
    if isinstance(cell, MigrationCell):
        return moves_of(run(store, ds, spec_at(spec, cell.date_from)), run(store, ds, spec_at(spec, cell.date_to)), cell)
    return members_of(run(store, ds, spec), cell)
