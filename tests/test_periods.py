"""Calendar periods and purchase-day gaps as SQL, run in DuckDB; every expected date worked out by hand.

2024 is a leap year; 2024-01-01 is a Monday.
"""

from __future__ import annotations

import duckdb
import pytest

from lib.periods import (check_period, period_end_sql, period_index_sql, period_shift_sql, period_start_sql,
                         period_starts_sql, purchase_day_gaps_sql)
from tests.fixtures import d


def periods(period: str, first: str, last: str) -> list[tuple]:
    """(start, end) of every period from the one holding `first` to the one holding `last`."""
    sql = (f"SELECT p, {period_end_sql(period, 'p')} FROM "
           f"(SELECT {period_starts_sql(period, first, last)} AS p) ORDER BY p")
    return duckdb.sql(sql).fetchall()


@pytest.mark.parametrize("period,first,last,expected", [
    # 02-28 … 03-01 through the leap day
    ("day", "DATE '2024-02-28'", "DATE '2024-03-01'",
     [("2024-02-28", "2024-02-28"), ("2024-02-29", "2024-02-29"), ("2024-03-01", "2024-03-01")]),
    # Wed 01-03 is in the week of Mon 01-01; Mon 01-15 starts its own week
    ("week", "DATE '2024-01-03'", "DATE '2024-01-15'",
     [("2024-01-01", "2024-01-07"), ("2024-01-08", "2024-01-14"), ("2024-01-15", "2024-01-21")]),
    # a month starting on the 31st still steps month by month; February ends on the 29th
    ("month", "DATE '2024-01-31'", "DATE '2024-03-01'",
     [("2024-01-01", "2024-01-31"), ("2024-02-01", "2024-02-29"), ("2024-03-01", "2024-03-31")]),
    ("quarter", "DATE '2023-11-15'", "DATE '2024-02-01'",
     [("2023-10-01", "2023-12-31"), ("2024-01-01", "2024-03-31")]),
    # no first date (nothing in scope) or a range ending before it starts: no periods
    ("month", "NULL::DATE", "DATE '2024-03-01'", []),
    ("month", "DATE '2024-03-01'", "DATE '2024-01-01'", []),
])
def test_period_starts_and_ends(period, first, last, expected):
    assert periods(period, first, last) == [(d(a), d(b)) for a, b in expected]


def test_start_shift_and_index_agree():
    # Sat 2024-03-09: its week starts Mon 03-04; 2 weeks on = 03-18; from the week of 01-01 that is
    # 63 days = 9 weeks.
    # Its quarter starts 01-01; 2 quarters on = 07-01; from Q4 2023 that is 1 quarter.
    row = duckdb.sql(f"""
        SELECT {period_start_sql('week', "DATE '2024-03-09'")},
               {period_shift_sql('week', "DATE '2024-03-04'", '2')},
               {period_index_sql('week', "DATE '2024-01-01'", "DATE '2024-03-04'")},
               {period_start_sql('quarter', "DATE '2024-03-09'")},
               {period_shift_sql('quarter', "DATE '2024-01-01'", '2')},
               {period_index_sql('quarter', "DATE '2023-10-01'", "DATE '2024-01-01'")}""").fetchall()[0]
    assert row == (d("2024-03-04"), d("2024-03-18"), 9, d("2024-01-01"), d("2024-07-01"), 1)


def test_purchase_day_gaps_skip_same_day_purchases():
    con = duckdb.connect()
    con.execute("""CREATE TABLE bought AS SELECT * FROM (VALUES
        ('a', DATE '2024-01-01'), ('a', DATE '2024-01-31'), ('a', DATE '2024-01-31'),  -- split order
        ('a', DATE '2024-03-01'), ('b', DATE '2024-02-01')) t(member_id, order_date)""")
    rows = con.sql(purchase_day_gaps_sql("bought", "member_id") + " ORDER BY member_id, order_date").fetchall()
    assert rows == [
        ("a", d("2024-01-01"), None),   # the first purchase day has no gap
        ("a", d("2024-01-31"), 30),     # the two orders of 01-31 are one day: one gap of 30, no 0
        ("a", d("2024-03-01"), 30),     # 01-31 → 03-01 through 02-29
        ("b", d("2024-02-01"), None),
    ]


def test_check_period_allows_only_named_periods():
    check_period("week")
    check_period("month", ("week", "month"))
    for wrong in ("year", True, None, "Week"):
        with pytest.raises(ValueError):
            check_period(wrong)
    with pytest.raises(ValueError):
        check_period("day", ("week", "month"))


def test_months_before_keeps_the_day_or_takes_the_months_last():
    from lib.periods import months_before

    assert months_before(d("2026-06-30"), 6) == d("2025-12-30")
    assert months_before(d("2026-05-31"), 3) == d("2026-02-28")   # no 31 or 30 in February 2026
    assert months_before(d("2024-05-31"), 3) == d("2024-02-29")   # leap year
    assert months_before(d("2026-01-15"), 13) == d("2024-12-15")  # across two year ends
