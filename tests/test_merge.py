"""Appending is idempotent (lib/merge.py, SPEC "Imports"): re-imports and overlapping exports
never count anything twice. Every expected value is worked out by hand from the file text."""

from __future__ import annotations

from decimal import Decimal

from lib import kpis
from lib.ingest import Part, ingest, ingest_parts

D = Decimal
HEAD = "会员ID,订单号,支付时间,实付金额,品类\n"
# January + February, as exported on March 1st.
JAN_FEB = HEAD + ("M1,A1,2024-01-05,100,奶粉\nM1,A1,2024-01-05,20,湿巾\n"
                  "M2,B1,2024-01-20,50,奶粉\n"
                  "M1,A2,2024-02-10,80,纸尿裤\n")
# February + March, exported on April 1st: A2 got a refund line in March (the newer truth), B1 is
# not in it (January), M3 is new.
FEB_MAR = HEAD + ("M1,A2,2024-02-10,80,纸尿裤\nM1,A2,2024-03-02,-30,纸尿裤\n"
                  "M3,C1,2024-03-15,60,奶粉\n")


def rows(store, table: str, columns: str, order: str, dataset: str = "t") -> list[tuple]:
    ds = store.dataset(dataset)
    return store.query(f"SELECT {columns} FROM {ds.table(table)} ORDER BY {order}").rows()


def order_rows(store, dataset: str = "t") -> list[tuple]:
    return rows(store, "orders", "member_id, order_id, net_amount, lines", "member_id, order_id", dataset)


def revenue(store, dataset: str = "t") -> float:
    frame = kpis.run(store, store.dataset(dataset), kpis.KpiSpec())
    return dict(zip(frame["metric"], frame["value"]))["revenue"]


def counts(result) -> tuple[int, int, int]:
    return result.new, result.updated, result.unchanged


def test_the_same_file_twice_changes_nothing(store, write):
    path = write("jan_feb.csv", JAN_FEB)
    first = ingest(store, [path], "t")
    assert counts(first) == (3, 0, 0)  # A1 (2 lines), B1, A2
    before, version = rows(store, "order_lines", "*", "line_id"), store.dataset("t").version
    again = ingest(store, [path], "t")
    assert counts(again) == (0, 0, 3)
    assert (again.rows_read, again.rows_loaded) == (4, 4)  # every row read and good, none stored twice
    assert rows(store, "order_lines", "*", "line_id") == before
    assert store.dataset("t").version == version  # nothing new: the same version, cached results still good
    assert revenue(store) == 250.0  # 100 + 20 + 50 + 80


def test_overlapping_monthly_exports_give_each_order_once(store, write):
    ingest(store, [write("jan_feb.csv", JAN_FEB)], "t")
    second = ingest(store, [write("feb_mar.csv", FEB_MAR)], "t")
    # A2 is stored with one line; the new export has two (80, −30): updated. C1 is new.
    assert counts(second) == (1, 1, 0)
    assert order_rows(store) == [("M1", "A1", D("120.00"), 2), ("M1", "A2", D("50.00"), 2),
                                 ("M2", "B1", D("50.00"), 1), ("M3", "C1", D("60.00"), 1)]
    assert revenue(store) == 280.0  # 120 + 50 + 50 + 60: A2 counted once, with its refund
    assert store.dataset("t").version == 3


def test_an_order_in_two_files_of_one_import_takes_the_last_files_lines(store, write):
    result = ingest(store, [write("jan_feb.csv", JAN_FEB), write("feb_mar.csv", FEB_MAR)], "t")
    assert counts(result) == (4, 0, 0)  # A1, B1, A2 (once), C1
    assert order_rows(store) == [("M1", "A1", D("120.00"), 2), ("M1", "A2", D("50.00"), 2),
                                 ("M2", "B1", D("50.00"), 1), ("M3", "C1", D("60.00"), 1)]


def test_an_order_with_the_same_lines_in_another_order_is_unchanged(store, write):
    ingest(store, [write("a.csv", HEAD + "M1,A1,2024-01-05,100,奶粉\nM1,A1,2024-01-05,20,湿巾\n")], "t")
    again = ingest(store, [write("b.csv", HEAD + "M1,A1,2024-01-05,20,湿巾\nM1,A1,2024-01-05,100,奶粉\n")], "t")
    assert counts(again) == (0, 0, 1)
    # one line's category corrected: the order is replaced, not added to
    fixed = ingest(store, [write("c.csv", HEAD + "M1,A1,2024-01-05,20,湿巾\nM1,A1,2024-01-05,100,米粉\n")], "t")
    assert counts(fixed) == (0, 1, 0)
    assert rows(store, "order_lines", "category, amount", "amount") == [("湿巾", D("20.00")), ("米粉", D("100.00"))]


