"""Seeded demo data for memberlens: a mother-and-baby retail brand, 2024-01 .. 2026-10.

The story in the data
---------------------
A (fictional) mother-and-baby brand sells milk powder (奶粉), diapers (纸尿裤), baby food
(辅食), toiletries (洗护), toys (玩具), clothing (童装) and baby gear (用品) through its own
stores (门店), an App, a WeChat mini program (小程序) and a Tmall flagship shop (天猫).

* Acquisition grows over the period, with a big spike every 双11 (Nov 1-11, peaking on the
  11th) and a smaller one at 618 (Jun 1-18).  Member IDs are issued in signup order; ~9 % of
  the registered members never buy (prospects).
* Every buyer has a latent type:
  - one-time buyers (~48 %; more of them among 天猫 and 双11/618 acquisitions; with the
    occasional buyers who never come back, ~60 % of the buyers buy once);
  - periodic buyers (~26 %) of milk powder (personal cycle ~30 days) and/or diapers (~20
    days), each with their own mean gap and jitter.  The baby grows: milk powder moves from
    stage 1 to 3, diapers up the sizes.  A periodic member has a lifetime (11-30 months, or a
    few months for those who switch brand early) and then churns.  Some *decline* first (gaps
    widen, baskets shrink), some *grow* (a baby-food stream starts after a few months and
    baskets get fuller), some also rebuy toiletries every ~60 days;
  - occasional buyers (~26 %: toys, clothing, toiletries, gear) with long irregular gaps.
  Month-1 retention is ~28 % overall; members acquired through 小程序/App are more often
  periodic and churn early less often than those from 天猫 (month-1 ~40 % / ~33 % vs ~16 %).
* Promotions: during 双11 and 618 active members place extra orders, baskets are bigger
  and discounts deeper (15-30 % instead of the occasional coupon).
* Refunds (~2.5 % of orders): a negative line inside the original order (partial refund,
  same 订单号) or a separate refund-only order ``R...`` a few days after the purchase.

Files written by :func:`generate` (headers are the Chinese export headers the auto-mapping
recognises, see GLOSSARY section 11):

* ``orders.csv``  one row per order line (订单号 .. 实付金额), sorted by 支付时间 then 订单号;
* ``members.xlsx`` sheet 会员资料 (``members.csv`` above 500,000 members: Excel's row limit);
* ``nps.csv``     a 问卷星-style survey export of ~8 % of the buyers;
* ``spend.csv``   monthly marketing spend by channel.

Everything is vectorised with numpy / polars (loops run over chunks of 100,000 members,
channels, categories and promotion windows only) and fully deterministic for a given seed.

    python -m lib.demo --members 1000000 --seed 42 --out DIR [--encoding gb18030|utf-8]
"""

from __future__ import annotations

import argparse
import codecs
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

import numpy as np
import polars as pl

DEFAULT_MEMBERS = 20_000
DEFAULT_SEED = 42
DEFAULT_ENCODING = "gb18030"
START = date(2024, 1, 1)
END = date(2026, 10, 31)

N_DAYS = (END - START).days + 1          # days in [START, END]
END_MINUTE = N_DAYS * 1440               # first minute after the data period
CHUNK_MEMBERS = 100_000                  # members simulated per chunk (memory bound)
WRITE_ROWS = 250_000                     # order lines formatted and written per slice
MEMBERS_XLSX_MAX = 500_000               # above this, members go to a CSV instead of xlsx
PROSPECT_SHARE = 0.08                    # registered members who never buy
NPS_SHARE = 0.08                         # buyers who answer the survey
NPS_TWICE_SHARE = 0.15                   # of those, who answer a second time
REFUND_SHARE = 0.025                     # orders with a refund

ORDER_COLUMNS = ["订单号", "会员ID", "支付时间", "渠道", "门店", "省份", "城市", "商品编码",
                 "商品名称", "品类", "数量", "单价", "优惠金额", "实付金额"]
MEMBER_COLUMNS = ["会员ID", "注册时间", "性别", "出生年份", "会员等级", "注册渠道", "省份", "城市"]
NPS_COLUMNS = ["会员ID", "提交答卷时间", "推荐评分"]
SPEND_COLUMNS = ["月份", "渠道", "营销费用"]
MEMBERS_SHEET = "会员资料"

# ---------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------

CHANNELS = ["门店", "App", "小程序", "天猫"]
STORE_CH, APP_CH, MINI_CH, TMALL_CH = range(4)
ONLINE_SHOPS = {APP_CH: "官方App", MINI_CH: "官方小程序", TMALL_CH: "天猫旗舰店"}

# (city, province, share of members, physical stores)
CITIES: list[tuple[str, str, float, list[str]]] = [
    ("广州", "广东", 0.09, ["广州天河店", "广州番禺店"]),
    ("深圳", "广东", 0.10, ["深圳南山店", "深圳福田店"]),
    ("杭州", "浙江", 0.09, ["杭州西湖店", "杭州滨江店"]),
    ("宁波", "浙江", 0.04, ["宁波鄞州店"]),
    ("南京", "江苏", 0.06, ["南京新街口店", "南京江宁店"]),
    ("苏州", "江苏", 0.07, ["苏州园区店"]),
    ("上海", "上海", 0.15, ["上海徐汇店", "上海浦东店", "上海静安店"]),
    ("北京", "北京", 0.12, ["北京朝阳店", "北京海淀店"]),
    ("成都", "四川", 0.10, ["成都锦江店", "成都高新店"]),
    ("武汉", "湖北", 0.08, ["武汉光谷店"]),
    ("济南", "山东", 0.04, ["济南历下店"]),
    ("青岛", "山东", 0.06, ["青岛市南店"]),
]

CATEGORIES = ["奶粉", "纸尿裤", "辅食", "洗护", "玩具", "童装", "用品"]
MILK, DIAPER, FOOD, CARE, TOY, CLOTH, GEAR = range(7)
ADDON_CATS = np.array([FOOD, CARE, TOY, CLOTH, GEAR])

