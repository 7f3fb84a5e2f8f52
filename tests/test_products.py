"""Product analyses on a hand-built fixture; every number is worked out in the comments."""

from __future__ import annotations


import polars as pl
import pytest

from lib import reports
from lib.filters import Filters
from lib import first_orders, pairs as pair_analysis, price_bands, repurchase
from lib.repurchase import RepurchaseSpec
from lib.first_orders import FirstOrderCell, FirstOrderSpec
from lib.pairs import PairCell, PairSpec
from lib.price_bands import PriceBandSpec, PriceCell
from lib.w5h1 import who
from lib.w5h1.who import ProfileCell, profile
from tests.fixtures import build, d, flat_export, module_dataset, module_store


def line(category: str, sku: str, unit_price: float | None, quantity: int, discount: float | None,
         **order: str) -> dict:
    return {"category": category, "sku": sku, "unit_price": unit_price, "quantity": quantity,
            "discount": discount, **order}


# Member attributes as a flat export repeats them on each line.
PEOPLE = {"m1": {"gender": "F", "birth_year": 1990, "member_tier": "gold"},
          "m2": {"gender": "M", "birth_year": 1999, "member_tier": "silver"},
          "m3": {"gender": "F", "birth_year": 1985, "member_tier": "gold"},
          "m4": {"gender": "M"}}
LINES = [
    # member, order, date, amount, line(category, sku, unit price, quantity, discount, order attributes)
    ("m1", "b1", "2024-01-01", 90, line("milk", "MK1", 100, 1, 10, channel="门店", region="北京", city="北京")),
    ("m1", "b1", "2024-01-01", 50, line("diaper", "DP1", 50, 1, 0, channel="门店", region="北京", city="北京")),
    ("m1", "b2", "2024-01-15", 100, line("milk", "MK1", 100, 1, 0, channel="天猫")),
    ("m1", "b2", "2024-01-15", 50, line("diaper", "DP1", 50, 1, 0, channel="天猫")),
    ("m1", "b2", "2024-01-15", 20, line("wipes", "WP1", 10, 2, 0, channel="天猫")),
    ("m2", "b3", "2024-01-05", 80, line("milk", "MK1", 100, 1, 20, channel="天猫", region="上海", city="上海")),
    ("m2", "b3", "2024-01-05", 30, line("toys", "TY1", None, 2, 0, channel="天猫")),   # price 30 / 2 = 15
    ("m2", "b4", "2024-02-01", 40, line("diaper", "DP1", 50, 1, 10, channel="门店")),
    ("m2", "b4", "2024-02-01", -5, line("wipes", "WP1", 10, -1, 0, channel="门店")),  # refund line: no wipes in b4
    ("m3", "b5", "2024-01-10", 60, line("toys", "TY2", 60, 1, 0, channel="门店", region="广东", city="深圳")),
    ("m3", "b5", "2024-01-10", 10, line("wipes", "WP1", 10, 1, 0, channel="门店")),
    ("m3", "b6", "2024-02-10", 100, line("milk", "MK1", 100, 1, 0, channel="天猫")),
    ("m3", "b6", "2024-02-10", 50, line("diaper", "DP1", 50, 1, 0, channel="天猫")),
    ("m4", "b7", "2024-01-20", 30, line("wipes", "WP1", 10, 3, None, channel="天猫")),  # no discount recorded
    ("m4", "b8", "2024-02-20", -50, line("milk", "MK1", 100, -1, 0, channel="天猫")),  # refund-only; data end
]
# m1's members-file record: its region and city win over those of his first order (北京).
MEMBERS = [("m1", {"region": "广东", "city": "广州"})]
# Order baskets (purchases b1–b7) by category:
#   b1 {milk, diaper}  b2 {milk, diaper, wipes}  b3 {milk, toys}  b4 {diaper}  b5 {toys, wipes}
#   b6 {milk, diaper}  b7 {wipes}                → 7 baskets; milk 4, diaper 4, wipes 3, toys 2
# Member baskets: m1 {milk, diaper, wipes}, m2 {milk, toys, diaper}, m3 {all four}, m4 {wipes}
#                                             → 4 baskets; milk 3, diaper 3, wipes 3, toys 2
ALL_PAIRS = PairSpec(min_support=0.0, min_together=1)


store = module_store()   # the analyses only read, so the tests share the fixture dataset
ds = module_dataset(flat_export(LINES, PEOPLE), MEMBERS)


