"""Filters, and the one filtered base every analysis composes over.

SPEC "Filters, for every analysis":
- a **member** filter (tier, gender, age band) keeps the matching members;
- a **line** filter (category, sku, product) keeps the matching lines: an order is in scope
  when it has a matching line, and its net amount in scope is the sum of its matching lines;
- an **order** filter (channel, store, region, city) keeps whole orders;
- several values of one field are OR, different fields AND;
- a **segment** (a saved member list, lib/segments.py) keeps its members, as a member filter does.
- `as_of` (default: data end, the dataset's latest line date, whatever the filters) cuts
  history: nothing after it exists. `start` / `end` choose which periods or cohorts are
  *reported*; they never hide history, so each analysis applies them itself (its docstring says
  how), never this base.

`base(ds, filters)` gives named CTEs (SQL text holding only our own identifiers) and the bound
parameters they use; an analysis appends its own CTEs and final SELECT with `Base.query`.
`base(ds, filters, member=ID)` keeps only that member's rows (data end stays the dataset's): for a
number that depends on nothing but the member's own history (Member 360's stage and CLV score).
- `bounds(as_of, start_date, end_date)`: one row. start_date defaults to the first purchase in
  scope, end_date to as_of.
- `scoped_members`: the rows of the dataset's `members` table that pass the member filters
  (every known member, buyers or not; prospects and signup cohorts start here).
- `scoped_orders(member_id, order_id, order_ts, order_date, net_amount, channel, store, region,
  city)`: every order in scope up to as_of, refund-only ones included.
- `scoped_lines(member_id, order_id, order_ts, order_date, amount, quantity, unit_price, discount,
  sku, product_name, category)`: the order lines in scope up to as_of (a refund line counts on
  its own date).
- `purchases`: the scoped orders with net amount > 0, plus `nth` (1 = the member's first purchase
  in scope, ties on time broken by order id) and `first_date` (the date of that first purchase).
- `first_purchases`: the rows of `purchases` with nth = 1, one per buyer in scope (new buyers,
  cohorts by first purchase, the channel a member was won in).
- `purchase_lines(member_id, order_id, order_ts, order_date, nth, amount, quantity, unit_price,
  discount, sku, product_name, category)`: the lines with a positive amount of each purchase, with
  the purchase's own date (SPEC: a purchase *contains* an item when it has a line of it with a
  positive amount; a refund line never does).
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
# The levels an item is named at (a product analysis's "item"): the line columns that name a product.
ItemLevel = Literal["category", "sku", "product_name"]
ITEM_LEVELS: tuple[ItemLevel, ...] = ("category", "sku", "product_name")


def check_item_level(level: str) -> ItemLevel:
    """`level` if it is an item level; analyses write it into SQL text as a column name."""
    if level not in ITEM_LEVELS:
        raise ValueError(f"level {level!r}? (choose from {', '.join(ITEM_LEVELS)})")
    return level  # type: ignore[return-value]


# Age bands by age at as_of in whole years (year of as_of − birth year).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("<25", 0, 24), ("25-29", 25, 29), ("30-34", 30, 34), ("35-39", 35, 39), ("40+", 40, 200))


class MemberSet:
    """The members of a saved segment, as a filter (lib.segments.scope makes it).

    `key` = (segment id, name, "live" | "saved", members, a digest of the ids when live, when it was
    saved when saved) says which members exactly, so it alone compares, hashes and writes the set
    (repr: the names of the results kept on disk; lib.ui's caches hash it by key too, through
    hash_funcs: Streamlit's own hasher would walk every id, 4 s a call at a million). `ids` (live:
    the definition evaluated now, bound as one list, ~0.13 s a query at 100k ids, ~1.1 s at 1M) or,
    as saved, None: the snapshot is read from the workspace's segment_members table by the
    segment's id, which no list has to travel for.
    """

    __slots__ = ("key", "ids")

    def __init__(self, key: tuple[int, str, str, int, str], ids: tuple[str, ...] | None = None) -> None:
        self.key = key
        self.ids = ids

    @property
    def segment_id(self) -> int:
        return self.key[0]

    @property
    def name(self) -> str:
        return self.key[1]

    @property
    def mode(self) -> str:
        return self.key[2]

    @property
    def size(self) -> int:
        return self.key[3]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemberSet) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"MemberSet{self.key!r}"

    def __deepcopy__(self, memo: dict) -> MemberSet:
        # immutable, so a copy is itself: dataclasses.asdict (Streamlit's hasher calls it on a
        # Filters) would otherwise copy every id
        return self

    def __reduce__(self) -> tuple:
        return MemberSet, (self.key, self.ids)

    def sql(self) -> str:
        """A subquery of the member ids (its parameter $f_segment, see `param`)."""
        if self.ids is None:
            return "SELECT member_id FROM main.segment_members WHERE segment_id = $f_segment::INTEGER"
        return "SELECT unnest($f_segment::VARCHAR[])"

    def param(self) -> int | list[str]:
        return self.segment_id if self.ids is None else list(self.ids)


@dataclass(frozen=True)
class Filters:
    """The scope of an analysis. Hashable, so it keys caches; build it with `Filters.of(...)`."""

    start: date | None = None
    end: date | None = None
    as_of: date | None = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    segment: MemberSet | None = None

    @classmethod
    def of(cls, start: date | None = None, end: date | None = None, as_of: date | None = None,
           segment: MemberSet | None = None, **values: list[str] | tuple[str, ...] | str | None) -> Filters:
        where = []
        for name, chosen in sorted(values.items()):
            if name not in FILTER_FIELDS:
                raise ValueError(f"cannot filter on {name!r} (fields: {', '.join(FILTER_FIELDS)})")
            chosen = (chosen,) if isinstance(chosen, str) else tuple(chosen or ())
            if chosen:
                where.append((name, tuple(sorted(set(map(str, chosen))))))
        return cls(start, end, as_of, tuple(where), segment)

    def values(self, name: str) -> tuple[str, ...]:
        return dict(self.where).get(name, ())

    def narrows_members(self) -> bool:
        """True with a member filter or a segment: some members are out of scope altogether."""
        return bool(self._at("member")) or self.segment is not None

    def narrows_orders(self) -> bool:
        """True with an order or line filter: the analysis sees only some of each member's orders."""
        return bool(self._at("order") or self._at("line"))

    def _at(self, level: FieldLevel) -> list[tuple[str, tuple[str, ...]]]:
        return [(n, v) for n, v in self.where if FILTER_FIELDS[n] == level]


