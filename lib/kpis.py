"""Headline numbers of one dataset over a date range (SPEC "Metric definitions").

- revenue = sum of the net amounts of all order lines dated in the range (a refund line counts
  on its own date);
- orders = purchases (orders whose net amount > 0) in the range;
- buyers = members with ≥ 1 purchase in the range;
- aov = revenue / orders; purchase_frequency = orders / buyers;
- repurchase_rate = buyers with ≥ 2 purchases in the range / buyers;
- order_repurchase_rate = purchases that are not the member's first ever / purchases;
- new_buyers = buyers whose first purchase ever falls in the range.

The range defaults to the whole history up to data end (the latest order date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from lib.store import Dataset, Store

METRICS = ("buyers", "orders", "revenue", "aov", "purchase_frequency", "repurchase_rate",
           "order_repurchase_rate", "new_buyers")


def order_span(store: Store, ds: Dataset) -> tuple[date | None, date | None]:
    """First and last order date of a dataset (the last is data end, the default as_of)."""
    return store.query(f"SELECT min(order_date) AS first, max(order_date) AS last "
                       f"FROM {ds.table('orders')}").row(0)


@dataclass(frozen=True)
class KpiSpec:
    start: date | None = None
    end: date | None = None


def run(store: Store, ds: Dataset, spec: KpiSpec = KpiSpec()) -> pl.DataFrame:
    """Columns: metric (str, in METRICS order), value (float; amounts rounded to 2 decimals)."""
    sql = f"""
        WITH bounds AS (
            SELECT coalesce(?::DATE, min(order_date)) AS start_date,
                   coalesce(?::DATE, max(order_date)) AS end_date
            FROM {ds.table("orders")}),
        numbered AS (
            SELECT o.*, row_number() OVER (PARTITION BY member_id ORDER BY order_ts, order_id) AS nth
            FROM {ds.table("orders")} o WHERE is_purchase),
        purchases AS (
            SELECT n.* FROM numbered n, bounds b WHERE n.order_date BETWEEN b.start_date AND b.end_date),
        per_buyer AS (SELECT member_id, count(*) AS n, bool_or(nth = 1) AS first_here FROM purchases GROUP BY 1),
        revenue AS (
            SELECT coalesce(sum(amount), 0) AS revenue FROM {ds.table("order_lines")} l, bounds b
            WHERE l.order_date BETWEEN b.start_date AND b.end_date)
        SELECT (SELECT count(*) FROM per_buyer)::DOUBLE AS buyers,
               (SELECT count(*) FROM purchases)::DOUBLE AS orders,
               (SELECT revenue FROM revenue)::DOUBLE AS revenue,
               (SELECT count_if(n >= 2) FROM per_buyer)::DOUBLE AS repeat_buyers,
               (SELECT count_if(nth > 1) FROM purchases)::DOUBLE AS repeat_orders,
               (SELECT count_if(first_here) FROM per_buyer)::DOUBLE AS new_buyers"""
    row = store.query(sql, [spec.start, spec.end]).row(0, named=True)
    buyers, orders = row["buyers"], row["orders"]
    values = {
        "buyers": buyers,
        "orders": orders,
        "revenue": round(row["revenue"], 2),
        "aov": round(row["revenue"] / orders, 2) if orders else None,
        "purchase_frequency": orders / buyers if buyers else None,
        "repurchase_rate": row["repeat_buyers"] / buyers if buyers else None,
        "order_repurchase_rate": row["repeat_orders"] / orders if orders else None,
        "new_buyers": row["new_buyers"],
    }
    return pl.DataFrame({"metric": list(METRICS), "value": [values[m] for m in METRICS]},
                        schema={"metric": pl.String, "value": pl.Float64})
