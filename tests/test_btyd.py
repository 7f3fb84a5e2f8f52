"""The BTYD models (lib/btyd/): likelihoods on hand-worked cases, the closed forms against the
published CDNOW numbers and an independent numerical integration of each model's definition
(tests/btyd_reference.py), parameter recovery from simulated customers, and the verdict of a fit
judged on the fit itself (never on scipy's status flag)."""

from __future__ import annotations

from math import log

import numpy as np
import polars as pl
import pytest
from scipy.optimize import approx_fprime
from scipy.special import hyp2f1

from lib import btyd
from lib.btyd import fitting, search
from tests import btyd_reference, cdnow
from tests.fixtures import simulate_bgnbd

CDNOW_BGNBD = btyd.published("bgnbd", (0.243, 4.414, 0.793, 2.426))
CDNOW_GG = btyd.published("gamma_gamma", (6.25, 3.74, 15.44))


def quadrature(fitted: btyd.Fitted, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | alive] of a BG/NBD fit by btyd's Gauss-Jacobi fallback."""
    return btyd._bg_expected_quadrature(*fitted.values, t, x, T)


# -- the formulas -------------------------------------------------------------------------------


def test_expected_purchases_matches_the_published_cdnow_example():
    # FHL's BG/NBD worked example (CDNOW parameters): x = 2, t_x = 30.43, T = 38.86 → 1.226 purchases in
    # the next 39 weeks. P(alive) by hand: a / (b + x − 1) = 0.793 / 3.426 = 0.23147;
    # ((4.414 + 38.86) / (4.414 + 30.43))^2.243 = 1.24194^2.243 = 1.6258; 1 / (1 + 0.37633) = 0.7266.
    x, t_x, T = np.array([2.0]), np.array([30.43]), np.array([38.86])
    assert btyd.expected_purchases(CDNOW_BGNBD, 39, x, t_x, T)[0] == pytest.approx(1.226, abs=5e-4)
    assert btyd.p_alive(CDNOW_BGNBD, x, t_x, T)[0] == pytest.approx(0.7266, abs=1e-4)


def test_euler_form_equals_fhl_equation_10_where_that_is_finite():
    r, alpha, a, b = CDNOW_BGNBD.values
    x = np.array([0.0, 1, 5, 20, 60]); t_x = np.array([0.0, 10, 25, 30, 35]); T = np.full(5, 39.0)
    t = 52.0
    direct = ((a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
              * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))) * btyd.p_alive(CDNOW_BGNBD, x, t_x, T))
    assert btyd.expected_purchases(CDNOW_BGNBD, t, x, t_x, T) == pytest.approx(direct, rel=1e-8)
    # Where eq. 10's 2F1 overflows (x around a thousand) the Euler form stays finite and agrees with the
    # quadrature of the same expectation.
    x, t_x, T = np.array([1000.0]), np.array([38.97]), np.array([39.0])
    assert not np.isfinite(hyp2f1(r + 1000, b + 1000, a + b + 999, t / (alpha + 39 + t)))
    big = btyd.expected_purchases(CDNOW_BGNBD, t, x, t_x, T)
    by_quadrature = quadrature(CDNOW_BGNBD, t, x, T) * btyd.p_alive(CDNOW_BGNBD, x, t_x, T)
    assert big == pytest.approx(by_quadrature, rel=1e-6) and big[0] > 100


def test_expected_purchase_totals_equal_the_weighted_sum_of_every_row():
    # The backtest's per-period totals: E[Y(t) | alive] once per distinct (x, T), the same numbers
    # as row by row — repeated (x, T) with different t_x, weights, and the quadrature path. Equal to
    # 1e-12, not bit for bit: the dot product's summation order follows the CPU (AVX-512 or AVX2),
    # and 10737.710051895334 came out …332 on another machine.
    rng = np.random.default_rng(7)
    x = rng.integers(0, 6, 300).astype(float); T = rng.integers(5, 40, 300).astype(float)
    t_x = np.floor(T * rng.random(300)) * (x > 0); weights = rng.integers(1, 9, 300).astype(float)
    for fitted in (CDNOW_BGNBD, btyd.published("mbgnbd", (0.5, 6.0, 0.7, 2.0)),
                   btyd.published("pareto_nbd", (0.55, 10.6, 0.61, 11.7)),
                   btyd.published("bgnbd", (1e4, 5e4, 0.0176, 0.0704))):  # 2F1 gives up: quadrature
        horizons = [1.0, 7.5, 52.0]
        row_by_row = [float(weights @ btyd.expected_purchases(fitted, t, x, t_x, T)) for t in horizons]
        assert btyd.expected_purchase_totals(fitted, horizons, x, t_x, T, weights) == pytest.approx(row_by_row,
                                                                                                     rel=1e-12)
        assert all(total > 0 for total in row_by_row)


