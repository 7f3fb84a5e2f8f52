"""NPS by period and by member dimension on a hand-built fixture; every number worked out in comments.

Data end (as_of) = 2024-06-30. nps = 100 × (promoters − detractors) / responses.
"""

from __future__ import annotations

import pytest

from lib.filters import Filters
from lib.nps import RUN_COLUMNS, NpsCell, NpsSpec, members, run
from tests.fixtures import build, d

LINES = [
    ("a", "a1", "2024-01-10", 100, {"channel": "门店"}),      # first purchase channel 门店
    ("a", "a2", "2024-06-30", 100, {"channel": "天猫"}),
    ("b", "b1", "2024-03-01", 50, {"channel": "天猫"}),
    ("c", "c1", "2024-05-01", 200, {"channel": "门店", "category": "toys"}),
]
MEMBERS = [("a", {"member_tier": "gold"}), ("b", {"member_tier": "normal"}), ("c", {"member_tier": "normal"}),
           ("d", {"member_tier": "normal"})]                  # d never bought: a prospect
NPS = [
    ("a", "2024-01-15", 10),   # promoter
    ("a", "2024-02-20", 9),    # promoter — a answers twice: two responses
    ("b", "2024-01-20", 6),    # detractor (6 is a detractor)
    ("b", "2024-03-05", 3),    # detractor
    ("c", "2024-01-25", 9),    # promoter
    ("c", "2024-02-01", 8),    # passive
    ("c", "2024-03-10", 0),    # detractor
    ("d", "2024-03-15", 9),    # promoter
    ("x", "2024-02-10", 7),    # passive; x is in no table
    ("a", "2024-07-05", 10),   # after as_of: not counted
]


@pytest.fixture
def ds(store):
    return build(store, lines=LINES, members=MEMBERS, nps=NPS)


def test_by_month(store, ds):
    assert run(store, ds).columns == list(RUN_COLUMNS)
    assert run(store, ds).rows() == [
        # group, responses, promoters, passives, detractors, nps
        (d("2024-01-01"), 3, 2, 0, 1, 33.33),    # a 10, c 9 | b 6: (2 − 1) / 3
        (d("2024-02-01"), 3, 1, 2, 0, 33.33),    # a 9 | c 8, x 7
        (d("2024-03-01"), 3, 1, 0, 2, -33.33),   # d 9 | b 3, c 0: (1 − 2) / 3
    ]


def test_by_quarter_and_all(store, ds):
    # 9 responses up to as_of: promoters a a c d = 4, passives c x = 2, detractors b b c = 3 → 100 / 9.
    assert run(store, ds, NpsSpec(period="quarter")).rows() == [(d("2024-01-01"), 9, 4, 2, 3, 11.11)]
    assert run(store, ds, NpsSpec(by="all")).rows() == [("all", 9, 4, 2, 3, 11.11)]
    # as_of after the last response: a's 07-05 answer counts → 5 promoters of 10 → (5 − 3) / 10.
    assert run(store, ds, NpsSpec(Filters(as_of=d("2024-07-31")), by="all")).rows() == [("all", 10, 5, 2, 3, 20.0)]


def test_by_week(store, ds):
    # ISO weeks from Monday: 01-15 (Mon) a 10; 01-20 (Sat) b 6 also in week 01-15; 01-25 (Thu) c 9 in week 01-22.
    rows = run(store, ds, NpsSpec(period="week")).rows()
    assert rows[:2] == [(d("2024-01-15"), 2, 1, 0, 1, 0.0), (d("2024-01-22"), 1, 1, 0, 0, 100.0)]


def test_by_first_purchase_channel(store, ds):
    assert run(store, ds, NpsSpec(by="channel")).rows() == [
        ("天猫", 2, 0, 0, 2, -100.0),   # b: 6, 3
        ("门店", 5, 3, 1, 1, 40.0),     # a: 10, 9 (first purchase 门店, though a2 is 天猫); c: 9, 8, 0
        (None, 2, 1, 1, 0, 50.0),      # no purchase: d 9, x 7
    ]


def test_by_member_tier(store, ds):
    assert run(store, ds, NpsSpec(by="member_tier")).rows() == [
        ("gold", 2, 2, 0, 0, 100.0),      # a answered twice: 2 responses
        ("normal", 6, 2, 1, 3, -16.67),   # b 6 3, c 9 8 0, d 9: (2 − 3) / 6
        (None, 1, 0, 1, 0, 0.0),          # x
    ]


