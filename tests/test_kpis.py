"""KPIs on a hand-built fixture; every expected number is worked out in the comments."""

from __future__ import annotations

import pytest

from lib.filters import Filters
from lib.activity import ActivitySpec
from lib.activity import run as activity_run
from lib.kpis import KpiCell, KpiSpec, cells, members, run, series, trend, window
from tests.fixtures import build, d

LINES = [
    ("m1", "o1", "2024-01-05", 100),
    ("m1", "o2", "2024-02-10", 50),
    ("m1", "o3", "2024-03-01", -20),          # refund-only: revenue yes, purchase no
    ("m2", "o4", "2024-01-20", 80),
    ("m2", "o4", "2024-01-25", -30),          # partial refund line of o4, on its own date
    ("m3", "o5", "2024-02-15", 200),
    ("m3", "o6", "2024-02-15", 10),           # a second order the same day
    ("m4", "o7", "2023-12-20", 40),           # before both windows
    ("m4", "o8", "2024-02-20", 60),
]
# Window 2024-02-01..2024-03-01 = 30 days (2024 is a leap year); previous window 2024-01-02..01-31.
SPEC = KpiSpec(Filters(start=d("2024-02-01"), end=d("2024-03-01")))


@pytest.fixture
def ds(store):
    return build(store, lines=LINES)


def test_window_and_previous_window(store, ds):
    table = {r[0]: r[1:] for r in run(store, ds, SPEC).rows()}
    assert table == {
        # metric: (value, previous, change)
        "revenue": (300.0, 150.0, 1.0),        # 50 − 20 + 200 + 10 + 60 | 100 + 80 − 30
        "orders": (4.0, 2.0, 1.0),             # o2 o5 o6 o8 | o1 o4
        "buyers": (3.0, 2.0, 0.5),             # m1 m3 m4 | m1 m2
        "aov": (75.0, 75.0, 0.0),              # 300 / 4 | 150 / 2
        "purchase_frequency": (4 / 3, 1.0, pytest.approx(1 / 3)),
        # m1 (o2 is its 2nd), m3 (o6 its 2nd), m4 (o8 its 2nd, after o7 in 2023) | m1, m2 first-timers
        "repurchase_rate": (1.0, 0.0, None),
        "order_repurchase_rate": (0.75, 0.0, None),  # o2, o6, o8 are not first purchases | o1, o4 are
        "active_members": (3.0, 2.0, 0.5),
        "new_buyers": (1.0, 2.0, -0.5),        # m3 | m1 and m2
        "crr": (1.0, None, None),              # (E 3 − N 1) / S 2
        "crr_strict": (0.5, None, None),       # m1 active in both / S 2
    }


def test_members_behind_each_count_add_up(store, ds):
    table = dict(zip(*run(store, ds, SPEC).select("metric", "value").to_dict(as_series=False).values()))
    assert members(store, ds, SPEC, KpiCell("buyers")).rows() == [
        ("m1", 1, d("2024-01-05")), ("m3", 2, d("2024-02-15")), ("m4", 1, d("2023-12-20"))]
    assert members(store, ds, SPEC, KpiCell("buyers")).height == table["buyers"]
    assert members(store, ds, SPEC, KpiCell("new_buyers"))["member_id"].to_list() == ["m3"]
    assert members(store, ds, SPEC, KpiCell("repeat_buyers"))["member_id"].to_list() == ["m1", "m3", "m4"]
    assert members(store, ds, SPEC, KpiCell("retained"))["member_id"].to_list() == ["m1"]
    assert members(store, ds, SPEC, KpiCell("retained", window="previous"))["member_id"].to_list() == ["m1"]
    assert members(store, ds, SPEC, KpiCell("buyers", window="previous"))["member_id"].to_list() == ["m1", "m2"]


def test_cells_are_the_member_counts(store, ds):
    assert cells(store, ds, SPEC) == [
        (KpiCell("buyers"), 3), (KpiCell("active_members"), 3),       # m1 m3 m4
        (KpiCell("new_buyers"), 1), (KpiCell("repeat_buyers"), 3),    # m3 | m1 m3 m4 (repurchase_rate 3 / 3)
        (KpiCell("buyers", "previous"), 2), (KpiCell("active_members", "previous"), 2),   # m1 m2
        (KpiCell("new_buyers", "previous"), 2), (KpiCell("repeat_buyers", "previous"), 0),
        (KpiCell("retained"), 1),                                     # m1 (crr_strict 1 / 2)
    ]


def test_defaults_cover_all_history(store, ds):
    # start = first purchase 2023-12-20, end = data end 2024-03-01; nothing before, so no CRR.
    # revenue 100 + 50 − 20 + 80 − 30 + 200 + 10 + 40 + 60 = 490; purchases o1 o2 o4 o5 o6 o7 o8.
    table = {r[0]: r[1] for r in run(store, ds, KpiSpec()).rows()}
    assert (table["revenue"], table["orders"], table["buyers"], table["crr"]) == (490.0, 7.0, 4.0, None)


