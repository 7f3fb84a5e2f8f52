"""CAC on a hand-built fixture; every expected number is worked out in the comments."""

from __future__ import annotations


import pytest

from lib.cac import (
    CacCell,
    CacSpec,
    members,
    run,
    totals,
)
from lib.w5h1.where import channels, new_vs_returning, new_vs_returning_totals
from lib import reports
from lib.filters import Filters
from tests.fixtures import build, d

LINES = [
    # member, order, date, amount, attributes
    ("c1", "o1", "2024-01-10", 100, {"channel": "天猫", "category": "milk"}),
    ("c1", "o2", "2024-02-05", 50, {"channel": "门店", "category": "milk"}),
    ("c2", "o3", "2024-01-20", -30, {"channel": "门店", "category": "milk"}),   # refund-only: not a purchase
    ("c2", "o4", "2024-02-10", 80, {"channel": "门店", "category": "toys"}),
    ("c3", "o5", "2024-02-15", 60, {"channel": "天猫", "category": "milk"}),
    ("c3", "o5", "2024-02-15", -60, {"channel": "天猫", "category": "milk"}),   # refunded inside: nets 0
    ("c3", "o6", "2024-03-01", 40, {"channel": "App", "category": "milk"}),    # data end 2024-03-01
    ("c4", "o7", "2024-02-20", 70, {"category": "milk"}),                      # no channel
    ("c5", "o8", "2024-01-25", 20, {"channel": "门店", "category": "toys"}),    # same day, same time as o9:
    ("c5", "o9", "2024-01-25", 30, {"channel": "天猫", "category": "milk"}),    # first purchase = o8 (order id)
]
MEMBERS = [("c1", {"member_tier": "gold"}), ("c2", {"member_tier": "silver"}), ("c3", {"member_tier": "gold"}),
           ("c4", {"member_tier": "silver"}), ("c5", {"member_tier": "gold"})]
SPEND = [
    ("2024-01-01", 300, "天猫"),
    ("2024-01-01", 100, "门店"),
    ("2024-01-15", 50, "门店"),     # mid-month: truncated into January
    ("2024-02-01", 200),            # no channel: all-channels total only
    ("2024-02-01", 90, "门店"),
    ("2024-03-01", 120, "App"),
    ("2024-04-01", 500, "天猫"),    # after as_of: does not exist
]
JAN, FEB, MAR = d("2024-01-01"), d("2024-02-01"), d("2024-03-01")


@pytest.fixture
def ds(store):
    return build(store, lines=LINES, members=MEMBERS, spend=SPEND)


def test_monthly_totals_and_channels(store, ds):
    assert run(store, ds, CacSpec(by_channel=True)).columns == ["period", "channel", "spend", "new_buyers", "cac",
                                                                 "cac_note"]
    assert run(store, ds, CacSpec(by_channel=True)).rows() == [
        # period, channel, spend, new_buyers, cac, cac_note (why cac is null; null when it is not)
        (JAN, None, 450.0, 2, 225.0, None),     # 300 + 100 + 50; c1 (01-10), c5 (01-25)
        (JAN, "天猫", 300.0, 1, 300.0, None),    # c1's first purchase o1 is 天猫
        (JAN, "门店", 150.0, 1, 150.0, None),    # c5's first purchase is o8 (门店), tie broken by order id
        (FEB, None, 290.0, 2, 145.0, None),     # 200 (no channel) + 90; c2 (02-10; o3 was a refund), c4 (02-20)
        (FEB, "门店", 90.0, 1, 90.0, None),      # c2's o4; c4 has no channel; c3's o5 nets 0, not a purchase
        (MAR, None, 120.0, 1, 120.0, None),     # c3's first purchase o6 (03-01); April's spend is after as_of
        (MAR, "App", 120.0, 1, 120.0, None),
    ]
    assert run(store, ds, CacSpec()).rows() == [
        (JAN, None, 450.0, 2, 225.0, None), (FEB, None, 290.0, 2, 145.0, None), (MAR, None, 120.0, 1, 120.0, None)]


