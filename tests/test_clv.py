"""CLV: the member summary on a literal fixture (worked out by hand), the BG/NBD and Gamma-Gamma
formulas on hand-checkable cases, parameter recovery from simulated data, the backtest's actual
counts, historical CLV, and the members behind the numbers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from lib import backtest, clv
from lib import btyd
from lib.clv import ClvSpec
from lib.w5h1 import who, why
from lib import reports
from lib.filters import Filters
from lib.store import Store
from tests.fixtures import build, d, simulate_bgnbd

LINES = [
    # member, order, date, amount, attributes
    ("m1", "o1", "2024-01-01", 100, {"channel": "门店", "category": "milk"}),
    ("m1", "o2", "2024-01-01 18:00", 50, {"channel": "天猫", "category": "toys"}),  # same day: one purchase day
    ("m1", "o3", "2024-01-15", 80, {"channel": "门店", "category": "milk"}),
    ("m1", "o4", "2024-01-29", -40, {"channel": "门店", "category": "milk"}),       # refund-only order
    ("m1", "o5", "2024-02-12", 30, {"channel": "天猫", "category": "milk"}),
    ("m1", "o5", "2024-02-12", -10, {"channel": "天猫", "category": "milk"}),       # refund inside o5: net 20
    ("m2", "o6", "2024-02-05", 60, {"channel": "天猫", "category": "toys"}),
    ("m3", "o7", "2024-01-08", -25, {"channel": "门店", "category": "milk"}),       # m3 never purchases
    ("m4", "o8", "2024-01-08", 40, {"channel": "门店", "category": "milk"}),
    ("m4", "o9", "2024-01-22", 40, {"channel": "天猫", "category": "toys"}),
    ("m4", "o10", "2024-01-29", 40, {"channel": "门店", "category": "milk"}),
    ("m4", "o11", "2024-03-04", 100, {"channel": "门店", "category": "milk"}),      # data end = 2024-03-04
    ("m5", "o12", "2024-01-01", 20, {"channel": "门店", "category": "milk"}),
    ("m5", "o13", "2024-01-11", 30, {"channel": "门店", "category": "milk"}),
]
MEMBERS = [("m1", {"member_tier": "gold"}), ("m2", {"member_tier": "silver"}), ("m3", {"member_tier": "gold"}),
           ("m4", {"member_tier": "gold"}), ("m5", {"member_tier": "silver"})]


@pytest.fixture
def ds(store):
    return build(store, lines=LINES, members=MEMBERS)


def summary_rows(store, ds, spec: ClvSpec) -> list[tuple]:
    frame = clv.summary(store, ds, spec).with_columns(pl.col("recency", "T").round(9))
    return frame.select("member_id", "frequency", "recency", "T", "monetary").rows()


def w(days: int) -> float:
    """Days in weeks, rounded like summary_rows."""
    return round(days / 7, 9)


# -- member summary ---------------------------------------------------------------------------


def test_summary_collapses_days_and_skips_refund_only_orders(store, ds):
    # Fit date = data end 2024-03-04. Weeks = days / 7.
    assert summary_rows(store, ds, ClvSpec()) == [
        # m1: purchase days 01-01 (100 + 50), 01-15 (80), 02-12 (30 − 10); o4 is refund-only.
        # x = 2; t_x = 01-01..02-12 = 42 d = 6 w; T = 01-01..03-04 = 63 d = 9 w; monetary (80 + 20) / 2.
        ("m1", 2, 6.0, 9.0, 50.0),
        # m2: one purchase day 02-05; T = 02-05..03-04 = 28 d = 4 w; no repeat → no monetary.
        ("m2", 0, 0.0, 4.0, None),
        # (m3: refund-only, not a buyer.) m4: 01-08, 01-22, 01-29, 03-04 → x = 3; t_x = T = 56 d = 8 w;
        # monetary (40 + 40 + 100) / 3 = 60.
        ("m4", 3, 8.0, 8.0, 60.0),
        # m5: 01-01, 01-11 → x = 1; t_x = 10 d; T = 63 d = 9 w; monetary 30.
        ("m5", 1, w(10), 9.0, 30.0),
    ]
    frame = clv.summary(store, ds, ClvSpec())
    assert frame["t_x_days"].to_list() == [42, 0, 56, 10] and frame["T_days"].to_list() == [63, 28, 56, 63]


def test_summary_units_day_and_month(store, ds):
    day = clv.summary(store, ds, ClvSpec(unit="day")).row(0, named=True)
    assert (day["recency"], day["T"]) == (42.0, 63.0)
    month = clv.summary(store, ds, ClvSpec(unit="month")).row(0, named=True)
    assert month["recency"] == pytest.approx(42 / 30.4375) and month["T"] == pytest.approx(63 / 30.4375)


def test_summary_scope_filters(store, ds):
    # Order filter 门店 (whole orders): m1 keeps o1 100 (01-01), o3 80 (01-15) → x 1, t_x 2 w, monetary 80;
    # m4 keeps o8, o10, o11 (01-08, 01-29, 03-04) → x 2, t_x = T = 8 w, monetary (40 + 100) / 2; m5 as before.
    assert summary_rows(store, ds, ClvSpec(Filters.of(channel="门店"))) == [
        ("m1", 1, 2.0, 9.0, 80.0), ("m4", 2, 8.0, 8.0, 70.0), ("m5", 1, w(10), 9.0, 30.0)]
    # Line filter toys: m1's o2 (50, 01-01), m2's o6, m4's o9 (01-22; T = 42 d = 6 w): one day each.
    assert summary_rows(store, ds, ClvSpec(Filters.of(category="toys"))) == [
        ("m1", 0, 0.0, 9.0, None), ("m2", 0, 0.0, 4.0, None), ("m4", 0, 0.0, 6.0, None)]
    # Member filter gold: m1, m4 (m3 is gold but never purchased).
    assert [r[0] for r in summary_rows(store, ds, ClvSpec(Filters.of(member_tier="gold")))] == ["m1", "m4"]
    # Nothing matches: empty, no error.
    assert clv.summary(store, ds, ClvSpec(Filters.of(channel="nowhere"))).height == 0


def test_end_is_the_fit_date_and_start_changes_nothing(store, ds):
    # Fit date 2024-02-01: m2 (first purchase 02-05) is not a buyer yet; later purchases do not exist.
    assert summary_rows(store, ds, ClvSpec(Filters(end=d("2024-02-01")))) == [
        ("m1", 1, 2.0, w(31), 80.0),    # 01-01, 01-15; T = 31 d
        ("m4", 2, 3.0, w(24), 40.0),    # 01-08, 01-22, 01-29; t_x 21 d, T 24 d; (40 + 40) / 2
        ("m5", 1, w(10), w(31), 30.0),
    ]
    # start never hides history: the summary is the same as without it.
    assert summary_rows(store, ds, ClvSpec(Filters(start=d("2024-02-01")))) == summary_rows(store, ds, ClvSpec())


# -- run(), expected next order, members behind a number ----------------------------------------


def test_run_columns_next_order_and_overdue(store, ds):
    frame = clv.run(store, ds, ClvSpec())
    assert list(frame.columns) == list(clv.SCHEMA) and frame["member_id"].to_list() == ["m1", "m2", "m4", "m5"]
    # Expected next order = last purchase day + round(t_x days / x); overdue = fit date (03-04) − it.
    assert frame.select("member_id", "expected_next_date", "days_overdue").rows() == [
        ("m1", d("2024-03-04"), 0),    # 02-12 + 42 / 2 = 21 days: due today, not overdue
        ("m2", None, None),            # x = 0: no rhythm yet
        ("m4", d("2024-03-23"), 0),    # 03-04 + round(56 / 3 = 18.67) = 19 days
        ("m5", d("2024-01-21"), 43),   # 01-11 + 10; 01-21 → 03-04 = 10 + 29 + 4 days
    ]
    assert clv.members(store, ds, ClvSpec(), clv.ClvCell("overdue"))["member_id"].to_list() == ["m5"]


def test_four_buyers_are_too_few_to_fit(store, ds):
    # Four buyers, three of whom bought again (m1, m4, m5): below MIN_REPEAT_BUYERS nothing is fitted,
    # the status says why in words, and every model column is null rather than a number from a fit
    # that three members cannot pin down.
    model = clv.fit(store, ds, ClvSpec())
    assert (model.buyers, model.repeat_buyers, model.purchases, model.gamma_gamma) == (4, 3, None, None)
    assert model.status == "too_few_repeat_buyers" and not model.usable
    assert model.message() == "too few repeat buyers to fit a model (3 of 4 buyers bought more than once by the fit date)"
    assert clv.params(model)["value"].null_count() == 7
    frame = clv.run(store, ds, ClvSpec(), model)
    model_columns = ["p_alive", "churn_probability", "expected_purchases", "expected_spend", "predicted_clv"]
    assert frame.select(pl.col(model_columns).null_count()).row(0) == (4, 4, 4, 4, 4)
    assert clv.members(store, ds, ClvSpec(), clv.ClvCell("top_clv", 2)).height == 0


def test_empty_scope_gives_empty_frames_and_null_params(store, ds):
    spec = ClvSpec(Filters.of(channel="nowhere"))
    assert clv.run(store, ds, spec).height == 0
    assert clv.run(store, ds, spec).schema == pl.Schema(clv.SCHEMA)
    model = clv.fit(store, ds, spec)
    assert model.status == "no_buyers" and model.message() == "no purchases by the fit date in this scope"
    table = clv.params(model)
    assert table["param"].to_list() == ["r", "alpha", "a", "b", "p", "q", "gamma"]
    assert table["value"].null_count() == 7
    assert clv.params(clv.fit(store, ds, ClvSpec(spec.filters, model="pareto_nbd")))["param"].to_list() == [
        "r", "alpha", "s", "beta", "p", "q", "gamma"]
    assert clv.members(store, ds, spec, clv.ClvCell("top_clv", 3)).height == 0


def test_cli_refuses_what_it_cannot_predict_in_one_sentence(store, ds):
    parser = reports.parser("clv")
    args = parser.parse_args([])
    assert (args.unit, args.horizon, args.margin, args.model, args.params, args.backtest) == (
        "week", 52, 1.0, None, False, None)
    for argv in ([], ["--params"], ["--model", "pareto_nbd"]):
        with pytest.raises(clv.ClvUnavailable, match="too few repeat buyers to fit a model \\(3 of 4"):
            reports.table(store, ds, "clv", argv, Filters())
    # A cutoff before the first purchase, or on the last day: nothing to fit, or nothing to compare with.
    with pytest.raises(clv.ClvUnavailable, match="no purchases on or before the cutoff 2023-12-31"):
        reports.table(store, ds, "clv", ["--backtest", "2023-12-31"], Filters())
    with pytest.raises(clv.ClvUnavailable, match="no purchases after the cutoff 2024-03-04"):
        reports.table(store, ds, "clv", ["--backtest", "2024-03-04"], Filters())


# -- backtest -----------------------------------------------------------------------------------


def test_backtest_counts_actual_purchase_days_after_the_cutoff(store, ds):
    cutoff = d("2024-01-31")
    bt = backtest.backtest(store, ds, ClvSpec(), cutoff)
    assert bt.model.fit_date == cutoff
    # Bought by the cutoff: m1, m4, m5 (m2 first bought 02-05). After it: m1 on 02-12 (o5 nets 20),
    # m4 on 03-04; m5 nothing.
    assert bt.members.select("member_id", "frequency", "actual").rows() == [
        ("m1", 1, 1),   # x at cutoff: 01-01, 01-15
        ("m4", 2, 1),   # 01-08, 01-22, 01-29
        ("m5", 1, 0)]
    # ISO weeks from the one holding 02-01 (Mon 01-29) to the one holding 03-04 (Mon 03-04, cut at as_of).
    assert bt.periods.select("period", "period_end", "actual", "actual_cumulative").rows() == [
        (d("2024-01-29"), d("2024-02-04"), 0, 0),
        (d("2024-02-05"), d("2024-02-11"), 0, 0),
        (d("2024-02-12"), d("2024-02-18"), 1, 1),   # m1 02-12
        (d("2024-02-19"), d("2024-02-25"), 0, 1),
        (d("2024-02-26"), d("2024-03-03"), 0, 1),
        (d("2024-03-04"), d("2024-03-04"), 1, 2),   # m4 03-04
    ]
    metrics = dict(bt.summary.rows())
    assert metrics["members"] == 3 and metrics["actual_total"] == 2
    assert metrics["holdout_units"] == pytest.approx(33 / 7)  # 01-31 → 03-04
    # Three members fit nothing (see above): no prediction, not a made-up one.
    assert metrics["predicted_total"] is None and bt.periods["predicted"].null_count() == 6
    monthly = backtest.backtest(store, ds, ClvSpec(), cutoff, period="month")
    assert monthly.periods.select("period", "period_end", "actual").rows() == [
        (d("2024-02-01"), d("2024-02-29"), 1), (d("2024-03-01"), d("2024-03-04"), 1)]


def test_backtest_empty_scope(store, ds):
    bt = backtest.backtest(store, ds, ClvSpec(Filters.of(channel="nowhere")), d("2024-01-31"))
    assert bt.members.height == 0 and dict(bt.summary.rows())["members"] == 0


# -- historical CLV -----------------------------------------------------------------------------

HISTORY = [
    ("h1", "a1", "2023-06-01", 100), ("h1", "a2", "2024-06-01", 200),   # active both years
    ("h2", "b1", "2023-03-01", 50),                                     # prior year only: churned
    ("h3", "c1", "2024-01-01", 80),  # = ref − 365: still the prior year (last year is 01-02..12-31)
    ("h4", "d1", "2024-09-01", 300), ("h4", "d2", "2024-10-01", -50),   # new; refund-only order
    ("h5", "e1", "2022-12-01", 40), ("h5", "e2", "2024-12-31", 60),     # before both years; last year
]
SPEND = [("2024-03-01", 30), ("2024-06-01", 20, "天猫"), ("2023-05-01", 999)]


def test_historical_clv_inputs_by_hand(store):
    ds = build(store, "hist", lines=HISTORY, spend=SPEND)
    table = {r[0]: (r[1], r[2]) for r in why.historical(store, ds).rows()}
    assert table == {
        # reference date = data end 2024-12-31; last year = (2024-01-01, 2024-12-31]
        "revenue_last_year": (510.0, "computed"),          # 200 + 300 − 50 + 60
        "buyers_last_year": (3.0, "computed"),             # h1 h4 h5
        "buyers_prior_year": (3.0, "computed"),            # h1 h2 h3 in (2023-01-02, 2024-01-01]
        "churned_buyers": (2.0, "computed"),               # h2 h3
        "annual_revenue_per_buyer": (170.0, "computed"),   # 510 / 3
        "annual_churn_rate": (pytest.approx(2 / 3), "computed"),
        "cac": (50.0, "computed"),  # spend 30 + 20 dated in the last year / new buyers: h4 only
        "lifetime_years": (pytest.approx(1.5), "result"),  # 1 / (2/3)
        "gross_margin": (1.0, "input"),
        "historical_clv": (205.0, "result"),               # 170 × 1.0 × 1.5 − 50
    }
    profit = {r[0]: r[1] for r in why.historical(store, ds, margin=0.4).rows()}
    assert profit["historical_clv"] == 52.0                 # 170 × 0.4 × 1.5 − 50
    edited = {r[0]: (r[1], r[2]) for r in why.historical(store, ds, annual_churn_rate=0.5, cac=0).rows()}
    assert edited["annual_churn_rate"] == (0.5, "override") and edited["cac"] == (0.0, "override")
    assert edited["historical_clv"] == (340.0, "result")    # 170 × 2 − 0


def test_historical_cac_needs_spend_scoped_to_the_filters(store):
    # The same history, every line milk: a category filter keeps every number above but cannot
    # narrow the spend, so CAC is unknown (not 50 over "milk" buyers) and so is the CLV net of it.
    ds = build(store, "milk", lines=[(*row, {"category": "milk"}) for row in HISTORY], spend=SPEND)
    milk = ClvSpec(Filters.of(category="milk"))
    table = {r[0]: r[1:] for r in why.historical(store, ds, milk).rows()}
    assert table["annual_revenue_per_buyer"] == (170.0, "computed", None)
    assert table["cac"] == (None, "computed", "spend_not_scoped")
    assert table["historical_clv"] == (None, "result", None)
    # An analyst who knows milk's CAC types it in: 170 × 1.5 − 30.
    edited = {r[0]: r[1:] for r in why.historical(store, ds, milk, cac=30).rows()}
    assert edited["cac"] == (30.0, "override", None) and edited["historical_clv"] == (225.0, "result", None)


def test_historical_without_spend_or_buyers(store):
    ds = build(store, "nospend", lines=HISTORY)
    table = {r[0]: r[1] for r in why.historical(store, ds).rows()}
    assert table["cac"] == 0.0 and table["historical_clv"] == 255.0   # 170 × 1.5 − 0
    empty = {r[0]: r[1] for r in why.historical(store, ds, ClvSpec(Filters.of(channel="x"))).rows()}
    assert empty["buyers_last_year"] == 0 and empty["historical_clv"] is None
    with pytest.raises(ValueError):
        why.historical(store, ds, annual_churn_rate=1.5)


# -- a simulated dataset through the store: the SQL pipeline, predictions, ties, the backtest ----------

SIM_START, SIM_AS_OF = date(2024, 1, 1), date(2024, 12, 31)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """150 BG/NBD members (whole days, so some purchases share a day) plus two identical heavy
    buyers tie_a / tie_b. Yields (store, ds, numpy summary (x, t_x days, T days, monetary))."""
    rng = np.random.default_rng(11)
    n = 150
    first = rng.integers(0, 200, n)
    T_days = (SIM_AS_OF - SIM_START).days - first
    x, t_x = simulate_bgnbd(rng, n, 0.5, 20.0, 0.8, 2.4, T_days.astype(float))
    lines, per_member = [], []
    for i in range(n):  # building the fixture's rows, not analysis
        offsets = [0.0, *rng.uniform(0, t_x[i], max(int(x[i]) - 1, 0)), t_x[i]] if x[i] > 0 else [0.0]
        spend: dict[int, float] = {}
        for o in offsets:
            day, amount = int(first[i] + o), round(float(rng.gamma(4, 15)) + 1, 2)
            spend[day] = spend.get(day, 0) + amount
            lines.append((f"s{i:03d}", None, str(SIM_START + timedelta(days=day)), amount))
        per_member.append(spend)
    for member in ("tie_a", "tie_b"):
        lines += [(member, None, str(SIM_AS_OF - timedelta(days=7 * k)), 300) for k in range(12)]
        per_member.append({(SIM_AS_OF - SIM_START).days - 7 * k: 300.0 for k in range(12)})
    with Store(tmp_path_factory.mktemp("sim") / "ws.duckdb") as store:
        ds = build(store, "sim", lines=lines)
        days = [sorted(spend) for spend in per_member]
        xs = np.array([len(dd) - 1 for dd in days], dtype=float)
        txs = np.array([dd[-1] - dd[0] for dd in days], dtype=float)
        Ts = np.array([(SIM_AS_OF - SIM_START).days - dd[0] for dd in days], dtype=float)
        monetary = np.array([np.mean([sp[k] for k in dd[1:]]) if len(dd) > 1 else np.nan
                             for sp, dd in zip(per_member, days)])
        yield store, ds, (xs, txs, Ts, monetary)


def test_sql_pipeline_fits_what_numpy_fits(sim):
    store, ds, (x, t_x, T, monetary) = sim
    for name in btyd.MODELS:
        model = clv.fit(store, ds, ClvSpec(model=name))
        by_numpy = btyd.fit(name, x, t_x / 7, T / 7)
        assert model.fit_date == SIM_AS_OF and model.purchases.members == 152
        # Pareto/NBD searches with finite differences: its optimum is found to ~1e-5, not ~1e-8.
        assert model.purchases.values == pytest.approx(by_numpy.values, rel=1e-4 if name == "pareto_nbd" else 1e-6)
        # Every model fits these 152 BG/NBD members, in days through SQL as in weeks in numpy.
        assert model.status == "ok" and model.purchases.verdict == by_numpy.verdict == "converged"
    repeat = x > 0
    assert model.gamma_gamma.values == pytest.approx(
        btyd.fit_gamma_gamma(x[repeat], monetary[repeat]).values, rel=1e-6)


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd"])  # Pareto/NBD's predictions: test_btyd (CDNOW)
def test_predictions_on_a_fitted_dataset(sim, name):
    store, ds, _ = sim
    spec = ClvSpec(model=name)
    model = clv.fit(store, ds, spec)
    frame = clv.run(store, ds, spec, model)
    assert frame.height == 152 and frame.select(pl.col("p_alive", "predicted_clv").null_count()).row(0) == (0, 0)
    one_time = frame.filter(pl.col("frequency") == 0)["p_alive"]
    if name == "bgnbd":  # BG/NBD's blind spot: no repeat purchase, no dropout possible
        assert one_time.unique().to_list() == [1.0]
    else:                # the other two can tell a one-time buyer long gone
        assert one_time.max() < 1 and one_time.min() < 0.5
    assert frame.filter(pl.col("p_alive") > 1).height == 0
    assert (frame["churn_probability"] + frame["p_alive"]).to_list() == pytest.approx([1.0] * 152, abs=1e-4)
    # predicted_clv = expected purchases × expected spend × margin (to the rounding of the factors).
    product = frame["expected_purchases"] * frame["expected_spend"]
    assert frame["predicted_clv"].to_list() == pytest.approx(product.to_list(), rel=1e-3, abs=0.01)
    profit = clv.run(store, ds, ClvSpec(margin=0.4, model=name), model)
    assert profit["predicted_clv"].to_list() == pytest.approx((frame["predicted_clv"] * 0.4).to_list(), abs=0.01)
    longer = clv.run(store, ds, ClvSpec(horizon=104, model=name), model)
    assert (longer["expected_purchases"] >= frame["expected_purchases"]).all()


def test_one_members_row_is_their_row_of_everyone(sim):
    # Member 360 scores one member from their own summary with the model fitted on everyone: the
    # very row run() gives, for every member (a fit date before data end included), and None for
    # someone who did not buy by the fit date.
    store, ds, _ = sim
    for spec in (ClvSpec(), ClvSpec(Filters(end=SIM_AS_OF - timedelta(days=60)), unit="day", margin=0.4)):
        model = clv.fit(store, ds, spec)
        everyone = clv.run(store, ds, spec, model)
        for row in everyone.iter_rows(named=True):
            assert clv.member_row(store, ds, spec, model, row["member_id"]) == row
        assert clv.member_row(store, ds, spec, model, "nobody") is None


def test_members_behind_numbers_and_ties(sim):
    store, ds, _ = sim
    spec = ClvSpec()
    model = clv.fit(store, ds, spec)
    frame = clv.run(store, ds, spec, model)
    # tie_a and tie_b bought identically: the same predicted CLV, the highest; top 1 breaks the tie
    # by member_id, so exactly one member.
    ties = frame.filter(pl.col("member_id").str.starts_with("tie"))["predicted_clv"]
    assert ties[0] == ties[1] == frame["predicted_clv"].max()
    assert clv.members(store, ds, spec, clv.ClvCell("top_clv", 1))["member_id"].to_list() == ["tie_a"]
    top5 = clv.members(store, ds, spec, clv.ClvCell("top_clv", 5))
    assert top5.height == 5 and top5["member_id"].to_list() == sorted(top5["member_id"].to_list())
    for threshold in (0.2, 0.5, 0.9):
        below = clv.members(store, ds, spec, clv.ClvCell("p_alive_below", threshold))
        assert below.height == frame.filter(pl.col("p_alive") < threshold).height > 0
    overdue = clv.members(store, ds, spec, clv.ClvCell("overdue"))
    assert overdue.height == frame.filter(pl.col("days_overdue") > 0).height > 0


def test_backtest_predictions_on_a_fitted_dataset(sim):
    store, ds, _ = sim
    bt = backtest.backtest(store, ds, ClvSpec(), date(2024, 9, 30), period="month")
    assert bt.model.fit_date == date(2024, 9, 30) and bt.model.status == bt.status == "ok"
    assert bt.periods["period"].to_list() == [date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1)]
    predicted = bt.periods["predicted_cumulative"].to_list()
    assert 0 < predicted[0] < predicted[1] < predicted[2]
    metrics = dict(bt.summary.rows())
    assert metrics["predicted_total"] == pytest.approx(predicted[-1], abs=0.01)
    assert metrics["predicted_total"] == pytest.approx(bt.members["predicted"].sum(), abs=0.01)
    assert metrics["actual_total"] == bt.members["actual"].sum() == bt.periods["actual_cumulative"][-1]
    assert metrics["mae_per_member"] == pytest.approx(
        (bt.members["predicted"] - bt.members["actual"]).abs().mean(), abs=1e-3)


# -- value bands and the pre-churn list (page helpers) ----------------------------------------


def test_nice_edges_follow_the_scale_of_the_data():
    assert why.nice_edges(21070) == (0.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0)
    assert why.nice_edges(101) == (0.0, 10.0, 20.0, 50.0, 100.0)
    assert why.nice_edges(100) == (0.0, 10.0, 20.0, 50.0)      # an edge must lie below the largest value
    assert why.nice_edges(21070, bands=3) == (0.0, 10000.0, 20000.0)
    assert why.nice_edges(5) == why.nice_edges(None) == why.nice_edges(21070, bands=1) == (0.0,)


def test_bands_of_counts_members_and_value():
    frame = pl.DataFrame({"member_id": list("abcdefg"),
                          "predicted_clv": [5.0, 10.0, 49.99, 50.0, 120.0, None, -3.0]})
    # Edges 0, 10, 50: [0, 10) holds 5 and the net refund −3; [10, 50) 10 and 49.99; [50, ∞) 50 and 120.
    # f has no prediction. Total: 6 members, 5 + 10 + 49.99 + 50 + 120 − 3 = 231.99.
    assert why.bands_of(frame, (0.0, 10.0, 50.0)).rows() == [
        (0.0, 10.0, 2, 2.0, 2 / 6, 2 / 231.99),
        (10.0, 50.0, 2, 59.99, 2 / 6, 59.99 / 231.99),
        (50.0, None, 2, 170.0, 2 / 6, 170 / 231.99),
    ]
    assert why.bands_of(frame.with_columns(predicted_clv=None), (0.0, 10.0)).height == 0


def test_band_members_match_the_band_counts(sim):
    store, ds, _ = sim
    bands = why.value_bands(store, ds, ClvSpec())
    assert bands["members"].sum() == 152 and bands["value_share"].sum() == pytest.approx(1.0)
    # The page passes the fit it already has (margin is not part of a fit): the same bands.
    profit = ClvSpec(margin=0.4)
    assert why.value_bands(store, ds, profit, model=clv.fit(store, ds, ClvSpec())).equals(why.value_bands(store, ds, profit))
    for low, high, count, value, *_ in bands.rows():
        inside = why.members(store, ds, ClvSpec(), why.BandCell(low, high))
        assert inside.height == count and inside["predicted_clv"].sum() == pytest.approx(value, abs=0.01)


def _rfm_rows(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"member_id": pl.String, "recency_days": pl.Int64, "frequency": pl.Int64,
                                      "monetary": pl.Float64, "r_score": pl.Int32, "f_score": pl.Int32,
                                      "m_score": pl.Int32, "segment": pl.String, "value_group": pl.String},
                        orient="row")


def test_pre_churn_of_flags_each_reason():
    rfm_frame = _rfm_rows([
        ("a", 10, 5, 500.0, 5, 5, 5, "champions", "important_value"),
        ("b", 200, 4, 800.0, 1, 4, 5, "at_risk", "important_retain"),
        ("c", 300, 6, 900.0, 1, 5, 5, "cannot_lose", "important_retain"),
        ("d", 20, 3, 300.0, 4, 3, 4, "loyal", "important_value"),
        ("e", 250, 3, 100.0, 1, 3, 2, "at_risk", "general_retain"),
        ("f", 400, 1, 20.0, 1, 1, 1, "hibernating", "general_winback"),
    ])
    clv_frame = pl.DataFrame(
        [("a", d("2024-03-01"), 0.1, 0.9, 50.0), ("b", d("2023-08-01"), 0.9, 0.1, 80.0),
         ("c", d("2023-05-01"), 0.2, 0.8, 10.0), ("d", d("2024-02-20"), 0.5, 0.5, 120.0),
         ("f", d("2023-01-01"), None, None, None)],  # e: not in the fit
        schema={"member_id": pl.String, "last_purchase": pl.Date, "p_alive": pl.Float64,
                "churn_probability": pl.Float64, "predicted_clv": pl.Float64}, orient="row")
    frame = who.pre_churn_of(clv_frame, rfm_frame, 0.3, ("at_risk", "cannot_lose"))
    assert frame.columns == list(who.PRE_CHURN_COLUMNS)
    # a: P(alive) 0.1 < 0.3 though a champion; b: at risk though 0.9; c: both; d: neither (0.5, loyal);
    # e: at risk, no P(alive); f: no P(alive), hibernating → not listed. By monetary: c 900, b 800, a 500, e 100.
    assert frame.select("member_id", "p_alive", "low_p_alive", "risk_segment").rows() == [
        ("c", 0.2, True, True), ("b", 0.9, False, True), ("a", 0.1, True, False), ("e", None, False, True)]
    assert frame.filter(pl.col("member_id") == "c").select("last_purchase", "churn_probability",
                                                           "predicted_clv").row(0) == (d("2023-05-01"), 0.8, 10.0)
    # Without the P(alive) rule only the segments count; with no segment only P(alive).
    assert who.pre_churn_of(clv_frame, rfm_frame, None, ("at_risk",))["member_id"].to_list() == ["b", "e"]
    assert who.pre_churn_of(clv_frame, rfm_frame, 0.6, ())["member_id"].to_list() == ["c", "a", "d"]


def test_pre_churn_on_the_fixture_uses_rfm_at_as_of(store, ds):
    from lib.rfm import RfmSpec

    # Thresholds set by hand, at as_of 2024-03-04 (purchases; m1's o4 is refund-only):
    #   m1: last 02-12 → 21 days → R 4; 4 purchases → F 4; 100 + 50 + 80 − 40 + 20 = 210 → M 4; fm 4 → loyal
    #   m2: 28 days → R 4; F 1; 60 → M 2; fm 2 → potential_loyalist
    #   m4: 0 days → R 5; F 4; 220 → M 4 → champions
    #   m5: last 01-11 → 53 days → R 3; F 2; 50 → M 2; fm 2 → about_to_sleep
    rfm_spec = RfmSpec(r_thresholds=(7, 30, 60, 90), f_thresholds=(2, 3, 4, 5), m_thresholds=(50, 100, 200, 300))
    frame = who.pre_churn(store, ds, ClvSpec(), 0.3, ("about_to_sleep", "loyal"), rfm_spec)
    # Three repeat buyers are too few to fit: no P(alive), so only the segments flag anybody.
    assert frame.rows() == [
        ("m1", "loyal", 21, 4, 210.0, d("2024-02-12"), None, None, None, False, True),
        ("m5", "about_to_sleep", 53, 2, 50.0, d("2024-01-11"), None, None, None, False, True),
    ]
    assert who.pre_churn(store, ds, ClvSpec(Filters.of(channel="nowhere"))).height == 0


def test_top_bands_reads_from_the_top():
    bands = pl.DataFrame({"low": [0.0, 10.0, 50.0], "high": [10.0, 50.0, None], "members": [6, 3, 1],
                          "predicted_clv": [30.0, 90.0, 80.0], "member_share": [0.6, 0.3, 0.1],
                          "value_share": [0.15, 0.45, 0.4]})
    # The top band alone holds 10 % of members: enough for 10 %, not for 20 % (then 50 + 10..50).
    assert why.top_bands(bands, 0.1) == {"low": 50.0, "member_share": 0.1, "value_share": 0.4}
    assert why.top_bands(bands, 0.2) == pytest.approx({"low": 10.0, "member_share": 0.4, "value_share": 0.85})
    assert why.top_bands(bands.clear(), 0.1) is None


def test_a_refund_after_the_cutoff_does_not_hide_a_purchase_known_at_it(store):
    from lib.clv import ClvSpec, summary
    from tests.fixtures import build, d

    ds = build(store, name="late_refund", lines=[
        ("m1", "o1", "2024-01-05", 60),
        ("m1", "o2", "2024-01-20", 80),
        ("m1", "o2", "2024-02-20", -80),   # refunded after the cutoff
        ("m2", "o3", "2024-03-01", 10)])
    row = summary(store, ds, ClvSpec(), cutoff=d("2024-01-31")).filter(member_id="m1").row(0, named=True)
    # Known at 01-31: purchase days 01-05 and 01-20, so one repeat day (x = 1) worth 80.
    assert (row["frequency"], row["monetary"]) == (1, 80.0)


def test_expected_purchases_when_everyone_drops_out_at_the_same_rate():
    # A fit can put a and b in the millions (a real one did: a = 1.4e7, b = 5.8e7): the dropout
    # probability is then the same p = a / (a + b) = 0.2 for everyone, Gauss-Jacobi weights overflow
    # and the closed form's series gives up. Expected purchases must still be a number:
    # E[Y(t) | alive] = (1 − ((α + T) / (α + T + p·t))^(r + x)) / p; x = 0, so P(alive) = 1 and
    # with r = 0.5, α = 3, T = 69, t = 52: (1 − (72 / 82.4)^0.5) / 0.2 = 0.326173 (4 dp: 0.3262).
    point_mass = btyd.published("bgnbd", (0.5, 3.0, 2e7, 8e7))
    expected = btyd.expected_purchases(point_mass, 52.0, np.array([0.0]), np.array([0.0]), np.array([69.0]))
    assert round(float(expected[0]), 4) == 0.3262


# -- CDNOW through the product: SQL summary, fit, backtest, command line --------------------------


@pytest.fixture(scope="module")
def cdnow_ds(tmp_path_factory):
    """The CDNOW 1/10 sample (tests/data) as an order export: one order per line. Eight customers'
    only transaction is $0.00: the literature counts them, SPEC's purchase must net > 0, so they are
    written as one cent to keep the published sample of 2,357 (a cent moves no mean spend by 0.01 %)."""
    from tests import cdnow

    lines = [(c, None, str(day), amount or 0.01) for c, day, amount in cdnow.load_lines().iter_rows()]
    with Store(tmp_path_factory.mktemp("cdnow") / "ws.duckdb") as store:
        yield store, build(store, "cdnow", lines=lines)


def test_cdnow_through_the_sql_pipeline(cdnow_ds):
    """Fitted at 1997-09-30 (end) in weeks: the published parameters within 1 % (see test_btyd), in
    days the same fit (alpha × 7) and the same predictions; the 39-week holdout backtest gives the
    literature's totals: 1,882 actual repeat purchase days, about 1,653 / 1,577 / 1,666 predicted."""
    store, ds = cdnow_ds
    calibration = Filters(end=d("1997-09-30"))
    weeks = clv.fit(store, ds, ClvSpec(calibration, model="bgnbd"))
    assert (weeks.buyers, weeks.repeat_buyers, weeks.status) == (2357, 946, "ok")
    assert weeks.purchases.values == pytest.approx((0.2426, 4.4136, 0.7929, 2.4259), rel=0.01)
    assert weeks.gamma_gamma.values == pytest.approx((6.2496, 3.7442, 15.4435), rel=0.01)
    days = clv.fit(store, ds, ClvSpec(calibration, unit="day", model="bgnbd"))
    r, alpha, a, b = weeks.purchases.values
    assert days.purchases.values == pytest.approx((r, alpha * 7, a, b), rel=1e-9)
    in_weeks = clv.run(store, ds, ClvSpec(calibration, model="bgnbd"), weeks)
    in_days = clv.run(store, ds, ClvSpec(calibration, unit="day", horizon=52 * 7, model="bgnbd"), days)
    assert in_days["expected_purchases"].to_list() == pytest.approx(in_weeks["expected_purchases"].to_list(),
                                                                     rel=0.005, abs=1e-4)
    results = backtest.backtest_models(store, ds, ClvSpec(), d("1997-09-30"))
    table = backtest.comparison(results)
    assert table["model"].to_list() == ["bgnbd", "mbgnbd", "pareto_nbd"]
    assert table["actual"].to_list() == [1882] * 3 and table["members"].to_list() == [2357] * 3
    assert table["predicted"].to_list() == pytest.approx([1653, 1577, 1666], abs=2)
    assert dict(results["bgnbd"].summary.rows())["holdout_units"] == 39  # 1997-10-01 … 1998-06-30
    # The calibration table: members by repeat purchases before the cutoff add up to the 2,357, and
    # their mean actual holdout purchases weighted by members add up to the 1,882 (means rounded to 4 dp).
    by_frequency = backtest.by_frequency(results["bgnbd"])
    assert by_frequency["repeat_purchases"].to_list() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert by_frequency["members"].sum() == 2357 and by_frequency["members"][0] == 2357 - 946
    assert float((by_frequency["members"] * by_frequency["actual"]).sum()) == pytest.approx(1882, abs=0.1)
    assert float((by_frequency["members"] * by_frequency["predicted"]).sum()) == pytest.approx(1653, abs=2)


