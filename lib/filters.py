"""Filters, and the one filtered base every analysis composes over.

SPEC "Filters, for every analysis":
- a **member** filter (tier, gender, age band) keeps the matching members;
- a **line** filter (category, sku, product) keeps the matching lines: an order is in scope
  when it has a matching line, and its net amount in scope is the sum of its matching lines;
- an **order** filter (channel, store, region, city) keeps whole orders;
- several values of one field are OR, different fields AND.
- `as_of` (default: data end, the dataset's latest order date) cuts history: nothing after it
  exists. `start` / `end` choose which periods or cohorts are *reported*; they never hide
  history, so each analysis applies them itself (see its docstring), never this base.

`base(ds, filters)` returns named CTEs (SQL text holding only our identifiers) and the bound
parameters they use:
- `bounds(as_of, start_date, end_date)`: one row; start_date defaults to the first purchase in
  scope, end_date to as_of;
- `scoped_orders(member_id, order_id, order_ts, order_date, net_amount, channel, store, region,
  city)`: every order in scope up to as_of, refund-only ones included;
- `purchases`: scoped orders with net amount > 0, plus `nth` (1 = the member's first purchase
  in scope) and `first_date` (the date of that first purchase).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from lib.store import Dataset

FieldLevel = Literal["member", "line", "order"]
FILTER_FIELDS: dict[str, FieldLevel] = {
    "channel": "order", "store": "order", "region": "order", "city": "order",
    "category": "line", "sku": "line", "product_name": "line",
    "member_tier": "member", "gender": "member", "age_band": "member",
}
# Age bands by age at as_of (years); labels are what the UI shows and what filters take.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("<25", 0, 24), ("25-29", 25, 29), ("30-34", 30, 34), ("35-39", 35, 39), ("40+", 40, 200))


@dataclass(frozen=True)
class Filters:
    """Scope of an analysis. Hashable, so it keys caches; build with `Filters.of(...)`."""

    start: date | None = None
    end: date | None = None
    as_of: date | None = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @classmethod
    def of(cls, start: date | None = None, end: date | None = None, as_of: date | None = None,
           **values: list[str] | tuple[str, ...] | str | None) -> Filters:
        where = []
        for name, chosen in sorted(values.items()):
            if name not in FILTER_FIELDS:
                raise ValueError(f"cannot filter on {name!r} (fields: {', '.join(FILTER_FIELDS)})")
            chosen = (chosen,) if isinstance(chosen, str) else tuple(chosen or ())
            if chosen:
                where.append((name, tuple(sorted(set(map(str, chosen))))))
        return cls(start, end, as_of, tuple(where))

    def values(self, name: str) -> tuple[str, ...]:
        return dict(self.where).get(name, ())

    def at_level(self, level: FieldLevel) -> list[tuple[str, tuple[str, ...]]]:
        return [(n, v) for n, v in self.where if FILTER_FIELDS[n] == level]


@dataclass(frozen=True)
class Base:
    ctes: str  # "bounds AS (...), scoped_orders AS (...), purchases AS (...)"
    params: dict[str, object]

    def query(self, tail: str) -> str:
        """`WITH <base>, <tail>`: tail continues the CTE list or is a plain SELECT (start with SELECT)."""
        joiner = " " if tail.lstrip().upper().startswith("SELECT") else ", "
        return f"WITH {self.ctes}{joiner}{tail}"


def _age_band_sql(birth_year: str) -> str:
    age = f"(year(b.as_of) - {birth_year})"
    cases = " ".join(f"WHEN {age} BETWEEN {lo} AND {hi} THEN '{label}'" for label, lo, hi in AGE_BANDS)
    return f"CASE {cases} END"


def member_attribute_sql(name: str) -> str:
    """SQL for a member attribute over `members m` (and `bounds b` for the age band)."""
    return _age_band_sql("m.birth_year") if name == "age_band" else f"m.{name}"


def base(ds: Dataset, filters: Filters = Filters()) -> Base:
    params: dict[str, object] = {"as_of": filters.as_of, "start": filters.start, "end": filters.end}
    conditions = {"member": [], "line": [], "order": []}
    for name, values in filters.where:
        level = FILTER_FIELDS[name]
        params[f"f_{name}"] = list(values)
        column = {"member": member_attribute_sql(name), "line": f"l.{name}", "order": f"o.{name}"}[level]
        conditions[level].append(f"list_contains($f_{name}::VARCHAR[], {column})")

    member_scope = ""
    if conditions["member"]:
        member_scope = (f" AND member_id IN (SELECT m.member_id FROM {ds.table('members')} m, bounds b "
                        f"WHERE {' AND '.join(conditions['member'])})")
    order_conditions = "".join(f" AND {c}" for c in conditions["order"])
    if not conditions["line"] and filters.as_of is None:
        # Fast path: whole orders, precomputed at import.
        scoped = f"""
            SELECT o.member_id, o.order_id, o.order_ts, o.order_date, o.net_amount,
                   o.channel, o.store, o.region, o.city
            FROM {ds.table('orders')} o WHERE true{order_conditions}{member_scope.replace('member_id', 'o.member_id', 1)}"""
    else:
        line_conditions = "".join(f" AND {c}" for c in conditions["line"])
        scoped = f"""
            SELECT l.member_id, l.order_id, min(l.order_ts) AS order_ts, min(l.order_date) AS order_date,
                   sum(l.amount) AS net_amount, any_value(o.channel) AS channel,
                   any_value(o.store) AS store, any_value(o.region) AS region, any_value(o.city) AS city
            FROM {ds.table('order_lines')} l
            JOIN {ds.table('orders')} o ON o.member_id = l.member_id AND o.order_id = l.order_id
            , bounds b
            WHERE l.order_date <= b.as_of{line_conditions}{order_conditions}{member_scope.replace('member_id', 'l.member_id', 1)}
            GROUP BY l.member_id, l.order_id"""
    ctes = f"""
        data_end AS (SELECT max(order_date) AS data_end FROM {ds.table('orders')}),
        bounds_raw AS (SELECT coalesce($as_of::DATE, data_end) AS as_of FROM data_end),
        scoped_orders AS ({scoped.replace('bounds b', 'bounds_raw b')}),
        purchases AS (
            SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY order_ts, order_id) AS nth,
                   min(order_date) OVER (PARTITION BY member_id) AS first_date
            FROM scoped_orders WHERE net_amount > 0),
        bounds AS (
            SELECT r.as_of, coalesce($start::DATE, (SELECT min(order_date) FROM purchases)) AS start_date,
                   coalesce($end::DATE, r.as_of) AS end_date
            FROM bounds_raw r)"""
    return Base(ctes, params)
