"""What-if: the projected 12-month revenue and customer asset when month-1 retention, churn, purchase
frequency or AOV move, from the fitted purchase model and the current cohorts.

Built only from numbers the product already shows, so a manager can check each input elsewhere:
- **the model** (lib.clv): spec.model and Gamma-Gamma, fitted as `report clv` fits them (fit date =
  end, else as_of; `start` does not apply), scored over the next `MONTHS` = 12 months of clv's month
  unit (365.25 days; `report clv --unit month --horizon 12`). For each member i who bought by the
  fit date: P_i = p_alive, E_i = expected_purchases, S_i = expected_spend (unrounded), and
  N_i = (r + x_i) × t / (alpha + T_i), the purchases they would make in the t = 12 months if they are
  a customer now and do not leave (their own purchase rate; r, alpha from `report clv --params`,
  x = frequency and T from `report clv`, all in the model's unit);
- **the cohorts** (lib.cohorts): monthly, by first purchase, classic and revenue retention — the
  Retention page's triangle for the same filters and date range (`report cohorts`, `--mode revenue`).

Inputs (the baseline):
- M = existing members (the rows of `report clv`); X = Σ E_i × S_i, their expected revenue over the
  next 12 months (the sum of their predicted CLV at 12 months, margin 1);
- G = Σ (P_i × N_i − E_i) × S_i, *revenue lost to churn*: what the members still active would add
  over the 12 months if none of them left (each term ≥ 0: the model's E_i = P_i × purchases if
  alive, which dropping out can only lower below N_i; a rounding below 0 counts 0);
- n = new buyers per month = the members whose first purchase falls in the last `RECENT_COHORTS` = 6
  calendar months that have ended by as_of (none after the month holding `end`; fewer months when
  the cohorts start later) / the number of those months: the month still running at data end is
  never used, and a month without a new buyer counts as 0;
- r1 = month-1 retention = Σ retained in period 1 / Σ cohort size over the last 6 cohorts whose
  period 1 has ended (size-weighted, as the Retention page's average curve);
- R_k (k = 0 … 11) = Σ revenue in period k / Σ cohort size over the last 6 cohorts whose period 11
  has ended (whole first years; revenue retention's cells, refunds on their dates): first_month_value
  R0 = R_0; later_value L = Σ_{k≥1} R_k; later_value_in_year Lw = Σ_{k≥1} (12 − k) / 12 × R_k.

Levers (0 = as today, none negative): Δ = month-1 retention points / 100 (r1 + Δ ≤ 1), c = churn cut
/ 100 (≤ 1), f = purchase frequency / 100, a = AOV / 100; ρ = (r1 + Δ) / r1 (1 when Δ = 0), m = (1 +
f)(1 + a).

Formula (`project`):
- existing_revenue = (X + c × G) × m; existing_clv = existing_revenue / M;
- new_members = 12 × n; first_year_value = (R0 + ρ × L) × m; new_revenue = 12 × n × (R0 + ρ × Lw) × m;
- revenue_12m = existing_revenue + new_revenue;
- customer_asset = M × existing_clv + new_members × first_year_value (members × CLV).

Output (`project`, `run`): one row per lever, input and result. A lever row shows the number that
lever moves, that lever alone: month1_retention r1 → r1 + Δ; churn_rate (below) → × (1 − c);
purchases_per_member Σ E_i / M → × (1 + f); spend_per_purchase X / Σ E_i → × (1 + a). An input row
is the same in both columns; a result row is the formula's.

Choices (SPEC is silent on a what-if; each is in docs/metrics.md):
- *churn* is the members' leaving over the next 12 months, as the model expects it: churn_rate =
  Σ (P_i N_i − E_i) / Σ P_i N_i, the share of the purchases the members still active would make that
  is lost to their leaving. Cutting it by c gives each member E' = E + c (P N − E); summed, X + c × G.
  Members the model counts as gone already stay gone (a churn cut keeps members, it does not win
  back those long lost: on a few years of data most buyers have left, and bringing a share of them
  back would swamp every other lever; the churn probability 1 − P(alive) shown per member is that
  stock). It acts on existing members only: a new member's first year comes from past cohorts and
  already holds their churn, and month-1 retention is the lever for those members (the two never
  count the same people);
- *month-1 retention* acts on new members only: their revenue after month 0 moves in proportion to
  the share who come back in month 1 (ρ); the first month (the first purchase) does not move. With
  r1 = 0 there is no return to scale: moving it is refused;
- *purchase frequency* and *AOV* multiply every purchase and every amount, existing and new (the
  first month's included): they combine multiplicatively with each other and with the two above;
- new buyers arrive evenly, n a month, and are not moved by any lever; a member won in month j of
  the 12 spends months 0 … 11 − j of their first year inside them, hence Lw in new_revenue, while
  the customer asset counts each new member's whole first year (CLV over 12 months for everyone:
  the next 12 for existing members, the first 12 for new ones);
- revenue, not profit (margin 1); no discounting (as predicted CLV).

Without a usable model (any lib.clv Model.status but ok) or without a cohort whose whole first year
has ended (status `no_first_year`) there is no what-if: `inputs` says why (the command line: one
line on stderr, via lib.clv.ClvUnavailable), `run` gives an empty frame.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

import polars as pl

from lib import btyd, clv, cohorts
from lib.btyd import MODELS, ModelName
from lib.clv import UNIT_DAYS, ClvSpec, ClvUnavailable, Model
from lib.filters import Filters
from lib.store import Dataset, Store

if TYPE_CHECKING:
    import argparse

MONTHS = 12            # the horizon and a new member's first year, in months
RECENT_COHORTS = 6     # the recent months (new buyers) and complete cohorts (retention, first year) taken
HORIZON_DAYS = MONTHS * UNIT_DAYS["month"]  # 365.25

Kind = Literal["lever", "input", "result"]
Unit = Literal["rate", "count", "purchases", "money"]
Source = Literal["clv", "cohorts", "cohorts_revenue", "formula"]
# (item, kind, unit, source) in the frame's fixed order
ROWS: tuple[tuple[str, Kind, Unit, Source], ...] = (
    ("month1_retention", "lever", "rate", "cohorts"),
    ("churn_rate", "lever", "rate", "clv"),
    ("purchases_per_member", "lever", "purchases", "clv"),
    ("spend_per_purchase", "lever", "money", "clv"),
    ("existing_members", "input", "count", "clv"),
    ("lost_to_churn", "input", "money", "clv"),
    ("new_buyers_per_month", "input", "count", "cohorts"),
    ("first_month_value", "input", "money", "cohorts_revenue"),
    ("later_value", "input", "money", "cohorts_revenue"),
    ("later_value_in_year", "input", "money", "cohorts_revenue"),
    ("existing_revenue", "result", "money", "formula"),
    ("existing_clv", "result", "money", "formula"),
    ("new_members", "result", "count", "formula"),
    ("first_year_value", "result", "money", "formula"),
    ("new_revenue", "result", "money", "formula"),
    ("revenue_12m", "result", "money", "formula"),
    ("customer_asset", "result", "money", "formula"),
)
SCHEMA = {"item": pl.String, "kind": pl.String, "unit": pl.String, "baseline": pl.Float64,
          "scenario": pl.Float64, "difference": pl.Float64, "source": pl.String}
# The command line's flag for each lever (its messages name them).
LEVER_FLAGS = {"retention_points": "--retention-points", "churn_cut": "--churn-cut",
               "frequency_up": "--frequency-up", "aov_up": "--aov-up"}
Status = Literal["ok", "no_first_year", "no_buyers", "too_few_repeat_buyers", "not_converged",
                 "spend_not_converged", "spend_no_mean"]


MAX_UP = 1000.0  # % a frequency or AOV lever goes up to: past ten times today's it is no longer a what-if


@dataclass(frozen=True)
class Levers:
    """How far each lever moves, as a person types it: month-1 retention + `retention_points`
    percentage points; churn rate − `churn_cut` % (relative); purchase frequency +
    `frequency_up` %; AOV + `aov_up` %. All 0 = today. Whether the retention points fit under
    100 % depends on the data: `project` checks it."""

    retention_points: float = 0.0
    churn_cut: float = 0.0
    frequency_up: float = 0.0
    aov_up: float = 0.0

    def __post_init__(self) -> None:
        for name, flag in LEVER_FLAGS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{flag} must be a number ≥ 0 (10 for 10 %), not {value!r}")
        if self.retention_points > 100:
            raise ValueError(f"--retention-points must be at most 100 points, not {self.retention_points:g}")
        if self.churn_cut > 100:
            raise ValueError(f"--churn-cut is at most 100 % (nobody leaves), not {self.churn_cut:g}")
        for name in ("frequency_up", "aov_up"):  # 1e308 % overflowed to inf in the results
            if getattr(self, name) > MAX_UP:
                raise ValueError(f"{LEVER_FLAGS[name]} is at most {MAX_UP:g} % (eleven times today's), "
                                 f"not {getattr(self, name):g}")


@dataclass(frozen=True)
class WhatIfSpec:
    filters: Filters = field(default_factory=Filters)
    model: ModelName = clv.DEFAULT_MODEL
    levers: Levers = field(default_factory=Levers)

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, not {self.model!r}")

    def clv_spec(self) -> ClvSpec:
        """The fit's spec: the one the 5W1H page fits (unit week, margin 1), so its fit is reused."""
        return ClvSpec(self.filters, model=self.model)