def test_pairs_by_order_with_lift_by_hand(store, ds):
    table = pair_analysis.run(store, ds, ALL_PAIRS)
    assert table.columns == ["antecedent", "consequent", "together", "antecedent_baskets", "consequent_baskets",
                             "baskets", "support", "confidence", "lift"]
    assert table.rows() == [
        # milk & diaper together in b1 b2 b6: support 3/7, confidence 3/4 either way,
        # lift = (3/4) / (4/7) = 21/16
        ("diaper", "milk", 3, 4, 4, 7, 3 / 7, 3 / 4, 21 / 16),
        ("milk", "diaper", 3, 4, 4, 7, 3 / 7, 3 / 4, 21 / 16),
        # toys & wipes in b5: lift = 1 × 7 / (2 × 3) = 7/6
        ("toys", "wipes", 1, 2, 3, 7, 1 / 7, 1 / 2, 7 / 6),
        ("wipes", "toys", 1, 3, 2, 7, 1 / 7, 1 / 3, 7 / 6),
        # milk & toys in b3: 1 × 7 / (4 × 2) = 7/8
        ("milk", "toys", 1, 4, 2, 7, 1 / 7, 1 / 4, 7 / 8),
        ("toys", "milk", 1, 2, 4, 7, 1 / 7, 1 / 2, 7 / 8),
        # diaper & wipes, milk & wipes in b2 only (b4's wipes is a refund): 1 × 7 / (4 × 3) = 7/12
        ("diaper", "wipes", 1, 4, 3, 7, 1 / 7, 1 / 4, 7 / 12),
        ("milk", "wipes", 1, 4, 3, 7, 1 / 7, 1 / 4, 7 / 12),
        ("wipes", "diaper", 1, 3, 4, 7, 1 / 7, 1 / 3, 7 / 12),
        ("wipes", "milk", 1, 3, 4, 7, 1 / 7, 1 / 3, 7 / 12),
    ]
    assert pytest.approx(table["lift"][0]) == (3 / 4) / (4 / 7)  # confidence / support(consequent)


def test_pair_thresholds(store, ds):
    # Defaults (min_together 2): only milk & diaper (3 baskets).
    assert pair_analysis.run(store, ds, PairSpec())[["antecedent", "consequent"]].rows() == [
        ("diaper", "milk"), ("milk", "diaper")]
    # Support 1/7 ≈ 0.143 < 0.15 ≤ 3/7.
    assert pair_analysis.run(store, ds, PairSpec(min_support=0.15, min_together=1)).height == 2
    assert pair_analysis.run(store, ds, PairSpec(min_support=0.14, min_together=1)).height == 10


def test_pairs_by_member_basket(store, ds):
    table = pair_analysis.run(store, ds, PairSpec(basket="member"))  # default thresholds: together ≥ 2
    assert table.rows() == [
        # milk & diaper: m1 m2 m3 → 3 × 4 / (3 × 3) = 4/3
        ("diaper", "milk", 3, 3, 3, 4, 3 / 4, 1.0, 4 / 3),
        ("milk", "diaper", 3, 3, 3, 4, 3 / 4, 1.0, 4 / 3),
        # diaper & toys, milk & toys: m2 m3 → 2 × 4 / (3 × 2) = 4/3, fewer together
        ("diaper", "toys", 2, 3, 2, 4, 1 / 2, 2 / 3, 4 / 3),
        ("milk", "toys", 2, 3, 2, 4, 1 / 2, 2 / 3, 4 / 3),
        ("toys", "diaper", 2, 2, 3, 4, 1 / 2, 1.0, 4 / 3),
        ("toys", "milk", 2, 2, 3, 4, 1 / 2, 1.0, 4 / 3),
        # diaper & wipes, milk & wipes: m1 m3 → 2 × 4 / (3 × 3) = 8/9 (toys & wipes: m3 only, dropped)
        ("diaper", "wipes", 2, 3, 3, 4, 1 / 2, 2 / 3, 8 / 9),
        ("milk", "wipes", 2, 3, 3, 4, 1 / 2, 2 / 3, 8 / 9),
        ("wipes", "diaper", 2, 3, 3, 4, 1 / 2, 2 / 3, 8 / 9),
        ("wipes", "milk", 2, 3, 3, 4, 1 / 2, 2 / 3, 8 / 9),
    ]
    # Member baskets: the members behind a pair are exactly `together`.
    assert pair_analysis.members(store, ds, PairSpec(basket="member"), PairCell("milk", "diaper"))["member_id"].to_list() == [
        "m1", "m2", "m3"]