def test_a_line_dropped_from_an_order_goes(store, write):
    ingest(store, [write("a.csv", HEAD + "M1,A1,2024-01-05,100,奶粉\nM1,A1,2024-01-05,100,奶粉\n")], "t")
    # The same line twice in an order is two lines (two tins); the newer export lists one.
    assert counts(ingest(store, [write("b.csv", HEAD + "M1,A1,2024-01-05,100,奶粉\n")], "t")) == (0, 1, 0)
    assert order_rows(store) == [("M1", "A1", D("100.00"), 1)]


def test_the_same_order_number_under_another_member_is_another_order(store, write):
    ingest(store, [write("a.csv", HEAD + "M1,A1,2024-01-05,100,奶粉\n")], "t")
    assert counts(ingest(store, [write("b.csv", HEAD + "M2,A1,2024-01-06,40,奶粉\n")], "t")) == (1, 0, 0)
    assert [r[:2] for r in order_rows(store)] == [("M1", "A1"), ("M2", "A1")]


def test_an_older_export_without_a_column_changes_nothing_and_wipes_nothing(store, write):
    wide = "会员ID,订单号,支付时间,实付金额,门店\n"
    narrow = "会员ID,订单号,支付时间,实付金额\n"
    ingest(store, [write("wide.csv", wide + "M1,A1,2024-01-05,100,静安店\nM1,A1,2024-01-05,20,静安店\n"
                                            "M2,B1,2024-01-06,50,徐汇店\n")], "t")
    # the same orders from an export without 门店: nothing new, the stores stay
    same = ingest(store, [write("narrow.csv", narrow + "M1,A1,2024-01-05,100\nM1,A1,2024-01-05,20\n"
                                                       "M2,B1,2024-01-06,50\n")], "t")
    assert counts(same) == (0, 0, 2)
    # A1 gets a refund line in the narrow export: replaced, and its lines keep the store they all had
    refund = ingest(store, [write("narrow2.csv", narrow + "M1,A1,2024-01-05,100\nM1,A1,2024-01-05,20\n"
                                                         "M1,A1,2024-01-09,-20\n")], "t")
    assert counts(refund) == (0, 1, 0)
    assert rows(store, "order_lines", "order_id, amount, store", "order_id, amount") == [
        ("A1", D("-20.00"), "静安店"), ("A1", D("20.00"), "静安店"), ("A1", D("100.00"), "静安店"),
        ("B1", D("50.00"), "徐汇店")]
    assert order_rows(store)[0] == ("M1", "A1", D("100.00"), 3)


def test_a_narrow_and_a_wide_file_saved_together_compare_on_the_columns_both_have(store, write):
    wide_head, narrow_head = "会员ID,订单号,支付时间,实付金额,门店\n", "会员ID,订单号,支付时间,实付金额\n"
    ingest(store, [write("first.csv", wide_head + "M1,A1,2024-01-05,100,静安店\n")], "t")
    ingest(store, [write("bare.csv", "会员ID,支付时间,实付金额,门店\nM2,2024-01-06 10:00,30,徐汇店\n")], "t")
    # the same A1 without 门店, beside a wider file with a new order: A1 unchanged, its store kept
    both = ingest(store, [write("narrow.csv", narrow_head + "M1,A1,2024-01-05,100\n"),
                          write("wide.csv", wide_head + "M3,C1,2024-01-07,60,静安店\n")], "t")
    assert counts(both) == (1, 0, 1)
    assert rows(store, "order_lines", "member_id, store", "member_id") == [
        ("M1", "静安店"), ("M2", "徐汇店"), ("M3", "静安店")]
    # M2's bare line again from a narrow file saved beside a wide one: not added twice
    again = ingest(store, [write("bare2.csv", "会员ID,支付时间,实付金额\nM2,2024-01-06 10:00,30\n"),
                           write("wide2.csv", wide_head + "M3,C1,2024-01-07,60,静安店\n")], "t")
    assert counts(again) == (0, 0, 2) and revenue(store) == 190.0


