"""Repurchase rate, cycle and next purchase on a hand-built fixture; every number is worked out in the comments."""

from __future__ import annotations


import pytest

from lib import lifecycle
from lib import reports
from lib.filters import Filters
from lib.repurchase import (
    RepurchaseCell,
    RepurchaseSpec,
    cycle_buckets,
    cycle_summary,
    cycles,
    due,
    due_summary,
    members,
    next_purchases,
    run,
)
from tests.fixtures import build, d, flat_export, module_dataset, module_store

MILK, DIAPER, TOYS = {"category": "milk"}, {"category": "diaper"}, {"category": "toys"}
STORE, TMALL = {"channel": "门店"}, {"channel": "天猫"}
LINES = [
    # member, order, date, amount, attributes
    ("m1", "o1", "2024-01-01", 100, {**MILK, "sku": "M1", **STORE}),
    ("m1", "o1", "2024-01-01", 50, {**DIAPER, "sku": "D1", **STORE}),
    ("m1", "o2", "2024-01-31", 100, {**MILK, "sku": "M1", **STORE}),
    ("m1", "o2", "2024-01-31", -30, {**TOYS, "sku": "T1", **STORE}),   # refund line: o2 does not contain toys
    ("m1", "o3", "2024-03-01", 80, {**MILK, "sku": "M1", **STORE}),
    ("m2", "o4", "2024-01-10 09:00", 60, {**DIAPER, "sku": "D1", **STORE}),
    ("m2", "o4", "2024-01-10 09:00", 40, {**TOYS, "sku": "T1", **STORE}),
    ("m2", "o5", "2024-01-10 18:00", 20, {**DIAPER, "sku": "D1", **TMALL}),  # same day as o4: gap 0
    ("m2", "o6", "2024-02-09", -60, {**DIAPER, "sku": "D1", **TMALL}),       # refund-only: not a purchase
    ("m2", "o7", "2024-02-19", 90, {**MILK, "sku": "M2", **STORE}),
    ("m3", "o8", "2024-02-01", 50, {**MILK, "sku": "M1", **STORE}),
    ("m3", "o8", "2024-02-01", 30, {**DIAPER, "sku": "D2", **STORE}),
    ("m3", "o9", "2024-02-21", 30, {**DIAPER, "sku": "D2", **TMALL}),
    ("m4", "o10", "2024-01-20", 25, {**TOYS, "sku": "T2", **STORE}),        # T2: bought by m4 alone
    ("m5", "o11", "2024-03-05", -10, {**TOYS, "sku": "T1", **STORE}),       # refund-only member; data end
]
# Purchases (net > 0), with the categories each contains:
#   m1: o1 01-01 {milk, diaper}, o2 01-31 {milk}, o3 03-01 {milk}     gaps 30, 30 (Jan 31 → Mar 1, 2024 leap)
#   m2: o4 01-10 {diaper, toys}, o5 01-10 {diaper}, o7 02-19 {milk}    gaps 0, 40 (Jan 10 → Feb 19 = 21 + 19)
#   m3: o8 02-01 {milk, diaper}, o9 02-21 {diaper}                     gap 20
#   m4: o10 01-20 {toys}
# Data end (as_of) = 2024-03-05, m5's refund-only order.
BY_CATEGORY = RepurchaseSpec()
COLUMNS = ["category", "buyers", "repeat_buyers", "repurchase_rate", "median_gap_days", "mean_gap_days",
           "purchases"]


# A flat export: each member's gender repeated on their lines (m1 m3 m5 F, m2 m4 M).
GENDER = {"m1": {"gender": "F"}, "m2": {"gender": "M"}, "m3": {"gender": "F"}, "m4": {"gender": "M"},
          "m5": {"gender": "F"}}
store = module_store()   # the analyses only read LINES' dataset (other datasets are added beside it)
ds = module_dataset(flat_export(LINES, GENDER))


def test_category_repurchase(store, ds):
    table = run(store, ds, BY_CATEGORY)
    assert table.columns == COLUMNS
    assert table.rows() == [
        # buyers tie at 3: diaper before milk by name
        # diaper: m1 m2 m3; m2 (o4 o5, gap 0) and m3 (gap 20) again; median (0 + 20) / 2
        ("diaper", 3, 2, 2 / 3, 10.0, 10.0, 5),
        ("milk", 3, 1, 1 / 3, 30.0, 30.0, 5),    # m1 m2 m3; m1 again, gaps 30 30; o1 o2 o3 o7 o8
        ("toys", 2, 0, 0.0, None, None, 2),      # m2 (o4) m4 (o10); m1's −30 line and m5's refund do not count
    ]