@dataclass(frozen=True)
class Inputs:
    """The baseline numbers of the formula (module docstring), or why there are none (status not
    ok: the numbers are None). Plain floats, so a result can be kept (lib/results.py)."""

    status: Status
    message: str                       # the status as one English sentence (the command line's)
    notes: tuple[str, ...] = ()        # the fit's boundary notes (lib.clv Model.notes)
    existing_members: int | None = None
    expected_purchases: float | None = None   # Σ E_i
    expected_revenue: float | None = None     # X
    lost_purchases: float | None = None       # Σ (P_i N_i − E_i)
    lost_to_churn: float | None = None        # G
    new_buyers: int | None = None             # first bought in n's months (new_buyer_months)
    new_buyer_months: int | None = None       # how many calendar months n is taken over
    month1_retention: float | None = None     # r1 (None: no member in those cohorts, impossible with a first year)
    first_month_value: float | None = None    # R0
    later_value: float | None = None          # L
    later_value_in_year: float | None = None  # Lw

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def new_buyers_per_month(self) -> float | None:
        return self.new_buyers / self.new_buyer_months if self.new_buyer_months else None


# -- the per-member scores and the cohort inputs ---------------------------------------------------


def scored(store: Store, ds: Dataset, spec: WhatIfSpec, model: Model) -> pl.DataFrame:
    """Every member who bought by the fit date, scored by `model` (status ok) over the next
    MONTHS months, unrounded: member_id, frequency (x), T (in model.unit), p_alive (P),
    expected_purchases (E), purchases_if_staying (N), lost_purchases (P N − E, ≥ 0),
    expected_spend (S), expected_revenue (E S), lost_to_churn ((P N − E) S); sorted by member_id."""
    frame = clv.summary(store, ds, ClvSpec(spec.filters, unit=model.unit, model=model.name))
    horizon = HORIZON_DAYS / UNIT_DAYS[model.unit]
    keys = frame.select("frequency", "t_x_days", "T_days").unique()
    frame = frame.join(clv.scores(model, keys, horizon), on=["frequency", "t_x_days", "T_days"], how="left")
    spend = btyd.expected_spend(model.gamma_gamma, frame["frequency"].to_numpy(), frame["monetary"].to_numpy())
    r, alpha = model.purchases["r"], model.purchases["alpha"]
    staying = (r + pl.col("frequency")) * horizon / (alpha + pl.col("T"))
    lost = (pl.col("p_alive") * pl.col("purchases_if_staying") - pl.col("expected_purchases")).clip(lower_bound=0.0)
    return (frame.with_columns(expected_spend=pl.Series(spend, dtype=pl.Float64), purchases_if_staying=staying)
            .with_columns(lost_purchases=lost)
            .select("member_id", "frequency", "T", "p_alive", "expected_purchases", "purchases_if_staying",
                    "lost_purchases", "expected_spend",
                    expected_revenue=pl.col("expected_purchases") * pl.col("expected_spend"),
                    lost_to_churn=pl.col("lost_purchases") * pl.col("expected_spend"))
            .sort("member_id"))


