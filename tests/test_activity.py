"""Active members per period on hand-built fixtures; every expected number is worked out in its comment.

Data end (as_of) of LINES = 2024-04-08, so April is incomplete.
"""

from __future__ import annotations


import pytest

from lib.activity import ActivityCell, ActivitySpec, cells, members, run
from lib import reports
from lib.filters import Filters
from tests.fixtures import build, d, module_dataset, module_store

LINES = [
    # member, order, date, amount, attributes
    ("m1", "o1", "2024-01-05", 100, {"channel": "门店", "category": "milk"}),
    ("m1", "o2", "2024-02-10", 50, {"channel": "天猫", "category": "toys"}),
    ("m1", "o2", "2024-03-03", -10, {"channel": "天猫", "category": "toys"}),   # partial refund of o2, dated March
    ("m1", "o3", "2024-04-02", 30, {"channel": "门店", "category": "milk"}),
    ("m2", "o4", "2024-01-20", 80, {"channel": "门店", "category": "milk"}),
    ("m2", "o5", "2024-02-03", -20, {"channel": "门店", "category": "milk"}),   # refund-only: m2 not active in Feb
    ("m3", "o6", "2024-01-31 10:00", 40, {"channel": "天猫", "category": "toys"}),
    ("m3", "o7", "2024-01-31 18:00", 60, {"channel": "天猫", "category": "milk"}),  # same-day second order
    ("m3", "o8", "2024-03-15", 25, {"channel": "天猫", "category": "milk"}),
    ("m4", "o9", "2024-02-01", 70, {"channel": "门店", "category": "milk"}),
    ("m4", "o9", "2024-02-25", -20, {"channel": "门店", "category": "milk"}),
    ("m4", "o10", "2024-02-28", 10, {"channel": "门店", "category": "toys"}),
    ("m5", "o12", "2024-02-14", 90, {"channel": "天猫", "category": "toys"}),
    ("m5", "o13", "2024-04-08", 40, {"channel": "天猫", "category": "toys"}),   # data end
    ("m6", "o14", "2023-12-20", 30, {"channel": "门店", "category": "milk"}),
    ("m6", "o15", "2024-02-20", 60, {"channel": "天猫", "category": "toys"}),
]
MEMBERS = [("m1", {"gender": "F"}), ("m2", {"gender": "M"}), ("m3", {"gender": "F"}), ("m4", {"gender": "M"}),
           ("m5", {"gender": "F"}), ("m6", {"gender": "M"})]
# Months in which each member has a purchase (o5 is refund-only):
#   m1 Jan Feb Apr · m2 Jan · m3 Jan Mar · m4 Feb · m5 Feb Apr · m6 Dec Feb
DEC, JAN, FEB, MAR, APR = d("2023-12-01"), d("2024-01-01"), d("2024-02-01"), d("2024-03-01"), d("2024-04-01")


store = module_store()   # no test writes to LINES' dataset
ds = module_dataset(LINES, MEMBERS)


def test_monthly_activity(store, ds):
    assert run(store, ds, ActivitySpec()).rows() == [
        # period, active, new, returning, resurrecting, dormant, crr, crr_strict, rev_new, rev_returning, complete
        (DEC, 1, 1, 0, 0, 0, None, None, 30.0, 0.0, True),
        # Dec: m6 new; nobody active in Nov, so no CRR
        (JAN, 3, 3, 0, 0, 1, 0.0, 0.0, 280.0, 0.0, True),
        # Jan: m1 m2 m3 new (m3's two same-day orders: one member); m6 dormant; (3 − 3) / 1; 0 / 1
        (FEB, 4, 2, 1, 1, 2, 2 / 3, 1 / 3, 150.0, 90.0, True),
        # Feb: m4 m5 new, m1 returning, m6 resurrecting (Dec, not Jan); m2 m3 dormant (m2 only refunded);
        # S = Jan's 3: (4 − 2) / 3, 1 / 3; new 70 − 20 + 10 + 90; returning 50 (m1) − 20 (m2) + 60 (m6)
        (MAR, 1, 0, 0, 1, 4, 1 / 4, 0.0, 0.0, 15.0, True),
        # Mar: m3 resurrecting (Jan, not Feb); m1 m4 m5 m6 dormant; (1 − 0) / 4; 25 (m3) − 10 (m1's refund line)
        (APR, 2, 0, 0, 2, 1, 2.0, 0.0, 0.0, 70.0, False),
        # Apr: m1 m5 resurrecting; m3 dormant; (2 − 0) / 1 = 2: resurrecting members lift CRR above 1;
        # 30 + 40; April not over at 04-08
    ]


def test_cells_are_every_count_of_the_table(store, ds):
    # One cell per period and status, in STATUSES order (new, returning, resurrecting, dormant,
    # active), with the counts of test_monthly_activity; February shown in full.
    counted = cells(store, ds, ActivitySpec())
    assert len(counted) == 5 * 5
    assert counted[10:15] == [
        (ActivityCell(FEB, "new"), 2), (ActivityCell(FEB, "returning"), 1), (ActivityCell(FEB, "resurrecting"), 1),
        (ActivityCell(FEB, "dormant"), 2), (ActivityCell(FEB, "active"), 4)]
    assert [n for cell, n in counted if cell.status == "active"] == [1, 3, 4, 1, 2]   # Dec … Apr


