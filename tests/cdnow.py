"""The CDNOW 1/10th sample (tests/data/cdnow_sample.txt, see tests/data/README.md) as test data.

load_lines() reads the file as it is; summary() and holdout_purchases() build the per-customer
numbers the BTYD literature fits and forecasts: purchases on one calendar day count as one
purchase (amounts summed), the first purchase day is the start of each customer's clock.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

PATH = Path(__file__).resolve().parent / "data" / "cdnow_sample.txt"
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


def load_lines() -> pl.DataFrame:
    """One row per file line, in file order: customer (sample id as written), day, amount."""
    rows = [line.split() for line in PATH.read_text().splitlines() if line.strip()]
    return pl.DataFrame(
        {"customer": [r[1] for r in rows], "day": [r[2] for r in rows],
         "amount": [float(r[4]) for r in rows]},
        schema={"customer": pl.String, "day": pl.String, "amount": pl.Float64},
    ).with_columns(pl.col("day").str.strptime(pl.Date, "%Y%m%d"))


def _purchase_days() -> pl.DataFrame:
    """One row per customer × purchase day (same-day lines collapsed, amounts summed)."""
    return load_lines().group_by("customer", "day").agg(pl.col("amount").sum()).sort("customer", "day")


def summary(cutoff: date = CALIBRATION_END, unit_days: float = 7.0) -> pl.DataFrame:
    """Calibration summary per customer with a purchase on or before `cutoff`.

    x = purchase days - 1; t_x = (last - first purchase day) / unit_days;
    T = (cutoff - first purchase day) / unit_days; monetary = mean amount of the repeat purchase
    days (all but the first), null when x = 0. Sorted by customer.
    """
    days = _purchase_days().filter(pl.col("day") <= cutoff)
    first, last = pl.col("day").min(), pl.col("day").max()
    return (
        days.group_by("customer")
        .agg(
            x=pl.len().cast(pl.Int64) - 1,
            t_x=(last - first).dt.total_days().cast(pl.Float64) / unit_days,
            T=(pl.lit(cutoff) - first).dt.total_days().cast(pl.Float64) / unit_days,
            monetary=pl.col("amount").sort_by("day").slice(1).mean(),
        )
        .sort("customer")
    )


def holdout_purchases(cutoff: date = CALIBRATION_END, end: date = HOLDOUT_END) -> pl.DataFrame:
    """customer, actual = distinct purchase days in (cutoff, end]; every customer, 0 when none."""
    days = _purchase_days()
    counts = (days.filter((pl.col("day") > cutoff) & (pl.col("day") <= end))
              .group_by("customer").agg(actual=pl.len().cast(pl.Int64)))
    return (days.select("customer").unique()
            .join(counts, on="customer", how="left")
            .with_columns(pl.col("actual").fill_null(0))
            .sort("customer"))