def test_quadrature_fallback_agrees_with_the_closed_form():
    x, T = np.array([0.0, 2, 9]), np.array([20.0, 39, 39])
    t_x = np.zeros(3)
    closed = btyd.expected_purchases(CDNOW_BGNBD, 52, x, t_x, T) / btyd.p_alive(CDNOW_BGNBD, x, t_x, T)
    assert quadrature(CDNOW_BGNBD, 52, x, T) == pytest.approx(closed, rel=1e-7)
    # Where scipy's 2F1 returns nan (r in the thousands) the fallback answers: 8.28083 and 10.17212 are
    # the exact series summed with mpmath (maxterms 10^6) for these parameters.
    poisson_like = btyd.published("bgnbd", (1e4, 5e4, 0.0176, 0.0704))
    x, T = np.array([0.0, 2.0]), np.array([4.0, 9.0])
    alive = btyd.expected_purchases(poisson_like, 52, x, np.array([0.0, 0.0]), T) / \
        btyd.p_alive(poisson_like, x, np.array([0.0, 0.0]), T)
    assert alive == pytest.approx([8.28083, 10.17212], rel=1e-5)


def test_p_alive_and_expected_purchases_behave():
    x = np.array([0.0, 0.0, 3.0, 3.0])
    t_x = np.array([0.0, 0.0, 30.0, 5.0])
    T = np.array([5.0, 100.0, 31.0, 31.0])
    alive = btyd.p_alive(CDNOW_BGNBD, x, t_x, T)
    assert alive[0] == alive[1] == 1.0           # x = 0: no purchase after which to drop out
    assert alive[2] > 0.8 and alive[3] < 0.2      # same x: bought last week vs 26 weeks ago
    horizons = [btyd.expected_purchases(CDNOW_BGNBD, t, x, t_x, T) for t in (0.0, 4.0, 52.0, 520.0)]
    assert horizons[0] == pytest.approx(np.zeros(4), abs=1e-12)
    assert np.all(np.diff(np.stack(horizons), axis=0) > 0)   # grows with the horizon
    assert horizons[2][2] > horizons[2][3]                     # the recent buyer is worth more


def test_gamma_gamma_expected_spend_by_hand():
    # Population mean p·γ / (q − 1) = 6.25 × 15.44 / 2.74 = 35.22; x = 1, m = 20:
    # 6.25 × (15.44 + 20) / (6.25 + 2.74) = 221.5 / 8.99 = 24.64 (shrunk from 20 towards 35.22).
    spend = btyd.expected_spend(CDNOW_GG, np.array([0.0, 1.0, 1000.0]), np.array([np.nan, 20.0, 20.0]))
    assert spend[:2] == pytest.approx([35.2190, 24.6385], abs=1e-3)
    assert spend[2] == pytest.approx(20.0, rel=1e-3)   # many purchases: the member's own mean
    no_mean = btyd.published("gamma_gamma", (6.25, 0.9, 15.44))
    assert np.isnan(btyd.expected_spend(no_mean, np.array([0.0]), np.array([np.nan]))[0])  # q ≤ 1


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])  # Pareto/NBD's gradient is numerical
def test_gradients_match_finite_differences(model):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 10, 60).astype(float)
    T = rng.uniform(5, 40, 60)
    t_x = np.where(x > 0, rng.uniform(0, 1, 60) * T, 0)
    theta = np.log([0.5, 3.0, 0.8, 2.5])
    _, grad = btyd.loglik(model, theta, x, t_x, T, gradient=True)
    numeric = approx_fprime(theta, lambda t: btyd.loglik(model, t, x, t_x, T).sum(), 1e-7)
    assert grad.sum(axis=0) == pytest.approx(numeric, rel=1e-5, abs=1e-4)
    m, xs = rng.gamma(3, 10, 60), np.maximum(x, 1)
    theta = np.log([6.0, 3.7, 15.0])
    _, grad = btyd.gg_loglik(theta, xs, m, gradient=True)
    numeric = approx_fprime(theta, lambda t: btyd.gg_loglik(t, xs, m).sum(), 1e-7)
    assert grad.sum(axis=0) == pytest.approx(numeric, rel=1e-5, abs=1e-4)