def test_revenue_split_adds_up_to_all_revenue(store, ds):
    frame = run(store, ds, ActivitySpec())
    # Sum of every line: 100 + 50 − 10 + 30 + 80 − 20 + 40 + 60 + 25 + 70 − 20 + 10 + 90 + 40 + 30 + 60 = 635
    assert frame["revenue_new"].sum() + frame["revenue_returning"].sum() == pytest.approx(635.0)


def test_start_never_turns_a_returning_member_into_a_new_one(store, ds):
    # From February: m1's January and m6's December purchases, before start, still count as history.
    spec = ActivitySpec(Filters(start=d("2024-02-15"), end=d("2024-03-31")))
    assert run(store, ds, spec).rows() == [
        (FEB, 4, 2, 1, 1, 2, 2 / 3, 1 / 3, 150.0, 90.0, True),   # m1 returning, m6 resurrecting: as above
        (MAR, 1, 0, 0, 1, 4, 1 / 4, 0.0, 0.0, 15.0, True),
    ]
    assert members(store, ds, spec, ActivityCell(FEB, "new"))["member_id"].to_list() == ["m4", "m5"]


def test_dormant_then_resurrecting(store, ds):
    spec = ActivitySpec()
    assert members(store, ds, spec, ActivityCell(JAN, "dormant"))["member_id"].to_list() == ["m6"]
    assert members(store, ds, spec, ActivityCell(FEB, "resurrecting"))["member_id"].to_list() == ["m6"]
    assert members(store, ds, spec, ActivityCell(FEB, "dormant"))["member_id"].to_list() == ["m2", "m3"]
    assert members(store, ds, spec, ActivityCell(MAR, "resurrecting")).rows() == [
        # member, status, purchases in the period, first purchase
        ("m3", "resurrecting", 1, d("2024-01-31"))]
    assert members(store, ds, spec, ActivityCell(d("2024-01-31"), "new")).rows() == [
        ("m1", "new", 1, d("2024-01-05")), ("m2", "new", 1, d("2024-01-20")),
        ("m3", "new", 2, d("2024-01-31"))]                     # any date names its period; same-day orders
    assert members(store, ds, spec, ActivityCell(FEB, "active")).rows() == [
        ("m1", "returning", 1, d("2024-01-05")), ("m4", "new", 2, d("2024-02-01")),
        ("m5", "new", 1, d("2024-02-14")), ("m6", "resurrecting", 1, d("2023-12-20"))]


def test_members_behind_every_count_add_up(store, ds):
    for spec in (ActivitySpec(), ActivitySpec(Filters.of(channel="天猫"), period="week")):
        for row in run(store, ds, spec).iter_rows(named=True):
            for status in ("active", "new", "returning", "resurrecting", "dormant"):
                assert members(store, ds, spec, ActivityCell(row["period"], status)).height == row[status], (row, status)


def test_channel_filter_changes_who_is_new(store, ds):
    # 天猫 only: o2 (m1), o6 o7 o8 (m3), o12 o13 (m5), o15 (m6). Periods from m3's 01-31.
    assert run(store, ds, ActivitySpec(Filters.of(channel="天猫"))).rows() == [
        (JAN, 1, 1, 0, 0, 0, None, None, 100.0, 0.0, True),  # m3 new: 40 + 60
        (FEB, 3, 3, 0, 0, 1, 0.0, 0.0, 200.0, 0.0, True),    # m1 m5 m6 new in this scope (m6's Dec was 门店);
                                                             # m3 dormant; (3 − 3) / 1; 50 + 90 + 60
        (MAR, 1, 0, 0, 1, 3, 1 / 3, 0.0, 0.0, 15.0, True),   # m3 resurrecting; m1 m5 m6 dormant; 25 − 10
        (APR, 1, 0, 0, 1, 1, 1.0, 0.0, 0.0, 40.0, False),    # m5 resurrecting (m1's o3 is 门店); m3 dormant
    ]


def test_category_filter(store, ds):
    # toys lines: o2 (m1 +50 02-10, −10 03-03), o6 (m3 40), o10 (m4 10), o12 o13 (m5), o15 (m6 60).
    assert run(store, ds, ActivitySpec(Filters.of(category="toys"))).rows() == [
        (JAN, 1, 1, 0, 0, 0, None, None, 40.0, 0.0, True),  # m3 new (o6 only; o7 is milk)
        (FEB, 4, 4, 0, 0, 1, 0.0, 0.0, 210.0, 0.0, True),   # m1 m4 m5 m6 new; m3 dormant; 50 + 10 + 90 + 60
        (MAR, 0, 0, 0, 0, 4, 0.0, 0.0, 0.0, -10.0, True),   # nobody active, 4 dormant; m1's toys refund
        (APR, 1, 0, 0, 1, 0, None, None, 0.0, 40.0, False), # m5 resurrecting; nobody active in Mar: S = 0
    ]