def test_members_behind_a_pair(store, ds):
    # Order baskets holding milk and diaper: m1's b1 and b2, m3's b6.
    assert pair_analysis.members(store, ds, ALL_PAIRS, PairCell("milk", "diaper")).rows() == [("m1", 2), ("m3", 1)]
    assert pair_analysis.members(store, ds, ALL_PAIRS, PairCell("diaper", "wipes")).rows() == [("m1", 1)]  # not m2's b4


def test_pairs_under_filters(store, ds):
    # Category filter milk + diaper: baskets b1 b2 b3 b4 b6 (b5 and b7 hold neither) = 5;
    # milk 4, diaper 4, together 3 → lift 3 × 5 / (4 × 4) = 15/16.
    spec = PairSpec(Filters.of(category=["milk", "diaper"]))
    assert pair_analysis.run(store, ds, spec).rows() == [
        ("diaper", "milk", 3, 4, 4, 5, 3 / 5, 3 / 4, 15 / 16), ("milk", "diaper", 3, 4, 4, 5, 3 / 5, 3 / 4, 15 / 16)]
    # Member filter F (m1, m3): b1 b2 b5 b6 = 4 baskets; milk 3, diaper 3, together 3 → 3 × 4 / 9 = 4/3.
    women = pair_analysis.run(store, ds, PairSpec(Filters.of(gender="F")))
    assert women.rows() == [
        ("diaper", "milk", 3, 3, 3, 4, 3 / 4, 1.0, 4 / 3), ("milk", "diaper", 3, 3, 3, 4, 3 / 4, 1.0, 4 / 3)]
    # Date range Feb: baskets b4 {diaper}, b6 {milk, diaper}: 1 × 2 / (1 × 2) = 1.
    feb = PairSpec(Filters(start=d("2024-02-01"), end=d("2024-02-29")), min_together=1)
    assert pair_analysis.run(store, ds, feb).rows() == [
        ("diaper", "milk", 1, 2, 1, 2, 1 / 2, 1 / 2, 1.0), ("milk", "diaper", 1, 1, 2, 2, 1 / 2, 1.0, 1.0)]


def test_top_repurchased_reuses_repurchase(store, ds):
    # Category repurchase: milk m1 (b1 b2) m2 m3 → 3 buyers, 1 repeat; diaper m1 (b1 b2) m2 m3 → 3, 1;
    # wipes m1 m3 m4 → 3, 0 (m2's b4 line is a refund); toys m2 m3 → 2, 0. Ties by name.
    table = repurchase.top_repurchased(store, ds, RepurchaseSpec(), limit=3)
    assert table.select("category", "buyers", "repeat_buyers", "repurchase_rate", "median_gap_days").rows() == [
        ("diaper", 3, 1, 1 / 3, 14.0),   # b1 Jan 1 → b2 Jan 15
        ("milk", 3, 1, 1 / 3, 14.0),
        ("toys", 2, 0, 0.0, None),        # rate 0 ties with wipes; toys first by name
    ]
    # By sku, toys splits into TY1 (m2) and TY2 (m3): items bought by one member each.
    assert repurchase.top_repurchased(store, ds, RepurchaseSpec(by="sku"))["sku"].to_list() == [
        "DP1", "MK1", "TY1", "TY2", "WP1"]


def test_first_order_products(store, ds):
    # First purchases: m1 b1 {milk, diaper}, m2 b3 {milk, toys}, m3 b5 {toys, wipes}, m4 b7 {wipes}.
    # Bought again: m1 (b2), m2 (b4), m3 (b6); m4's b8 is a refund. All: 3 of 4 = 3/4.
    assert first_orders.run(store, ds, FirstOrderSpec()).rows() == [
        # item, first buyers, share of the 4, repeat buyers, rate, rate / (3/4)
        ("milk", 2, 0.5, 2, 1.0, 4 / 3),
        ("toys", 2, 0.5, 2, 1.0, 4 / 3),
        ("wipes", 2, 0.5, 1, 0.5, 2 / 3),     # m3 again, m4 not
        ("diaper", 1, 0.25, 1, 1.0, 4 / 3),
    ]
    assert first_orders.members(store, ds, FirstOrderSpec(), FirstOrderCell("wipes")).rows() == [("m3", True), ("m4", False)]
    assert first_orders.members(store, ds, FirstOrderSpec(), FirstOrderCell("wipes", repeat_only=True)).rows() == [("m3", True)]


