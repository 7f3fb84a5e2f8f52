"""Cohort retention on hand-built fixtures; every expected cell is worked out in its comment.

Data end (as_of) of LINES = 2024-04-08, so every April cell is incomplete.
"""

from __future__ import annotations


import pytest

from lib.cohorts import (CohortCell, CohortSpec, at_period, average, compare, members, run,
                         scoped)
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
    ("m2", "o5", "2024-02-03", -20, {"channel": "门店", "category": "milk"}),   # refund-only: not a purchase
    ("m3", "o6", "2024-01-31 10:00", 40, {"channel": "天猫", "category": "toys"}),
    ("m3", "o7", "2024-01-31 18:00", 60, {"channel": "天猫", "category": "milk"}),  # same-day second order
    ("m3", "o8", "2024-03-15", 25, {"channel": "天猫", "category": "milk"}),
    ("m4", "o9", "2024-02-01", 70, {"channel": "门店", "category": "milk"}),
    ("m4", "o9", "2024-02-25", -20, {"channel": "门店", "category": "milk"}),   # refund inside o9, same month
    ("m4", "o10", "2024-02-28", 10, {"channel": "门店", "category": "toys"}),
    ("m5", "o12", "2024-02-14", 90, {"channel": "天猫", "category": "toys"}),
    ("m5", "o13", "2024-04-08", 40, {"channel": "天猫", "category": "toys"}),   # data end
    ("m6", "o14", "2023-12-20", 30, {"channel": "门店", "category": "milk"}),   # m6's first purchase…
    ("m6", "o15", "2024-02-20", 60, {"channel": "天猫", "category": "toys"}),   # …unless only 天猫 counts
]
MEMBERS = [
    ("m1", {"gender": "F", "signup_date": d("2023-12-15")}),
    ("m2", {"gender": "M", "signup_date": d("2024-01-10")}),
    ("m3", {"gender": "F"}),                                   # no signup date: not in signup cohorts
    ("m4", {"gender": "M", "signup_date": d("2024-01-25")}),
    ("m5", {"gender": "F", "signup_date": d("2024-02-14")}),
    ("m6", {"gender": "M"}),
    ("m7", {"gender": "F", "signup_date": d("2024-01-05")}),   # signed up, never bought
    ("m8", {"gender": "F", "signup_date": d("2024-05-01")}),   # signed up after as_of: does not exist yet
]
DEC, JAN, FEB = d("2023-12-01"), d("2024-01-01"), d("2024-02-01")


store = module_store()   # no test writes to LINES' dataset
ds = module_dataset(LINES, MEMBERS)


def test_classic_monthly_triangle(store, ds):
    assert run(store, ds, CohortSpec()).rows() == [
        # cohort, k, size, retained, rate, complete
        (DEC, 0, 1, 1, 1.0, True),    # Dec cohort: m6 (o14)
        (DEC, 1, 1, 0, 0.0, True),    # Jan: m6 bought nothing — a zero, not a gap
        (DEC, 2, 1, 1, 1.0, True),    # Feb: m6 o15
        (DEC, 3, 1, 0, 0.0, True),    # Mar: nothing; March ended before as_of 04-08
        (DEC, 4, 1, 0, 0.0, False),   # Apr: nothing yet; April is not over at 04-08
        (JAN, 0, 3, 3, 1.0, True),    # Jan cohort: m1 m2 m3 (m3's two same-day orders count once)
        (JAN, 1, 3, 1, 1 / 3, True),  # Feb: m1 o2; m2's o5 is refund-only, so m2 is not retained
        (JAN, 2, 3, 1, 1 / 3, True),  # Mar: m3 o8; m1's refund line of o2 is no purchase
        (JAN, 3, 3, 1, 1 / 3, False), # Apr: m1 o3; incomplete
        (FEB, 0, 2, 2, 1.0, True),    # Feb cohort: m4 m5 (m6 bought in Feb but is Dec's; m1 is Jan's)
        (FEB, 1, 2, 0, 0.0, True),    # Mar: neither
        (FEB, 2, 2, 1, 0.5, False),   # Apr: m5 o13 on the data end day; incomplete
    ]


