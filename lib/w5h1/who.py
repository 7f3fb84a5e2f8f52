"""Who: high-value members' profile and the members about to leave (pre-churn).

Composites for the 5W1H page, built on lib.clv and lib.rfm; no other analysis imports them.

- **profile** (`profile`): the members given (e.g. RFM champions) that are buyers (≥ 1 purchase in
  the range), against all those buyers: per value of an attribute, share = members with it /
  members; lift = share in subset / share overall. Attributes: member_tier, gender, age_band
  (lib.filters.AGE_BANDS at as_of), first_channel (of the first purchase in scope), region and city
  (members file, else the first purchase's order), top_category (largest positive spend in the
  range, ties by name). A missing value is its own row (value null). `high_value_ids` gives the
  usual subsets: the top share of predicted CLV (lib.clv) or the RFM champions. Ratios with a zero
  denominator are null.
- **pre-churn** (`pre_churn`): P(alive) below a threshold or an RFM segment that signals leaving.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import polars as pl

from lib import clv, rfm
from lib.filters import Filters, base, member_attribute_sql
from lib.store import Dataset, Store

ProfileAttribute = Literal["member_tier", "gender", "age_band", "first_channel", "region", "city",
                           "top_category"]
PROFILE_ATTRIBUTES: tuple[ProfileAttribute, ...] = (
    "member_tier", "gender", "age_band", "first_channel", "region", "city", "top_category")


@dataclass(frozen=True)
class ProfileCell:
    """Buyers (of member_ids, or all) with the attribute's value."""

    attribute: ProfileAttribute
    value: str | None
    member_ids: tuple[str, ...] | None = None  # None: all buyers in scope

    def __post_init__(self) -> None:
        if self.attribute not in PROFILE_ATTRIBUTES:
            raise ValueError(f"attribute {self.attribute!r}? (choose from {', '.join(PROFILE_ATTRIBUTES)})")


def _profile_ctes(attribute: ProfileAttribute) -> str:
    """`valued(member_id, value)`: every buyer in the range with the attribute's value."""
    if attribute not in PROFILE_ATTRIBUTES:
        raise ValueError(f"attribute {attribute!r}? (choose from {', '.join(PROFILE_ATTRIBUTES)})")
    # attribute -> (SQL value, the sources it reads: f = first purchase, t = top category, m = member)
    value, needs = {
        "member_tier": (member_attribute_sql("member_tier"), "m"), "gender": (member_attribute_sql("gender"), "m"),
        "age_band": (member_attribute_sql("age_band"), "m"), "first_channel": ("f.channel", "f"),
        "region": ("coalesce(m.region, f.region)", "mf"), "city": ("coalesce(m.city, f.city)", "mf"),
        "top_category": ("t.item", "t"),
    }[attribute]
    sources = {"f": "LEFT JOIN first_purchases f USING (member_id)", "t": "LEFT JOIN tops t USING (member_id)",
               "m": "LEFT JOIN scoped_members m ON m.member_id = u.member_id"}
    joins = " ".join(join for alias, join in sources.items() if alias in needs)
    return f"""
        buyers AS (
            SELECT DISTINCT p.member_id FROM purchases p CROSS JOIN bounds bd
            WHERE p.order_date BETWEEN bd.start_date AND bd.end_date),
        spend AS (
            SELECT l.member_id, l.category AS item, sum(l.amount) AS amount
            FROM purchases p CROSS JOIN bounds bd
            JOIN scoped_lines l ON l.member_id = p.member_id AND l.order_id = p.order_id
            WHERE p.order_date BETWEEN bd.start_date AND bd.end_date AND l.amount > 0 AND l.category IS NOT NULL
            GROUP BY l.member_id, l.category),
        tops AS (SELECT member_id, item FROM spend
                 QUALIFY row_number() OVER (PARTITION BY member_id ORDER BY amount DESC, item) = 1),
        valued AS (
            SELECT u.member_id, {value}::VARCHAR AS value
            FROM buyers u {joins}),
        chosen AS (SELECT DISTINCT unnest($ids::VARCHAR[]) AS member_id)"""


def profile(store: Store, ds: Dataset, filters: Filters, member_ids: list[str] | tuple[str, ...],
            attribute: ProfileAttribute) -> pl.DataFrame:
    """Columns: value, subset_members, subset_share, all_members, all_share, lift; sorted by
    all_members desc, value (null last). Ids that are not buyers in scope are ignored."""
    b = base(ds, filters)
    sql = b.query(_profile_ctes(attribute) + """,
        counted AS (
            SELECT v.value, count(*) AS all_members, count(c.member_id) AS subset_members
            FROM valued v LEFT JOIN chosen c USING (member_id) GROUP BY v.value),
        totals AS (SELECT sum(all_members) AS n_all, sum(subset_members) AS n_subset FROM counted)
        SELECT value, subset_members, subset_members / nullif(n_subset, 0) AS subset_share,
               all_members, all_members / n_all AS all_share,
               (subset_members / nullif(n_subset, 0)) / (all_members / n_all) AS lift
        FROM counted CROSS JOIN totals ORDER BY all_members DESC, value NULLS LAST""")
    return store.query(sql, {**b.params, "ids": [str(i) for i in member_ids]}).cast(
        {"subset_members": pl.Int64, "subset_share": pl.Float64, "all_members": pl.Int64,
         "all_share": pl.Float64, "lift": pl.Float64})


