"""RFM: recency, frequency and monetary scores, the 11 segments and the 8 value groups.

Definitions (SPEC "RFM"; all over the filtered base, up to as_of):
- population = buyers in scope (members with ≥ 1 purchase up to as_of);
- recency_days = as_of − date of the last purchase (whole days);
- frequency = purchases (orders with net amount > 0);
- monetary = net amount of all the member's scoped orders, refund-only orders included (they
  lower it), so it can be lower than the sum of the purchases, even ≤ 0.
- start / end do not apply: RFM is a snapshot at as_of over all history in scope (purchases
  before start always count).

Scores 1–5, 5 best. Each dimension is scored by one rule: a value gets
`1 + (number of the dimension's 4 thresholds it reaches)`, where for recency "reaches t" means
recency_days ≤ t and for frequency / monetary it means value ≥ t. The thresholds are
non-decreasing (t1 ≤ t2 ≤ t3 ≤ t4); null = no value reaches it. So with r_thresholds
(7, 30, 90, 180): recency ≤ 7 → 5, ≤ 30 → 4, ≤ 90 → 3, ≤ 180 → 2, else 1; with f_thresholds
(2, 3, 5, 8): frequency ≥ 8 → 5, ≥ 5 → 4, ≥ 3 → 3, ≥ 2 → 2, else 1.

By default (no user thresholds) the thresholds come from quintiles that never split ties:
order the buyers from worst to best (recency: longest ago first), take each value's rank of
its first occurrence (1 = worst; = 1 + the buyers with a worse value, counted per distinct
value), and score = 1 + floor(5 × (rank − 1) / n),
i.e. 1 + floor(5 × share of buyers strictly worse). Equal values always get equal scores,
the worst value always gets 1, and without ties the five scores are (near-)equal fifths.
A block of ties takes the score of its bottom edge, so scores above a large block are skipped:
with 60 % one-time buyers, frequency 1 → F 1 and frequency 2 → F ≥ 4 (60 % of buyers are
strictly worse). When every buyer has the same value nobody is better than anybody, and all get 1.
The thresholds that reproduce those scores exactly (t_k = least value with score ≥ k + 1; for
recency the largest) are what `thresholds()` returns and what the scoring uses, so the UI can
show them and a user can edit them.

fm = floor((f_score + m_score + 1) / 2) — the mean of F and M rounded half up. Segments
(R score across, fm down; every cell assigned once, as `SEGMENT_GRID` below):

    fm\\r   1             2             3                4                    5
    5      cannot_lose   cannot_lose   loyal            loyal                champions
    4      at_risk       at_risk       loyal            loyal                champions
    3      at_risk       at_risk       need_attention   potential_loyalist   potential_loyalist
    2      hibernating   hibernating   about_to_sleep   potential_loyalist   potential_loyalist
    1      lost          hibernating   about_to_sleep   promising            new_customers

Value groups compare each buyer with the population mean; "H" = strictly better than the mean
(recency_days below it, frequency / monetary above it), pattern in R F M order:
important_value HHH, important_develop HLH, important_retain LHH, important_winback LLH,
general_value HHL, general_develop HLL, general_retain LHL, general_winback LLL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

import polars as pl

from lib.filters import Base, Filters, base
from lib.store import Dataset, Store

Threshold = Optional[float]
Thresholds = tuple[Threshold, Threshold, Threshold, Threshold]
Dimension = Literal["recency_days", "frequency", "monetary"]
DIMENSIONS: tuple[Dimension, ...] = ("recency_days", "frequency", "monetary")
SCORES = (1, 2, 3, 4, 5)
QUINTILES = 5

SEGMENTS = ("champions", "loyal", "potential_loyalist", "new_customers", "promising", "need_attention",
            "about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost")
# fm score -> segment for R score 1, 2, 3, 4, 5 (the R-vs-FM grid of the R `rfm` package / Putler,
# whose R-vs-F regex map it equals with fm for F, and (1, 1) carved out as "lost").
_GRID_ROWS: dict[int, tuple[str, str, str, str, str]] = {
    5: ("cannot_lose", "cannot_lose", "loyal", "loyal", "champions"),
    4: ("at_risk", "at_risk", "loyal", "loyal", "champions"),
    3: ("at_risk", "at_risk", "need_attention", "potential_loyalist", "potential_loyalist"),
    2: ("hibernating", "hibernating", "about_to_sleep", "potential_loyalist", "potential_loyalist"),
    1: ("lost", "hibernating", "about_to_sleep", "promising", "new_customers"),
}
SEGMENT_GRID: dict[tuple[int, int], str] = {
    (r, fm): row[r - 1] for fm, row in _GRID_ROWS.items() for r in SCORES}  # (r_score, fm) -> segment

# value group -> (R better than mean, F better, M better)
VALUE_GROUPS: dict[str, tuple[bool, bool, bool]] = {
    "important_value": (True, True, True), "important_develop": (True, False, True),
    "important_retain": (False, True, True), "important_winback": (False, False, True),
    "general_value": (True, True, False), "general_develop": (True, False, False),
    "general_retain": (False, True, False), "general_winback": (False, False, False),
}
RUN_COLUMNS = ("member_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
               "segment", "value_group")
View = Literal["members", "grid", "segments", "value_groups", "thresholds"]
VIEWS: tuple[View, ...] = ("members", "grid", "segments", "value_groups", "thresholds")


def _check_thresholds(name: str, values: Thresholds | None) -> None:
    if values is None:
        return
    if len(values) != QUINTILES - 1:
        raise ValueError(f"{name} needs {QUINTILES - 1} values, got {len(values)}")
    given = [v for v in values if v is not None]
    if any(a > b for a, b in zip(given, given[1:])):
        raise ValueError(f"{name} must be ascending (equal values skip a score): {values}")


# The columns and types of run() with the default spec (tests/test_cells.py checks them).
SCHEMA: dict[str, pl.DataType] = {"member_id": pl.String, "recency_days": pl.Int64, "frequency": pl.Int64, "monetary": pl.Float64,
          "r_score": pl.Int32, "f_score": pl.Int32, "m_score": pl.Int32, "segment": pl.String,
          "value_group": pl.String}


@dataclass(frozen=True)
class RfmSpec:
    """Thresholds: None = quintiles; else 4 non-decreasing numbers (see the module docstring)."""

    filters: Filters = field(default_factory=Filters)
    r_thresholds: Thresholds | None = None
    f_thresholds: Thresholds | None = None
    m_thresholds: Thresholds | None = None

    def __post_init__(self) -> None:
        for name in ("r_thresholds", "f_thresholds", "m_thresholds"):
            value = getattr(self, name)
            if value is not None:
                value = tuple(None if v is None else float(v) for v in value)
                object.__setattr__(self, name, value)
            _check_thresholds(name, value)


def _values_sql(rows: list[tuple]) -> str:
    """A VALUES list from our own constants (ints, bools and identifiers from the tables above)."""
    def lit(v: object) -> str:
        return f"'{v}'" if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
    return ", ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in rows)


_GRID_SQL = _values_sql([(r, fm, seg, SEGMENTS.index(seg)) for (r, fm), seg in SEGMENT_GRID.items()])
_GROUPS_SQL = _values_sql([(*flags, name, i) for i, (name, flags) in enumerate(VALUE_GROUPS.items())])


def _score_sql(column: str, prefix: str, better: str) -> str:
    return "1 + " + " + ".join(f"coalesce({column} {better} c.{prefix}{k}, false)::INTEGER" for k in range(1, 5))


def _quintiles_sql(prefix: str, column: str, worst_first: str) -> str:
    """CTE rfm_<prefix>_q(column, <prefix>_q): each distinct value's quintile score (our own names)."""
    return f"""rfm_{prefix}_q AS (
        SELECT {column}, 1 + (5 * (sum(n) OVER (ORDER BY {column} {worst_first}) - n))
                         // (SELECT count(*) FROM rfm_values) AS {prefix}_q
        FROM (SELECT {column}, count(*) AS n FROM rfm_values GROUP BY {column}))"""