def test_unbounded_triangle(store, ds):
    assert run(store, ds, CohortSpec(mode="unbounded")).rows() == [
        (DEC, 0, 1, 1, 1.0, True),    # m6
        (DEC, 1, 1, 1, 1.0, True),    # m6 bought in k2, so "in k1 or later"
        (DEC, 2, 1, 1, 1.0, True),    # m6 in k2
        (DEC, 3, 1, 0, 0.0, True),    # nothing in k3 or later
        (DEC, 4, 1, 0, 0.0, False),
        (JAN, 0, 3, 3, 1.0, True),    # m1 m2 m3
        (JAN, 1, 3, 2, 2 / 3, True),  # m1 (k1, k3), m3 (k2); m2 only refunded
        (JAN, 2, 3, 2, 2 / 3, True),  # m1 (k3), m3 (k2)
        (JAN, 3, 3, 1, 1 / 3, False), # m1 (k3)
        (FEB, 0, 2, 2, 1.0, True),    # m4 m5
        (FEB, 1, 2, 1, 0.5, True),    # m5 (k2)
        (FEB, 2, 2, 1, 0.5, False),   # m5 (k2)
    ]


def test_revenue_triangle_counts_refunds_on_their_dates(store, ds):
    assert run(store, ds, CohortSpec(mode="revenue")).rows() == [
        # cohort, k, size, revenue of k, revenue of k / revenue of k0, complete
        (DEC, 0, 1, 30.0, 1.0, True),       # m6 o14
        (DEC, 1, 1, 0.0, 0.0, True),
        (DEC, 2, 1, 60.0, 2.0, True),       # m6 o15: more than period 0
        (DEC, 3, 1, 0.0, 0.0, True),
        (DEC, 4, 1, 0.0, 0.0, False),
        (JAN, 0, 3, 280.0, 1.0, True),      # 100 (m1) + 80 (m2) + 40 + 60 (m3's two orders)
        (JAN, 1, 3, 30.0, 30 / 280, True),  # 50 (m1 o2) − 20 (m2's refund-only o5)
        (JAN, 2, 3, 15.0, 15 / 280, True),  # 25 (m3 o8) − 10 (m1's refund line of o2, dated 03-03)
        (JAN, 3, 3, 30.0, 30 / 280, False), # m1 o3
        (FEB, 0, 2, 150.0, 1.0, True),      # 70 − 20 + 10 (m4) + 90 (m5)
        (FEB, 1, 2, 0.0, 0.0, True),
        (FEB, 2, 2, 40.0, 40 / 150, False), # m5 o13
    ]


def test_average_uses_complete_cells_weighted_by_size(store, ds):
    assert average(store, ds, CohortSpec()).rows() == [
        # k, cohorts, members, weight, rate
        (0, 3, 6, 6.0, 1.0),      # (1 + 3 + 2) / (1 + 3 + 2)
        (1, 3, 6, 6.0, 1 / 6),    # Dec 0 + Jan 1 + Feb 0 of 6
        (2, 2, 4, 4.0, 0.5),      # Dec 1 + Jan 1 of 1 + 3; Feb k2 (April) is incomplete
        (3, 1, 1, 1.0, 0.0),      # Dec only (March); Jan k3 is April
    ]                             # k4: only Dec's April cell, incomplete: no row


def test_revenue_average_is_weighted_by_period_0_revenue(store, ds):
    assert average(store, ds, CohortSpec(mode="revenue")).rows() == [
        (0, 3, 6, 460.0, 1.0),          # weights 30 + 280 + 150
        (1, 3, 6, 460.0, 30 / 460),     # 0 + 30 + 0
        (2, 2, 4, 310.0, 75 / 310),     # Dec 60 + Jan 15 over 30 + 280
        (3, 1, 1, 30.0, 0.0),           # Dec 0 over 30
    ]