def test_a_stored_value_is_kept_only_when_all_the_orders_lines_had_it(store, write):
    ingest(store, [write("wide.csv", "会员ID,订单号,支付时间,实付金额,门店\n"
                                     "M1,A1,2024-01-05,100,静安店\nM1,A1,2024-01-05,20,\n")], "t")
    ingest(store, [write("narrow.csv", "会员ID,订单号,支付时间,实付金额\n"
                                       "M1,A1,2024-01-05,100\nM1,A1,2024-01-05,20\nM1,A1,2024-01-09,-20\n")], "t")
    # one stored line had no store: nothing says which the new lines belong to, so none is guessed
    assert rows(store, "order_lines", "store", "amount") == [(None,), (None,), (None,)]


def test_bare_lines_of_an_older_narrower_export_are_not_added_twice(store, write):
    ingest(store, [write("wide.csv", "会员ID,支付时间,实付金额,门店\nM1,2024-01-05 10:00,30,静安店\n")], "t")
    again = ingest(store, [write("narrow.csv", "会员ID,支付时间,实付金额\nM1,2024-01-05 10:00,30\n")], "t")
    assert counts(again) == (0, 0, 1)
    assert revenue(store) == 30.0


BARE = "会员ID,支付时间,实付金额\n"  # no order number: every line is an order of its own


def test_lines_without_an_order_id_identical_to_a_stored_line_are_skipped(store, write):
    ingest(store, [write("a.csv", BARE + "M1,2024-01-05 10:00,30\nM2,2024-01-06 11:00,40\n")], "t")
    # M1's line again (skipped), twice more of M2's (one skipped: stored once, so one is new), a new one
    again = ingest(store, [write("b.csv", BARE + "M1,2024-01-05 10:00,30\nM2,2024-01-06 11:00,40\n"
                                                 "M2,2024-01-06 11:00,40\nM3,2024-01-07 12:00,50\n")], "t")
    assert counts(again) == (2, 0, 2)
    assert rows(store, "order_lines", "member_id, amount", "line_id") == [
        ("M1", D("30.00")), ("M2", D("40.00")), ("M2", D("40.00")), ("M3", D("50.00"))]
    # each line its own order, named by its load number: after the 2 stored lines, rows 3 and 4 of b.csv
    assert [r[1] for r in order_rows(store)] == ["L1\u00a0", "L2\u00a0", "L5\u00a0", "L6\u00a0"]
    assert counts(ingest(store, [write("b2.csv", (BARE + "M1,2024-01-05 10:00,30\n"))], "t")) == (0, 0, 1)


def test_a_real_order_id_shaped_like_a_line_number_stays_its_own_order(store, write):
    # M1's real order "L2" and M1's line without an order number, loaded as line 2: two orders
    path = write("a.csv", HEAD + "M1,L2,2024-01-05,100,奶粉\nM1,,2024-01-06,5,湿巾\n")
    assert counts(ingest(store, [path], "t")) == (2, 0, 0)
    assert order_rows(store) == [("M1", "L2", D("100.00"), 1), ("M1", "L2\u00a0", D("5.00"), 1)]
    assert counts(ingest(store, [path], "t")) == (0, 0, 2)  # and the same file again changes nothing
    assert revenue(store) == 105.0


def test_the_same_lines_without_then_with_order_ids_count_once_either_way(store, write):
    with_ids = HEAD + "M1,A1,2024-01-05,100,奶粉\nM1,A1,2024-01-05,20,湿巾\n"
    without = "会员ID,支付时间,实付金额,品类\nM1,2024-01-05,100,奶粉\nM1,2024-01-05,20,湿巾\n"
    ingest(store, [write("a.csv", with_ids)], "t")
    assert counts(ingest(store, [write("b.csv", without)], "t")) == (0, 0, 2)  # each bare line is stored
    assert revenue(store) == 120.0 and [r[:2] for r in order_rows(store)] == [("M1", "A1")]
    # the other way round: the order takes its two bare lines (updated, not new), nothing twice
    ingest(store, [write("c.csv", without)], "u")
    again = ingest(store, [write("d.csv", with_ids)], "u")
    assert counts(again) == (0, 1, 0)
    assert revenue(store, "u") == 120.0 and order_rows(store, "u") == [("M1", "A1", D("120.00"), 2)]
    # a third, real line of the order stays one of its lines; a bare line of another day stays its own order
    ingest(store, [write("e.csv", "会员ID,支付时间,实付金额,品类\nM1,2024-02-01,7,湿巾\n")], "u")
    ingest(store, [write("f.csv", with_ids + "M1,A1,2024-01-05,5,湿巾\n")], "u")
    assert [(r[1].strip(), r[2]) for r in order_rows(store, "u")] == [("A1", D("125.00")), ("L5", D("7.00"))]


