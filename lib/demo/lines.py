"""What each order holds: its lines (the main product plus add-ons; bigger baskets at promotions and
for growing members), quantities, prices and discounts in cents; the refunds (REFUND_SHARE of the
orders, inside the order or as a refund-only order); and the packed int64 key by which the lines
of all chunks sort as (支付时间, 订单号)."""

from __future__ import annotations

import numpy as np
import polars as pl

from lib.demo.reference import (ADDON_CATS, ADDON_P, ADDON_PROMO_P, APP_CH, CATALOG, DIAPER, END_MINUTE, GEAR,
                                MILK, MINI_CH, MONTH, _choice, _pick_product)

REFUND_SHARE = 0.025                     # orders with a refund


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