def test_date_range_takes_whole_cohorts_and_follows_them_to_as_of(store, ds):
    # 01-15..01-31 selects the January cohort whole (m1's 01-05 included); its April cell
    # still counts although it is after `end`.
    spec = CohortSpec(Filters(start=d("2024-01-15"), end=d("2024-01-31")))
    assert run(store, ds, spec).rows() == [
        (JAN, 0, 3, 3, 1.0, True),
        (JAN, 1, 3, 1, 1 / 3, True),
        (JAN, 2, 3, 1, 1 / 3, True),
        (JAN, 3, 3, 1, 1 / 3, False),   # m1 o3, after `end`
    ]
    # From February: m6 bought in February but first bought in December, so is not in it.
    feb = CohortSpec(Filters(start=d("2024-02-01")))
    assert members(store, ds, feb, CohortCell(FEB))["member_id"].to_list() == ["m4", "m5"]
    assert run(store, ds, feb)["cohort"].unique().to_list() == [FEB]


def test_as_of_cuts_history_and_closes_the_last_period(store, ds):
    # as_of 03-31: April does not exist; March ends exactly on as_of, so it is complete.
    assert run(store, ds, CohortSpec(Filters(as_of=d("2024-03-31")))).rows() == [
        (DEC, 0, 1, 1, 1.0, True),
        (DEC, 1, 1, 0, 0.0, True),
        (DEC, 2, 1, 1, 1.0, True),    # m6 o15
        (DEC, 3, 1, 0, 0.0, True),
        (JAN, 0, 3, 3, 1.0, True),
        (JAN, 1, 3, 1, 1 / 3, True),  # m1
        (JAN, 2, 3, 1, 1 / 3, True),  # m3
        (FEB, 0, 2, 2, 1.0, True),
        (FEB, 1, 2, 0, 0.0, True),
    ]


def test_channel_filter_moves_the_first_purchase(store, ds):
    # Only 天猫 orders: o2 (m1), o6 o7 o8 (m3), o12 o13 (m5), o15 (m6). m1 and m6 now first buy in Feb.
    assert run(store, ds, CohortSpec(Filters.of(channel="天猫"))).rows() == [
        (JAN, 0, 1, 1, 1.0, True),    # Jan cohort: m3 alone
        (JAN, 1, 1, 0, 0.0, True),
        (JAN, 2, 1, 1, 1.0, True),    # m3 o8
        (JAN, 3, 1, 0, 0.0, False),
        (FEB, 0, 3, 3, 1.0, True),    # Feb cohort: m1 (o2), m5 (o12), m6 (o15; o14 was 门店)
        (FEB, 1, 3, 0, 0.0, True),    # Mar: only m1's refund line
        (FEB, 2, 3, 1, 1 / 3, False), # Apr: m5 o13 (m1's o3 is 门店)
    ]


def test_category_filter_counts_matching_lines_only(store, ds):
    # toys lines: o2 (m1, +50 / −10), o6 (m3 40), o10 (m4 10), o12 o13 (m5), o15 (m6 60).
    toys = Filters.of(category="toys")
    assert run(store, ds, CohortSpec(toys)).rows() == [
        (JAN, 0, 1, 1, 1.0, True),    # m3 (o6; o7 and o8 are milk)
        (JAN, 1, 1, 0, 0.0, True),
        (JAN, 2, 1, 0, 0.0, True),    # o8 is milk
        (JAN, 3, 1, 0, 0.0, False),
        (FEB, 0, 4, 4, 1.0, True),    # m1 (o2), m4 (o10: 02-28, its milk o9 is out), m5, m6
        (FEB, 1, 4, 0, 0.0, True),
        (FEB, 2, 4, 1, 0.25, False),  # m5 o13
    ]
    assert run(store, ds, CohortSpec(toys, mode="revenue")).rows() == [
        (JAN, 0, 1, 40.0, 1.0, True),         # o6 only: o7's 60 is milk
        (JAN, 1, 1, 0.0, 0.0, True),
        (JAN, 2, 1, 0.0, 0.0, True),
        (JAN, 3, 1, 0.0, 0.0, False),
        (FEB, 0, 4, 210.0, 1.0, True),        # 50 + 10 + 90 + 60
        (FEB, 1, 4, -10.0, -10 / 210, True),  # m1's toys refund line: refunds can outweigh purchases
        (FEB, 2, 4, 40.0, 40 / 210, False),   # m5 o13
    ]


