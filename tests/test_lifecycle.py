"""Lifecycle stages, funnel and migration on a hand-built fixture; every number worked out in comments.

Data end (as_of) = 2024-12-31. Reference dates: as_of − 90 = 2024-10-02, as_of − 180 = 2024-07-04,
as_of − 365 = 2024-01-01. Spend windows: recent (10-02, 12-31], prior (07-04, 10-02].
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import polars as pl
import pytest

from lib import lifecycle
from lib.filters import Filters
from lib.lifecycle import (MIX_COLUMNS, RUN_COLUMNS, STAGES, LifecycleSpec, MigrationCell, StageCell,
                           StepCell, funnel, members,
                           migration, mix_over_time, prospects_known, run, summary)
from tests.fixtures import build, d

EVERYONE = {"mx_bucket": 0, "mx_buckets": 1}  # the mix's members in one bucket
TOYS, MILK, TM = {"category": "toys"}, {"category": "milk"}, {"channel": "天猫"}
LINES = [
    ("c180", "c1", "2024-07-04", 50),               # recency 180: not churned
    ("c181", "c2", "2024-07-03", 50),               # recency 181: churned
    ("e1", "e1a", "2024-11-01", -20),               # refund-only order: not a purchase
    ("e1", "e1b", "2024-12-31", 100),               # data end
    ("g1", "g1a", "2024-06-01", 100, TOYS),         # growth
    ("g1", "g1b", "2024-09-01", 100, TOYS),
    ("g1", "g1c", "2024-12-01", 100, {**TOYS, **TM}),
    ("s1", "s1a", "2023-06-01", 100),               # stable: every 3 months since 2023-06
    ("s1", "s1b", "2023-09-01", 100),
    ("s1", "s1c", "2023-12-01", 100),
    ("s1", "s1d", "2024-03-01", 100),
    ("s1", "s1e", "2024-06-01", 100),
    ("s1", "s1f", "2024-09-01", 100),
    ("s1", "s1g", "2024-12-01", 100),
    ("s1", "s1h", "2024-12-01", 50),                # same-day second order: a purchase, not a gap of 0
    ("dg", "dga", "2024-10-05", 100),               # decline by gap
    ("dg", "dgb", "2024-10-07", 100),
    ("dg", "dgc", "2024-10-09", 100),
    ("ds", "dsa", "2024-07-15", 300, TOYS),         # decline by spend
    ("ds", "dsa", "2024-07-15", 100, MILK),
    ("ds", "dsb", "2024-08-15", 400, MILK),
    ("ds", "dsc", "2024-10-15", 100, TM),
    ("ds", "dsd", "2024-11-15", 100, TM),
    ("sr", "sra", "2024-08-01", 100),               # recent spend exactly 70 % of prior: decline
    ("sr", "srb", "2024-12-01", 70),
    ("nz", "nza", "2024-05-01", 100),               # prior spend nets to 0: spend rule off
    ("nz", "nzb", "2024-09-01", 100),
    ("nz", "nzc", "2024-09-15", -100),
    ("ch2", "ch2a", "2023-01-10", 100),             # churned with 3 purchases
    ("ch2", "ch2b", "2023-02-10", 100),
    ("ch2", "ch2c", "2024-05-01", 100),
    ("sd", "sda", "2024-12-20", 60),                # two purchases on one day: no gap
    ("sd", "sdb", "2024-12-20", 40),
]
MEMBERS = [
    ("p1", {"member_tier": "gold", "signup_date": "2024-01-01"}),    # prospect
    ("p2", {"member_tier": "normal", "signup_date": "2025-01-15"}),  # signs up after as_of
    ("g1", {"member_tier": "gold"}), ("s1", {"member_tier": "gold"}), ("dg", {"member_tier": "gold"}),
    ("ds", {"member_tier": "normal"}),
]


@pytest.fixture
def ds(store):
    members = [(m, {k: d(v) if k == "signup_date" else v for k, v in a.items()}) for m, a in MEMBERS]
    return build(store, lines=LINES, members=members)


def test_stages_with_their_reasons(store, ds):
    assert run(store, ds).columns == list(RUN_COLUMNS)
    assert run(store, ds).rows() == [
        # member, stage, purchases, recency, median gap, first, last, recent spend, prior spend
        # 07-04 is not after as_of − 180, so it is in neither spend window; recency 180 is not > 180.
        ("c180", "exploration", 1, 180, None, d("2024-07-04"), d("2024-07-04"), 0.0, 0.0),
        ("c181", "churned", 1, 181, None, d("2024-07-03"), d("2024-07-03"), 0.0, 0.0),
        # ch2: gaps 31 (01-10 → 02-10) and 446 (2023-02-10 → 2024-05-01: 365 + 20 + 31 + 30) → 238.5;
        # recency 244 > 180.
        ("ch2", "churned", 3, 244, 238.5, d("2023-01-10"), d("2024-05-01"), 0.0, 0.0),
        # gaps 2, 2: 83 days > 1.5 × 2; spend all recent, prior 0.
        ("dg", "decline", 3, 83, 2.0, d("2024-10-05"), d("2024-10-09"), 300.0, 0.0),
        # gaps 31, 61, 31 → 31: 46 ≤ 46.5, no gap decline; spend 100 + 100 = 200 ≤ 0.7 × (400 + 400) = 560.
        ("ds", "decline", 4, 46, 31.0, d("2024-07-15"), d("2024-11-15"), 200.0, 800.0),
        # one purchase (the −20 refund-only order is not one); recent spend −20 + 100.
        ("e1", "exploration", 1, 0, None, d("2024-12-31"), d("2024-12-31"), 80.0, 0.0),
        # gaps 92, 91 → 91.5; 30 ≤ 137.25; 100 > 70; first purchase 213 days ago ≤ 365.
        ("g1", "growth", 3, 30, 91.5, d("2024-06-01"), d("2024-12-01"), 100.0, 100.0),
        # gap 123; 121 ≤ 184.5; prior 100 − 100 = 0: spend rule off (else 0 ≤ 0 would flag it); 244 ≤ 365.
        ("nz", "growth", 2, 121, 123.0, d("2024-05-01"), d("2024-09-01"), 0.0, 0.0),
        ("p1", "prospect", 0, None, None, None, None, None, None),
        # gaps 92, 91, 91, 92, 92, 91 → 91.5 (same-day s1h adds none); 150 > 70; first 579 days ago.
        ("s1", "stable", 8, 30, 91.5, d("2023-06-01"), d("2024-12-01"), 150.0, 100.0),
        # one purchase day: no gap, gap rule off; prior 0: spend rule off; first 11 days ago.
        ("sd", "growth", 2, 11, None, d("2024-12-20"), d("2024-12-20"), 100.0, 0.0),
        # gap 122, 30 ≤ 183; 70 ≤ 0.7 × 100 (equal counts as decline).
        ("sr", "decline", 2, 30, 122.0, d("2024-08-01"), d("2024-12-01"), 70.0, 100.0),
    ]


def test_summary_all_stages_in_funnel_order(store, ds):
    assert summary(store, ds).rows() == [
        ("prospect", 1),      # p1 (p2 signs up after as_of)
        ("exploration", 2),   # c180, e1
        ("growth", 3),        # g1, nz, sd
        ("stable", 1),        # s1
        ("decline", 3),       # dg, ds, sr
        ("churned", 2),       # c181, ch2
    ]
    for stage, count in summary(store, ds).rows():
        assert members(store, ds, LifecycleSpec(), StageCell(stage)).height == count


def test_funnel(store, ds):
    assert funnel(store, ds).rows() == [
        ("registered", 12),       # 1 prospect + 11 buyers
        ("first_purchase", 11),
        ("second_purchase", 8),   # g1 s1 dg ds sr nz ch2 sd
        ("third_purchase", 5),    # g1 s1 dg ds ch2
        ("stable", 1),            # s1
    ]
    for step, count in funnel(store, ds).rows():
        assert members(store, ds, LifecycleSpec(), StepCell(step)).height == count
    assert members(store, ds, LifecycleSpec(), StepCell("third_purchase"))["member_id"].to_list() == ["ch2", "dg", "ds", "g1", "s1"]


def test_thresholds_are_options(store, ds):
    # churn after 181 days: c181 stays exploration; spend ratio 0.69: sr's 70 > 69, so growth (first 152 days ago).
    spec = LifecycleSpec(churn_days=181, spend_ratio=0.69)
    assert summary(store, ds, spec).rows() == [
        ("prospect", 1), ("exploration", 3), ("growth", 4), ("stable", 1), ("decline", 2), ("churned", 1)]
    # gap multiple 50: dg's 83 ≤ 100, so dg grows; growth_days 200: g1 (213 days) becomes stable.
    stages = dict(run(store, ds, LifecycleSpec(gap_multiple=50, growth_days=200)).select("member_id", "stage").rows())
    assert (stages["dg"], stages["g1"], stages["ds"]) == ("growth", "stable", "decline")


def test_migration_between_two_dates(store, ds):
    # At 2024-06-30 (churn if last purchase ≤ 2024-01-01; spend windows (04-01, 06-30] and (01-02, 04-01]):
    # p1, dg, ds prospects (members file, no purchase yet; dg and ds have no signup date); g1 (06-01) and
    # nz (05-01) exploration; s1 stable (5 purchases, gap median 91.5, recency 29, spend 100 vs 100, first
    # 395 days ago); ch2 stable (recency 60, gap median 238.5, prior spend 0, first 2023-01-10);
    # c180 c181 e1 sr sd have no stage yet (no purchase, not in the members file); p2 none at either date.
    assert migration(store, ds, LifecycleSpec(), d("2024-06-30"), d("2024-12-31")).rows() == [
        (None, "exploration", 2),     # c180, e1
        (None, "growth", 1),          # sd
        (None, "decline", 1),         # sr
        (None, "churned", 1),         # c181
        ("prospect", "prospect", 1),  # p1
        ("prospect", "decline", 2),   # dg, ds
        ("exploration", "growth", 2), # g1, nz
        ("stable", "stable", 1),      # s1
        ("stable", "churned", 1),     # ch2
    ]
    cell = MigrationCell(d("2024-06-30"), d("2024-12-31"), "prospect", "decline")
    assert members(store, ds, LifecycleSpec(), cell).rows() == [("dg", "prospect", "decline"), ("ds", "prospect", "decline")]
    new = MigrationCell(d("2024-06-30"), d("2024-12-31"), None, "exploration")
    assert members(store, ds, LifecycleSpec(), new)["member_id"].to_list() == ["c180", "e1"]


def test_as_of_later_registers_p2_and_churns_c180(store, ds):
    stages = dict(run(store, ds, LifecycleSpec(Filters(as_of=d("2025-01-31")))).select("member_id", "stage").rows())
    assert (stages["p2"], stages["c180"], stages["c181"]) == ("prospect", "churned", "churned")  # 211, 212 days


def test_order_filter(store, ds):
    # 天猫 orders: g1c (12-01), dsc (10-15), dsd (11-15). g1: one purchase → exploration. ds: gap 31,
    # recency 46 ≤ 46.5; spend 200 recent, 0 prior; first 77 days ago → growth. Everybody else has no
    # 天猫 purchase and so no stage in this scope: p1, s1, dg are not "prospects of 天猫" (a prospect
    # is registered and never bought, which does not depend on a channel).
    spec = LifecycleSpec(Filters.of(channel="天猫"))
    assert summary(store, ds, spec).rows() == [
        ("prospect", 0), ("exploration", 1), ("growth", 1), ("stable", 0), ("decline", 0), ("churned", 0)]
    assert run(store, ds, spec)["member_id"].to_list() == ["ds", "g1"]
    assert members(store, ds, spec, StageCell("prospect")).height == 0
    assert funnel(store, ds, spec).rows() == [
        ("registered", 2),       # the members with a stage: the 天猫 buyers g1, ds
        ("first_purchase", 2),
        ("second_purchase", 1),  # ds (dsc, dsd)
        ("third_purchase", 0),
        ("stable", 0),
    ]


def test_order_filter_migration_and_mix(store, ds):
    # Nobody has a 天猫 purchase by 2024-06-30, so nobody has a stage then (before: p1 g1 s1 dg ds were
    # "prospects of 天猫"); at data end g1 is exploring and ds growing (test_order_filter).
    spec = LifecycleSpec(Filters.of(channel="天猫"))
    assert migration(store, ds, spec, d("2024-06-30"), d("2024-12-31")).rows() == [
        (None, "exploration", 1),  # g1
        (None, "growth", 1),       # ds
    ]
    # One quarter: from the first 天猫 purchase (10-15) to data end; its end is the summary above.
    assert mix_over_time(store, ds, spec, "quarter").rows() == [
        (d("2024-10-01"), d("2024-12-31"), stage, n) for stage, n in summary(store, ds, spec).rows()]
    assert [n for *_, n in mix_over_time(store, ds, spec, "quarter").rows()] == [0, 1, 1, 0, 0, 0]


def test_line_filter(store, ds):
    # toys lines: g1's three orders (unchanged: growth) and ds's 300 toys line of dsa (07-15): one
    # purchase, recency 169 → exploration. Nobody else bought toys: no stage, no prospects.
    table = {r[0]: r[1:4] for r in run(store, ds, LifecycleSpec(Filters.of(category="toys"))).rows()}
    assert table == {"ds": ("exploration", 1, 169), "g1": ("growth", 3, 30)}


def test_member_filter_keeps_prospects(store):
    # A member filter does not narrow the orders, so a registered member who never bought is a prospect
    # of it; one who bought only outside an order filter's scope has no stage there.
    ds = build(store, "scoped", lines=[("b", "b1", "2024-06-01", 100, TM), ("c", "c1", "2024-06-02", 100)],
               members=[("a", {"member_tier": "gold"}), ("b", {"member_tier": "gold"}),
                        ("c", {"member_tier": "gold"})])
    gold = LifecycleSpec(Filters.of(member_tier="gold"))
    assert run(store, ds, gold).select("member_id", "stage").rows() == [
        ("a", "prospect"), ("b", "exploration"), ("c", "exploration")]
    gold_tmall = LifecycleSpec(Filters.of(member_tier="gold", channel="天猫"))
    assert run(store, ds, gold_tmall).select("member_id", "stage").rows() == [("b", "exploration")]


def test_prospects_known_needs_a_members_file_and_no_order_or_line_filter(store, ds):
    # ds has a members file (p1, p2, g1, s1, dg, ds): prospects are known without a filter and under
    # a member filter, not under an order filter (channel) or a line filter (category).
    assert prospects_known(store, ds, Filters()) is True
    assert prospects_known(store, ds, Filters.of(member_tier="gold")) is True
    assert prospects_known(store, ds, Filters.of(channel="天猫")) is False
    assert prospects_known(store, ds, Filters.of(category="toys")) is False
    # The same orders without a members file: nobody is known who never bought.
    orders_only = build(store, "orders-only", lines=LINES)
    assert prospects_known(store, orders_only, Filters()) is False


def test_member_filter(store, ds):
    # gold: p1 prospect, g1 growth, s1 stable, dg decline (members without a tier do not match).
    assert summary(store, ds, LifecycleSpec(Filters.of(member_tier="gold"))).rows() == [
        ("prospect", 1), ("exploration", 0), ("growth", 1), ("stable", 1), ("decline", 1), ("churned", 0)]


def test_date_range_does_not_hide_history(store, ds):
    spec = LifecycleSpec(Filters(start=d("2024-12-01"), end=d("2024-12-31")))
    assert run(store, ds, spec).rows() == run(store, ds).rows()


def test_empty_scope(store, ds):
    nobody = LifecycleSpec(Filters.of(member_tier="nowhere"))
    assert run(store, ds, nobody).height == 0
    assert summary(store, ds, nobody).rows() == [(s, 0) for s in STAGES]
    assert [n for _, n in funnel(store, ds, nobody).rows()] == [0, 0, 0, 0, 0]
    assert migration(store, ds, nobody, d("2024-06-30"), d("2024-12-31")).height == 0
    # No order matches: nobody has a stage (no prospects under an order or line filter).
    assert summary(store, ds, LifecycleSpec(Filters.of(channel="nowhere"))).rows() == [(s, 0) for s in STAGES]


def test_one_members_row_is_their_row_of_everyone(store, ds):
    # Member 360 computes one member's stage from their own history: the very row run() gives, for
    # every member (prospects, a member signed up after data end, order / line / member filters,
    # an earlier as_of), and None for a member without a stage in that scope.
    from lib.lifecycle import member_row
    everyone_known = [m for m, *_ in LINES] + [m for m, _ in MEMBERS] + ["nobody"]
    for filters in (Filters(), Filters.of(channel="天猫"), Filters.of(category="toys"),
                    Filters.of(member_tier="gold"), Filters(as_of=d("2024-09-30"))):
        spec = LifecycleSpec(filters, churn_days=120)
        rows = {r["member_id"]: r for r in run(store, ds, spec).iter_rows(named=True)}
        for member in sorted(set(everyone_known)):
            assert member_row(store, ds, spec, member) == rows.get(member), (filters, member)


def test_rejects_unknown_cells_and_bad_thresholds(store, ds):
    with pytest.raises(ValueError):
        StageCell("sleeping")
    with pytest.raises(ValueError):
        LifecycleSpec(churn_days=-1)


# -- stage mix over time ------------------------------------------------------------------------
# Data end 2024-04-10. Month ends 01-31, 02-29, 03-31 and 04-10 (the month holding as_of ends at
# as_of). Spend windows (e − 90, e] / (e − 180, e − 90]: 01-31 → (11-02, 01-31] / (08-04, 11-02];
# 02-29 → (12-01, 02-29] / (09-02, 12-01]; 03-31 → (01-01, 03-31] / (10-03, 01-01];
# 04-10 → (01-11, 04-10] / (10-13, 01-11].
MIX_LINES = [
    ("a", "a1", "2024-01-05", 100),   # exploration → growth (2nd purchase 02-10) → growth
    ("a", "a2", "2024-02-10", 100),
    ("a", "a3", "2024-03-20", 100),
    ("b", "b1", "2024-01-20", 50),    # a purchase until its refund line on 03-05 nets the order to 0
    ("b", "b1", "2024-03-05", -50),
    ("c", "c1", "2024-04-10", 80),    # signs up 02-15: no stage, prospect, prospect, exploration
    ("d", "d1", "2023-06-01", 100),   # churned all along (01-31: 214 days since 2023-07-01)
    ("d", "d2", "2023-07-01", 100),
    ("g", "g1", "2024-01-02", 100),   # gap 10: decline from 01-31 (recency 19 > 15) on
    ("g", "g2", "2024-01-12", 100),
    ("s", "s1", "2022-12-01", 100),   # gap 365, first 426 days before 01-31
    ("s", "s2", "2023-12-01", 100),
]
MIX_MEMBERS = [("c", {"signup_date": d("2024-02-15")}), ("p", {})]  # p registered, never buys
FROM_2024 = Filters(start=d("2024-01-01"))


@pytest.fixture
def mix_ds(store):
    return build(store, "mix", lines=MIX_LINES, members=MIX_MEMBERS)


def test_mix_over_time_counts_stages_at_each_month_end(store, mix_ds):
    mix = mix_over_time(store, mix_ds, LifecycleSpec(FROM_2024))
    assert mix.columns == list(MIX_COLUMNS)
    assert [(str(p), str(e), *[n for _, _, _, n in mix.filter(pl.col("period") == p).rows()])
            for p, e in mix.select("period", "period_end").unique(maintain_order=True).rows()] == [
        # period, end,  prospect, exploration, growth, stable, decline, churned
        # a one purchase; b 50 net; c not signed up; p; d; g 19 > 1.5 × 10; s recent 100, prior 0 → stable
        ("2024-01-01", "2024-01-31", 1, 2, 0, 1, 1, 1),
        # a 2 purchases, first 55 days ago; b; c and p prospects; s: 12-01 is not after 12-01 → recent
        # 0 ≤ 0.7 × 100 → decline
        ("2024-02-01", "2024-02-29", 2, 1, 1, 0, 2, 1),
        # b's order nets 0: no purchase, not in the members file → no stage; s recent 0, prior 100
        ("2024-03-01", "2024-03-31", 2, 0, 1, 0, 2, 1),
        # c buys on the last day; a recent 200 > 0.7 × 100; g recency 89 ≤ 180 still decline
        ("2024-04-01", "2024-04-10", 1, 1, 1, 0, 2, 1),
    ]


def test_mix_over_time_is_the_summary_at_each_period_end(store, mix_ds):
    for spec in (LifecycleSpec(FROM_2024), LifecycleSpec(Filters(start=d("2023-10-01")), churn_days=30, gap_multiple=3, spend_ratio=1.0)):
        for period in ("week", "month", "quarter"):
            mix = mix_over_time(store, mix_ds, spec, period)
            for p, end in mix.select("period", "period_end").unique(maintain_order=True).rows():
                at_end = replace(spec, filters=replace(spec.filters, as_of=end))
                assert mix.filter(pl.col("period") == p).select("stage", "members").rows() == \
                    summary(store, mix_ds, at_end).rows(), (period, end)


def _irregular_lines(seed: int) -> list[tuple]:
    """Generated histories with what the fast path does not cover: orders that stop being a
    purchase (a refund nets them to 0 or less later), that become one later (a first line of 0
    or less), lines of one order on several dates, same-day orders, channels and categories (so
    order and line filters cut orders), over one year."""
    rng = random.Random(seed)
    days = [d("2024-01-01") + timedelta(days=i) for i in range(366)]
    lines = []
    for m in range(30):
        for o in range(rng.randint(1, 6)):
            order, first = f"m{m}o{o}", rng.choice(days)
            attrs = {"channel": rng.choice(["天猫", "门店"]), "category": rng.choice(["toys", "milk"])}
            amount = rng.choice([100, 60, 0, -30])
            lines.append((f"m{m}", order, str(first), amount, attrs))
            for _ in range(rng.choice([0, 0, 1, 2])):  # later lines: refunds or additions
                later = min(days[-1], first + timedelta(days=rng.randint(0, 120)))
                lines.append((f"m{m}", order, str(later), rng.choice([-100, -60, 50, 40]),
                              {**attrs, "category": rng.choice(["toys", "milk"])}))
    return lines


@pytest.mark.parametrize("seed, orders_per_bucket", [(1, 2_000_000), (2, 2_000_000), (3, 2_000_000), (1, 10), (2, 25)])
def test_mix_over_time_is_the_summary_at_each_period_end_on_irregular_histories(store, monkeypatch, seed,
                                                                                orders_per_bucket):
    # with ~100 orders, 10 and 25 orders per bucket split the members into ~10 and ~4 queries
    monkeypatch.setattr(lifecycle, "MIX_ORDERS_PER_BUCKET", orders_per_bucket)
    buckets: list[int] = []
    monkeypatch.setattr(lifecycle, "mix_buckets", lambda n, real=lifecycle.mix_buckets: buckets.append(real(n)) or buckets[-1])
    # signed up in March, after data end (no stage until then), or unknown; ages for the age band
    signups = {0: d("2024-03-01"), 1: d("2025-06-01"), 2: None}
    members = [(f"m{m}", {"signup_date": signups[m % 3], "member_tier": "gold" if m % 2 else "normal",
                          "birth_year": 1990 + m % 7}) for m in range(0, 34, 2)]
    ds = build(store, f"irregular{seed}", lines=_irregular_lines(seed), members=members)
    huge = 2**31 - 1  # limits past any date: no overflow, never reached
    specs = (LifecycleSpec(),
             LifecycleSpec(Filters.of(category="toys"), churn_days=60, gap_multiple=1.0, spend_window_days=30),
             LifecycleSpec(Filters.of(channel="天猫", member_tier="gold"), growth_days=90, spend_ratio=1.0),
             LifecycleSpec(Filters(start=d("2024-02-01"), end=d("2024-09-15"), as_of=d("2024-11-30")),
                           churn_days=huge, growth_days=huge, gap_multiple=1e300),
             LifecycleSpec(Filters.of(age_band="30-34")))
    for spec in specs:
        for period in ("week", "month", "quarter"):
            mix = mix_over_time(store, ds, spec, period)
            for p, end in mix.select("period", "period_end").unique(maintain_order=True).rows():
                at_end = replace(spec, filters=replace(spec.filters, as_of=end))
                assert mix.filter(pl.col("period") == p).select("stage", "members").rows() == \
                    summary(store, ds, at_end).rows(), (spec, period, end)
    assert max(buckets) > 1 if orders_per_bucket < 100 else set(buckets) == {1}


def test_mix_buckets_follow_the_orders_in_scope():
    assert lifecycle.MIX_ORDERS_PER_BUCKET == 2_000_000
    assert [lifecycle.mix_buckets(n) for n in (0, 1, 2_000_000, 2_000_001, 7_619_992)] == [1, 1, 1, 2, 4]


def test_mix_over_time_work_does_not_grow_with_the_periods(store):
    # One purchase (2024-01-10, a Wednesday); data end 2026-01-06 (b's line): 106 weeks. a's stage
    # can only change in the weeks of 01-10 (exploration), 04-09 (the amount leaves the 90-day
    # window), 07-08 (it leaves the 180-day one) = 07-09 (churned: recency 181; same week), and
    # 2025-01-10 (the growth limit, a point even though one purchase never grows). So 4 evaluated
    # (member, week) points, not one per week.
    from lib.filters import base
    from lib.lifecycle import _mix_ctes, params
    ds = build(store, "one-member", lines=[("a", "a1", "2024-01-10", 100), ("b", "b1", "2026-01-06", 5)])
    spec = LifecycleSpec(Filters(start=d("2024-01-01")))
    b = base(ds, spec.filters)
    points = store.query(b.query(_mix_ctes("week") + " SELECT count(*) AS n FROM mx_points WHERE member_id = 'a'"),
                         {**b.params, **params(spec), **EVERYONE})
    assert points["n"].item() == 4
    weeks = mix_over_time(store, ds, spec, "week").filter(pl.col("stage") == "churned")
    assert weeks["members"].to_list()[:28] == [0] * 27 + [1]  # churned from the week of 07-08 (index 27)


def test_mix_over_time_buckets_hold_each_member_once(store):
    # The history steps (mx_points) of the bucket queries add up to one query's: every member in
    # exactly one bucket, and no bucket holds them all.
    from lib.filters import base
    from lib.lifecycle import _mix_ctes, params
    ds = build(store, "buckets", lines=_irregular_lines(4))
    spec = LifecycleSpec()
    b = base(ds, spec.filters)
    sql = b.query(_mix_ctes("month") + " SELECT count(DISTINCT member_id) AS n, count(*) AS points FROM mx_points")
    def counts(bucket, buckets):
        return store.query(sql, {**b.params, **params(spec), **EVERYONE, "mx_bucket": bucket, "mx_buckets": buckets}).row(0)
    everyone = counts(0, 1)
    parts = [counts(i, 4) for i in range(4)]
    assert everyone[0] == 30
    assert tuple(map(sum, zip(*parts))) == everyone
    assert max(n for n, _ in parts) < 30


def test_mix_over_time_member_with_many_orders_and_a_refund_costs_periods_times_purchases(store):
    # A walk-in "member" (散客) with one order a day from 2024-01-01 to 07-18 (200) and the first
    # refunded on 01-10: an order that stops being a purchase, so its history is not "each order from
    # its date on". Its steps are evaluated at the 7 month ends, each with the purchases valid then:
    # Jan 31 − 1 (refunded) = 30, Feb 60 − 1 = 59, Mar 90, Apr 120, May 151, Jun 181, Jul 18: 199.
    from lib.filters import base
    from lib.lifecycle import _mix_ctes, params
    lines = [("散客", f"o{i}", str(d("2024-01-01") + timedelta(days=i)), 100) for i in range(200)]
    ds = build(store, "walk-in", lines=lines + [("散客", "o0", "2024-01-10", -100)])
    spec = LifecycleSpec()
    b = base(ds, spec.filters)
    rows = store.query(b.query(_mix_ctes("month") + " SELECT count(*) AS n FROM mx_step_purchases"),
                       {**b.params, **params(spec), **EVERYONE})
    assert rows["n"].item() == 30 + 59 + 90 + 120 + 151 + 181 + 199  # not 200 × 200 steps × purchases
    assert mix_over_time(store, ds, spec).filter(pl.col("members") > 0).select("stage").to_series().to_list() == \
        ["growth"] * 7  # a purchase a day since Jan 1 (gaps of 1 day, first purchase < 365 days ago)


def test_mix_over_time_periods(store, mix_ds):
    # Without a start the first period holds the first purchase in scope (2022-12-01): 17 months.
    months = mix_over_time(store, mix_ds)["period"].unique(maintain_order=True).to_list()
    assert (len(months), str(months[0]), str(months[-1])) == (17, "2022-12-01", "2024-04-01")
    quarters = mix_over_time(store, mix_ds, LifecycleSpec(FROM_2024), "quarter")
    assert quarters.select("period", "period_end").unique(maintain_order=True).rows() == [
        (d("2024-01-01"), d("2024-03-31")), (d("2024-04-01"), d("2024-04-10"))]
    # An end before data end: the last period is the one holding it (still counted at its month end).
    upto_feb = mix_over_time(store, mix_ds, LifecycleSpec(Filters(start=d("2024-01-01"), end=d("2024-02-10"))))
    assert upto_feb["period_end"].unique(maintain_order=True).to_list() == [d("2024-01-31"), d("2024-02-29")]
    with pytest.raises(ValueError):
        mix_over_time(store, mix_ds, period="day")  # type: ignore[arg-type]


def test_mix_over_time_empty_scope(store, mix_ds):
    empty = mix_over_time(store, mix_ds, LifecycleSpec(Filters.of(channel="nowhere")))
    assert empty.height == 0
    assert empty.schema == mix_over_time(store, mix_ds).schema  # the same columns and types as any other
