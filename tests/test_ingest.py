"""Ingest on small byte-level fixtures: every encoding, delimiter, date and amount form, bad rows
and files that are not data. Expected values are written out by hand from the fixture text."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from lib.ingest import IngestError, Note, Part, ingest, ingest_parts, preview

D = Decimal


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def lines(store, dataset: str = "t") -> list[tuple]:
    ds = store.dataset(dataset)
    return store.query(f"SELECT member_id, order_id, order_ts, amount FROM {ds.table('order_lines')} "
                       "ORDER BY line_id").rows()


def read_rejects(path: str) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# The same two order lines written every way an export can write them.
TWO_ROWS = [("M1", "A1", ts("2024-01-05 13:05"), D("1299.00")),
            ("M2", "A2", ts("2024-01-06 09:30"), D("12.50"))]
BASIC = '会员ID,订单号,支付时间,实付金额\nM1,A1,2024/1/5 13:05,"￥1,299.00"\nM2,A2,2024/1/6 9:30,12.50\n'

ENCODINGS = [
    ("utf-8", BASIC.encode("utf-8")),
    ("utf-8 with BOM", BASIC.encode("utf-8-sig")),
    ("gbk", BASIC.encode("gbk")),
    ("gb18030", BASIC.encode("gb18030")),
    ("utf-16 with BOM", BASIC.encode("utf-16")),
    ("utf-16-le without BOM", BASIC.encode("utf-16-le")),
    ("windows line ends", BASIC.replace("\n", "\r\n").encode("gbk")),
]


@pytest.mark.parametrize("label,data", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_encodings_load_the_same_rows(store, write, label, data):
    result = ingest(store, [write("orders.csv", data)], "t")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert result.rejects is None
    assert lines(store) == TWO_ROWS


DELIMITED = [
    ("comma", '会员ID,订单号,支付时间,实付金额\nM1,A1,2024-01-05 13:05,1299\nM2,A2,2024-01-06 09:30,12.5\n'),
    ("semicolon, decimal comma", "会员ID;订单号;支付时间;实付金额\nM1;A1;2024-01-05 13:05;1 299,00\n"
                                 "M2;A2;2024-01-06 09:30;12,50\n"),
    ("tab", "会员ID\t订单号\t支付时间\t实付金额\nM1\tA1\t2024-01-05 13:05\t1299.00\nM2\tA2\t2024-01-06 09:30\t12.50\n"),
    ("pipe", "会员ID|订单号|支付时间|实付金额\nM1|A1|2024-01-05 13:05|1,299.00\nM2|A2|2024-01-06 09:30|12.5\n"),
    ("title lines above the header", "订单明细报表\n导出时间：2024-02-01\n会员ID,订单号,支付时间,实付金额\n"
                                     "M1,A1,2024-01-05 13:05,1299\nM2,A2,2024-01-06 09:30,12.5\n"),
    ("quoted fields with comma and newline", '会员ID,订单号,支付时间,实付金额,备注\n'
                                             'M1,A1,2024-01-05 13:05,"1,299.00","送货上门,\n周末"\n'
                                             'M2,A2,2024-01-06 09:30,12.50,\n'),
]


@pytest.mark.parametrize("label,text", DELIMITED, ids=[d[0] for d in DELIMITED])
def test_delimiters_and_layouts(store, write, label, text):
    result = ingest(store, [write("orders.csv", text)], "t")
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert lines(store) == TWO_ROWS


DATES = [
    # (label, the two date cells, expected timestamps)
    ("iso with seconds", ("2024-01-05 13:05:00", "2024-01-13 00:00:00"), ("2024-01-05 13:05", "2024-01-13 00:00")),
    ("slashes, no padding", ("2024/1/5 13:05", "2024/1/13"), ("2024-01-05 13:05", "2024-01-13 00:00")),
    ("day-first decided by 13/01", ("05/01/2024", "13/01/2024"), ("2024-01-05 00:00", "2024-01-13 00:00")),
    ("month-first decided by 01/13", ("05/01/2024", "01/13/2024"), ("2024-05-01 00:00", "2024-01-13 00:00")),
    ("ambiguous column reads day-first", ("05/01/2024", "02/03/2024"), ("2024-01-05 00:00", "2024-03-02 00:00")),
    ("US with AM/PM", ("1/5/2024 1:05 PM", "1/13/2024 9:00 AM"), ("2024-01-05 13:05", "2024-01-13 09:00")),
    # 45296 = 2024-01-05 in Excel's day count (1899-12-30 + 45296 days); .5 = noon.
    ("excel serial days", ("45296.5", "45304"), ("2024-01-05 12:00", "2024-01-13 00:00")),
    ("iso T with zone, kept as written", ("2024-01-05T13:05:00+08:00", "2024-01-13T00:00:00Z"),
     ("2024-01-05 13:05", "2024-01-13 00:00")),
    ("chinese", ("2024年1月5日 13:05", "2024年1月13日"), ("2024-01-05 13:05", "2024-01-13 00:00")),
    ("compact", ("20240105", "20240113"), ("2024-01-05 00:00", "2024-01-13 00:00")),
    # 1704459900 s after 1970-01-01 = 2024-01-05 13:05:00.
    ("unix seconds and milliseconds", ("1704459900", "1705104000000"), ("2024-01-05 13:05", "2024-01-13 00:00")),
]


@pytest.mark.parametrize("label,cells,expected", DATES, ids=[d[0] for d in DATES])
def test_date_forms(store, write, label, cells, expected):
    text = f"会员ID,下单时间,金额\nM1,{cells[0]},1\nM2,{cells[1]},2\n"
    result = ingest(store, [write("orders.csv", text)], "t")
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert [r[2] for r in lines(store)] == [ts(e) for e in expected]


AMOUNTS = [
    ("yuan sign and grouping", '"￥1,299.00"', D("1299.00")),
    ("half-width yen", "¥88", D("88.00")),
    ("dollar", "$12.50", D("12.50")),
    ("word units", "RMB 100元", D("100.00")),
    ("parentheses are negative", "(12.00)", D("-12.00")),
    ("trailing minus", "12.00-", D("-12.00")),
    ("unicode minus", "−5", D("-5.00")),
    ("spaces around", "  42.1 ", D("42.10")),
]


@pytest.mark.parametrize("label,cell,expected", AMOUNTS, ids=[a[0] for a in AMOUNTS])
def test_amount_forms(store, write, label, cell, expected):
    text = f"会员ID,支付时间,实付金额\nM1,2024-01-05,{cell}\n"
    assert ingest(store, [write("orders.csv", text)], "t").rows_loaded == 1
    assert lines(store)[0][3] == expected


def test_decimal_comma_with_dot_grouping(store, write):
    text = "会员ID;支付时间;金额\nM1;2024-01-05;1.299,50\nM2;2024-01-05;7,5\n"
    result = ingest(store, [write("orders.csv", text)], "t")
    assert [r[3] for r in lines(store)] == [D("1299.50"), D("7.50")]
    # a Chinese amount header without a sign: yuan, said once, when the dataset takes it
    assert result.notes == [Note("decimal_comma", {"file": "orders.csv", "column": "金额"}),
                            Note("currency_found", {"currency": "¥ CNY"})]
    # the command line prints the English text, the page either language
    assert str(result.notes[0]) == "orders.csv: 金额 uses a decimal comma (1 299,50 = 1299.50)"
    assert result.notes[0].text("zh") == "orders.csv：「金额」以逗号作小数点（1 299,50 = 1299.50）"


def test_bad_rows_are_rejected_unchanged_with_reasons(store, write):
    text = ("会员ID,订单号,支付时间,实付金额,渠道\n"
            "M1,A1,2024/1/5 13:05,100,门店\n"        # good
            ",A2,2024/1/6,20,门店\n"                 # no member
            "M3,A3,not a date,abc,App\n"             # two bad values
            "138****5678,A4,2024/1/7,30,App\n"       # masked phone
            "1.38E+10,A5,2024/1/7,30,App\n"          # id mangled by Excel
            "M6,A6,2024/1/8,5\n"                     # a field short
            "M7,A7,2024/1/9,7,天猫,extra\n"          # a field too many
            "M8,A8,2024/1/10,,天猫\n"                # no amount
            "M9,A9,2024/1/11,9,天猫\n")              # good
    result = ingest(store, [write("orders.csv", text, "gbk")], "t")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (9, 2, 7)
    assert [r[0] for r in lines(store)] == ["M1", "M9"]
    rejected = read_rejects(result.rejects)
    assert [(r["会员ID"], r["reason"]) for r in rejected] == [
        ("", "Member ID is empty"),
        ("M3", "Order date: cannot read 'not a date' as a date; Amount (net paid): cannot read 'abc' as an amount"),
        ("138****5678", "Member ID '138****5678' is masked and cannot tell members apart"),
        ("1.38E+10", "Member ID '1.38E+10' was turned into a number by Excel; export it as text"),
        ("M8", "Amount (net paid) is empty"),
        ("", "line 7: 4 fields where the header has 5"),
        ("", "line 8: 6 fields where the header has 5"),
    ]
    # Rejected rows keep their source text exactly, and malformed lines keep the whole line.
    assert rejected[1] == {"会员ID": "M3", "订单号": "A3", "支付时间": "not a date", "实付金额": "abc",
                           "渠道": "App", "reason": rejected[1]["reason"], "raw_line": ""}
    assert [r["raw_line"] for r in rejected[5:]] == ["M6,A6,2024/1/8,5", "M7,A7,2024/1/9,7,天猫,extra"]


def test_undecodable_bytes_reject_only_their_row(store, write):
    good = "会员ID,支付时间,金额\nM1,2024-01-05,1\n".encode("gb18030")
    bad_row = b"M\xff\xfe2,2024-01-06,2\n"  # not valid GB18030
    result = ingest(store, [write("orders.csv", good + bad_row)], "t")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert read_rejects(result.rejects)[0]["reason"] == "has bytes that are not valid gb18030"


def test_no_order_id_makes_every_line_an_order(store, write):
    text = "会员ID,支付时间,金额\nM1,2024-01-05,10\nM1,2024-01-05,20\n"
    ingest(store, [write("orders.csv", text)], "t")
    ds = store.dataset("t")
    # named by the load number, ending in a no-break space no id read from a file can end in
    assert store.query(f"SELECT order_id, net_amount FROM {ds.table('orders')} ORDER BY order_id").rows() == [
        ("L1\u00a0", D("10.00")), ("L2\u00a0", D("20.00"))]


def test_amount_from_quantity_and_unit_price(store, write):
    # UCI Online Retail's layout: no amount column; a cancellation has a negative quantity.
    text = ("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
            "536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom\n"
            "C536379,D,Discount,-1,12/13/2010 9:41,27.5,14527,United Kingdom\n")
    result = ingest(store, [write("retail.csv", text)], "t")
    assert result.rows_loaded == 2
    assert lines(store) == [("17850", "536365", ts("2010-12-01 08:26"), D("15.30")),  # 6 × 2.55
                            ("14527", "C536379", ts("2010-12-13 09:41"), D("-27.50"))]  # -1 × 27.5


def test_order_total_column_counts_once_per_order(store, write):
    # 买家实际支付金额 is the order's total, repeated on each of its lines (天猫).
    text = ("订单编号,买家会员名,订单付款时间,买家实际支付金额,宝贝标题\n"
            "T1,buyer1,2024-01-05 10:00,300,奶粉\n"
            "T1,buyer1,2024-01-05 10:00,300,纸尿裤\n"
            "T2,buyer2,2024-01-06 10:00,50,玩具\n")
    ingest(store, [write("tmall.csv", text)], "t")
    ds = store.dataset("t")
    assert store.query(f"SELECT order_id, net_amount, lines FROM {ds.table('orders')} ORDER BY 1").rows() == [
        ("T1", D("300.00"), 2), ("T2", D("50.00"), 1)]


def test_discount_given_as_share_paid_becomes_money_off(store, write):
    text = "会员ID,支付时间,实付金额,折扣\nM1,2024-01-05,80,8折\nM2,2024-01-05,95,0.95\n"
    result = ingest(store, [write("orders.csv", text)], "t")
    ds = store.dataset("t")
    # paid 80 at 8折 = list 100, so 20 off; paid 95 at 0.95 = list 100, so 5 off.
    assert store.query(f"SELECT discount FROM {ds.table('order_lines')} ORDER BY line_id")["discount"].to_list() == [
        D("20.00"), D("5.00")]
    assert result.notes[0] == Note("discount_share", {"file": "orders.csv", "column": "折扣"})
    assert str(result.notes[0]) == ("orders.csv: 折扣 holds the share paid (0.95, 8折); "
                                    "converted to the amount taken off")


def test_mapping_overrides(store, write):
    text = "cust,when,paid,memo\nM1,2024-01-05,10,x\n"
    with pytest.raises(IngestError, match="no column for member_id"):
        ingest(store, [write("orders.csv", text)], "t")
    result = ingest(store, [write("orders.csv", text)], "t",
                    overrides={"cust": "member_id", "when": "order_date", "paid": "amount"})
    assert result.rows_loaded == 1 and result.files[0].mapping == {
        "cust": "member_id", "when": "order_date", "paid": "amount"}
    with pytest.raises(IngestError, match="'nonsense' is not a field of orders"):
        ingest(store, [write("orders.csv", text)], "t", overrides={"cust": "nonsense"})
    with pytest.raises(IngestError, match="has no column 'missing'"):
        ingest(store, [write("orders.csv", text)], "t", overrides={"missing": "member_id"})


def test_dropping_a_column_with_dash(store, write):
    # 日期 would be taken as the order date; the user says the paid time is 付款时间 and drops 日期.
    text = "会员ID,日期,备用时间,金额\nM1,2020-01-01,2024-01-05 08:00,10\n"
    ingest(store, [write("orders.csv", text)], "t", overrides={"日期": "-", "备用时间": "order_date"})
    assert lines(store)[0][2] == ts("2024-01-05 08:00")


def test_excel_sheet_with_title_rows_and_date_cells(store, tmp_path):
    import xlsxwriter

    path = tmp_path / "members.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("说明")  # an empty first sheet: skipped
    sheet = book.add_worksheet("会员资料")
    sheet.write(0, 0, "会员资料导出")
    for i, header in enumerate(["会员ID", "注册时间", "性别", "出生年份", "会员等级"]):
        sheet.write(2, i, header)
    date_cell = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_number(3, 0, 1001)
    sheet.write_datetime(3, 1, datetime(2023, 3, 8), date_cell)
    sheet.write_row(3, 2, ["女", 1992, "金卡会员"])
    sheet.write_row(4, 0, ["M2", "2023/4/1", "男", "1988", "普通会员"])
    book.close()
    result = ingest(store, [path], "t", kind="members")
    assert (result.rows_read, result.rows_loaded, result.members) == (2, 2, 2)
    ds = store.dataset("t")
    assert store.query(f"SELECT member_id, signup_date::VARCHAR, gender, birth_year, member_tier "
                       f"FROM {ds.table('members')} ORDER BY 1").rows() == [
        ("1001", "2023-03-08", "F", 1992, "金卡会员"), ("M2", "2023-04-01", "M", 1988, "普通会员")]


def test_parquet(store, tmp_path):
    path = tmp_path / "orders.parquet"
    pl.DataFrame({"Customer ID": ["M1", "M2"], "Order Date": [ts("2024-01-05 13:05"), ts("2024-01-06 09:30")],
                  "Sales": [1299.0, 12.5], "Order ID": ["A1", "A2"]}).write_parquet(path)
    assert ingest(store, [path], "t").rows_loaded == 2
    assert lines(store) == TWO_ROWS


NOT_DATA = [
    ("binary", bytes(range(256)) * 20, "holds binary data"),
    ("empty", b"", "is empty"),
    ("prose", "Dear customer,\nthank you for your order.\n".encode(), "no column for member_id"),
    ("one column", "hello\nworld\n".encode(), r"no column for member_id \(columns: hello\)"),
    ("old excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Excel .xls"),
    ("header only", "会员ID,支付时间,金额\n".encode(), "a header but no data rows"),
    ("broken xlsx", b"PK\x03\x04 not really a zip", "not a readable Excel workbook"),
]


@pytest.mark.parametrize("label,data,message", NOT_DATA, ids=[n[0] for n in NOT_DATA])
def test_files_that_are_not_data_fail_in_one_line(store, write, label, data, message):
    with pytest.raises(IngestError, match=message) as info:
        ingest(store, [write("x.csv", data)], "t")
    assert "\n" not in str(info.value)
    assert store.find("t") is None  # nothing was created


def test_missing_file(store, tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        ingest(store, [tmp_path / "nope.csv"], "t")


def test_all_rows_bad_is_a_failure_that_still_writes_rejects(store, write):
    text = "会员ID,支付时间,金额\nM1,someday,1\nM2,never,2\n"
    with pytest.raises(IngestError, match=r"no row could be loaded \(2 rejected; first reason: "
                                          r"Order date: cannot read 'someday' as a date\)") as info:
        ingest(store, [write("orders.csv", text)], "t")
    rejects = info.value.rejects  # the file is named in the message too, for the command line
    assert str(info.value).endswith(f"rejected rows: {rejects}")
    assert [r["会员ID"] for r in read_rejects(rejects)] == ["M1", "M2"]


def test_a_failure_other_than_no_row_loaded_has_no_rejects(store, write):
    with pytest.raises(IngestError, match="no column for member_id") as info:
        ingest(store, [write("orders.csv", "who,支付时间,金额\nM1,2024-01-05,1\n")], "t")
    assert info.value.rejects is None


def test_several_files_append_and_replace(store, write):
    a = write("a.csv", "会员ID,支付时间,金额\nM1,2024-01-05,1\n")
    b = write("b.csv", "客户ID,日期,销售额\nM2,2024-01-06,2\nM3,2024-01-07,x\n")
    result = ingest(store, [a, b], "t")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    rejected = read_rejects(result.rejects)
    assert rejected == [{"客户ID": "M3", "日期": "2024-01-07", "销售额": "x",
                         "reason": "Amount (net paid): cannot read 'x' as an amount", "source_file": "b.csv",
                         "会员ID": "", "支付时间": "", "金额": ""}]
    again = ingest(store, [a], "t")  # without replace: merged, and M1's line is stored already
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert [r[0] for r in lines(store)] == ["M1", "M2"]
    assert store.dataset("t").version == 2  # nothing changed: the same version, its results still good
    ingest(store, [write("c.csv", "会员ID,支付时间,金额\nM4,2024-01-08,4\n")], "t")  # added
    assert [r[0] for r in lines(store)] == ["M1", "M2", "M4"]
    assert store.dataset("t").version == 3
    ingest(store, [b], "t", replace=True)
    assert [r[0] for r in lines(store)] == ["M2"]


# -- several kinds in one transaction (ingest_parts) ------------------------------------------

PART_ORDERS = "会员ID,订单号,支付时间,实付金额\nM1,A1,2024-01-05,100\nM2,A2,2024-01-06,x\n"
PART_MEMBERS = "会员ID,性别\nM1,女\nM9,男\n"
MASKED_MEMBERS = "会员ID,性别\n138****5678,女\n"  # a masked phone: no row can be loaded


def test_parts_of_every_kind_load_in_one_go(store, write):
    results = ingest_parts(store, [
        Part("orders", [write("o.csv", PART_ORDERS)]),
        Part("members", [write("m.csv", PART_MEMBERS)]),
        Part("nps", [write("n.csv", "会员ID,提交答卷时间,推荐评分\nM1,2024-01-10,9\n")]),
        Part("spend", [write("s.csv", "月份,营销费用\n2024-01,500\n")])], "t")
    # each part its own rows (A2's amount 'x' is rejected) and its own rejects file
    assert [(r.kind, r.rows_read, r.rows_loaded) for r in results] == [
        ("orders", 2, 1), ("members", 2, 2), ("nps", 1, 1), ("spend", 1, 1)]
    assert [r.rejects is not None for r in results] == [True, False, False, False]
    # the dataset's totals after the whole import: members M1 and M9 (M2's only line was
    # rejected), one order (A1)
    assert {(r.members, r.orders) for r in results} == {(2, 1)}
    counts = store.table_counts(store.dataset("t"))
    assert (counts["order_lines"], counts["members_source"], counts["nps"], counts["spend"]) == (1, 2, 1, 1)
    assert store.dataset("t").version == 2  # created at 1, one import: one bump


def test_a_failing_part_leaves_the_dataset_as_it_was(store, write):
    ingest(store, [write("o.csv", PART_ORDERS)], "t")
    before = (lines(store), store.dataset("t").version)
    with pytest.raises(IngestError, match="no row could be loaded") as info:
        ingest_parts(store, [Part("orders", [write("more.csv", "会员ID,支付时间,金额\nM5,2024-02-01,7\n")]),
                             Part("members", [write("masked.csv", MASKED_MEMBERS)])], "t")
    assert info.value.part == 1  # the members part failed; the good orders part was not saved either
    assert [r["会员ID"] for r in read_rejects(info.value.rejects)] == ["138****5678"]
    assert (lines(store), store.dataset("t").version) == before
    # into a new dataset: not even the dataset is created
    with pytest.raises(IngestError):
        ingest_parts(store, [Part("orders", [write("more.csv", "会员ID,支付时间,金额\nM5,2024-02-01,7\n")]),
                             Part("members", [write("masked.csv", MASKED_MEMBERS)])], "new")
    assert store.find("new") is None


def test_a_failed_import_leaves_only_the_rejects_its_error_names(store, write, tmp_path):
    folder = tmp_path / "rejects"
    with pytest.raises(IngestError, match="no row could be loaded") as info:
        ingest_parts(store, [Part("orders", [write("o.csv", PART_ORDERS)]),  # A2 rejected: it had a rejects file
                             Part("members", [write("masked.csv", MASKED_MEMBERS)])], "t", rejects_dir=folder)
    # The orders part's file listed rows of an import that did not happen, and nothing names it:
    # gone. The members part's file is what the error points at: kept, to be fixed and retried.
    assert list(folder.iterdir()) == [info.value.rejects]
    assert [r["会员ID"] for r in read_rejects(info.value.rejects)] == ["138****5678"]


def test_a_failure_while_saving_rolls_back_every_part(store, write, tmp_path, monkeypatch):
    import duckdb

    import lib.ingest

    ingest(store, [write("first.csv", "会员ID,支付时间,金额\nM0,2024-01-01,1\n")], "t")
    ds = store.dataset("t")
    before = (lines(store), store.table_counts(ds), ds.version)
    real_insert, calls, lines_at_failure = lib.ingest._insert, [], []

    def insert_then_fail(cur, ds, kind, good, given):
        """The orders part goes in for real; the members part meets a full disk, in the same transaction."""
        calls.append(kind)
        if kind == "members":
            lines_at_failure.append(cur.sql(f"SELECT count(*) FROM {ds.table('order_lines')}").fetchall()[0][0])
            raise duckdb.IOException("No space left on device")
        return real_insert(cur, ds, kind, good, given)

    monkeypatch.setattr(lib.ingest, "_insert", insert_then_fail)
    folder = tmp_path / "rejects"
    parts = [Part("orders", [write("o.csv", PART_ORDERS)]), Part("members", [write("m.csv", PART_MEMBERS)])]
    # the user gets one line saying nothing changed, not DuckDB's exception
    with pytest.raises(IngestError, match="^the import failed, nothing was changed: No space left on device$"):
        ingest_parts(store, parts, "t", rejects_dir=folder)
    assert calls == ["orders", "members"]
    # when the members part failed, the orders part's good line (A1) was in: M0's line + A1 = 2
    assert lines_at_failure == [2]
    ds = store.dataset("t")
    assert (lines(store), store.table_counts(ds), ds.version) == before  # all of it rolled back
    # A2's rejects file was written when the orders part was checked; the import failed, so it went
    assert list(folder.iterdir()) == []
    # into a new dataset: not even the dataset is created
    with pytest.raises(IngestError):
        ingest_parts(store, parts, "new", rejects_dir=folder)
    assert calls[2:] == ["orders", "members"] and lines_at_failure[1:] == [1]  # A1 was in, then undone
    assert store.find("new") is None
    assert [d.name for d in store.datasets()] == ["t"]


def test_replace_empties_each_kind_once_for_all_its_parts(store, write):
    ingest(store, [write("old.csv", "会员ID,支付时间,金额\nOLD,2024-01-01,1\n")], "t")
    ingest_parts(store, [Part("orders", [write("a.csv", "会员ID,支付时间,金额\nA,2024-01-02,2\n")]),
                         Part("orders", [write("b.csv", "会员ID,支付时间,金额\nB,2024-01-03,3\n")])],
                 "t", replace=True)
    assert [r[0] for r in lines(store)] == ["A", "B"]  # OLD replaced; the second part does not replace the first


def test_progress_names_each_step(store, write):
    steps = []
    ingest_parts(store, [Part("orders", [write("a.csv", PART_ORDERS)]), Part("members", [write("m.csv", PART_MEMBERS)])],
                 "t", progress=lambda fraction, step: steps.append((round(fraction, 3), step)))
    # each part has 0.65 / 2 = 0.325 of the bar from 0.05: reading at its start, checking 80 % in
    assert [(f, s.code, s.values.get("file")) for f, s in steps] == [
        (0.05, "reading", "a.csv"), (0.31, "checking", "a.csv"),
        (0.375, "reading", "m.csv"), (0.635, "checking", "m.csv"),
        (0.75, "saving", None), (1.0, "done", None)]
    assert [s.text("zh") for _, s in steps[:2]] == ["读取 a.csv", "检查 a.csv 的数据"]


def test_preview_reads_the_start_and_suggests_a_mapping(write):
    p = preview(write("orders.csv", BASIC, "gbk"))
    assert p.headers == ["会员ID", "订单号", "支付时间", "实付金额"]
    assert p.rows.row(0) == ("M1", "A1", "2024/1/5 13:05", "￥1,299.00")
    assert p.mapping == {"会员ID": "member_id", "订单号": "order_id", "支付时间": "order_date",
                         "实付金额": "amount"}
    assert p.read_as == "CSV, gb18030, delimiter ','"


def test_nps_and_spend(store, write):
    nps = write("nps.csv", "会员ID,提交答卷时间,推荐评分\nM1,2025-03-04 10:22:31,9\nM2,2025-03-05,11\nM3,2025-03-06,7.5\n")
    result = ingest(store, [nps], "t", kind="nps")
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert [r["reason"] for r in read_rejects(result.rejects)] == [
        "Score (0–10): cannot read '11' as a score from 0 to 10", "Score (0–10): cannot read '7.5' as a score from 0 to 10"]
    spend = write("spend.csv", "月份,渠道,营销费用\n2024-01,天猫,\"12,000\"\n2024年2月,门店,800\n")
    ingest(store, [spend], "t", kind="spend")
    ds = store.dataset("t")
    assert store.query(f"SELECT period::VARCHAR, channel, spend FROM {ds.table('spend')} ORDER BY 1").rows() == [
        ("2024-01-01", "天猫", D("12000.00")), ("2024-02-01", "门店", D("800.00"))]


# -- edge cases found in review --------------------------------------------------------------

def test_oversized_numbers_reject_their_row(store, write):
    orders = "会员ID,支付时间,金额\nM1,2024-01-05,12345678901234567890\nM2,2024-01-05,5\n"
    result = ingest(store, [write("o.csv", orders)], "t")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert read_rejects(result.rejects)[0]["reason"] == "Amount (net paid): cannot read '12345678901234567890' as an amount"
    nps = "会员ID,提交时间,推荐评分\nM1,2024-01-05,99999999999\nM2,2024-01-05,9\n"
    assert ingest(store, [write("n.csv", nps)], "t", kind="nps").rows_rejected == 1


def test_a_very_long_field_is_data(store, write):
    note = "很" * 200_000  # over the csv module's default 128 KiB field limit
    result = ingest(store, [write("o.csv", f"会员ID,支付时间,金额,备注\nM1,2024-01-05,5,{note}\n")], "t")
    assert result.rows_loaded == 1


def test_title_lines_outnumbering_the_rows(store, write):
    text = "销售报表\n门店：全部\n会员ID,支付时间,金额\nM1,2024-01-05,5\n"
    assert ingest(store, [write("o.csv", text)], "t").rows_loaded == 1


def test_order_total_with_a_unit_and_a_rejected_first_line(store, write):
    text = ("订单编号,买家会员名,订单付款时间,买家实际支付金额(元),宝贝标题\n"
            "T1,b1,not a date,300,奶粉\n"        # rejected: T1's total must stay on its next line
            "T1,b1,2024-01-05 10:00,300,纸尿裤\n"
            "T2,b2,2024-01-06 10:00,50,玩具\n"
            "T2,b2,2024-01-06 10:00,,玩具\n")      # total written once per order
    result = ingest(store, [write("o.csv", text)], "t")
    assert (result.rows_loaded, result.rows_rejected) == (3, 1)
    ds = store.dataset("t")
    assert store.query(f"SELECT order_id, net_amount FROM {ds.table('orders')} ORDER BY 1").rows() == [
        ("T1", D("300.00")), ("T2", D("50.00"))]


def test_a_total_column_that_varies_within_an_order_is_a_line_amount(store, write):
    text = "Order ID,Customer ID,Order Date,Total\nA,c1,2024-01-05,10\nA,c1,2024-01-05,15\n"
    ingest(store, [write("o.csv", text)], "t")
    ds = store.dataset("t")
    assert store.query(f"SELECT net_amount FROM {ds.table('orders')}").item() == D("25.00")


def test_same_order_number_under_two_members_is_two_orders(store, write):
    text = "会员ID,订单号,支付时间,金额\nM1,A,2024-01-05,5\nM2,A,2024-01-05,7\n"
    assert ingest(store, [write("o.csv", text)], "t").orders == 2


def test_english_discount_of_small_amounts_stays_money(store, write):
    text = "Customer ID,Order Date,Sales,Discount\nc1,2024-01-05,100,0.50\n"
    ingest(store, [write("o.csv", text)], "t")
    ds = store.dataset("t")
    assert store.query(f"SELECT discount FROM {ds.table('order_lines')}").item() == D("0.50")


def test_canonical_field_names_and_one_column_members(store, write):
    text = "member_id,order_id,order_date,amount\nM1,A,2024-01-05,5\n"
    assert ingest(store, [write("o.csv", text)], "t").rows_loaded == 1
    assert ingest(store, [write("m.csv", "会员ID\nM1\nM2\n")], "t", kind="members").members == 2


def test_duplicate_headers_stay_apart(store, write):
    text = "会员ID,支付时间,金额,备注,备注,备注_2\nM1,2024-01-05,5,a,b,c\n"
    p = preview(write("o.csv", text))
    assert p.headers == ["会员ID", "支付时间", "金额", "备注", "备注_3", "备注_2"]
    assert ingest(store, [write("o.csv", text)], "t").rows_loaded == 1


def test_dataset_names_are_trimmed(store, write):
    path = write("o.csv", "会员ID,支付时间,金额\nM1,2024-01-05,5\n")
    ingest(store, [path], "pos")
    assert ingest(store, [path], "pos ").dataset == "pos"
    assert [d.name for d in store.datasets()] == ["pos"]


def test_temporary_folder_with_a_space_and_a_quote(store, write, tmp_path, monkeypatch):
    odd = tmp_path / "my tmp's"
    odd.mkdir()
    monkeypatch.setenv("TMPDIR", str(odd))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    assert ingest(store, [write("o.csv", "会员ID,支付时间,金额\nM1,2024-01-05,5\n")], "t").rows_loaded == 1


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(path)
    for name, grid in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def test_excel_picks_the_sheet_and_row_that_hold_the_orders(store, tmp_path):
    path = _workbook(tmp_path / "x.xlsx", {
        "说明": [["字段", "说明"], ["会员ID", "会员编号"], ["金额", "实付"]],   # an instructions sheet
        "订单": [["订单导出"], ["会员ID", "支付时间", "金额", None],          # a data column with no header
                 ["M1", "2024-01-05", 5, "备注1"], ["M2", "2024-01-06", 6, None]],
    })
    result = ingest(store, [path], "t")
    assert (result.rows_read, result.rows_loaded) == (2, 2)
    assert result.files[0].read_as == "XLSX, sheet 订单"
    assert preview(path).headers == ["会员ID", "支付时间", "金额", "column4"]


def test_rows_read_always_adds_up(store, write):
    for i, text in enumerate([BASIC, DELIMITED[0][1], "会员ID,支付时间,金额\nM1,x,1\nM2,2024-01-01,2\n,2024-01-01,3\n"]):
        r = ingest(store, [write(f"f{i}.csv", text)], f"t{i}")
        assert r.rows_read == r.rows_loaded + r.rows_rejected


def test_text_is_trimmed_of_spaces_only(store, write):
    # Full-width and no-break spaces around a value go; letters at the ends stay.
    text = "会员ID,支付时间,金额,商品名称\n\u3000tnr\u00a0,2024-01-05,5, nt \n"
    ingest(store, [write("o.csv", text)], "t")
    ds = store.dataset("t")
    assert store.query(f"SELECT member_id, product_name FROM {ds.table('order_lines')}").rows() == [("tnr", "nt")]


def test_birth_year_or_date_of_birth(store, write):
    text = "会员ID,出生日期\nM1,1990\nM2,1988-05-01\nM3,1899\n"
    result = ingest(store, [write("m.csv", text)], "t", kind="members")
    # 1899 is before MIN_BIRTH_YEAR: an optional value that cannot be read, left empty and counted
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert [str(n) for n in result.notes if n.code == "emptied"] == [
        "m.csv: 出生日期 had 1 value(s) that could not be read, left empty (the rows were loaded), e.g. '1899'"]
    ds = store.dataset("t")
    assert store.query(f"SELECT member_id, birth_year FROM {ds.table('members')} ORDER BY 1").rows() == [
        ("M1", 1990), ("M2", 1988), ("M3", None)]


def test_column_format_refuses_a_name_that_is_not_ours():
    # A header from the file must never reach SQL text: only generated staging names pass.
    import duckdb

    from lib import parsing

    with pytest.raises(ValueError, match="not a staging name"):
        parsing.column_format(duckdb.connect(), "raw_0", "c0) FROM x; DROP TABLE y; --", "money")


def test_parse_refuses_names_that_are_not_ours(tmp_path):
    # typed.parse writes the staging table, its output table, the positional columns and the
    # codec's name into SQL text: each must be ours (a hostile one is refused before any SQL).
    from dataclasses import replace

    import duckdb

    from lib import typed
    from lib.sources import Source

    good = Source(tmp_path / "o.csv", "csv", ["会员ID", "订单号", "日期", "金额"], "raw_0", 1, encoding="gb18030")
    mapping = {"会员ID": "member_id", "订单号": "order_id", "日期": "order_date", "金额": "amount"}
    con = duckdb.connect()
    for src, out in ((replace(good, table="raw_0; DROP TABLE x"), "final_0"), (good, "final_0 AS SELECT 1; --"),
                     (replace(good, encoding="utf-8' END; DROP TABLE x; --"), "final_0")):
        with pytest.raises(ValueError, match="not a staging name|not a codec name"):
            typed.parse(con, src, mapping, "orders", out)


# Values a plain cast or a usual date format could read differently from the full clean-up, if the
# fast paths were wrong: roundings at the 2nd and 6th decimal, more than 12 whole digits, signs,
# exponents, separators, spaces, currency, words, 1.38E+10, overflow.
HOSTILE_NUMBERS = ["59.00", "0.0049995", "0.005", "-0.005", "1.0000005", "2.675", "-2.675", "999999999999.999999",
                   "1234567890123.5", "9999999999999999.99", "1e3", "1e15", "1.38E+10", "+5", ".5", "5.", " 59.00 ",
                   "￥1,299.00", "(12.00)", "12-", "0x10", "1_000", "inf", "nan", "-0", "3", "3.0", "3.5", "", "无",
                   "99999999999999999999999", "10", "11", "-9007199254.740993", "\u300059.00", "\t59.00"]
HOSTILE_DATES = ["2024/1/5 13:05", " 2024/1/5 13:05 ", "2024/01/05 13:05", "2024/1/5", "2024-01-05T13:05:00+08:00",
                 "2024-01-05 13:05", "45292", "1704067200", "1704067200000", "20240105", "2024年1月5日 13:05",
                 "05/01/2024 13:05", "2024/13/5 13:05", "1900/1/5 13:05", "2024/1/5 25:05", "", "无",
                 "\u30002024/1/5 13:05", "\t2024-01-05 13:05", "2024-01-05T13:05:00Z", "2024-01-05 13:05:00.5",
                 "5/1/2024 1:05 PM", "2024.1.5", "2024-01", "202401", "20240105 13:05:00"]


@pytest.mark.parametrize("ftype", ["money", "number", "integer", "score", "timestamp", "date"])
def test_the_fast_paths_read_every_value_as_the_full_clean_up_does(ftype):
    import duckdb

    from lib import parsing

    con = duckdb.connect()
    parsing.install_macros(con)
    values = HOSTILE_DATES if ftype in ("timestamp", "date") else HOSTILE_NUMBERS
    con.execute("CREATE TABLE raw_0 AS SELECT unnest($v::VARCHAR[]) AS c0", {"v": values})
    # the detected format, and every format the detection can pick as the column's usual one
    every = parsing._YEAR_FIRST + parsing._day_month(True) + parsing._day_month(False)
    formats = [parsing.column_format(con, "raw_0", "c0", ftype)] + ([
        parsing.ColumnFormat(day_first=day_first, date_format=f) for f in every for day_first in (True, False)]
        if ftype in ("timestamp", "date") else [])
    for fmt in formats:
        fast, full = (con.sql(f"SELECT {parsing.value_sql('c0', ftype, fmt, fast=f)} FROM raw_0 ORDER BY rowid")
                      .fetchall() for f in (True, False))
        assert fast == full, fmt
    # the test means something: the fast paths took most values, and some values were read
    assert sum(v is not None for (v,) in fast) >= 5


def test_a_date_format_that_is_not_ours_never_reaches_sql():
    # The column's usual format is written into the SQL text: only our own constant formats pass.
    from lib import parsing

    with pytest.raises(ValueError, match="not one of the date formats"):
        parsing.value_sql("c0", "timestamp", parsing.ColumnFormat(date_format="%Y'); DROP TABLE x; --"))
    assert "try_strptime(c0, '%Y/%m/%d %H:%M')" in parsing.value_sql(
        "c0", "timestamp", parsing.ColumnFormat(date_format="%Y/%m/%d %H:%M"))


# -- ids written as floats (UCI's CustomerID) --------------------------------------------------

UCI_LIKE = ("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
            "536365,85123A,6,12/1/2010 8:26,2.55,17850.0\n"
            "536366,22633,6,12/1/2010 8:28,1.85,17850.0\n"
            "536367,84879,32,12/1/2010 8:34,1.69,13047.00\n")


def test_whole_number_ids_written_as_floats_read_as_integers_in_every_kind(store, write):
    result = ingest(store, [write("uci.csv", UCI_LIKE)], "t")
    assert {(n.code, n.values["column"]) for n in result.notes} >= {("integral_ids", "CustomerID")}
    assert str(next(n for n in result.notes if n.code == "integral_ids")) == (
        "uci.csv: CustomerID holds whole numbers written as decimals (17850.0); read as 17850")
    ds = store.dataset("t")
    assert store.query(f"SELECT DISTINCT member_id FROM {ds.table('order_lines')} ORDER BY 1").rows() == [
        ("13047",), ("17850",)]
    # a members file keyed 17850 meets the same member (no second member, no prospect)
    ingest(store, [write("m.csv", "Customer ID,Gender\n17850,F\n13047.0,M\n")], "t", kind="members")
    assert store.query(f"SELECT member_id, gender, first_order_date IS NOT NULL FROM {ds.table('members')} "
                       "ORDER BY 1").rows() == [("13047", "M", True), ("17850", "F", True)]
    ingest(store, [write("n.csv", "会员ID,提交答卷时间,推荐评分\n17850.0,2010-12-05,9\n")], "t", kind="nps")
    assert store.query(f"SELECT member_id FROM {ds.table('nps')}").rows() == [("17850",)]


def test_only_a_column_of_whole_numbers_is_read_as_integers(store, write):
    # M2 is not a number: the column is ids as written; 1.38E+10 is a number Excel mangled, rejected
    text = ("会员ID,订单号,支付时间,实付金额\n17850.0,A1.0,2024-01-05,10\nM2,A2,2024-01-06,20\n"
            "1.38E+10,A3,2024-01-07,30\n")
    result = ingest(store, [write("mixed.csv", text)], "t")
    assert not [n for n in result.notes if n.code == "integral_ids"]
    assert [r[:2] for r in lines(store)] == [("17850.0", "A1.0"), ("M2", "A2")]
    assert read_rejects(result.rejects)[0]["reason"] == (
        "Member ID '1.38E+10' was turned into a number by Excel; export it as text")


def test_an_unreadable_optional_value_is_emptied_not_a_rejected_row(store, write):
    # 17 of 60 rows were lost to "discount: cannot read '无'" before: optional values never reject
    text = ("会员ID,订单号,支付时间,实付金额,折扣,数量\nM1,A1,2024-01-05,100,无,2\nM2,A2,2024-01-06,50,5,N/A\n"
            "M3,A3,2024-01-07,30,无,1\nM4,A4,not a date,20,1,1\n")
    result = ingest(store, [write("o.csv", text)], "t")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)  # M4: a required date
    assert read_rejects(result.rejects)[0]["reason"] == "Order date: cannot read 'not a date' as a date"
    assert [str(n) for n in result.notes if n.code == "emptied"] == [
        "o.csv: 数量 had 1 value(s) that could not be read, left empty (the rows were loaded), e.g. 'N/A'",
        "o.csv: 折扣 had 2 value(s) that could not be read, left empty (the rows were loaded), e.g. '无'"]
    ds = store.dataset("t")
    assert store.query(f"SELECT member_id, amount, discount, quantity FROM {ds.table('order_lines')} "
                       "ORDER BY 1").rows() == [("M1", D("100.00"), None, 2.0), ("M2", D("50.00"), D("5.00"), None),
                                                ("M3", D("30.00"), None, 1.0)]


def test_an_amount_computed_from_an_unreadable_quantity_still_rejects_its_row(store, write):
    text = "会员ID,支付时间,数量,单价\nM1,2024-01-05,2,10\nM2,2024-01-06,两个,10\n"
    result = ingest(store, [write("o.csv", text)], "t")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)  # the amount is required
    assert read_rejects(result.rejects)[0]["reason"] == "Amount (net paid): quantity or unit price is missing"


# -- names of any length -----------------------------------------------------------------------

def test_a_long_chinese_dataset_name_with_rejects_writes_its_rejects_file(store, write):
    name = "华东区" * 26 + "门店"  # 80 characters, 240 bytes: with the suffix past a file system's 255
    result = ingest(store, [write("o.csv", "会员ID,支付时间,实付金额\nM1,2024-01-05,10\nM2,2024-01-06,x\n")], name)
    assert result.rows_rejected == 1
    rejects = Path(result.rejects)
    assert rejects.exists() and len(rejects.name.encode()) <= 255 and rejects.name.startswith("华东区")


@pytest.mark.parametrize("name,expected", [
    ("订单.csv", "订单.csv"),
    ("../../etc/passwd", "passwd"),                       # no folder part
    ("..", "file"),
    ("a\x00b\n.csv", "ab.csv"),                            # no control characters
    ("长" * 100 + ".csv", "长" * 65 + ".csv"),             # 65 × 3 + 4 = 199 bytes, cut at a character
])
def test_short_file_name(name, expected):
    from lib.sources import short_file_name

    assert short_file_name(name) == expected


def test_temp_folders_left_by_killed_imports_and_ended_sessions_are_swept(tmp_path, monkeypatch):
    import os
    import socket
    import subprocess
    import sys
    import time

    from lib import ingest as ingest_module

    monkeypatch.setattr(ingest_module.tempfile, "gettempdir", lambda: str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host, dead, living = socket.gethostname(), gone.stdout.strip(), str(os.getpid())
    staging, upload = ingest_module.STAGING_PREFIX, ingest_module.UPLOAD_PREFIX
    day_ago = time.time() - ingest_module.STALE_FOLDER_SECONDS - 60
    folders = {  # name: (owner, a day old?, swept?)
        f"{staging}dead": (f"{host} {dead}", False, True),           # a killed import
        f"{staging}ours": (f"{host} {living}", True, False),         # a running import, however long
        f"{staging}old": (None, True, True),                          # no owner, a day old
        f"{staging}new": (None, False, False),                        # no owner, recent
        f"{staging}elsewhere": (f"other-host {dead}", True, False),  # another container's (shared temp dir)
        f"{upload}dead": (f"{host} {dead}", False, True),            # a server stopped or killed
        f"{upload}idle": (f"{host} {living}", True, False),          # a session idle for a day: still its own
        f"{upload}live": (f"{host} {living}", False, False),         # a session at work
        f"{upload}elsewhere": (f"other-host {dead}", True, False),
    }
    for name, (owner, old, _) in folders.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "rows.csv").write_bytes(b"customer rows")
        if owner:
            (folder / ingest_module.OWNER_FILE).write_text(owner)
        if old:
            os.utime(folder, (day_ago, day_ago))
    assert ingest_module.sweep_temp_folders() == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, (_, _, swept) in folders.items() if not swept)


def test_a_folder_kept_by_a_session_goes_with_it(tmp_path, monkeypatch):
    import gc

    from lib import ingest as ingest_module

    monkeypatch.setattr(ingest_module.tempfile, "tempdir", str(tmp_path))
    session_state = {"data_tmp_kept": ingest_module.RemovedWhenDropped(
        ingest_module.owned_temp_folder(ingest_module.UPLOAD_PREFIX))}
    folder = session_state["data_tmp_kept"].folder
    (folder / "upload.csv").write_text("会员ID\nM1\n", encoding="utf-8")
    assert folder.parent == tmp_path and (folder / ingest_module.OWNER_FILE).exists()
    del session_state  # Streamlit drops a session's state: its uploads go with it
    gc.collect()
    assert not folder.exists()


def test_rejects_say_why_in_the_users_language_and_count_a_short_lines_fields(store, write):
    text = ("会员ID,订单号,支付时间,实付金额,渠道,门店,品类\n"
            ",A1,2024-01-05,10,天猫,静安,奶粉\n"                 # no member
            "M2,A2,2024-13-45,abc,天猫,静安,奶粉\n"              # a date and an amount that cannot be read
            "M3,A3,2024-01-07,30\n"                           # 4 fields under 7 headers
            "M4,A4,2024-01-08,40,天猫,静安,奶粉,多,余\n"           # 9 fields
            "M5,A5,2024-01-09,50,天猫,静安,奶粉\n")
    result = ingest(store, [write("o.csv", text)], "t", lang="zh")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (5, 1, 4)
    rejected = read_rejects(result.rejects)
    assert [r["reason"] for r in rejected] == [
        "会员ID为空",
        "下单/支付时间：无法把「2024-13-45」识别为日期；实付金额：无法把「abc」识别为金额",
        "第 4 行：有 4 个字段，表头有 7 个",
        "第 5 行：有 9 个字段，表头有 7 个"]
    assert rejected[2]["raw_line"] == "M3,A3,2024-01-07,30"   # the row kept as in the file
    english = ingest(store, [write("o.csv", text)], "u")
    assert [r["reason"] for r in read_rejects(english.rejects)][2:] == [
        "line 4: 4 fields where the header has 7", "line 5: 9 fields where the header has 7"]


def test_a_utf8_row_in_a_gbk_file_is_read_as_utf8_not_stored_as_mojibake(store, write):
    head_and_first = "会员ID,订单号,支付时间,实付金额,品类\nM1,A1,2024-01-05,10,纸尿裤\n".encode("gbk")
    pasted = "M2,A2,2024-01-06,20,奶粉\n".encode("utf-8")          # a row from another system
    last = "M3,A3,2024-01-07,30,湿巾\n".encode("gbk")
    result = ingest(store, [write("mixed.csv", head_and_first + pasted + last)], "t")
    assert (result.rows_read, result.rows_loaded) == (3, 3)
    assert [str(n) for n in result.notes if n.code == "utf8_rows"] == [
        "mixed.csv: 1 row(s) were written in UTF-8 in a gb18030 file; read as UTF-8, not as mojibake"]
    ds = store.dataset("t")
    assert store.query(f"SELECT member_id, category FROM {ds.table('order_lines')} ORDER BY 1").rows() == [
        ("M1", "纸尿裤"), ("M2", "奶粉"), ("M3", "湿巾")]   # not 濂剁矇


# -- bounded work: every row counted, hostile shapes refused within seconds ---------------------

def test_a_line_longer_than_duckdbs_buffer_is_a_rejected_row_not_a_lost_one(store, write):
    # DuckDB drops a line longer than its read buffer (32 MB) without a word: it was in neither count.
    # "M2,2024-01-06,20," is 17 bytes: the line is 40 MiB + 17 bytes long
    huge = "x" * (40 * 2**20)
    text = f"会员ID,支付时间,金额,备注\nM1,2024-01-05,10,ok\nM2,2024-01-06,20,{huge}\nM3,2024-01-07,30,ok\n"
    result = ingest(store, [write("o.csv", text)], "t", lang="zh")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    import csv as csv_module
    csv_module.field_size_limit(2**31 - 1)
    assert read_rejects(result.rejects)[0]["reason"] == "第 3 行：长 41943057 字节，每行最多 2000000 字节"
    with pytest.raises(IngestError, match=r"line 2: 41943057 bytes long; a line may hold at most 2000000"):
        ingest(store, [write("one.csv", f"会员ID,支付时间,金额,备注\nM2,2024-01-06,20,{huge}\n")], "u")


@pytest.mark.parametrize("content,message", [
    ("会员ID,支付时间,金额\n" + "x" * (65 * 2**20), "has a line of over 64 MB (no line break in it)"),
    # the same in a GBK file: refused while transcoding, before the line is held whole
    ("会员ID,支付时间,金额\n".encode("gbk") + b"x" * (65 * 2**20), "has a line of over 64 MB (no line break in it)"),
    (",".join(f"c{i}" for i in range(3000)) + "\n" + ",".join("1" * 3000) + "\n", "has 3,000 columns; at most 2,000"),
    (",".join(f"c{i}" for i in range(60000)) + "\n1\n", "its first line is over 256 KB long"),
])
def test_hostile_shapes_are_refused_in_one_short_line(store, write, content, message):
    import time

    started = time.perf_counter()
    with pytest.raises(IngestError, match=re.escape(message)) as info:
        ingest(store, [write("hostile.csv", content)], "t")
    assert time.perf_counter() - started < 20 and len(str(info.value)) < 300  # seconds, not minutes
    assert store.find("t") is None


def test_a_workbook_claiming_more_rows_than_excel_holds_is_refused_before_unpacking(store, tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/worksheets/sheet1.xml",
                      '<worksheet><dimension ref="A1:F5000000"/><sheetData>' + "<row/>" * 1000 + "</sheetData></worksheet>")
    with pytest.raises(IngestError, match="claims 5,000,000 rows in a sheet; Excel holds at most 1,048,576"):
        ingest(store, [path], "t")


def test_a_workbook_unpacking_past_the_limit_is_refused(store, tmp_path, monkeypatch):
    import xlsxwriter

    from lib import sources

    path = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    for row in range(2000):
        sheet.write_row(row, 0, ["M1", "2024-01-05", 10])
    book.close()
    monkeypatch.setattr(sources, "MAX_UNPACKED_BYTES", 10_000)
    with pytest.raises(IngestError, match="unpacks to .* GB; at most"):
        ingest(store, [path], "t")


def test_an_error_quoting_a_huge_value_stays_one_short_line(store, write):
    with pytest.raises(IngestError) as info:
        ingest(store, [write("o.csv", "会员ID,支付时间,金额\n138***" + "9" * 100_000 + ",2024-01-05,10\n")], "t")
    message = str(info.value)
    assert len(message) <= 505 and " … " in message and message.endswith(".csv")


@pytest.mark.parametrize("words", ["瀚版本", "骞规范", "渚茶坊", "淇茶博"])
def test_gb18030_text_that_is_also_valid_utf8_stays_gb18030(store, write, words):
    # These GBK bytes happen to be valid UTF-8 (瀚版本 would read 嫰汾): the file's own reading
    # holds more common characters, so it is kept
    data = f"会员ID,订单号,支付时间,实付金额,品类\nM1,A1,2024-01-05,10,{words}\n".encode("gbk")
    result = ingest(store, [write("gbk.csv", data)], "t")
    assert not [n for n in result.notes if n.code == "utf8_rows"]
    assert store.query(f"SELECT category FROM {store.dataset('t').table('order_lines')}").item() == words


def test_per_line_encoding_across_chunks_crlf_and_a_last_line_without_newline(store, write, monkeypatch):
    from lib import sources

    monkeypatch.setattr(sources, "TRANSCODE_CHUNK", 16)  # every line crosses a chunk boundary
    data = ("会员ID,订单号,支付时间,实付金额,品类\r\nM1,A1,2024-01-05,10,纸尿裤\r\n".encode("gbk")
            + "M2,A2,2024-01-06,20,奶粉湿巾\r\n".encode("utf-8") + "M3,A3,2024-01-07,30,湿巾".encode("gbk")
            + "\r\nM4,A4,2024-01-08,40,奶粉奶粉".encode("utf-8"))
    result = ingest(store, [write("mixed.csv", data)], "t")
    assert [n.values["rows"] for n in result.notes if n.code == "utf8_rows"] == [2]
    assert store.query(f"SELECT member_id, category FROM {store.dataset('t').table('order_lines')} ORDER BY 1").rows() \
        == [("M1", "纸尿裤"), ("M2", "奶粉湿巾"), ("M3", "湿巾"), ("M4", "奶粉奶粉")]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_lines_ending_in_cr_lf_and_crlf_by_turns_are_one_row_each(store, write, encoding):
    rows = [f"M{i},A{i},2024-01-0{i},{i}0,奶粉" for i in range(1, 7)]
    ends = ["\r", "\n", "\r\n", "\r", "\r", "\n"]  # as three systems' exports pasted together
    text = "会员ID,订单号,支付时间,实付金额,品类\r\n" + "".join(r + e for r, e in zip(rows, ends))
    result = ingest(store, [write("mixed.csv", text.encode(encoding))], "t")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 6, 0)
    assert [r[0] for r in lines(store)] == ["M1", "M2", "M3", "M4", "M5", "M6"]
    assert Note("line_ends", {"file": "mixed.csv"}) in result.notes
    assert str(Note("line_ends", {"file": "mixed.csv"})) == (
        "mixed.csv: its lines end in CR, LF and CRLF by turns; each was read as a line end")


def test_a_crlf_split_between_two_chunks_is_one_line_end(tmp_path, monkeypatch):
    from lib import sources

    monkeypatch.setattr(sources, "TRANSCODE_CHUNK", 8)
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\r\n1234567\r\n12,3\r4,5\n")  # the second CRLF straddles bytes 8 | 9 … and 16
    scan = sources.scan_lines(path)
    assert (scan.lone_cr, scan.line_feeds) == (1, 3)   # only the CR after "12,3" is alone
    sources._one_line_end(path, tmp_path / "g.csv")
    assert (tmp_path / "g.csv").read_bytes() == b"a,b\n1234567\n12,3\n4,5\n"  # one kind of line end


def _lie_about_sizes(path: Path, name: str, size: int) -> None:
    """Rewrite `path`'s zip so entry `name` declares `size` unpacked bytes (local header and central
    directory), as a hand-made bomb does; the CRC is left as it is."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(encoded)] == encoded:
                data[at + size_at:at + size_at + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _sheet_of_rows(path: Path, rows: int, dimension: bool) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        body = "".join(f'<row r="{i}"><c t="inlineStr"><is><t>M{i}</t></is></c></row>' for i in range(1, rows + 1))
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + ('<dimension ref="A1:A10"/>' if dimension else "")
                      + f"<sheetData>{body}</sheetData></worksheet>")