def test_member_filter_restricts_the_cohort(store, ds):
    # gender F: m1 m3 m5 (m7 m8 never bought)
    assert run(store, ds, CohortSpec(Filters.of(gender="F"))).rows() == [
        (JAN, 0, 2, 2, 1.0, True),    # m1 m3
        (JAN, 1, 2, 1, 0.5, True),    # m1 o2
        (JAN, 2, 2, 1, 0.5, True),    # m3 o8
        (JAN, 3, 2, 1, 0.5, False),   # m1 o3
        (FEB, 0, 1, 1, 1.0, True),    # m5
        (FEB, 1, 1, 0, 0.0, True),
        (FEB, 2, 1, 1, 1.0, False),   # m5 o13
    ]


def test_signup_basis_counts_every_signup(store, ds):
    # Signup cohorts: Dec m1; Jan m2 m4 m7 (m7 never bought); Feb m5. m3 m6 have no signup date,
    # m8 signed up after as_of. k counts from the signup month, so k0 is not 100 %.
    assert run(store, ds, CohortSpec(basis="signup")).rows() == [
        (DEC, 0, 1, 0, 0.0, True),    # m1 signed up 12-15, bought nothing in December
        (DEC, 1, 1, 1, 1.0, True),    # m1 o1
        (DEC, 2, 1, 1, 1.0, True),    # m1 o2
        (DEC, 3, 1, 0, 0.0, True),    # only m1's refund line
        (DEC, 4, 1, 1, 1.0, False),   # m1 o3
        (JAN, 0, 3, 1, 1 / 3, True),  # m2 o4 (m4 signed up 01-25, first bought 02-01)
        (JAN, 1, 3, 1, 1 / 3, True),  # m4 o9 o10; m2's o5 is refund-only
        (JAN, 2, 3, 0, 0.0, True),
        (JAN, 3, 3, 0, 0.0, False),
        (FEB, 0, 1, 1, 1.0, True),    # m5 signed up and bought 02-14
        (FEB, 1, 1, 0, 0.0, True),
        (FEB, 2, 1, 1, 1.0, False),   # m5 o13
    ]
    assert members(store, ds, CohortSpec(basis="signup"), CohortCell(JAN)).rows() == [
        # member, signup_date, purchases from k0 on, revenue from k0 on
        ("m2", d("2024-01-10"), 1, 60.0),    # o4 80, o5 −20
        ("m4", d("2024-01-25"), 2, 60.0),    # o9 50 net, o10 10
        ("m7", d("2024-01-05"), 0, 0.0),
    ]
    # An order filter only decides which purchases count: the Jan cohort keeps its 3 signups.
    tmall = run(store, ds, CohortSpec(Filters.of(channel="天猫"), basis="signup"))
    assert tmall.filter(cohort=JAN)["cohort_size"].to_list() == [3, 3, 3, 3]
    assert tmall.filter(cohort=DEC)["retained"].to_list() == [0, 0, 1, 0, 0]  # m1's 天猫 o2 in Feb