def test_identical_bare_lines_over_two_files_of_one_import_count_as_the_most_either_has(store, write):
    one = write("one.csv", BARE + "M1,2024-01-05 10:00,30\nM1,2024-01-05 10:00,30\n")
    two = write("two.csv", BARE + "M1,2024-01-05 10:00,30\nM1,2024-01-05 10:00,30\nM1,2024-01-05 10:00,30\n"
                                  "M2,2024-01-05 10:00,30\n")
    result = ingest(store, [one, two], "t")
    # M1: 2 from one.csv, and from two.csv (it has 3) its third; M2. Two of two.csv's are one.csv's again.
    assert counts(result) == (4, 0, 2)
    assert rows(store, "order_lines", "member_id", "line_id") == [("M1",), ("M1",), ("M1",), ("M2",)]


def test_replace_still_replaces_the_whole_table(store, write):
    ingest(store, [write("jan_feb.csv", JAN_FEB)], "t")
    result = ingest(store, [write("feb_mar.csv", FEB_MAR)], "t", replace=True)
    assert counts(result) == (2, 0, 0)
    assert [r[:2] for r in order_rows(store)] == [("M1", "A2"), ("M3", "C1")]


MEMBERS_V1 = "会员ID,性别,会员等级,注册日期\nM1,女,金卡,2023-01-01\nM2,男,,2023-02-01\n"
# M1 upgraded; M2's tier now known, gender left empty (keeps 男); M9 new
MEMBERS_V2 = "会员ID,性别,会员等级,注册日期\nM1,女,钻石,2023-01-01\nM2,,银卡,2023-02-01\nM9,男,普通,2024-01-01\n"


def test_members_upsert_field_by_field(store, write):
    ingest(store, [write("o.csv", JAN_FEB)], "t")
    first = ingest(store, [write("m1.csv", MEMBERS_V1)], "t", kind="members")
    assert counts(first) == (2, 0, 0)
    assert counts(ingest(store, [write("m1.csv", MEMBERS_V1)], "t", kind="members")) == (0, 0, 2)
    second = ingest(store, [write("m2.csv", MEMBERS_V2)], "t", kind="members")
    assert counts(second) == (1, 2, 0)
    assert rows(store, "members_source", "member_id, gender, member_tier", "member_id") == [
        ("M1", "F", "钻石"), ("M2", "M", "银卡"), ("M9", "M", "普通")]  # one row per member
    assert rows(store, "members", "member_id, gender, member_tier, in_members_file", "member_id") == [
        ("M1", "F", "钻石", True), ("M2", "M", "银卡", True), ("M9", "M", "普通", True)]
    assert counts(ingest(store, [write("m2.csv", MEMBERS_V2)], "t", kind="members")) == (0, 0, 3)


def test_nps_responses_by_member_and_day(store, write):
    head = "会员ID,提交答卷时间,推荐评分\n"
    ingest(store, [write("o.csv", JAN_FEB)], "t")
    assert counts(ingest(store, [write("n1.csv", head + "M1,2024-01-10,9\nM2,2024-01-11,3\n")], "t", kind="nps")) \
        == (2, 0, 0)
    # M2's day now holds two answers (both kept, in place of the stored 3); M1 answered again another day
    result = ingest(store, [write("n2.csv", head + "M1,2024-01-10,9\nM2,2024-01-11,5\nM2,2024-01-11,6\n"
                                                   "M1,2024-02-10,10\n")], "t", kind="nps")
    assert counts(result) == (1, 1, 1)
    assert rows(store, "nps", "member_id, survey_date::VARCHAR, score", "member_id, survey_date, score") == [
        ("M1", "2024-01-10", 9), ("M1", "2024-02-10", 10), ("M2", "2024-01-11", 5), ("M2", "2024-01-11", 6)]
    again = ingest(store, [write("n2.csv", head + "M1,2024-01-10,9\nM2,2024-01-11,5\nM2,2024-01-11,6\n"
                                                  "M1,2024-02-10,10\n")], "t", kind="nps")
    assert counts(again) == (0, 0, 3)