def test_a_workbook_holding_more_rows_than_it_claims_is_refused(store, tmp_path, monkeypatch):
    from lib import sources

    monkeypatch.setattr(sources, "MAX_SHEET_ROWS", 1_000)   # Excel's 1,048,576, made small for the test
    monkeypatch.setattr(sources, "TRANSCODE_CHUNK", 4_096)  # so row tags fall across chunk edges
    for dimension in (False, True):  # no <dimension>, or one that claims 10 rows
        path = tmp_path / f"rows-{dimension}.xlsx"
        _sheet_of_rows(path, 1_001, dimension)
        with pytest.raises(IngestError, match="holds over 1,000 rows in a sheet; Excel holds at most 1,000"):
            ingest(store, [path], "t")
    _sheet_of_rows(ok := tmp_path / "ok.xlsx", 1_000, False)
    sources._check_workbook(ok)  # exactly the limit: read


def test_a_workbook_lying_about_its_unpacked_size_is_refused(store, tmp_path, monkeypatch):
    from lib import sources

    path = tmp_path / "liar.xlsx"
    _sheet_of_rows(path, 3_000, False)  # about 160 KB of sheet …
    _lie_about_sizes(path, "xl/worksheets/sheet1.xml", 5_000)  # … declared as 5 KB
    monkeypatch.setattr(sources, "MAX_UNPACKED_BYTES", 100_000)
    with pytest.raises(IngestError, match="unpacks to more than 0 GB; at most 0 GB are read"):
        ingest(store, [path], "t")
    assert store.find("t") is None