def test_first_order_products_date_range_and_category(store, ds):
    # From Jan 8: first purchases of m3 (b5, Jan 10) and m4 (b7, Jan 20); m1's b2 (Jan 15) is no first
    # purchase, history counts. Repeat: m3 → 1/2 overall.
    late = FirstOrderSpec(Filters(start=d("2024-01-08")))
    assert first_orders.run(store, ds, late).rows() == [
        ("wipes", 2, 1.0, 1, 0.5, 1.0),
        ("toys", 1, 0.5, 1, 1.0, 2.0),
    ]
    # Wipes scope: wipes purchases b2 (m1), b5 (m3), b7 (m4) (b4 nets −5); nobody buys wipes twice,
    # so the overall repeat rate is 0 and the lift has no denominator.
    wipes = FirstOrderSpec(Filters.of(category="wipes"))
    assert first_orders.run(store, ds, wipes).rows() == [("wipes", 3, 1.0, 0, 0.0, None)]


def test_price_band_by_discount_sensitivity(store, ds):
    # Unit prices of the 13 purchase lines: 10 10 10 15 | 50 50 50 50 | 60 100 100 100 100 (toys b3: 30 / 2).
    # Quartile cuts: the 4th (13 × 1/4 = 3.25 → 4th), 7th and 10th prices: 15, 50, 100. Band = first cut ≥ price:
    # 10, 15 → 1; 50 → 2; 60, 100 → 3; band 4 is empty.
    # Sensitivity = spend on discounted lines / spend:
    #   m1 90 / 310 = 0.29 → low; m2 (80 + 40) / 150 = 0.8 → high; m3 0 → full_price; m4 no discount recorded.
    # run() gives each band's lowest and highest price; labelled() names it in a currency
    frame = price_bands.run(store, ds, PriceBandSpec())
    assert frame.select("band", "low_price", "high_price").unique(maintain_order=True).rows() == [
        (1, 10.0, 15.0), (2, 50.0, 50.0), (3, 60.0, 100.0)]
    assert price_bands.labelled(frame, "")["price_band"].unique(maintain_order=True).to_list() == [
        "10–15", "50", "60–100"]
    assert price_bands.labelled(frame).rows() == [
        # band, label, sensitivity, members, lines, revenue, discount / (paid + discount)
        (1, "¥10–¥15", "full_price", 1, 1, 10.0, 0.0),    # m3 b5 wipes
        (1, "¥10–¥15", "low", 1, 1, 20.0, 0.0),           # m1 b2 wipes
        (1, "¥10–¥15", "high", 1, 1, 30.0, 0.0),          # m2 b3 toys
        (1, "¥10–¥15", "unknown", 1, 1, 30.0, None),      # m4 b7 wipes
        (2, "¥50", "full_price", 1, 1, 50.0, 0.0),        # m3 b6 diaper
        (2, "¥50", "low", 1, 2, 100.0, 0.0),              # m1 b1 b2 diaper
        (2, "¥50", "high", 1, 1, 40.0, 0.2),              # m2 b4 diaper: 10 / (40 + 10)
        (3, "¥60–¥100", "full_price", 1, 2, 160.0, 0.0),  # m3 b5 toys 60, b6 milk 100
        (3, "¥60–¥100", "low", 1, 2, 190.0, 0.05),        # m1 milk 90 + 100: 10 / 200
        (3, "¥60–¥100", "high", 1, 1, 80.0, 0.2),         # m2 b3 milk: 20 / 100
    ]
    assert price_bands.members(store, ds, PriceBandSpec(), PriceCell(3, "full_price")).rows() == [("m3", 2, 160.0)]
    # Two bands: the median cut is the 7th price, 50.
    halves = price_bands.labelled(price_bands.run(store, ds, PriceBandSpec(price_bands=2)))
    assert halves.group_by("band", "price_band").agg(pl.col("lines").sum()).sort("band").rows() == [
        (1, "¥10–¥50", 8), (2, "¥60–¥100", 5)]
    # At a threshold of 0.25, m1's 0.29 is high.
    strict = price_bands.run(store, ds, PriceBandSpec(high_sensitivity=0.25))
    assert set(strict.filter(strict["sensitivity"] == "high")["members"].to_list()) == {2}
    # The threshold itself is high: m2's 120 / 150 = 0.8 at a threshold of 0.8.
    edge = price_bands.run(store, ds, PriceBandSpec(high_sensitivity=0.8))
    assert price_bands.members(store, ds, PriceBandSpec(high_sensitivity=0.8), PriceCell(2, "high"))["member_id"].to_list() == ["m2"]
    assert edge.filter(edge["sensitivity"] == "low")["lines"].sum() == 5   # m1's lines only