def test_spend_by_period_and_channel_an_empty_channel_being_one(store, write):
    ingest(store, [write("o.csv", JAN_FEB)], "t")
    head = "月份,营销费用,渠道\n"
    assert counts(ingest(store, [write("s1.csv", head + "2024-01,500,天猫\n2024-01,300,\n")], "t", kind="spend")) \
        == (2, 0, 0)
    result = ingest(store, [write("s2.csv", head + "2024-01,500,天猫\n2024-01,350,\n2024-02,200,\n")], "t",
                    kind="spend")
    assert counts(result) == (1, 1, 1)
    assert rows(store, "spend", "period::VARCHAR, channel, spend", "period, channel NULLS FIRST") == [
        ("2024-01-01", None, D("350.00")), ("2024-01-01", "天猫", D("500.00")), ("2024-02-01", None, D("200.00"))]
    # a month's spend per campaign: several rows of one key, all kept (300 in all), and counted once
    per_campaign = write("s3.csv", "月份,渠道,广告系列,营销费用\n2024-03,抖音,A,100\n2024-03,抖音,B,200\n")
    assert counts(ingest(store, [per_campaign], "t", kind="spend")) == (1, 0, 0)
    assert counts(ingest(store, [per_campaign], "t", kind="spend")) == (0, 0, 1)
    assert store.query(f"SELECT sum(spend) FROM {store.dataset('t').table('spend')} "
                       "WHERE channel = '抖音'").rows() == [(D("300.00"),)]


def test_parts_of_several_kinds_count_their_own_records(store, write):
    ingest(store, [write("o.csv", JAN_FEB)], "t")
    results = ingest_parts(store, [Part("orders", [write("o2.csv", FEB_MAR)]),
                                   Part("members", [write("m.csv", MEMBERS_V1)])], "t")
    assert [counts(r) for r in results] == [(1, 1, 0), (2, 0, 0)]
    assert results[0].summary()["new"] == 1 and results[1].summary()["new"] == 2


# Exports filtered by line date (each month holds the lines dated in it): a refund in February of a
# January order arrives alone in the February file.
JAN_LINES = HEAD + "M1,A1,2024-01-05,100,奶粉\nM2,B1,2024-01-20,50,奶粉\n"
FEB_LINES = HEAD + "M1,A1,2024-02-03,-30,奶粉\nM3,C1,2024-02-10,60,奶粉\n"


def test_a_refund_alone_in_a_later_months_export_adds_to_its_order_and_keeps_the_sale(store, write):
    ingest(store, [write("jan.csv", JAN_LINES)], "t")
    feb = ingest(store, [write("feb.csv", FEB_LINES)], "t")
    # February covers 02-03 .. 02-10: A1's January line is outside it, kept; the refund is added
    assert counts(feb) == (1, 1, 0)  # C1 new; A1 updated (a line added)
    assert order_rows(store) == [("M1", "A1", D("70.00"), 2), ("M2", "B1", D("50.00"), 1),
                                 ("M3", "C1", D("60.00"), 1)]
    assert revenue(store) == 180.0  # 100 − 30 + 50 + 60
    # either month again changes nothing
    assert counts(ingest(store, [write("feb.csv", FEB_LINES)], "t")) == (0, 0, 2)
    assert counts(ingest(store, [write("jan.csv", JAN_LINES)], "t")) == (0, 0, 2)
    assert revenue(store) == 180.0


def test_two_months_of_line_date_exports_in_one_import_keep_both_lines(store, write):
    result = ingest(store, [write("jan.csv", JAN_LINES), write("feb.csv", FEB_LINES)], "t")
    assert counts(result) == (3, 0, 0)  # A1 (both months' lines), B1, C1
    assert order_rows(store) == [("M1", "A1", D("70.00"), 2), ("M2", "B1", D("50.00"), 1),
                                 ("M3", "C1", D("60.00"), 1)]


def test_a_later_export_covering_an_orders_dates_replaces_its_lines_there(store, write):
    ingest(store, [write("jan.csv", JAN_LINES), write("feb.csv", FEB_LINES)], "t")
    # a re-export of January (01-05 .. 01-20) where A1's sale was corrected to 90: the January line
    # is replaced, February's refund stays
    fixed = ingest(store, [write("jan2.csv", HEAD + "M1,A1,2024-01-05,90,奶粉\nM2,B1,2024-01-20,50,奶粉\n")], "t")
    assert counts(fixed) == (0, 1, 1)
    assert rows(store, "order_lines", "order_id, order_date::VARCHAR, amount", "order_id, order_date") == [
        ("A1", "2024-01-05", D("90.00")), ("A1", "2024-02-03", D("-30.00")), ("B1", "2024-01-20", D("50.00")),
        ("C1", "2024-02-10", D("60.00"))]