def test_quarter_and_week_periods(store, ds):
    # Q1: 450 + 290 + 120 = 860 over 5 new buyers.
    assert run(store, ds, CacSpec(period="quarter")).rows() == [(JAN, None, 860.0, 5, 172.0, None)]
    weekly = {r[0]: r[1:] for r in run(store, ds, CacSpec(period="week")).rows()}
    # Week of Mon 01-15 has the 50 of spend and no new buyer (c5 is 01-25): cac null.
    assert weekly[d("2024-01-15")] == (None, 50.0, 0, None, "no_new_buyers")
    assert weekly[d("2024-01-08")] == (None, 0.0, 1, 0.0, None)   # c1 (01-10) without spend that week


def test_order_filter_scopes_spend_and_first_purchase(store, ds):
    # 门店 only: spend rows of 门店 (Jan 100 + 50, Feb 90); first 门店 purchases: c5 o8 (Jan),
    # c1 o2 (Feb: their first 门店 purchase, though not their first ever), c2 o4 (Feb).
    assert run(store, ds, CacSpec(Filters.of(channel="门店"))).rows() == [
        (JAN, None, 150.0, 1, 150.0, None), (FEB, None, 90.0, 2, 45.0, None)]
    # Per channel under the filter: only the chosen channel's row beside the total.
    assert run(store, ds, CacSpec(Filters.of(channel="门店"), by_channel=True)).rows() == [
        (JAN, None, 150.0, 1, 150.0, None), (JAN, "门店", 150.0, 1, 150.0, None),
        (FEB, None, 90.0, 2, 45.0, None), (FEB, "门店", 90.0, 2, 45.0, None)]


def test_spend_cannot_be_scoped_to_other_filters(store, ds):
    # Spend has a date and a channel only: all spend over the toys buyers would be no CAC of toys.
    # Spend and new buyers stay visible, cac is null and says why. toys: first toys purchases c5 (o8,
    # Jan) and c2 (o4, Feb); spend is all spend.
    assert run(store, ds, CacSpec(Filters.of(category="toys"))).rows() == [
        (JAN, None, 450.0, 1, None, "spend_not_scoped"), (FEB, None, 290.0, 1, None, "spend_not_scoped"),
        (MAR, None, 120.0, 0, None, "spend_not_scoped")]
    # gold members c1, c3, c5; per channel too.
    assert run(store, ds, CacSpec(Filters.of(member_tier="gold"), by_channel=True)).rows() == [
        (JAN, None, 450.0, 2, None, "spend_not_scoped"),
        (JAN, "天猫", 300.0, 1, None, "spend_not_scoped"),   # c1
        (JAN, "门店", 150.0, 1, None, "spend_not_scoped"),   # c5
        (FEB, None, 290.0, 0, None, "spend_not_scoped"),
        (FEB, "门店", 90.0, 0, None, "spend_not_scoped"),
        (MAR, None, 120.0, 1, None, "spend_not_scoped"),    # c3
        (MAR, "App", 120.0, 1, None, "spend_not_scoped"),
    ]
    # A channel and a category: the channel's spend (Jan 100 + 50, Feb 90), still not the category's;
    # 门店 toys purchases c5 o8 (Jan) and c2 o4 (Feb); March has neither 门店 spend nor a new buyer.
    assert run(store, ds, CacSpec(Filters.of(channel="门店", category="toys"))).rows() == [
        (JAN, None, 150.0, 1, None, "spend_not_scoped"), (FEB, None, 90.0, 1, None, "spend_not_scoped")]
    assert totals(store, ds, Filters.of(category="toys"), JAN, d("2024-01-31")) == {
        "spend_rows": 3, "spend": 450.0, "new_buyers": 1, "cac": None, "cac_note": "spend_not_scoped"}


def test_date_range_never_makes_a_returning_member_new(store, ds):
    # From February: c1 buys in Feb but first bought in Jan, so Feb's new buyers are still c2 and c4.
    assert run(store, ds, CacSpec(Filters(start=FEB))).rows() == [
        (FEB, None, 290.0, 2, 145.0, None), (MAR, None, 120.0, 1, 120.0, None)]
    assert run(store, ds, CacSpec(Filters(end=d("2024-01-31")))).rows() == [(JAN, None, 450.0, 2, 225.0, None)]


