"""The registered members and their latent traits: signup time and channel (acquisition grows
and spikes at 双11 and 618), city and home store, gender, birth year, buyer type and the minute of
the first purchase (PROSPECT_SHARE never buy); and member IDs (M000001 …, in signup order)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from lib.demo.reference import (CITIES, CITY_STORE_COUNT, CITY_STORE_START, END_MINUTE, MDAY, MONTH, N_DAYS,
                                OCCASIONAL, ONE_TIME, PERIODIC, PROMO, STORE_CH, TMALL_CH, TYPE_P, _choice,
                                _minute_of_day)

PROSPECT_SHARE = 0.08                    # registered members who never buy


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


def _member_ids(idx: pl.Expr, n: int) -> pl.Expr:
    width = max(6, len(str(n)))
    return pl.lit("M") + (idx.cast(pl.Int64) + 1).cast(pl.String).str.zfill(width)
