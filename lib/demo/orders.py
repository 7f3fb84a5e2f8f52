"""Who buys when, one chunk of members at a time: one-time buyers once; periodic buyers renew milk
powder and/or diapers (growers also baby food, some toiletries) on a personal cycle until they
churn; occasional buyers at long irregular gaps; active members add an order at 618 and 双11.
`_simulate_chunk` turns a chunk's events into orders (channel, minute, store), then into order
lines and refunds (lib/demo/lines.py), and fills in the members' spend, last purchase and mood."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from lib.demo.lines import _lines, _pack, _refunds
from lib.demo.members import _Members
from lib.demo.reference import (APP_CH, CARE, CHANNELS, CITY_STORE_COUNT, CITY_STORE_START, DIAPER,
                                DIAPER_BRANDS, DIAPER_BRAND_P, EARLY_CHURN_P, END, END_MINUTE, FOOD, MILK,
                                MILK_BRANDS, MILK_BRAND_P, MINI_CH, N_DAYS, N_STORES, OCCASIONAL,
                                OCCASIONAL_CAT_P, ONE_TIME, ONE_TIME_CAT_P, PERIODIC, PROMO, PROMO_CAT_P,
                                START, STORE_CH, TMALL_CH, YEAR, _choice, _minute_of_day)

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