def _cut_sql(prefix: str, agg: str, column: str, quintile: str, scores: tuple[int, ...]) -> str:
    """t1..t4 of one dimension: the user's when given, else those reproducing the quintile scores."""
    return ", ".join(
        f"CASE WHEN $rfm_{prefix}_user THEN $rfm_{prefix}{k}::DOUBLE "
        f"ELSE ({agg}({column}) FILTER (WHERE {quintile} >= {s}))::DOUBLE END AS {prefix}{k}"
        for k, s in enumerate(scores, start=1))


# CTEs after the filtered base; the last one, `rfm`, has RUN_COLUMNS (+ fm). Other analyses
# (NPS) append this text to their own base to join the scores in SQL.
CTES = f"""
    rfm_values AS (
        -- one pass over the scoped orders: the purchases (net > 0, as in `purchases`) give recency
        -- and frequency, every order (refund-only ones too) the net spend; buyers only
        SELECT member_id, date_diff('day', max(order_date) FILTER (WHERE net_amount > 0), (SELECT as_of FROM bounds)) AS recency_days,
               count(*) FILTER (WHERE net_amount > 0) AS frequency, sum(net_amount)::DOUBLE AS monetary,
               sum(net_amount) AS monetary_exact
        FROM scoped_orders GROUP BY member_id HAVING count(*) FILTER (WHERE net_amount > 0) > 0),
    -- Quintile scores from each distinct value's rank among the buyers (the rank of the value's
    -- first occurrence, worst first, so ties share it): ranks of a few thousand distinct values,
    -- not sorts of every buyer. rank − 1 = buyers before the value = running count − its own.
    {_quintiles_sql("r", "recency_days", "DESC")},
    {_quintiles_sql("f", "frequency", "ASC")},
    {_quintiles_sql("m", "monetary", "ASC")},
    rfm_cuts AS (
        SELECT * FROM (SELECT {_cut_sql("r", "max", "recency_days", "r_q", (5, 4, 3, 2))} FROM rfm_r_q)
        CROSS JOIN (SELECT {_cut_sql("f", "min", "frequency", "f_q", (2, 3, 4, 5))} FROM rfm_f_q)
        CROSS JOIN (SELECT {_cut_sql("m", "min", "monetary", "m_q", (2, 3, 4, 5))} FROM rfm_m_q)),
    rfm_scored AS (
        SELECT v.*, {_score_sql("v.recency_days", "r", "<=")} AS r_score,
               {_score_sql("v.frequency", "f", ">=")} AS f_score,
               {_score_sql("v.monetary", "m", ">=")} AS m_score,
               -- value vs mean as value × n vs sum: exact (integers, decimals), no float mean
               v.recency_days * t.n < t.recency_days AS r_high,
               v.frequency * t.n > t.frequency AS f_high,
               v.monetary_exact * t.n > t.monetary_exact AS m_high
        FROM rfm_values v CROSS JOIN rfm_cuts c
        CROSS JOIN (SELECT count(*) AS n, sum(recency_days) AS recency_days, sum(frequency) AS frequency,
                           sum(monetary_exact) AS monetary_exact FROM rfm_values) t),
    rfm_grid(r_score, fm, segment, segment_order) AS (VALUES {_GRID_SQL}),
    rfm_groups(r_high, f_high, m_high, value_group, group_order) AS (VALUES {_GROUPS_SQL}),
    rfm AS (
        -- monetary_exact (DECIMAL): sums of it are exact, so the grid's and shares' totals do not
        -- move in the last digit with the order threads add doubles in
        SELECT s.member_id, s.recency_days, s.frequency, round(s.monetary, 2) AS monetary,
               round(s.monetary_exact, 2) AS monetary_exact,
               s.r_score, s.f_score, s.m_score, (s.f_score + s.m_score + 1) // 2 AS fm,
               g.segment, vg.value_group
        FROM rfm_scored s
        JOIN rfm_grid g ON g.r_score = s.r_score AND g.fm = (s.f_score + s.m_score + 1) // 2
        JOIN rfm_groups vg USING (r_high, f_high, m_high))"""