def test_signup_basis_with_member_filter_and_start(store, ds):
    spec = CohortSpec(Filters.of(gender="F", start=d("2024-01-01")), basis="signup")
    assert run(store, ds, spec).rows() == [
        (JAN, 0, 1, 0, 0.0, True),    # m7 alone (m2 m4 are M): never bought
        (JAN, 1, 1, 0, 0.0, True),
        (JAN, 2, 1, 0, 0.0, True),
        (JAN, 3, 1, 0, 0.0, False),
        (FEB, 0, 1, 1, 1.0, True),    # m5
        (FEB, 1, 1, 0, 0.0, True),
        (FEB, 2, 1, 1, 1.0, False),
    ]                                 # Dec (m1) is before start


def test_rolling_30_day_windows(store, ds):
    # January cohort only; windows of 30 days from each member's own first purchase.
    # m1 from 01-05: o2 02-10 = day 36 → k1, o3 04-02 = day 88 → k2.
    # m3 from 01-31: o7 same day → k0, o8 03-15 = day 44 → k1 (calendar k2).
    # Reachable: (04-08 − 01-05) = 94 days → k = 0..3. Latest anchor 01-31 decides completeness.
    spec = CohortSpec(Filters(start=d("2024-01-01"), end=d("2024-01-31")), rolling=30)
    assert run(store, ds, spec).rows() == [
        (JAN, 0, 3, 3, 1.0, True),    # 01-31 + 29 = 02-29 ≤ 04-08
        (JAN, 1, 3, 2, 2 / 3, True),  # m1, m3; 01-31 + 59 = 03-30 ≤ 04-08
        (JAN, 2, 3, 1, 1 / 3, False), # m1; 01-31 + 89 = 04-29 > 04-08
        (JAN, 3, 3, 0, 0.0, False),
    ]
    assert members(store, ds, spec, CohortCell(JAN, 1))["member_id"].to_list() == ["m1", "m3"]


def test_quarter_cohorts(store, ds):
    assert run(store, ds, CohortSpec(period="quarter")).rows() == [
        (d("2023-10-01"), 0, 1, 1, 1.0, True),    # Q4: m6
        (d("2023-10-01"), 1, 1, 1, 1.0, True),    # Q1: m6 o15
        (d("2023-10-01"), 2, 1, 0, 0.0, False),   # Q2 runs to 06-30
        (d("2024-01-01"), 0, 5, 5, 1.0, True),    # Q1: m1 m2 m3 m4 m5
        (d("2024-01-01"), 1, 5, 2, 0.4, False),   # Q2: m1 o3, m5 o13
    ]


WEEK_LINES = [
    ("w1", None, "2024-12-29", 10),   # Sunday: ISO week of Mon 2024-12-23
    ("w1", None, "2025-01-05", 10),   # Sunday a week later: week 2024-12-30; day 7
    ("w2", None, "2024-12-30", 10),   # Monday: week 2024-12-30 (ISO 2025-W01)
    ("w2", None, "2025-01-06", 10),   # next Monday; day 7
    ("w3", None, "2025-01-02", 10),   # Thursday, same ISO week as w2's first, across the new year
    ("w3", None, "2025-01-08", 10),   # Wednesday of week 2025-01-06; day 6; data end
]


def test_week_cohorts_cross_the_year_boundary(store):
    ds = build(store, "weeks", lines=WEEK_LINES)
    w52, w01 = d("2024-12-23"), d("2024-12-30")
    assert run(store, ds, CohortSpec(period="week")).rows() == [
        (w52, 0, 1, 1, 1.0, True),    # w1; week ends 12-29
        (w52, 1, 1, 1, 1.0, True),    # w1 on 01-05, the Sunday ending week 12-30
        (w52, 2, 1, 0, 0.0, False),   # week 01-06..01-12 is not over at 01-08
        (w01, 0, 2, 2, 1.0, True),    # w2 (Mon 12-30) and w3 (Thu 01-02): one week across years
        (w01, 1, 2, 2, 1.0, False),   # w2 01-06, w3 01-08
    ]
    # Rolling 7 days: w3's 01-08 is day 6 → still its k0.
    assert run(store, ds, CohortSpec(period="week", rolling=7)).rows() == [
        (w52, 0, 1, 1, 1.0, True),    # w1: days 0..6 end 01-04
        (w52, 1, 1, 1, 1.0, False),   # w1 day 7; window 01-05..01-11 open
        (w01, 0, 2, 2, 1.0, True),    # latest anchor 01-02 + 6 = 01-08 = as_of: complete
        (w01, 1, 2, 1, 0.5, False),   # w2 day 7; (01-08 − 12-30) = 9 days → k reaches 1
    ]