@dataclass(frozen=True)
class Base:
    ctes: str
    params: dict[str, object]

    def query(self, tail: str) -> str:
        """`WITH <base CTEs>, <tail>`; a tail starting with SELECT is the final query itself."""
        joiner = " " if tail.lstrip().upper().startswith("SELECT") else ", "
        return f"WITH {self.ctes}{joiner}{tail}"


def age_band_sql(birth_year: str, as_of: str) -> str:
    age = f"(year({as_of}) - {birth_year})"
    cases = " ".join(f"WHEN {age} BETWEEN {lo} AND {hi} THEN '{label}'" for label, lo, hi in AGE_BANDS)
    return f"CASE {cases} END"


def member_attribute_sql(name: str) -> str:
    """A member attribute over `members m`, with `limits` in scope for the age band."""
    if name == "age_band":
        return age_band_sql("m.birth_year", "(SELECT as_of FROM limits)")
    return f"m.{name}"


def member_scope_sql(filters: Filters, column: str) -> str:
    """`true`, or a condition keeping `column`'s members when they pass the member filters
    (for tables outside the base, such as NPS answers; uses the base's `scoped_members`)."""
    return f"{column} IN (SELECT member_id FROM scoped_members)" if filters.narrows_members() else "true"


def _condition(name: str, alias: str) -> str:
    column = member_attribute_sql(name) if alias == "m" else f"{alias}.{name}"
    return f"list_contains($f_{name}::VARCHAR[], {column})"


def _where(ds: Dataset, filters: Filters, alias: str, one_member: bool) -> str:
    """Conditions on `order_lines l` (alias "l") or on `orders o` alone (alias "o")."""
    conditions = [f"{alias}.order_date <= (SELECT as_of FROM limits)"]
    if one_member:
        conditions.append(f"{alias}.member_id = $only_member")
    if alias == "l":
        conditions += [_condition(n, "l") for n, _ in filters._at("line")]
    conditions += [_condition(n, "o") for n, _ in filters._at("order")]
    if filters.narrows_members():
        conditions.append(f"{alias}.member_id IN (SELECT member_id FROM scoped_members)")
    return " AND ".join(conditions)


