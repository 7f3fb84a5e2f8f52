"""The seeded demo-data generator (lib/demo/): reproducible, well-formed export files."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from lib.demo import generate

N_MEMBERS = 300
SEED = 7

ORDER_HEADER = ["订单号", "会员ID", "支付时间", "渠道", "门店", "省份", "城市", "商品编码",
                "商品名称", "品类", "数量", "单价", "优惠金额", "实付金额"]
MEMBER_HEADER = ["会员ID", "注册时间", "性别", "出生年份", "会员等级", "注册渠道", "省份", "城市"]
CHANNELS = {"门店", "App", "小程序", "天猫"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    return {
        "a": generate(tmp_path_factory.mktemp("a"), members=N_MEMBERS, seed=SEED),
        "b": generate(tmp_path_factory.mktemp("b"), members=N_MEMBERS, seed=SEED),
        "other": generate(tmp_path_factory.mktemp("other"), members=N_MEMBERS, seed=SEED + 1),
    }


def _read_csv(path: Path, encoding: str = "gb18030") -> pl.DataFrame:
    text = path.read_bytes().decode(encoding)      # strict: raises on bytes foreign to it
    return pl.read_csv(io.StringIO(text), infer_schema=False)


@pytest.fixture(scope="module")
def orders(runs: dict[str, dict[str, Path]]) -> pl.DataFrame:
    return _read_csv(runs["a"]["orders"])


def test_writes_the_four_files(runs: dict[str, dict[str, Path]]) -> None:
    paths = runs["a"]
    assert set(paths) == {"orders", "members", "nps", "spend"}
    assert [paths[k].name for k in ("orders", "members", "nps", "spend")] == \
        ["orders.csv", "members.xlsx", "nps.csv", "spend.csv"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())


def test_same_seed_gives_identical_bytes(runs: dict[str, dict[str, Path]]) -> None:
    for kind, path in runs["a"].items():
        assert path.read_bytes() == runs["b"][kind].read_bytes(), kind


def test_other_seed_differs(runs: dict[str, dict[str, Path]]) -> None:
    for kind in ("orders", "members", "nps"):
        assert runs["a"][kind].read_bytes() != runs["other"][kind].read_bytes(), kind


def test_orders_are_gb18030_with_the_export_header(runs: dict[str, dict[str, Path]],
                                                    orders: pl.DataFrame) -> None:
    raw = runs["a"]["orders"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                         # really GB-encoded, not UTF-8
    assert raw.decode("gb18030").splitlines()[0] == ",".join(ORDER_HEADER)
    assert orders.columns == ORDER_HEADER
    assert orders.height > 5 * N_MEMBERS / 2        # a few lines per member


def test_amount_is_quantity_times_price_minus_discount(orders: pl.DataFrame) -> None:
    for col in ("单价", "优惠金额", "实付金额"):    # plain numbers with two decimals
        assert orders[col].str.contains(r"^-?\d+\.\d{2}$").all(), col
    num = orders.select(
        pl.col("数量").cast(pl.Int64),
        pl.col("单价", "优惠金额", "实付金额").cast(pl.Float64),
    )
    diff = num.select(
        ((pl.col("数量") * pl.col("单价") - pl.col("优惠金额")).round(2) - pl.col("实付金额")).abs()
    ).to_series()
    assert diff.max() < 1e-9
    assert (num["数量"] != 0).all()
    assert (num["单价"] > 0).all()
    assert (num["优惠金额"] > 0).any()              # some discounts, not on most lines
    assert (num["优惠金额"] == 0).mean() > 0.5


def test_dates_are_unpadded_and_sorted(orders: pl.DataFrame) -> None:
    assert orders["支付时间"].str.contains(r"^\d{4}/[1-9]\d?/[1-9]\d? \d{2}:\d{2}$").all()
    ts = orders["支付时间"].str.to_datetime("%Y/%-m/%-d %H:%M", strict=True)
    assert ts.null_count() == 0
    assert ts.min() >= datetime(2024, 1, 1) and ts.max() < datetime(2026, 11, 1)
    keyed = pl.DataFrame({"ts": ts, "id": orders["订单号"]})
    assert keyed.equals(keyed.sort(["ts", "id"]))   # by 支付时间, then 订单号
    # the lines of one order share member, time and channel
    per_order = orders.group_by("订单号").agg(pl.col("会员ID", "支付时间", "渠道").n_unique())
    assert (per_order.select(pl.col("会员ID", "支付时间", "渠道").max()).row(0)) == (1, 1, 1)


def test_refunds_of_both_kinds(orders: pl.DataFrame) -> None:
    amount = pl.col("实付金额").cast(pl.Float64)
    neg = orders.filter(amount < 0)
    assert neg.height > 0
    assert (neg["数量"].cast(pl.Int64) < 0).all()
    by_order = orders.group_by("订单号").agg(
        neg=(amount < 0).any(), pos=(amount > 0).any(), net=amount.sum())
    refund_only = by_order.filter(pl.col("订单号").str.starts_with("R"))
    assert refund_only.height > 0 and (refund_only["net"] < 0).all() and not refund_only["pos"].any()
    assert by_order.filter(pl.col("neg") & pl.col("pos")).height > 0     # partial, same 订单号
    refund_share = by_order["neg"].mean()
    assert 0.005 < refund_share < 0.08


def test_channels_and_stores(orders: pl.DataFrame) -> None:
    channels = set(orders["渠道"].unique())
    assert channels <= CHANNELS and len(channels) >= 3
    online = {"App": "官方App", "小程序": "官方小程序", "天猫": "天猫旗舰店"}
    pairs = orders.select("渠道", "门店").unique()
    for channel, store in pairs.iter_rows():
        if channel == "门店":
            assert store.endswith("店") and store not in online.values()
        else:
            assert store == online[channel]
    assert orders["商品编码"].str.contains(r"^MP-\d{3}$").all()
    assert orders["会员ID"].str.contains(r"^M\d{6}$").all()


def test_members_xlsx_reads_back(runs: dict[str, dict[str, Path]], orders: pl.DataFrame) -> None:
    # engine "calamine" is polars' fastexcel reader
    members = pl.read_excel(runs["a"]["members"], sheet_name="会员资料", engine="calamine")
    assert members.columns == MEMBER_HEADER
    assert members.height == N_MEMBERS
    assert members["会员ID"].n_unique() == N_MEMBERS
    signup_dtype = members.schema["注册时间"]
    assert signup_dtype == pl.Date or isinstance(signup_dtype, pl.Datetime)
    assert members["注册时间"].null_count() == 0
    assert set(members["会员等级"].unique()) <= {"普通会员", "银卡会员", "金卡会员", "钻石会员"}
    assert set(members["注册渠道"].unique()) <= CHANNELS
    assert set(orders["会员ID"].unique()) <= set(members["会员ID"])
    assert set(members["会员ID"]) - set(orders["会员ID"])          # prospects who never bought


def test_nps_and_spend(runs: dict[str, dict[str, Path]]) -> None:
    nps = _read_csv(runs["a"]["nps"])
    assert nps.columns == ["会员ID", "提交答卷时间", "推荐评分"]
    assert nps.height > 0
    scores = nps["推荐评分"].cast(pl.Int64)
    assert scores.min() >= 0 and scores.max() <= 10
    assert nps["提交答卷时间"].str.to_datetime("%Y-%m-%d %H:%M:%S", strict=True).null_count() == 0
    spend = _read_csv(runs["a"]["spend"])
    assert spend.columns == ["月份", "渠道", "营销费用"]
    assert spend["月份"].str.contains(r"^20\d{2}-\d{2}$").all()
    assert set(spend["渠道"].unique()) == CHANNELS
    assert (spend["营销费用"].cast(pl.Float64) >= 0).all()


def test_utf8_option(tmp_path: Path) -> None:
    paths = generate(tmp_path, members=50, seed=SEED, encoding="utf-8")
    orders = _read_csv(paths["orders"], encoding="utf-8")
    assert orders.columns == ORDER_HEADER