def test_sku_ties_and_an_item_with_one_buyer(store, ds):
    assert run(store, ds, RepurchaseSpec(by="sku")).rows() == [
        ("D1", 2, 1, 0.5, 0.0, 0.0, 3),      # m1 (o1), m2 (o4, o5 same day: gap 0)
        ("M1", 2, 1, 0.5, 30.0, 30.0, 4),    # m1 (o1 o2 o3), m3 (o8)
        ("D2", 1, 1, 1.0, 20.0, 20.0, 2),    # m3 (o8, o9)
        ("M2", 1, 0, 0.0, None, None, 1),    # m2 only
        ("T1", 1, 0, 0.0, None, None, 1),    # m2's o4 only (refund lines of m1 and m5 are not purchases of it)
        ("T2", 1, 0, 0.0, None, None, 1),    # m4 only
    ]


def test_cycles_over_all_purchases(store, ds):
    # Gaps: m1 30 30, m2 0 40, m3 20.
    assert cycles(store, ds, BY_CATEGORY).rows() == [(0, 1), (20, 1), (30, 2), (40, 1)]
    assert cycle_summary(store, ds, BY_CATEGORY).rows() == [
        # 9 purchases (3 + 3 + 2 + 1), 5 gaps; sorted 0 20 30 30 40: median 30, mean 120 / 5 = 24,
        # p25 at position 0.25 × 4 = 1 → 20, p75 at position 3 → 30
        (9, 5, 30.0, 24.0, 20.0, 30.0)]
    # Per item: diaper gaps 0 (m2) and 20 (m3), over 5 purchases containing diaper.
    assert cycles(store, ds, BY_CATEGORY, item="diaper").rows() == [(0, 1), (20, 1)]
    assert cycle_summary(store, ds, BY_CATEGORY, item="diaper").rows() == [(5, 2, 10.0, 10.0, 5.0, 15.0)]


def test_gap_buckets_and_their_members(store, ds):
    buckets = cycle_buckets(store, ds, BY_CATEGORY)
    assert buckets.rows() == [
        ("0-7", 0, 7, 1, 1),          # m2's 0
        ("8-14", 8, 14, 0, 0),
        ("15-30", 15, 30, 3, 2),      # m3's 20, m1's 30 and 30
        ("31-60", 31, 60, 1, 1),      # m2's 40
        ("61-90", 61, 90, 0, 0), ("91-180", 91, 180, 0, 0), ("181-365", 181, 365, 0, 0),
        ("366+", 366, None, 0, 0),
    ]
    assert members(store, ds, BY_CATEGORY, RepurchaseCell("gap", gap_days=(0, 7)))["member_id"].to_list() == ["m2"]
    assert members(store, ds, BY_CATEGORY, RepurchaseCell("gap", gap_days=(15, 30)))["member_id"].to_list() == ["m1", "m3"]
    assert members(store, ds, BY_CATEGORY, RepurchaseCell("gap", gap_days=(366, None))).height == 0


def test_members_behind_buyers_and_repeat_buyers(store, ds):
    assert members(store, ds, BY_CATEGORY, RepurchaseCell("buyers", item="milk")).rows() == [
        # member, purchases with milk, gaps, last, own median gap
        ("m1", 3, 2, d("2024-03-01"), 30.0),
        ("m2", 1, 0, d("2024-02-19"), None),
        ("m3", 1, 0, d("2024-02-01"), None),
    ]
    assert members(store, ds, BY_CATEGORY, RepurchaseCell("repeat_buyers", item="diaper")).rows() == [
        ("m2", 2, 1, d("2024-01-10"), 0.0), ("m3", 2, 1, d("2024-02-21"), 20.0)]
    # Every count of run() has exactly that many members behind it.
    for item, buyers, repeat, *_ in run(store, ds, BY_CATEGORY).rows():
        assert members(store, ds, BY_CATEGORY, RepurchaseCell("buyers", item=item)).height == buyers
        assert members(store, ds, BY_CATEGORY, RepurchaseCell("repeat_buyers", item=item)).height == repeat
    # Without an item: buyers of anything (m5 only has a refund), and those with a second purchase.
    assert members(store, ds, BY_CATEGORY, RepurchaseCell("buyers"))["member_id"].to_list() == ["m1", "m2", "m3", "m4"]
    assert members(store, ds, BY_CATEGORY, RepurchaseCell("repeat_buyers"))["member_id"].to_list() == ["m1", "m2", "m3"]