def base(ds: Dataset, filters: Filters = Filters(), member: str | None = None) -> Base:
    """The filtered base (module docstring). `member`: only that member's rows, for an analysis
    whose numbers for a member depend on nothing but the member's own history and the data end
    (a lifecycle stage, a CLV score from a given model): the same row as over everyone, without
    computing everyone. Data end stays the dataset's; `bounds.start_date` becomes the member's."""
    params: dict[str, object] = {"as_of": filters.as_of, "start": filters.start, "end": filters.end}
    if member is not None:
        params["only_member"] = member
    params.update({f"f_{name}": list(values) for name, values in filters.where})
    if filters.segment is not None:
        params["f_segment"] = filters.segment.param()
    if not filters._at("line") and filters.as_of is None:
        # Whole orders up to data end: the orders table built at import is the answer (fast path;
        # the tests check it equals grouping the lines).
        scoped_orders = (f"SELECT o.member_id, o.order_id, o.order_ts, o.order_date, o.net_amount, "
                         f"o.channel, o.store, o.region, o.city FROM {ds.table('orders')} o "
                         f"WHERE {_where(ds, filters, 'o', member is not None)}")
    else:
        # An order keeps its own time (its earliest line's, SPEC) whatever lines the filters keep;
        # its net amount in scope is the sum of the kept lines.
        scoped_orders = (f"SELECT g.member_id, g.order_id, o.order_ts, o.order_date, g.net_amount, "
                         f"o.channel, o.store, o.region, o.city FROM ("
                         f"SELECT member_id, order_id, sum(amount) AS net_amount "
                         f"FROM scoped_lines GROUP BY member_id, order_id) g "
                         f"JOIN {ds.table('orders')} o USING (member_id, order_id)")
    # Order attributes are only joined onto lines when an order filter needs them.
    join_orders = (f" JOIN {ds.table('orders')} o ON o.member_id = l.member_id AND o.order_id = l.order_id"
                   if filters._at("order") else "")
    member_conditions = " AND ".join(["true"] + [_condition(n, "m") for n, _ in filters._at("member")]
                                     + (["m.member_id = $only_member"] if member is not None else [])
                                     + ([f"m.member_id IN ({filters.segment.sql()})"] if filters.segment else []))
    if not filters._at("line") and not filters._at("order") and filters.as_of is None:
        # The whole history of whole members: the purchase sequence numbered at import holds (a
        # member filter keeps or drops all of a member's orders), so no window over every purchase.
        purchases = (f"SELECT o.member_id, o.order_id, o.order_ts, o.order_date, o.net_amount, o.channel, "
                     f"o.store, o.region, o.city, o.nth, o.first_date FROM {ds.table('orders')} o "
                     f"WHERE o.is_purchase AND {_where(ds, filters, 'o', member is not None)}")
    else:
        purchases = ("SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY order_ts, order_id) AS nth, "
                     "min(order_date) OVER (PARTITION BY member_id) AS first_date "
                     "FROM scoped_orders WHERE net_amount > 0")
    ctes = f"""
        -- data end = the latest date of any line (a refund line may come after its order's date)
        limits AS (SELECT coalesce($as_of::DATE, max(order_date)) AS as_of FROM {ds.table('order_lines')}),
        scoped_members AS (SELECT m.* FROM {ds.table('members')} m WHERE {member_conditions}),
        scoped_lines AS (
            SELECT l.member_id, l.order_id, l.order_ts, l.order_date, l.amount, l.quantity,
                   l.unit_price, l.discount, l.sku, l.product_name, l.category
            FROM {ds.table('order_lines')} l{join_orders}
            WHERE {_where(ds, filters, 'l', member is not None)}),
        scoped_orders AS ({scoped_orders}),
        purchases AS ({purchases}),
        first_purchases AS (SELECT * FROM purchases WHERE nth = 1),
        purchase_lines AS (
            SELECT p.member_id, p.order_id, p.order_ts, p.order_date, p.nth, l.amount, l.quantity, l.unit_price,
                   l.discount, l.sku, l.product_name, l.category
            FROM purchases p JOIN scoped_lines l ON l.member_id = p.member_id AND l.order_id = p.order_id
            WHERE l.amount > 0),
        bounds AS (
            SELECT as_of, coalesce($start::DATE, (SELECT min(order_date) FROM purchases)) AS start_date,
                   coalesce($end::DATE, as_of) AS end_date
            FROM limits)"""
    return Base(ctes, params)


def filter_options(store, ds: Dataset) -> dict[str, list[str]]:
    """The values each filter can take in a dataset (sorted), for the sidebar's pickers.

    Order fields come from the orders table, line fields from order lines, member fields from
    members; age bands are fixed, offered when some member has a birth year or age (choosing one
    on a dataset without ages would empty every page). Fields without any value are left out.
    """
    sources = {"order": ds.table("orders"), "line": ds.table("order_lines"), "member": ds.table("members")}
    selects = [f"SELECT '{name}' AS field, list(DISTINCT {name} ORDER BY {name}) FILTER (WHERE {name} IS NOT NULL) "
               f"AS vals FROM {sources[level]}"
               for name, level in FILTER_FIELDS.items() if name != "age_band"]
    rows = store.query(" UNION ALL ".join(selects)).rows()
    options = {name: list(values) for name, values in rows if values}
    if store.query(f"SELECT count(birth_year) AS n FROM {sources['member']}").item():
        options["age_band"] = [label for label, _, _ in AGE_BANDS]
    return {name: options[name] for name in FILTER_FIELDS if name in options}
