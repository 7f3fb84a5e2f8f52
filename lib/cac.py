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

from lib import activity, nps
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
    filter but channel (the date range and as_of aside) spend is all spend and CAC is not computed."""
    return all(name == "channel" for name, _ in filters.where)


def _cac_note(scoped: bool) -> pl.Expr:
    """cac_note of a frame with spend and new_buyers: why its cac is null (null spend, i.e. no
    spend data at all, explains itself)."""
    if not scoped:
        return pl.lit(SPEND_NOT_SCOPED, pl.String)
    return pl.when(pl.col("spend").is_not_null() & (pl.col("new_buyers") == 0)).then(pl.lit(NO_NEW_BUYERS))


def _ctes(ds: Dataset, spec: CacSpec) -> tuple[Base, str]:
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
    b, ctes = _ctes(ds, spec)
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


def members(store: Store, ds: Dataset, spec: CacSpec, period: date, channel: str | None = None) -> pl.DataFrame:
    """The new buyers behind one cell (`period` = its first day; channel None = all channels).

    Columns: member_id, first_purchase, channel (of the first purchase); sorted by member_id.
    """
    b, ctes = _ctes(ds, spec)
    sql = b.query(ctes + """
        SELECT member_id, first_date AS first_purchase, channel FROM new_buyers
        WHERE period = $cell_period AND ($cell_channel::VARCHAR IS NULL OR channel = $cell_channel)
        ORDER BY member_id""")
    return store.query(sql, {**b.params, "cell_period": period, "cell_channel": channel})


def totals(store: Store, ds: Dataset, filters: Filters, first_day: date,
           last_day: date) -> dict[str, float | None]:
    """Spend dated in [first_day, last_day], new buyers whose first purchase is in it, and their
    ratio: {"spend_rows", "spend", "new_buyers", "cac", "cac_note"} (cac None without new buyers
    or when spend_scoped is false; cac_note says which, as in run())."""
    b, ctes = _ctes(ds, CacSpec(filters))
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


# -- acquisition vs retention, and channels ---------------------------------------------------

NEW_VS_RETURNING_SCHEMA = {"period": pl.Date, "revenue_new": pl.Float64, "revenue_returning": pl.Float64,
                           "new_buyers": pl.Int64, "spend": pl.Float64, "cac": pl.Float64,
                           "spend_per_new_revenue": pl.Float64, "cac_note": pl.String}


def new_vs_returning(store: Store, ds: Dataset, spec: CacSpec = CacSpec()) -> pl.DataFrame:
    """What new revenue costs next to revenue from members already won, per period.

    One row per period of lib.activity.run (spec.period, the range's periods): revenue_new (net
    revenue in the period of members whose first purchase is in it), revenue_returning (everyone
    else's), new_buyers, spend (all-channels spend of the period as in run(); 0 for a period
    without a spend row; null when the dataset has no spend in scope at all), cac (spend /
    new_buyers) and spend_per_new_revenue (spend / revenue_new: the marketing ¥ behind each ¥ of
    first-period revenue; null when revenue_new ≤ 0), cac_note. When spend_scoped is false, cac
    and spend_per_new_revenue are null (all spend over one category's new revenue means nothing)
    and cac_note is 'spend_not_scoped'. Columns NEW_VS_RETURNING_SCHEMA.
    """
    periods = activity.run(store, ds, activity.ActivitySpec(spec.filters, spec.period))
    if not periods.height:
        return pl.DataFrame(schema=NEW_VS_RETURNING_SCHEMA)
    costs = run(store, ds, CacSpec(spec.filters, spec.period)).filter(pl.col("channel").is_null())
    has_spend = costs.height > 0
    frame = periods.select("period", "revenue_new", "revenue_returning", pl.col("new").alias("new_buyers")).join(
        costs.select("period", "spend"), on="period", how="left")
    spend = pl.col("spend").fill_null(0.0) if has_spend else pl.lit(None, pl.Float64)
    scoped = spend_scoped(spec.filters)
    return frame.with_columns(spend=spend).with_columns(
        cac=pl.when(scoped & (pl.col("new_buyers") > 0)).then((pl.col("spend") / pl.col("new_buyers")).round(2)),
        spend_per_new_revenue=pl.when(scoped & (pl.col("revenue_new") > 0))
        .then(pl.col("spend") / pl.col("revenue_new")),
        cac_note=_cac_note(scoped),
    ).select(list(NEW_VS_RETURNING_SCHEMA)).cast(NEW_VS_RETURNING_SCHEMA)


def new_vs_returning_totals(frame: pl.DataFrame) -> dict[str, float | None]:
    """The range's totals of a new_vs_returning() frame: revenue_new, revenue_returning, new_buyers,
    spend (None without spend data), cac, spend_per_new_revenue, returning_share (of revenue; None
    when revenue ≤ 0), cac_note (as in the frame: cac and spend_per_new_revenue are None when the
    spend is not scoped to the filters)."""
    new, ret = float(frame["revenue_new"].sum()), float(frame["revenue_returning"].sum())
    buyers = int(frame["new_buyers"].sum())
    has_spend = frame.height > 0 and frame["spend"].null_count() < frame.height
    spend = float(frame["spend"].sum()) if has_spend else None
    costed = spend is not None and not (frame["cac_note"] == SPEND_NOT_SCOPED).any()
    note = (SPEND_NOT_SCOPED if spend is not None and not costed
            else NO_NEW_BUYERS if spend is not None and not buyers else None)
    return {
        "revenue_new": round(new, 2), "revenue_returning": round(ret, 2), "new_buyers": buyers,
        "spend": None if spend is None else round(spend, 2),
        "cac": round(spend / buyers, 2) if costed and buyers else None,
        "spend_per_new_revenue": spend / new if costed and new > 0 else None,
        "returning_share": ret / (new + ret) if new + ret > 0 else None,
        "cac_note": note,
    }


CHANNEL_SCHEMA = {"channel": pl.String, "buyers": pl.Int64, "repeat_buyers": pl.Int64,
                  "repurchase_rate": pl.Float64, "new_buyers": pl.Int64, "spend": pl.Float64, "cac": pl.Float64,
                  "responses": pl.Int64, "nps": pl.Float64, "cac_note": pl.String}


def channels(store: Store, ds: Dataset, filters: Filters | None = None) -> pl.DataFrame:
    """Channels side by side, each member counted in the channel of their first purchase in scope
    (decided on all history, as CAC and NPS by channel do):

    - buyers = members with ≥ 1 purchase dated in [start, end]; repeat_buyers = those with ≥ 2
      there; repurchase_rate = repeat_buyers / buyers (the KPI definition);
    - new_buyers and spend over the calendar months the range touches, as run()'s monthly cells
      (monthly spend is dated on the 1st, so a range starting mid-month keeps its month's spend):
      new_buyers = members whose first purchase falls in those months, spend = the spend rows
      dated in them; cac = spend / new_buyers = Σ spend / Σ new buyers of run()'s monthly cells
      (null without new buyers; spend and cac null when the dataset has no spend in scope at all;
      cac null with cac_note 'spend_not_scoped' when spend_scoped is false, as in run());
    - responses, nps = lib.nps by channel over the range (null without answers).
    One row per channel with buyers, new buyers or spend (text order), then the all-channels
    total (channel null: every buyer, all spend, the headline NPS) — as in run(), a buyer whose
    first purchase has no channel and a spend row without one count only in the total.
    Columns CHANNEL_SCHEMA.
    """
    filters = filters or Filters()
    b, ctes = _ctes(ds, CacSpec(filters))
    sql = b.query(ctes + f""",
        in_range AS (
            SELECT p.member_id, count(*) AS purchases FROM purchases p, bounds bd
            WHERE p.order_date BETWEEN bd.start_date AND bd.end_date GROUP BY p.member_id),
        buyer_rows AS (SELECT f.channel, i.purchases FROM in_range i JOIN first_purchases f USING (member_id)),
        months AS (SELECT {period_start_sql('month', 'start_date')} AS first_month,
                          {period_start_sql('month', 'end_date')} AS last_month FROM bounds),
        new_rows AS (SELECT n.channel FROM new_buyers n, months m
                     WHERE n.period BETWEEN m.first_month AND m.last_month),
        spend_in AS (SELECT s.channel, s.spend FROM spend_rows s, months m
                     WHERE s.period BETWEEN m.first_month AND m.last_month),
        cells AS (
            SELECT channel, false AS total, count(*) AS buyers, count_if(purchases >= 2) AS repeat_buyers,
                   0 AS new_buyers, 0::DOUBLE AS spend
            FROM buyer_rows WHERE channel IS NOT NULL GROUP BY channel
            UNION ALL SELECT NULL, true, count(*), count_if(purchases >= 2), 0, 0 FROM buyer_rows
            UNION ALL SELECT channel, false, 0, 0, count(*), 0 FROM new_rows WHERE channel IS NOT NULL GROUP BY channel
            UNION ALL SELECT NULL, true, 0, 0, count(*), 0 FROM new_rows
            UNION ALL SELECT channel, false, 0, 0, 0, sum(spend) FROM spend_in WHERE channel IS NOT NULL
                      GROUP BY channel
            UNION ALL SELECT NULL, true, 0, 0, 0, coalesce(sum(spend), 0) FROM spend_in)
        SELECT channel, sum(buyers)::BIGINT AS buyers, sum(repeat_buyers)::BIGINT AS repeat_buyers,
               sum(new_buyers)::BIGINT AS new_buyers, sum(spend)::DOUBLE AS spend,
               (SELECT count(*) > 0 FROM spend_rows) AS has_spend
        FROM cells GROUP BY channel, total ORDER BY total, channel""")
    frame = store.query(sql, b.params)
    has_spend = bool(frame["has_spend"][0])
    answers = pl.concat([
        nps.run(store, ds, nps.NpsSpec(filters, by="channel")).filter(pl.col("group").is_not_null())
        .select(pl.col("group").cast(pl.String).alias("channel"), "responses", "nps"),
        nps.run(store, ds, nps.NpsSpec(filters, by="all")).select(
            pl.lit(None, pl.String).alias("channel"), "responses", "nps"),
    ])
    spend = pl.col("spend") if has_spend else pl.lit(None, pl.Float64)
    scoped = spend_scoped(filters)
    return frame.join(answers, on="channel", how="left", nulls_equal=True).with_columns(
        spend=spend.round(2),
        repurchase_rate=pl.when(pl.col("buyers") > 0).then(pl.col("repeat_buyers") / pl.col("buyers")),
    ).with_columns(
        cac=pl.when(scoped & (pl.col("new_buyers") > 0)).then((pl.col("spend") / pl.col("new_buyers")).round(2)),
        cac_note=_cac_note(scoped),
    ).select(list(CHANNEL_SCHEMA)).cast(CHANNEL_SCHEMA)