def test_profile_of_a_subset(store, ds):
    champions = ["m1", "m3", "zz"]  # zz is not a buyer: ignored
    spec = Filters()
    assert profile(store, ds, spec, champions, "gender").rows() == [
        # value, in subset, share of 2, all buyers, share of 4, lift
        ("F", 2, 1.0, 2, 0.5, 2.0),
        ("M", 0, 0.0, 2, 0.5, 0.0),
    ]
    assert profile(store, ds, spec, champions, "member_tier").rows() == [
        ("gold", 2, 1.0, 2, 0.5, 2.0), ("silver", 0, 0.0, 1, 0.25, 0.0), (None, 0, 0.0, 1, 0.25, 0.0)]
    # Age at as_of (2024-02-20): m1 34, m2 25, m3 39, m4 unknown.
    assert profile(store, ds, spec, champions, "age_band").rows() == [
        ("25-29", 0, 0.0, 1, 0.25, 0.0), ("30-34", 1, 0.5, 1, 0.25, 2.0), ("35-39", 1, 0.5, 1, 0.25, 2.0),
        (None, 0, 0.0, 1, 0.25, 0.0)]
    # First purchases: m1 b1 门店, m2 b3 天猫, m3 b5 门店, m4 b7 天猫.
    assert profile(store, ds, spec, champions, "first_channel").rows() == [
        ("天猫", 0, 0.0, 2, 0.5, 0.0), ("门店", 2, 1.0, 2, 0.5, 2.0)]
    # Top category by spend: m1 milk 190, m2 milk 80, m3 milk 100, m4 wipes 30.
    assert profile(store, ds, spec, champions, "top_category").rows() == [
        ("milk", 2, 1.0, 3, 0.75, 4 / 3), ("wipes", 0, 0.0, 1, 0.25, 0.0)]
    assert who.members(store, ds, spec, ProfileCell("gender", "F", tuple(champions)))["member_id"].to_list() == [
        "m1", "m3"]
    assert who.members(store, ds, spec, ProfileCell("member_tier", None))["member_id"].to_list() == ["m4"]


def test_profile_region_prefers_the_members_file(store, ds):
    # m1: members file 广东 / 广州 (his first order says 北京); m2 and m3 from their first orders; m4 none.
    assert profile(store, ds, Filters(), ["m1", "m3"], "region").rows() == [
        ("广东", 2, 1.0, 2, 0.5, 2.0), ("上海", 0, 0.0, 1, 0.25, 0.0), (None, 0, 0.0, 1, 0.25, 0.0)]
    assert profile(store, ds, Filters(), ["m1", "m3"], "city").rows() == [
        ("上海", 0, 0.0, 1, 0.25, 0.0), ("广州", 1, 0.5, 1, 0.25, 2.0), ("深圳", 1, 0.5, 1, 0.25, 2.0),
        (None, 0, 0.0, 1, 0.25, 0.0)]


def test_profile_date_range_keeps_first_channel_history(store, ds):
    # Buyers in February: m2 (b4), m3 (b6); m1 bought only in January. First channels come from
    # before start: m2 天猫 (b3), m3 门店 (b5). Top category in the range: m2 diaper, m3 milk.
    feb = Filters(start=d("2024-02-01"))
    assert profile(store, ds, feb, ["m1", "m3"], "first_channel").rows() == [
        ("天猫", 0, 0.0, 1, 0.5, 0.0), ("门店", 1, 1.0, 1, 0.5, 2.0)]
    assert profile(store, ds, feb, ["m1", "m3"], "top_category").rows() == [
        ("diaper", 0, 0.0, 1, 0.5, 0.0), ("milk", 1, 1.0, 1, 0.5, 2.0)]
    # An empty subset: shares and lift have no denominator.
    assert profile(store, ds, feb, [], "gender").rows() == [("F", 0, None, 1, 0.5, None), ("M", 0, None, 1, 0.5, None)]