# -- fitting on simulated data --------------------------------------------------------------------


def test_fit_recovers_cdnow_parameters_from_simulated_customers():
    """5,000 simulated customers with CDNOW's published parameters, first purchases spread over 12
    weeks as in CDNOW (T 27–39 weeks). Tolerance: 3 standard errors from the observed information.
    Over 200 seeds these z-scores had sd 0.88–1.10 (the SEs are honest), so 3 SE fails ~1 % of seeds
    per parameter by chance, never systematically; the SE bounds keep the check tight (r ± 11 %,
    alpha ± 17 %, a ± 47 %, b ± 60 % at most: a and b are the hard ones in the literature too)."""
    rng = np.random.default_rng(20050301)
    n = 5000
    T = 39 - rng.uniform(0, 12, n)
    x, t_x = simulate_bgnbd(rng, n, *CDNOW_BGNBD.values, T)
    fitted = btyd.fit("bgnbd", x, t_x, T)
    assert fitted.verdict == "converged" and fitted.members == n
    for name, truth, value, se, max_relative_se in zip(fitted.names, CDNOW_BGNBD.values, fitted.values,
                                                        fitted.std_errors, (0.04, 0.06, 0.16, 0.20)):
        assert se < max_relative_se * truth, name
        assert abs(value - truth) < 3 * se, (name, value, truth, se)
    # The reported log-likelihood is the sum of the per-member log-likelihoods at the estimate.
    assert fitted.log_likelihood == pytest.approx(btyd.loglik("bgnbd", np.log(fitted.values), x, t_x, T).sum())

    # Gamma-Gamma on the repeat buyers: ν ~ Gamma(q, rate γ), each spend ~ Gamma(p, rate ν), so the
    # mean of x spends ~ Gamma(p·x, rate ν·x).
    repeat = x > 0
    nu = rng.gamma(CDNOW_GG["q"], 1 / CDNOW_GG["gamma"], repeat.sum())
    m = rng.gamma(CDNOW_GG["p"] * x[repeat], 1 / (nu * x[repeat]))
    gg = btyd.fit_gamma_gamma(x[repeat], m)
    assert gg.verdict == "converged"
    for name, truth, value, se, max_relative_se in zip(gg.names, CDNOW_GG.values, gg.values, gg.std_errors,
                                                        (0.15, 0.07, 0.20)):
        assert se < max_relative_se * truth, name
        assert abs(value - truth) < 3 * se, (name, value, truth, se)
    assert gg.log_likelihood == pytest.approx(btyd.gg_loglik(np.log(gg.values), x[repeat], m).sum())


def test_grouped_fit_equals_member_fit_and_units_only_rescale_alpha():
    rng = np.random.default_rng(7)
    n = 2000
    T_days = rng.integers(60, 274, n).astype(float)
    x, t_x = simulate_bgnbd(rng, n, 0.25, 4.4 * 7, 0.8, 2.4, T_days)   # alpha per day
    t_x_days = np.floor(t_x)
    keys, counts = np.unique(np.stack([x, t_x_days, T_days], axis=1), axis=0, return_counts=True)
    grouped = btyd.fit("bgnbd", keys[:, 0], keys[:, 1] / 7, keys[:, 2] / 7, counts)
    single = btyd.fit("bgnbd", x, t_x_days / 7, T_days / 7)
    assert len(keys) < n and grouped.members == n
    assert grouped.values == pytest.approx(single.values, rel=1e-5)
    in_days = btyd.fit("bgnbd", keys[:, 0], keys[:, 1], keys[:, 2], counts)
    r, alpha, a, b = grouped.values
    assert in_days.values == pytest.approx((r, alpha * 7, a, b), rel=1e-4)