@pytest.mark.parametrize("lines,reason", [
    # 3 MB: DuckDB rejects the record itself, with its length (its quotes included)
    (30_000, "line 3: 3000019 bytes long; a line may hold at most 2000000"),
    # 34 MB, past DuckDB's 32 MB read buffer: it lost its place after the value and read every line
    # that followed as a broken row of its own (320,000 rejects for 40 MB); now read again with room
    # for it, the record is rejected with the length of its fields and delimiters
    (340_000, "line 3: 34000017 bytes long; a line may hold at most 2000000"),
])
def test_a_quoted_value_of_many_lines_longer_than_a_line_may_be_is_one_rejected_row(store, write, lines, reason):
    value = ("x" * 99 + "\n") * lines  # a line break every 100 bytes
    text = f'会员ID,支付时间,金额,备注\nM1,2024-01-05,10,ok\nM2,2024-01-06,20,"{value}"\nM3,2024-01-07,30,ok\n'
    result = ingest(store, [write("o.csv", text)], "t")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    import csv as csv_module
    csv_module.field_size_limit(2**31 - 1)
    assert read_rejects(result.rejects)[0]["reason"] == reason


def test_a_quote_never_closed_makes_the_rest_of_the_file_one_rejected_record(store, write):
    # read as RFC 4180 reads it, whether or not the second, wider reading runs: M1's note opens a
    # quote that never closes, so M1 to the end is one record, rejected; M0 before it loads
    text = '会员ID,支付时间,金额,备注\nM0,2024-01-04,5,ok\nM1,2024-01-05,10,"oops\nM2,2024-01-06,20,ok\n'
    result = ingest(store, [write("s.csv", text)], "u")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)


