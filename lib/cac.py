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
  with new buyers and no spend row has spend 0 and cac 0 (organic acquisition).
- channel is null on the all-channels row. A spend row without a channel counts only in the
  all-channels total; so does a new buyer whose first purchase has no channel.
- Filters: spend has only a date and a channel, so a channel filter keeps the spend rows of the
  chosen channels (rows without a channel drop out); other filters (category, store, member
  attributes …) narrow the new buyers but never the spend, which is then all spend.
- Periods reported: from the one holding `start` (default: the first purchase in scope) to the
  one holding `end` (default: as_of); spend dated after as_of does not exist. A cell is present
  when it has spend or new buyers. No spend rows at all (no spend file) → an empty frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

from lib.filters import Base, Filters, base
from lib.store import Dataset, Store

Period = Literal["day", "week", "month", "quarter"]
PERIODS: tuple[Period, ...] = ("day", "week", "month", "quarter")
DEFAULT_PERIOD: Period = "month"

SCHEMA = {"period": pl.Date, "channel": pl.String, "spend": pl.Float64, "new_buyers": pl.Int64,
          "cac": pl.Float64}


@dataclass(frozen=True)
class CacSpec:
    filters: Filters = field(default_factory=Filters)
    period: Period = DEFAULT_PERIOD
    by_channel: bool = False


def _ctes(ds: Dataset, spec: CacSpec) -> tuple[Base, str]:
    """Base + `spend_rows(spend_date, period, channel, spend)` and `new_buyers(member_id,
    first_date, period, channel)`."""
    if spec.period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {spec.period!r}")
    b = base(ds, spec.filters)
    # Spend has no attributes but its channel: only a channel filter can narrow it.
    channel_filter = (" AND list_contains($f_channel::VARCHAR[], s.channel)"
                      if spec.filters.values("channel") else "")
    ctes = f"""
        spend_rows AS (
            SELECT s.period AS spend_date, date_trunc($period, s.period)::DATE AS period, s.channel,
                   s.spend
            FROM {ds.table('spend')} s
            WHERE s.period <= (SELECT as_of FROM limits){channel_filter}),
        new_buyers AS (
            SELECT member_id, first_date, date_trunc($period, first_date)::DATE AS period, channel
            FROM purchases WHERE nth = 1)"""
    return b, ctes


def run(store: Store, ds: Dataset, spec: CacSpec = CacSpec()) -> pl.DataFrame:
    """Columns: period (DATE, first day), channel (null = all channels), spend (2 dp), new_buyers,
    cac (2 dp; null without new buyers). Sorted by period, then channel with the total first."""
    b, ctes = _ctes(ds, spec)
    sql = b.query(ctes + """,
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
               CASE WHEN c.new_buyers > 0 THEN round(c.spend::DOUBLE / c.new_buyers, 2) END AS cac
        FROM cells c, bounds
        WHERE EXISTS (SELECT 1 FROM spend_rows)
          AND c.period BETWEEN date_trunc($period, bounds.start_date) AND date_trunc($period, bounds.end_date)
        ORDER BY c.period, c.channel NULLS FIRST""")
    frame = store.query(sql, {**b.params, "period": spec.period, "by_channel": spec.by_channel})
    return frame.cast(SCHEMA) if frame.height else pl.DataFrame(schema=SCHEMA)


def members(store: Store, ds: Dataset, spec: CacSpec, period: date, channel: str | None = None) -> pl.DataFrame:
    """The new buyers behind one cell (`period` = its first day; channel None = all channels).

    Columns: member_id, first_purchase, channel (of the first purchase); sorted by member_id.
    """
    b, ctes = _ctes(ds, spec)
    sql = b.query(ctes + """
        SELECT member_id, first_date AS first_purchase, channel FROM new_buyers
        WHERE period = $cell_period AND ($cell_channel::VARCHAR IS NULL OR channel = $cell_channel)
        ORDER BY member_id""")
    return store.query(sql, {**b.params, "period": spec.period, "cell_period": period,
                             "cell_channel": channel})


def totals(store: Store, ds: Dataset, filters: Filters, first_day: date,
           last_day: date) -> dict[str, float | None]:
    """Spend dated in [first_day, last_day], new buyers whose first purchase is in it, and their
    ratio: {"spend_rows", "spend", "new_buyers", "cac"} (cac None without new buyers)."""
    b, ctes = _ctes(ds, CacSpec(filters))
    sql = b.query(ctes + """
        SELECT (SELECT count(*) FROM spend_rows WHERE spend_date BETWEEN $first_day AND $last_day) AS spend_rows,
               (SELECT coalesce(sum(spend), 0)::DOUBLE FROM spend_rows
                WHERE spend_date BETWEEN $first_day AND $last_day) AS spend,
               (SELECT count(*) FROM new_buyers
                WHERE first_date BETWEEN $first_day AND $last_day) AS new_buyers""")
    row = store.query(sql, {**b.params, "period": DEFAULT_PERIOD, "first_day": first_day,
                            "last_day": last_day}).row(0, named=True)
    row["cac"] = round(row["spend"] / row["new_buyers"], 2) if row["new_buyers"] else None
    return row


def add_cli_options(parser: object) -> None:
    parser.add_argument("--period", choices=PERIODS, default=DEFAULT_PERIOD)
    parser.add_argument("--by-channel", action="store_true", help="add a row per channel")


def cli_report(store: Store, ds: Dataset, filters: Filters, args: object) -> pl.DataFrame:
    return run(store, ds, CacSpec(filters, getattr(args, "period", DEFAULT_PERIOD),
                                  getattr(args, "by_channel", False)))