# -- likelihoods worked by hand -----------------------------------------------------------------


def test_likelihoods_of_small_cases_by_hand():
    ones = np.zeros(4)  # every parameter 1
    # BG/NBD, x = 0, T = 1: B(1, 1) / B(1, 1) · α^r / (α + T)^r = 1 / 2.
    # x = 1, t_x = 1, T = 2: Γ(2) / Γ(1) · B(1, 2) / B(1, 1) = 1 / 2, times
    # (1 + 2)^−2 + a / (b + x − 1) · (1 + 1)^−2 = 1/9 + 1/4 = 13/36 → 13/72.
    bg = btyd.loglik("bgnbd", ones, np.array([0, 1]), np.array([0, 1]), np.array([1, 2]))
    assert bg == pytest.approx([log(1 / 2), log(13 / 72)], rel=1e-12)
    # MBG/NBD: one more chance to drop out. x = 0, T = 1: E[1 − p] E[e^−λ] + E[p] = 1/2 · 1/2 + 1/2 = 3/4.
    # x = 1: B(1, 3) / B(1, 1) = 1/3, times 1/9 + a / (b + x) · 1/4 = 1/9 + 1/8 = 17/72 → 17/216.
    mbg = btyd.loglik("mbgnbd", ones, np.array([0, 1]), np.array([0, 1]), np.array([1, 2]))
    assert mbg == pytest.approx([log(3 / 4), log(17 / 216)], rel=1e-12)
    # Pareto/NBD, r = α = s = β = 1, x = 0, T = 1: alive (1 + 1)^−1 (1 + 1)^−1 = 1/4, plus the dropout
    # integral s ∫0..1 (1 + τ)^−1 (1 + τ)^−2 dτ = [−(1 + τ)^−2 / 2]0..1 = 1/2 − 1/8 = 3/8 → 5/8.
    # α = 2 (β = 1 ≠ α): 2^1 · [(2 + 1)^−1 (1 + 1)^−1 + ∫0..1 dτ / ((2 + τ)(1 + τ)²)]; by partial fractions
    # 1/(2 + τ) − 1/(1 + τ) + 1/(1 + τ)², the integral is ln(3/4) + 1/2 = 0.2123179…
    pareto = [btyd.loglik("pareto_nbd", np.log([1, alpha, 1, 1]), np.array([0]), np.array([0]), np.array([1]))[0]
              for alpha in (1, 2)]
    assert pareto == pytest.approx([log(5 / 8), log(2 * (1 / 6 + log(3 / 4) + 1 / 2))], rel=1e-10)
    # P(alive) there = alive part / total = (1/6) / (1/6 + ln(3/4) + 1/2) = 0.43977…
    fitted = btyd.published("pareto_nbd", (1, 2, 1, 1))
    assert btyd.p_alive(fitted, [0], [0], [1])[0] == pytest.approx((1 / 6) / (1 / 6 + log(3 / 4) + 1 / 2), rel=1e-10)


# -- CDNOW: the published fits, an independent implementation, the backtest -----------------------

# CDNOW 1/10 sample, calibration to 1997-09-30, weeks: the reference values issue 12 states (from
# outside this code). BG/NBD's are Fader, Hardie & Lee 2005's; Pareto/NBD's their MATLAB note's
# (r 0.55, α 10.58, s 0.61, β 11.67 to two decimals); MBG/NBD's are the model of Batislam et al.
# 2007 fitted to CDNOW (the paper itself used other data).
PUBLISHED = {
    "bgnbd": (0.2426, 4.4136, 0.7929, 2.4259),
    "mbgnbd": (0.5248, 6.1831, 0.8914, 1.6140),
    "pareto_nbd": (0.5533, 10.5777, 0.6063, 11.6699),
}
HOLDOUT_WEEKS = 39  # 1997-10-01 … 1998-06-30 = 273 days
# The reference totals of expected repeat purchases over the holdout at those parameters
# (FHL 2005's fig. 2 shows about 1,650 for BG/NBD against 1,882 actual).
PREDICTED_HOLDOUT = {"bgnbd": 1653, "mbgnbd": 1577, "pareto_nbd": 1666}


@pytest.fixture(scope="module")
def cdnow_summary():
    frame = cdnow.summary()
    return frame, tuple(frame[c].to_numpy().astype(float) for c in ("x", "t_x", "T"))


