"""What an analysis is measured against in benchmarks/analyses.py (issue 14: each analysis ≤ 2× the
floor and no slower than hand-written polars over the same tables):

- **floor**: one `GROUP BY member_id` over the stored order lines in DuckDB — the least any
  per-member analysis must do;
- **polars**: the analysis written by hand in polars over the stored `orders` table, loaded once
  into memory (the load is timed apart). Each polars version is checked against the analysis's
  own output in the same run, so a fast wrong version cannot flatter it.

Only the default scope (no filter, whole history up to data end) is written by hand.
"""

from __future__ import annotations

import polars as pl

from lib import activity, cohorts, kpis, lifecycle, rfm
from lib.store import Store


def floor(store: Store, ds) -> pl.DataFrame:
    return store.query(f"SELECT member_id, count(*) AS lines, sum(amount) AS amount "
                       f"FROM {ds.table('order_lines')} GROUP BY member_id")


def load_orders(store: Store, ds) -> pl.DataFrame:
    """The stored orders (one row per member and order), as the polars versions' input."""
    return store.query(f"SELECT member_id, order_id, order_ts, order_date, net_amount::DOUBLE AS net_amount, "
                       f"net_amount > 0 AS is_purchase FROM {ds.table('orders')}")


def polars_kpis(orders: pl.DataFrame) -> dict[str, float]:
    """revenue, orders (purchases), buyers over the whole history (KPIs with no window before)."""
    purchases = orders.filter(pl.col("is_purchase"))
    return {"revenue": round(float(orders["net_amount"].sum()), 2), "orders": float(purchases.height),
            "buyers": float(purchases["member_id"].n_unique())}


def check_kpis(store: Store, ds, hand: dict[str, float]) -> bool:
    first, last = kpis.order_span(store, ds)
    table = kpis.run(store, ds, kpis.KpiSpec(kpis.window(kpis.KpiSpec().filters, first, last)))
    values = dict(zip(table["metric"], table["value"]))
    return all(abs(values[k] - v) < 0.01 for k, v in hand.items())


def polars_cohorts(orders: pl.DataFrame) -> pl.DataFrame:
    """The classic month triangle's retained members: cohort, period, retained (cells with anyone)."""
    purchases = orders.filter(pl.col("is_purchase")).with_columns(month=pl.col("order_date").dt.truncate("1mo"))
    first = purchases.sort(["order_ts", "order_id"]).group_by("member_id").agg(cohort=pl.col("month").first())
    cells = purchases.select("member_id", "month").unique().join(first, on="member_id").with_columns(
        period=((pl.col("month").dt.year() - pl.col("cohort").dt.year()) * 12
                + pl.col("month").dt.month() - pl.col("cohort").dt.month()).cast(pl.Int64))
    return cells.group_by("cohort", "period").agg(retained=pl.len().cast(pl.Int64)).sort("cohort", "period")


def check_cohorts(store: Store, ds, hand: pl.DataFrame) -> bool:
    ours = cohorts.run(store, ds).filter(pl.col("retained") > 0).select("cohort", "period", "retained")
    return ours.equals(hand.select("cohort", "period", "retained"))


def polars_rfm(orders: pl.DataFrame, as_of) -> pl.DataFrame:
    """recency_days, frequency, monetary per buyer (the values the scores are cut from)."""
    money = orders.group_by("member_id").agg(monetary=pl.col("net_amount").sum())
    values = orders.filter(pl.col("is_purchase")).group_by("member_id").agg(
        recency_days=(pl.lit(as_of) - pl.col("order_date").max()).dt.total_days(), frequency=pl.len().cast(pl.Int64))
    return values.join(money, on="member_id").sort("member_id")


def check_rfm(store: Store, ds, hand: pl.DataFrame) -> bool:
    ours = rfm.run(store, ds).select("member_id", "recency_days", "frequency", "monetary")
    hand = hand.with_columns(pl.col("monetary").round(2)).select(ours.columns)
    return ours.with_columns(pl.col("monetary").round(2)).equals(hand)


def load_recent_lines(store: Store, ds, as_of, days: int) -> pl.DataFrame:
    """The order lines of the last `days` days up to as_of (lifecycle's spend rule reads lines on
    their own date, refunds included)."""
    return store.query(f"SELECT member_id, order_date, amount::DOUBLE AS amount FROM {ds.table('order_lines')} "
                       f"WHERE order_date > $as_of::DATE - $days::INTEGER AND order_date <= $as_of::DATE",
                       {"as_of": as_of, "days": days})


