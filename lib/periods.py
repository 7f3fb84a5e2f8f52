"""Calendar periods as SQL: day, ISO week (starting Monday), month, quarter.

A period is labelled by the ISO date of its first day (SPEC "Dates and periods").
"""

from __future__ import annotations

from typing import Literal

Period = Literal["day", "week", "month", "quarter"]
PERIODS: tuple[Period, ...] = ("day", "week", "month", "quarter")

# Calendar arithmetic per period: (unit, how many of it make one period).
_STEP: dict[Period, tuple[str, int]] = {"day": ("day", 1), "week": ("day", 7), "month": ("month", 1),
                                        "quarter": ("month", 3)}


def period_start_sql(period: Period, expr: str) -> str:
    """The first day of the period holding the date `expr` (weeks start Monday)."""
    if period not in PERIODS:  # written into SQL text
        raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    return f"date_trunc('{period}', {expr})::DATE"


def period_shift_sql(period: Period, start: str, k: str) -> str:
    """The first day of the period k periods after the period starting at `start`."""
    unit, n = _STEP[period]
    if unit == "day":
        return f"({start} + ({n} * ({k}))::INTEGER)"
    return f"({start} + to_months(({n} * ({k}))::INTEGER))::DATE"


def period_index_sql(period: Period, a: str, b: str) -> str:
    """Whole periods from the period starting at `a` to the one starting at `b` (exact division)."""
    unit, n = _STEP[period]
    if unit == "day":
        return f"(({b} - {a}) // {n})"
    return f"(((year({b}) - year({a})) * 12 + month({b}) - month({a})) // {n})"