def test_category_filter(store, ds):
    milk = RepurchaseSpec(Filters.of(category="milk"), by="sku")
    assert run(store, ds, milk).rows() == [
        ("M1", 2, 1, 0.5, 30.0, 30.0, 4),   # m1 o1 o2 o3, m3 o8
        ("M2", 1, 0, 0.0, None, None, 1),   # m2 o7
    ]
    # Milk purchases: m1 o1 o2 o3 (gaps 30 30), m2 o7, m3 o8.
    assert cycle_summary(store, ds, RepurchaseSpec(Filters.of(category="milk"))).rows() == [
        (5, 2, 30.0, 30.0, 30.0, 30.0)]


def test_member_filter(store, ds):
    # Women: m1, m3, m5 (m5 only refunded toys, so toys has no buyer at all).
    assert run(store, ds, RepurchaseSpec(Filters.of(gender="F"))).rows() == [
        ("diaper", 2, 1, 0.5, 20.0, 20.0, 3),   # m1 (o1), m3 (o8, o9)
        ("milk", 2, 1, 0.5, 30.0, 30.0, 4),     # m1 (o1 o2 o3), m3 (o8)
    ]


def test_order_filter(store, ds):
    # 门店 orders only: o5 and o9 (天猫) drop out, so m2's diaper and m3's diaper are single purchases,
    # and m2's overall gap is o4 → o7 = 40.
    spec = RepurchaseSpec(Filters.of(channel="门店"))
    assert run(store, ds, spec).rows() == [
        ("diaper", 3, 0, 0.0, None, None, 3),   # m1 o1, m2 o4, m3 o8
        ("milk", 3, 1, 1 / 3, 30.0, 30.0, 5),
        ("toys", 2, 0, 0.0, None, None, 2),
    ]
    # 7 purchases (o1 o2 o3 o4 o7 o8 o10); gaps 30 30 40: mean 100 / 3, p25 at 0.5 → 30, p75 at 1.5 → 35.
    assert cycle_summary(store, ds, spec).rows() == [(7, 3, 30.0, 33.33, 30.0, 35.0)]


def test_date_range_keeps_history(store, ds):
    spec = RepurchaseSpec(Filters(start=d("2024-02-01"), end=d("2024-03-05")))
    assert run(store, ds, spec).rows() == [
        # m1's o3 (Mar 1) is his 3rd milk purchase: a repeat although o1 and o2 are before start;
        # its gap 30 counts. m2's o7 and m3's o8 are first milk purchases.
        ("milk", 3, 1, 1 / 3, 30.0, 30.0, 3),
        # Only m3 bought diaper in the range (o8, o9: gap 20); m2's o6 is a refund.
        ("diaper", 1, 1, 1.0, 20.0, 20.0, 2),
        # toys: o4 (Jan 10) and o10 (Jan 20) are before start.
    ]
    # In-range purchases o3 o7 o8 o9; gaps ending in range: o3 30 (from o2), o7 40 (from o5), o9 20.
    assert cycle_summary(store, ds, spec).rows() == [(4, 3, 30.0, 30.0, 25.0, 35.0)]
    assert members(store, ds, spec, RepurchaseCell("repeat_buyers", item="milk"))["member_id"].to_list() == ["m1"]


