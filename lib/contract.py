"""The data contract: the canonical fields each kind of file maps to, their types, and the
source headers recognised for each (SPEC "Data contract", GLOSSARY §11).

One table of facts that the store (column types) and ingest (auto-mapping, parsing) both read,
so a field is declared once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["orders", "members", "nps", "spend"]
KINDS: tuple[Kind, ...] = ("orders", "members", "nps", "spend")
# A file's kind is guessed as the first of these whose required fields its headers all provide:
# an order export also names a member (and may carry a score), so orders are tried first and
# members, which need nothing but a member id, last.
GUESS_ORDER: tuple[Kind, ...] = ("orders", "nps", "spend", "members")

# How a field's text is parsed (see lib/ingest.py) and the DuckDB type it is stored as.
FieldType = Literal["id", "text", "timestamp", "date", "money", "number", "integer", "gender", "score"]
SQL_TYPES: dict[FieldType, str] = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "money": "DECIMAL(18,2)",
    "number": "DOUBLE",
    "integer": "INTEGER",
    "gender": "VARCHAR",
    "score": "INTEGER",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    # Recognised source headers, most preferred first (matched after normalise_header).
    aliases: tuple[str, ...] = ()
    # Aliases whose value is an order total repeated on (or given once per) order: counted once.
    order_level_aliases: tuple[str, ...] = ()
    # Regular expressions over the normalised header (see normalise_header) for the many ways
    # exports word the same column, each as (the alias it is tried right after, or None: after
    # every alias; the pattern). A pattern never takes a header that another field names exactly.
    patterns: tuple[tuple[str | None, str], ...] = ()

    def matchers(self) -> list[tuple[str, str]]:
        """("alias" | "pattern", text) in preference order; the field's own name is the last alias."""
        out = []
        for alias in (*self.aliases, self.name):
            out.append(("alias", alias))
            out += [("pattern", p) for after, p in self.patterns if after == alias]
        return out + [("pattern", p) for after, p in self.patterns if after is None]


_MEMBER_ID = Field(
    "member_id", "id", True,
    ("会员ID", "会员编号", "会员卡号", "会员号", "卡号", "客户ID", "客户编号", "顾客编号", "用户ID",
     "买家会员名", "用户账号", "会员手机号", "手机号", "买家手机号",
     "Customer ID", "CustomerID", "Member ID", "User ID", "Email", "Email Address", "Phone Number"),
    patterns=((None, r"(会员|客户|顾客|用户|买家|消费者)(id|编号|编码|号|号码|卡号|账号|手机号?|手机号码)"),
              (None, r"(vip|会员)?(卡号|手机号码?|手机|电话号码|联系电话)"),
              (None, r"(customer|member|client|user|buyer|shopper)[_.\-#]?(id|no|number|code)\.?")),
)
_CHANNEL_ALIASES = ("渠道", "来源", "订单来源", "订单渠道", "销售渠道", "平台", "流量来源",
                    "Channel", "Source", "utm_source")
_REGION = Field("region", "text", False,
                ("区域", "大区", "地区", "省份", "省", "收货人省份", "Region", "State", "Province",
                 "Billing Province", "Shipping Province", "Default Address Province Code", "Country"))
_CITY = Field("city", "text", False,
              ("城市", "市", "收货人城市", "City", "Billing City", "Shipping City", "Default Address City"))
_SIGNUP = Field("signup_date", "date", False,
                ("注册时间", "注册日期", "入会时间", "入会日期", "开卡时间", "开卡日期", "成为会员时间",
                 "Signup Date", "Registration Date", "Date Joined"))
_GENDER = Field("gender", "gender", False, ("性别", "Gender", "Sex"))
_BIRTH_YEAR = Field("birth_year", "integer", False,
                    ("出生年份", "出生日期", "生日", "Birth Year", "Birthday", "Date of Birth", "DOB"))
_AGE = Field("age", "integer", False, ("年龄", "Age"))
_TIER = Field("member_tier", "text", False,
              ("会员等级", "等级", "会员级别", "会员卡类型", "卡类型", "卡等级", "Tier", "Member Tier",
               "Loyalty Tier", "Level"))