@pytest.mark.parametrize("model", btyd.MODELS)
def test_cdnow_reproduces_the_published_fit(cdnow_summary, model):
    _, (x, t_x, T) = cdnow_summary
    fitted = btyd.fit(model, x, t_x, T)
    assert fitted.verdict == "converged" and fitted.members == 2357
    assert fitted.values == pytest.approx(PUBLISHED[model], rel=0.01)
    # The total log-likelihood equals the independent reference's at the estimate (grouped rows).
    keys, counts = np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_counts=True)
    sample = np.linspace(0, len(keys) - 1, 12).astype(int)  # 12 distinct rows, every x range
    params = dict(zip(fitted.names, fitted.values))
    ours = btyd.loglik(model, np.log(fitted.values), *keys[sample].T)
    reference = [btyd_reference.loglik(model, params, int(k[0]), k[1], k[2]) for k in keys[sample]]
    assert ours == pytest.approx(reference, rel=1e-8)
    assert fitted.log_likelihood == pytest.approx(float(counts @ btyd.loglik(model, np.log(fitted.values), *keys.T)))
    # Gamma-Gamma on the 946 repeat buyers (Fader & Hardie 2013: p 6.25, q 3.74, γ 15.44).
    frame, _ = cdnow_summary
    repeat = frame.filter(pl.col("x") > 0)
    gg = btyd.fit_gamma_gamma(repeat["x"].to_numpy(), repeat["monetary"].to_numpy())
    assert gg.verdict == "converged" and gg.members == 946
    assert gg.values == pytest.approx((6.2496, 3.7442, 15.4435), rel=0.01)


@pytest.mark.parametrize("model", btyd.MODELS)
def test_per_member_predictions_equal_an_independent_implementation(cdnow_summary, model):
    """P(alive) and expected purchases (39 weeks) equal the numerical integration of each model's
    definition to 1e-8 (the issue asks 0.01 and 2 %; the two agree to ~1e-14), on CDNOW members
    across the whole range: FHL's worked example, one-time buyers, x from 1 to CDNOW's largest (29),
    bought last week or half a year ago."""
    frame, _ = cdnow_summary
    repeat = frame.filter(pl.col("x") > 0).with_columns(quiet=pl.col("T") - pl.col("t_x"))
    rows = pl.concat([frame.head(1), frame.filter(pl.col("x") == 0).head(2),
                      repeat.sort("x").gather_every(160).drop("quiet"),
                      repeat.sort("x", descending=True).head(2).drop("quiet"),   # x = 29 and the next
                      repeat.sort("quiet", descending=True).head(1).drop("quiet")])
    fitted = btyd.published(model, PUBLISHED[model])
    params = dict(zip(fitted.names, fitted.values))
    x, t_x, T = (rows[c].to_numpy().astype(float) for c in ("x", "t_x", "T"))
    alive = [btyd_reference.p_alive(model, params, int(a), b, c) for a, b, c in zip(x, t_x, T)]
    expected = [btyd_reference.expected_purchases(model, params, HOLDOUT_WEEKS, int(a), b, c)
                for a, b, c in zip(x, t_x, T)]
    assert x.max() == 29 and (T - t_x).max() > 30
    assert btyd.p_alive(fitted, x, t_x, T) == pytest.approx(alive, rel=1e-8)
    assert btyd.expected_purchases(fitted, HOLDOUT_WEEKS, x, t_x, T) == pytest.approx(expected, rel=1e-8)


def test_cdnow_holdout_predictions(cdnow_summary):
    """The 39-week holdout: 1,882 actual repeat purchase days; the models' expected totals at their
    published parameters (FHL 2005 fig. 2 reads about 1,653 for BG/NBD)."""
    _, (x, t_x, T) = cdnow_summary
    assert cdnow.holdout_purchases()["actual"].sum() == 1882
    for model, total in PREDICTED_HOLDOUT.items():
        predicted = btyd.expected_purchases(btyd.published(model, PUBLISHED[model]), HOLDOUT_WEEKS, x, t_x, T)
        assert predicted.sum() == pytest.approx(total, abs=1)


# -- the verdict ---------------------------------------------------------------------------------