def test_every_member_count_has_its_members(store, ds):
    spec = FirstOrderSpec()
    for item, first_buyers, _, repeat_buyers, *_ in first_orders.run(store, ds, spec).rows():
        assert first_orders.members(store, ds, spec, FirstOrderCell(item)).height == first_buyers
        assert first_orders.members(store, ds, spec, FirstOrderCell(item, repeat_only=True)).height == repeat_buyers
    spec = PriceBandSpec()
    for band, _, _, sensitivity, count, *_ in price_bands.run(store, ds, spec).rows():
        assert price_bands.members(store, ds, spec, PriceCell(band, sensitivity)).height == count
    subset = ("m2", "m3")
    spec = Filters()
    for attribute in ("gender", "member_tier", "age_band", "first_channel", "top_category"):
        for value, in_subset, _, in_all, *_ in profile(store, ds, spec, list(subset), attribute).rows():
            assert who.members(store, ds, spec, ProfileCell(attribute, value, subset)).height == in_subset
            assert who.members(store, ds, spec, ProfileCell(attribute, value)).height == in_all


def test_empty_scope(store, ds):
    nowhere = Filters.of(channel="nowhere")
    all_pairs = PairSpec(nowhere, min_together=1, min_support=0.0)
    assert pair_analysis.run(store, ds, all_pairs).height == 0
    assert first_orders.run(store, ds, FirstOrderSpec(nowhere)).height == 0
    assert price_bands.run(store, ds, PriceBandSpec(nowhere)).height == 0
    assert profile(store, ds, nowhere, ["m1"], "gender").height == 0
    assert pair_analysis.members(store, ds, all_pairs, PairCell("milk", "diaper")).height == 0
    assert price_bands.members(store, ds, PriceBandSpec(nowhere), PriceCell(1, "low")).height == 0


def test_cli(store, ds):
    assert reports.table(store, ds, "pairs", [], Filters()).height == 2  # milk ↔ diaper
    table = reports.table(store, ds, "price_bands", ["--price-bands", "2"], Filters())
    assert table.columns[:3] == ["band", "price_band", "sensitivity"]
    first = reports.table(store, ds, "first_orders", ["--level", "sku"], Filters())
    assert first["sku"].to_list() == ["MK1", "WP1", "DP1", "TY1", "TY2"]


def test_high_value_ids_top_share_of_predicted_clv(store, ds, monkeypatch):
    from lib import clv
    from lib.w5h1.who import high_value_ids

    # The ranking alone, on a literal CLV table: 4 members with a prediction (w has none).
    predicted = pl.DataFrame({"member_id": ["v", "w", "x", "y", "z"], "predicted_clv": [5.0, None, 10.0, 30.0, 30.0]})
    monkeypatch.setattr(clv, "run", lambda *args, **kwargs: predicted)
    assert high_value_ids(store, ds, Filters(), "clv", 0.5) == ("y", "z")      # ceil(0.5 × 4) = 2
    assert high_value_ids(store, ds, Filters(), "clv", 0.3) == ("y", "z")      # ceil(1.2) = 2
    assert high_value_ids(store, ds, Filters(), "clv", 0.25) == ("y",)         # tie at 30: by member_id
    assert high_value_ids(store, ds, Filters(), "clv", 1.0) == ("v", "x", "y", "z")
    with pytest.raises(ValueError):
        high_value_ids(store, ds, Filters(), "clv", 0)


def test_high_value_ids_champions(store):
    from lib.w5h1.who import high_value_ids

    # a bought 3 times, last on data end, most money: R 5, F 5, M 5 → champions. The others bought
    # once (F 1) and less (M ≤ 4), so fm ≤ 3: nobody else is a champion.
    ds = build(store, "champions", lines=[
        ("a", "1", "2024-01-01", 100), ("a", "2", "2024-02-01", 100), ("a", "3", "2024-03-01", 100),
        ("b", "4", "2024-01-05", 40), ("c", "5", "2024-01-10", 30), ("d", "6", "2024-01-15", 20),
        ("e", "7", "2024-01-20", 10)])
    assert high_value_ids(store, ds, Filters(), "champions") == ("a",)
    assert high_value_ids(store, ds, Filters.of(channel="nowhere"), "champions") == ()
    with pytest.raises(ValueError):
        high_value_ids(store, ds, Filters(), "vip")  # type: ignore[arg-type]


@pytest.mark.parametrize("spec,fields,message", [
    (PairSpec, {"level": "store"}, "level 'store'\\? \\(choose from category, sku, product_name\\)"),
    (FirstOrderSpec, {"level": "store"}, "level 'store'\\? \\(choose from category, sku, product_name\\)"),
    (PairSpec, {"basket": "day"}, "basket 'day'\\? \\(choose order or member\\)"),
    (PriceBandSpec, {"price_bands": 0}, "price_bands must be ≥ 1"),
])
def test_a_spec_that_cannot_run_is_refused_when_made(spec, fields, message):
    with pytest.raises(ValueError, match=message):
        spec(**fields)