def test_the_rejects_file_is_safe_to_open_and_reads_back_as_written(store, write):
    # a row rejected for its missing member keeps its formula-like cells, a ' before each …
    text = ('会员ID,订单号,支付时间,实付金额,商品名称,=cmd()\n,A1,2024-01-05,10,"=HYPERLINK(""http://evil"",""x"")",\n'
            "M2,A2,2024-01-06,-20,@SUM(1),\n")
    result = ingest(store, [write("o.csv", text)], "t")
    rejected = read_rejects(result.rejects)
    assert [(r["订单号"], r["实付金额"], r["商品名称"]) for r in rejected] == [
        ("A1", "10", '\'=HYPERLINK("http://evil","x")')]
    assert "'=cmd()" in rejected[0]  # a header is a cell too
    # … and the file, fixed and imported again, stores the cell as the export wrote it
    fixed = write("fixed.csv", '会员ID,订单号,支付时间,实付金额,商品名称\nM1,A1,2024-01-05,10,"\'=HYPERLINK(""http://evil"",""x"")"\n')
    ingest(store, [fixed], "t")
    names = store.query(f"SELECT order_id, product_name, amount FROM {store.dataset('t').table('order_lines')} "
                        "ORDER BY order_id").rows()
    assert names == [("A1", '=HYPERLINK("http://evil","x")', D("10.00")), ("A2", "@SUM(1)", D("-20.00"))]