def test_the_verdict_ignores_the_optimisers_status_flag(cdnow_summary, monkeypatch):
    """scipy 1.15+ ends some L-BFGS-B runs with 'ABNORMAL' at a proper optimum; the fit is judged on
    its gradient, standard errors and second start, so a flag that says failure changes nothing."""
    _, (x, t_x, T) = cdnow_summary
    honest = btyd.fit("bgnbd", x, t_x, T)
    real_minimize = search.minimize

    def abnormal(*args, **kwargs):
        result = real_minimize(*args, **kwargs)
        result.success, result.status, result.message = False, 2, "ABNORMAL: "
        return result

    monkeypatch.setattr(search, "minimize", abnormal)
    flagged = btyd.fit("bgnbd", x, t_x, T)
    assert flagged.verdict == honest.verdict == "converged"
    assert flagged.values == honest.values and honest.decrement < btyd.DECREMENT_TOL
    assert honest.start_gap < btyd.START_TOL


def test_no_dropout_is_a_boundary_solution_that_still_predicts():
    """Members who never drop out (pure NBD: λ ~ Gamma(0.5, 0.5), Poisson purchases over 60 weeks):
    BG/NBD's a → 0 or b → ∞. The verdict says boundary, the reason says no one drops out, and the
    predictions are the NBD limit's: P(alive) 1 and (r + x) t / (α + T)."""
    rng = np.random.default_rng(1)
    n = 3000
    T = rng.uniform(30, 60, n)
    arrivals = rng.poisson(rng.gamma(0.5, 1 / 0.5, n) * T)
    t_x = np.where(arrivals > 0, T * rng.beta(np.maximum(arrivals, 1), 1), 0.0)
    fitted = btyd.fit("bgnbd", arrivals.astype(float), t_x, T)
    assert fitted.verdict == "boundary" and btyd.boundary_reason(fitted) == "no_dropout"
    assert {name for name, _ in fitted.edges} & {"a", "b"}
    r, alpha = fitted["r"], fitted["alpha"]
    assert btyd.p_alive(fitted, arrivals, t_x, T) == pytest.approx(np.ones(n), abs=1e-6)
    assert btyd.expected_purchases(fitted, 52, arrivals, t_x, T) == pytest.approx((r + arrivals) * 52 / (alpha + T),
                                                                                    rel=1e-6)
    # A heavy buyer gone quiet (60 purchases by week 10, nothing for 20 weeks) is still alive in the
    # limit, under every model: the NBD has no dropout to explain the silence with. (Pareto/NBD's
    # fit reaches the same limit too, but slowly — its 2F1 terms need quadrature near it — so its
    # limit is written out here: s at 0, beta at ∞, as _nbd_limit puts them.)
    limits = [btyd.fit(model, arrivals.astype(float), t_x, T) for model in ("bgnbd", "mbgnbd")]
    limits.append(btyd.published("pareto_nbd", (r, alpha, np.exp(-btyd.LOG_BOUND), np.exp(btyd.LOG_BOUND))))
    for limit in limits:
        assert limit.verdict in ("boundary", "converged") and btyd.no_dropout(limit)
        assert btyd.p_alive(limit, [60], [10], [30])[0] == 1.0
        assert btyd.expected_purchases(limit, 52, [60], [10], [30])[0] == pytest.approx(
            (limit["r"] + 60) * 52 / (limit["alpha"] + 30), rel=1e-12)
    # Standard errors exist for the parameters the data pin down, not for the one at the edge.
    errors = dict(zip(fitted.names, fitted.std_errors))
    assert np.isfinite(errors["r"]) and np.isfinite(errors["alpha"])
    assert all(np.isnan(errors[name]) for name, _ in fitted.edges)


def test_one_history_for_everyone_does_not_converge():
    # Thirty members who all bought at week 0 and week 1 (T = 9) and one who bought once: a single
    # distinct repeat history cannot pin four parameters down. Both limits are tried; the
    # one-dropout-probability limit fits as well, but its r and alpha run away together along a
    # flat ridge (r ≈ 28,000, standard error 9 in log r > MAX_LOG_SE), so it is no answer either.
    # Checked on scipy 1.13 and 1.17 alike.
    x, t_x, T = np.array([1.0] * 30 + [0]), np.array([1.0] * 30 + [0]), np.array([9.0] * 30 + [2])
    for model in ("bgnbd", "mbgnbd"):
        fitted = btyd.fit(model, x, t_x, T)
        assert fitted.verdict == "not_converged" and not fitted.usable