def _recent(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """The rows of period k of the last RECENT_COHORTS cohorts whose period k has ended."""
    return frame.filter((pl.col("period") == k) & pl.col("complete")).sort("cohort").tail(RECENT_COHORTS)


def _shift(month: date, k: int) -> date:
    """The first day of the month k months after `month`'s."""
    index = month.year * 12 + month.month - 1 + k
    return date(index // 12, index % 12 + 1, 1)


def new_buyer_months(counts: pl.DataFrame, filters: Filters) -> tuple[date, date] | None:
    """The calendar months n is taken over (first, last: their first days): the last RECENT_COHORTS
    months that have ended by as_of, none after the month holding `end` and none before the first
    cohort's; None without such a month. Calendar months, not cohorts: a month without a new
    buyer counts as 0. `counts`: the monthly classic triangle (every cohort is followed to as_of)."""
    if not counts.height:
        return None
    oldest = counts.filter(pl.col("cohort") == pl.col("cohort").min()).sort("period").row(-1, named=True)
    as_of_month = _shift(oldest["cohort"], oldest["period"])  # every cohort's last cell is as_of's month
    last = as_of_month if oldest["complete"] else _shift(as_of_month, -1)
    if filters.end is not None:
        last = min(last, filters.end.replace(day=1))
    first = max(_shift(last, 1 - RECENT_COHORTS), counts["cohort"].min())
    return (first, last) if first <= last else None


def _cohort_spec(filters: Filters) -> cohorts.CohortSpec:
    return cohorts.CohortSpec(filters, period="month")


def _cohort_inputs(store: Store, ds: Dataset, filters: Filters) -> dict[str, float | int | None] | None:
    """n's new buyers and months, r1, R0, L and Lw (module docstring); None without a cohort
    whose first year has ended."""
    spec = _cohort_spec(filters)
    counts = cohorts.run(store, ds, spec)
    first_year = _recent(counts, MONTHS - 1)
    if not first_year.height:
        return None
    window, month1 = new_buyer_months(counts, filters), _recent(counts, 1)
    first, last = window  # never None here: the first-year cohort's month has ended, within the range
    revenue = cohorts.run(store, ds, replace(spec, mode="revenue")).filter(
        pl.col("cohort").is_in(first_year["cohort"].implode()) & (pl.col("period") < MONTHS))
    size = int(first_year["cohort_size"].sum())
    per_member = revenue.group_by("period").agg(pl.col("retained").sum()).sort("period")
    r = dict(zip(per_member["period"].to_list(), (float(v) / size for v in per_member["retained"])))
    month1_size = int(month1["cohort_size"].sum())
    starts = counts.filter((pl.col("period") == 0) & pl.col("cohort").is_between(first, last))
    return {
        "new_buyers": int(starts["cohort_size"].sum()),
        "new_buyer_months": (last.year - first.year) * 12 + last.month - first.month + 1,
        "month1_retention": int(month1["retained"].sum()) / month1_size if month1_size else None,
        "first_month_value": r.get(0, 0.0),
        "later_value": sum(r.get(k, 0.0) for k in range(1, MONTHS)),
        "later_value_in_year": sum((MONTHS - k) / MONTHS * r.get(k, 0.0) for k in range(1, MONTHS)),
    }


NO_FIRST_YEAR = ("no cohort in this scope has a whole first year by the data end (its month 11 must have "
                 "ended): the what-if needs 12 months of cohorts")


def inputs(store: Store, ds: Dataset, spec: WhatIfSpec = WhatIfSpec(), model: Model | None = None) -> Inputs:
    """The baseline (spec.levers play no part: the page keys its cache on a spec without them).
    `model`: a fit of spec.model to reuse (the 5W1H page has one); else fitted as `report clv`."""
    model = model or clv.fit(store, ds, spec.clv_spec())
    if model.name != spec.model:
        raise ValueError(f"the model is {model.name}, the spec asks for {spec.model}")
    if model.status != "ok":
        return Inputs(model.status, model.message())
    from_cohorts = _cohort_inputs(store, ds, spec.filters)
    if from_cohorts is None:
        return Inputs("no_first_year", NO_FIRST_YEAR, model.notes)
    members = scored(store, ds, spec, model)
    n, purchases, revenue, lost_purchases, lost = members.select(
        pl.len(), pl.col("expected_purchases", "expected_revenue", "lost_purchases", "lost_to_churn").sum()).row(0)
    return Inputs("ok", "ok", model.notes, int(n), float(purchases), float(revenue), float(lost_purchases),
                  float(lost), **from_cohorts)


# -- the formula -----------------------------------------------------------------------------------


def check(base: Inputs, levers: Levers) -> None:
    """Refuse levers this baseline cannot take, in one line (ValueError)."""
    if not levers.retention_points:
        return
    r1 = base.month1_retention
    if not r1:
        raise ValueError("nobody in the recent cohorts came back in month 1 (month-1 retention 0 %): there is no "
                         "return to scale, so --retention-points must be 0")
    if r1 + levers.retention_points / 100 > 1 + 1e-12:
        raise ValueError(f"month-1 retention is {r1:.1%}: +{levers.retention_points:g} points would take it over "
                         f"100 % (at most +{max_retention_points(base):g})")


def max_retention_points(base: Inputs) -> float:
    """The most month-1 retention can be raised, in whole points (0 without a return to scale)."""
    r1 = base.month1_retention
    return float(math.floor(round((1 - r1) * 100, 9))) if r1 else 0.0


# The page's sliders: whole points and steps of 5 %.
RETENTION_SLIDER_POINTS = 20
CHURN_SLIDER = tuple(range(0, 101, 5))
GROWTH_SLIDER = tuple(range(0, 51, 5))


def lever_options(base: Inputs) -> dict[str, list[int]]:
    """Each lever's settings on the page: retention 0 … RETENTION_SLIDER_POINTS points, no further
    than 100 % (only 0 without a return to scale); churn cut 0 … 100 % and frequency, AOV
    0 … 50 %, in steps of 5."""
    top = int(min(RETENTION_SLIDER_POINTS, max_retention_points(base)))
    return {"retention_points": list(range(top + 1)), "churn_cut": list(CHURN_SLIDER),
            "frequency_up": list(GROWTH_SLIDER), "aov_up": list(GROWTH_SLIDER)}


def _values(base: Inputs, levers: Levers) -> dict[str, float]:
    """Every row's value under `levers` (Levers() gives the baseline): the module docstring's formula."""
    delta, c = levers.retention_points / 100, levers.churn_cut / 100
    f, a = levers.frequency_up / 100, levers.aov_up / 100
    r1 = base.month1_retention
    rho = (r1 + delta) / r1 if delta else 1.0
    m = (1 + f) * (1 + a)
    members, n = base.existing_members, base.new_buyers_per_month
    existing = (base.expected_revenue + c * base.lost_to_churn) * m
    first_year = (base.first_month_value + rho * base.later_value) * m
    new_revenue = MONTHS * n * (base.first_month_value + rho * base.later_value_in_year) * m
    new_members = MONTHS * n
    return {
        "month1_retention": None if r1 is None else r1 + delta,
        "churn_rate": (base.lost_purchases / (base.expected_purchases + base.lost_purchases) * (1 - c)
                       if base.expected_purchases + base.lost_purchases else None),
        "purchases_per_member": base.expected_purchases / members * (1 + f),
        "spend_per_purchase": (base.expected_revenue / base.expected_purchases * (1 + a)
                               if base.expected_purchases else None),
        "existing_members": float(members),
        "lost_to_churn": base.lost_to_churn,
        "new_buyers_per_month": n,
        "first_month_value": base.first_month_value,
        "later_value": base.later_value,
        "later_value_in_year": base.later_value_in_year,
        "existing_revenue": existing,
        "existing_clv": existing / members,
        "new_members": new_members,
        "first_year_value": first_year,
        "new_revenue": new_revenue,
        "revenue_12m": existing + new_revenue,
        "customer_asset": existing + new_members * first_year,   # M × existing_clv + new members × their value
    }


def project(base: Inputs, levers: Levers = Levers()) -> pl.DataFrame:
    """One row per lever, input and result (ROWS' order): item, kind (lever: the number a lever
    moves, that lever alone; input: a baseline number, the same in the scenario; result), unit
    (rate, count, purchases, money), baseline, scenario, difference (scenario − baseline), source
    (clv, cohorts, cohorts_revenue, formula). Unrounded (`rounded` for the command line); with all
    levers at 0 the scenario is the baseline exactly. Raises ValueError for levers the baseline
    cannot take (`check`); an empty frame when `base` is not ok."""
    if not base.ok:
        return pl.DataFrame(schema=SCHEMA)
    check(base, levers)
    before, after = _values(base, Levers()), _values(base, levers)
    rows = [(item, kind, unit, before[item], after[item],
             None if before[item] is None or after[item] is None else after[item] - before[item], source)
            for item, kind, unit, source in ROWS]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def rounded(frame: pl.DataFrame) -> pl.DataFrame:
    """project()'s frame as the command line prints it: money to 2 decimals, the rest to 4; the
    difference of the rounded numbers, so scenario − baseline = difference in the file too."""
    def to_digits(expr: pl.Expr) -> pl.Expr:
        return pl.when(pl.col("unit") == "money").then(expr.round(2)).otherwise(expr.round(4))

    out = frame.with_columns(to_digits(pl.col("baseline")).alias("baseline"),
                             to_digits(pl.col("scenario")).alias("scenario"))
    return out.with_columns(difference=to_digits(pl.col("scenario") - pl.col("baseline")))


def run(store: Store, ds: Dataset, spec: WhatIfSpec = WhatIfSpec(), model: Model | None = None) -> pl.DataFrame:
    """project(inputs(...), spec.levers): SCHEMA's columns, one row per lever, input and result;
    empty when the scope cannot give a what-if (inputs(...).status says why)."""
    return project(inputs(store, ds, spec, model), spec.levers)


# -- the members behind a number -------------------------------------------------------------------

Count = Literal["existing_members", "new_buyers"]
COUNTS: tuple[Count, ...] = ("existing_members", "new_buyers")


@dataclass(frozen=True)
class WhatIfCell:
    """The members behind existing_members (everyone scored) or new_buyers (those who first bought
    in the months new_buyers_per_month is taken over)."""

    count: Count

    def __post_init__(self) -> None:
        if self.count not in COUNTS:
            raise ValueError(f"no members behind {self.count!r} (choose from {', '.join(COUNTS)})")


def cells(store: Store, ds: Dataset, spec: WhatIfSpec = WhatIfSpec()) -> list[tuple[WhatIfCell, int]]:
    """The member counts behind the what-if: existing members and the recent new buyers (none
    when there is no what-if)."""
    base = inputs(store, ds, spec)
    if not base.ok:
        return []
    return [(WhatIfCell("existing_members"), base.existing_members), (WhatIfCell("new_buyers"), base.new_buyers)]


def members(store: Store, ds: Dataset, spec: WhatIfSpec, cell: WhatIfCell) -> pl.DataFrame:
    """existing_members: scored()'s columns (probabilities and purchases 4 decimals, money 2);
    new_buyers: member_id, first_purchase of the recent cohorts' members. Sorted by member_id."""
    if cell.count == "existing_members":
        model = clv.fit(store, ds, spec.clv_spec())
        if model.status != "ok":
            return pl.DataFrame(schema={"member_id": pl.String})
        return scored(store, ds, spec, model).with_columns(
            pl.col("T", "p_alive", "expected_purchases", "purchases_if_staying", "lost_purchases").round(4),
            pl.col("expected_spend", "expected_revenue", "lost_to_churn").round(2))
    cspec = _cohort_spec(spec.filters)
    counts = cohorts.run(store, ds, cspec)
    window = new_buyer_months(counts, spec.filters)
    starts = [] if window is None else counts.filter(
        (pl.col("period") == 0) & pl.col("cohort").is_between(*window))["cohort"].to_list()
    frames = [cohorts.members(store, ds, cspec, cohorts.CohortCell(cohort)).select("member_id", "first_purchase")
              for cohort in starts]
    empty = pl.DataFrame(schema={"member_id": pl.String, "first_purchase": pl.Date})
    return pl.concat([empty, *frames]).sort("member_id")


# -- the command line (`report whatif`; its entry in lib/reports.py REPORTS points here) -------------


def cli_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Projected revenue over the next 12 months and the customer asset (members × CLV), today and with the "
        "levers moved: item, kind, unit, baseline, scenario, difference, source. Fitted as report clv (on "
        "purchases up to --end, else --as-of); cohorts as report cohorts (monthly).")
    parser.add_argument("--model", choices=MODELS, default=clv.DEFAULT_MODEL,
                        help="purchase model (default %(default)s)")
    parser.add_argument("--retention-points", type=float, default=0.0, metavar="N",
                        help="month-1 retention + N percentage points (default 0)")
    parser.add_argument("--churn-cut", type=float, default=0.0, metavar="N",
                        help="churn rate − N %% (relative: the purchases lost to members leaving in the next "
                             "12 months; default 0)")
    parser.add_argument("--frequency-up", type=float, default=0.0, metavar="N",
                        help="purchase frequency + N %% (default 0)")
    parser.add_argument("--aov-up", type=float, default=0.0, metavar="N", help="AOV + N %% (default 0)")


def cli_table(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    """rounded(run(...)); raises ClvUnavailable (one line on stderr, exit 1) when there is no
    what-if, ValueError for levers out of range. The fit's boundary notes go to stderr, as clv's."""
    from lib.reports import CLV_NOTE_TEXT  # lib/reports.py imports this module

    levers = Levers(args.retention_points, args.churn_cut, args.frequency_up, args.aov_up)
    spec = WhatIfSpec(filters, args.model, levers)
    base = inputs(store, ds, spec)
    if not base.ok:
        raise ClvUnavailable(base.status, base.message)
    for note in base.notes:
        print(f"note: {clv.MODEL_LABELS[spec.model]}: {CLV_NOTE_TEXT[note]}", file=sys.stderr)
    return rounded(project(base, levers))

