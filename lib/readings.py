"""One-line plain-language readings of the numbers behind a chart ("Month-1 retention fell from
31.0% to 24.0%").

Each function takes an analysis result (a polars frame from lib) and returns a `Reading`: the key
of a sentence template (lib/i18n/overview.py, lib/i18n/cohorts.py) and the numbers that fill it,
or None when the data cannot support a sentence. `text(reading, lang)` formats the numbers and
fills the template, so the same reading renders in Chinese and English. No streamlit here.

Value names say how a number is written (`_pct` a fraction as 31.0%, `_pp` a difference of
fractions in percentage points, `_money` an amount as lib.formatting.money writes it, `_n` a
count, `_label` an i18n key to translate, `_name` user text such as a store's name, escaped for
markdown (lib.formatting.markdown_text: `text` is for st.markdown), anything else as text).

Which numbers each reading uses:
- kpis: revenue of the window vs the previous window of equal length; buyers' and AOV's change.
- revenue_mix: the latest complete period with revenue > 0: revenue_returning / (new + returning)
  (lib.activity: "existing" members = everyone not new in the period); the share one period before.
- active: the latest two complete periods of lib.activity: change of active members; CRR.
- retention_k1: the latest two complete cohorts' cell 1 (lib.cohorts.at_period).
- lifecycle: the largest stage and the decline stage of lib.lifecycle.summary.
- cohort_average: the average curve's period 1 and a later landmark period (lib.cohorts.average).
- compare: both scopes' average at period 1 (lib.cohorts.compare).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lib.formatting import markdown_text, money, percent, period_label
from lib.i18n import Lang, t
from lib.periods import Period

# A relative change smaller than this reads as "flat" (counts and money: 0.5 %; two rates: their
# ratio within 5 %, so 1.2 % vs 1.5 % is a real gap but 30.2 % vs 29.5 % is not).
FLAT = 0.005
FLAT_RATES = 0.05


@dataclass(frozen=True)
class Reading:
    key: str
    values: tuple[tuple[str, object], ...] = ()

    def value(self, name: str) -> object:
        return dict(self.values)[name]


def text(reading: Reading | None, lang: Lang, currency: str | None = None) -> str:
    """The sentence in `lang` ('' for no reading), amounts in `currency`."""
    if reading is None:
        return ""
    return t(reading.key, lang, **{name: _format(name, value, lang, currency) for name, value in reading.values})


def _format(name: str, value: object, lang: Lang, currency: str) -> str:
    if name.endswith("_pct"):
        return percent(value)
    if name.endswith("_pp"):
        return f"{abs(value) * 100:.1f}"
    if name.endswith("_money"):
        return money(value, lang, currency)
    if name.endswith("_n"):
        return f"{value:,.0f}"
    if name.endswith("_label"):
        return t(str(value), lang)
    if name.endswith("_name"):
        return markdown_text(value)
    return str(value)


def _direction(change: float, flat: float = FLAT) -> str:
    return "up" if change > flat else "down" if change < -flat else "flat"


def _rate_direction(now: float, before: float) -> str:
    """Direction of one rate against another, by their ratio."""
    if before <= 0:
        return _direction(now - before)
    return _direction(now / before - 1, FLAT_RATES)


def _signed(value: float | None) -> str:
    return percent(value, signed=True)


# -- overview ----------------------------------------------------------------------------------

def kpis(table: pl.DataFrame, days: int) -> Reading | None:
    """lib.kpis.run's table for a window of `days` days."""
    rows = {r["metric"]: r for r in table.iter_rows(named=True)}
    revenue = rows["revenue"]
    if revenue["change"] is None:
        return Reading("overview.read_kpis_none", (("days_n", days),))
    return Reading(f"overview.read_kpis_{_direction(revenue['change'])}", (
        ("change_pct", abs(revenue["change"])), ("days_n", days),
        ("previous_money", revenue["previous"]), ("revenue_money", revenue["value"]),
        ("buyers", _signed(rows["buyers"]["change"])), ("aov", _signed(rows["aov"]["change"]))))


def _complete(frame: pl.DataFrame) -> list[dict]:
    return [r for r in frame.iter_rows(named=True) if r["complete"]]


def revenue_mix(activity: pl.DataFrame, period: Period) -> Reading | None:
    """lib.activity.run's frame: the share of revenue from existing (not new) members."""
    rows = [r for r in _complete(activity) if r["revenue_new"] + r["revenue_returning"] > 0]
    if not rows:
        return None
    now = rows[-1]
    total = now["revenue_new"] + now["revenue_returning"]
    values = (("period", period_label(now["period"], period)), ("share_pct", now["revenue_returning"] / total),
              ("returning_money", now["revenue_returning"]), ("total_money", total))
    before = rows[-2] if len(rows) > 1 else None
    if before is None:
        return Reading("overview.read_mix", values)
    share_before = before["revenue_returning"] / (before["revenue_new"] + before["revenue_returning"])
    return Reading("overview.read_mix_vs", values + (("previous_pct", share_before),))