def test_cdnow_backtest_from_the_command_line(cdnow_ds):
    store, ds = cdnow_ds
    table = reports.table(store, ds, "clv", ["--backtest", "1997-09-30", "--model", "mbgnbd"], Filters())
    assert table.columns[:6] == ["model", "members", "predicted", "actual", "mae", "rmse"]
    assert table.select("model", "members", "actual").rows() == [("mbgnbd", 2357, 1882)]
    calibration = reports.table(store, ds, "clv", ["--backtest", "1997-09-30", "--model", "bgnbd", "--by-frequency"])
    assert calibration.columns == ["model", "repeat_purchases", "members", "predicted", "actual"]
    assert calibration.height == 8
    params = reports.table(store, ds, "clv", ["--params", "--model", "pareto_nbd"], Filters(end=d("1997-09-30")))
    assert params["param"].to_list() == ["r", "alpha", "s", "beta", "p", "q", "gamma"]
    assert params["value"].to_list()[:4] == pytest.approx([0.5533, 10.5777, 0.6063, 11.6699], rel=0.01)
    assert set(params["verdict"]) == {"converged"}
    assert params["reason"].null_count() == 7 and params["decrement"].max() < btyd.DECREMENT_TOL
    # The purchase model's LL in weeks, as published for Pareto/NBD on CDNOW (FHL's MATLAB note): −9595.0.
    assert params["log_likelihood"][0] == pytest.approx(-9595.0, abs=0.05)