def test_next_purchases(store, ds):
    # Over all history: milk 1 of 3 buyers again (1/3 ≥ 0.2); diaper 2 of 3 (m2's two same-day
    # purchases are two); toys nobody again, so it is not periodic. as_of = 2024-03-05.
    # A forecast counts gaps between purchase *days*: milk's are m1's 30 and 30 → median 30; diaper's
    # only m3's 20 (m2's o4 and o5 are one day, no gap), so its median is 20, not (0 + 20) / 2.
    table = next_purchases(store, ds, BY_CATEGORY, min_repeat_share=0.2, min_repeat_buyers=1)
    assert table.columns == ["member_id", "item", "purchases", "last_purchase", "member_median_gap",
                             "item_median_gap", "expected_date", "days_overdue", "basis"]
    assert table.rows() == [
        # one diaper purchase: Jan 1 + item median 20 = Jan 21; to Mar 5: 10 + 29 + 5 = 44 days
        ("m1", "diaper", 1, d("2024-01-01"), None, 20.0, d("2024-01-21"), 44, "item"),
        # two diaper purchases on one day: no gap of his own (a gap of 0 would expect him back on
        # Jan 10 itself), so the item's: Jan 10 + 20 = Jan 30; to Mar 5: 1 + 29 + 5 = 35
        ("m2", "diaper", 2, d("2024-01-10"), None, 20.0, d("2024-01-30"), 35, "item"),
        # Feb 1 + 30 = Mar 2; 3 days overdue
        ("m3", "milk", 1, d("2024-02-01"), None, 30.0, d("2024-03-02"), 3, "item"),
        # not yet due: 0, then by member_id
        ("m1", "milk", 3, d("2024-03-01"), 30.0, 30.0, d("2024-03-31"), 0, "member"),
        ("m2", "milk", 1, d("2024-02-19"), None, 30.0, d("2024-03-20"), 0, "item"),
        ("m3", "diaper", 2, d("2024-02-21"), 20.0, 20.0, d("2024-03-12"), 0, "member"),
    ]
    # A forecast at as_of ignores start / end.
    ranged = RepurchaseSpec(Filters(start=d("2024-02-01"), end=d("2024-02-10")))
    assert next_purchases(store, ds, ranged, 0.2, 1).rows() == table.rows()
    # 1/3 < 0.5: only diaper is periodic.
    assert set(next_purchases(store, ds, BY_CATEGORY, 0.5, 1)["item"]) == {"diaper"}
    # The defaults ask for 3 members with a gap between purchase days; diaper and milk have 1 each (m3, m1).
    assert next_purchases(store, ds, BY_CATEGORY).height == 0


def test_next_purchase_rounds_half_a_day_up(store):
    ds = build(store, "half", lines=[
        ("a", "1", "2024-01-01", 10, MILK), ("a", "2", "2024-01-11", 10, MILK), ("a", "3", "2024-01-22", 10, MILK),
        ("b", "4", "2024-02-10", 10, TOYS)])
    # a's gaps 10, 11: median 10.5 → 11 days; Jan 22 + 11 = Feb 2; as_of Feb 10 → 8 days overdue.
    assert next_purchases(store, ds, BY_CATEGORY, 0.2, 1).rows() == [
        ("a", "milk", 3, d("2024-01-22"), 10.5, 10.5, d("2024-02-02"), 8, "member")]


def test_forecasts_count_gaps_between_purchase_days(store):
    # a buys milk on 01-01 and twice on 01-31 (a split order: 10:00 and 18:00); b once on 03-10 (data end).
    ds = build(store, "split", lines=[
        ("a", "1", "2024-01-01", 10, MILK), ("a", "2", "2024-01-31 10:00", 10, MILK),
        ("a", "3", "2024-01-31 18:00", 5, MILK), ("b", "4", "2024-03-10", 10, MILK)])
    # The repurchase cycle (SPEC) keeps every purchase: gaps 30 and 0 → median and mean 15, p25 7.5, p75 22.5.
    assert cycle_summary(store, ds, BY_CATEGORY, item="milk").rows() == [(4, 2, 15.0, 15.0, 7.5, 22.5)]
    # The forecast uses gaps between purchase days: a's only gap is 30 (with the 0 it would be 15 and
    # expect him on 02-15, 24 days overdue). Jan 31 + 30 = Mar 1, 9 days before Mar 10; b has no gap
    # of his own, so milk's 30: Mar 10 + 30 = Apr 9.
    assert next_purchases(store, ds, BY_CATEGORY, 0.2, 1).rows() == [
        ("a", "milk", 3, d("2024-01-31"), 30.0, 30.0, d("2024-03-01"), 9, "member"),
        ("b", "milk", 1, d("2024-03-10"), None, 30.0, d("2024-04-09"), 0, "item"),
    ]
    # One definition: the lifecycle decline rule sees the same 30-day median gap for a.
    stages = lifecycle.run(store, ds).select("member_id", "median_gap_days").rows()
    assert stages == [("a", 30.0), ("b", None)]


def test_an_item_rebought_only_on_its_first_day_has_no_forecast(store):
    # c, d and e each buy toys twice on one day: three repeat buyers of 3 (the repurchase rate counts
    # purchases), but not one gap between purchase days, so there is no cycle to forecast from.
    ds = build(store, "same-day", lines=[
        ("c", "1", "2024-01-01 09:00", 10, TOYS), ("c", "2", "2024-01-01 19:00", 10, TOYS),
        ("d", "3", "2024-01-05 09:00", 10, TOYS), ("d", "4", "2024-01-05 19:00", 10, TOYS),
        ("e", "5", "2024-01-09 09:00", 10, TOYS), ("e", "6", "2024-01-09 19:00", 10, TOYS)])
    assert run(store, ds, BY_CATEGORY).rows() == [("toys", 3, 3, 1.0, 0.0, 0.0, 6)]
    assert next_purchases(store, ds, BY_CATEGORY).height == 0
    assert due_summary(store, ds, BY_CATEGORY).height == 0


