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

The package, one job per module:

* ``reference.py``  the fixed world: period and calendar, channels, cities and stores, the
  product catalog, the rates drawn with, and the draws every stage shares;
* ``members.py``    the registered members and their latent traits, and their IDs;
* ``orders.py``     who buys when: one-time, periodic, occasional and promotion orders, chunk by chunk;
* ``lines.py``      what each order holds: lines, prices, discounts, refunds, the sort key;
* ``nps_spend.py``  the survey answers and the monthly marketing spend;
* ``export.py``     :func:`generate`: runs the stages with their seeds and writes the files;
* ``__main__.py``   the command line.
"""

from __future__ import annotations

from lib.demo.export import DEFAULT_MEMBERS, DEFAULT_SEED, generate

__all__ = ["DEFAULT_MEMBERS", "DEFAULT_SEED", "generate"]
