"""Price band × discount sensitivity (GLOSSARY §7: 价格带, 折扣敏感度).

Definitions, over the positive lines of purchases dated in the range (filters applied, history up
to as_of): unit price = unit_price, else amount / quantity, else amount (one unit). Bands =
spec.price_bands quantile bands: the cut at i / n is the lowest price with ≥ i / n of the lines
priced at or below it, and a line goes into the first band whose cut is ≥ its price; equal prices
always share a band, empty bands are dropped, and each band is labelled with the lowest and highest
price in it. A member's discount share = their spend (amount) on lines with discount > 0 / their
spend; sensitivity = full_price (share 0), low (< spec.high_sensitivity), high (≥ it), unknown
(none of their lines records a discount). mean_discount_rate of a cell = discount / (amount +
discount) summed over its lines (GLOSSARY "% off"). revenue here = the cell's positive lines,
before refunds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lib.filters import Filters, base
from lib.formatting import money_full
from lib.store import Dataset, Store

DEFAULT_PRICE_BANDS = 4         # quartile bands of unit price
DEFAULT_HIGH_SENSITIVITY = 0.33  # ≥ a third of a member's spend on discount = high sensitivity
SENSITIVITIES = ("full_price", "low", "high", "unknown")


# The columns and types of run() with the default spec (tests/test_cells.py checks them).
SCHEMA: dict[str, pl.DataType] = {"band": pl.Int64, "low_price": pl.Float64, "high_price": pl.Float64,
                                  "sensitivity": pl.String, "members": pl.Int64, "lines": pl.Int64,
                                  "revenue": pl.Float64, "mean_discount_rate": pl.Float64}


@dataclass(frozen=True)
class PriceBandSpec:
    filters: Filters = field(default_factory=Filters)
    price_bands: int = DEFAULT_PRICE_BANDS
    high_sensitivity: float = DEFAULT_HIGH_SENSITIVITY

    def __post_init__(self) -> None:
        if self.price_bands < 1:
            raise ValueError("price_bands must be ≥ 1")
        if not 0 < self.high_sensitivity <= 1:
            raise ValueError("high_sensitivity is a share of spend: above 0, at most 1")


@dataclass(frozen=True)
class PriceCell:
    """The members with ≥ 1 line in one band × sensitivity cell."""

    band: int
    sensitivity: str

    def __post_init__(self) -> None:
        if type(self.band) is not int or self.band < 1:
            raise ValueError(f"band must be a whole number ≥ 1 (1 = cheapest); got {self.band!r}")
        if self.sensitivity not in SENSITIVITIES:
            raise ValueError(f"sensitivity {self.sensitivity!r}? (choose from {', '.join(SENSITIVITIES)})")


def _price_ctes(spec: PriceBandSpec) -> str:
    """`cells(member_id, band, low_price, high_price, sensitivity, amount, discount)`: one row per line."""
    return """
        priced AS (
            SELECT l.member_id, l.amount, l.discount,
                   coalesce(l.unit_price, l.amount / nullif(l.quantity, 0), l.amount) AS price
            FROM purchases p CROSS JOIN bounds bd
            JOIN scoped_lines l ON l.member_id = p.member_id AND l.order_id = p.order_id
            WHERE p.order_date BETWEEN bd.start_date AND bd.end_date AND l.amount > 0),
        cuts AS (
            SELECT quantile_disc(price, $cuts::DOUBLE[]) AS q FROM priced),
        raw_bands AS (
            SELECT pr.*, 1 + array_length(list_filter(c.q, lambda x: x < pr.price)) AS raw_band
            FROM priced pr CROSS JOIN cuts c),
        bands AS (
            SELECT raw_band, dense_rank() OVER (ORDER BY raw_band) AS band,
                   min(price) AS low_price, max(price) AS high_price
            FROM raw_bands GROUP BY raw_band),
        sensitivity AS (
            SELECT member_id,
                   CASE WHEN count(discount) = 0 THEN 'unknown'
                        WHEN coalesce(sum(amount) FILTER (WHERE discount > 0), 0) = 0 THEN 'full_price'
                        WHEN sum(amount) FILTER (WHERE discount > 0) / sum(amount) < $high THEN 'low'
                        ELSE 'high' END AS sensitivity
            FROM priced GROUP BY member_id),
        cells AS (
            SELECT r.member_id, bs.band, bs.low_price, bs.high_price, s.sensitivity, r.amount, r.discount
            FROM raw_bands r JOIN bands bs USING (raw_band) JOIN sensitivity s USING (member_id))"""


def _price_params(spec: PriceBandSpec) -> dict[str, object]:
    # the cut fractions 1/n … (n−1)/n
    return {"cuts": [i / int(spec.price_bands) for i in range(1, int(spec.price_bands))],
            "high": float(spec.high_sensitivity)}


def band_label(low: float, high: float, currency: str | None = None) -> str:
    """A band named by the lowest and highest price in it: "¥10–¥15", "¥50" when it holds one price
    (whole units without decimals, else to the fen)."""
    lo, hi = money_full(low, None, currency), money_full(high, None, currency)
    return lo if low == high else f"{lo}–{hi}"


def run(store: Store, ds: Dataset, spec: PriceBandSpec = PriceBandSpec()) -> pl.DataFrame:
    """Columns: band (1 = cheapest), low_price and high_price (the lowest and highest price in it),
    sensitivity, members, lines, revenue, mean_discount_rate (null without recorded discounts);
    sorted by band, then SENSITIVITIES order. Numbers only: `labelled` names the bands in a
    currency, so changing a dataset's currency recomputes nothing."""
    b = base(ds, spec.filters)
    sql = b.query(_price_ctes(spec) + """
        SELECT band, low_price, high_price, sensitivity, count(DISTINCT member_id) AS members, count(*) AS lines,
               round(sum(amount), 2)::DOUBLE AS revenue,
               CASE WHEN count(discount) > 0
                    THEN sum(coalesce(discount, 0)) / (sum(amount) + sum(coalesce(discount, 0))) END::DOUBLE
                   AS mean_discount_rate
        FROM cells GROUP BY band, low_price, high_price, sensitivity
        ORDER BY band, list_position(['full_price', 'low', 'high', 'unknown'], sensitivity)""")
    return store.query(sql, {**b.params, **_price_params(spec)}).cast(
        {"band": pl.Int64, "low_price": pl.Float64, "high_price": pl.Float64, "members": pl.Int64, "lines": pl.Int64})