def test_members_behind_each_cell_add_up(store, ds):
    spec = CacSpec(by_channel=True)
    for period, channel, _spend, new_buyers, *_ in run(store, ds, spec).rows():
        assert members(store, ds, spec, CacCell(period, channel)).height == new_buyers
    assert members(store, ds, spec, CacCell(JAN)).rows() == [
        ("c1", d("2024-01-10"), "天猫"), ("c5", d("2024-01-25"), "门店")]
    assert members(store, ds, spec, CacCell(FEB))["member_id"].to_list() == ["c2", "c4"]
    assert members(store, ds, spec, CacCell(FEB, "门店"))["member_id"].to_list() == ["c2"]


def test_empty_results(store, ds):
    assert run(store, ds, CacSpec(Filters.of(channel="nowhere"))).height == 0
    assert run(store, ds, CacSpec(Filters.of(member_tier="nowhere"))).height == 0
    no_spend = build(store, "no-spend", lines=LINES)
    assert run(store, no_spend, CacSpec()).height == 0   # no spend file: nothing to divide


def test_totals_over_a_window(store, ds):
    assert totals(store, ds, Filters(), JAN, d("2024-01-31")) == {
        "spend_rows": 3, "spend": 450.0, "new_buyers": 2, "cac": 225.0, "cac_note": None}
    assert totals(store, ds, Filters(), d("2024-01-02"), d("2024-01-09")) == {   # no spend, no buyer
        "spend_rows": 0, "spend": 0.0, "new_buyers": 0, "cac": None, "cac_note": "no_new_buyers"}


def test_cli_options(store, ds):
    parser = reports.parser("cac")
    args = parser.parse_args(["--period", "quarter", "--by-channel"])
    frame = reports.REPORTS["cac"].table(store, ds, Filters(), args)
    assert frame.columns == ["period", "channel", "spend", "new_buyers", "cac", "cac_note"]
    assert frame.rows()[0] == (JAN, None, 860.0, 5, 172.0, None)
    assert parser.parse_args([]).period == "month"


# -- new vs returning revenue, and channels side by side -------------------------------------

NPS = [("c1", "2024-02-01", 10), ("c2", "2024-02-02", 3), ("c5", "2024-02-03", 9), ("c4", "2024-02-04", 8)]


def test_new_vs_returning_revenue_and_its_cost(store, ds):
    frame = new_vs_returning(store, ds, CacSpec())
    assert frame.columns == ["period", "revenue_new", "revenue_returning", "new_buyers", "spend", "cac",
                             "spend_per_new_revenue", "cac_note"]
    # First purchases: c1 Jan (o1), c5 Jan (o8), c2 Feb (o4; o3 was a refund), c4 Feb, c3 Mar (o6).
    assert frame.rows() == [
        # Jan: new c1 100 + c5 20 + 30; c2's refund −30 is not a new member's. Spend 450.
        (JAN, 150.0, -30.0, 2, 450.0, 225.0, 3.0, None),
        # Feb: new c2 80 + c4 70; returning c1 50 and c3's o5 (60 − 60). Spend 200 + 90.
        (FEB, 150.0, 50.0, 2, 290.0, 145.0, 290 / 150, None),
        (MAR, 40.0, 0.0, 1, 120.0, 120.0, 3.0, None),
    ]
    assert new_vs_returning_totals(frame) == {
        "revenue_new": 340.0, "revenue_returning": 20.0, "new_buyers": 5, "spend": 860.0, "cac": 172.0,
        "spend_per_new_revenue": 860 / 340, "returning_share": 20 / 360, "cac_note": None}


def test_new_vs_returning_of_a_category_has_no_cost_per_buyer(store, ds):
    # toys lines: Jan c5's o8 (20, his first toys purchase; c1 has none); Feb c2's o4 (80, new).
    # Spend is all spend, so neither cac nor spend per new revenue is toys'.
    frame = new_vs_returning(store, ds, CacSpec(Filters.of(category="toys")))
    assert frame.rows() == [
        (JAN, 20.0, 0.0, 1, 450.0, None, None, "spend_not_scoped"),
        (FEB, 80.0, 0.0, 1, 290.0, None, None, "spend_not_scoped"),
        (MAR, 0.0, 0.0, 0, 120.0, None, None, "spend_not_scoped"),
    ]
    assert new_vs_returning_totals(frame) == {
        "revenue_new": 100.0, "revenue_returning": 0.0, "new_buyers": 2, "spend": 860.0, "cac": None,
        "spend_per_new_revenue": None, "returning_share": 0.0, "cac_note": "spend_not_scoped"}


