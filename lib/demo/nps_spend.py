"""The two side files, drawn once the orders are known: survey answers (nps.csv; NPS_SHARE of the
buyers, some twice, scores around each member's mood) and monthly marketing spend by channel
(spend.csv; new buyers × CAC_YUAN, dearer in promotion months)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from lib.demo.members import _Members, _member_ids
from lib.demo.reference import CAC_YUAN, CHANNELS, END, END_MINUTE, MONTH, START, YEAR

NPS_SHARE = 0.08                         # buyers who answer the survey
NPS_TWICE_SHARE = 0.15                   # of those, who answer a second time


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
