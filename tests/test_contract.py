"""The data contract's pure helpers, on literal header lists as exports write them."""

from __future__ import annotations

import pytest

from lib.contract import guess_kind, suggest_mapping

GUESSES = [
    # A POS order export with Chinese headers: 会员编号, 下单时间 and 实付金额 are the orders' three
    # required fields (member, date, amount).
    ("chinese order export", ["订单编号", "会员编号", "下单时间", "商品名称", "数量", "单价", "实付金额", "门店"],
     "orders"),
    # A member file: 会员卡号 is a member id; no date an order could take (开卡日期 is a signup date),
    # no amount, no score, no spend: only members, which need nothing but the id, fits.
    ("member file", ["会员卡号", "姓名", "性别", "生日", "会员等级", "开卡日期"], "members"),
    # A survey export: the question itself holds the score (…推荐…), 提交答卷时间 the survey date.
    ("nps survey", ["会员ID", "提交答卷时间", "您向朋友推荐我们的可能性有多大？"], "nps"),
    # Marketing spend: 月份 is the period, 消耗 the spend; no member id, so not orders.
    ("spend sheet", ["月份", "投放渠道", "消耗"], "spend"),
    # No amount column, but quantity × unit price makes one: still an order export.
    ("orders without an amount", ["会员ID", "日期", "数量", "单价"], "orders"),
    # Ambiguous: Customer ID + Date + Amount make an order file, Customer ID + Date + Score an NPS
    # file. Orders are tried first (an order export may carry a rating; a survey has no amount).
    ("fits orders and nps", ["Customer ID", "Date", "Score", "Amount"], "orders"),
    # Ambiguous the other way: no kind fits (no member id for orders, and 金额 is not a spend
    # header), so the guess is orders, the usual upload, and the page asks for the member id.
    ("fits nothing", ["日期", "渠道", "金额"], "orders"),
    ("unrecognised headers", ["客户", "时间", "钱"], "orders"),
]


@pytest.mark.parametrize("label,headers,kind", GUESSES, ids=[g[0] for g in GUESSES])
def test_guess_kind(label, headers, kind):
    assert guess_kind(headers) == kind


# Headers as exports word them -> the field suggested (orders files). Exact aliases come first;
# patterns catch the rest, paid before placed, and never take a header another field names.
HEADERS = [
    (["会员ID", "订单号", "支付日期", "金额"], {"会员ID": "member_id", "订单号": "order_id", "支付日期": "order_date",
                                          "金额": "amount"}),
    (["会员手机号码", "下单日期", "实付金额"], {"会员手机号码": "member_id", "下单日期": "order_date", "实付金额": "amount"}),
    (["VIP卡号", "交易日期", "销售额"], {"VIP卡号": "member_id", "交易日期": "order_date", "销售额": "amount"}),
    # paid before placed, whatever the order of the columns
    (["手机号码", "订单创建日期", "买家付款日期", "金额"], {"手机号码": "member_id", "买家付款日期": "order_date",
                                                 "金额": "amount"}),
    # a payment-date pattern beats the generic document-date alias 单据日期
    (["客户ID", "单据日期", "支付日期", "金额"], {"客户ID": "member_id", "支付日期": "order_date", "金额": "amount"}),
    # shipping and refund times are not when the order was bought
    (["买家ID", "发货时间", "退款时间", "金额"], {"买家ID": "member_id", "金额": "amount"}),
    (["Customer No", "Payment Date", "Amount"], {"Customer No": "member_id", "Payment Date": "order_date",
                                                 "Amount": "amount"}),
    (["Member Number", "Transaction Time", "Sales"], {"Member Number": "member_id", "Transaction Time": "order_date",
                                                      "Sales": "amount"}),
    # 宝宝生日 must never be mapped (GLOSSARY); 注册日期 is the signup date, not the order's
    (["会员卡号", "宝宝生日", "注册日期", "成交时间", "实付金额(元)"],
     {"会员卡号": "member_id", "注册日期": "signup_date", "成交时间": "order_date", "实付金额(元)": "amount"}),
    # not the order's own moment: first / last purchase, a refund's or a deposit's payment
    (["会员ID", "首次购买时间", "下单时间", "金额"], {"会员ID": "member_id", "下单时间": "order_date", "金额": "amount"}),
    (["会员ID", "最近消费时间", "交易时间", "金额"], {"会员ID": "member_id", "交易时间": "order_date", "金额": "amount"}),
    (["会员ID", "上次交易日期", "日期", "金额"], {"会员ID": "member_id", "日期": "order_date", "金额": "amount"}),
    (["会员ID", "退款支付时间", "定金支付时间", "下单时间", "金额"],
     {"会员ID": "member_id", "下单时间": "order_date", "金额": "amount"}),
    # a bare "Paid" is not a time; separators in English ids
    (["Customer ID", "Date", "Paid", "Amount"], {"Customer ID": "member_id", "Date": "order_date", "Amount": "amount"}),
    (["Customer_ID", "Order_Date", "Amount"], {"Customer_ID": "member_id", "Order_Date": "order_date", "Amount": "amount"}),
    (["Customer No.", "Payment-Date", "Amount"], {"Customer No.": "member_id", "Payment-Date": "order_date",
                                                  "Amount": "amount"}),
]


@pytest.mark.parametrize("headers,expected", HEADERS, ids=[", ".join(h) for h, _ in HEADERS])
def test_headers_are_recognised_by_name_and_by_pattern(headers, expected):
    assert suggest_mapping(headers, "orders") == expected
