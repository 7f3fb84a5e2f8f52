"""Products: pairs bought together, most repurchased and first-order products, price band ×
discount sensitivity, and the profile of a member segment.

Definitions (GLOSSARY §7; everything in scope: filters applied, history up to as_of; a purchase
**contains** an item of `spec.level` (category, sku or product name) when it has a positive line of
it, so refund lines and refund-only orders never put an item in a basket):
- **pairs** (`pairs`): a basket is one purchase dated in [start, end] (spec.basket = "order"), or
  everything a member bought in purchases dated in the range ("member"); baskets = baskets holding
  ≥ 1 item of the level. For items A, B: together = baskets holding both; support = together /
  baskets; confidence(A → B) = together / baskets holding A; lift = confidence / support(B) =
  together × baskets / (baskets with A × baskets with B). Pairs need support ≥ spec.min_support
  and together ≥ spec.min_together; both directions are listed.
- **top repurchased** (`top_repurchased`): repurchase.run by the level, ranked by repeat buyers.
- **first-order products** (`first_order_products`): first buyers of an item = members whose first
  purchase in scope (always decided on all history) is dated in the range and contains it; of them,
  repeat_buyers = those with a second purchase of anything in scope up to as_of; repeat_lift =
  their repeat rate / the repeat rate of all members whose first purchase is in the range.
- **price band × discount sensitivity** (`price_discount`), over the positive lines of purchases
  dated in the range: unit price = unit_price, else amount / quantity, else amount (one unit).
  Bands = spec.price_bands quantile bands: the cut at i / n is the lowest price with ≥ i / n of the
  lines priced at or below it, and a line goes into the first band whose cut is ≥ its price; equal
  prices always share a band, empty bands are dropped, and each band is labelled with the lowest
  and highest price in it. A member's discount share = their spend (amount) on lines with
  discount > 0 / their spend; sensitivity = full_price (share 0), low (< spec.high_sensitivity),
  high (≥ it), unknown (none of their lines records a discount). mean_discount_rate of a cell =
  discount / (amount + discount) summed over its lines (GLOSSARY "% off"). revenue here = the
  cell's positive lines, before refunds.
- **profile** (`profile`): the members given (e.g. RFM champions) that are buyers (≥ 1 purchase in
  the range), against all those buyers: per value of an attribute, share = members with it /
  members; lift = share in subset / share overall. Attributes: member_tier, gender, age_band
  (lib.filters.AGE_BANDS at as_of), first_channel (of the first purchase in scope), region and city
  (members file, else the first purchase's order), top_category (largest positive spend in the
  range, ties by name). A missing value is its own row (value null). `high_value_ids` gives the
  usual subsets: the top share of predicted CLV (lib.clv) or the RFM champions.
Ratios with a zero denominator are null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from lib import clv, repurchase, rfm
from lib.filters import Filters, base, member_attribute_sql
from lib.store import Dataset, Store

Level = Literal["category", "sku", "product_name"]
LEVELS: tuple[Level, ...] = ("category", "sku", "product_name")
Basket = Literal["order", "member"]
What = Literal["pairs", "first_order", "price_discount", "repurchased"]
WHATS: tuple[What, ...] = ("pairs", "first_order", "price_discount", "repurchased")
DEFAULT_MIN_SUPPORT = 0.01      # a pair in at least 1 % of baskets
DEFAULT_MIN_TOGETHER = 2        # … and at least two baskets: one shared basket is anecdote
DEFAULT_PRICE_BANDS = 4         # quartile bands of unit price
DEFAULT_HIGH_SENSITIVITY = 0.33  # ≥ a third of a member's spend on discount = high sensitivity
DEFAULT_TOP = 20
SENSITIVITIES = ("full_price", "low", "high", "unknown")
ProfileAttribute = Literal["member_tier", "gender", "age_band", "first_channel", "region", "city",
                           "top_category"]
PROFILE_ATTRIBUTES: tuple[ProfileAttribute, ...] = (
    "member_tier", "gender", "age_band", "first_channel", "region", "city", "top_category")


@dataclass(frozen=True)
class ProductSpec:
    filters: Filters = field(default_factory=Filters)
    what: What = "pairs"
    level: Level = "category"
    basket: Basket = "order"
    min_support: float = DEFAULT_MIN_SUPPORT
    min_together: int = DEFAULT_MIN_TOGETHER
    price_bands: int = DEFAULT_PRICE_BANDS
    high_sensitivity: float = DEFAULT_HIGH_SENSITIVITY

    def __post_init__(self) -> None:
        """A spec that cannot be run is refused when it is made, not when its SQL is built."""
        if self.what not in WHATS:
            raise ValueError(f"what {self.what!r}? (choose from {', '.join(WHATS)})")
        _level(self.level)
        if self.basket not in ("order", "member"):
            raise ValueError(f"basket {self.basket!r}? (choose order or member)")
        if self.price_bands < 1:
            raise ValueError("price_bands must be ≥ 1")


@dataclass(frozen=True)
class PairCell:
    antecedent: str
    consequent: str


@dataclass(frozen=True)
class FirstOrderCell:
    item: str
    repeat_only: bool = False


@dataclass(frozen=True)
class PriceCell:
    band: int
    sensitivity: str


@dataclass(frozen=True)
class ProfileCell:
    attribute: ProfileAttribute
    value: str | None
    member_ids: tuple[str, ...] | None = None  # None: all buyers in scope


Cell = PairCell | FirstOrderCell | PriceCell | ProfileCell


def _level(level: Level) -> str:
    if level not in LEVELS:
        raise ValueError(f"level {level!r}? (choose from {', '.join(LEVELS)})")
    return level


def run(store: Store, ds: Dataset, spec: ProductSpec = ProductSpec()) -> pl.DataFrame:
    """The table spec.what names: pairs, first_order, price_discount or repurchased."""
    return {"pairs": pairs, "first_order": first_order_products, "price_discount": price_discount,
            "repurchased": top_repurchased}[spec.what](store, ds, spec)


# -- pairs -------------------------------------------------------------------------------------

def _basket_ctes(spec: ProductSpec) -> str:
    """`basket_lines(bid, member_id, item)`: the positive lines of purchases in the range, `bid`
    numbering their basket (an order, or a member); `item_ids(item, iid)` numbers the items, and
    `basket_items(bid, iid)` holds each basket's distinct items. Integer keys keep the self-join
    of `pairs` fast on millions of lines."""
    col = spec.level  # a column name, checked by ProductSpec against LEVELS
    # An order basket is numbered as it is read; a member basket joins its member's number.
    numbered = ("JOIN (SELECT member_id, row_number() OVER () AS bid FROM "
                "(SELECT DISTINCT member_id FROM purchases)) k USING (member_id)")
    bid, join = ("row_number() OVER ()", "") if spec.basket == "order" else ("k.bid", numbered)
    return f"""
        in_range AS (
            SELECT p.member_id, p.order_id, {bid} AS bid FROM purchases p {join} CROSS JOIN bounds bd
            WHERE p.order_date BETWEEN bd.start_date AND bd.end_date),
        basket_lines AS (
            SELECT r.bid, r.member_id, l.{col} AS item
            FROM in_range r JOIN scoped_lines l ON l.member_id = r.member_id AND l.order_id = r.order_id
            WHERE l.amount > 0 AND l.{col} IS NOT NULL),
        item_ids AS (
            SELECT item, row_number() OVER (ORDER BY item) AS iid FROM (SELECT DISTINCT item FROM basket_lines)),
        basket_items AS (SELECT DISTINCT l.bid, i.iid FROM basket_lines l JOIN item_ids i USING (item))"""


def pairs(store: Store, ds: Dataset, spec: ProductSpec = ProductSpec()) -> pl.DataFrame:
    """Columns: antecedent, consequent, together, antecedent_baskets, consequent_baskets, baskets,
    support, confidence, lift; sorted by lift desc, together desc, antecedent, consequent."""
    b = base(ds, spec.filters)
    sql = b.query(_basket_ctes(spec) + """,
        totals AS (SELECT count(*) AS baskets FROM (SELECT bid FROM basket_items GROUP BY bid)),
        item_baskets AS (SELECT iid, count(*) AS n FROM basket_items GROUP BY iid),
        -- a pair is never in more baskets than either item: prune rare items before the self-join
        frequent AS (
            SELECT i.iid, i.n, d.item FROM item_baskets i JOIN item_ids d USING (iid) CROSS JOIN totals t
            WHERE i.n >= $min_together AND i.n / t.baskets >= $min_support),
        kept_items AS (SELECT bi.* FROM basket_items bi SEMI JOIN frequent f ON f.iid = bi.iid),
        pair_counts AS (
            SELECT a.iid AS iid_a, b.iid AS iid_b, count(*) AS together
            FROM kept_items a JOIN kept_items b ON a.bid = b.bid AND a.iid < b.iid
            GROUP BY a.iid, b.iid),
        kept AS (
            SELECT c.* FROM pair_counts c CROSS JOIN totals t
            WHERE c.together >= $min_together AND c.together / t.baskets >= $min_support),
        directed AS (
            SELECT iid_a AS ante, iid_b AS cons, together FROM kept
            UNION ALL SELECT iid_b, iid_a, together FROM kept)
        SELECT fa.item AS antecedent, fc.item AS consequent, d.together, fa.n AS antecedent_baskets,
               fc.n AS consequent_baskets, t.baskets, d.together / t.baskets AS support,
               d.together / fa.n AS confidence, d.together * t.baskets / (fa.n * fc.n) AS lift
        FROM directed d CROSS JOIN totals t
        JOIN frequent fa ON fa.iid = d.ante JOIN frequent fc ON fc.iid = d.cons
        ORDER BY lift DESC, together DESC, antecedent, consequent""")
    params = {**b.params, "min_support": float(spec.min_support), "min_together": int(spec.min_together)}
    return store.query(sql, params).cast({"together": pl.Int64, "antecedent_baskets": pl.Int64,
                                          "consequent_baskets": pl.Int64, "baskets": pl.Int64,
                                          "support": pl.Float64, "confidence": pl.Float64, "lift": pl.Float64})


# -- repurchased and first-order products ------------------------------------------------------

def top_repurchased(store: Store, ds: Dataset, spec: ProductSpec = ProductSpec(),
                    limit: int = DEFAULT_TOP) -> pl.DataFrame:
    """repurchase.run by spec.level, ranked by repeat_buyers desc, repurchase_rate desc, item; top `limit`."""
    col = spec.level  # checked by ProductSpec
    table = repurchase.run(store, ds, repurchase.RepurchaseSpec(spec.filters, by=spec.level))
    return table.sort(["repeat_buyers", "repurchase_rate", col], descending=[True, True, False],
                      nulls_last=True).head(limit)


def _first_order_ctes(spec: ProductSpec) -> str:
    col = spec.level  # checked by ProductSpec
    return f"""
        firsts AS (
            SELECT p.member_id, p.order_id,
                   EXISTS (SELECT 1 FROM purchases q WHERE q.member_id = p.member_id AND q.nth = 2) AS repeated
            FROM first_purchases p CROSS JOIN bounds bd
            WHERE p.order_date BETWEEN bd.start_date AND bd.end_date),
        first_items AS (
            SELECT DISTINCT f.member_id, f.repeated, l.{col} AS item
            FROM firsts f JOIN scoped_lines l ON l.member_id = f.member_id AND l.order_id = f.order_id
            WHERE l.amount > 0 AND l.{col} IS NOT NULL)"""


def first_order_products(store: Store, ds: Dataset, spec: ProductSpec = ProductSpec()) -> pl.DataFrame:
    """Columns: <spec.level>, first_buyers, first_buyer_share (of members whose first purchase is in the
    range), repeat_buyers, repeat_rate, repeat_lift; sorted by first_buyers desc, then item."""
    col = spec.level  # checked by ProductSpec
    b = base(ds, spec.filters)
    sql = b.query(_first_order_ctes(spec) + f""",
        totals AS (SELECT count(*) AS new_buyers, count_if(repeated) AS repeaters FROM firsts)
        SELECT i.item AS {col}, count(*) AS first_buyers, count(*) / any_value(t.new_buyers) AS first_buyer_share,
               count_if(i.repeated) AS repeat_buyers, count_if(i.repeated) / count(*) AS repeat_rate,
               (count_if(i.repeated) / count(*)) / nullif(any_value(t.repeaters) / any_value(t.new_buyers), 0)
                   AS repeat_lift
        FROM first_items i CROSS JOIN totals t GROUP BY i.item
        ORDER BY first_buyers DESC, i.item""")
    return store.query(sql, b.params).cast({"first_buyers": pl.Int64, "first_buyer_share": pl.Float64,
                                            "repeat_buyers": pl.Int64, "repeat_rate": pl.Float64,
                                            "repeat_lift": pl.Float64})


# -- price band × discount sensitivity ---------------------------------------------------------

def _yuan(expr: str) -> str:
    """SQL text: a price as "¥12.50", whole yuan without decimals ("¥99")."""
    return f"'¥' || regexp_replace(printf('%.2f', {expr}), '\\.00$', '')"


def _price_ctes(spec: ProductSpec) -> str:
    """`cells(member_id, band, price_band, sensitivity, amount, discount)`: one row per line."""
    lo, hi = _yuan("min(price)"), _yuan("max(price)")
    return f"""
        priced AS (
            SELECT l.member_id, l.amount, l.discount,
                   coalesce(l.unit_price, l.amount / nullif(l.quantity, 0), l.amount) AS price
            FROM purchases p CROSS JOIN bounds bd
            JOIN scoped_lines l ON l.member_id = p.member_id AND l.order_id = p.order_id
            WHERE p.order_date BETWEEN bd.start_date AND bd.end_date AND l.amount > 0),
        cuts AS (
            SELECT quantile_disc(price, $cuts::DOUBLE[]) AS q FROM priced),
        raw_bands AS (
            SELECT pr.*, 1 + len(list_filter(c.q, lambda x: x < pr.price)) AS raw_band
            FROM priced pr CROSS JOIN cuts c),
        bands AS (
            SELECT raw_band, dense_rank() OVER (ORDER BY raw_band) AS band,
                   CASE WHEN min(price) = max(price) THEN {lo} ELSE {lo} || '–' || {hi} END AS price_band
            FROM raw_bands GROUP BY raw_band),
        sensitivity AS (
            SELECT member_id,
                   CASE WHEN count(discount) = 0 THEN 'unknown'
                        WHEN coalesce(sum(amount) FILTER (WHERE discount > 0), 0) = 0 THEN 'full_price'
                        WHEN sum(amount) FILTER (WHERE discount > 0) / sum(amount) < $high THEN 'low'
                        ELSE 'high' END AS sensitivity
            FROM priced GROUP BY member_id),
        cells AS (
            SELECT r.member_id, bs.band, bs.price_band, s.sensitivity, r.amount, r.discount
            FROM raw_bands r JOIN bands bs USING (raw_band) JOIN sensitivity s USING (member_id))"""


def _price_params(spec: ProductSpec) -> dict[str, object]:
    # the cut fractions 1/n … (n−1)/n
    return {"cuts": [i / int(spec.price_bands) for i in range(1, int(spec.price_bands))],
            "high": float(spec.high_sensitivity)}


def price_discount(store: Store, ds: Dataset, spec: ProductSpec = ProductSpec()) -> pl.DataFrame:
    """Columns: band (1 = cheapest), price_band ("¥10–¥15"), sensitivity, members, lines, revenue,
    mean_discount_rate (null without recorded discounts); sorted by band, then SENSITIVITIES order."""
    b = base(ds, spec.filters)
    sql = b.query(_price_ctes(spec) + """
        SELECT band, price_band, sensitivity, count(DISTINCT member_id) AS members, count(*) AS lines,
               round(sum(amount), 2)::DOUBLE AS revenue,
               CASE WHEN count(discount) > 0
                    THEN sum(coalesce(discount, 0)) / (sum(amount) + sum(coalesce(discount, 0))) END::DOUBLE
                   AS mean_discount_rate
        FROM cells GROUP BY band, price_band, sensitivity
        ORDER BY band, list_position(['full_price', 'low', 'high', 'unknown'], sensitivity)""")
    return store.query(sql, {**b.params, **_price_params(spec)}).cast(
        {"band": pl.Int64, "members": pl.Int64, "lines": pl.Int64})


# -- profile of a member subset ----------------------------------------------------------------

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


def profile(store: Store, ds: Dataset, spec: ProductSpec, member_ids: list[str] | tuple[str, ...],
            attribute: ProfileAttribute) -> pl.DataFrame:
    """Columns: value, subset_members, subset_share, all_members, all_share, lift; sorted by
    all_members desc, value (null last). Ids that are not buyers in scope are ignored."""
    b = base(ds, spec.filters)
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
    broken by member_id as clv.members does; none without a usable fit); "champions" = the RFM
    segment champions (lib.rfm, quintile scores). Both on the same filters."""
    if source == "clv":
        if not 0 < top_share <= 1:
            raise ValueError("top_share must be in (0, 1]")
        ranked = clv.run(store, ds, clv.ClvSpec(filters, model=model)).filter(pl.col("predicted_clv").is_not_null()).sort(
            ["predicted_clv", "member_id"], descending=[True, False])  # as clv.members "top_clv"
        frame = ranked.head(math.ceil(top_share * ranked.height))
    elif source == "champions":
        frame = rfm.members(store, ds, rfm.RfmSpec(filters), segment="champions")
    else:
        raise ValueError(f"source {source!r}? (choose from {', '.join(HIGH_VALUE_SOURCES)})")
    return tuple(sorted(frame["member_id"].cast(pl.String).to_list()))


