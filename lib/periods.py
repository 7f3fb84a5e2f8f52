"""Calendar periods as SQL: day, ISO week (starting Monday), month, quarter; and the gaps between
a member's purchase days.

A period is labelled by the ISO date of its first day (SPEC "Dates and periods"). Every analysis
buckets, steps and lists periods with these helpers, so a "week" means one thing everywhere.

Days between two dates are `date_diff('day', a, b)`, never `b - a`: the same BIGINT in DuckDB, and
the form Spark reads too (lib/spark.py transpiles every analysis; Spark's `b - a` is an interval).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

Period = Literal["day", "week", "month", "quarter"]
PERIODS: tuple[Period, ...] = ("day", "week", "month", "quarter")

# Calendar arithmetic per period: (unit, how many of it make one period).
_STEP: dict[Period, tuple[str, int]] = {"day": ("day", 1), "week": ("day", 7), "month": ("month", 1),
                                        "quarter": ("month", 3)}
# The same step as an interval, for generate_series (allow-listed SQL text).
_INTERVAL: dict[Period, str] = {"day": "INTERVAL 1 DAY", "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH",
                                "quarter": "INTERVAL 3 MONTH"}


def check_period(period: object, allowed: tuple[str, ...] = PERIODS) -> None:
    """ValueError unless `period` is one of `allowed` (periods are written into SQL text)."""
    if not isinstance(period, str) or period not in allowed:
        raise ValueError(f"period must be one of {', '.join(allowed)}; got {period!r}")


def period_start_sql(period: Period, expr: str) -> str:
    """The first day of the period holding the date `expr` (weeks start Monday)."""
    check_period(period)
    return f"date_trunc('{period}', {expr})::DATE"


def period_shift_sql(period: Period, start: str, k: str) -> str:
    """The first day of the period k periods after the period starting at `start`."""
    unit, n = _STEP[period]
    if unit == "day":
        return f"({start} + ({n} * ({k}))::INTEGER)"
    return f"({start} + to_months(({n} * ({k}))::INTEGER))::DATE"


def period_end_sql(period: Period, start: str) -> str:
    """The last day of the period starting at `start`."""
    return f"({period_shift_sql(period, start, '1')} - 1)"


def period_index_sql(period: Period, a: str, b: str) -> str:
    """Whole periods from the period starting at `a` to the one starting at `b` (exact division)."""
    unit, n = _STEP[period]
    if unit == "day":
        return f"(date_diff('day', {a}, {b}) // {n})"
    return f"(((year({b}) - year({a})) * 12 + month({b}) - month({a})) // {n})"


def period_starts_sql(period: Period, first: str, last: str) -> str:
    """A select-list item giving one row per period, its first day, from the period holding the
    date `first` to the one holding `last`: `SELECT {period_starts_sql(...)} AS period FROM …`.
    No rows when either date is null or `last` comes before `first`'s period."""
    return (f"unnest(generate_series({period_start_sql(period, first)}, {period_start_sql(period, last)}, "
            f"{_INTERVAL[period]}))::DATE")


def purchase_day_gaps_sql(source: str, keys: str) -> str:
    """One row per distinct (keys, order_date) of `source` with gap_days = whole days since the
    previous purchase day of the same keys (null on the first). Purchases on one day are one
    visit, so a gap is never 0: the definition every forecast uses (a member's median gap for the
    lifecycle decline rule, the next expected purchase of an item). `source` and `keys` are our
    own SQL (a CTE name; e.g. "member_id" or "member_id, item")."""
    # Without a DISTINCT first: over the sorted dates, a difference is 0 within a day and the gap
    # to the previous purchase day on a day's first purchase, so dropping the 0s leaves one row
    # per purchase day with its gap (a group by of every purchase saved).
    return (f"SELECT {keys}, order_date, gap_days FROM ("
            f"SELECT {keys}, order_date, "
            f"date_diff('day', lag(order_date) OVER (PARTITION BY {keys} ORDER BY order_date), order_date) AS gap_days "
            f"FROM {source}) WHERE gap_days IS DISTINCT FROM 0")


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, or the month's last day when it has no such
    day (2026-05-31 minus 3 months → 2026-02-28)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return day