def test_the_unit_only_rescales_time_parameters(cdnow_summary):
    _, (x, t_x, T) = cdnow_summary
    weeks = btyd.fit("mbgnbd", x, t_x, T)
    days = btyd.fit("mbgnbd", x, t_x * 7, T * 7)
    assert days.in_unit(7).values == pytest.approx(weeks.values, rel=1e-6)
    assert btyd.expected_purchases(days, 52 * 7, x, t_x * 7, T * 7) == pytest.approx(
        btyd.expected_purchases(weeks, 52, x, t_x, T), rel=1e-6)


def test_pareto_nbd_where_scipys_series_gives_up():
    """Pareto/NBD's 2F1(r+s+x, b; r+s+x+1; z) overflows for x in the thousands with beta ≫ alpha;
    the quadrature of Euler's integral takes over, in logs. It equals scipy's series where that
    works, and the predictions stay numbers where it does not."""
    for a, b, z in ((3.5, 1.6, 0.7), (40.5, 1.6, 0.95), (30.5, 30.55, 0.6)):
        assert btyd._log_hyp2f1_next(a, b, z) == pytest.approx(log(hyp2f1(a, b, a + 1, z)), rel=1e-10)
    fitted = btyd.published("pareto_nbd", (0.55, 2.0, 0.6, 50.0))
    x, t_x, T = np.array([1000.0, 5]), np.array([30.0, 10]), np.array([39.0, 39])
    assert not np.isfinite(hyp2f1(0.55 + 0.6 + 1000, 0.55 + 1000, 0.55 + 0.6 + 1001, 48 / (50 + 30)))
    alive, expected = btyd.p_alive(fitted, x, t_x, T), btyd.expected_purchases(fitted, 39, x, t_x, T)
    assert np.isfinite(alive).all() and np.isfinite(expected).all()
    # 1,000 purchases by week 30, then 9 silent weeks: almost surely gone.
    assert alive[0] < 1e-50 and 0 < alive[1] < 1


def test_one_dropout_probability_for_all_is_a_boundary_solution_that_still_predicts():
    """Everyone drops out with probability 0.3 after each repeat purchase (a, b → ∞ with a / (a + b)
    = 0.3: no heterogeneity in dropout), 4,000 members: BG/NBD's other limit. The verdict says
    boundary, the reason same_dropout, a / (a + b) recovers 0.3 within 3 of the limit's standard
    errors of p (binomial-sized: sqrt(0.3 · 0.7 / repeat purchases) ≈ 0.01, so ± 0.04 is generous),
    and P(alive) is the limit's 1 / (1 + p / (1 − p) ((α + T) / (α + t_x))^(r + x))."""
    rng = np.random.default_rng(3)
    n = 4000
    T = 39 - rng.uniform(0, 12, n)
    x, t_x = simulate_bgnbd(rng, n, 0.5, 4.0, 3e7, 7e7, T)  # Beta(3e7, 7e7): p = 0.3 for everyone
    fitted = btyd.fit("bgnbd", x, t_x, T)
    assert fitted.verdict == "boundary" and btyd.boundary_reason(fitted) == "same_dropout"
    assert dict(fitted.edges) == {"a": 1, "b": 1}
    p = fitted["a"] / (fitted["a"] + fitted["b"])
    assert abs(p - 0.3) < 0.04
    r, alpha = fitted["r"], fitted["alpha"]
    rows = (np.array([0.0, 3, 3]), np.array([0.0, 30, 5]), np.array([30.0, 31, 31]))
    limit = 1 / (1 + np.where(rows[0] > 0, p / (1 - p) * ((alpha + rows[2]) / (alpha + rows[1])) ** (r + rows[0]), 0))
    assert btyd.p_alive(fitted, *rows) == pytest.approx(limit, rel=1e-6)
    # E[Y(t) | alive] with p a point mass: (1 − ((α + T) / (α + T + p t))^(r + x)) / p.
    given_alive = (1 - ((alpha + rows[2]) / (alpha + rows[2] + p * 52)) ** (r + rows[0])) / p
    assert btyd.expected_purchases(fitted, 52, *rows) == pytest.approx(given_alive * limit, rel=1e-5)