# -- members behind a cell ---------------------------------------------------------------------

def members(store: Store, ds: Dataset, spec: ProductSpec, cell: Cell) -> pl.DataFrame:
    """The members behind one number, sorted by member_id:
    - PairCell: members with a basket holding both items (columns member_id, baskets);
    - FirstOrderCell: first buyers of the item (repeat_only: those who bought again) (member_id, repeated);
    - PriceCell: members with ≥ 1 line in the band × sensitivity cell (member_id, lines, revenue);
    - ProfileCell: buyers (of member_ids, or all) with the attribute's value (member_id, value).
    """
    b = base(ds, spec.filters)
    params: dict[str, object] = dict(b.params)
    if isinstance(cell, PairCell):
        sql = b.query(_basket_ctes(spec) + """
            SELECT member_id, count(DISTINCT bid) AS baskets FROM basket_lines
            WHERE bid IN (SELECT bid FROM basket_lines WHERE item = $a)
              AND bid IN (SELECT bid FROM basket_lines WHERE item = $c)
            GROUP BY member_id ORDER BY member_id""")
        params.update(a=cell.antecedent, c=cell.consequent)
    elif isinstance(cell, FirstOrderCell):
        sql = b.query(_first_order_ctes(spec) + """
            SELECT member_id, repeated FROM first_items WHERE item = $item AND (repeated OR NOT $repeat_only)
            ORDER BY member_id""")
        params.update(item=cell.item, repeat_only=bool(cell.repeat_only))
    elif isinstance(cell, PriceCell):
        sql = b.query(_price_ctes(spec) + """
            SELECT member_id, count(*) AS lines, round(sum(amount), 2)::DOUBLE AS revenue FROM cells
            WHERE band = $band AND sensitivity = $sensitivity GROUP BY member_id ORDER BY member_id""")
        params.update(_price_params(spec), band=int(cell.band), sensitivity=cell.sensitivity)
    elif isinstance(cell, ProfileCell):
        sql = b.query(_profile_ctes(cell.attribute) + """
            SELECT member_id, value FROM valued
            WHERE value IS NOT DISTINCT FROM $value AND ($all OR member_id IN (SELECT member_id FROM chosen))
            ORDER BY member_id""")
        params.update(value=cell.value, all=cell.member_ids is None, ids=list(cell.member_ids or ()))
    else:
        raise TypeError(f"not a products cell: {cell!r}")
    return store.query(sql, params)


# -- command line ------------------------------------------------------------------------------