def test_empty_scope_gives_zero_counts_and_null_ratios(store, ds):
    table = {r[0]: r[1] for r in run(store, ds, KpiSpec(Filters.of(channel="nowhere"))).rows()}
    assert (table["revenue"], table["orders"], table["buyers"], table["aov"], table["repurchase_rate"]) == (
        0.0, 0.0, 0.0, None, None)


# trend(): the same metrics per calendar month (as_of 2024-03-01, so March is open).
DEC, JAN, FEB, MAR = d("2023-12-01"), d("2024-01-01"), d("2024-02-01"), d("2024-03-01")
TREND = [
    # period, revenue, orders, buyers, aov, purchase_frequency, repurchase_rate, order_repurchase_rate,
    # active_members, new_buyers, crr, crr_strict, complete
    (DEC, 40.0, 1.0, 1.0, 40.0, 1.0, 0.0, 0.0, 1.0, 1.0, None, None, True),
    # Dec: m4 o7; nobody bought in November, so no CRR
    (JAN, 150.0, 2.0, 2.0, 75.0, 1.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0, True),
    # Jan: 100 + 80 − 30 (o4's refund line on 01-25); o1 o4 (net 50), both first purchases;
    # m1 m2 new; S = Dec's 1 (m4): (2 − 2) / 1, nobody in both months
    (FEB, 320.0, 4.0, 3.0, 80.0, 4 / 3, 1.0, 0.75, 3.0, 1.0, 1.0, 0.5, True),
    # Feb: 50 + 200 + 10 + 60; o2 o5 o6 o8 by m1 m3 m4; o2 o6 o8 are not first purchases, so all
    # three buyers repurchased (m1 and m4 after earlier months);
    # m3 new; S = Jan's 2 (m1 m2): (3 − 1) / 2; m1 in both: 1 / 2
    (MAR, -20.0, 0.0, 0.0, None, None, None, None, 0.0, 0.0, 0.0, 0.0, False),
    # Mar: only m1's refund-only o3; S = Feb's 3: (0 − 0) / 3; March is not over at 03-01
]


def test_trend_per_month(store, ds):
    assert trend(store, ds, KpiSpec(), "month").rows() == TREND


def test_trend_start_keeps_history_for_crr(store, ds):
    # From 02-10: whole periods from the one holding start, so February in full; its CRR still
    # compares with January, before start.
    assert trend(store, ds, KpiSpec(Filters(start=d("2024-02-10"))), "month").rows() == TREND[2:]


def test_trend_agrees_with_activity(store, ds):
    for period in ("week", "month", "quarter"):
        kpi = trend(store, ds, KpiSpec(), period)
        act = activity_run(store, ds, ActivitySpec(period=period))
        assert kpi["period"].to_list() == act["period"].to_list()
        assert kpi["active_members"].to_list() == act["active"].cast(float).to_list()
        assert kpi["new_buyers"].to_list() == act["new"].cast(float).to_list()
        assert kpi["crr"].to_list() == act["crr"].to_list()
        assert kpi["revenue"].to_list() == [round(a + b, 2) for a, b in
                                            zip(act["revenue_new"], act["revenue_returning"])]


def test_trend_of_nothing_is_empty(store, ds):
    assert trend(store, ds, KpiSpec(Filters.of(channel="nowhere"))).height == 0
    with pytest.raises(ValueError):
        trend(store, ds, KpiSpec(), "year")


def test_series_keeps_complete_periods_with_a_value(store, ds):
    frame = trend(store, ds, KpiSpec(), "month")
    assert series(frame, "revenue") == [40.0, 150.0, 320.0]   # March is open
    assert series(frame, "crr") == [0.0, 1.0]                 # December has no CRR


@pytest.mark.parametrize("filters,days,expected", [
    (Filters(), 30, (d("2024-02-01"), d("2024-03-01"))),   # 30 days up to data end: Feb 1–29 + Mar 1
    (Filters(), None, (d("2023-12-20"), d("2024-03-01"))),               # the whole range
    (Filters(start=d("2024-01-10"), end=d("2024-02-29")), 7, (d("2024-02-23"), d("2024-02-29"))),
    (Filters(start=d("2024-01-10"), end=d("2024-02-29")), None, (d("2024-01-10"), d("2024-02-29"))),
    (Filters(end=d("2025-01-01")), 1, (d("2024-03-01"), d("2024-03-01"))),  # end capped at data end
])
def test_window(filters, days, expected):
    scope = window(filters, d("2023-12-20"), d("2024-03-01"), days)
    assert (scope.start, scope.end) == expected


def test_window_keeps_the_rest_of_the_scope():
    scope = window(Filters.of(channel="门店"), d("2023-12-20"), d("2024-03-01"), 30)
    assert scope.where == (("channel", ("门店",)),)
    with pytest.raises(ValueError):
        window(Filters(), d("2023-12-20"), d("2024-03-01"), 0)