def test_periodic_needs_min_repeat_buyers_with_a_day_gap(store):
    # c buys milk twice on 01-01, d twice on 01-05 (split orders), e on 01-09 and 03-09 (data end).
    # The repurchase rate counts purchases: 3 repeat buyers of 3. But only e has a gap between
    # purchase days (01-09 → 03-09 = 22 + 29 + 9 = 60), so the item's median gap rests on e alone.
    ds = build(store, "periodic-day-gap", lines=[
        ("c", "1", "2024-01-01 09:00", 10, MILK), ("c", "2", "2024-01-01 19:00", 10, MILK),
        ("d", "3", "2024-01-05 09:00", 10, MILK), ("d", "4", "2024-01-05 19:00", 10, MILK),
        ("e", "5", "2024-01-09", 10, MILK), ("e", "6", "2024-03-09", 10, MILK)])
    assert run(store, ds, BY_CATEGORY).rows() == [("milk", 3, 3, 1.0, 0.0, 20.0, 6)]  # gaps 0, 0, 60
    # "3 repeat buyers" means three members with a gap between purchase days: one is not enough.
    assert next_purchases(store, ds, BY_CATEGORY, min_repeat_share=0.2, min_repeat_buyers=3).height == 0
    assert due_summary(store, ds, BY_CATEGORY).height == 0
    # With one such member asked for, milk is periodic on e's 60 days: c is due Jan 1 + 60 = Mar 1,
    # 8 days before Mar 9; d Jan 5 + 60 = Mar 5, 4 days; e Mar 9 + 60 = May 8, not yet.
    assert next_purchases(store, ds, BY_CATEGORY, min_repeat_share=0.2, min_repeat_buyers=1).rows() == [
        ("c", "milk", 2, d("2024-01-01"), None, 60.0, d("2024-03-01"), 8, "item"),
        ("d", "milk", 2, d("2024-01-05"), None, 60.0, d("2024-03-05"), 4, "item"),
        ("e", "milk", 2, d("2024-03-09"), 60.0, 60.0, d("2024-05-08"), 0, "member"),
    ]


def test_empty_scope(store, ds):
    nowhere = RepurchaseSpec(Filters.of(channel="nowhere"))
    table = run(store, ds, nowhere)
    assert table.height == 0 and table.columns == COLUMNS
    assert cycles(store, ds, nowhere).height == 0
    assert cycle_summary(store, ds, nowhere).rows() == [(0, 0, None, None, None, None)]
    assert cycle_buckets(store, ds, nowhere)["gaps"].sum() == 0
    assert members(store, ds, nowhere, RepurchaseCell("buyers")).height == 0
    assert next_purchases(store, ds, nowhere, 0.2, 1).height == 0


def test_cli_columns(store, ds):
    table = reports.table(store, ds, "repurchase", ["--by", "sku"], Filters())
    assert table.columns[:5] == ["sku", "buyers", "repeat_buyers", "repurchase_rate", "median_gap_days"]
    assert reports.table(store, ds, "repurchase", [], Filters()).columns[0] == "category"
    with pytest.raises(ValueError):
        run(store, ds, RepurchaseSpec(by="store"))  # type: ignore[arg-type]


