"""Repurchase: who buys a category or product again, how soon, and who is due to buy it next.

Definitions (SPEC "Repurchase rate", "Repurchase cycle", "Category repurchase rate"; everything is in
scope: filters applied, history up to as_of):
- a purchase **contains** an item (a category, sku or product name, `spec.by`) when it has a line
  of that item with a positive amount; a refund line never makes a purchase contain its item, and
  refund-only orders are not purchases at all. Lines with no value for the item are left out.
- a **gap** = whole days between two consecutive purchases of one member (for an item: consecutive
  purchases containing it), ordered by time then order id. Two purchases on the same day give a
  gap of 0 (each is a purchase, as in the repurchase rate).
- **date range**: a purchase counts when it is dated in [start, end]; a gap counts when its later
  purchase does, and its earlier purchase may be before start (history is never hidden). So a
  member who bought milk before start and once inside the range is a repeat buyer of milk there.
- per item: buyers = members with ≥ 1 purchase containing it in the range; repeat_buyers = those
  with ≥ 1 gap for it in the range (with the default range: ≥ 2 purchases containing it);
  repurchase_rate = repeat_buyers / buyers; median_gap_days / mean_gap_days over every gap of
  every member (median interpolates between the two middle gaps); purchases = purchases
  containing it in the range.
- next purchase (`next_purchases`): a forecast counts the gaps between *purchase days*
  (`lib.periods.purchase_day_gaps_sql`, the lifecycle decline rule's gaps too): purchases of an
  item on one day are one visit, so a split order never forecasts a return the same day. Periodic
  items are those with repurchase_rate ≥ DEFAULT_MIN_REPEAT_SHARE and ≥ DEFAULT_MIN_REPEAT_BUYERS
  members with a gap between purchase days (the members the item's median gap rests on); for
  each buyer of one, expected_date = last purchase containing it + the member's own median day gap
  for it (when they have one, basis "member") or else the item's median day gap over all its
  buyers (basis "item"), rounded to whole days (halves up); days_overdue = as_of − expected_date
  when positive, else 0. It is a forecast at as_of, so it reads all history up to as_of and
  ignores start / end.
- due status (`due`, `due_summary`; `due_of`, `due_summary_of` over a next_purchases frame at
  hand): with gap = expected_date − last_purchase, a row is not_due (days_overdue 0), overdue
  (late by at most lapsed_cycles × gap: still within reach) or lapsed (later than that), so the
  UI can list the members worth a reminder without every long-gone buyer.
Day counts are whole calendar days between dates. Ratios with a zero denominator are null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from lib.filters import Filters, base
from lib.periods import purchase_day_gaps_sql
from lib.store import Dataset, Store

By = Literal["category", "sku", "product_name"]
BY_COLUMNS: tuple[By, ...] = ("category", "sku", "product_name")
Who = Literal["buyers", "repeat_buyers", "gap"]
# An item is "periodic" (worth a next-purchase date) when this share of its buyers rebought it…
DEFAULT_MIN_REPEAT_SHARE = 0.2
# …and at least this many members rebought it on a later day, so its median gap (between purchase
# days) rests on more than one person.
DEFAULT_MIN_REPEAT_BUYERS = 3
DEFAULT_TOP = 20  # items in top_repurchased
# Histogram buckets of gap days (inclusive bounds; None = no upper bound).
GAP_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None))

RUN_SCHEMA = {"buyers": pl.Int64, "repeat_buyers": pl.Int64, "repurchase_rate": pl.Float64,
              "median_gap_days": pl.Float64, "mean_gap_days": pl.Float64, "purchases": pl.Int64}


DUE_SUMMARY_SCHEMA = {"item": pl.String, "item_median_gap": pl.Float64, "buyers": pl.Int64,
                      "not_due": pl.Int64, "overdue": pl.Int64, "lapsed": pl.Int64}


# The columns and types of run() with the default spec (tests/test_cells.py checks them);
# the item column is named after spec.by.
SCHEMA: dict[str, pl.DataType] = {"category": pl.String, **RUN_SCHEMA}


@dataclass(frozen=True)
class RepurchaseSpec:
    filters: Filters = field(default_factory=Filters)
    by: By = "category"

    def __post_init__(self) -> None:
        _item_column(self.by)


def _item_column(by: By) -> str:
    if by not in BY_COLUMNS:
        raise ValueError(f"repurchase by {by!r}? (choose from {', '.join(BY_COLUMNS)})")
    return by


def sequence_ctes(by: By | None, one_item: bool = False) -> str:
    """CTEs `bought` (one row per purchase, or per purchase × item it contains) and `seq` adding
    k (1 = the member's first, per item), gap_days (days since the previous one, null for k = 1)
    and in_range (dated in [start, end]). `one_item` keeps only the item bound as `$item`."""
    if by is None:
        bought = "SELECT member_id, order_id, order_ts, order_date, NULL::VARCHAR AS item FROM purchases"
    else:
        col = _item_column(by)
        only = f" AND {col} = $item" if one_item else ""
        bought = (f"SELECT DISTINCT member_id, order_id, order_ts, order_date, {col} AS item FROM purchase_lines "
                  f"WHERE {col} IS NOT NULL{only}")
    return f"""
        bought AS ({bought}),
        seq AS (
            SELECT b.*, row_number() OVER w AS k, date_diff('day', lag(b.order_date) OVER w, b.order_date) AS gap_days,
                   b.order_date BETWEEN bd.start_date AND bd.end_date AS in_range
            FROM bought b CROSS JOIN bounds bd
            WINDOW w AS (PARTITION BY b.member_id, b.item ORDER BY b.order_ts, b.order_id))"""


def run(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec()) -> pl.DataFrame:
    """One row per item bought in the range. Columns: <spec.by> (the item), buyers, repeat_buyers,
    repurchase_rate, median_gap_days, mean_gap_days (2 decimals; null without gaps), purchases;
    sorted by buyers desc, then item."""
    col = _item_column(spec.by)
    b = base(ds, spec.filters)
    sql = b.query(sequence_ctes(spec.by) + f""",
        per_member AS (
            SELECT item, member_id, count(*) AS purchases, bool_or(k >= 2) AS repeated
            FROM seq WHERE in_range GROUP BY item, member_id),
        per_item AS (
            SELECT item, count(*) AS buyers, count_if(repeated) AS repeat_buyers, sum(purchases) AS purchases
            FROM per_member GROUP BY item),
        gaps AS (
            SELECT item, median(gap_days) AS median_gap, avg(gap_days) AS mean_gap
            FROM seq WHERE in_range AND gap_days IS NOT NULL GROUP BY item)
        SELECT i.item AS {col}, i.buyers, i.repeat_buyers, i.repeat_buyers / i.buyers AS repurchase_rate,
               round(g.median_gap, 2)::DOUBLE AS median_gap_days, round(g.mean_gap, 2)::DOUBLE AS mean_gap_days,
               i.purchases
        FROM per_item i LEFT JOIN gaps g USING (item)
        ORDER BY i.buyers DESC, i.item""")
    return store.query(sql, b.params).cast(RUN_SCHEMA)



def top_repurchased(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec(),
                    limit: int = DEFAULT_TOP) -> pl.DataFrame:
    """run() ranked by repeat_buyers desc, repurchase_rate desc, item; the top `limit` (the 5W1H
    "which products are bought again")."""
    return run(store, ds, spec).sort(["repeat_buyers", "repurchase_rate", _item_column(spec.by)],
                                     descending=[True, True, False], nulls_last=True).head(limit)


def cycles(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec(),
           item: str | None = None) -> pl.DataFrame:
    """The distribution of gaps in the range: columns gap_days, gaps (how many), sorted by gap_days.
    Without `item`: between any consecutive purchases; with it: between purchases containing it
    (an item of `spec.by`)."""
    b = base(ds, spec.filters)
    sql = b.query(sequence_ctes(spec.by if item is not None else None, item is not None) + """
        SELECT gap_days, count(*) AS gaps FROM seq WHERE in_range AND gap_days IS NOT NULL
        GROUP BY gap_days ORDER BY gap_days""")
    return store.query(sql, {**b.params, **_item_param(item)}).cast({"gap_days": pl.Int64, "gaps": pl.Int64})


def cycle_summary(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec(),
                  item: str | None = None) -> pl.DataFrame:
    """One row: purchases (in the range; containing `item` when given), gaps, median_gap_days,
    mean_gap_days, p25, p75 (quartiles interpolated linearly; null without gaps; 2 decimals)."""
    b = base(ds, spec.filters)
    sql = b.query(sequence_ctes(spec.by if item is not None else None, item is not None) + """
        SELECT count(*) AS purchases, count(gap_days) AS gaps,
               round(median(gap_days), 2)::DOUBLE AS median_gap_days,
               round(avg(gap_days), 2)::DOUBLE AS mean_gap_days,
               round(quantile_cont(gap_days, 0.25), 2)::DOUBLE AS p25,
               round(quantile_cont(gap_days, 0.75), 2)::DOUBLE AS p75
        FROM seq WHERE in_range""")
    return store.query(sql, {**b.params, **_item_param(item)}).cast({"purchases": pl.Int64, "gaps": pl.Int64})


def cycle_buckets(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec(), item: str | None = None,
                  buckets: tuple[tuple[int, int | None], ...] = GAP_BUCKETS) -> pl.DataFrame:
    """Gaps in the range by bucket: columns bucket ("8-14", "366+"), min_days, max_days (null = open),
    gaps, members (with ≥ 1 gap in it); every bucket listed, in the order given."""
    b = base(ds, spec.filters)
    sql = b.query(sequence_ctes(spec.by if item is not None else None, item is not None) + """,
        buckets AS (
            SELECT unnest($lo::INTEGER[]) AS min_days, unnest($hi::INTEGER[]) AS max_days,
                   unnest(range(len($lo::INTEGER[]))) AS pos)
        SELECT CASE WHEN k.max_days IS NULL THEN k.min_days || '+' ELSE k.min_days || '-' || k.max_days END
                   AS bucket, k.min_days, k.max_days, count(s.gap_days) AS gaps,
               count(DISTINCT s.member_id) AS members
        FROM buckets k LEFT JOIN seq s ON s.in_range AND s.gap_days >= k.min_days
             AND (k.max_days IS NULL OR s.gap_days <= k.max_days)
        GROUP BY k.pos, k.min_days, k.max_days ORDER BY k.pos""")
    params = {**b.params, **_item_param(item), "lo": [lo for lo, _ in buckets], "hi": [hi for _, hi in buckets]}
    return store.query(sql, params).cast({"min_days": pl.Int64, "max_days": pl.Int64, "gaps": pl.Int64,
                                          "members": pl.Int64})


@dataclass(frozen=True)
class RepurchaseCell:
    """Members over purchases in the range (containing `item` of spec.by when given): who="buyers"
    (≥ 1 purchase), "repeat_buyers" (≥ 1 gap), "gap" (≥ 1 gap within `gap_days` = (min, max)
    inclusive, max None = open, as a bucket of `cycle_buckets`)."""

    who: Who = "buyers"
    item: str | None = None
    gap_days: tuple[int, int | None] | None = None

    def __post_init__(self) -> None:
        if self.who not in ("buyers", "repeat_buyers", "gap"):
            raise ValueError(f"no members behind {self.who!r} (choose buyers, repeat_buyers or gap)")
        if self.who == "gap" and self.gap_days is None:
            raise ValueError("who='gap' needs gap_days=(min, max)")


def cells(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec()) -> list[tuple[RepurchaseCell, int]]:
    """Every member count shown: each item's buyers and repeat buyers (run) and each gap bucket's
    members (cycle_buckets)."""
    col = _item_column(spec.by)
    out = [(RepurchaseCell(who, item), n) for item, buyers, repeat in
           run(store, ds, spec).select(col, "buyers", "repeat_buyers").rows()
           for who, n in (("buyers", buyers), ("repeat_buyers", repeat))]
    return out + [(RepurchaseCell("gap", gap_days=(lo, hi)), n) for lo, hi, n in
                  cycle_buckets(store, ds, spec).select("min_days", "max_days", "members").rows()]


def members(store: Store, ds: Dataset, spec: RepurchaseSpec, cell: RepurchaseCell) -> pl.DataFrame:
    """The members behind a number (RepurchaseCell).

    Columns: member_id, purchases, gaps (in the range), last_purchase, median_gap_days; by member_id.
    """
    who, item, gap_days = cell.who, cell.item, cell.gap_days
    lo, hi = gap_days if who == "gap" else (None, None)
    having = {"buyers": "true", "repeat_buyers": "count(gap_days) > 0",
              "gap": "count_if(gap_days >= $lo AND ($hi IS NULL OR gap_days <= $hi)) > 0"}[who]
    b = base(ds, spec.filters)
    sql = b.query(sequence_ctes(spec.by if item is not None else None, item is not None) + f"""
        SELECT member_id, count(*) AS purchases, count(gap_days) AS gaps, max(order_date) AS last_purchase,
               round(median(gap_days), 2)::DOUBLE AS median_gap_days
        FROM seq WHERE in_range GROUP BY member_id HAVING {having} ORDER BY member_id""")
    params = {**b.params, **_item_param(item), **({"lo": lo, "hi": hi} if who == "gap" else {})}
    return store.query(sql, params).cast({"purchases": pl.Int64, "gaps": pl.Int64})


def _next_rows_ctes(by: By) -> str:
    """The CTEs after the base up to `next_rows`: one row per (buyer, periodic item) with
    next_purchases' columns. Binds $min_share, $min_buyers."""
    return sequence_ctes(_item_column(by)) + f""",
        day_gaps AS ({purchase_day_gaps_sql("bought", "member_id, item")}),
        items AS (
            SELECT item, count(DISTINCT member_id) AS buyers,
                   count(DISTINCT member_id) FILTER (WHERE k >= 2) AS repeat_buyers
            FROM seq GROUP BY item),
        item_day_gaps AS (
            SELECT item, median(gap_days) AS item_median_gap, count(DISTINCT member_id) AS members_with_gap
            FROM day_gaps WHERE gap_days IS NOT NULL GROUP BY item),
        periodic AS (
            -- the share is the repurchase rate (SPEC: purchases); the head count is of members the
            -- median day gap rests on, so split orders never make an item periodic
            SELECT i.item, g.item_median_gap
            FROM items i JOIN item_day_gaps g USING (item)
            WHERE g.members_with_gap >= greatest($min_buyers, 1) AND i.repeat_buyers / i.buyers >= $min_share),
        own AS (
            SELECT s.member_id, s.item, count(*) AS purchases, max(s.order_date) AS last_purchase,
                   any_value(p.item_median_gap) AS item_median_gap
            FROM seq s JOIN periodic p USING (item) GROUP BY s.member_id, s.item),
        dated AS (
            SELECT o.*, g.member_median_gap,
                   round(coalesce(g.member_median_gap, o.item_median_gap))::INTEGER AS gap_used
            -- the median of a list, not median(): over a million (member, item) groups the
            -- holistic aggregate's partial states cost 24 s at 10M lines, the lists 13.5 s
            FROM own o LEFT JOIN (SELECT member_id, item, list_aggregate(list(gap_days), 'median') AS member_median_gap
                                  FROM day_gaps WHERE gap_days IS NOT NULL GROUP BY member_id, item) g
              USING (member_id, item)),
        next_rows AS (
            SELECT member_id, item, purchases, last_purchase, round(member_median_gap, 2)::DOUBLE AS member_median_gap,
                   round(item_median_gap, 2)::DOUBLE AS item_median_gap, last_purchase + gap_used AS expected_date,
                   greatest(date_diff('day', last_purchase + gap_used, (SELECT as_of FROM limits)), 0) AS days_overdue,
                   CASE WHEN member_median_gap IS NULL THEN 'item' ELSE 'member' END AS basis
            FROM dated)"""


NEXT_COLUMNS = ("member_id", "item", "purchases", "last_purchase", "member_median_gap", "item_median_gap",
                "expected_date", "days_overdue", "basis")


def next_purchases(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec(),
                   min_repeat_share: float = DEFAULT_MIN_REPEAT_SHARE,
                   min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS) -> pl.DataFrame:
    """Expected next purchase of each periodic item (spec.by) by each of its buyers, at as_of.

    Columns: member_id, item, purchases (containing it), last_purchase, member_median_gap (null with
    one purchase), item_median_gap, expected_date, days_overdue, basis ("member" | "item");
    sorted by days_overdue desc, member_id, item.
    """
    b = base(ds, spec.filters)
    sql = b.query(_next_rows_ctes(spec.by) + f"""
        SELECT {", ".join(NEXT_COLUMNS)} FROM next_rows ORDER BY days_overdue DESC, member_id, item""")
    params = {**b.params, "min_share": float(min_repeat_share), "min_buyers": int(min_repeat_buyers)}
    return store.query(sql, params).cast({"purchases": pl.Int64, "days_overdue": pl.Int64})


# -- due / overdue: next_purchases split by how late the member is -----------------------------
DueStatus = Literal["not_due", "overdue", "lapsed"]
DUE_STATUSES: tuple[DueStatus, ...] = ("not_due", "overdue", "lapsed")
# A member more than this many of their own cycles past the expected date counts as lapsed.
DEFAULT_LAPSED_CYCLES = 1.0


def due(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec(),
        status: DueStatus | tuple[DueStatus, ...] = "overdue", item: str | None = None,
        lapsed_cycles: float = DEFAULT_LAPSED_CYCLES, limit: int | None = None,
        min_repeat_share: float = DEFAULT_MIN_REPEAT_SHARE,
        min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS) -> pl.DataFrame:
    """The rows of next_purchases with a due status (one, or a tuple of them: ("overdue",
    "lapsed") = every row with days_overdue > 0), optionally of one item, at most `limit` of them
    (None = all), in next_purchases' order. Status of a row, with gap = expected_date −
    last_purchase (the member's own median gap, else the item's, in whole days):
    not_due = days_overdue 0; overdue = 0 < days_overdue ≤ lapsed_cycles × gap (still within
    reach: late by at most that many cycles); lapsed = later than that.

    Columns: next_purchases' columns, then status: the members a campaign can still win back,
    without every long-gone buyer. It filters next_purchases (`due_of` does so over a frame at hand).
    """
    _statuses(status), _check_cycles(lapsed_cycles), _check_limit(limit)  # before the query, not after it
    return due_of(next_purchases(store, ds, spec, min_repeat_share, min_repeat_buyers),
                  status, item, lapsed_cycles, limit)


def due_summary(store: Store, ds: Dataset, spec: RepurchaseSpec = RepurchaseSpec(),
                lapsed_cycles: float = DEFAULT_LAPSED_CYCLES,
                min_repeat_share: float = DEFAULT_MIN_REPEAT_SHARE,
                min_repeat_buyers: int = DEFAULT_MIN_REPEAT_BUYERS) -> pl.DataFrame:
    """Per periodic item: item, item_median_gap, buyers (= rows of next_purchases), not_due,
    overdue, lapsed (see `due`; the three add up to buyers); sorted by buyers desc, then item."""
    _check_cycles(lapsed_cycles)  # before the query, not after it
    return due_summary_of(next_purchases(store, ds, spec, min_repeat_share, min_repeat_buyers), lapsed_cycles)


# `due` and `due_summary` over a next_purchases frame already at hand: the 5W1H page computes
# next_purchases once (its slowest query; README "Performance") and derives the summary and each
# list from it, so changing the status, item or cycles costs a filter of the frame, not the query.

def due_of(next_frame: pl.DataFrame, status: DueStatus | tuple[DueStatus, ...] = "overdue",
           item: str | None = None, lapsed_cycles: float = DEFAULT_LAPSED_CYCLES,
           limit: int | None = None) -> pl.DataFrame:
    """`due` over next_purchases' frame (kept in its order)."""
    statuses = _statuses(status)
    _check_cycles(lapsed_cycles), _check_limit(limit)
    rows = next_frame.with_columns(_status(lapsed_cycles)).filter(pl.col("status").is_in(statuses))
    if item is not None:
        rows = rows.filter(pl.col("item") == str(item))
    return rows if limit is None else rows.head(limit)


def due_summary_of(next_frame: pl.DataFrame, lapsed_cycles: float = DEFAULT_LAPSED_CYCLES) -> pl.DataFrame:
    """`due_summary` over next_purchases' frame."""
    _check_cycles(lapsed_cycles)
    status = _status(lapsed_cycles)
    return (next_frame.group_by("item")
            .agg(pl.col("item_median_gap").first(), pl.len().alias("buyers"),
                 *[(status == s).sum().alias(s) for s in DUE_STATUSES])
            .cast(DUE_SUMMARY_SCHEMA)
            .sort(["buyers", "item"], descending=[True, False]))


def _status(lapsed_cycles: float) -> pl.Expr:
    """A row's due status; gap = expected_date − last_purchase (the whole days the forecast used)."""
    gap = (pl.col("expected_date") - pl.col("last_purchase")).dt.total_days()
    return (pl.when(pl.col("days_overdue") == 0).then(pl.lit("not_due"))
            .when(pl.col("days_overdue") <= float(lapsed_cycles) * gap).then(pl.lit("overdue"))
            .otherwise(pl.lit("lapsed")).alias("status"))


def _statuses(status: DueStatus | tuple[DueStatus, ...]) -> tuple[DueStatus, ...]:
    statuses = (status,) if isinstance(status, str) else tuple(status)
    if not statuses or any(s not in DUE_STATUSES for s in statuses):
        raise ValueError(f"status must be among {', '.join(DUE_STATUSES)}, not {status!r}")
    return statuses


def _check_cycles(lapsed_cycles: float) -> None:
    if not lapsed_cycles >= 0:  # NaN too
        raise ValueError(f"lapsed_cycles must be a number ≥ 0, not {lapsed_cycles}")


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be ≥ 0, not {limit}")


def _item_param(item: str | None) -> dict[str, object]:
    return {} if item is None else {"item": str(item)}