def params(spec: RfmSpec) -> dict[str, object]:
    """The bound values CTES needs (on top of the base's)."""
    out: dict[str, object] = {}
    for prefix, given in (("r", spec.r_thresholds), ("f", spec.f_thresholds), ("m", spec.m_thresholds)):
        out[f"rfm_{prefix}_user"] = given is not None
        for k in range(1, 5):
            out[f"rfm_{prefix}{k}"] = given[k - 1] if given is not None else None
    return out


def _run_sql(ds: Dataset, spec: RfmSpec, tail: str) -> tuple[str, dict[str, object]]:
    """The base, CTES, then `tail`: more CTEs and a final SELECT, or only the SELECT."""
    b: Base = base(ds, spec.filters)
    joiner = " " if tail.lstrip().upper().startswith("SELECT") else ", "
    return b.query(CTES + joiner + tail), {**b.params, **params(spec)}


def run(store: Store, ds: Dataset, spec: RfmSpec = RfmSpec()) -> pl.DataFrame:
    """One row per buyer in scope: RUN_COLUMNS, sorted by member_id. monetary rounded to 2 decimals."""
    sql, values = _run_sql(ds, spec, f"SELECT {', '.join(RUN_COLUMNS)} FROM rfm ORDER BY member_id")
    return store.query(sql, values)


