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

from lib import cohorts, kpis, rfm
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


def data_end(store: Store, ds):
    """The latest line date: RFM's as_of without a filter (a late refund line may set it)."""
    return store.query(f"SELECT max(order_date) AS d FROM {ds.table('order_lines')}")["d"][0]