@pytest.mark.parametrize("lines,status,message", [
    # Every order a refund: nobody ever purchased.
    ([("r1", "o1", "2024-01-05", -30), ("r2", "o2", "2024-01-06", -10)], "no_buyers",
     "no purchases by the fit date in this scope"),
    # One purchase day for everyone (two orders the same day are one purchase day): no repeat buyer.
    ([("s1", "o1", "2024-01-05", 30), ("s1", "o2", "2024-01-05 18:00", 10), ("s2", "o3", "2024-01-05", 20)],
     "too_few_repeat_buyers", "too few repeat buyers to fit a model (0 of 2 buyers bought more than once by the fit date)"),
])
def test_data_the_models_cannot_use_is_said_in_one_line(store, lines, status, message):
    ds = build(store, "odd", lines=lines)
    model = clv.fit(store, ds, ClvSpec())
    assert (model.status, model.message()) == (status, message)
    with pytest.raises(clv.ClvUnavailable, match=message.replace("(", "\\(").replace(")", "\\)")):
        reports.table(store, ds, "clv", [], Filters())


def test_a_spend_model_without_a_mean_gives_no_clv_and_says_why():
    """Gamma-Gamma with q ≤ 1 fits (spend varying enormously between members) but E[spend] = p γ /
    (q − 1) does not exist: purchases are still predicted, predicted CLV is not, and the status says so."""
    purchases = btyd.published("mbgnbd", (0.52, 6.18, 0.89, 1.61))
    for q, status in ((0.7, "spend_no_mean"), (1.0, "spend_no_mean"), (3.74, "ok")):
        model = clv.Model("week", d("2024-06-30"), "mbgnbd", purchases, btyd.published("gamma_gamma", (6.25, q, 15.4)),
                          buyers=500, repeat_buyers=200, seconds=0.0)
        assert (model.status, model.usable) == (status, True)
    assert "no mean spend per purchase (q ≤ 1)" in clv.Model(
        "week", None, "mbgnbd", purchases, btyd.published("gamma_gamma", (6.25, 0.7, 15.4)), 500, 200, 0.0).message()