def test_by_rfm_segment(store, ds):
    # RFM of the 3 buyers at 06-30 (n = 3: rank 1 → 1, 2 → 2, 3 → 4):
    # a recency 0, 2 purchases, 200 → R 4, F 4, M 2 (tied with c at rank 2) → fm 3 → potential_loyalist;
    # b 121 days, 1, 50 → R 1, F 1, M 1 → lost; c 60 days, 1, 200 → R 2, F 1, M 2 → fm 2 → hibernating.
    assert run(store, ds, NpsSpec(by="segment")).rows() == [
        ("potential_loyalist", 2, 2, 0, 0, 100.0),   # a
        ("hibernating", 3, 1, 1, 1, 0.0),            # c
        ("lost", 2, 0, 0, 2, -100.0),                # b
        (None, 2, 1, 1, 0, 50.0),                    # d, x: not buyers
    ]


def test_by_lifecycle_stage(store, ds):
    # At 06-30: d prospect; b, c exploration (one purchase each); a growth (2 purchases, gap 172, recency 0,
    # recent spend 100 vs prior 100, first 172 days ago); x has no stage.
    assert run(store, ds, NpsSpec(by="stage")).rows() == [
        ("prospect", 1, 1, 0, 0, 100.0),        # d
        ("exploration", 5, 1, 1, 3, -40.0),     # b 6 3, c 9 8 0: (1 − 3) / 5
        ("growth", 2, 2, 0, 0, 100.0),          # a
        (None, 1, 0, 1, 0, 0.0),                # x
    ]


def test_filters(store, ds):
    # member filter: normal-tier respondents b, c, d (x matches no member filter).
    assert run(store, ds, NpsSpec(Filters.of(member_tier="normal"), by="all")).rows() == [("all", 6, 2, 1, 3, -16.67)]
    # order filter: respondents = buyers with a 天猫 purchase (a, b): a 10 9, b 6 3.
    assert run(store, ds, NpsSpec(Filters.of(channel="天猫"), by="all")).rows() == [("all", 4, 2, 0, 2, 0.0)]
    # line filter: toys buyers = c: 9 8 0.
    assert run(store, ds, NpsSpec(Filters.of(category="toys"), by="all")).rows() == [("all", 3, 1, 1, 1, 0.0)]
    # date range selects responses by survey date: February only.
    feb = NpsSpec(Filters(start=d("2024-02-01"), end=d("2024-02-29")))
    assert run(store, ds, feb).rows() == [(d("2024-02-01"), 3, 1, 2, 0, 33.33)]


def test_members_behind_each_cell(store, ds):
    assert members(store, ds, NpsSpec(), NpsCell(d("2024-02-01"))).rows() == [
        ("a", d("2024-02-20"), 9, "promoter"), ("c", d("2024-02-01"), 8, "passive"),
        ("x", d("2024-02-10"), 7, "passive")]
    assert members(store, ds, NpsSpec(by="channel"), NpsCell(None))["member_id"].to_list() == ["d", "x"]
    assert members(store, ds, NpsSpec(by="channel"), NpsCell("门店", "detractor")).rows() == [
        ("c", d("2024-03-10"), 0, "detractor")]
    for by in ("period", "channel", "member_tier", "segment", "stage"):
        spec = NpsSpec(by=by)
        for group, responses, promoters, _, detractors, _ in run(store, ds, spec).rows():
            assert members(store, ds, spec, NpsCell(group)).height == responses
            assert members(store, ds, spec, NpsCell(group, "promoter")).height == promoters
            assert members(store, ds, spec, NpsCell(group, "detractor")).height == detractors


def test_empty(store, ds):
    assert run(store, ds, NpsSpec(Filters.of(member_tier="nowhere"))).height == 0
    assert run(store, ds, NpsSpec(Filters.of(channel="nowhere"), by="segment")).height == 0
    assert members(store, ds, NpsSpec(Filters.of(channel="nowhere")), NpsCell(d("2024-01-01"))).height == 0


def test_rejects_unknown_options():
    with pytest.raises(ValueError):
        NpsSpec(by="gender")