FIELDS: dict[Kind, tuple[Field, ...]] = {
    "orders": (
        _MEMBER_ID,
        Field("order_id", "id", False,
              ("订单号", "订单编号", "主订单编号", "父订单号", "单据号", "单据编号", "小票号", "流水号",
               "交易单号", "InvoiceNo", "Invoice", "Order ID", "Order Number", "OrderId")),
        # Paid time is preferred to created time when an export has both.
        Field("order_date", "timestamp", True,
              ("支付时间", "付款时间", "订单付款时间", "买家付款时间", "支付完成时间", "付款确认时间",
               "下单时间", "订单创建时间", "订单提交时间", "创建时间", "交易时间", "成交时间", "销售日期",
               "单据日期", "日期", "InvoiceDate", "Paid at", "Created at", "Order Date", "Timestamp",
               "Date"),
              # 支付日期, 买家付款日期, 订单成交时间 …: paid right after the paid aliases (before 下单时间
              # and the generic 单据日期 / 日期); placed (下单日期, 订单创建日期, 交易日期) after every alias.
              # Only the order's own moments: 首次购买时间, 最近消费时间, 退款支付时间, 定金支付时间 are not it.
              patterns=(("付款确认时间", r"(买家|订单|实际)?(支付|付款|成交)(完成|成功|确认)?(日期|时间|时刻)"),
                        ("付款确认时间", r"(paid|payment)[_.\-]?(at|date|time|datetime)"),
                        (None, r"(订单)?(下单|订单|交易|购买|消费|销售)(创建|提交)?(日期|时间|时刻)"),
                        (None, r"(order|invoice|transaction|purchase|sale)[_.\-]?(date|time|datetime|at|placedat)"))),
        Field("amount", "money", True,
              ("实付金额", "实收金额", "支付金额", "成交金额", "商品实际成交金额", "子订单实付金额", "销售额",
               "销售金额", "金额", "结算金额", "Sales", "Net Sales", "Revenue", "Amount",
               "买家实际支付金额", "订单实付金额", "订单应付金额", "Total", "$value"),
            order_level_aliases=("买家实际支付金额", "订单实付金额", "订单应付金额", "Total")),
        Field("quantity", "number", False,
              ("数量", "件数", "商品数量", "购买数量", "订购数量", "销量", "Quantity", "Qty",
               "Lineitem quantity")),
        Field("unit_price", "money", False,
              ("单价", "商品单价", "价格", "商品价格", "售价", "零售价", "UnitPrice", "Price",
               "Lineitem price", "ItemPrice", "Unit Price")),
        Field("product_name", "text", False,
              ("商品名称", "品名", "商品名", "宝贝标题", "标题", "选购商品", "商品", "Description",
               "Lineitem name", "Product Name", "ProductName", "Item Name")),
        # 商品ID is a platform id: listed last so a merchant code column wins.
        Field("sku", "text", False,
              ("商品编码", "商家编码", "规格编码", "SKU", "SKU编码", "货号", "商品货号", "条码", "商品条码",
               "StockCode", "Lineitem sku", "Variant SKU", "ProductID", "商品ID")),
        Field("category", "text", False,
              ("品类", "类目", "分类", "商品分类", "商品类目", "一级类目", "商品一级分类", "商品目录", "大类",
               "Category", "Product Category", "Categories")),
        Field("discount", "money", False,
              ("优惠金额", "折扣金额", "优惠", "折扣", "优惠总金额", "店铺优惠(分摊)", "优惠分摊", "Discount",
               "Discount Amount", "Lineitem discount", "DiscountValue")),
        Field("channel", "text", False, _CHANNEL_ALIASES),
        Field("store", "text", False,
              ("门店", "门店名称", "店铺", "店铺名称", "所属店铺", "下单网点", "网点", "归属门店", "Store",
               "Shop", "Location")),
        _REGION,
        _CITY,
        # A flat export repeats member attributes on every line; they feed the members table.
        _SIGNUP, _GENDER, _BIRTH_YEAR, _AGE, _TIER,
    ),
    "members": (
        _MEMBER_ID,
        Field("signup_date", "date", False, _SIGNUP.aliases + ("Created At",)),
        _GENDER, _BIRTH_YEAR, _AGE, _TIER, _REGION, _CITY,
        Field("channel", "text", False, ("注册渠道",) + _CHANNEL_ALIASES),
    ),
    "nps": (
        _MEMBER_ID,
        Field("survey_date", "date", True,
              ("提交答卷时间", "提交时间", "填写时间", "答卷时间", "调研日期", "Submitted At", "Survey Date",
               "Response Date", "Date")),
        Field("score", "score", True,
              ("推荐评分", "NPS评分", "评分", "分数", "推荐意愿", "Score", "NPS", "Rating")),
    ),
    "spend": (
        Field("period", "date", True, ("月份", "统计月份", "日期", "期间", "Month", "Period", "Date")),
        Field("spend", "money", True,
              ("营销费用", "推广费用", "费用", "花费", "消耗", "投放金额", "广告费", "Spend", "Ad Spend", "Cost",
               "Amount Spent")),
        Field("channel", "text", False, ("渠道", "投放渠道", "平台", "媒体", "Channel", "Platform", "Source")),
    ),
}

