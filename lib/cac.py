"""CAC: customer acquisition cost = (marketing + sales spend) / new buyers, per period and channel.

Definitions (SPEC "Metric definitions" → CAC):
- spend of a period = the spend rows whose `period` date falls in it (each row's date truncated to
  the report period: day / ISO week from Monday / month / quarter, labelled by its first day).
  Choose a period at least as coarse as the spend file's (monthly spend → month or quarter): a
  monthly row lands in the period holding its date, the 1st of the month.
- new buyers of a period = members whose first purchase in scope (all history, so `start` never
  turns a returning member into a new one) falls in it; per channel, by the channel of that
  first purchase (the order's channel).
- cac = spend / new_buyers, rounded to 2 decimals; null when the cell has no new buyers. A cell
  with new buyers and no spend row has spend 0 and cac 0 (organic acquisition). `cac_note` says
  why a cac is null: 'spend_not_scoped' (below) or 'no_new_buyers'; null when cac is a number.
- channel is null on the all-channels row. A spend row without a channel counts only in the
  all-channels total; so does a new buyer whose first purchase has no channel.
- Filters: spend has only a date and a channel, so a channel filter keeps the spend rows of the
  chosen channels (rows without a channel drop out). Any other filter (store, region, city,
  category, sku, product, member attributes) narrows the new buyers but cannot narrow the spend:
  all spend over the new buyers of a category is no CAC of that category, so cac is null with
  cac_note 'spend_not_scoped', and spend and new_buyers stay visible (`spend_scoped`).
- Periods reported: from the one holding `start` (default: the first purchase in scope) to the
  one holding `end` (default: as_of); spend dated after as_of does not exist. A cell is present
  when it has spend or new buyers. No spend rows at all (no spend file) → an empty frame.
- `new_vs_returning`: per period, revenue of new vs returning members (lib.activity) beside the
  spend and CAC; `channels`: per first-purchase channel, buyers, repurchase rate, CAC and NPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from lib.filters import Base, Filters, base
from lib.periods import Period, check_period, period_start_sql
from lib.store import Dataset, Store

DEFAULT_PERIOD: Period = "month"

SCHEMA = {"period": pl.Date, "channel": pl.String, "spend": pl.Float64, "new_buyers": pl.Int64,
          "cac": pl.Float64, "cac_note": pl.String}
# Why a cac is null (cac_note).
SPEND_NOT_SCOPED = "spend_not_scoped"
NO_NEW_BUYERS = "no_new_buyers"


@dataclass(frozen=True)
class CacSpec:
    filters: Filters = field(default_factory=Filters)
    period: Period = DEFAULT_PERIOD
    by_channel: bool = False

    def __post_init__(self) -> None:
        check_period(self.period)


def spend_scoped(filters: Filters) -> bool:
    """Whether spend follows the filters: spend rows have a date and a channel only, so with any
    filter but channel (the date range and as_of aside), a segment included, spend is all spend and
    CAC is not computed."""
    return filters.segment is None and all(name == "channel" for name, _ in filters.where)


def cac_note(scoped: bool) -> pl.Expr:
    """cac_note of a frame with spend and new_buyers: why its cac is null (null spend, i.e. no
    spend data at all, explains itself)."""
    if not scoped:
        return pl.lit(SPEND_NOT_SCOPED, pl.String)
    return pl.when(pl.col("spend").is_not_null() & (pl.col("new_buyers") == 0)).then(pl.lit(NO_NEW_BUYERS))


def new_buyer_ctes(ds: Dataset, spec: CacSpec) -> tuple[Base, str]:
    """Base + `spend_rows(spend_date, period, channel, spend)` and `new_buyers(member_id,
    first_date, period, channel)`."""
    b = base(ds, spec.filters)
    # Spend has no attributes but its channel: only a channel filter can narrow it.
    channel_filter = (" AND list_contains($f_channel::VARCHAR[], s.channel)"
                      if spec.filters.values("channel") else "")
    ctes = f"""
        spend_rows AS (
            SELECT s.period AS spend_date, {period_start_sql(spec.period, 's.period')} AS period, s.channel,
                   s.spend
            FROM {ds.table('spend')} s
            WHERE s.period <= (SELECT as_of FROM limits){channel_filter}),
        new_buyers AS (
            SELECT member_id, first_date, {period_start_sql(spec.period, 'first_date')} AS period, channel
            FROM first_purchases)"""
    return b, ctes


def run(store: Store, ds: Dataset, spec: CacSpec = CacSpec()) -> pl.DataFrame:
    """Columns: period (DATE, first day), channel (null = all channels), spend (2 dp), new_buyers,
    cac (2 dp; null without new buyers or when spend_scoped is false), cac_note (why cac is null).
    Sorted by period, then channel with the total first."""
    b, ctes = new_buyer_ctes(ds, spec)
    sql = b.query(ctes + f""",
        spend_cells AS (
            SELECT period, NULL::VARCHAR AS channel, sum(spend) AS spend FROM spend_rows GROUP BY period
            UNION ALL
            SELECT period, channel, sum(spend) FROM spend_rows
            WHERE $by_channel AND channel IS NOT NULL GROUP BY period, channel),
        buyer_cells AS (
            SELECT period, NULL::VARCHAR AS channel, count(*) AS new_buyers FROM new_buyers GROUP BY period
            UNION ALL
            SELECT period, channel, count(*) FROM new_buyers
            WHERE $by_channel AND channel IS NOT NULL GROUP BY period, channel),
        cells AS (
            SELECT coalesce(s.period, n.period) AS period, coalesce(s.channel, n.channel) AS channel,
                   coalesce(s.spend, 0) AS spend, coalesce(n.new_buyers, 0) AS new_buyers
            FROM spend_cells s FULL JOIN buyer_cells n
              ON s.period = n.period AND s.channel IS NOT DISTINCT FROM n.channel)
        SELECT c.period, c.channel, round(c.spend::DOUBLE, 2) AS spend, c.new_buyers::BIGINT AS new_buyers,
               CASE WHEN $spend_scoped AND c.new_buyers > 0 THEN round(c.spend::DOUBLE / c.new_buyers, 2) END
                   AS cac,
               CASE WHEN NOT $spend_scoped THEN $not_scoped WHEN c.new_buyers = 0 THEN $no_buyers END AS cac_note
        FROM cells c, bounds
        WHERE EXISTS (SELECT 1 FROM spend_rows)
          AND c.period BETWEEN {period_start_sql(spec.period, 'bounds.start_date')}
                           AND {period_start_sql(spec.period, 'bounds.end_date')}
        ORDER BY c.period, c.channel NULLS FIRST""")
    frame = store.query(sql, {**b.params, "by_channel": spec.by_channel,
                              "spend_scoped": spend_scoped(spec.filters), "not_scoped": SPEND_NOT_SCOPED,
                              "no_buyers": NO_NEW_BUYERS})
    return frame.cast(SCHEMA) if frame.height else pl.DataFrame(schema=SCHEMA)


@dataclass(frozen=True)
class CacCell:
    """The new buyers of a row of run(): `period` = its first day; channel None = all channels."""

    period: date
    channel: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.period, date):
            raise ValueError(f"period must be the date of its first day; got {self.period!r}")


def cells(store: Store, ds: Dataset, spec: CacSpec = CacSpec()) -> list[tuple[CacCell, int]]:
    """Every new-buyer count run() shows, with its cell."""
    return [(CacCell(period, channel), n) for period, channel, n in
            run(store, ds, spec).select("period", "channel", "new_buyers").rows()]


def members(store: Store, ds: Dataset, spec: CacSpec, cell: CacCell) -> pl.DataFrame:
    """The new buyers behind one cell.

    Columns: member_id, first_purchase, channel (of the first purchase); sorted by member_id.
    """
    b, ctes = new_buyer_ctes(ds, spec)
    sql = b.query(ctes + """
        SELECT member_id, first_date AS first_purchase, channel FROM new_buyers
        WHERE period = $cell_period AND ($cell_channel::VARCHAR IS NULL OR channel = $cell_channel)
        ORDER BY member_id""")
    return store.query(sql, {**b.params, "cell_period": cell.period, "cell_channel": cell.channel})


def totals(store: Store, ds: Dataset, filters: Filters, first_day: date,
           last_day: date) -> dict[str, float | None]:
    """Spend dated in [first_day, last_day], new buyers whose first purchase is in it, and their
    ratio: {"spend_rows", "spend", "new_buyers", "cac", "cac_note"} (cac None without new buyers
    or when spend_scoped is false; cac_note says which, as in run())."""
    b, ctes = new_buyer_ctes(ds, CacSpec(filters))
    sql = b.query(ctes + """
        SELECT (SELECT count(*) FROM spend_rows WHERE spend_date BETWEEN $first_day AND $last_day) AS spend_rows,
               (SELECT coalesce(sum(spend), 0)::DOUBLE FROM spend_rows
                WHERE spend_date BETWEEN $first_day AND $last_day) AS spend,
               (SELECT count(*) FROM new_buyers
                WHERE first_date BETWEEN $first_day AND $last_day) AS new_buyers""")
    row = store.query(sql, {**b.params, "first_day": first_day, "last_day": last_day}).row(0, named=True)
    scoped = spend_scoped(filters)
    row["cac"] = round(row["spend"] / row["new_buyers"], 2) if scoped and row["new_buyers"] else None
    row["cac_note"] = SPEND_NOT_SCOPED if not scoped else None if row["new_buyers"] else NO_NEW_BUYERS
    return row


