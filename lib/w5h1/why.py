"""Why: the customer asset — historical CLV (SPEC formula) and predicted CLV by value band.

Composites for the 5W1H page, built on lib.clv (the predictive model) and lib.cac (spend); no
other analysis imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import polars as pl

from lib import cac
from lib.clv import YEAR_DAYS, ClvSpec, Model, run
from lib.filters import base
from lib.store import Dataset, Store


# -- historical CLV -------------------------------------------------------------------------


def historical(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(), margin: float | None = None,
               annual_revenue_per_buyer: float | None = None, annual_churn_rate: float | None = None,
               cac: float | None = None) -> pl.DataFrame:
    """Historical CLV = annual_revenue_per_buyer × margin × lifetime_years − cac, every input a row.

    Reference date = end when set, else as_of; "last year" = the 365 days up to it, "the year
    before" the 365 days before those. annual_revenue_per_buyer = net revenue of the scoped lines
    in the last year / members with a purchase in it; annual_churn_rate = members with a purchase
    in the year before and none in the last year / members with a purchase in the year before;
    lifetime_years = 1 / annual_churn_rate (null when it is 0); cac = spend dated in the last year
    / new buyers whose first purchase is in it (cac.totals; 0 without spend rows; null under a
    filter spend cannot follow, see cac.spend_scoped). Any keyword replaces the computed input
    (source "override"). Columns: input, value, source, note (why a computed input is null: the
    cac row's cac's cac_note; else null).
    """
    margin = spec.margin if margin is None else margin
    if min(v for v in (margin, annual_revenue_per_buyer, annual_churn_rate, cac, 0) if v is not None) < 0 or \
            (annual_churn_rate or 0) > 1:
        raise ValueError("margin, revenue and cac must be ≥ 0 and the churn rate within [0, 1]")
    inputs = _historical_inputs(store, ds, spec)
    computed_cac, cac_note = inputs.pop("cac"), inputs.pop("cac_note")
    values = {"revenue_last_year": inputs["revenue_last_year"], "buyers_last_year": inputs["buyers_last_year"],
              "buyers_prior_year": inputs["buyers_prior_year"], "churned_buyers": inputs["churned_buyers"]}
    rows = [(k, v, "computed", None) for k, v in values.items()]
    chosen = {}
    for name, override, computed in (
            ("annual_revenue_per_buyer", annual_revenue_per_buyer, inputs["annual_revenue_per_buyer"]),
            ("annual_churn_rate", annual_churn_rate, inputs["annual_churn_rate"]),
            ("cac", cac, computed_cac)):
        chosen[name] = computed if override is None else float(override)
        note = cac_note if name == "cac" and override is None and computed is None else None
        rows.append((name, chosen[name], "computed" if override is None else "override", note))
    churn, revenue = chosen["annual_churn_rate"], chosen["annual_revenue_per_buyer"]
    lifetime = 1 / churn if churn else None
    rows.append(("lifetime_years", lifetime, "result", None))
    rows.append(("gross_margin", float(margin), "input", None))
    clv = (revenue * margin * lifetime - chosen["cac"]
           if None not in (revenue, lifetime, chosen["cac"]) else None)
    rows.append(("historical_clv", None if clv is None else round(clv, 2), "result", None))
    return pl.DataFrame(rows, schema={"input": pl.String, "value": pl.Float64, "source": pl.String,
                                      "note": pl.String}, orient="row")


_YEARLY = """
        ref AS (SELECT least(end_date, as_of) AS ref FROM bounds),
        yearly AS (
            SELECT DISTINCT member_id,
                   CASE WHEN order_date > ref - $year::INTEGER THEN 'last' ELSE 'prior' END AS yr
            FROM purchases, ref WHERE order_date > ref - 2 * $year::INTEGER AND order_date <= ref),
        churned AS (
            SELECT member_id FROM yearly WHERE yr = 'prior'
            EXCEPT SELECT member_id FROM yearly WHERE yr = 'last')"""
HistoricalCount = Literal["buyers_last_year", "buyers_prior_year", "churned_buyers"]
HISTORICAL_COUNTS: tuple[HistoricalCount, ...] = ("buyers_last_year", "buyers_prior_year", "churned_buyers")


@dataclass(frozen=True)
class HistoricalCell:
    """The members behind one of historical()'s counts: buyers_last_year, buyers_prior_year or
    churned_buyers (bought in the year before, not in the last year)."""

    count: HistoricalCount

    def __post_init__(self) -> None:
        if self.count not in HISTORICAL_COUNTS:
            raise ValueError(f"no members behind {self.count!r}")


@dataclass(frozen=True)
class BandCell:
    """The members of one value band: predicted_clv ≥ low (any value in the first band, low = 0)
    and < high (None = open)."""

    low: float
    high: float | None

    def __post_init__(self) -> None:
        if self.high is not None and self.high <= self.low:
            raise ValueError(f"a band's high edge must lie above its low edge; got {self.low!r}–{self.high!r}")


def value_vs_cac(historical_frame: pl.DataFrame) -> tuple[float | None, float | None]:
    """From historical()'s rows: what a retained buyer is worth in a year (annual_revenue_per_buyer
    × gross_margin) and how many times that covers CAC (null when either is missing or CAC is 0)."""
    values = dict(zip(historical_frame["input"], historical_frame["value"]))
    revenue, margin, cac = values["annual_revenue_per_buyer"], values["gross_margin"], values["cac"]
    annual = None if revenue is None else revenue * margin
    return annual, (annual / cac if annual is not None and cac else None)


def _historical_inputs(store: Store, ds: Dataset, spec: ClvSpec) -> dict[str, float | None]:
    b = base(ds, spec.filters)
    sql = b.query(_YEARLY + """
        SELECT (SELECT ref FROM ref) AS ref,
               (SELECT coalesce(sum(amount), 0)::DOUBLE FROM scoped_lines, ref
                WHERE order_date > ref - $year::INTEGER AND order_date <= ref) AS revenue_last_year,
               count(*) FILTER (WHERE yr = 'last') AS buyers_last_year,
               count(*) FILTER (WHERE yr = 'prior') AS buyers_prior_year,
               (SELECT count(*) FROM churned) AS churned_buyers
        FROM yearly""")
    row = store.query(sql, {**b.params, "year": YEAR_DAYS}).row(0, named=True)
    ref: date | None = row.pop("ref")
    totals = (cac.totals(store, ds, spec.filters, ref - timedelta(days=YEAR_DAYS - 1), ref)
              if ref else {"spend_rows": 0, "cac": None, "cac_note": None})
    buyers, prior = row["buyers_last_year"], row["buyers_prior_year"]
    return {
        "revenue_last_year": round(row["revenue_last_year"], 2),
        "buyers_last_year": float(buyers),
        "buyers_prior_year": float(prior),
        "churned_buyers": float(row["churned_buyers"]),
        "annual_revenue_per_buyer": round(row["revenue_last_year"] / buyers, 2) if buyers else None,
        "annual_churn_rate": row["churned_buyers"] / prior if prior else None,
        # No spend at all in the year: nothing was spent, whatever the scope.
        "cac": totals["cac"] if totals["spend_rows"] else 0.0,
        "cac_note": totals["cac_note"] if totals["spend_rows"] else None,
    }


def _historical_members(store: Store, ds: Dataset, spec: ClvSpec, cell: HistoricalCell) -> pl.DataFrame:
    condition = {"buyers_last_year": "SELECT member_id FROM yearly WHERE yr = 'last'",
                 "buyers_prior_year": "SELECT member_id FROM yearly WHERE yr = 'prior'",
                 "churned_buyers": "SELECT member_id FROM churned"}[cell.count]
    b = base(ds, spec.filters)
    sql = b.query(_YEARLY + f" SELECT member_id FROM ({condition}) ORDER BY member_id")
    return store.query(sql, {**b.params, "year": YEAR_DAYS})


# -- value bands of predicted CLV ----------------------------------------------------------

VALUE_BAND_COUNT = 10  # at most this many bands (the highest open-ended)


def nice_edges(max_value: float | None, bands: int = VALUE_BAND_COUNT) -> tuple[float, ...]:
    """Lower edges of predicted-CLV bands: 0, then the 1-2-5 series (10, 20, 50, 100 …) below
    max_value, keeping the highest `bands` − 1 of it so the bands follow the data's scale
    (¥ snacks or ¥ strollers). The last band is open; (0,) when max_value ≤ 10 or unknown."""
    if bands < 1:
        raise ValueError("bands must be ≥ 1")
    series: list[float] = []
    step = 10.0
    while max_value is not None and step < max_value:
        for factor in (1, 2, 5):
            if step * factor < max_value:
                series.append(step * factor)
        step *= 10
    return (0.0, *series[len(series) - (bands - 1):]) if bands > 1 and series else (0.0,)


def bands_of(frame: pl.DataFrame, edges: tuple[float, ...]) -> pl.DataFrame:
    """Members of a run() frame by predicted-CLV band: low (inclusive), high (exclusive; null =
    open), members, predicted_clv (sum, 2 dp), member_share, value_share (of the members with a
    prediction). Every band listed, zeros included; members without a prediction are left out,
    and no prediction at all gives an empty frame. A negative CLV (a net refund) counts in the first band."""
    schema = {"low": pl.Float64, "high": pl.Float64, "members": pl.Int64, "predicted_clv": pl.Float64,
              "member_share": pl.Float64, "value_share": pl.Float64}
    values = frame.filter(pl.col("predicted_clv").is_not_null())["predicted_clv"]
    if values.is_empty():
        return pl.DataFrame(schema=schema)
    highs = [*edges[1:], None]
    rows = []
    total_members, total_value = values.len(), float(values.sum())
    for i, (low, high) in enumerate(zip(edges, highs)):
        inside = values.filter(values >= low) if i else values
        if high is not None:
            inside = inside.filter(inside < high)
        value = float(inside.sum())
        rows.append((float(low), high, inside.len(), round(value, 2), inside.len() / total_members,
                     value / total_value if total_value > 0 else None))
    return pl.DataFrame(rows, schema=schema, orient="row")


def top_bands(bands: pl.DataFrame, min_member_share: float = 0.1) -> dict[str, float] | None:
    """The highest bands of a bands_of() frame that together hold ≥ min_member_share of the
    members (taken whole, from the top): {"low": their lowest edge, "member_share", "value_share"};
    None without bands or value. For a reading such as "the top 9 % of members hold 65 % of value"."""
    if not bands.height or bands["members"].sum() == 0:
        return None
    members = value = 0.0
    low = 0.0
    for row in reversed(bands.rows(named=True)):
        members += row["member_share"]
        value += row["value_share"] or 0.0
        low = row["low"]
        if members >= min_member_share:
            break
    return {"low": low, "member_share": members, "value_share": value}


def value_bands(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(),
                bands: int = VALUE_BAND_COUNT, model: Model | None = None) -> pl.DataFrame:
    """Predicted CLV by band (`bands_of` over run(), edges from `nice_edges` of the largest CLV).
    `model`: a fit of spec's model and unit to reuse (the page has one already; a fit is most of
    the time)."""
    frame = run(store, ds, spec, model)
    top = frame["predicted_clv"].max() if frame.height else None
    return bands_of(frame, nice_edges(top, bands))


def band_members_of(scored: pl.DataFrame, cell: BandCell) -> pl.DataFrame:
    """The rows of a run() frame in a value band (`members` of a BandCell; the page filters the
    frame it scored once, so opening another band costs no new fit)."""
    clv_value = pl.col("predicted_clv")
    frame = scored.filter(clv_value.is_not_null())
    if cell.low > 0:
        frame = frame.filter(clv_value >= cell.low)
    if cell.high is not None:
        frame = frame.filter(clv_value < cell.high)
    return frame.sort(["predicted_clv", "member_id"], descending=[True, False])


def cells(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec()) -> list[tuple[HistoricalCell | BandCell, int]]:
    """Every member count shown: historical()'s three counts and each value band's members."""
    counts = dict(historical(store, ds, spec).select("input", "value").rows())
    return ([(HistoricalCell(name), int(counts[name])) for name in HISTORICAL_COUNTS]
            + [(BandCell(low, high), n) for low, high, n in value_bands(store, ds, spec).select("low", "high", "members").rows()])


def members(store: Store, ds: Dataset, spec: ClvSpec, cell: HistoricalCell | BandCell) -> pl.DataFrame:
    """The members behind a number: a HistoricalCell (column member_id, sorted) or a BandCell
    (columns as lib.clv.run(); sorted by predicted_clv desc, member_id)."""
    if isinstance(cell, HistoricalCell):
        return _historical_members(store, ds, spec, cell)
    return band_members_of(run(store, ds, spec), cell)