def grid(store: Store, ds: Dataset, spec: RfmSpec = RfmSpec()) -> pl.DataFrame:
    """The R × F grid, all 25 cells (zeros where empty): r_score, f_score, members, revenue
    (sum of monetary), mean_monetary; sorted by r_score, f_score."""
    sql, values = _run_sql(ds, spec, """
        cells AS (SELECT r.r AS r_score, f.f AS f_score
                  FROM (VALUES (1), (2), (3), (4), (5)) r(r), (VALUES (1), (2), (3), (4), (5)) f(f))
        SELECT c.r_score::INTEGER AS r_score, c.f_score::INTEGER AS f_score,
               count(x.member_id) AS members, round(coalesce(sum(x.monetary_exact), 0), 2)::DOUBLE AS revenue,
               round(coalesce(avg(x.monetary_exact), 0), 2)::DOUBLE AS mean_monetary
        FROM cells c LEFT JOIN rfm x ON x.r_score = c.r_score AND x.f_score = c.f_score
        GROUP BY ALL ORDER BY r_score, f_score""")
    return store.query(sql, values)


def _shares(store: Store, ds: Dataset, spec: RfmSpec, key: str, table: str, order: str) -> pl.DataFrame:
    sql, values = _run_sql(ds, spec, f"""
        per AS (SELECT t.{key}, t.{order}, count(x.member_id) AS members,
                       coalesce(sum(x.monetary_exact), 0) AS revenue
                FROM (SELECT DISTINCT {key}, {order} FROM {table}) t LEFT JOIN rfm x USING ({key})
                GROUP BY ALL)
        SELECT {key}, members, round(revenue, 2)::DOUBLE AS revenue,
               CASE WHEN sum(revenue) OVER () > 0 THEN (revenue / sum(revenue) OVER ())::DOUBLE END AS revenue_share
        FROM per ORDER BY {order}""")
    return store.query(sql, values)


def segments(store: Store, ds: Dataset, spec: RfmSpec = RfmSpec()) -> pl.DataFrame:
    """All 11 segments in SEGMENTS order: segment, members, revenue (sum of monetary),
    revenue_share (of the buyers' total; null when that total is ≤ 0)."""
    return _shares(store, ds, spec, "segment", "rfm_grid", "segment_order")


def value_groups(store: Store, ds: Dataset, spec: RfmSpec = RfmSpec()) -> pl.DataFrame:
    """All 8 value groups in VALUE_GROUPS order: value_group, members, revenue, revenue_share."""
    return _shares(store, ds, spec, "value_group", "rfm_groups", "group_order")