def test_a_rejected_cell_with_spaces_round_trips_as_it_first_loaded(store, write):
    """A cell with a tab before it or a space after it (\t=v, =w , \t13812345678) loads trimmed;
    the rejects file holds it as the file had it, behind a ' ('\t=v); imported again it loads
    trimmed, as the first time (the ' came off but the tab stayed, and '=w  kept its ')."""
    text = ("会员ID,订单号,支付时间,实付金额,城市,品类\nM0,A0,2024-01-04,5,c,d\n"
            ",A1,2024-01-05,10,=w ,\t=v\n\t13812345678,A2,not a date,10,x,y\n")
    result = ingest(store, [write("o.csv", text)], "t")
    rejected = read_rejects(result.rejects)
    assert [(r["会员ID"], r["城市"], r["品类"]) for r in rejected] == [
        ("", "'=w ", "'\t=v"), ("'\t13812345678", "x", "y")]
    fixed = write("fixed.csv", "会员ID,订单号,支付时间,实付金额,城市,品类\n"
                               "M1,A1,2024-01-05,10,'=w ,'\t=v\n'\t13812345678,A2,2024-01-06,10,x,y\n")
    ingest(store, [fixed], "t")
    rows = store.query(f"SELECT member_id, city, category FROM {store.dataset('t').table('order_lines')} "
                       "ORDER BY order_id").rows()
    assert rows == [("M0", "c", "d"), ("M1", "=w", "=v"), ("13812345678", "x", "y")]
