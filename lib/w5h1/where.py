"""Where: acquisition against retention, and channels side by side.

Composites for the 5W1H page, built on lib.cac (spend and new buyers), lib.activity (new vs
returning revenue) and lib.nps; no other analysis imports them.
"""

from __future__ import annotations

import polars as pl

from lib import activity, nps
from lib.cac import NO_NEW_BUYERS, SPEND_NOT_SCOPED, CacSpec, cac_note, new_buyer_ctes, run, spend_scoped
from lib.filters import Filters
from lib.periods import period_start_sql
from lib.store import Dataset, Store


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
        cac_note=cac_note(scoped),
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
    b, ctes = new_buyer_ctes(ds, CacSpec(filters))
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
            UNION ALL SELECT NULL, true, count(*), count(*) FILTER (WHERE purchases >= 2), 0, 0 FROM buyer_rows  -- FILTER: count_if is NULL over no rows
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
    answers = _channel_answers(store, ds, filters)
    spend = pl.col("spend") if has_spend else pl.lit(None, pl.Float64)
    scoped = spend_scoped(filters)
    return frame.join(answers, on="channel", how="left", nulls_equal=True).with_columns(
        spend=spend.round(2),
        repurchase_rate=pl.when(pl.col("buyers") > 0).then(pl.col("repeat_buyers") / pl.col("buyers")),
    ).with_columns(
        cac=pl.when(scoped & (pl.col("new_buyers") > 0)).then((pl.col("spend") / pl.col("new_buyers")).round(2)),
        cac_note=cac_note(scoped),
    ).select(list(CHANNEL_SCHEMA)).cast(CHANNEL_SCHEMA)


def _channel_answers(store: Store, ds: Dataset, filters: Filters) -> pl.DataFrame:
    """channel, responses, nps: lib.nps by first channel, then the headline (channel null)."""
    return pl.concat([
        nps.run(store, ds, nps.NpsSpec(filters, by="channel")).filter(pl.col("group").is_not_null())
        .select(pl.col("group").cast(pl.String).alias("channel"), "responses", "nps"),
        nps.run(store, ds, nps.NpsSpec(filters, by="all")).select(
            pl.lit(None, pl.String).alias("channel"), "responses", "nps"),
    ])