def polars_lifecycle(orders: pl.DataFrame, recent: pl.DataFrame, as_of, spec=lifecycle.LifecycleSpec()) -> pl.DataFrame:
    """member_id, stage of every buyer at as_of (lib/lifecycle.py's rules 2–6; no prospects)."""
    purchases = orders.filter(pl.col("is_purchase"))
    facts = purchases.group_by("member_id").agg(
        purchases=pl.len(), first_purchase=pl.col("order_date").min(), last_purchase=pl.col("order_date").max())
    gaps = (purchases.select("member_id", "order_date").unique().sort("member_id", "order_date")
            .with_columns(gap=pl.col("order_date").diff().over("member_id").dt.total_days())
            .group_by("member_id").agg(median_gap=pl.col("gap").drop_nulls().median()))
    window = spec.spend_window_days
    spend = recent.group_by("member_id").agg(
        recent=pl.col("amount").filter(pl.col("order_date") > pl.lit(as_of) - pl.duration(days=window)).sum(),
        prior=pl.col("amount").filter(pl.col("order_date") <= pl.lit(as_of) - pl.duration(days=window)).sum())
    frame = (facts.join(gaps, on="member_id", how="left").join(spend, on="member_id", how="left")
             .with_columns(pl.col("recent", "prior").fill_null(0.0),
                           recency=(pl.lit(as_of) - pl.col("last_purchase")).dt.total_days(),
                           age=(pl.lit(as_of) - pl.col("first_purchase")).dt.total_days()))
    declining = ((pl.col("recency") > spec.gap_multiple * pl.col("median_gap")).fill_null(False)
                 | ((pl.col("prior") > 0) & (pl.col("recent") <= spec.spend_ratio * pl.col("prior"))))
    stage = (pl.when(pl.col("recency") > spec.churn_days).then(pl.lit("churned"))
             .when(pl.col("purchases") == 1).then(pl.lit("exploration"))
             .when(declining).then(pl.lit("decline"))
             .when(pl.col("age") <= spec.growth_days).then(pl.lit("growth"))
             .otherwise(pl.lit("stable")))
    return frame.select("member_id", stage=stage).sort("member_id")


def check_lifecycle(store: Store, ds, hand: pl.DataFrame) -> bool:
    ours = lifecycle.run(store, ds).filter(pl.col("purchases") > 0).select("member_id", "stage")
    return ours.equals(hand)


def polars_activity(orders: pl.DataFrame) -> pl.DataFrame:
    """period (month), new, returning, resurrecting, dormant: activity's counts, from each buyer's
    active months (months with a purchase) and first month."""
    active = (orders.filter(pl.col("is_purchase"))
              .select("member_id", period=pl.col("order_date").dt.truncate("1mo")).unique())
    first = active.group_by("member_id").agg(first=pl.col("period").min())
    active = active.join(first, on="member_id")
    before = active.select("member_id", pl.col("period").dt.offset_by("1mo"), was=pl.lit(True))
    now = active.join(before, on=["member_id", "period"], how="left").with_columns(pl.col("was").fill_null(False))
    counts = now.group_by("period").agg(
        new=(pl.col("period") == pl.col("first")).sum(),
        returning=pl.col("was").sum(),
        resurrecting=(~pl.col("was") & (pl.col("period") != pl.col("first"))).sum())
    gone = (before.join(active.select("member_id", "period", here=pl.lit(True)), on=["member_id", "period"], how="left")
            .filter(pl.col("here").is_null()).group_by("period").agg(dormant=pl.len()))
    return (counts.join(gone, on="period", how="full", coalesce=True).fill_null(0)
            .select("period", *(pl.col(c).cast(pl.Int64) for c in ("new", "returning", "resurrecting", "dormant")))
            .sort("period"))


def check_activity(store: Store, ds, hand: pl.DataFrame) -> bool:
    ours = activity.run(store, ds).select("period", "new", "returning", "resurrecting", "dormant")
    # ours runs to data end; the hand version also has the month after the last one (its dormant)
    hand = hand.filter(pl.col("period") <= ours["period"].max())
    busy = pl.sum_horizontal("new", "returning", "resurrecting", "dormant") > 0
    return ours.filter(busy).equals(hand.filter(busy))


def data_end(store: Store, ds):
    """The latest line date: RFM's as_of without a filter (a late refund line may set it)."""
    return store.query(f"SELECT max(order_date) AS d FROM {ds.table('order_lines')}")["d"][0]