# Headers that look like a field but must never be mapped (GLOSSARY cautions).
NEVER_MAP = ("子订单编号", "子订单号", "宝宝生日", "宝宝月龄", "客户姓名", "宝贝总数量")


def field_type(kind: Kind, name: str) -> FieldType:
    return next(f.type for f in FIELDS[kind] if f.name == name)


def missing_required(mapped: set[str], kind: Kind) -> list[str]:
    """Required fields of `kind` that no column is mapped to (amount may come from quantity × price)."""
    missing = []
    for f in FIELDS[kind]:
        if not f.required or f.name in mapped:
            continue
        if f.name == "amount" and {"quantity", "unit_price"} <= mapped:
            continue
        missing.append(f.name)
    return missing


def normalise_header(header: str) -> str:
    """Case-, width- and space-insensitive form of a header: `实付金额（元）` -> `实付金额(元)`."""
    text = unicodedata.normalize("NFKC", header).replace("\ufeff", "")
    return re.sub(r"\s+", "", text).lower()


def without_unit(normalised: str) -> str:
    # `实付金额(元)`, `Amount (USD)`: a trailing bracketed unit does not change the field.
    return re.sub(r"\([^()]*\)$", "", normalised)


def suggest_mapping(headers: list[str], kind: Kind) -> dict[str, str]:
    """Source header -> field for the headers recognised for `kind`.

    Fields are matched in contract order and each field's aliases in preference order, so when
    an export has both 支付时间 and 下单时间 the paid time wins; the field's own id (`member_id`)
    matches last. A field's patterns (支付日期 is an order date, 会员手机号码 a member id) are tried
    at their place among its aliases (Field.matchers), and never take a header another field
    names exactly. A header is used at most once.
    Question-style NPS headers ("…推荐…", "How likely…") map to `score` when nothing else did.
    """
    normalised = {h: normalise_header(h) for h in headers}
    never = {normalise_header(n) for n in NEVER_MAP}
    free = [h for h in headers if normalised[h] not in never]

    def named(h: str, alias: str) -> bool:
        return normalise_header(alias) in (normalised[h], without_unit(normalised[h]))

    # Headers some field names exactly: no other field's pattern may take them.
    exact = {h: f.name for f in reversed(FIELDS[kind]) for h in free
             if any(named(h, a) for a in (*f.aliases, f.name))}
    mapping: dict[str, str] = {}
    for f in FIELDS[kind]:
        for how, text in f.matchers():
            hit = next((h for h in free if h not in mapping and (
                named(h, text) if how == "alias"
                else exact.get(h, f.name) == f.name and re.fullmatch(text, without_unit(normalised[h])))), None)
            if hit is not None:
                mapping[hit] = f.name
                break
    if kind == "nps" and "score" not in mapping.values():
        hit = next((h for h in headers if h not in mapping
                    and ("推荐" in h or normalised[h].startswith("howlikely"))), None)
        if hit is not None:
            mapping[hit] = "score"
    return mapping


def guess_kind(headers: list[str]) -> Kind:
    """The kind of file these headers describe (GUESS_ORDER decides between kinds that all fit);
    orders, the common upload, when none fits, so the user is asked for the missing columns."""
    for kind in GUESS_ORDER:
        if not missing_required(set(suggest_mapping(headers, kind).values()), kind):
            return kind
    return "orders"