def test_cli_options_that_would_be_ignored_are_refused(store, ds):
    for argv, filters, message in (
            (["--by-frequency"], Filters(), "--by-frequency goes with --backtest CUTOFF"),
            (["--params", "--backtest", "2024-01-31"], Filters(), "--params and --backtest are two different"),
            (["--backtest", "2024-01-31"], Filters(end=d("2024-02-29")), "--start / --end do not apply"),
            (["--margin", "40"], Filters(), "margin must be a fraction between 0 and 1 \\(0.4 for 40 %\\), not 40"),
            (["--horizon", "nan"], Filters(), "horizon must be a number of weeks ≥ 0, not nan")):
        with pytest.raises(ValueError, match=message):
            reports.table(store, ds, "clv", argv, filters)


def test_a_pareto_fit_running_to_one_dropout_rate_says_so():
    """A Pareto/NBD fit that did not converge with s past SAME_RATE_S: the status stays
    not_converged (nothing predicted) and the words say where it was running, in the CLI's English
    and on the page in both languages; any other failed fit gets the plain sentence."""
    from lib.charts.w5h1 import status_sentence

    def model(s: float) -> clv.Model:
        fitted = btyd.Fitted("pareto_nbd", btyd.PARAMS["pareto_nbd"], (0.7, 4.0, s, s / 0.04), (np.nan,) * 4,
                             -1000.0, 4000, "not_converged")
        return clv.Model("week", date(2024, 1, 1), "pareto_nbd", fitted, None, 4000, 1500, 0.1)

    running = model(btyd.SAME_RATE_S * 2)
    assert running.status == "not_converged" and running.runaway == "same_dropout_rate"
    assert running.message() == ("the Pareto/NBD fit did not converge on this scope: it runs towards one dropout "
                                 "rate for everyone (s, beta → ∞), a limit not fitted here; MBG/NBD fits the like "
                                 "limit, try --model mbgnbd")
    assert status_sentence("not_converged", running, "en").endswith(
        "The fit runs towards one dropout rate for everyone (s and β grow without end), a limit not fitted here; "
        "MBG/NBD fits the like limit (one dropout probability for all).")
    assert "并不说明数据太少。拟合趋向“所有会员的流失速率相同”" in status_sentence("not_converged", running, "zh")
    plain = model(btyd.SAME_RATE_S / 2)
    assert plain.runaway is None and plain.message() == "the Pareto/NBD fit did not converge on this scope"
    assert "流失速率" not in status_sentence("not_converged", plain, "zh")