def test_members_behind_every_cell_add_up(store, ds):
    specs = [CohortSpec(), CohortSpec(mode="unbounded"), CohortSpec(basis="signup"),
             CohortSpec(Filters.of(channel="天猫", category="toys"), rolling=30)]
    for spec in specs:
        frame = run(store, ds, spec)
        for cohort, size in frame.select("cohort", "cohort_size").unique().rows():
            assert members(store, ds, spec, CohortCell(cohort)).height == size, (spec, cohort)
        for cohort, k, _, retained, _, _ in frame.rows():
            assert members(store, ds, spec, CohortCell(cohort, k)).height == retained, (spec, cohort, k)
    revenue = CohortSpec(mode="revenue")
    for cohort, k, _, amount, _, _ in run(store, ds, revenue).rows():
        assert members(store, ds, revenue, CohortCell(cohort, k))["revenue"].sum() == pytest.approx(amount)


def test_members_behind_named_cells(store, ds):
    assert members(store, ds, CohortSpec(), CohortCell(JAN, 1)).rows() == [
        ("m1", d("2024-01-05"), 1, 50.0)]                       # not m2: o5 is refund-only
    assert members(store, ds, CohortSpec(), CohortCell(d("2024-01-31"), 0)).rows() == [
        ("m1", d("2024-01-05"), 1, 100.0), ("m2", d("2024-01-20"), 1, 80.0),
        ("m3", d("2024-01-31"), 2, 100.0)]                      # any date names its cohort; m3's 2 orders
    assert members(store, ds, CohortSpec(mode="unbounded"), CohortCell(JAN, 1))["member_id"].to_list() == ["m1", "m3"]
    assert members(store, ds, CohortSpec(mode="revenue"), CohortCell(JAN, 1)).rows() == [
        ("m1", d("2024-01-05"), 1, 50.0), ("m2", d("2024-01-20"), 0, -20.0)]  # refunds are revenue


def test_nothing_in_scope_gives_empty_frames(store, ds):
    nowhere = CohortSpec(Filters.of(channel="nowhere"))
    frame = run(store, ds, nowhere)
    assert frame.height == 0 and frame.columns == ["cohort", "period", "cohort_size", "retained", "rate",
                                                   "complete"]
    assert average(store, ds, nowhere).height == 0
    assert members(store, ds, nowhere, CohortCell(JAN, 0)).height == 0
    assert run(store, ds, CohortSpec(Filters(start=d("2025-01-01")))).height == 0   # no cohort after data end


def test_spec_accepts_only_known_options():
    with pytest.raises(ValueError):
        CohortSpec(rolling=14)
    with pytest.raises(ValueError):
        CohortSpec(period="year")
    with pytest.raises(ValueError):
        CohortSpec(mode="cumulative")
    # True == 1 and 7.0 == 7, but neither is a window in days: the value is written into SQL text.
    with pytest.raises(ValueError):
        CohortSpec(rolling=True)
    with pytest.raises(ValueError):
        CohortSpec(rolling=7.0)  # type: ignore[arg-type]
    assert CohortSpec(rolling=7).rolling == 7