def thresholds(store: Store, ds: Dataset, spec: RfmSpec = RfmSpec()) -> pl.DataFrame:
    """The thresholds the scores use: dimension, rule ('<=' recency, '>=' others), source
    ('quintile' or 'user'), t1..t4 (null = no buyer reaches that score). Same semantics as the
    spec's r/f/m_thresholds, so a row can be edited and passed back."""
    sql, values = _run_sql(ds, spec, """
        dims(dimension, prefix, rule, dim_order) AS (
            VALUES ('recency_days', 'r', '<=', 1), ('frequency', 'f', '>=', 2), ('monetary', 'm', '>=', 3))
        SELECT d.dimension, d.rule,
               CASE WHEN (d.prefix = 'r' AND $rfm_r_user) OR (d.prefix = 'f' AND $rfm_f_user)
                         OR (d.prefix = 'm' AND $rfm_m_user) THEN 'user' ELSE 'quintile' END AS source,
               CASE d.prefix WHEN 'r' THEN c.r1 WHEN 'f' THEN c.f1 ELSE c.m1 END AS t1,
               CASE d.prefix WHEN 'r' THEN c.r2 WHEN 'f' THEN c.f2 ELSE c.m2 END AS t2,
               CASE d.prefix WHEN 'r' THEN c.r3 WHEN 'f' THEN c.f3 ELSE c.m3 END AS t3,
               CASE d.prefix WHEN 'r' THEN c.r4 WHEN 'f' THEN c.f4 ELSE c.m4 END AS t4
        FROM dims d CROSS JOIN rfm_cuts c ORDER BY d.dim_order""")
    return store.query(sql, values)


POPULATION_COLUMNS = ("as_of", "buyers", "revenue", "mean_recency_days", "mean_frequency", "mean_monetary")


def population(store: Store, ds: Dataset, spec: RfmSpec = RfmSpec()) -> pl.DataFrame:
    """One row: as_of, buyers (the population), revenue (sum of monetary) and the three means
    the value groups compare with (2 decimals; null without buyers)."""
    sql, values = _run_sql(ds, spec, """
        SELECT (SELECT as_of FROM bounds) AS as_of, count(v.member_id) AS buyers,
               round(coalesce(sum(v.monetary_exact), 0), 2)::DOUBLE AS revenue,
               round(avg(v.recency_days), 2) AS mean_recency_days, round(avg(v.frequency), 2) AS mean_frequency,
               round(avg(v.monetary_exact), 2)::DOUBLE AS mean_monetary
        FROM rfm_values v""")
    return store.query(sql, values)


@dataclass(frozen=True)
class RfmCell:
    """One number: a segment, a value group, or a cell of the R × F grid (r_score and/or f_score);
    conditions given together are AND (none: every buyer)."""

    segment: str | None = None
    value_group: str | None = None
    r_score: int | None = None
    f_score: int | None = None

    def __post_init__(self) -> None:
        for score in (self.r_score, self.f_score):
            if score is not None and (type(score) is not int or not 1 <= score <= QUINTILES):
                raise ValueError(f"scores run from 1 to {QUINTILES}; got {score!r}")
        if self.segment is not None and self.segment not in SEGMENTS:
            raise ValueError(f"no segment {self.segment!r} (segments: {', '.join(SEGMENTS)})")
        if self.value_group is not None and self.value_group not in VALUE_GROUPS:
            raise ValueError(f"no value group {self.value_group!r} (groups: {', '.join(VALUE_GROUPS)})")


def cells(store: Store, ds: Dataset, spec: RfmSpec = RfmSpec()) -> list[tuple[RfmCell, int]]:
    """Every member count shown: each segment's, each value group's and each R × F cell's."""
    return ([(RfmCell(segment=s), n) for s, n in segments(store, ds, spec).select("segment", "members").rows()]
            + [(RfmCell(value_group=g), n) for g, n in
               value_groups(store, ds, spec).select("value_group", "members").rows()]
            + [(RfmCell(r_score=r, f_score=f), n) for r, f, n in
               grid(store, ds, spec).select("r_score", "f_score", "members").rows()])


def members(store: Store, ds: Dataset, spec: RfmSpec, cell: RfmCell) -> pl.DataFrame:
    """The buyers behind one number (RfmCell). Columns RUN_COLUMNS, by member_id."""
    sql, values = _run_sql(ds, spec, f"""
        SELECT {", ".join(RUN_COLUMNS)} FROM rfm
        WHERE segment = coalesce($segment::VARCHAR, segment)
          AND value_group = coalesce($value_group::VARCHAR, value_group)
          AND r_score = coalesce($r_score::INTEGER, r_score) AND f_score = coalesce($f_score::INTEGER, f_score)
        ORDER BY member_id""")
    return store.query(sql, {**values, "segment": cell.segment, "value_group": cell.value_group,
                             "r_score": cell.r_score, "f_score": cell.f_score})