# (code, name, category, unit price in yuan, popularity weight within the category, season)
# season: 0 all year, 1 summer (Apr-Sep), 2 winter (Oct-Mar); only used for 童装.
PRODUCTS: list[tuple[str, str, int, int, float, int]] = [
    ("MP-001", "贝乐嘉婴儿奶粉1段800g", MILK, 238, 3, 0),
    ("MP-002", "贝乐嘉较大婴儿奶粉2段800g", MILK, 218, 3, 0),
    ("MP-003", "贝乐嘉幼儿奶粉3段800g", MILK, 198, 3, 0),
    ("MP-004", "臻萃有机婴儿奶粉1段900g", MILK, 398, 2, 0),
    ("MP-005", "臻萃有机较大婴儿奶粉2段900g", MILK, 378, 2, 0),
    ("MP-006", "臻萃有机幼儿奶粉3段900g", MILK, 358, 2, 0),
    ("MP-007", "优萃A2婴儿奶粉1段800g", MILK, 468, 1, 0),
    ("MP-008", "优萃A2较大婴儿奶粉2段800g", MILK, 458, 1, 0),
    ("MP-009", "优萃A2幼儿奶粉3段800g", MILK, 438, 1, 0),
    ("MP-010", "安睿较大婴儿羊奶粉2段800g", MILK, 328, 1, 0),
    ("MP-011", "舒柔超薄纸尿裤NB码84片", DIAPER, 89, 1, 0),
    ("MP-012", "舒柔超薄纸尿裤S码76片", DIAPER, 89, 2, 0),
    ("MP-013", "舒柔超薄纸尿裤M码64片", DIAPER, 99, 3, 0),
    ("MP-014", "舒柔超薄纸尿裤L码54片", DIAPER, 109, 3, 0),
    ("MP-015", "舒柔成长拉拉裤XL码42片", DIAPER, 119, 2, 0),
    ("MP-016", "云感臻薄纸尿裤M码58片", DIAPER, 149, 2, 0),
    ("MP-017", "云感臻薄拉拉裤L码48片", DIAPER, 159, 2, 0),
    ("MP-018", "云感夜用拉拉裤XXL码36片", DIAPER, 169, 1, 0),
    ("MP-019", "有机高铁婴儿米粉225g", FOOD, 49, 4, 0),
    ("MP-020", "果蔬泥组合装6袋", FOOD, 59, 3, 0),
    ("MP-021", "婴幼儿营养面条300g", FOOD, 29, 3, 0),
    ("MP-022", "鳕鱼肠4根装", FOOD, 39, 2, 0),
    ("MP-023", "冻干水果溶豆3盒装", FOOD, 45, 3, 0),
    ("MP-024", "宝宝磨牙棒饼干", FOOD, 25, 2, 0),
    ("MP-025", "婴幼儿DHA藻油软胶囊", FOOD, 168, 1, 0),
    ("MP-026", "婴幼儿益生菌冲剂30袋", FOOD, 198, 1, 0),
    ("MP-027", "婴儿洗发沐浴二合一500ml", CARE, 69, 3, 0),
    ("MP-028", "婴儿润肤乳200ml", CARE, 79, 2, 0),
    ("MP-029", "婴儿护臀膏50g", CARE, 45, 2, 0),
    ("MP-030", "婴儿手口湿巾80抽6包", CARE, 59, 4, 0),
    ("MP-031", "婴儿洗衣液1.5L", CARE, 59, 2, 0),
    ("MP-032", "奶瓶果蔬清洗剂500ml", CARE, 39, 2, 0),
    ("MP-033", "婴儿棉柔巾100抽6包", CARE, 69, 3, 0),
    ("MP-034", "宝宝温和防晒乳50ml", CARE, 89, 1, 0),
    ("MP-035", "早教益智积木100粒", TOY, 129, 2, 0),
    ("MP-036", "婴儿摇铃牙胶套装", TOY, 59, 3, 0),
    ("MP-037", "儿童滑行学步车", TOY, 269, 1, 0),
    ("MP-038", "0-3岁启蒙绘本10册", TOY, 99, 2, 0),
    ("MP-039", "宝宝洗澡戏水玩具", TOY, 39, 2, 0),
    ("MP-040", "儿童磁力片拼搭", TOY, 159, 1, 0),
    ("MP-041", "婴儿纯棉连体衣", CLOTH, 89, 3, 0),
    ("MP-042", "宝宝纯棉短袖T恤两件装", CLOTH, 79, 3, 1),
    ("MP-043", "婴儿纱布睡袋夏款", CLOTH, 99, 2, 1),
    ("MP-044", "儿童防晒衣", CLOTH, 119, 2, 1),
    ("MP-045", "宝宝加绒卫衣", CLOTH, 129, 3, 2),
    ("MP-046", "婴儿羽绒服", CLOTH, 299, 2, 2),
    ("MP-047", "儿童保暖内衣套装", CLOTH, 109, 2, 2),
    ("MP-048", "宝宝软底学步鞋", CLOTH, 139, 2, 0),
    ("MP-049", "宽口径玻璃奶瓶240ml", GEAR, 129, 5, 0),
    ("MP-050", "轻便可折叠婴儿推车", GEAR, 1299, 2, 0),
    ("MP-051", "儿童安全座椅", GEAR, 2999, 1, 0),
    ("MP-052", "实木婴儿床", GEAR, 1599, 1, 0),
    ("MP-053", "双边电动吸奶器", GEAR, 899, 2, 0),
    ("MP-054", "温奶消毒器二合一", GEAR, 399, 2, 0),
    ("MP-055", "宝宝多功能餐椅", GEAR, 459, 2, 0),
]

# milk brand x stage (1..3) -> product index; diaper brand x size (NB..XXL) -> product index
MILK_BRANDS = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 9, 9]])
MILK_BRAND_P = [0.42, 0.30, 0.15, 0.13]
DIAPER_BRANDS = np.array([[10, 11, 12, 13, 14, 14], [15, 15, 15, 16, 16, 17]])
DIAPER_BRAND_P = [0.65, 0.35]

# latent member types
ONE_TIME, PERIODIC, OCCASIONAL = 0, 1, 2
TYPE_P = {  # by acquisition channel: one-time, periodic, occasional
    STORE_CH: [0.44, 0.30, 0.26],
    APP_CH: [0.38, 0.36, 0.26],
    MINI_CH: [0.35, 0.40, 0.25],
    TMALL_CH: [0.60, 0.16, 0.24],
}
EARLY_CHURN_P = {STORE_CH: 0.50, APP_CH: 0.42, MINI_CH: 0.38, TMALL_CH: 0.62}

# category mixes: first/only order of a one-time buyer, occasional orders, promo extra orders
ONE_TIME_CAT_P = [0.22, 0.22, 0.10, 0.14, 0.12, 0.12, 0.08]
OCCASIONAL_CAT_P = [0.08, 0.10, 0.17, 0.25, 0.17, 0.17, 0.06]
PROMO_CAT_P = [0.18, 0.18, 0.08, 0.20, 0.14, 0.14, 0.08]
ADDON_P = [0.28, 0.36, 0.15, 0.15, 0.06]         # over ADDON_CATS
ADDON_PROMO_P = [0.15, 0.30, 0.22, 0.23, 0.10]

