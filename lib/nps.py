"""NPS: net promoter score by survey period or by a member dimension.

Definitions (SPEC "NPS"):
- promoters score 9–10, passives 7–8, detractors 0–6;
- nps = 100 × (promoters − detractors) / responses: a number from −100 to 100 (not a fraction),
  rounded to 2 decimals;
- responses, not people: a member who answers twice counts twice (in every column);
- which responses: survey_date ≤ as_of, and within [start, end] when given (default: all up to
  as_of; the date range selects responses, unlike RFM / lifecycle);
- filters: member filters keep the respondents who match them (a respondent missing from the
  members table matches no member filter); with an order or line filter, respondents are the
  buyers in scope (≥ 1 purchase in scope up to as_of), since "NPS of 天猫" means the 天猫 buyers.
Groups (`by`):
- period (default month; day / week = ISO week from Monday / quarter): the survey date's
  period, labelled by its first day; only periods with responses appear;
- channel: the channel of the member's first purchase in scope;
- member_tier: the members table's tier;
- segment / stage: the member's RFM segment / lifecycle stage at as_of (not at the survey date),
  computed by lib.rfm / lib.lifecycle on the same filters, joined in SQL;
- all: one row, group 'all'.
A respondent without a value (no purchase in scope, no tier …) falls in the null group, listed last.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import polars as pl

from lib import lifecycle, rfm
from lib.filters import Filters, base, member_scope_sql
from lib.periods import Period, check_period, period_start_sql
from lib.store import Dataset, Store

By = Literal["period", "channel", "member_tier", "segment", "stage", "all"]
BYS: tuple[By, ...] = ("period", "channel", "member_tier", "segment", "stage", "all")
DEFAULT_PERIOD: Period = "month"
PROMOTER_MIN = 9
PASSIVE_MIN = 7
CATEGORIES = ("promoter", "passive", "detractor")
RUN_COLUMNS = ("group", "responses", "promoters", "passives", "detractors", "nps")


# The columns and types of run() with the default spec (tests/test_cells.py checks them);
# by anything but period: group is String.
SCHEMA: dict[str, pl.DataType] = {"group": pl.Date, "responses": pl.Int64, "promoters": pl.Int64, "passives": pl.Int64,
          "detractors": pl.Int64, "nps": pl.Float64}


@dataclass(frozen=True)
class NpsSpec:
    """rfm / lifecycle: thresholds for by='segment' / 'stage' (their filters are replaced by ours)."""

    filters: Filters = field(default_factory=Filters)
    by: By = "period"
    period: Period = DEFAULT_PERIOD
    rfm: rfm.RfmSpec | None = None
    lifecycle: lifecycle.LifecycleSpec | None = None

    def __post_init__(self) -> None:
        if self.by not in BYS:
            raise ValueError(f"cannot group NPS by {self.by!r} (choose from {', '.join(BYS)})")
        check_period(self.period)


def _ordered(values: tuple[str, ...]) -> str:
    return "list_position([" + ", ".join(f"'{v}'" for v in values) + "], grp)"


def _grouping(ds: Dataset, spec: NpsSpec) -> tuple[str, str, str]:
    """(group expression, join, order expression) for spec.by — SQL from this allow-list only."""
    return {
        "period": (period_start_sql(spec.period, "r.survey_date"), "", "grp"),
        "channel": ("x.channel", "LEFT JOIN first_purchases x USING (member_id)", "grp"),
        "member_tier": ("x.member_tier", f"LEFT JOIN {ds.table('members')} x USING (member_id)", "grp"),
        "segment": ("x.segment", "LEFT JOIN rfm x USING (member_id)", _ordered(rfm.SEGMENTS)),
        "stage": ("x.stage", "LEFT JOIN lifecycle x USING (member_id)", _ordered(lifecycle.STAGES)),
        "all": ("'all'", "", "grp"),
    }[spec.by]


def _sql(ds: Dataset, spec: NpsSpec, select: str) -> tuple[str, dict[str, object]]:
    """The base, the rfm / lifecycle CTEs when grouped by them, `nps_rows(member_id, survey_date,
    score, category, grp)` and then `select`; with its parameters."""
    b = base(ds, spec.filters)
    values: dict[str, object] = dict(b.params)
    extra = ""
    if spec.by == "segment":
        extra = rfm.CTES + ","
        values.update(rfm.params(replace(spec.rfm or rfm.RfmSpec(), filters=spec.filters)))
    elif spec.by == "stage":
        lc_spec = replace(spec.lifecycle or lifecycle.LifecycleSpec(), filters=spec.filters)
        extra = lifecycle.ctes(ds, lc_spec) + ","
        values.update(lifecycle.params(lc_spec))
    in_scope = "r.member_id IN (SELECT member_id FROM purchases)" if spec.filters.narrows_orders() else "true"
    group, join, order = _grouping(ds, spec)
    sql = b.query(f"""{extra}
        nps_scope AS (
            SELECT r.member_id, r.survey_date, r.score FROM {ds.table('nps')} r
            WHERE r.survey_date <= (SELECT as_of FROM bounds)
              AND r.survey_date >= coalesce($start::DATE, r.survey_date)
              AND r.survey_date <= coalesce($end::DATE, r.survey_date)
              AND {member_scope_sql(spec.filters, "r.member_id")} AND {in_scope}),
        nps_grouped AS (
            SELECT r.member_id, r.survey_date, r.score,
                   CASE WHEN r.score >= {PROMOTER_MIN} THEN 'promoter' WHEN r.score >= {PASSIVE_MIN} THEN 'passive'
                        ELSE 'detractor' END AS category,
                   {group} AS grp
            FROM nps_scope r {join}),
        nps_rows AS (SELECT *, {order} AS grp_order FROM nps_grouped)
        {select}""")
    return sql, values


def run(store: Store, ds: Dataset, spec: NpsSpec = NpsSpec()) -> pl.DataFrame:
    """RUN_COLUMNS, one row per group with responses: group (DATE for by='period', else text;
    null = respondents without a value, last), counts of responses, nps from −100 to 100."""
    sql, values = _sql(ds, spec, """
        SELECT grp AS "group", count(*) AS responses, count_if(category = 'promoter')::BIGINT AS promoters,
               count_if(category = 'passive')::BIGINT AS passives,
               count_if(category = 'detractor')::BIGINT AS detractors,
               round(100.0 * (count_if(category = 'promoter') - count_if(category = 'detractor')) / count(*), 2)
                   AS nps
        FROM nps_rows GROUP BY grp, grp_order ORDER BY grp_order NULLS LAST, grp NULLS LAST""")
    return store.query(sql, values)


@dataclass(frozen=True)
class NpsCell:
    """The responses of one group of run() (a date for by='period', else text; None = respondents
    without a value), optionally only its promoters / passives / detractors."""

    group: str | date | None
    category: str | None = None

    def __post_init__(self) -> None:
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"no category {self.category!r} (choose from {', '.join(CATEGORIES)})")


def cells(store: Store, ds: Dataset, spec: NpsSpec = NpsSpec()) -> list[tuple[NpsCell, int]]:
    """Every response count run() shows, with its cell (a group's responses and each category's)."""
    counts = {None: "responses", "promoter": "promoters", "passive": "passives", "detractor": "detractors"}
    return [(NpsCell(row["group"], category), row[column])
            for row in run(store, ds, spec).iter_rows(named=True) for category, column in counts.items()]


def members(store: Store, ds: Dataset, spec: NpsSpec, cell: NpsCell) -> pl.DataFrame:
    """The responses behind one cell: member_id, survey_date, score, category — one row per
    response, sorted by member_id, survey_date."""
    sql, values = _sql(ds, spec, """
        SELECT member_id, survey_date, score, category FROM nps_rows
        WHERE grp IS NOT DISTINCT FROM $group AND category = coalesce($category::VARCHAR, category)
        ORDER BY member_id, survey_date, score""")
    return store.query(sql, {**values, "group": cell.group, "category": cell.category})