def test_cli_report_columns_and_options(store, ds):
    parser = reports.parser("cohorts")
    args = parser.parse_args(["--mode", "unbounded", "--rolling", "30", "--period", "quarter"])
    frame = reports.REPORTS["cohorts"].table(store, ds, Filters(), args)
    assert frame.columns == ["cohort", "period", "cohort_size", "retained", "rate", "complete"]
    assert frame.rows()[:2] == [
        (d("2023-10-01"), 0, 1, 1, 1.0, True),  # m6 (12-20): days 0..29 end 01-18
        (d("2023-10-01"), 1, 1, 1, 1.0, True),  # m6's o15 on day 62 (k2) counts for k1 and later
    ]
    with pytest.raises(SystemExit):
        parser.parse_args(["--rolling", "14"])


def test_at_period_is_one_column_of_the_triangle(store, ds):
    assert at_period(store, ds, CohortSpec(), 1).rows() == [
        (DEC, 1, 1, 0, 0.0, True),     # m6 not in January
        (JAN, 1, 3, 1, 1 / 3, True),   # m1 o2
        (FEB, 1, 2, 0, 0.0, True),     # March: neither m4 nor m5
    ]
    assert at_period(store, ds, CohortSpec(), 4).rows() == [(DEC, 4, 1, 0, 0.0, False)]  # only Dec reached k4


def test_scoped_adds_or_replaces_one_field():
    base_filters = Filters.of(start=d("2024-01-01"), channel="门店", gender="F")
    narrowed = scoped(base_filters, "channel", "天猫")
    assert narrowed.where == (("channel", ("天猫",)), ("gender", ("F",)))   # 门店 replaced, gender kept
    assert narrowed.start == d("2024-01-01")
    assert scoped(Filters(), "category", "toys").where == (("category", ("toys",)),)
    with pytest.raises(ValueError):
        scoped(Filters(), "colour", "red")


def test_compare_two_channels(store, ds):
    # 天猫 purchases: m1 o2 (Feb), m3 o6 o7 (Jan) o8 (Mar), m5 o12 (Feb) o13 (Apr), m6 o15 (Feb):
    #   Jan cohort m3 (k0 1, k1 0, k2 1, k3 open); Feb cohort m1 m5 m6 (k0 3, k1 0, k2 open).
    # 门店 purchases: m1 o1 (Jan) o3 (Apr), m2 o4 (Jan; o5 is refund-only), m4 o9 o10 (Feb), m6 o14 (Dec):
    #   Dec cohort m6 (k0 1, k1–k3 0, k4 open); Jan m1 m2 (k0 2, k1 0, k2 0, k3 open); Feb m4 (k0 1, k1 0).
    assert compare(store, ds, CohortSpec(), "channel", ("天猫", "门店")).rows() == [
        # scope, k, cohorts, members, weight, rate
        ("天猫", 0, 2, 4, 4.0, 1.0),
        ("天猫", 1, 2, 4, 4.0, 0.0),    # nobody of 4 in their next month
        ("天猫", 2, 1, 1, 1.0, 1.0),    # Jan's m3 (o8); Feb's k2 is April, open
        ("门店", 0, 3, 4, 4.0, 1.0),
        ("门店", 1, 3, 4, 4.0, 0.0),    # m2's February order is refund-only
        ("门店", 2, 2, 3, 3.0, 0.0),    # Dec + Jan; Feb's k2 is April, open
        ("门店", 3, 1, 1, 1.0, 0.0),    # Dec only (March); Jan's k3 is April, open
    ]


def test_compare_keeps_the_other_filters(store, ds):
    # Women only (m1 m3 m5): 天猫 cohorts Jan m3 and Feb m1 m5; 门店: Jan m1.
    women = CohortSpec(Filters.of(gender="F", channel="门店"))   # the sidebar's 门店 is replaced per scope
    frame = compare(store, ds, women, "channel", ("天猫", "门店"))
    assert frame.filter(frame["period"] == 0).select("scope", "members").rows() == [("天猫", 3), ("门店", 1)]
    assert compare(store, ds, CohortSpec(), "channel", ("nowhere",)).height == 0