# hour-of-day weights for online orders and store visits
HOUR_ONLINE = np.array([3, 2, 1, .5, .5, .5, 1, 2, 3, 4, 5, 5, 5, 4, 4, 4, 4, 4, 5, 6, 8, 9, 8, 5])
HOUR_STORE = np.array([0] * 9 + [3, 5, 5, 4, 4, 5, 5, 6, 7, 7, 6, 4, 2] + [0, 0], dtype=float)

# marketing spend per new buyer (yuan) by channel; promo months cost more per buyer
CAC_YUAN = {STORE_CH: 85.0, APP_CH: 65.0, MINI_CH: 35.0, TMALL_CH: 165.0}
MEMBER_TIERS = ["普通会员", "银卡会员", "金卡会员", "钻石会员"]
TIER_MIN_SPEND = [0, 1_500, 5_000, 15_000]       # cumulative net spend in yuan
GENDERS = ["女", "男", "未知"]


def _day_calendar() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per day of the period: month (1-12), day of month, promo code (0 none, 1 618, 2 双11), year."""
    days = pl.date_range(START, END, "1d", eager=True)
    month = days.dt.month().to_numpy().astype(np.int8)
    mday = days.dt.day().to_numpy().astype(np.int8)
    year = days.dt.year().to_numpy().astype(np.int16)
    promo = np.zeros(N_DAYS, dtype=np.int8)
    promo[(month == 6) & (mday <= 18)] = 1
    promo[(month == 11) & (mday <= 11)] = 2
    return month, mday, promo, year


MONTH, MDAY, PROMO, YEAR = _day_calendar()


@dataclass
class _Catalog:
    code: list[str]
    name: list[str]
    cat: np.ndarray          # category per product
    price: np.ndarray        # cents
    cum: np.ndarray          # cumulative popularity weights, segment per category
    seg_lo: np.ndarray       # per category: cumulative weight before its first product
    seg_w: np.ndarray        # per category: total weight


def _catalog() -> _Catalog:
    prods = sorted(PRODUCTS, key=lambda p: (p[2], p[0]))
    assert [p[0] for p in prods] == [p[0] for p in PRODUCTS], "PRODUCTS must be grouped by category"
    w = np.array([p[4] for p in prods], dtype=float)
    cat = np.array([p[2] for p in prods], dtype=np.int8)
    cum = np.cumsum(w)
    seg_w = np.array([w[cat == c].sum() for c in range(len(CATEGORIES))])
    seg_lo = np.concatenate([[0.0], np.cumsum(seg_w)[:-1]])
    return _Catalog([p[0] for p in prods], [p[1] for p in prods], cat,
                    np.array([p[3] * 100 for p in prods], dtype=np.int64), cum, seg_lo, seg_w)


CATALOG = _catalog()
CLOTH_IDX = np.flatnonzero(CATALOG.cat == CLOTH)
CLOTH_SEASON = np.array([PRODUCTS[i][5] for i in CLOTH_IDX])


def _pick_product(rng: np.random.Generator, cat: np.ndarray, month: np.ndarray) -> np.ndarray:
    """A product of each row's category, by popularity; clothing follows the season."""
    u = rng.random(len(cat))
    pos = CATALOG.seg_lo[cat] + u * CATALOG.seg_w[cat]
    prod = np.searchsorted(CATALOG.cum, pos, side="right").astype(np.int64)
    prod = np.minimum(prod, len(CATALOG.code) - 1)
    cloth = np.flatnonzero(cat == CLOTH)
    if len(cloth):
        summer = (month[cloth] >= 4) & (month[cloth] <= 9)
        for is_summer in (True, False):
            rows = cloth[summer == is_summer]
            allowed = CLOTH_IDX[(CLOTH_SEASON == 0) | (CLOTH_SEASON == (1 if is_summer else 2))]
            w = np.array([PRODUCTS[i][4] for i in allowed], dtype=float)
            prod[rows] = allowed[np.searchsorted(np.cumsum(w) / w.sum(), rng.random(len(rows)),
                                                 side="right").clip(0, len(allowed) - 1)]
    return prod


