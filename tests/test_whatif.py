"""What-if (lib/whatif.py): the formula on inputs given by hand, each lever alone and all together;
the cohort inputs and the model's spend on a hand-built fixture with the model's parameters given;
refused levers and scopes without a what-if; the command line's CSV."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from lib import btyd, clv, reports, whatif
from lib.clv import ClvSpec
from lib.filters import Filters
from lib.store import Store
from lib.whatif import Inputs, Levers, WhatIfSpec
from tests.fixtures import build, d
from tests.test_cli import cli

# Data end (as_of) 2025-01-31, the last order. Monthly cohorts (first purchase):
#   2024-01: a1 a2 a3 a4 (4)   2024-02: b1 b2 (2)   2024-07: f1 f2 (2)   2024-12: c1 c2 (2)   2025-01: d1 (1)
LINES = [
    # member, order, date, amount
    ("a1", "a1-1", "2024-01-05", 100),
    ("a1", "a1-2", "2024-02-10", 70),    # period 1
    ("a1", "a1-3", "2024-06-01", 30),    # period 5
    ("a2", "a2-1", "2024-01-10", 80),
    ("a2", "a2-2", "2024-03-03", 40),    # period 2
    ("a3", "a3-1", "2024-01-20", 100),
    ("a4", "a4-1", "2024-01-25", 40),
    ("a4", "a4-2", "2024-02-20", 20),    # period 1
    ("a4", "a4-3", "2024-12-05", 60),    # period 11, the last of its first year
    ("b1", "b1-1", "2024-02-03", 90),
    ("b1", "b1-2", "2024-03-15", 30),    # period 1
    ("b1", "b1-3", "2024-04-02", -10),   # a refund-only order in period 2: revenue, not a purchase
    ("b2", "b2-1", "2024-02-14", 70),
    ("f1", "f1-1", "2024-07-20", 60),
    ("f1", "f1-2", "2024-08-05", 40),    # period 1
    ("f2", "f2-1", "2024-07-25", 50),
    ("c1", "c1-1", "2024-12-02", 50),
    ("c1", "c1-2", "2025-01-15", 50),    # period 1
    ("c2", "c2-1", "2024-12-20", 40),
    ("d1", "d1-1", "2025-01-31", 30),    # data end: December's month 1 has ended, January's has not
]

# The purchase model given by hand (in weeks), as a fit would hand it over: MBG/NBD r 0.5, alpha 5,
# a 0.8, b 2.5; Gamma-Gamma p 4, q 3, gamma 50. The counts only need to say "enough to fit".
MODEL = clv.Model("week", d("2025-01-31"), "mbgnbd", btyd.published("mbgnbd", (0.5, 5.0, 0.8, 2.5)),
                  btyd.published("gamma_gamma", (4.0, 3.0, 50.0)), buyers=40, repeat_buyers=20, seconds=0.0)
WEEKS_IN_12_MONTHS = 365.25 / 7   # the horizon in the model's unit: 52.178571…


@pytest.fixture
def ds(store):
    return build(store, lines=LINES)


def by_item(frame: pl.DataFrame) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in frame.select("item", "baseline", "scenario", "difference").rows()}


# -- the formula, on inputs given by hand ----------------------------------------------------------

# 100 existing members expected to make 200 purchases worth 20,000 in the next 12 months (100 each);
# 50 more purchases, worth 4,000, would be made if none of those still active left. 60 new buyers in
# the last 6 months: 10 a month. A quarter come back in month 1; a new member spends 80 in month 0,
# 40 in months 1–11, of which 26.25 falls inside the next 12 months for one joining at a random month.
BASE = Inputs("ok", "ok", existing_members=100, expected_purchases=200.0, expected_revenue=20_000.0,
              lost_purchases=50.0, lost_to_churn=4_000.0, new_buyers=60, new_buyer_months=6, month1_retention=0.25,
              first_month_value=80.0, later_value=40.0, later_value_in_year=26.25)


def test_the_baseline_by_hand():
    frame = whatif.project(BASE)
    assert frame.columns == list(whatif.SCHEMA) and frame["item"].to_list() == [r[0] for r in whatif.ROWS]
    assert {item: before for item, (before, _, _) in by_item(frame).items()} == {
        "month1_retention": 0.25,
        "churn_rate": 0.2,                 # 50 lost / (200 + 50) purchases if nobody left
        "purchases_per_member": 2.0,       # 200 / 100
        "spend_per_purchase": 100.0,       # 20,000 / 200
        "existing_members": 100.0,
        "lost_to_churn": 4_000.0,
        "new_buyers_per_month": 10.0,      # 60 / 6
        "first_month_value": 80.0,
        "later_value": 40.0,
        "later_value_in_year": 26.25,
        "existing_revenue": 20_000.0,      # (20,000 + 0 × 4,000) × 1 × 1
        "existing_clv": 200.0,             # 20,000 / 100
        "new_members": 120.0,              # 12 × 10
        "first_year_value": 120.0,         # 80 + 1 × 40
        "new_revenue": 12_750.0,           # 12 × 10 × (80 + 26.25)
        "revenue_12m": 32_750.0,           # 20,000 + 12,750
        "customer_asset": 34_400.0,        # 100 × 200 + 120 × 120
    }


def test_zero_levers_give_the_baseline_exactly():
    for base in (BASE, replace(BASE, month1_retention=0.0)):   # r1 = 0 too: nothing to scale
        frame = whatif.project(base, Levers())
        assert frame["scenario"].to_list() == frame["baseline"].to_list()           # equal, not approximately
        assert set(frame["difference"].to_list()) == {0.0}


# item -> scenario, for each lever alone and for all four together
RESULTS = ("existing_revenue", "existing_clv", "first_year_value", "new_revenue", "revenue_12m", "customer_asset")


@pytest.mark.parametrize("levers,lever_row,expected", [
    # month-1 retention +5 points: 0.25 → 0.30, later months × 0.30 / 0.25 = 1.2; existing members untouched.
    (Levers(retention_points=5), ("month1_retention", 0.25, 0.30),
     (20_000, 200, 128,                    # 80 + 1.2 × 40
      13_380,                              # 120 × (80 + 1.2 × 26.25 = 111.5)
      33_380, 35_360)),                    # 20,000 + 13,380; 20,000 + 120 × 128
    # churn −10 %: a tenth of the 4,000 lost to churn is kept; new members untouched.
    (Levers(churn_cut=10), ("churn_rate", 0.2, 0.18),
     (20_400, 204, 120, 12_750,            # 20,000 + 0.1 × 4,000; / 100
      33_150, 34_800)),                    # 20,400 + 12,750; 20,400 + 120 × 120
    # purchase frequency +10 %: every purchase × 1.1, existing and new.
    (Levers(frequency_up=10), ("purchases_per_member", 2.0, 2.2),
     (22_000, 220, 132, 14_025,            # 20,000 × 1.1; 120 × 1.1; 12,750 × 1.1
      36_025, 37_840)),                    # 22,000 + 14,025; 22,000 + 120 × 132
    # AOV +10 %: every amount × 1.1 — the same totals as frequency, on its own row.
    (Levers(aov_up=10), ("spend_per_purchase", 100.0, 110.0),
     (22_000, 220, 132, 14_025, 36_025, 37_840)),
    # All four: ρ = 1.2, c = 0.1, m = 1.1 × 1.1 = 1.21.
    (Levers(5, 10, 10, 10), ("month1_retention", 0.25, 0.30),
     (24_684,                              # (20,000 + 400) × 1.21
      246.84,                              # 24,684 / 100
      154.88,                              # 128 × 1.21
      16_189.8,                            # 13,380 × 1.21
      40_873.8,                            # 24,684 + 16,189.8
      43_269.6)),                          # 24,684 + 120 × 154.88 = 24,684 + 18,585.6
])
def test_each_lever_alone_and_all_together(levers, lever_row, expected):
    rows = by_item(whatif.project(BASE, levers))
    item, before, after = lever_row
    assert rows[item][:2] == pytest.approx((before, after))
    assert [rows[r][1] for r in RESULTS] == pytest.approx(list(expected), rel=1e-12)
    assert all(rows[r][2] == pytest.approx(rows[r][1] - rows[r][0]) for r in RESULTS)
    # inputs never move, and neither do new members (no lever acquires anyone)
    assert all(rows[i][0] == rows[i][1] for i, kind, _, _ in whatif.ROWS if kind == "input")
    assert rows["new_members"] == (120.0, 120.0, 0.0)


def test_each_lever_row_moves_only_with_its_own_lever():
    rows = by_item(whatif.project(BASE, Levers(aov_up=10)))
    assert rows["month1_retention"][2] == rows["churn_rate"][2] == rows["purchases_per_member"][2] == 0.0
    assert rows["spend_per_purchase"][2] == pytest.approx(10.0)


def test_more_of_a_lever_never_gives_less():
    for name in ("retention_points", "churn_cut", "frequency_up", "aov_up"):
        totals = [by_item(whatif.project(BASE, Levers(**{name: v})))["customer_asset"][1] for v in (0, 5, 10, 50)]
        assert totals == sorted(totals) and totals[0] < totals[-1], name


# -- refused levers --------------------------------------------------------------------------------


@pytest.mark.parametrize("levers,message", [
    (dict(aov_up=-5), "--aov-up must be a number ≥ 0 (10 for 10 %), not -5"),
    (dict(churn_cut=120), "--churn-cut is at most 100 % (nobody leaves), not 120"),
    (dict(frequency_up=float("nan")), "--frequency-up must be a number ≥ 0"),
    (dict(retention_points=101), "--retention-points must be at most 100 points, not 101"),
    (dict(retention_points="5"), "--retention-points must be a number ≥ 0"),
])
def test_levers_out_of_range_are_refused_in_one_line(levers, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")) as raised:
        Levers(**levers)
    assert type(raised.value) is ValueError and "\n" not in str(raised.value)


def test_retention_points_past_100_percent_are_refused():
    assert whatif.max_retention_points(BASE) == 75.0                            # 25 % + 75 points = 100 %
    assert by_item(whatif.project(BASE, Levers(retention_points=75)))["month1_retention"][1] == 1.0
    with pytest.raises(ValueError, match=r"^month-1 retention is 25.0%: \+76 points would take it over 100 % "
                                         r"\(at most \+75\)$"):
        whatif.project(BASE, Levers(retention_points=76))
    nobody_back = replace(BASE, month1_retention=0.0)
    with pytest.raises(ValueError, match="nobody in the recent cohorts came back in month 1"):
        whatif.project(nobody_back, Levers(retention_points=1))
    assert whatif.lever_options(nobody_back)["retention_points"] == [0]       # the page offers no move
    assert whatif.lever_options(BASE)["retention_points"] == list(range(21))  # 0 … 20 points


# -- the inputs on the fixture ---------------------------------------------------------------------


def test_cohort_inputs_by_hand(store, ds):
    base = whatif.inputs(store, ds, WhatIfSpec(), MODEL)
    assert base.status == "ok"
    # New buyers: the 6 months that have ended by 2025-01-31 are 2024-08 … 2025-01; c1 c2 (Dec) and d1
    # (Jan) first bought in them, nobody in Aug–Nov: 3 / 6 months.
    assert (base.new_buyers, base.new_buyer_months, base.new_buyers_per_month) == (3, 6, 0.5)
    # Month 1 has ended for the Jan, Feb, Jul and Dec cohorts (not Jan 2025's: February): a1 a4 of 4, b1
    # of 2, f1 of 2, c1 of 2 came back in it: 5 / 10.
    assert base.month1_retention == 0.5
    # Whole first years (month 11 ended): the Jan and Feb 2024 cohorts, 6 members. Revenue by period:
    # k0 100 + 80 + 100 + 40 + 90 + 70 = 480 → 80 a member; k1 70 + 20 + 30 = 120 → 20; k2 40 − 10 (b1's
    # refund, dated in Feb's k2) = 30 → 5; k5 30 → 5; k11 60 → 10.
    assert base.first_month_value == 80.0
    assert base.later_value == pytest.approx(40.0)                           # 20 + 5 + 5 + 10
    assert base.later_value_in_year == pytest.approx(26.25)   # (11 × 20 + 10 × 5 + 7 × 5 + 1 × 10) / 12
    rows = by_item(whatif.project(base))
    assert rows["new_members"][0] == 6.0                                     # 12 × 0.5
    assert rows["first_year_value"][0] == pytest.approx(120.0)               # 80 + 40
    assert rows["new_revenue"][0] == pytest.approx(637.5)                    # 6 × (80 + 26.25)


def test_the_month_still_running_and_the_end_of_the_range_are_left_out(store, ds):
    # As of 2025-01-20 January has not ended: new buyers over 2024-07 … 2024-12, f1 f2 c1 c2: 4 / 6.
    # Month 1 has ended for the Jan, Feb and Jul cohorts (4 of 8 back); the Feb cohort's month 11
    # (January) has not, so the first year is the Jan cohort's alone: 320, 90, 40, 30 (k5), 60 (k11)
    # over 4 members.
    base = whatif.inputs(store, ds, WhatIfSpec(Filters(as_of=d("2025-01-20"))), MODEL)
    assert (base.new_buyers, base.new_buyer_months, base.month1_retention) == (4, 6, 0.5)
    assert (base.first_month_value, base.later_value) == (80.0, pytest.approx(55.0))    # 22.5 + 10 + 7.5 + 15
    assert base.later_value_in_year == pytest.approx(415 / 12)   # (11 × 22.5 + 10 × 10 + 7 × 7.5 + 1 × 15) / 12
    # A range ending 2024-02-20: the months up to February 2024, from the first cohort's: January and
    # February, a1 … a4, b1, b2: 6 / 2 (the months after the range do not count as months without one).
    # Those two cohorts are still followed to as_of: month 1 back 3 of 6, and their whole first years.
    ended = whatif.inputs(store, ds, WhatIfSpec(Filters(end=d("2024-02-20"))), MODEL)
    assert (ended.new_buyers, ended.new_buyer_months, ended.month1_retention) == (6, 2, 0.5)
    assert (ended.first_month_value, ended.later_value) == (80.0, pytest.approx(40.0))


def test_model_inputs_are_sums_over_the_members(store, ds):
    scored = whatif.scored(store, ds, WhatIfSpec(), MODEL)
    assert scored["member_id"].to_list() == ["a1", "a2", "a3", "a4", "b1", "b2", "c1", "c2", "d1", "f1", "f2"]
    # Gamma-Gamma spend by hand, p (gamma + x m) / (p x + q − 1): nobody with x = 0 has a mean of their
    # own, so 4 × 50 / 2 = 100; a1: x 2, m (70 + 30) / 2 = 50 → 4 × 150 / 10 = 60; a2: x 1, m 40 → 360 / 6;
    # a4: m (20 + 60) / 2 = 40 → 4 × 130 / 10 = 52; b1 (its refund-only order is no purchase): m 30 →
    # 320 / 6; c1: m 50 → 400 / 6; f1: m 40 → 360 / 6.
    assert scored["expected_spend"].to_list() == pytest.approx([60, 60, 100, 52, 320 / 6, 100, 400 / 6, 100, 100,
                                                                60, 100])
    d1 = scored.row(8, named=True)
    # d1 bought once, on the fit date: x 0, T 0. MBG/NBD's P(alive) = 1 / (1 + a / b) = 1 / 1.32; staying,
    # they would buy r / alpha = 0.1 times a week for 52.18 weeks.
    assert (d1["frequency"], d1["T"]) == (0, 0.0)
    assert d1["p_alive"] == pytest.approx(1 / 1.32)
    assert d1["purchases_if_staying"] == pytest.approx(0.5 * WEEKS_IN_12_MONTHS / 5.0)   # 5.2179
    c1 = scored.row(6, named=True)   # x 1, T 2024-12-02 → 2025-01-31 = 60 days
    assert c1["purchases_if_staying"] == pytest.approx(1.5 * WEEKS_IN_12_MONTHS / (5.0 + 60 / 7))
    for row in scored.iter_rows(named=True):
        lost = row["p_alive"] * row["purchases_if_staying"] - row["expected_purchases"]
        assert lost > 0 and row["lost_purchases"] == pytest.approx(lost)
        assert row["lost_to_churn"] == pytest.approx(lost * row["expected_spend"])
        assert row["expected_revenue"] == pytest.approx(row["expected_purchases"] * row["expected_spend"])
    # P(alive) and expected purchases are report clv's at 12 months (--unit month --horizon 12).
    monthly = clv.Model("month", MODEL.fit_date, "mbgnbd", MODEL.purchases.in_unit(30.4375 / 7), MODEL.gamma_gamma,
                        40, 20, 0.0)
    report = clv.run(store, ds, ClvSpec(unit="month", horizon=12), monthly)
    assert report["expected_purchases"].to_list() == pytest.approx(scored["expected_purchases"].to_list(), abs=1e-4)
    assert report["p_alive"].to_list() == pytest.approx(scored["p_alive"].to_list(), abs=1e-4)
    base = whatif.inputs(store, ds, WhatIfSpec(), MODEL)
    assert base.existing_members == 11
    assert base.expected_revenue == pytest.approx(float(scored["expected_revenue"].sum()))
    assert base.lost_to_churn == pytest.approx(float(scored["lost_to_churn"].sum()))
    assert base.expected_purchases == pytest.approx(float(report["expected_purchases"].sum()), abs=1e-3)


def test_the_members_behind_the_counts(store, ds, monkeypatch):
    monkeypatch.setattr(clv, "fit", lambda *args, **kwargs: MODEL)
    counted = dict(whatif.cells(store, ds, WhatIfSpec()))
    assert counted == {whatif.WhatIfCell("existing_members"): 11, whatif.WhatIfCell("new_buyers"): 3}
    behind = whatif.members(store, ds, WhatIfSpec(), whatif.WhatIfCell("new_buyers"))
    assert behind.rows() == [("c1", d("2024-12-02")), ("c2", d("2024-12-20")), ("d1", d("2025-01-31"))]
    assert whatif.members(store, ds, WhatIfSpec(), whatif.WhatIfCell("existing_members")).height == 11
    with pytest.raises(ValueError):
        whatif.WhatIfCell("everyone")


# -- scopes without a what-if ----------------------------------------------------------------------


def test_a_scope_without_a_first_year_says_so(store, ds):
    # As of 2024-12-15 the Jan 2024 cohort's month 11 (December) has not ended.
    base = whatif.inputs(store, ds, WhatIfSpec(Filters(as_of=d("2024-12-15"))), MODEL)
    assert (base.status, base.ok) == ("no_first_year", False)
    assert base.message.startswith("no cohort in this scope has a whole first year")
    assert whatif.project(base).height == 0


def test_too_few_repeat_buyers_is_said_in_one_line(store, ds):
    # The real fit: a1 a2 a4 b1 c1 f1 bought again, 6 of 11, under the 20 a model needs.
    spec = WhatIfSpec()
    assert whatif.inputs(store, ds, spec).status == "too_few_repeat_buyers"
    assert whatif.run(store, ds, spec).schema == pl.Schema(whatif.SCHEMA) and whatif.run(store, ds, spec).height == 0
    assert whatif.cells(store, ds, spec) == []
    with pytest.raises(clv.ClvUnavailable, match=r"^too few repeat buyers to fit a model \(6 of 11 buyers"):
        reports.table(store, ds, "whatif", [])


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """The fixture in a workspace file of its own, and the model above in place of a fit."""
    db = tmp_path / "ws.duckdb"
    with Store(db) as store:
        build(store, "shop", lines=LINES)
    monkeypatch.setattr(clv, "fit", lambda *args, **kwargs: MODEL)
    return db


def test_report_whatif_as_csv(workspace):
    run = cli("report", "whatif", "--dataset", "shop", "--db", str(workspace), "--retention-points", "5",
              "--churn-cut", "10", "--frequency-up", "10", "--aov-up", "10")
    assert (run.returncode, run.stderr) == (0, "")
    lines = run.stdout.splitlines()
    assert lines[0] == "item,kind,unit,baseline,scenario,difference,source"
    assert [line.split(",")[0] for line in lines[1:]] == [r[0] for r in whatif.ROWS]
    by_name = {line.split(",")[0]: line for line in lines[1:]}
    # the cohort side, by hand (test_cohort_inputs_by_hand): ρ = 0.55 / 0.5 = 1.1, m = 1.21
    assert by_name["month1_retention"] == "month1_retention,lever,rate,0.5,0.55,0.05,cohorts"
    assert by_name["new_buyers_per_month"] == "new_buyers_per_month,input,count,0.5,0.5,0,cohorts"
    assert by_name["later_value_in_year"] == "later_value_in_year,input,money,26.25,26.25,0,cohorts_revenue"
    assert by_name["new_members"] == "new_members,result,count,6,6,0,formula"
    # (80 + 1.1 × 40) × 1.21 = 150.04; 6 × (80 + 1.1 × 26.25 = 108.875) × 1.21 = 790.4325
    assert by_name["first_year_value"] == "first_year_value,result,money,120,150.04,30.04,formula"
    assert by_name["new_revenue"] == "new_revenue,result,money,637.5,790.43,152.93,formula"
    # money to the cent, every other number to 4 decimals; difference = scenario − baseline as printed
    table = pl.read_csv(run.stdout.encode())
    for item, unit, before, after, diff in table.select("item", "unit", "baseline", "scenario", "difference").rows():
        assert diff == pytest.approx(after - before, abs=1e-9), item
        assert round(after, 2 if unit == "money" else 4) == after
    values = dict(zip(table["item"], table["scenario"]))
    assert values["revenue_12m"] == pytest.approx(values["existing_revenue"] + values["new_revenue"], abs=0.01)
    # the model side is report clv's (test_model_inputs_are_sums_over_the_members): the formula on it
    assert values["existing_revenue"] == pytest.approx(
        (dict(zip(table["item"], table["baseline"]))["existing_revenue"] + 0.1 * values["lost_to_churn"]) * 1.21,
        abs=0.02)


@pytest.mark.parametrize("argv,message", [
    (["--aov-up", "-5"], "error: --aov-up must be a number ≥ 0 (10 for 10 %), not -5.0\n"),
    (["--retention-points", "60"], "error: month-1 retention is 50.0%: +60 points would take it over 100 % "
                                   "(at most +50)\n"),
    (["--as-of", "2024-12-15"], "error: no cohort in this scope has a whole first year by the data end (its month "
                                "11 must have ended): the what-if needs 12 months of cohorts\n"),
])
def test_report_whatif_refuses_in_one_line(workspace, argv, message):
    run = cli("report", "whatif", "--dataset", "shop", "--db", str(workspace), *argv)
    assert (run.returncode, run.stdout, run.stderr) == (1, "", message)


def test_frequency_and_aov_levers_stop_at_ten_times_today():
    from lib.whatif import MAX_UP, Levers

    assert Levers(frequency_up=MAX_UP, aov_up=MAX_UP).aov_up == 1000.0
    for lever in ("frequency_up", "aov_up"):
        with pytest.raises(ValueError, match="at most 1000 %"):
            Levers(**{lever: 1e308})  # printed inf in the results before