def test_backtest_cutoffs_leave_four_weeks_to_learn_and_a_week_to_check():
    # Data 2024-01-01 … 2026-06-30: earliest 01-29 (+28 days), latest 06-23 (−7), default six months back.
    assert backtest.backtest_cutoffs(d("2024-01-01"), d("2026-06-30")) == (d("2024-01-29"), d("2026-06-23"),
                                                                      d("2025-12-30"))
    # Three months of data: six months back is before the earliest, so the earliest.
    assert backtest.backtest_cutoffs(d("2026-04-01"), d("2026-06-30")) == (d("2026-04-29"), d("2026-06-23"),
                                                                      d("2026-04-29"))
    # Five weeks: 02-01 + 28 = 03-01 is not before 03-07 − 7 = 02-28: too short. No data: none.
    assert backtest.backtest_cutoffs(d("2026-02-01"), d("2026-03-07")) is None
    assert backtest.backtest_cutoffs(None, None) is None


def test_value_vs_cac_from_the_historical_rows():
    rows = pl.DataFrame({"input": ["annual_revenue_per_buyer", "gross_margin", "cac"], "value": [1200.0, 0.4, 160.0]})
    assert why.value_vs_cac(rows) == (480.0, 3.0)   # 1200 × 0.4 = 480 a year; 480 / 160 = 3×
    free = rows.with_columns(pl.when(pl.col("input") == "cac").then(0.0).otherwise(pl.col("value")).alias("value"))
    assert why.value_vs_cac(free) == (480.0, None)  # nothing spent: no ratio
    unknown = rows.with_columns(pl.when(pl.col("input") == "annual_revenue_per_buyer").then(None)
                                .otherwise(pl.col("value")).alias("value"))
    assert why.value_vs_cac(unknown) == (None, None)
