"""`generate`: the members, then their orders chunk by chunk (each chunk on its own child seed, so
any machine writes the same bytes), then the export files in the chosen encoding — orders.csv,
members.xlsx (members.csv above MEMBERS_XLSX_MAX), nps.csv and spend.csv — with the Chinese
export headers the auto-mapping recognises."""

from __future__ import annotations

import codecs
from datetime import datetime
from pathlib import Path
from typing import Iterable

import numpy as np
import polars as pl

from lib.demo.lines import _LINE_BITS, _ORDER_BITS
from lib.demo.members import _Members, _make_members, _member_ids
from lib.demo.nps_spend import _nps, _spend
from lib.demo.orders import _simulate_chunk
from lib.demo.reference import (APP_CH, CATALOG, CATEGORIES, CHANNELS, CITIES, END, GENDERS, MEMBER_TIERS,
                                MINI_CH, ONLINE_SHOPS, START, STORE_NAMES, TIER_MIN_SPEND, TMALL_CH)

DEFAULT_MEMBERS = 20_000
DEFAULT_SEED = 42
DEFAULT_ENCODING = "gb18030"
CHUNK_MEMBERS = 100_000                  # members simulated per chunk (memory bound)
WRITE_ROWS = 250_000                     # order lines formatted and written per slice
MEMBERS_XLSX_MAX = 500_000               # above this, members go to a CSV instead of xlsx

ORDER_COLUMNS = ["订单号", "会员ID", "支付时间", "渠道", "门店", "省份", "城市", "商品编码",
                 "商品名称", "品类", "数量", "单价", "优惠金额", "实付金额"]
MEMBER_COLUMNS = ["会员ID", "注册时间", "性别", "出生年份", "会员等级", "注册渠道", "省份", "城市"]
NPS_COLUMNS = ["会员ID", "提交答卷时间", "推荐评分"]
SPEND_COLUMNS = ["月份", "渠道", "营销费用"]
MEMBERS_SHEET = "会员资料"


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