def _choice(rng: np.random.Generator, p: list[float] | np.ndarray, size: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.searchsorted(np.cumsum(p) / p.sum(), rng.random(size), side="right").clip(0, len(p) - 1)


def _minute_of_day(rng: np.random.Generator, channel: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Time of day (minutes) for orders: stores open 9-22h, online peaks in the evening."""
    out = np.empty(len(channel), dtype=np.int64)
    store = channel == STORE_CH
    for mask, hours in ((store, HOUR_STORE), (~store, HOUR_ONLINE)):
        idx = np.flatnonzero(mask)
        out[idx] = _choice(rng, hours, len(idx)) * 60 + rng.integers(0, 60, len(idx))
    # 双11 starts at midnight online
    midnight = np.flatnonzero(~store & (MONTH[day] == 11) & (MDAY[day] == 11))
    hit = midnight[rng.random(len(midnight)) < 0.3]
    out[hit] = rng.integers(0, 60, len(hit))
    return out


# ---------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------

@dataclass
class _Members:
    n: int
    signup: np.ndarray       # minute since START
    acq: np.ndarray          # acquisition channel
    city: np.ndarray
    home_store: np.ndarray   # physical store index
    gender: np.ndarray
    birth_year: np.ndarray   # 0 = unknown
    kind: np.ndarray         # ONE_TIME / PERIODIC / OCCASIONAL
    first: np.ndarray        # minute of first purchase, -1 = never buys
    # filled in by the order simulation
    spend: np.ndarray        # net cents
    last: np.ndarray         # minute of last purchase
    mood: np.ndarray         # mean NPS score


def _stores() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Physical store names, and per city the index of its first store and its store count."""
    names: list[str] = []
    start, count = [], []
    for _, _, _, stores in CITIES:
        start.append(len(names))
        count.append(len(stores))
        names.extend(stores)
    return names, np.array(start), np.array(count)


STORE_NAMES, CITY_STORE_START, CITY_STORE_COUNT = _stores()
N_STORES = len(STORE_NAMES)


def _make_members(rng: np.random.Generator, n: int) -> _Members:
    t = np.arange(N_DAYS) / N_DAYS
    w = 1.0 + 6.0 * t                                      # acquisition grows ~7x
    w *= np.where(np.arange(N_DAYS) % 7 >= 5, 1.15, 1.0)   # 2024-01-06 is a Saturday
    w *= np.where(PROMO == 2, 3.0, 1.0) * np.where(PROMO == 1, 1.8, 1.0)
    w[(MONTH == 11) & (MDAY == 11)] *= 3.0
    w[(MONTH == 6) & (MDAY == 18)] *= 2.5
    w[(MONTH == 2) & (MDAY <= 15)] *= 0.6                  # Spring Festival lull
    day = np.sort(_choice(rng, w, n))

    # channel mix drifts towards the mini program; 天猫 is strong during promotions
    frac = day / N_DAYS
    p = np.stack([0.34 - 0.10 * frac, 0.18 + 0.02 * frac, 0.18 + 0.10 * frac,
                  0.30 - 0.02 * frac], axis=1)
    p[PROMO[day] > 0, TMALL_CH] += 0.15
    p /= p.sum(axis=1, keepdims=True)
    acq = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, 3)

    signup = day * 1440 + _minute_of_day(rng, acq, day)
    order = np.argsort(signup, kind="stable")
    signup, acq = signup[order], acq[order]
    day = signup // 1440

    city = _choice(rng, [c[2] for c in CITIES], n)
    home_store = CITY_STORE_START[city] + (rng.random(n) * CITY_STORE_COUNT[city]).astype(np.int64)
    gender = _choice(rng, [0.82, 0.11, 0.07], n)
    birth_year = np.clip(np.round(rng.normal(1993, 3.5, n)), 1985, 2000).astype(np.int64)
    birth_year[rng.random(n) < 0.05] = 0

    # type, by channel; promo-acquired members are more often one-time bargain hunters
    u = rng.random(n)
    kind = np.empty(n, dtype=np.int8)
    for ch, tp in TYPE_P.items():
        m = acq == ch
        c1 = np.full(m.sum(), tp[0]) + np.where(PROMO[day[m]] > 0, 0.12, 0.0)
        c2 = c1 + tp[2]
        kind[m] = np.where(u[m] < c1, ONE_TIME, np.where(u[m] < c2, OCCASIONAL, PERIODIC))

    # first purchase: at the store counter right after signing up, or later online
    r = rng.random(n)
    online_lag = np.where(r < 0.45, rng.uniform(1, 60, n),
                          np.where(r < 0.75, rng.uniform(1, 7, n) * 1440,
                                   rng.exponential(30, n) * 1440))
    store_lag = np.where(r < 0.85, rng.uniform(0, 15, n), rng.exponential(3, n) * 1440)
    lag = np.where(acq == STORE_CH, store_lag, online_lag)
    first = signup + np.floor(lag).astype(np.int64)
    never = (rng.random(n) < PROSPECT_SHARE) | (first >= END_MINUTE)
    first[never] = -1
    return _Members(n, signup, acq, city, home_store, gender, birth_year, kind, first,
                    np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64),
                    np.zeros(n, dtype=float))


# ---------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------