def labelled(frame: pl.DataFrame, currency: str | None = None) -> pl.DataFrame:
    """run()'s frame with each band named by its prices (band_label in `currency`, a symbol; default
    the shown one) in place of them: band, price_band, sensitivity, members, lines, revenue,
    mean_discount_rate."""
    # One label per band (at most spec.price_bands), made once each.
    labels = {(lo, hi): band_label(lo, hi, currency) for lo, hi in frame.select("low_price", "high_price").unique().rows()}
    price_band = pl.Series("price_band", [labels[key] for key in frame.select("low_price", "high_price").rows()],
                           dtype=pl.String)
    return frame.with_columns(price_band).select(
        "band", "price_band", "sensitivity", "members", "lines", "revenue", "mean_discount_rate")


def cells(store: Store, ds: Dataset, spec: PriceBandSpec = PriceBandSpec()) -> list[tuple[PriceCell, int]]:
    """Every member count run() shows, with its cell."""
    return [(PriceCell(band, sensitivity), n) for band, sensitivity, n in
            run(store, ds, spec).select("band", "sensitivity", "members").rows()]


def members(store: Store, ds: Dataset, spec: PriceBandSpec, cell: PriceCell) -> pl.DataFrame:
    """Members with ≥ 1 line in the band × sensitivity cell: member_id, lines, revenue; by member_id."""
    b = base(ds, spec.filters)
    sql = b.query(_price_ctes(spec) + """
        SELECT member_id, count(*) AS lines, round(sum(amount), 2)::DOUBLE AS revenue FROM cells
        WHERE band = $band AND sensitivity = $sensitivity GROUP BY member_id ORDER BY member_id""")
    return store.query(sql, {**b.params, **_price_params(spec), "band": int(cell.band), "sensitivity": cell.sensitivity})