def simulate_same_dropout_rate(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pareto/NBD's own limit s, beta → ∞ with s / beta = 0.04: purchase rates λ ~ Gamma(0.7, rate
    4) per week, lifetimes exponential with the same rate 0.04 per week for everyone."""
    T = rng.uniform(30, 78, n)
    span = np.minimum(rng.exponential(1 / 0.04, n), T)
    k = rng.poisson(rng.gamma(0.7, 1 / 4.0, n) * span)
    t_x = np.where(k > 0, span * rng.beta(np.maximum(k, 1), 1), 0.0)
    return k.astype(float), t_x, T


def test_one_dropout_rate_for_all_is_named_when_pareto_nbd_runs_to_it():
    """1,500 members with one exponential dropout rate: Pareto/NBD's search runs to s, beta → ∞ (a
    limit not fitted here). Not converged, and runaway_reason says where it was running; the
    purchase side is still found on the way (r 0.7, alpha 4, s / beta 0.04, each within 15 %)."""
    x, t_x, T = simulate_same_dropout_rate(np.random.default_rng(8), 1500)
    fitted = btyd.fit("pareto_nbd", x, t_x, T)
    assert fitted.verdict == "not_converged" and btyd.runaway_reason(fitted) == "same_dropout_rate"
    assert fitted["s"] >= btyd.SAME_RATE_S
    assert fitted["r"] == pytest.approx(0.7, rel=0.15) and fitted["alpha"] == pytest.approx(4.0, rel=0.15)
    assert fitted["s"] / fitted["beta"] == pytest.approx(0.04, rel=0.15)
    assert btyd.runaway_reason(btyd.fit("mbgnbd", x, t_x, T)) is None   # other models: no such reason


def test_hessian_of_values_equals_the_analytic_one(cdnow_summary):
    """The Hessian a numerical likelihood is judged with (second differences of values) equals the
    one from BG/NBD's analytic gradient, at CDNOW's optimum, to 1e-4 of its largest entry."""
    _, (x, t_x, T) = cdnow_summary
    data = (btyd._Levels.of(x), btyd._Levels.of(t_x), btyd._Levels.of(T))
    objective = btyd._analytic(btyd._bg_loglik, data, np.ones_like(x), len(x), model="bgnbd")
    theta = np.log(btyd.fit("bgnbd", x, t_x, T).values)
    analytic = btyd._hessian(objective, theta)
    of_values = btyd._hessian_of_values(lambda th: -objective(th)[0], theta)
    assert np.abs(of_values - analytic).max() < 1e-4 * np.abs(analytic).max()


def test_a_large_pareto_nbd_fit_searches_coarse_then_lands_on_the_exact_optimum(monkeypatch):
    """Above COARSE_ROWS distinct rows Pareto/NBD searches on a coarser time grid first, then from
    there on the exact data: the same verdict and parameters (to 1e-4) as searching the exact data
    from both starts, and the same log-likelihood to START_TOL. 6,000 members with times in
    fractions of a week (every row distinct), the threshold lowered to 5,000 rows to keep the test
    quick (benchmarks/btyd_verdicts.py fits 24,000 at the real one)."""
    monkeypatch.setattr(fitting, "COARSE_ROWS", 5_000)
    rng = np.random.default_rng(11)
    n = 6_000
    T = rng.uniform(10, 78, n)
    x, t_x = simulate_bgnbd(rng, n, 0.5, 6.0, 0.9, 2.5, T)
    assert len(np.unique(np.stack([x, t_x, T], axis=1), axis=0)) > fitting.COARSE_ROWS
    coarse_first = btyd.fit("pareto_nbd", x, t_x, T)
    monkeypatch.setattr(fitting, "COARSE_ROWS", 10**9)
    exact = btyd.fit("pareto_nbd", x, t_x, T)
    assert coarse_first.verdict == exact.verdict == "converged"
    assert coarse_first.values == pytest.approx(exact.values, rel=1e-4)
    assert abs(coarse_first.log_likelihood - exact.log_likelihood) < btyd.START_TOL