def active(activity: pl.DataFrame, period: Period) -> Reading | None:
    """lib.activity.run's frame: active members, latest complete period vs the one before."""
    rows = _complete(activity)
    if not rows:
        return None
    now = rows[-1]
    label = period_label(now["period"], period)
    if len(rows) < 2 or not rows[-2]["active"]:
        return Reading("overview.read_active_one", (("period", label), ("now_n", now["active"])))
    before = rows[-2]
    change = now["active"] / before["active"] - 1
    values = (("period", label), ("prev_label", f"overview.prev_{period}"), ("change_pct", abs(change)),
              ("before_n", before["active"]), ("now_n", now["active"]))
    key = f"overview.read_active_{_direction(change)}"
    if now["crr"] is None:
        return Reading(key, values)
    return Reading(key + "_crr", values + (("crr_pct", now["crr"]),))


def retention_k1(cells: pl.DataFrame, period: Period) -> Reading | None:
    """lib.cohorts.at_period(k=1)'s frame: the latest two complete cohorts' period-1 retention."""
    rows = [r for r in _complete(cells) if r["rate"] is not None]
    if not rows:
        return None
    now = rows[-1]
    values = (("k1_label", f"overview.k1_{period}"), ("now_pct", now["rate"]),
              ("now_cohort", period_label(now["cohort"], period)))
    if len(rows) < 2:
        return Reading("overview.read_k1_one", values)
    before = rows[-2]
    values += (("before_pct", before["rate"]), ("before_cohort", period_label(before["cohort"], period)))
    return Reading(f"overview.read_k1_{_rate_direction(now['rate'], before['rate'])}", values)


def lifecycle(summary: pl.DataFrame) -> Reading | None:
    """lib.lifecycle.summary's frame (stage, members in funnel order)."""
    counts = dict(summary.select("stage", "members").iter_rows())
    total = sum(counts.values())
    if not total:
        return None
    top = max(counts, key=lambda stage: counts[stage])  # the first of equals, in funnel order
    # nobody in decline: nothing to win back, and "0 (0.0%) are in decline — win them back" reads odd
    key = "overview.read_lifecycle" if counts.get("decline") else "overview.read_lifecycle_no_decline"
    return Reading(key, (
        ("top_label", f"stage_{top}"), ("top_pct", counts[top] / total), ("top_n", counts[top]),
        ("decline_n", counts.get("decline", 0)), ("decline_pct", counts.get("decline", 0) / total)))


# -- cohorts -----------------------------------------------------------------------------------

# Periods worth quoting after period 1, by period length (rolling windows of 1 / 7 / 30 / 91 days
# read like days / weeks / months / quarters); the largest one with enough cohorts is used.
LANDMARKS: dict[str, tuple[int, ...]] = {"day": (30, 7), "week": (12, 4), "month": (12, 6, 3), "quarter": (4, 2)}
ROLLING_AS: dict[int, str] = {1: "day", 7: "week", 30: "month", 91: "quarter"}
MIN_COHORTS = 3  # a later period is quoted only when at least this many cohorts have reached it


def cohort_average(average: pl.DataFrame, mode: str, period: Period, rolling: int | None = None) -> Reading | None:
    """lib.cohorts.average's frame: the weighted average at period 1 and at a later landmark
    period (LANDMARKS; else the last period reached by ≥ MIN_COHORTS cohorts)."""
    rates = {r["period"]: r for r in average.iter_rows(named=True) if r["rate"] is not None}
    if 1 not in rates:
        return None
    values = (("k1_pct", rates[1]["rate"]), ("cohorts_n", rates[1]["cohorts"]))
    enough = [k for k, r in rates.items() if k > 1 and r["cohorts"] >= MIN_COHORTS]
    marks = [k for k in LANDMARKS[ROLLING_AS[rolling] if rolling else period] if k in enough]
    later = marks[0] if marks else max(enough, default=None)
    if later is None:
        return Reading(f"cohorts.read_average_{mode}_one", values)
    return Reading(f"cohorts.read_average_{mode}", values + (("last_k", later), ("last_pct", rates[later]["rate"]),
                                                              ("last_cohorts_n", rates[later]["cohorts"])))


def compare(curves: pl.DataFrame, k: int = 1) -> Reading | None:
    """lib.cohorts.compare's frame (two scopes): their average at period k."""
    at_k = {r["scope"]: r["rate"] for r in curves.iter_rows(named=True) if r["period"] == k and r["rate"] is not None}
    scopes = list(dict.fromkeys(curves["scope"].to_list()))
    if len(scopes) != 2 or any(s not in at_k for s in scopes):
        return None
    a, b = scopes
    diff = at_k[a] - at_k[b]
    return Reading(f"cohorts.read_compare_{_rate_direction(at_k[a], at_k[b])}", (
        ("k", k), ("a_name", a), ("a_pct", at_k[a]), ("b_name", b), ("b_pct", at_k[b]), ("diff_pp", diff)))