def test_new_vs_returning_in_one_channel_and_without_spend(store, ds):
    # 天猫 orders: c1's o1 (Jan, 100), c5's o9 (Jan, 30: his first 天猫 purchase), c3's o5 (nets 0).
    # Spend: 天猫's January 300 (April is after as_of); February and March have no row → 0.
    assert new_vs_returning(store, ds, CacSpec(Filters.of(channel="天猫"))).rows() == [
        (JAN, 130.0, 0.0, 2, 300.0, 150.0, 300 / 130, None),
        (FEB, 0.0, 0.0, 0, 0.0, None, None, "no_new_buyers"),   # c3's o5 lines net 0 (no 天猫 purchase)
        (MAR, 0.0, 0.0, 0, 0.0, None, None, "no_new_buyers"),
    ]
    no_spend = build(store, "no-spend", lines=LINES)
    frame = new_vs_returning(store, no_spend, CacSpec())
    assert frame["spend"].null_count() == 3 and frame["cac"].null_count() == 3
    assert new_vs_returning_totals(frame)["spend"] is None and new_vs_returning_totals(frame)["cac"] is None
    assert new_vs_returning(store, ds, CacSpec(Filters.of(channel="nowhere"))).height == 0


def test_channels_side_by_side(store):
    ds = build(store, "channels", lines=LINES, members=MEMBERS, spend=SPEND, nps=NPS)
    assert channels(store, ds).rows() == [
        # channel, buyers, repeat, rate, new, spend, cac, responses, nps, cac_note — by first purchase's
        # channel: c1 天猫 (o1, o2: 2 purchases), c2 门店 (o4), c3 App (o6), c4 none (o7), c5 门店 (o8, o9).
        ("App", 1, 0, 0.0, 1, 120.0, 120.0, None, None, None),
        ("天猫", 1, 1, 1.0, 1, 300.0, 300.0, 1, 100.0, None),           # c1 answered 10
        ("门店", 2, 1, 0.5, 2, 240.0, 120.0, 2, 0.0, None),             # 150 + 90; c2 3 and c5 9
        # Everybody, all spend Jan–Mar (450 + 290 + 120), all four answers: 2 promoters, 1 detractor.
        (None, 5, 2, 0.4, 5, 860.0, 172.0, 4, 25.0, None),
    ]
    # 门店 orders only: c1's o2, c2's o4, c5's o8 (from Jan 25, the first purchase in scope);
    # 门店 spend 150 + 90; NPS of the 门店 buyers: c1 10, c2 3, c5 9.
    # 2 promoters − 1 detractor of 3 answers = 33.33 (NPS rounds to 2 decimals).
    assert channels(store, ds, Filters.of(channel="门店")).rows() == [
        ("门店", 3, 0, 0.0, 3, 240.0, 80.0, 3, 33.33, None),
        (None, 3, 0, 0.0, 3, 240.0, 80.0, 3, 33.33, None),
    ]
    # toys lines only: c5's o8 (Jan) and c2's o4 (Feb), both 门店 and both first purchases. Spend is
    # every channel's (it has no category), so no cac; NPS of the toys buyers c2 3 and c5 9: 0.
    assert channels(store, ds, Filters.of(category="toys")).rows() == [
        ("App", 0, 0, None, 0, 120.0, None, None, None, "spend_not_scoped"),
        ("天猫", 0, 0, None, 0, 300.0, None, None, None, "spend_not_scoped"),
        ("门店", 2, 0, 0.0, 2, 240.0, None, 2, 0.0, "spend_not_scoped"),
        (None, 2, 0, 0.0, 2, 860.0, None, 2, 0.0, "spend_not_scoped"),
    ]


def test_channels_without_spend_or_buyers(store):
    ds = build(store, "plain", lines=LINES)
    frame = channels(store, ds)
    assert frame["spend"].null_count() == frame.height and frame["cac"].null_count() == frame.height
    assert frame.row(-1)[:5] == (None, 5, 2, 0.4, 5)
    nowhere = channels(store, ds, Filters.of(channel="nowhere"))
    assert nowhere.rows() == [(None, 0, 0, None, 0, None, None, None, None, None)]   # no spend: no note needed