def test_due_statuses(store, ds):
    # next_purchases(0.2, 1) above, with gap = expected_date − last_purchase:
    #   m1 diaper: item median 20 → gap 20, 44 days overdue > 1 × 20 → lapsed
    #   m2 diaper: item median 20 → gap 20, 35 days overdue > 20 → lapsed
    #   m3 milk: gap 30, 3 days overdue ≤ 30 → overdue
    #   m1 milk, m2 milk, m3 diaper: not yet due
    args = dict(min_repeat_share=0.2, min_repeat_buyers=1)
    overdue = due(store, ds, BY_CATEGORY, "overdue", **args)
    assert overdue.columns[-1] == "status"
    assert overdue.rows() == [("m3", "milk", 1, d("2024-02-01"), None, 30.0, d("2024-03-02"), 3, "item", "overdue")]
    assert [r[:2] for r in due(store, ds, BY_CATEGORY, "lapsed", **args).rows()] == [("m1", "diaper"), ("m2", "diaper")]
    assert [r[:2] for r in due(store, ds, BY_CATEGORY, "not_due", **args).rows()] == [
        ("m1", "milk"), ("m2", "milk"), ("m3", "diaper")]
    # Two cycles of slack: m2's 35 days ≤ 2 × 20 make him overdue; m1's 44 > 40, still lapsed.
    assert [r[:2] for r in due(store, ds, BY_CATEGORY, "overdue", lapsed_cycles=2, **args).rows()] == [
        ("m2", "diaper"), ("m3", "milk")]
    # Every overdue row, however late: overdue and lapsed together.
    assert [r[:2] for r in due(store, ds, BY_CATEGORY, ("overdue", "lapsed"), **args).rows()] == [
        ("m1", "diaper"), ("m2", "diaper"), ("m3", "milk")]
    # One item, and a row limit (in next_purchases' order: most overdue first).
    assert due(store, ds, BY_CATEGORY, "lapsed", item="milk", **args).height == 0
    assert [r[:2] for r in due(store, ds, BY_CATEGORY, "lapsed", limit=1, **args).rows()] == [("m1", "diaper")]
    with pytest.raises(ValueError):
        due(store, ds, BY_CATEGORY, "gone")  # type: ignore[arg-type]


def test_due_summary_adds_up_to_next_purchases(store, ds):
    args = dict(min_repeat_share=0.2, min_repeat_buyers=1)
    summary = due_summary(store, ds, BY_CATEGORY, **args)
    assert summary.columns == ["item", "item_median_gap", "buyers", "not_due", "overdue", "lapsed"]
    assert summary.rows() == [
        ("diaper", 20.0, 3, 1, 0, 2),   # m3 not due; m1, m2 lapsed (above); 3 buyers tie with milk: by name
        ("milk", 30.0, 3, 2, 1, 0),     # m1, m2 not due; m3 overdue
    ]
    assert due_summary(store, ds, BY_CATEGORY, lapsed_cycles=2, **args).rows()[0] == ("diaper", 20.0, 3, 1, 1, 1)
    # Each count opens to exactly that many rows of due().
    for item, _, buyers, *counts in summary.rows():
        for status, n in zip(("not_due", "overdue", "lapsed"), counts):
            assert due(store, ds, BY_CATEGORY, status, item=item, **args).height == n
    assert due_summary(store, ds, RepurchaseSpec(Filters.of(channel="nowhere"))).height == 0


def test_due_status_uses_the_members_own_gap_and_counts_the_boundary_as_overdue(store):
    ds = build(store, "due-boundary", lines=[
        ("a", "1", "2024-01-01", 10, MILK), ("a", "2", "2024-01-21", 10, MILK),   # own gap 20
        ("c", "3", "2024-01-01", 10, MILK), ("c", "4", "2024-01-11", 10, MILK),   # own gap 10
        ("e", "5", "2024-01-01", 10, MILK), ("e", "6", "2024-03-01", 10, MILK),   # own gap 60
        ("f", "7", "2023-11-01", 10, MILK), ("f", "8", "2023-12-31", 10, MILK),   # own gap 60
        ("z", "9", "2024-03-01", 10, TOYS)])                                      # as_of 2024-03-01
    args = dict(min_repeat_share=0.2, min_repeat_buyers=1)
    # milk's item median gap: (20 + 60) / 2 = 40 over the gaps 10, 20, 60, 60
    rows = {r[0]: r for r in due(store, ds, RepurchaseSpec(), ("not_due", "overdue", "lapsed"), **args).rows()}
    assert {m: (r[7], r[-1]) for m, r in rows.items()} == {
        "c": (40, "lapsed"),   # expected 01-21, 40 days late > 1 × own 10 (the item's 40 would say overdue)
        "a": (20, "overdue"),  # expected 02-10, 20 days late = 1 × own 20: the boundary is overdue
        "f": (1, "overdue"),   # expected 02-29
        "e": (0, "not_due"),   # expected 04-30
    }
    assert due_summary(store, ds, RepurchaseSpec(), **args).rows() == [("milk", 40.0, 4, 1, 2, 1)]
    with pytest.raises(ValueError, match="lapsed_cycles"):
        due_summary(store, ds, RepurchaseSpec(), lapsed_cycles=float("nan"))


def test_a_spec_that_cannot_run_is_refused_when_made():
    with pytest.raises(ValueError, match="repurchase by 'store'\\? \\(choose from category, sku, product_name\\)"):
        RepurchaseSpec(by="store")  # type: ignore[arg-type]
