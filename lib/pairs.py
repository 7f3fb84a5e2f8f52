"""Pairs bought together (GLOSSARY §7: 连带购买 / basket analysis).

Definitions (everything in scope: filters applied, history up to as_of; a purchase **contains** an
item of `spec.level` (category, sku or product name) when it has a positive line of it, so refund
lines and refund-only orders never put an item in a basket): a basket is one purchase dated in
[start, end] (spec.basket = "order"), or everything a member bought in purchases dated in the
range ("member"); baskets = baskets holding ≥ 1 item of the level. For items A, B: together =
baskets holding both; support = together / baskets; confidence(A → B) = together / baskets holding
A; lift = confidence / support(B) = together × baskets / (baskets with A × baskets with B). Pairs
need support ≥ spec.min_support and together ≥ spec.min_together; both directions are listed.
Ratios with a zero denominator are null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from lib.filters import ITEM_LEVELS, Filters, ItemLevel, base, check_item_level
from lib.store import Dataset, Store

Basket = Literal["order", "member"]
DEFAULT_MIN_SUPPORT = 0.01      # a pair in at least 1 % of baskets
DEFAULT_MIN_TOGETHER = 2        # … and at least two baskets: one shared basket is anecdote
LEVELS = ITEM_LEVELS
# members() adds up to a cell through this column: a member who bought the pair in two baskets
# is one row holding 2.
CELL_WEIGHT = "baskets"


# The columns and types of run() with the default spec (tests/test_cells.py checks them).
SCHEMA: dict[str, pl.DataType] = {"antecedent": pl.String, "consequent": pl.String, "together": pl.Int64,
          "antecedent_baskets": pl.Int64, "consequent_baskets": pl.Int64, "baskets": pl.Int64,
          "support": pl.Float64, "confidence": pl.Float64, "lift": pl.Float64}


@dataclass(frozen=True)
class PairSpec:
    filters: Filters = field(default_factory=Filters)
    level: ItemLevel = "category"
    basket: Basket = "order"
    min_support: float = DEFAULT_MIN_SUPPORT
    min_together: int = DEFAULT_MIN_TOGETHER

    def __post_init__(self) -> None:
        """A spec that cannot be run is refused when it is made, not when its SQL is built."""
        check_item_level(self.level)
        if self.basket not in ("order", "member"):
            raise ValueError(f"basket {self.basket!r}? (choose order or member)")


@dataclass(frozen=True)
class PairCell:
    """The baskets holding both items (either direction of a pair)."""

    antecedent: str
    consequent: str

    def __post_init__(self) -> None:
        if self.antecedent == self.consequent:
            raise ValueError(f"a pair is two different items; got {self.antecedent!r} twice")


def _basket_ctes(spec: PairSpec) -> str:
    """`basket_lines(bid, member_id, item)`: the positive lines of purchases in the range, `bid`
    numbering their basket (an order, or a member); `item_ids(item, iid)` numbers the items, and
    `basket_items(bid, iid)` holds each basket's distinct items. Integer keys keep the self-join
    of `pairs` fast on millions of lines."""
    col = spec.level  # a column name, checked by PairSpec against ITEM_LEVELS
    # An order basket is numbered by (member, order); a member basket joins its member's number
    # (numbered in order, not as read: Spark numbers only an ordered window, lib/spark.py).
    numbered = ("JOIN (SELECT member_id, row_number() OVER (ORDER BY member_id) AS bid FROM "
                "(SELECT DISTINCT member_id FROM purchases)) k USING (member_id)")
    bid, join = (("row_number() OVER (ORDER BY p.member_id, p.order_id)", "") if spec.basket == "order"
                 else ("k.bid", numbered))
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


def run(store: Store, ds: Dataset, spec: PairSpec = PairSpec()) -> pl.DataFrame:
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


def cells(store: Store, ds: Dataset, spec: PairSpec = PairSpec()) -> list[tuple[PairCell, int]]:
    """Every pair run() lists with its `together` count. With member baskets that count is the
    members behind the pair; with order baskets it counts baskets (members() lists fewer rows when
    a member bought the pair twice; their `baskets` column adds up to it)."""
    return [(PairCell(a, c), n) for a, c, n in run(store, ds, spec).select("antecedent", "consequent", "together").rows()]


def members(store: Store, ds: Dataset, spec: PairSpec, cell: PairCell) -> pl.DataFrame:
    """Members with a basket holding both items: member_id, baskets; sorted by member_id."""
    b = base(ds, spec.filters)
    sql = b.query(_basket_ctes(spec) + """
        SELECT member_id, count(DISTINCT bid) AS baskets FROM basket_lines
        WHERE bid IN (SELECT bid FROM basket_lines WHERE item = $a)
          AND bid IN (SELECT bid FROM basket_lines WHERE item = $c)
        GROUP BY member_id ORDER BY member_id""")
    return store.query(sql, {**b.params, "a": cell.antecedent, "c": cell.consequent})
