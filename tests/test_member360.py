"""Member 360 on a hand-built fixture; every number worked out in comments.

Data end (as_of) = 2024-06-30 (m10's last order). as_of − 90 = 2024-04-01, as_of − 180 = 2024-01-02:
the lifecycle spend windows are recent (04-01, 06-30] and prior (01-02, 04-01].
"""

from __future__ import annotations

from datetime import datetime

import pytest

from lib import lifecycle, member360
from lib.filters import Filters
from lib.lifecycle import LifecycleSpec
from lib.store import Store
from tests.fixtures import build, d

MILK = {"product_name": "奶粉A", "category": "奶粉"}
LINES = [
    ("m1", "o1", "2024-01-03 10:00", 100, {**MILK, "quantity": 2, "channel": "门店", "store": "南京店"}),
    ("m1", "o1", "2024-01-03 10:00", 30, {"product_name": "纸尿裤B", "category": "纸尿裤", "quantity": 1,
                                          "channel": "门店", "store": "南京店"}),
    ("m1", "o2", "2024-02-10 09:30", -20, {**MILK, "quantity": -1, "channel": "天猫"}),   # refund-only order
    ("m1", "o3", "2024-03-01", 50, {"sku": "SKU-C", "category": "辅食", "quantity": 1.5, "channel": "天猫"}),
    ("m10", "p1", "2024-02-01", 80, {"channel": "天猫", "region": "上海", "city": "上海"}),
    ("m10", "p2", "2024-06-30", 40, {"channel": "门店", "region": "浙江", "city": "杭州"}),   # data end
    *[("am1", "q1", "2024-05-01", 70 - 10 * i, {"product_name": f"i{i + 1}"}) for i in range(7)],  # 7 lines
    ("M15", "s1", "2024-05-01", 20),
    ("M15", "s2", "2024-06-15", 20),
    ("x_1", "r1", "2024-05-02", 10),
]
MEMBERS = [
    ("m1", {"gender": "F", "birth_year": 1990, "member_tier": "金卡", "signup_date": "2023-12-01",
            "region": "江苏", "city": "南京", "channel": "门店"}),
    ("p1", {"member_tier": "普通", "birth_year": 2001}),   # prospect: registered, never bought
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One read-only dataset for the whole module (the tests only read it)."""
    with Store(tmp_path_factory.mktemp("m360") / "ws.duckdb") as own:
        yield own, build(own, lines=LINES, members=MEMBERS)


@pytest.fixture
def store(built):
    return built[0]


@pytest.fixture
def ds(built):
    return built[1]


# -- search ----------------------------------------------------------------------------------

def ids(frame) -> list[str]:
    return frame["member_id"].to_list()


def test_search_puts_prefix_matches_first_and_ignores_case(store, ds):
    # "m1" starts M15, m1, m10 (byte order: upper case first) and is inside am1.
    assert ids(member360.search(store, ds, "m1")) == ["M15", "m1", "m10", "am1"]
    assert ids(member360.search(store, ds, " M1 ")) == ["M15", "m1", "m10", "am1"]
    assert ids(member360.search(store, ds, "m1", limit=2)) == ["M15", "m1"]


def test_search_matches_the_text_literally(store, ds):
    assert ids(member360.search(store, ds, "_")) == ["x_1"]   # not LIKE's any-one-character
    assert ids(member360.search(store, ds, "%")) == []
    assert ids(member360.search(store, ds, "nobody")) == []


def test_search_without_text_lists_every_member_with_their_purchases(store, ds):
    found = member360.search(store, ds, "")
    assert ids(found) == ["M15", "am1", "m1", "m10", "p1", "x_1"]
    rows = {r["member_id"]: (r["purchases"], r["last_purchase"], r["net_amount"]) for r in found.iter_rows(named=True)}
    assert rows["m1"] == (2, d("2024-03-01"), 160.0)   # o1 130 + o3 50 purchases; o2 −20 refund
    assert rows["am1"] == (1, d("2024-05-01"), 280.0)  # 70 + 60 + … + 10
    assert rows["p1"] == (0, None, 0.0)                # prospect


# -- profile ---------------------------------------------------------------------------------

def test_profile_from_the_members_file(store, ds):
    p = member360.profile(store, ds, "m1")
    assert {k: p[k] for k in ("member_tier", "gender", "birth_year", "age", "age_band", "signup_date",
                              "signup_channel", "region", "city", "in_members_file", "as_of")} == {
        "member_tier": "金卡", "gender": "F", "birth_year": 1990,
        "age": 34, "age_band": "30-34",                 # 2024 − 1990
        "signup_date": d("2023-12-01"), "signup_channel": "门店", "region": "江苏", "city": "南京",
        "in_members_file": True, "as_of": d("2024-06-30")}


def test_profile_takes_region_and_city_from_the_latest_order_without_a_members_file(store, ds):
    p = member360.profile(store, ds, "m10")
    assert (p["region"], p["city"], p["member_tier"], p["age"], p["age_band"], p["in_members_file"]) == \
        ("浙江", "杭州", None, None, None, False)     # p2 (06-30) is the latest order
    early = member360.profile(store, ds, "m10", Filters(as_of=d("2024-03-31")))
    assert (early["region"], early["city"], early["as_of"]) == ("上海", "上海", d("2024-03-31"))  # p1 only


def test_profile_of_an_unknown_member_is_none(store, ds):
    assert member360.profile(store, ds, "nobody") is None


# -- orders and lines ------------------------------------------------------------------------

def order_rows(frame) -> list[tuple]:
    return frame.select("order_id", "amount", "kind", "nth", "lines", "quantity", "items", "channel").rows()


def test_orders_one_row_per_order_with_items_and_purchase_number(store, ds):
    frame = member360.orders(store, ds, "m1")
    assert frame.columns == list(member360.ORDER_COLUMNS)
    assert frame["order_ts"].to_list() == [datetime(2024, 1, 3, 10), datetime(2024, 2, 10, 9, 30),
                                          datetime(2024, 3, 1)]
    assert order_rows(frame) == [
        ("o1", 130.0, "purchase", 1, 2, 3.0, "奶粉A ×2 · 纸尿裤B", "门店"),   # largest line first; ×1 not shown
        ("o2", -20.0, "refund", None, 1, -1.0, "奶粉A ×-1", "天猫"),        # a refund is no purchase
        ("o3", 50.0, "purchase", 2, 1, 1.5, "SKU-C ×1.5", "天猫"),          # no product name: the sku
    ]


def test_orders_list_five_items_then_the_rest_as_a_count(store, ds):
    assert member360.orders(store, ds, "am1")["items"].to_list() == ["i1 · i2 · i3 · i4 · i5 · +2"]


def test_orders_follow_the_filters(store, ds):
    # line filter: only milk lines count; o3 has none, o1 is worth its milk line (100)
    assert order_rows(member360.orders(store, ds, "m1", Filters.of(category=["奶粉"]))) == [
        ("o1", 100.0, "purchase", 1, 1, 2.0, "奶粉A ×2", "门店"),
        ("o2", -20.0, "refund", None, 1, -1.0, "奶粉A ×-1", "天猫")]
    # order filter: whole 天猫 orders; o3 becomes the first purchase in scope
    assert order_rows(member360.orders(store, ds, "m1", Filters.of(channel=["天猫"]))) == [
        ("o2", -20.0, "refund", None, 1, -1.0, "奶粉A ×-1", "天猫"),
        ("o3", 50.0, "purchase", 1, 1, 1.5, "SKU-C ×1.5", "天猫")]
    # member filter: m1 is F, so a male scope holds none of her orders
    assert member360.orders(store, ds, "m1", Filters.of(gender=["M"])).is_empty()
    # as_of cuts history
    assert member360.orders(store, ds, "m1", Filters(as_of=d("2024-02-01")))["order_id"].to_list() == ["o1"]


def test_lines_are_the_order_lines_in_scope(store, ds):
    frame = member360.lines(store, ds, "m1")
    assert frame.columns == list(member360.LINE_COLUMNS)
    assert frame.select("order_id", "sku", "product_name", "category", "quantity", "amount", "channel",
                        "store").rows() == [
        ("o1", None, "奶粉A", "奶粉", 2.0, 100.0, "门店", "南京店"),
        ("o1", None, "纸尿裤B", "纸尿裤", 1.0, 30.0, "门店", "南京店"),
        ("o2", None, "奶粉A", "奶粉", -1.0, -20.0, "天猫", None),
        ("o3", "SKU-C", None, "辅食", 1.5, 50.0, "天猫", None)]
    assert member360.lines(store, ds, "m1", Filters.of(category=["辅食"]))["order_id"].to_list() == ["o3"]


# -- rows of the analyses, and why a stage --------------------------------------------------

def test_row_picks_one_member(store, ds):
    stages = lifecycle.run(store, ds)
    assert member360.row(stages, "am1")["stage"] == "exploration"
    assert member360.row(stages, "nobody") is None


def reasons(store, ds, member, spec=LifecycleSpec()):
    row = member360.row(lifecycle.run(store, ds, spec), member)
    return [(reason, {k: numbers[k] for k in ("recency_days", "median_gap_days", "limit_days", "recent_spend",
                                               "prior_spend", "days_since_first")})
            for reason, numbers in member360.stage_reasons(row, spec)]


def test_decline_names_both_rules_that_hold(store, ds):
    # m1: purchases 01-03 and 03-01 (58 days apart); recency 06-30 − 03-01 = 121 > 1.5 × 58 = 87;
    # recent spend 0 ≤ 0.7 × prior spend (130 − 20 + 50 = 160); first purchase 121 + 58 = 179 days ago.
    numbers = {"recency_days": 121, "median_gap_days": 58.0, "limit_days": 87.0, "recent_spend": 0.0,
               "prior_spend": 160.0, "days_since_first": 179}
    assert reasons(store, ds, "m1") == [("decline_gap", numbers), ("decline_spend", numbers)]


def test_reasons_use_the_spec_thresholds(store, ds):
    # 3 × 58 = 174 > 121: the gap rule no longer holds; the spend rule still does.
    spec = LifecycleSpec(gap_multiple=3.0)
    assert [r for r, _ in reasons(store, ds, "m1", spec)] == ["decline_spend"]
    assert reasons(store, ds, "m1", spec)[0][1]["limit_days"] == 174.0


def test_spend_decline_growth_exploration_prospect(store, ds):
    # m10: 02-01 and 06-30; recent spend 40 ≤ 0.7 × 80 = 56 → decline by spend only (recency 0)
    assert [r for r, _ in reasons(store, ds, "m10")] == ["decline_spend"]
    # M15: 05-01 and 06-15 (45 days); recency 15; prior window has no spend → growth, first 60 days ago
    [(reason, numbers)] = reasons(store, ds, "M15")
    assert (reason, numbers["days_since_first"]) == ("growth", 60)
    assert [r for r, _ in reasons(store, ds, "x_1")] == ["exploration"]
    assert [r for r, _ in reasons(store, ds, "p1")] == ["prospect"]


def test_stable_and_churned_from_literal_rows():
    spec = LifecycleSpec()
    stable = {"stage": "stable", "purchases": 5, "recency_days": 10, "median_gap_days": 60.0,
              "first_purchase": d("2022-01-01"), "last_purchase": d("2024-06-20"), "recent_spend": 100.0,
              "prior_spend": 100.0}
    # 2022-01-01 → 2024-06-20 = 730 + 171 days, + 10 days of recency
    [(reason, numbers)] = member360.stage_reasons(stable, spec)
    assert (reason, numbers["days_since_first"], numbers["growth_days"]) == ("stable", 911, 365)
    churned = {**stable, "stage": "churned", "recency_days": 200}
    [(reason, numbers)] = member360.stage_reasons(churned, spec)
    assert (reason, numbers["recency_days"], numbers["churn_days"]) == ("churned", 200, 180)