def test_member_filter(store, ds):
    # gender F: m1 (Jan Feb Apr), m3 (Jan Mar), m5 (Feb Apr). Periods from m1's 01-05.
    assert run(store, ds, ActivitySpec(Filters.of(gender="F"))).rows() == [
        (JAN, 2, 2, 0, 0, 0, None, None, 200.0, 0.0, True),  # m1 m3 new; 100 + 100
        (FEB, 2, 1, 1, 0, 1, 0.5, 0.5, 90.0, 50.0, True),    # m5 new, m1 returning, m3 dormant; (2 − 1) / 2
        (MAR, 1, 0, 0, 1, 2, 0.5, 0.0, 0.0, 15.0, True),     # m3 resurrecting; m1 m5 dormant; 25 − 10
        (APR, 2, 0, 0, 2, 1, 2.0, 0.0, 0.0, 70.0, False),    # m1 m5 resurrecting; m3 dormant; 30 + 40
    ]


def test_periods_after_the_last_order_show_dormant_members(store, ds):
    # as_of 05-31: May has no order, and shows April's buyers as dormant; April is now complete.
    table = run(store, ds, ActivitySpec(Filters(as_of=d("2024-05-31"))))
    assert table.rows()[-2:] == [
        (APR, 2, 0, 0, 2, 1, 2.0, 0.0, 0.0, 70.0, True),
        (d("2024-05-01"), 0, 0, 0, 0, 2, 0.0, 0.0, 0.0, 0.0, True),   # m1 m5 dormant; 0 / 2
    ]


WEEK_LINES = [
    ("w1", None, "2024-12-29", 10),   # Sunday: ISO week of Mon 2024-12-23
    ("w1", None, "2025-01-05", 10),   # Sunday: week 2024-12-30
    ("w2", None, "2024-12-30", 10),   # Monday: week 2024-12-30 (ISO 2025-W01)
    ("w2", None, "2025-01-06", 10),   # Monday: week 2025-01-06
    ("w3", None, "2025-01-02", 10),   # Thursday: week 2024-12-30, across the new year
    ("w3", None, "2025-01-08", 10),   # Wednesday: week 2025-01-06; data end
]


def test_weeks_start_monday_across_the_year_boundary(store):
    ds = build(store, "weeks", lines=WEEK_LINES)
    assert run(store, ds, ActivitySpec(period="week")).rows() == [
        (d("2024-12-23"), 1, 1, 0, 0, 0, None, None, 10.0, 0.0, True),  # w1 new
        (d("2024-12-30"), 3, 2, 1, 0, 0, 1.0, 1.0, 20.0, 10.0, True),   # w2 w3 new, w1 returning; (3 − 2) / 1
        (d("2025-01-06"), 2, 0, 2, 0, 1, 2 / 3, 2 / 3, 0.0, 20.0, False),
        # w2 w3 returning, w1 dormant; S = 3: (2 − 0) / 3; week ends 01-12 > 01-08
    ]


def test_nothing_in_scope(store, ds):
    nowhere = Filters.of(channel="nowhere")
    assert run(store, ds, ActivitySpec(nowhere)).height == 0   # no purchase, no start: no periods
    # With a range, the periods are there, all zero, and CRR is null.
    assert run(store, ds, ActivitySpec(Filters.of(channel="nowhere", start=d("2024-03-01")))).rows() == [
        (MAR, 0, 0, 0, 0, 0, None, None, 0.0, 0.0, True),
        (APR, 0, 0, 0, 0, 0, None, None, 0.0, 0.0, False),
    ]
    assert members(store, ds, ActivitySpec(nowhere), ActivityCell(MAR, "active")).height == 0


def test_options_are_checked():
    with pytest.raises(ValueError):
        ActivitySpec(period="year")
    with pytest.raises(ValueError):
        members(None, None, ActivitySpec(), ActivityCell(JAN, "churned"))


def test_cli_report(store, ds):
    frame = reports.table(store, ds, "activity", ["--period", "quarter"], Filters(start=d("2024-01-01")))
    assert frame.columns[:7] == ["period", "active", "new", "returning", "resurrecting", "dormant", "crr"]
    assert frame.rows() == [
        # period, active, new, returning, resurrecting, dormant, crr, crr_strict, rev_new, rev_returning, complete
        (d("2024-01-01"), 6, 5, 1, 0, 0, 1.0, 1.0, 475.0, 60.0, True),
        # Q1: m1..m5 new; m6 returning (bought in Q4 2023, before start, and in Q1); S = Q4's m6: (6 − 5) / 1;
        # new 140 (m1) + 60 (m2) + 125 (m3) + 60 (m4) + 90 (m5); returning 60 (m6)
        (d("2024-04-01"), 2, 0, 2, 0, 4, 1 / 3, 1 / 3, 0.0, 70.0, False),
        # Q2: m1 m5 returning; m2 m3 m4 m6 dormant; S = 6: 2 / 6; 30 + 40; open until 06-30
    ]