HighValueSource = Literal["clv", "champions"]
HIGH_VALUE_SOURCES: tuple[HighValueSource, ...] = ("clv", "champions")
DEFAULT_TOP_SHARE = 0.1  # "high value" = the top 10 % of buyers by predicted CLV


def high_value_ids(store: Store, ds: Dataset, filters: Filters, source: HighValueSource = "clv",
                   top_share: float = DEFAULT_TOP_SHARE, model: clv.ModelName = clv.DEFAULT_MODEL) -> tuple[str, ...]:
    """The members a high-value profile describes, sorted: source "clv" = the top `top_share` of
    the members with a predicted CLV (`model`, lib.clv's other defaults; ceil(share × members), ties at the cut
    broken by member_id (clv.top_clv); none without a usable fit); "champions" = the RFM
    segment champions (lib.rfm, quintile scores). Both on the same filters."""
    if source == "clv":
        if not 0 < top_share <= 1:
            raise ValueError("top_share must be in (0, 1]")
        predicted = clv.run(store, ds, clv.ClvSpec(filters, model=model))
        frame = clv.top_clv(predicted, math.ceil(top_share * predicted["predicted_clv"].count()))
    elif source == "champions":
        frame = rfm.members(store, ds, rfm.RfmSpec(filters), rfm.RfmCell(segment="champions"))
    else:
        raise ValueError(f"source {source!r}? (choose from {', '.join(HIGH_VALUE_SOURCES)})")
    return tuple(sorted(frame["member_id"].cast(pl.String).to_list()))


def high_value_members(store: Store, ds: Dataset, filters: Filters, attribute: ProfileAttribute, value: str | None,
                       source: HighValueSource = "clv", top_share: float = DEFAULT_TOP_SHARE,
                       model: clv.ModelName = clv.DEFAULT_MODEL) -> pl.DataFrame:
    """The high-value members (high_value_ids, computed now) with the attribute's value: the list
    the Who profile shows under "high-value members only", as a saved segment re-evaluates it live
    (a ProfileCell holding the ids would keep the high-value members of the day it was saved)."""
    ids = high_value_ids(store, ds, filters, source, top_share, model)
    return members(store, ds, filters, ProfileCell(attribute, value, ids))


def members(store: Store, ds: Dataset, filters: Filters, cell: ProfileCell) -> pl.DataFrame:
    """Buyers (of cell.member_ids, or all) with the attribute's value: member_id, value; by member_id."""
    b = base(ds, filters)
    sql = b.query(_profile_ctes(cell.attribute) + """
        SELECT member_id, value FROM valued
        WHERE value IS NOT DISTINCT FROM $value AND ($all OR member_id IN (SELECT member_id FROM chosen))
        ORDER BY member_id""")
    return store.query(sql, {**b.params, "value": cell.value, "all": cell.member_ids is None,
                             "ids": list(cell.member_ids or ())})


# -- pre-churn: members about to leave --------------------------------------------------------

DEFAULT_PRE_CHURN_P_ALIVE = 0.3
PRE_CHURN_SEGMENTS = ("at_risk", "cannot_lose")
PRE_CHURN_COLUMNS = ("member_id", "segment", "recency_days", "frequency", "monetary", "last_purchase",
                     "p_alive", "churn_probability", "predicted_clv", "low_p_alive", "risk_segment")


def pre_churn_of(clv_frame: pl.DataFrame, rfm_frame: pl.DataFrame, p_alive_below: float | None,
                 segments: tuple[str, ...]) -> pl.DataFrame:
    """The buyers of rfm_frame (lib.rfm.run) with P(alive) < p_alive_below (from clv_frame =
    run(); None = not used) or an RFM segment in `segments`; the two reasons are the boolean
    columns low_p_alive and risk_segment. Columns PRE_CHURN_COLUMNS (frequency and monetary are
    RFM's: purchases and net spend; last_purchase, p_alive, churn_probability and predicted_clv
    CLV's, null for a
    buyer the fit did not see); sorted by monetary desc, then member_id, so the most valuable
    come first. A member without a P(alive) (no usable fit) can only qualify by segment."""
    model = clv_frame.select("member_id", "last_purchase", "p_alive", "churn_probability", "predicted_clv")
    low = (pl.col("p_alive") < p_alive_below).fill_null(False) if p_alive_below is not None else pl.lit(False)
    return (rfm_frame.join(model, on="member_id", how="left")
            .with_columns(low_p_alive=low, risk_segment=pl.col("segment").is_in(list(segments)))
            .filter(pl.col("low_p_alive") | pl.col("risk_segment"))
            .sort(["monetary", "member_id"], descending=[True, False])
            .select(PRE_CHURN_COLUMNS))


def pre_churn(store: Store, ds: Dataset, spec: clv.ClvSpec = clv.ClvSpec(),
              p_alive_below: float | None = DEFAULT_PRE_CHURN_P_ALIVE,
              segments: tuple[str, ...] = PRE_CHURN_SEGMENTS, rfm_spec: rfm.RfmSpec | None = None) -> pl.DataFrame:
    """Pre-churn members (预流失): P(alive) below a threshold (spec.model, fitted at the fit date) or
    in an RFM segment that signals leaving (default at_risk, cannot_lose; RFM at as_of with
    `rfm_spec`'s thresholds, its filters replaced by spec.filters). See `pre_churn_of`."""
    r_spec = replace(rfm_spec or rfm.RfmSpec(), filters=spec.filters)
    return pre_churn_of(clv.run(store, ds, spec), rfm.run(store, ds, r_spec), p_alive_below, segments)


