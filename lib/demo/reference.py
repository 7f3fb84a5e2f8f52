"""The fixed world of the demo: the period and its calendar (618, 双11), channels, cities and their
stores, the product catalog, the latent member types and the rates the simulation draws with, and
the draws every stage shares (a weighted choice, a product of a category, a time of day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

START = date(2024, 1, 1)
END = date(2026, 10, 31)

N_DAYS = (END - START).days + 1          # days in [START, END]
END_MINUTE = N_DAYS * 1440               # first minute after the data period

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
