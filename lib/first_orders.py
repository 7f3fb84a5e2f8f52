"""First-order products: what new members buy first, and whether they come back.

Definitions (everything in scope: filters applied, history up to as_of; a purchase **contains** an
item of `spec.level` when it has a positive line of it): first buyers of an item = members whose
first purchase in scope (always decided on all history) is dated in the range and contains it; of
them, repeat_buyers = those with a second purchase of anything in scope up to as_of; repeat_lift =
their repeat rate / the repeat rate of all members whose first purchase is in the range. Ratios
with a zero denominator are null.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lib.filters import Filters, ItemLevel, base, check_item_level
from lib.store import Dataset, Store


# The columns and types of run() with the default spec (tests/test_cells.py checks them);
# the item column is named after spec.level.
SCHEMA: dict[str, pl.DataType] = {"category": pl.String, "first_buyers": pl.Int64, "first_buyer_share": pl.Float64,
          "repeat_buyers": pl.Int64, "repeat_rate": pl.Float64, "repeat_lift": pl.Float64}


@dataclass(frozen=True)
class FirstOrderSpec:
    filters: Filters = field(default_factory=Filters)
    level: ItemLevel = "category"

    def __post_init__(self) -> None:
        check_item_level(self.level)


@dataclass(frozen=True)
class FirstOrderCell:
    """The first buyers of an item (repeat_only: those of them who bought again)."""

    item: str
    repeat_only: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.repeat_only, bool):
            raise ValueError(f"repeat_only must be True or False; got {self.repeat_only!r}")


def _first_order_ctes(spec: FirstOrderSpec) -> str:
    col = spec.level  # checked by FirstOrderSpec
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


def run(store: Store, ds: Dataset, spec: FirstOrderSpec = FirstOrderSpec()) -> pl.DataFrame:
    """Columns: <spec.level>, first_buyers, first_buyer_share (of members whose first purchase is in the
    range), repeat_buyers, repeat_rate, repeat_lift; sorted by first_buyers desc, then item."""
    col = spec.level  # checked by FirstOrderSpec
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


def cells(store: Store, ds: Dataset, spec: FirstOrderSpec = FirstOrderSpec()) -> list[tuple[FirstOrderCell, int]]:
    """Every member count run() shows: each item's first buyers and repeat buyers."""
    return [(FirstOrderCell(item, repeat_only), n) for item, first_buyers, repeat_buyers in
            run(store, ds, spec).select(spec.level, "first_buyers", "repeat_buyers").rows()
            for repeat_only, n in ((False, first_buyers), (True, repeat_buyers))]


def members(store: Store, ds: Dataset, spec: FirstOrderSpec, cell: FirstOrderCell) -> pl.DataFrame:
    """First buyers of the item: member_id, repeated; sorted by member_id."""
    b = base(ds, spec.filters)
    sql = b.query(_first_order_ctes(spec) + """
        SELECT member_id, repeated FROM first_items WHERE item = $item AND (repeated OR NOT $repeat_only)
        ORDER BY member_id""")
    return store.query(sql, {**b.params, "item": cell.item, "repeat_only": bool(cell.repeat_only)})
