"""The filtered base: which orders, amounts and first purchases each kind of filter leaves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lib.filters import Filters, base
from tests.fixtures import build, d

D = Decimal

LINES = [
    # member, order, date, amount, attributes
    ("m1", "o1", "2024-01-05", 100, {"category": "toys", "channel": "门店"}),
    ("m1", "o1", "2024-01-05", 50, {"category": "milk", "channel": "门店"}),
    ("m1", "o2", "2024-02-01", 30, {"category": "milk", "channel": "天猫"}),
    ("m1", "o2", "2024-02-09", -30, {"category": "milk", "channel": "天猫"}),   # refunded in full later
    ("m2", "o3", "2024-01-20", 80, {"category": "toys", "channel": "天猫"}),
    ("m2", "o4", "2024-03-02", -10, {"category": "toys", "channel": "天猫"}),   # refund-only order
    ("m3", "o5", "2024-03-10", 60, {"category": "milk", "channel": "门店"}),
]
MEMBERS = [("m1", {"gender": "F", "birth_year": 1990}), ("m2", {"gender": "M", "birth_year": 1999}),
           ("m3", {"gender": "F", "birth_year": 1980})]


@pytest.fixture
def ds(store):
    return build(store, lines=LINES, members=MEMBERS)


def scoped(store, ds, filters: Filters) -> list[tuple]:
    b = base(ds, filters)
    return store.query(b.query("SELECT member_id, order_id, order_date, net_amount FROM scoped_orders "
                               "ORDER BY order_id"), b.params).rows()


def purchases(store, ds, filters: Filters) -> list[tuple]:
    b = base(ds, filters)
    return store.query(b.query("SELECT member_id, order_id, nth, first_date FROM purchases ORDER BY order_id"),
                       b.params).rows()


def test_no_filter_keeps_every_order_refunds_included(store, ds):
    assert scoped(store, ds, Filters()) == [
        ("m1", "o1", d("2024-01-05"), D("150.00")),  # 100 + 50
        ("m1", "o2", d("2024-02-01"), D("0.00")),    # 30 − 30: not a purchase
        ("m2", "o3", d("2024-01-20"), D("80.00")),
        ("m2", "o4", d("2024-03-02"), D("-10.00")),
        ("m3", "o5", d("2024-03-10"), D("60.00")),
    ]
    assert purchases(store, ds, Filters()) == [
        ("m1", "o1", 1, d("2024-01-05")), ("m2", "o3", 1, d("2024-01-20")), ("m3", "o5", 1, d("2024-03-10"))]


def test_fast_path_equals_grouping_the_lines(store, ds):
    # as_of at data end takes the line path; no as_of takes the orders table: same answer.
    assert scoped(store, ds, Filters()) == scoped(store, ds, Filters(as_of=d("2024-03-10")))


def test_stored_purchase_sequence_equals_numbering_the_purchases(store):
    # No filter reads nth and first_date numbered at import; as_of at data end numbers them with a
    # window over the scoped orders: the same purchases, sequence and first dates. A member
    # filter keeps whole members, so the stored sequence holds there too.
    ds = build(store, name="seq", lines=[
        ("m1", "b2", "2024-01-05 10:00", 20, {"channel": "门店"}),   # same time as a1: order id breaks the tie
        ("m1", "a1", "2024-01-05 10:00", 10, {"channel": "门店"}),
        ("m1", "r1", "2024-01-07", -5, {"channel": "门店"}),         # refund-only: no purchase, no number
        ("m1", "c3", "2024-02-01", 30, {"channel": "天猫"}),
        ("m2", "d4", "2024-01-20", 40, {"channel": "天猫"}),
    ], members=[("m1", {"gender": "F"}), ("m2", {"gender": "M"})])
    assert purchases(store, ds, Filters()) == [
        ("m1", "a1", 1, d("2024-01-05")), ("m1", "b2", 2, d("2024-01-05")), ("m1", "c3", 3, d("2024-01-05")),
        ("m2", "d4", 1, d("2024-01-20"))]
    assert purchases(store, ds, Filters()) == purchases(store, ds, Filters(as_of=d("2024-02-01")))
    women = Filters.of(gender="F")
    assert purchases(store, ds, women) == purchases(store, ds, Filters.of(as_of=d("2024-02-01"), gender="F")) == [
        ("m1", "a1", 1, d("2024-01-05")), ("m1", "b2", 2, d("2024-01-05")), ("m1", "c3", 3, d("2024-01-05"))]


def test_line_filter_keeps_matching_lines_only(store, ds):
    # toys: o1 counts only its 100 toys line; o3 80; o4 −10; o2 and o5 have no toys line.
    assert scoped(store, ds, Filters.of(category="toys")) == [
        ("m1", "o1", d("2024-01-05"), D("100.00")),
        ("m2", "o3", d("2024-01-20"), D("80.00")),
        ("m2", "o4", d("2024-03-02"), D("-10.00")),
    ]


def test_order_filter_keeps_whole_orders_and_scopes_first_purchase(store, ds):
    # 天猫 orders: o2 (net 0), o3, o4. m1's first 天猫 purchase would be o2, but it nets 0.
    assert purchases(store, ds, Filters.of(channel="天猫")) == [("m2", "o3", 1, d("2024-01-20"))]
    # Two values of one field are OR.
    assert len(scoped(store, ds, Filters.of(channel=["天猫", "门店"]))) == 5


def test_member_filters_and_age_band(store, ds):
    assert {r[0] for r in scoped(store, ds, Filters.of(gender="F"))} == {"m1", "m3"}
    # Age at as_of 2024-03-10: m1 34 (30-34), m2 25 (25-29), m3 44 (40+).
    assert {r[0] for r in scoped(store, ds, Filters.of(age_band="25-29"))} == {"m2"}
    # Different fields are AND: women aged 40+.
    assert {r[0] for r in scoped(store, ds, Filters.of(gender="F", age_band="40+"))} == {"m3"}


def test_as_of_cuts_history_including_later_refund_lines(store, ds):
    # At 2024-02-05 the refund of o2 (dated 2024-02-09) has not happened: o2 is a 30 purchase.
    assert scoped(store, ds, Filters(as_of=d("2024-02-05"))) == [
        ("m1", "o1", d("2024-01-05"), D("150.00")),
        ("m1", "o2", d("2024-02-01"), D("30.00")),
        ("m2", "o3", d("2024-01-20"), D("80.00")),
    ]


def test_bounds_defaults(store, ds):
    b = base(ds, Filters())
    assert store.query(b.query("SELECT * FROM bounds"), b.params).rows() == [
        (d("2024-03-10"), d("2024-01-05"), d("2024-03-10"))]  # as_of = data end; start = first purchase


def test_values_are_bound_not_spliced(store, ds):
    hostile = "x') OR true OR ('"
    assert scoped(store, ds, Filters.of(channel=hostile)) == []


def test_unknown_field_is_refused():
    with pytest.raises(ValueError, match="cannot filter on 'colour'"):
        Filters.of(colour="red")


def test_a_late_refund_line_sets_data_end_and_both_paths_agree(store):
    # o1's refund line (2024-01-20) comes after every order's date: data end is 2024-01-20.
    ds = build(store, name="late", lines=[("m1", "o1", "2024-01-05", 100), ("m2", "o2", "2024-01-10", 50),
                                          ("m1", "o1", "2024-01-20", -30)])
    b = base(ds, Filters())
    assert store.query(b.query("SELECT as_of FROM bounds"), b.params).item() == d("2024-01-20")
    assert scoped(store, ds, Filters()) == scoped(store, ds, Filters(as_of=d("2024-01-20"))) == [
        ("m1", "o1", d("2024-01-05"), D("70.00")), ("m2", "o2", d("2024-01-10"), D("50.00"))]


def test_a_line_filter_keeps_the_order_date(store, ds):
    # o1 = toys 100 + milk 50 on 2024-01-05; under category=milk it keeps its own date.
    ds2 = build(store, name="dates", lines=[("a", "o1", "2024-01-05", 10, {"category": "milk"}),
                                            ("a", "o1", "2024-02-03", 20, {"category": "toys"})])
    assert scoped(store, ds2, Filters.of(category="toys")) == [("a", "o1", d("2024-01-05"), D("20.00"))]


def test_the_age_band_is_offered_only_where_members_have_ages(store, ds):
    from lib.filters import filter_options

    assert filter_options(store, ds)["age_band"] == ["<25", "25-29", "30-34", "35-39", "40+"]
    no_ages = build(store, "no_ages", lines=LINES, members=[("m1", {"gender": "F"})])
    options = filter_options(store, no_ages)
    assert "age_band" not in options and options["gender"] == ["F"]  # the other member fields stay