def _renewal(rng: np.random.Generator, t0: np.ndarray, t_end: np.ndarray, mean_gap: np.ndarray,
             sigma: float = 0.15, gamma_shape: float | None = None,
             decline_at: np.ndarray | None = None, slope: float = 0.18
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised renewal process: stream i fires at t0[i], then after each gap, while < t_end[i].

    Gaps are mean_gap[i] x lognormal(0, sigma) jitter (or gamma(shape) for irregular buyers);
    from event index decline_at[i] on they widen by `slope` per event.
    Returns (stream index, time in days, event index within the stream)."""
    span = np.clip(t_end - t0, 0, None)
    floor = 0.25 if gamma_shape else 0.6
    n_max = (np.ceil(span / (floor * mean_gap)).astype(np.int64) + 1).clip(1, 400)
    total = int(n_max.sum())
    sid = np.repeat(np.arange(len(t0)), n_max)
    starts = np.cumsum(n_max) - n_max
    k = np.arange(total) - np.repeat(starts, n_max)
    if gamma_shape:
        gaps = mean_gap[sid] * rng.gamma(gamma_shape, 1.0 / gamma_shape, total)
        gaps = np.maximum(gaps, 2.0)
    else:
        gaps = mean_gap[sid] * np.exp(rng.normal(0.0, sigma, total))
    if decline_at is not None:
        gaps *= 1.0 + slope * np.clip(k - decline_at[sid], 0, None)
    cs = np.cumsum(gaps)
    before = cs - gaps                                  # exclusive running sum
    t = t0[sid] + before - np.repeat(before[starts], n_max)
    keep = t < t_end[sid]
    return sid[keep], t[keep], k[keep]


@dataclass
class _Events:
    """The orders of one chunk's buyers before they get lines, collected stream by stream."""
    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    def add(self, member: np.ndarray, t: np.ndarray, cat: int | np.ndarray,
            prod: np.ndarray | None = None, qty: np.ndarray | None = None,
            first: np.ndarray | None = None, declining: np.ndarray | None = None,
            growth: np.ndarray | None = None) -> None:
        """member: buyer index in the chunk; t: days since START; prod -1 / qty 0: drawn later;
        first: the member's first purchase; growth: 0..1, how far a growing member has grown."""
        n = len(member)
        self.parts.append({
            "member": member, "t": t,
            "cat": np.broadcast_to(np.asarray(cat, dtype=np.int64), (n,)).copy(),
            "prod": np.full(n, -1, np.int64) if prod is None else prod,
            "qty": np.zeros(n, np.int64) if qty is None else qty,
            "first": np.zeros(n, bool) if first is None else first,
            "declining": np.zeros(n, bool) if declining is None else declining,
            "growth": np.zeros(n) if growth is None else growth,
        })

    def collect(self) -> dict[str, np.ndarray]:
        return {f: np.concatenate([p[f] for p in self.parts]) for f in self.parts[0]}


@dataclass
class _Buyers:
    """The buyers of one chunk."""
    idx: np.ndarray          # global member index
    f0: np.ndarray           # first purchase, days since START
    kind: np.ndarray
    acq: np.ndarray
    mood: np.ndarray         # mean NPS score


@dataclass
class _Periodic:
    """Latent traits of a chunk's periodic buyers (positions `per` in _Buyers)."""
    per: np.ndarray
    life: np.ndarray         # days with the brand
    decliner: np.ndarray
    grower: np.ndarray
    decline_frac: np.ndarray  # share of the lifetime after which a decliner's gaps widen


def _simulate_chunk(rng: np.random.Generator, mem: _Members, lo: int, hi: int, key_base: int
                    ) -> tuple[pl.DataFrame, int]:
    """Order lines of members lo..hi-1 (numeric, see _pack) and the next free order key.

    Order keys key_base, key_base + 1, ... are unique over chunks; updates mem.spend/last/mood."""
    idx = lo + np.flatnonzero(mem.first[lo:hi] >= 0)
    kind, acq = mem.kind[idx], mem.acq[idx]
    mood = np.where(kind == ONE_TIME, 7.6, 8.2)
    mood = mood + np.select([acq == TMALL_CH, acq == MINI_CH, acq == APP_CH], [-0.5, 0.3, 0.2], 0.0)
    b = _Buyers(idx, mem.first[idx] / 1440.0, kind, acq, mood)

    ev = _Events()
    one = np.flatnonzero(kind == ONE_TIME)
    ev.add(one, b.f0[one], _choice(rng, ONE_TIME_CAT_P, len(one)), first=np.ones(len(one), bool))
    _periodic_events(rng, b, ev)
    _occasional_events(rng, b, ev)
    _promo_events(rng, b, ev)

    o = _orders(rng, mem, b, ev.collect())
    ln, n_lines = _lines(rng, o)
    eid = ln["order"]
    sales = {
        "member": o["member"][eid], "minute": o["minute"][eid], "ekey": key_base + eid,
        "is_ref": np.zeros(len(eid), bool), "line_no": ln["line_no"], "prod": ln["prod"],
        "qty": ln["qty"], "price": ln["price"], "disc": ln["disc"], "ch": o["ch"][eid],
        "store": o["store"][eid],
    }
    refunds = _refunds(rng, o, sales, n_lines, key_base)

    # member summaries (tiers, the survey)
    for d in (sales, refunds):
        amount = d["qty"] * d["price"] - d["disc"]
        mem.spend[lo:hi] += np.bincount(d["member"] - lo, weights=amount, minlength=hi - lo
                                        ).astype(np.int64)
    last = np.full(hi - lo, -1, dtype=np.int64)
    np.maximum.at(last, o["member"] - lo, o["minute"])
    mem.last[lo:hi] = last
    mem.mood[idx] = b.mood
    df = pl.concat([_pack(d) for d in (sales, refunds)])
    return df, key_base + len(o["minute"]) + len(refunds["ekey"])


def _periodic_events(rng: np.random.Generator, b: _Buyers, ev: _Events) -> None:
    """Milk powder (~30 d) and/or diapers (~20 d) on a personal cycle; baby food for growers."""
    per = np.flatnonzero(b.kind == PERIODIC)
    npr = len(per)
    early_p = np.array([EARLY_CHURN_P[c] for c in range(len(CHANNELS))])
    early = rng.random(npr) < early_p[b.acq[per]]
    # lifetime with the brand: 11-30 months (the baby outgrows milk powder), or a few months
    life = np.where(early, 20 + rng.exponential(80, npr),
                    330 + np.minimum(rng.exponential(200, npr), 570))
    has_milk = rng.random(npr) < 0.75
    has_diaper = (rng.random(npr) < 0.12) | ~has_milk
    style = rng.random(npr)
    decliner = style < 0.30
    grower = (style >= 0.30) & (style < 0.55)
    care = rng.random(npr) < 0.08
    p = _Periodic(per, life, decliner, grower, rng.uniform(0.55, 0.75, npr))
    b.mood[per] = np.where(decliner, 5.8, np.where(grower, 9.6, 9.2)) + (b.mood[per] - 8.2)
    b.mood[per[early]] -= 1.0

    # the main stream starts at the first purchase; a second one a few days later
    zero, one = np.zeros(npr), np.ones(npr)
    _periodic_stream(rng, b, ev, p, has_milk, 30.0, zero, one, MILK)
    diaper_offset = np.where(has_milk, rng.uniform(3, 20, npr), 0.0)
    _periodic_stream(rng, b, ev, p, has_diaper, 20.0, diaper_offset, rng.uniform(0.7, 1.1, npr),
                     DIAPER)
    # growers start baby food after a few months; some rebuy toiletries every ~2 months
    food_offset, care_offset = rng.uniform(120, 270, npr), rng.uniform(5, 60, npr)
    _periodic_stream(rng, b, ev, p, grower, 35.0, food_offset, one, FOOD, sigma=0.2)
    _periodic_stream(rng, b, ev, p, care, 60.0, care_offset, one, CARE, sigma=0.25)


def _periodic_stream(rng: np.random.Generator, b: _Buyers, ev: _Events, p: _Periodic,
                     which: np.ndarray, cycle: float, offset: np.ndarray, life_mult: np.ndarray,
                     cat: int, sigma: float = 0.15) -> None:
    """One category bought every ~`cycle` days (personal mean gap) from first purchase + offset."""
    sel = np.flatnonzero(which)
    m = p.per[sel]
    gap = cycle * np.exp(rng.normal(0.0, 0.12, len(sel)))
    life = p.life[sel] * life_mult[sel]
    t_end = np.minimum(b.f0[m] + life, N_DAYS)
    dec_at = np.where(p.decliner[sel], p.decline_frac[sel] * life / gap, np.inf)
    sid, t, k = _renewal(rng, b.f0[m] + offset[sel], t_end, gap, sigma=sigma, decline_at=dec_at)
    age = t - b.f0[m[sid]]                                   # days since first purchase
    declining = k >= dec_at[sid]
    prod = qty = None
    if cat in (MILK, DIAPER):
        prod, qty = _staple(rng, cat, len(sel), sid, age, declining)
    first = (k == 0) & (offset[sel][sid] == 0)
    growth = np.where(p.grower[sel][sid], np.minimum(age / 365.0, 1.0), 0.0)
    ev.add(m[sid], t, cat, prod, qty, first, declining, growth)


def _staple(rng: np.random.Generator, cat: int, n_streams: int, sid: np.ndarray, age: np.ndarray,
            declining: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Product and quantity of milk / diaper orders: one brand, moving up stages / sizes."""
    if cat == MILK:
        brand = _choice(rng, MILK_BRAND_P, n_streams)[sid]
        stage0 = _choice(rng, [0.45, 0.35, 0.20], n_streams)[sid]
        prod = MILK_BRANDS[brand, np.minimum(stage0 + (age // 180).astype(np.int64), 2)]
        q0 = (_choice(rng, [0.15, 0.40, 0.30, 0.15], n_streams) + 1)[sid]
    else:
        brand = _choice(rng, DIAPER_BRAND_P, n_streams)[sid]
        size0 = _choice(rng, [0.15, 0.25, 0.35, 0.25], n_streams)[sid]
        prod = DIAPER_BRANDS[brand, np.minimum(size0 + (age // 120).astype(np.int64), 5)]
        q0 = (_choice(rng, [0.30, 0.50, 0.20], n_streams) + 1)[sid]
    prod = np.where(rng.random(len(sid)) < 0.05, -1, prod)   # the odd other product
    jitter = _choice(rng, [0.1, 0.8, 0.1], len(sid)) - 1
    return prod, np.maximum(q0 + jitter - declining, 1)


def _occasional_events(rng: np.random.Generator, b: _Buyers, ev: _Events) -> None:
    """Irregular long gaps over a limited lifetime (shorter for 天猫 members)."""
    occ = np.flatnonzero(b.kind == OCCASIONAL)
    gap = 60.0 + rng.exponential(90.0, len(occ))
    life = 15.0 + rng.exponential(200.0, len(occ)) * np.where(b.acq[occ] == TMALL_CH, 0.7, 1.0)
    sid, t, k = _renewal(rng, b.f0[occ], np.minimum(b.f0[occ] + life, N_DAYS), gap,
                         gamma_shape=1.6)
    ev.add(occ[sid], t, _choice(rng, OCCASIONAL_CAT_P, len(t)), first=k == 0)


def _promo_events(rng: np.random.Generator, b: _Buyers, ev: _Events) -> None:
    """Returning members still active place an extra order during 618 and 双11."""
    e = ev.collect()
    last_t = np.full(len(b.idx), -1.0)
    np.maximum.at(last_t, e["member"], e["t"])
    for y in range(START.year, END.year + 1):
        for promo_code, p_extra in ((1, 0.16), (2, 0.33)):
            win = np.flatnonzero((YEAR == y) & (PROMO == promo_code))
            if not len(win):
                continue
            w = np.ones(len(win))
            w[-1] = 4.0 if promo_code == 1 else 6.0        # 6/18, 11/11
            if promo_code == 2:
                w[0] = 2.5                                  # presale opens on 11/1
            active = np.flatnonzero((b.f0 < win[0]) & (last_t + 45 >= win[0])
                                    & (b.kind != ONE_TIME))
            active = active[rng.random(len(active)) < p_extra]
            day = win[_choice(rng, w, len(active))]
            ev.add(active, day + 0.5, _choice(rng, PROMO_CAT_P, len(active)))


def _orders(rng: np.random.Generator, mem: _Members, b: _Buyers, e: dict[str, np.ndarray]
            ) -> dict[str, np.ndarray]:
    """Events -> orders: global member, minute, channel, store, promo flag (one row per order)."""
    keep = e["t"] < N_DAYS
    e = {k: v[keep] for k, v in e.items()}
    ne = len(e["t"])
    m = e["member"]
    gm = b.idx[m]
    first = e["first"]
    day = np.floor(e["t"]).astype(np.int64)
    ch = np.where(rng.random(ne) < 0.82, b.acq[m], _choice(rng, [0.2, 0.3, 0.3, 0.2], ne))
    ch[first] = b.acq[m][first]
    minute = day * 1440 + _minute_of_day(rng, ch, day)
    minute[first] = mem.first[gm][first]
    # never before the first purchase (e.g. a second order on the day of the first)
    minute = np.maximum(minute, mem.first[gm] + np.where(first, 0, 1))
    minute = np.minimum(minute, END_MINUTE - 1)
    city = mem.city[gm]
    other_store = CITY_STORE_START[city] + (rng.random(ne) * CITY_STORE_COUNT[city]).astype(np.int64)
    store = np.where(ch == STORE_CH,
                     np.where(rng.random(ne) < 0.9, mem.home_store[gm], other_store),
                     N_STORES + ch - 1)
    return e | {"member": gm, "minute": minute, "ch": ch, "store": store,
                "promo": PROMO[minute // 1440] > 0}


def _lines(rng: np.random.Generator, o: dict[str, np.ndarray]
           ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The main line of each order plus add-ons (bigger baskets at promotions and for growers),
    with prices and discounts in cents; also the number of lines per order."""
    ne = len(o["minute"])
    promo = o["promo"]
    lam = 0.18 + 0.55 * promo + 0.6 * o["growth"] - 0.3 * o["declining"]
    n_add = np.minimum(rng.poisson(np.clip(lam, 0.05, None)), 3)
    n_lines = 1 + n_add
    eid = np.repeat(np.arange(ne), n_lines)
    pos = np.arange(len(eid)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    main = pos == 0
    cat = np.empty(len(eid), dtype=np.int64)
    cat[main] = o["cat"]
    add = np.flatnonzero(~main)
    add_promo = promo[eid[add]]
    for is_promo, p in ((False, ADDON_P), (True, ADDON_PROMO_P)):
        rows = add[add_promo == is_promo]
        cat[rows] = ADDON_CATS[_choice(rng, p, len(rows))]
    prod = _pick_product(rng, cat, MONTH[o["minute"] // 1440][eid])
    preset = o["prod"] >= 0
    prod[np.flatnonzero(main)[preset]] = o["prod"][preset]
    qty = np.where(rng.random(len(eid)) < 0.85, 1, _choice(rng, [0.8, 0.2], len(eid)) + 2)
    qty[main] = np.where(o["qty"] > 0, o["qty"], qty[main])
    qty[(cat == GEAR)] = 1
    qty[main & promo[eid] & ((cat == MILK) | (cat == DIAPER))] += 1   # stocking up

    # the same product twice in one order becomes one line
    order = np.lexsort((pos, prod, eid))
    dup = np.zeros(len(eid), bool)
    dup[order[1:]] = (eid[order[1:]] == eid[order[:-1]]) & (prod[order[1:]] == prod[order[:-1]])
    keep = ~dup
    eid, prod, qty = eid[keep], prod[keep], qty[keep]
    n_lines = np.bincount(eid, minlength=ne)
    line_no = np.arange(len(eid)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)

    # discounts: 15-30 % at promotions, else the odd coupon (more often in App / 小程序)
    price = CATALOG.price[prod]
    gross = qty * price
    lpromo = promo[eid]
    lch = o["ch"][eid]
    rate = rng.uniform(0.15, 0.30, len(eid))
    promo_disc = np.floor(gross * rate / 100.0) * 100                  # whole yuan
    coupon = np.array([500, 1000, 2000, 3000, 5000])[_choice(rng, [.2, .3, .25, .15, .1], len(eid))]
    coupon = np.minimum(coupon, np.floor(gross * 0.3 / 100.0) * 100)
    p_coupon = np.where((lch == APP_CH) | (lch == MINI_CH), 0.18, 0.10)
    u = rng.random(len(eid))
    disc = np.where(lpromo & (u < 0.8), promo_disc, np.where(~lpromo & (u < p_coupon), coupon, 0))
    return ({"order": eid, "line_no": line_no, "prod": prod, "qty": qty, "price": price,
             "disc": disc.astype(np.int64)}, n_lines)


def _refunds(rng: np.random.Generator, o: dict[str, np.ndarray], sales: dict[str, np.ndarray],
             n_lines: np.ndarray, key_base: int) -> dict[str, np.ndarray]:
    """Refund lines (in _pack's layout): one line of ~2.5 % of the orders is refunded, either as
    a negative line in the same order (partial refund: the order stays positive) or as a
    refund-only order dated 1-10 days later."""
    ne = len(o["minute"])
    refund = np.flatnonzero(rng.random(ne) < REFUND_SHARE)
    target = (rng.random(len(refund)) * n_lines[refund]).astype(np.int64)
    li = (np.cumsum(n_lines) - n_lines)[refund] + target
    r_qty = sales["qty"][li]
    partial_ok = (n_lines[refund] >= 2) | (r_qty >= 2)
    in_order = partial_ok & (rng.random(len(refund)) < 0.55)
    units = np.where(in_order & (r_qty >= 2), 1, r_qty)
    units = np.where(~in_order & (r_qty >= 2) & (rng.random(len(refund)) < 0.4), 1, units)
    r_disc = sales["disc"][li] * units // r_qty
    minute = o["minute"][refund]
    lag = (rng.uniform(1, 10, len(refund)) * 1440).astype(np.int64)
    lag = np.where(minute + lag < END_MINUTE, lag,
                   (END_MINUTE - 1 - minute) * rng.random(len(refund))).astype(np.int64)
    return {
        "member": o["member"][refund], "minute": np.where(in_order, minute, minute + lag),
        "ekey": np.where(in_order, key_base + refund, key_base + ne + np.arange(len(refund))),
        "is_ref": ~in_order, "line_no": np.where(in_order, n_lines[refund], 0),
        "prod": sales["prod"][li], "qty": -units, "price": sales["price"][li], "disc": -r_disc,
        "ch": o["ch"][refund], "store": o["store"][refund],
    }


# One int64 sort key per line: minute | refund-only order | order key | line number, so the
# lines of all chunks sort by (支付时间, 订单号) with a single-column sort.
_LINE_BITS, _ORDER_BITS = 3, 32


def _pack(d: dict[str, np.ndarray]) -> pl.DataFrame:
    assert d["ekey"].size == 0 or int(d["ekey"].max()) < (1 << _ORDER_BITS)
    key = ((d["minute"].astype(np.int64) * 2 + d["is_ref"]) << (_ORDER_BITS + _LINE_BITS)) \
        | (d["ekey"].astype(np.int64) << _LINE_BITS) | d["line_no"].astype(np.int64)
    return pl.DataFrame([
        pl.Series("key", key, dtype=pl.Int64),
        pl.Series("member", d["member"], dtype=pl.UInt32),
        pl.Series("prod", d["prod"], dtype=pl.UInt8),
        pl.Series("qty", d["qty"], dtype=pl.Int16),
        pl.Series("price", d["price"], dtype=pl.Int32),
        pl.Series("disc", d["disc"], dtype=pl.Int32),
        pl.Series("ch", d["ch"], dtype=pl.UInt8),
        pl.Series("store", d["store"], dtype=pl.UInt8),
    ])


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------

def _member_ids(idx: pl.Expr, n: int) -> pl.Expr:
    width = max(6, len(str(n)))
    return pl.lit("M") + (idx.cast(pl.Int64) + 1).cast(pl.String).str.zfill(width)


def _lookup(values: list[str], idx: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=pl.String)).gather(idx)


def _write_text(path: Path, frames: Iterable[pl.DataFrame], encoding: str,
                float_precision: int | None = None) -> None:
    """Write frames as one CSV (header from the first) in the given encoding."""
    encoder = codecs.getincrementalencoder(encoding)()   # a BOM, if any, only once
    with open(path, "wb") as fh:
        for i, frame in enumerate(frames):
            text = frame.write_csv(include_header=i == 0, float_precision=float_precision)
            fh.write(encoder.encode(text))
        fh.write(encoder.encode("", final=True))


def _format_orders(df: pl.DataFrame, mem_city: pl.Series, n_members: int, order_width: int
                   ) -> pl.DataFrame:
    city_names = [c[0] for c in CITIES]
    prov_names = [c[1] for c in CITIES]
    store_names = STORE_NAMES + [ONLINE_SHOPS[c] for c in (APP_CH, MINI_CH, TMALL_CH)]
    base = datetime(START.year, START.month, START.day)
    city = mem_city.gather(df["member"])
    out = df.with_columns(city=city).select(
        pl.when((pl.col("key") // (1 << (_LINE_BITS + _ORDER_BITS))) % 2 == 1)
        .then(pl.lit("R")).otherwise(pl.lit("O"))
        .add(pl.col("seq").cast(pl.String).str.zfill(order_width)).alias("订单号"),
        _member_ids(pl.col("member"), n_members).alias("会员ID"),
        (pl.lit(base) + pl.duration(minutes=pl.col("key") // (1 << (_LINE_BITS + _ORDER_BITS + 1))))
        .dt.strftime("%Y/%-m/%-d %H:%M")
        .alias("支付时间"),
        _lookup(CHANNELS, pl.col("ch")).alias("渠道"),
        _lookup(store_names, pl.col("store")).alias("门店"),
        _lookup(prov_names, pl.col("city")).alias("省份"),
        _lookup(city_names, pl.col("city")).alias("城市"),
        _lookup(CATALOG.code, pl.col("prod")).alias("商品编码"),
        _lookup(CATALOG.name, pl.col("prod")).alias("商品名称"),
        _lookup(CATEGORIES, pl.lit(pl.Series(CATALOG.cat.astype(np.int64))).gather(pl.col("prod")))
        .alias("品类"),
        pl.col("qty").alias("数量"),
        (pl.col("price") / 100).alias("单价"),
        (pl.col("disc") / 100).alias("优惠金额"),
        ((pl.col("qty").cast(pl.Int64) * pl.col("price") - pl.col("disc")) / 100).alias("实付金额"),
    )
    assert out.columns == ORDER_COLUMNS
    return out


def _tiers(spend_cents: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(TIER_MIN_SPEND) * 100, spend_cents, side="right") - 1


def generate(out_dir: Path, members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED,
             encoding: str = DEFAULT_ENCODING) -> dict[str, Path]:
    """Write orders.csv, members.xlsx (members.csv above 500k), nps.csv and spend.csv."""
    if members < 1:
        raise ValueError("members must be >= 1")
    codecs.lookup(encoding)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(seed).spawn(3)
    mem = _make_members(np.random.default_rng(seeds[0]), members)

    # orders, chunk by chunk (each chunk has its own child seed: same output for any machine)
    chunk_seeds = seeds[1].spawn((members + CHUNK_MEMBERS - 1) // CHUNK_MEMBERS)
    frames = []
    key_base = 0
    for ci, lo in enumerate(range(0, members, CHUNK_MEMBERS)):
        hi = min(lo + CHUNK_MEMBERS, members)
        frame, key_base = _simulate_chunk(np.random.default_rng(chunk_seeds[ci]), mem, lo, hi,
                                          key_base)
        frames.append(frame)
    lines = pl.concat(frames)
    del frames
    lines = lines.sort("key")
    order_key = pl.col("key") // (1 << _LINE_BITS)
    new_order = order_key != order_key.shift(1)
    lines = lines.with_columns(seq=new_order.fill_null(True).cast(pl.UInt32).cum_sum())
    order_width = max(7, len(str(int(lines["seq"].max() or 0))))
    mem_city = pl.Series(mem.city.astype(np.int64))
    paths = {"orders": out_dir / "orders.csv"}
    slices = (_format_orders(lines.slice(i, WRITE_ROWS), mem_city, members, order_width)
              for i in range(0, max(lines.height, 1), WRITE_ROWS))
    _write_text(paths["orders"], slices, encoding, float_precision=2)
    del lines

    rng = np.random.default_rng(seeds[2])
    paths["members"] = _write_members(out_dir, mem, encoding)
    paths["nps"] = out_dir / "nps.csv"
    _write_text(paths["nps"], [_nps(rng, mem).select(NPS_COLUMNS)], encoding)
    paths["spend"] = out_dir / "spend.csv"
    _write_text(paths["spend"], [_spend(rng, mem).select(SPEND_COLUMNS)], encoding,
                float_precision=2)
    return paths


def _write_members(out_dir: Path, mem: _Members, encoding: str) -> Path:
    base = datetime(START.year, START.month, START.day)
    df = pl.DataFrame({
        "idx": np.arange(mem.n), "signup": mem.signup, "gender": mem.gender,
        "birth": mem.birth_year, "tier": _tiers(mem.spend), "acq": mem.acq, "city": mem.city,
    }).select(
        _member_ids(pl.col("idx"), mem.n).alias("会员ID"),
        (pl.lit(base) + pl.duration(minutes=pl.col("signup"))).dt.cast_time_unit("ms")
        .alias("注册时间"),
        _lookup(GENDERS, pl.col("gender")).alias("性别"),
        pl.when(pl.col("birth") > 0).then(pl.col("birth")).alias("出生年份"),
        _lookup(MEMBER_TIERS, pl.col("tier")).alias("会员等级"),
        _lookup(CHANNELS, pl.col("acq")).alias("注册渠道"),
        _lookup([c[1] for c in CITIES], pl.col("city")).alias("省份"),
        _lookup([c[0] for c in CITIES], pl.col("city")).alias("城市"),
    )
    assert df.columns == MEMBER_COLUMNS
    if mem.n > MEMBERS_XLSX_MAX:
        path = out_dir / "members.csv"
        _write_text(path, [df.with_columns(pl.col("注册时间").dt.strftime("%Y-%m-%d %H:%M:%S"))],
                    encoding)
        return path
    import xlsxwriter

    path = out_dir / "members.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": datetime(END.year, END.month, END.day)})  # reproducible bytes
    df.write_excel(wb, worksheet=MEMBERS_SHEET, dtype_formats={pl.Datetime: "yyyy-mm-dd hh:mm"},
                   column_widths={"会员ID": 90, "注册时间": 130}, autofilter=True)
    wb.close()
    return path


def _nps(rng: np.random.Generator, mem: _Members) -> pl.DataFrame:
    buyers = np.flatnonzero(mem.last >= 0)
    picked = buyers[rng.random(len(buyers)) < NPS_SHARE]
    lo = mem.first[picked]
    hi = np.minimum(mem.last[picked] + 30 * 1440, END_MINUTE - 1)
    when = lo + ((hi - lo) * rng.random(len(picked))).astype(np.int64)
    twice = picked[rng.random(len(picked)) < NPS_TWICE_SHARE]
    when2 = when[np.isin(picked, twice)] + (rng.uniform(60, 300, len(twice)) * 1440).astype(np.int64)
    member = np.concatenate([picked, twice[when2 < END_MINUTE]])
    when = np.concatenate([when, when2[when2 < END_MINUTE]])
    score = np.clip(np.round(mem.mood[member] + rng.normal(0.0, 1.4, len(member))), 0, 10)
    seconds = when * 60 + rng.integers(0, 60, len(member))
    base = datetime(START.year, START.month, START.day)
    return (pl.DataFrame({"m": member, "s": seconds, "score": score.astype(np.int64)})
            .sort(["s", "m"])
            .select(_member_ids(pl.col("m"), mem.n).alias("会员ID"),
                    (pl.lit(base) + pl.duration(seconds=pl.col("s"))).dt.strftime("%Y-%m-%d %H:%M:%S")
                    .alias("提交答卷时间"),
                    pl.col("score").alias("推荐评分")))


def _spend(rng: np.random.Generator, mem: _Members) -> pl.DataFrame:
    """Marketing spend = new buyers x cost per new buyer (by channel), dearer in promo months."""
    buyers = mem.first >= 0
    fday = mem.first[buyers] // 1440
    month_idx = (YEAR[fday].astype(np.int64) - START.year) * 12 + MONTH[fday] - 1
    n_months = (END.year - START.year) * 12 + END.month
    counts = np.zeros((n_months, 4))
    np.add.at(counts, (month_idx, mem.acq[buyers]), 1)
    months = np.arange(n_months)
    cal_month = months % 12 + 1
    mult = np.where(cal_month == 11, 1.45, np.where(cal_month == 6, 1.25, 1.0))
    rows = []
    for ch in range(4):
        noise = np.exp(rng.normal(0.0, 0.08, n_months))
        spend = np.round(counts[:, ch] * CAC_YUAN[ch] * mult * noise, 2)
        rows.append(pl.DataFrame({
            "月份": [f"{START.year + m // 12}-{m % 12 + 1:02d}" for m in months],
            "渠道": [CHANNELS[ch]] * n_months,
            "营销费用": spend,
        }))
    return pl.concat(rows).sort(["月份"], maintain_order=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lib.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=DEFAULT_MEMBERS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=Path("sample_data"))
    ap.add_argument("--encoding", choices=["gb18030", "utf-8"], default=DEFAULT_ENCODING)
    args = ap.parse_args(argv)
    if args.members < 1:
        ap.error("--members must be >= 1")
    paths = generate(args.out, members=args.members, seed=args.seed, encoding=args.encoding)
    for kind, path in paths.items():
        print(f"{kind}\t{path}\t{path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
