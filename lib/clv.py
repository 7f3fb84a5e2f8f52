"""Customer lifetime value: predictive (BG/NBD + Gamma-Gamma) and historical (SPEC formula).

Member summary (SPEC "Predictive CLV"; SQL over the filtered base's `purchases`):
- fit date = `end` when set (and before as_of), else as_of; purchases after it do not exist for
  the fit. `start` does not apply: the model needs each member's whole history.
- purchases on the same calendar day collapse into one *purchase day*, whose amount is the sum
  of those purchases' net amounts (refund-only orders are not purchases, so they count nowhere);
- frequency x = purchase days − 1 (repeat purchase days); recency t_x = first to last purchase
  day; T = first purchase day to the fit date; all three in the chosen unit: day = 1 day,
  week = 7 days, month = 365.25 / 12 = 30.4375 days;
- monetary = mean amount of the repeat purchase days (null when x = 0).

BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science):
r, alpha (in the unit), a, b fitted by maximum likelihood (L-BFGS-B on log-parameters, analytic
gradient) over the summary grouped in SQL by (x, t_x, T) with counts; x, t_x and T are whole
days, so the special functions and logs are evaluated once per distinct value. P(alive) =
1 / (1 + [x > 0] a / (b + x − 1) ((alpha + T) / (alpha + t_x))^(r + x)). Expected purchases in the
next `horizon` units = FHL eq. (10), whose 2F1(r + x, b + x; a + b + x − 1; z) overflows for large
x; we use Euler's transformation, which turns ((alpha + T) / (alpha + T + t))^(r + x) 2F1(...)
into (1 − z)^(a − 1) 2F1(a + b − 1 − r, a − 1; a + b + x − 1; z), z = t / (alpha + T + t): small
upper parameters, no overflow (checked against mpmath to 1e-9 over a wide grid; lifetimes falls
back to the same identity when 2F1 is inf). Where scipy's 2F1 still gives up (r in the
thousands), the same expectation is integrated over the dropout probability by Gauss-Jacobi
quadrature.

Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", JMR; Fader &
Hardie 2013, "The Gamma-Gamma model of monetary value"): p, q, gamma fitted by maximum
likelihood on (x, monetary) of the members with x > 0 (monetary is then > 0: every purchase day
nets > 0). Expected average spend per purchase day = (p (gamma + x m)) / (p x + q − 1); for
x = 0 the population mean p gamma / (q − 1) (null when q ≤ 1). predicted_clv =
expected_purchases × expected_spend × margin (margin 1.0 = revenue; e.g. 0.4 for gross profit).
No discounting (rate 0).

A fit the data cannot pin down (optimiser failure, a log-parameter at ±LOG_BOUND, or a singular
information matrix — typically a handful of members) is reported with converged = false and
gives null model columns, never numbers from parameters at infinity.

Expected date of next order (GLOSSARY, Klaviyo's label): for x ≥ 1, last purchase day + the
member's mean gap t_x / x (in days, rounded half away from zero); days_overdue = fit date − that
date when positive, else 0. We use the member's own rhythm rather than a model quantity: under
BG/NBD the expected wait is measured from the fit date (memoryless), so nobody would ever be
"overdue". Null for x = 0.

Historical CLV (SPEC): annual net revenue per buyer × margin × lifetime in years − CAC, with
lifetime = 1 / annual churn rate; see `historical`.

For the 5W1H page: `value_bands` / `band_members` (predicted CLV by band), `top_bands`, and
`pre_churn` (P(alive) below a threshold or an RFM segment that signals leaving).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

import numpy as np
import polars as pl
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, roots_jacobi

from lib import cac as cac_module
from lib import rfm
from lib.filters import Base, Filters, base
from lib.periods import check_period, period_end_sql, period_starts_sql
from lib.store import Dataset, Store

Unit = Literal["day", "week", "month"]
UNITS: tuple[Unit, ...] = ("day", "week", "month")
UNIT_DAYS: dict[Unit, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
BacktestPeriod = Literal["week", "month"]
BACKTEST_PERIODS: tuple[BacktestPeriod, ...] = ("week", "month")
DEFAULT_UNIT: Unit = "week"
DEFAULT_HORIZON = 52
DEFAULT_MARGIN = 1.0
YEAR_DAYS = 365
# Log-parameters stay within ±LOG_BOUND, so a degenerate sample (e.g. nobody repeats) still ends
# in finite parameters; `converged` is then False.
LOG_BOUND = 20.0
# Both models are invariant to the time / money scale up to a constant; fitting with the longest
# T at 10 time units and the mean spend at 1 keeps the optimiser well conditioned.
TIME_SCALE_TARGET = 10.0
# Gauss-Jacobi nodes for the fallback of the expected-purchases formula.
QUADRATURE_NODES = 200

SCHEMA = {"member_id": pl.String, "frequency": pl.Int64, "recency": pl.Float64, "T": pl.Float64,
          "monetary": pl.Float64, "p_alive": pl.Float64, "expected_purchases": pl.Float64,
          "expected_spend": pl.Float64, "predicted_clv": pl.Float64, "first_purchase": pl.Date,
          "last_purchase": pl.Date, "expected_next_date": pl.Date, "days_overdue": pl.Int64}


@dataclass(frozen=True)
class ClvSpec:
    filters: Filters = field(default_factory=Filters)
    unit: Unit = DEFAULT_UNIT
    horizon: float = DEFAULT_HORIZON
    margin: float = DEFAULT_MARGIN


# -- model maths: numpy / scipy on aggregated arrays -----------------------------------------


@dataclass(frozen=True)
class Fitted:
    """Maximum-likelihood parameters, their standard errors (inverse observed information, delta
    method from the log-parameters), the total log-likelihood and how many members it covers.
    converged is False when the optimiser failed, a parameter reached ±LOG_BOUND in log, or the
    information matrix is singular: the data cannot pin the parameters down (tiny samples)."""

    names: tuple[str, ...]
    values: tuple[float, ...]
    std_errors: tuple[float, ...]
    log_likelihood: float
    members: int
    converged: bool

    def __getitem__(self, name: str) -> float:
        return self.values[self.names.index(name)]


@dataclass(frozen=True)
class _Levels:
    """An array as its distinct values and an index (values == levels[index]): a function of it
    is evaluated once per distinct value and gathered, much cheaper than per row."""

    values: np.ndarray
    levels: np.ndarray
    index: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> _Levels:
        values = np.asarray(values, dtype=float)
        levels, index = np.unique(values, return_inverse=True)
        return cls(values, levels, index)

    def map(self, f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return f(self.levels)[self.index]


def bgnbd_loglik(log_params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                 gradient: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Per-row BG/NBD log-likelihood (FHL 2005 eq. 6) and, if asked, its gradient in log-parameters."""
    out = _bgnbd_loglik(log_params, _Levels.of(x), _Levels.of(t_x), _Levels.of(T), gradient)
    return (out[0], np.stack(out[1], axis=1)) if gradient else out


def _bgnbd_loglik(log_params: np.ndarray, x: _Levels, t_x: _Levels, T: _Levels,
                  gradient: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """LL = A1 + A2 + log(exp(A3) + [x > 0] exp(A4)) in FHL's notation. x, t_x and T take few
    distinct values (whole days), so every special function and log goes through their levels."""
    r, alpha, a, b = np.exp(log_params)
    xv = x.values
    repeat = xv > 0
    log_at, log_atx = T.map(lambda v: np.log(alpha + v)), t_x.map(lambda v: np.log(alpha + v))
    log_b_x1 = x.map(lambda v: np.log(b + np.maximum(v, 1) - 1))  # used only where x > 0
    a12 = x.map(lambda v: gammaln(r + v) - gammaln(r) + betaln(a, b + v) - betaln(a, b))
    a3 = r * np.log(alpha) - (r + xv) * log_at
    # A4 − A3 for x > 0; −inf otherwise. log(e^A3 + e^A4) = A3 + softplus(d), stable for any d.
    d = np.where(repeat, np.log(a) - log_b_x1 + (r + xv) * (log_at - log_atx), -np.inf)
    e = np.exp(-np.abs(d))
    ll = a12 + a3 + np.maximum(d, 0) + np.log1p(e)
    if not gradient:
        return ll
    w = np.where(d >= 0, 1, e) / (1 + e)  # = expit(d): weight of "dropped out after the last purchase"
    inv_at, inv_atx = T.map(lambda v: 1 / (alpha + v)), t_x.map(lambda v: 1 / (alpha + v))
    psi_abx = x.map(lambda v: digamma(a + b + v))
    d_r = x.map(lambda v: digamma(r + v) - digamma(r)) + np.log(alpha) - log_at + w * (log_at - log_atx)
    d_alpha = r / alpha - (r + xv) * ((1 - w) * inv_at + w * inv_atx)
    d_a = digamma(a + b) - psi_abx + w / a
    d_b = (x.map(lambda v: digamma(b + v)) - digamma(b) + digamma(a + b) - psi_abx
           - w * x.map(lambda v: 1 / (b + np.maximum(v, 1) - 1)))
    return ll, [d_r * r, d_alpha * alpha, d_a * a, d_b * b]


def gg_loglik(log_params: np.ndarray, x: np.ndarray, m: np.ndarray,
              gradient: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Per-row Gamma-Gamma log-likelihood of the mean spend m over x > 0 purchases (+ gradient)."""
    m = np.asarray(m, dtype=float)
    out = _gg_loglik(log_params, _Levels.of(x), m, np.log(m), gradient)
    return (out[0], np.stack(out[1], axis=1)) if gradient else out


def _gg_loglik(log_params: np.ndarray, x: _Levels, m: np.ndarray, log_m: np.ndarray,
               gradient: bool = False) -> np.ndarray | tuple[np.ndarray, list[np.ndarray]]:
    """f(m | x) = Γ(px + q) / (Γ(px) Γ(q)) γ^q m^(px − 1) x^px / (γ + m x)^(px + q)."""
    p, q, g = np.exp(log_params)
    xv = x.values
    px = p * xv
    log_gmx = np.log(g + m * xv)
    ll = (x.map(lambda v: gammaln(p * v + q) - gammaln(p * v) + p * v * np.log(v)) - gammaln(q)
          + q * np.log(g) + (px - 1) * log_m - (px + q) * log_gmx)
    if not gradient:
        return ll
    psi_pxq = x.map(lambda v: digamma(p * v + q))
    d_p = xv * (psi_pxq - x.map(lambda v: digamma(p * v) - np.log(v)) + log_m - log_gmx)
    d_q = psi_pxq - digamma(q) + np.log(g) - log_gmx
    d_g = q / g - (px + q) / (g + m * xv)
    return ll, [d_p * p, d_q * q, d_g * g]


LogLik = Callable[..., "np.ndarray | tuple[np.ndarray, np.ndarray]"]


def _maximise(loglik: LogLik, data: tuple[np.ndarray, ...], weights: np.ndarray,
              start: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """ML on log-parameters: (log-parameters, their covariance, total log-likelihood, converged)."""
    total = float(weights.sum())

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = loglik(theta, *data, gradient=True)
        return -float(weights @ ll) / total, -np.array([weights @ g for g in grad]) / total

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    res = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})
    at_bound = bool(np.any(np.abs(res.x) > LOG_BOUND - 1e-3))
    cov = _covariance(objective, res.x, total)
    identified = bool(np.all(np.isfinite(cov)))
    return res.x, cov, -res.fun * total, bool(res.success) and not at_bound and identified


def _covariance(objective: Callable, theta: np.ndarray, total: float, step: float = 1e-4) -> np.ndarray:
    """Inverse of the observed information: central differences of the analytic gradient."""
    k = len(theta)
    hessian = np.empty((k, k))
    for i in range(k):  # k ≤ 4 parameters, not rows
        e = np.zeros(k)
        e[i] = step
        hessian[:, i] = (objective(theta + e)[1] - objective(theta - e)[1]) / (2 * step)
    hessian = (hessian + hessian.T) / 2 * total
    try:
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan)
    return cov if np.all(np.diag(cov) > 0) else np.full((k, k), np.nan)


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None) -> Fitted:
    """BG/NBD on summary rows (x, t_x, T in one time unit; weights = members per row).
    alpha comes back in that unit."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    scale = TIME_SCALE_TARGET / T.max() if T.max() > 0 else 1.0
    data = (_Levels.of(x), _Levels.of(t_x * scale), _Levels.of(T * scale))
    theta, cov, ll, ok = _maximise(_bgnbd_loglik, data, weights, np.zeros(4))
    # In scaled time alpha' = alpha · scale and LL' = LL − x log(scale): undo both.
    theta[1] -= np.log(scale)
    ll += float(weights @ x) * np.log(scale)
    return _fitted(("r", "alpha", "a", "b"), theta, cov, ll, weights, ok)


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> Fitted:
    """Gamma-Gamma on (x > 0 repeat purchase days, mean spend m > 0); gamma in money units."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    scale = float(weights @ m / weights.sum())
    theta, cov, ll, ok = _maximise(_gg_loglik, (_Levels.of(x), m / scale, np.log(m / scale)), weights,
                                   np.zeros(3))
    theta[2] += np.log(scale)
    ll -= float(weights.sum()) * np.log(scale)  # the density of m / scale vs of m
    return _fitted(("p", "q", "gamma"), theta, cov, ll, weights, ok)


def _fitted(names: tuple[str, ...], theta: np.ndarray, cov: np.ndarray, ll: float,
            weights: np.ndarray, ok: bool) -> Fitted:
    values = np.exp(theta)
    errors = values * np.sqrt(np.diag(cov))  # delta method: se(θ) = θ · se(log θ)
    return Fitted(names, tuple(map(float, values)), tuple(map(float, errors)), float(ll),
                  int(weights.sum()), ok)


def p_alive(m: Fitted, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(alive | x, t_x, T) (FHL 2005 eq. 11); 1 for x = 0."""
    r, alpha, a, b = m.values
    x = np.asarray(x, dtype=float)
    x_safe = np.where(x > 0, x, 1.0)
    log_odds = (np.log(a) - np.log(b + x_safe - 1)
                + (r + x) * (np.log(alpha + np.asarray(T)) - np.log(alpha + np.asarray(t_x))))
    return np.where(x > 0, expit(-log_odds), 1.0)


def expected_purchases(m: Fitted, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchase days in the next t units (FHL 2005 eq. 10, Euler form;
    Gauss-Jacobi quadrature where scipy's 2F1 gives up, e.g. r in the thousands)."""
    r, alpha, a, b = m.values
    if abs(a - 1) < 1e-9:  # removable singularity of eq. 10 at a = 1
        a = 1 + 1e-9
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    z = t / (alpha + T + t)
    c = a + b + x - 1
    # ((alpha+T)/(alpha+T+t))^(r+x) · 2F1(r+x, b+x; c; z) == (1−z)^(a−1) · 2F1(a+b−1−r, a−1; c; z)
    with np.errstate(all="ignore"):  # 0 · inf where the series gives up: caught just below
        tail = np.power(1 - z, a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z)
        alive = c / (a - 1) * (1 - tail)
    failed = ~np.isfinite(alive)
    if failed.any():
        alive[failed] = _expected_if_alive_quadrature(m, t, x[failed], T[failed])
    return alive * p_alive(m, x, t_x, T)


def _expected_if_alive_quadrature(m: Fitted, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | alive at T] = E_p[(1 − ((alpha+T) / (alpha+T+p·t))^(r+x)) / p], p ~ Beta(a, b + x):
    the posterior of the dropout probability given alive (FHL 2005 §3), the purchase rate integrated
    out in closed form. Gauss-Jacobi nodes carry the Beta weight exactly; one set per distinct x."""
    r, alpha, a, b = m.values
    out = np.empty_like(x)
    for level in np.unique(x):  # distinct purchase counts, not members
        with np.errstate(all="ignore"):
            nodes, weights = roots_jacobi(QUADRATURE_NODES, b + level - 1, a - 1)
        p = (1 + nodes) / 2
        if not (np.isfinite(nodes).all() and np.isfinite(weights.sum())):
            # a + b in the thousands (a fit where everyone drops out at the same rate): the weights
            # overflow, and the posterior Beta(a, b + x) is so narrow that its mean stands for it.
            p, weights = np.array([a / (a + b + level)]), np.array([1.0])
        rows = x == level
        growth = np.log1p(np.outer(t / (alpha + T[rows]), p))
        values = -np.expm1(-(r + level) * growth) / p
        out[rows] = values @ weights / weights.sum()
    return out


def expected_spend(g: Fitted, x: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """Gamma-Gamma E[mean spend | x, m]; the population mean p·gamma / (q − 1) for x = 0; NaN when
    that mean does not exist (q ≤ 1)."""
    p, q, gamma = g.values
    x = np.asarray(x, dtype=float)
    m = np.where(x > 0, np.nan_to_num(np.asarray(monetary, dtype=float)), 0.0)
    denominator = p * x + q - 1
    return np.where(denominator > 0, p * (gamma + x * m) / np.where(denominator > 0, denominator, 1), np.nan)


# -- SQL: the member summary ---------------------------------------------------------------


def _summary(ds: Dataset, spec: ClvSpec) -> Base:
    """Base + `fit_point(fit_date, as_of)`, `purchase_days`, `member_summary(member_id, x,
    first_day, last_day, t_x_days, T_days, monetary)`; bind `cutoff` (None = end / as_of)."""
    b = base(ds, spec.filters)
    ctes = """
        fit_point AS (SELECT coalesce($cutoff::DATE, least(end_date, as_of)) AS fit_date, as_of FROM bounds),
        -- What was known at the fit date: an order's lines dated by then (a later refund must
        -- not remove a purchase the model could see), kept when they net > 0.
        fit_orders AS (
            SELECT member_id, min(order_date) AS day, sum(amount) AS net_amount FROM scoped_lines
            WHERE order_date <= (SELECT fit_date FROM fit_point)
            GROUP BY member_id, order_id HAVING sum(amount) > 0),
        purchase_days AS (
            SELECT member_id, day, sum(net_amount) AS amount FROM fit_orders GROUP BY member_id, day),
        member_summary AS (
            SELECT member_id, (count(*) - 1)::BIGINT AS x, min(day) AS first_day, max(day) AS last_day,
                   max(day) - min(day) AS t_x_days, (SELECT fit_date FROM fit_point) - min(day) AS T_days,
                   CASE WHEN count(*) > 1
                        THEN ((sum(amount) - arg_min(amount, day)) / (count(*) - 1))::DOUBLE END AS monetary
            FROM purchase_days GROUP BY member_id)"""
    return Base(f"{b.ctes},{ctes}", b.params)


def summary(store: Store, ds: Dataset, spec: ClvSpec, cutoff: date | None = None) -> pl.DataFrame:
    """One row per member who bought by the fit date: member_id, frequency (x), recency (t_x),
    T (both in spec.unit), monetary (null for x = 0), t_x_days, T_days, first_purchase,
    last_purchase, fit_date; sorted by member_id."""
    s = _summary(ds, spec)
    sql = s.query("""
        SELECT member_id, x AS frequency, t_x_days, T_days, monetary, first_day AS first_purchase,
               last_day AS last_purchase, (SELECT fit_date FROM fit_point) AS fit_date
        FROM member_summary ORDER BY member_id""")
    unit = UNIT_DAYS[_unit(spec)]
    frame = store.query(sql, {**s.params, "cutoff": cutoff})
    return frame.with_columns(recency=pl.col("t_x_days") / unit, T=pl.col("T_days") / unit).select(
        "member_id", "frequency", "recency", "T", "monetary", "t_x_days", "T_days", "first_purchase",
        "last_purchase", "fit_date")


def _unit(spec: ClvSpec) -> Unit:
    if spec.unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {spec.unit!r}")
    return spec.unit


# -- fitting and scoring --------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """Both fits on one dataset scope. bgnbd is None without buyers; gamma_gamma None without
    repeat buyers. Parameters are in `unit` (alpha) and in money (gamma)."""

    unit: Unit
    fit_date: date | None
    bgnbd: Fitted | None
    gamma_gamma: Fitted | None
    seconds: float


def fit(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(), cutoff: date | None = None) -> Model:
    """Fit both models on the summary at the fit date (cutoff, else end, else as_of), grouped in SQL."""
    s = _summary(ds, spec)
    sql = s.query("""
        groups AS (
            SELECT 'bgnbd' AS part, x, t_x_days, T_days, NULL::DOUBLE AS monetary, count(*) AS n
            FROM member_summary GROUP BY x, t_x_days, T_days
            UNION ALL
            SELECT 'gg', x, NULL, NULL, monetary, count(*) FROM member_summary WHERE x > 0 GROUP BY x, monetary)
        SELECT g.*, f.fit_date FROM groups g, fit_point f ORDER BY part, x, t_x_days, T_days, monetary""")
    groups = store.query(sql, {**s.params, "cutoff": cutoff})
    return _fit_groups(groups, _unit(spec), groups["fit_date"][0] if groups.height else None)


def _fit_groups(groups: pl.DataFrame, unit: Unit, fit_date: date | None) -> Model:
    started = time.perf_counter()
    days = UNIT_DAYS[unit]
    bg = groups.filter(pl.col("part") == "bgnbd")
    gg = groups.filter(pl.col("part") == "gg")
    bgnbd = gamma_gamma = None
    if bg.height:
        bgnbd = fit_bgnbd(bg["x"].to_numpy(), bg["t_x_days"].to_numpy() / days,
                          bg["T_days"].to_numpy() / days, bg["n"].to_numpy())
    if gg.height:
        gamma_gamma = fit_gamma_gamma(gg["x"].to_numpy(), gg["monetary"].to_numpy(), gg["n"].to_numpy())
    return Model(unit, fit_date, bgnbd, gamma_gamma, time.perf_counter() - started)


def usable(fitted: Fitted | None) -> bool:
    """A fit to predict with: it exists and converged. A sample too small or too odd to pin the
    parameters down (e.g. a handful of members) gives null predictions rather than nonsense."""
    return fitted is not None and fitted.converged


def _scores(model: Model, keys: pl.DataFrame, horizon: float) -> pl.DataFrame:
    """p_alive and expected_purchases for distinct (frequency, t_x_days, T_days) rows (null
    without a usable BG/NBD fit)."""
    if not usable(model.bgnbd):
        return keys.with_columns(p_alive=pl.lit(None, pl.Float64), expected_purchases=pl.lit(None, pl.Float64))
    days = UNIT_DAYS[model.unit]
    x, t_x, T = keys["frequency"].to_numpy(), keys["t_x_days"].to_numpy() / days, keys["T_days"].to_numpy() / days
    return keys.with_columns(
        p_alive=pl.Series(p_alive(model.bgnbd, x, t_x, T)).fill_nan(None),
        expected_purchases=pl.Series(expected_purchases(model.bgnbd, horizon, x, t_x, T)).fill_nan(None))


def run(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(), model: Model | None = None) -> pl.DataFrame:
    """Columns (SCHEMA): member_id, frequency, recency, T (units), monetary, p_alive,
    expected_purchases (next spec.horizon units), expected_spend, predicted_clv, first_purchase,
    last_purchase, expected_next_date, days_overdue. Sorted by member_id. Amounts 2 dp; recency,
    T, p_alive and expected_purchases 4 dp. Model columns are null without a usable fit (see
    `usable`). Pass `model` to reuse a fit (it must be in spec.unit)."""
    if spec.horizon < 0 or spec.margin < 0:
        raise ValueError("horizon and margin must be ≥ 0")
    model = model or fit(store, ds, spec)
    if model.unit != spec.unit:
        raise ValueError(f"the model was fitted in {model.unit}s, the spec asks for {spec.unit}s")
    frame = summary(store, ds, spec)
    if not frame.height:
        return pl.DataFrame(schema=SCHEMA)
    keys = frame.select("frequency", "t_x_days", "T_days").unique()
    frame = frame.join(_scores(model, keys, spec.horizon), on=["frequency", "t_x_days", "T_days"], how="left")
    spend = (pl.Series(expected_spend(model.gamma_gamma, frame["frequency"].to_numpy(),
                                      frame["monetary"].to_numpy())).fill_nan(None)
             if usable(model.gamma_gamma) else pl.repeat(None, frame.height, dtype=pl.Float64, eager=True))
    gap_days = (pl.col("t_x_days") / pl.col("frequency")).round(0, mode="half_away_from_zero").cast(pl.Int64)
    next_date = pl.when(pl.col("frequency") > 0).then(pl.col("last_purchase") + pl.duration(days=gap_days))
    return frame.with_columns(expected_spend=spend).with_columns(
        predicted_clv=(pl.col("expected_purchases") * pl.col("expected_spend") * spec.margin).round(2),
        expected_spend=pl.col("expected_spend").round(2),
        monetary=pl.col("monetary").round(2),
        recency=pl.col("recency").round(4),
        T=pl.col("T").round(4),
        p_alive=pl.col("p_alive").round(4),
        expected_purchases=pl.col("expected_purchases").round(4),
        expected_next_date=next_date.cast(pl.Date),
    ).with_columns(
        days_overdue=pl.max_horizontal((pl.col("fit_date") - pl.col("expected_next_date")).dt.total_days(),
                                       pl.when(pl.col("expected_next_date").is_not_null()).then(0)),
    ).select(list(SCHEMA)).cast(SCHEMA).sort("member_id")


def params(model: Model) -> pl.DataFrame:
    """param, value, std_error, converged: r, alpha, a, b (BG/NBD, alpha in model.unit), p, q,
    gamma (Gamma-Gamma); null for a model that could not be fitted (no buyers / no repeat buyers)."""
    names, values, errors, converged = [], [], [], []
    for fitted, own in ((model.bgnbd, ("r", "alpha", "a", "b")), (model.gamma_gamma, ("p", "q", "gamma"))):
        names += own
        values += list(fitted.values) if fitted else [None] * len(own)
        errors += list(fitted.std_errors) if fitted else [None] * len(own)
        converged += [fitted.converged if fitted else None] * len(own)
    return pl.DataFrame({"param": names, "value": values, "std_error": errors, "converged": converged},
                        schema={"param": pl.String, "value": pl.Float64, "std_error": pl.Float64,
                                "converged": pl.Boolean}).with_columns(pl.col("std_error").fill_nan(None))


MemberCell = Literal["all", "top_clv", "p_alive_below", "overdue"]


def members(store: Store, ds: Dataset, spec: ClvSpec, cell: MemberCell = "all",
            value: float | None = None, model: Model | None = None) -> pl.DataFrame:
    """The members behind a number: "top_clv" (the `value` highest predicted CLV; ties at the cut
    broken by member_id, so exactly that many), "p_alive_below" (p_alive < value), "overdue"
    (days_overdue > 0), "all". Columns as run(); sorted by member_id."""
    frame = run(store, ds, spec, model)
    if cell == "top_clv":
        ranked = frame.filter(pl.col("predicted_clv").is_not_null()).sort(
            ["predicted_clv", "member_id"], descending=[True, False])
        return ranked.head(int(value or 0)).sort("member_id")
    if cell == "p_alive_below":
        return frame.filter(pl.col("p_alive") < value)
    if cell == "overdue":
        return frame.filter(pl.col("days_overdue") > 0)
    if cell == "all":
        return frame
    raise ValueError(f"no members behind {cell!r}")


# -- holdout backtest -----------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    """periods: period (first day), period_end, predicted, actual, predicted_cumulative,
    actual_cumulative (purchase days after the cutoff by members who had bought by it);
    members: member_id, frequency (at cutoff), predicted, actual; summary: metric, value."""

    model: Model
    periods: pl.DataFrame
    members: pl.DataFrame
    summary: pl.DataFrame


def backtest(store: Store, ds: Dataset, spec: ClvSpec, cutoff: date,
             period: BacktestPeriod = "week") -> Backtest:
    """Fit on purchases up to `cutoff`; predict purchase days in (cutoff, as_of] for the members
    who had bought by then; compare with what they did. `end` is ignored (the cutoff replaces it)."""
    check_period(period, BACKTEST_PERIODS)
    spec = ClvSpec(Filters(None, None, spec.filters.as_of, spec.filters.where), spec.unit, spec.horizon,
                   spec.margin)
    model = fit(store, ds, spec, cutoff)
    s = _summary(ds, spec)
    holdout = """,
        holdout AS (
            SELECT DISTINCT p.member_id, p.order_date AS day FROM purchases p
            JOIN member_summary USING (member_id) WHERE p.order_date > $cutoff)"""
    per_member = store.query(s.query(holdout[1:] + """
        SELECT m.member_id, m.x AS frequency, m.t_x_days, m.T_days, count(h.day) AS actual
        FROM member_summary m LEFT JOIN holdout h USING (member_id)
        GROUP BY ALL ORDER BY m.member_id"""), {**s.params, "cutoff": cutoff})
    as_of = "(SELECT as_of FROM fit_point)"
    per_period = store.query(s.query(holdout[1:] + f""",
        spans AS (
            SELECT period, least({period_end_sql(period, "period")}, {as_of}) AS period_end
            FROM (SELECT {period_starts_sql(period, "$cutoff::DATE + 1", as_of)} AS period))
        SELECT s.period, s.period_end, count(h.day) AS actual
        FROM spans s LEFT JOIN holdout h ON h.day BETWEEN s.period AND s.period_end
        WHERE s.period_end > $cutoff
        GROUP BY ALL ORDER BY s.period"""), {**s.params, "cutoff": cutoff})
    return _backtest_frames(model, per_member, per_period, cutoff)


def _backtest_frames(model: Model, per_member: pl.DataFrame, per_period: pl.DataFrame, cutoff: date) -> Backtest:
    empty = not usable(model.bgnbd) or not per_period.height
    groups = per_member.group_by("frequency", "t_x_days", "T_days").agg(n=pl.len())
    days = UNIT_DAYS[model.unit]
    x, t_x, T = (groups[c].to_numpy() / d for c, d in (("frequency", 1), ("t_x_days", days), ("T_days", days)))
    n = groups["n"].to_numpy()
    ends = per_period["period_end"].to_list()
    # One vectorised pass over the member groups per period (periods, not members, are looped).
    cumulative = [None if empty else
                  float(n @ expected_purchases(model.bgnbd, (e - cutoff).days / days, x, t_x, T)) for e in ends]
    periods = per_period.with_columns(
        predicted_cumulative=pl.Series(cumulative, dtype=pl.Float64),
        actual_cumulative=pl.col("actual").cum_sum()).with_columns(
        predicted=pl.col("predicted_cumulative").diff().fill_null(pl.col("predicted_cumulative")),
    ).select("period", "period_end", "predicted", "actual", "predicted_cumulative", "actual_cumulative")
    horizon = ((ends[-1] - cutoff).days / days) if ends else 0.0
    keys = per_member.select("frequency", "t_x_days", "T_days").unique()
    members_frame = per_member.join(_scores(model, keys, horizon), on=["frequency", "t_x_days", "T_days"],
                                    how="left").rename({"expected_purchases": "predicted"})
    members_frame = members_frame.select("member_id", "frequency", "predicted", "actual").sort("member_id")
    return Backtest(model, periods.with_columns(pl.col("predicted", "predicted_cumulative").round(2)),
                    members_frame.with_columns(pl.col("predicted").round(4)),
                    _backtest_summary(members_frame, horizon))


def _backtest_summary(frame: pl.DataFrame, horizon: float) -> pl.DataFrame:
    error = pl.col("predicted") - pl.col("actual")
    totals = frame.select(
        members=pl.len().cast(pl.Float64), holdout_units=pl.lit(horizon, dtype=pl.Float64),
        predicted_total=pl.when(pl.col("predicted").is_not_null().any()).then(pl.col("predicted").sum()),
        actual_total=pl.col("actual").sum().cast(pl.Float64),
        mae_per_member=error.abs().mean(), rmse_per_member=(error ** 2).mean().sqrt())
    totals = totals.with_columns(error_total=pl.col("predicted_total") - pl.col("actual_total")).with_columns(
        relative_error_total=pl.when(pl.col("actual_total") > 0)
        .then(pl.col("error_total") / pl.col("actual_total")))
    order = ["members", "holdout_units", "predicted_total", "actual_total", "error_total",
             "relative_error_total", "mae_per_member", "rmse_per_member"]
    return totals.select(order).cast(pl.Float64).unpivot(variable_name="metric", value_name="value")


# -- historical CLV -------------------------------------------------------------------------


def historical(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(), margin: float | None = None,
               annual_revenue_per_buyer: float | None = None, annual_churn_rate: float | None = None,
               cac: float | None = None) -> pl.DataFrame:
    """Historical CLV = annual_revenue_per_buyer × margin × lifetime_years − cac, every input a row.

    Reference date = end when set, else as_of; "last year" = the 365 days up to it, "the year
    before" the 365 days before those. annual_revenue_per_buyer = net revenue of the scoped lines
    in the last year / members with a purchase in it; annual_churn_rate = members with a purchase
    in the year before and none in the last year / members with a purchase in the year before;
    lifetime_years = 1 / annual_churn_rate (null when it is 0); cac = spend dated in the last year
    / new buyers whose first purchase is in it (lib.cac.totals; 0 without spend rows; null under a
    filter spend cannot follow, see lib.cac.spend_scoped). Any keyword replaces the computed input
    (source "override"). Columns: input, value, source, note (why a computed input is null: the
    cac row's lib.cac cac_note; else null).
    """
    margin = spec.margin if margin is None else margin
    if min(v for v in (margin, annual_revenue_per_buyer, annual_churn_rate, cac, 0) if v is not None) < 0 or \
            (annual_churn_rate or 0) > 1:
        raise ValueError("margin, revenue and cac must be ≥ 0 and the churn rate within [0, 1]")
    inputs = _historical_inputs(store, ds, spec)
    computed_cac, cac_note = inputs.pop("cac"), inputs.pop("cac_note")
    values = {"revenue_last_year": inputs["revenue_last_year"], "buyers_last_year": inputs["buyers_last_year"],
              "buyers_prior_year": inputs["buyers_prior_year"], "churned_buyers": inputs["churned_buyers"]}
    rows = [(k, v, "computed", None) for k, v in values.items()]
    chosen = {}
    for name, override, computed in (
            ("annual_revenue_per_buyer", annual_revenue_per_buyer, inputs["annual_revenue_per_buyer"]),
            ("annual_churn_rate", annual_churn_rate, inputs["annual_churn_rate"]),
            ("cac", cac, computed_cac)):
        chosen[name] = computed if override is None else float(override)
        note = cac_note if name == "cac" and override is None and computed is None else None
        rows.append((name, chosen[name], "computed" if override is None else "override", note))
    churn, revenue = chosen["annual_churn_rate"], chosen["annual_revenue_per_buyer"]
    lifetime = 1 / churn if churn else None
    rows.append(("lifetime_years", lifetime, "result", None))
    rows.append(("gross_margin", float(margin), "input", None))
    clv = (revenue * margin * lifetime - chosen["cac"]
           if None not in (revenue, lifetime, chosen["cac"]) else None)
    rows.append(("historical_clv", None if clv is None else round(clv, 2), "result", None))
    return pl.DataFrame(rows, schema={"input": pl.String, "value": pl.Float64, "source": pl.String,
                                      "note": pl.String}, orient="row")


_YEARLY = """
        ref AS (SELECT least(end_date, as_of) AS ref FROM bounds),
        yearly AS (
            SELECT DISTINCT member_id,
                   CASE WHEN order_date > ref - $year::INTEGER THEN 'last' ELSE 'prior' END AS yr
            FROM purchases, ref WHERE order_date > ref - 2 * $year::INTEGER AND order_date <= ref),
        churned AS (
            SELECT member_id FROM yearly WHERE yr = 'prior'
            EXCEPT SELECT member_id FROM yearly WHERE yr = 'last')"""
HistoricalCell = Literal["buyers_last_year", "buyers_prior_year", "churned_buyers"]


def _historical_inputs(store: Store, ds: Dataset, spec: ClvSpec) -> dict[str, float | None]:
    b = base(ds, spec.filters)
    sql = b.query(_YEARLY + """
        SELECT (SELECT ref FROM ref) AS ref,
               (SELECT coalesce(sum(amount), 0)::DOUBLE FROM scoped_lines, ref
                WHERE order_date > ref - $year::INTEGER AND order_date <= ref) AS revenue_last_year,
               count(*) FILTER (WHERE yr = 'last') AS buyers_last_year,
               count(*) FILTER (WHERE yr = 'prior') AS buyers_prior_year,
               (SELECT count(*) FROM churned) AS churned_buyers
        FROM yearly""")
    row = store.query(sql, {**b.params, "year": YEAR_DAYS}).row(0, named=True)
    ref: date | None = row.pop("ref")
    totals = (cac_module.totals(store, ds, spec.filters, ref - timedelta(days=YEAR_DAYS - 1), ref)
              if ref else {"spend_rows": 0, "cac": None, "cac_note": None})
    buyers, prior = row["buyers_last_year"], row["buyers_prior_year"]
    return {
        "revenue_last_year": round(row["revenue_last_year"], 2),
        "buyers_last_year": float(buyers),
        "buyers_prior_year": float(prior),
        "churned_buyers": float(row["churned_buyers"]),
        "annual_revenue_per_buyer": round(row["revenue_last_year"] / buyers, 2) if buyers else None,
        "annual_churn_rate": row["churned_buyers"] / prior if prior else None,
        # No spend at all in the year: nothing was spent, whatever the scope.
        "cac": totals["cac"] if totals["spend_rows"] else 0.0,
        "cac_note": totals["cac_note"] if totals["spend_rows"] else None,
    }


def historical_members(store: Store, ds: Dataset, spec: ClvSpec, cell: HistoricalCell) -> pl.DataFrame:
    """The members behind historical()'s counts: buyers_last_year, buyers_prior_year or
    churned_buyers (bought in the year before, not in the last year). Column member_id, sorted."""
    condition = {"buyers_last_year": "SELECT member_id FROM yearly WHERE yr = 'last'",
                 "buyers_prior_year": "SELECT member_id FROM yearly WHERE yr = 'prior'",
                 "churned_buyers": "SELECT member_id FROM churned"}.get(cell)
    if condition is None:
        raise ValueError(f"no members behind {cell!r}")
    b = base(ds, spec.filters)
    sql = b.query(_YEARLY + f" SELECT member_id FROM ({condition}) ORDER BY member_id")
    return store.query(sql, {**b.params, "year": YEAR_DAYS})


# -- value bands of predicted CLV ----------------------------------------------------------

VALUE_BAND_COUNT = 10  # at most this many bands (the highest open-ended)


def nice_edges(max_value: float | None, bands: int = VALUE_BAND_COUNT) -> tuple[float, ...]:
    """Lower edges of predicted-CLV bands: 0, then the 1-2-5 series (10, 20, 50, 100 …) below
    max_value, keeping the highest `bands` − 1 of it so the bands follow the data's scale
    (¥ snacks or ¥ strollers). The last band is open; (0,) when max_value ≤ 10 or unknown."""
    if bands < 1:
        raise ValueError("bands must be ≥ 1")
    series: list[float] = []
    step = 10.0
    while max_value is not None and step < max_value:
        for factor in (1, 2, 5):
            if step * factor < max_value:
                series.append(step * factor)
        step *= 10
    return (0.0, *series[len(series) - (bands - 1):]) if bands > 1 and series else (0.0,)


def bands_of(frame: pl.DataFrame, edges: tuple[float, ...]) -> pl.DataFrame:
    """Members of a run() frame by predicted-CLV band: low (inclusive), high (exclusive; null =
    open), members, predicted_clv (sum, 2 dp), member_share, value_share (of the members with a
    prediction). Every band listed, zeros included; members without a prediction are left out,
    and no prediction at all gives an empty frame. A negative CLV (a net refund) counts in the first band."""
    schema = {"low": pl.Float64, "high": pl.Float64, "members": pl.Int64, "predicted_clv": pl.Float64,
              "member_share": pl.Float64, "value_share": pl.Float64}
    values = frame.filter(pl.col("predicted_clv").is_not_null())["predicted_clv"]
    if values.is_empty():
        return pl.DataFrame(schema=schema)
    highs = [*edges[1:], None]
    rows = []
    total_members, total_value = values.len(), float(values.sum())
    for i, (low, high) in enumerate(zip(edges, highs)):
        inside = values.filter(values >= low) if i else values
        if high is not None:
            inside = inside.filter(inside < high)
        value = float(inside.sum())
        rows.append((float(low), high, inside.len(), round(value, 2), inside.len() / total_members,
                     value / total_value if total_value > 0 else None))
    return pl.DataFrame(rows, schema=schema, orient="row")


def top_bands(bands: pl.DataFrame, min_member_share: float = 0.1) -> dict[str, float] | None:
    """The highest bands of a bands_of() frame that together hold ≥ min_member_share of the
    members (taken whole, from the top): {"low": their lowest edge, "member_share", "value_share"};
    None without bands or value. For a reading such as "the top 9 % of members hold 65 % of value"."""
    if not bands.height or bands["members"].sum() == 0:
        return None
    members = value = 0.0
    low = 0.0
    for row in reversed(bands.rows(named=True)):
        members += row["member_share"]
        value += row["value_share"] or 0.0
        low = row["low"]
        if members >= min_member_share:
            break
    return {"low": low, "member_share": members, "value_share": value}


def value_bands(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(),
                bands: int = VALUE_BAND_COUNT) -> pl.DataFrame:
    """Predicted CLV by band (`bands_of` over run(), edges from `nice_edges` of the largest CLV)."""
    frame = run(store, ds, spec)
    top = frame["predicted_clv"].max() if frame.height else None
    return bands_of(frame, nice_edges(top, bands))


def band_members(store: Store, ds: Dataset, spec: ClvSpec, low: float, high: float | None) -> pl.DataFrame:
    """The members behind one value band: predicted_clv ≥ low (any value in the first band, low
    = 0) and < high (None = open). Columns as run(); sorted by predicted_clv desc, member_id."""
    clv_value = pl.col("predicted_clv")
    frame = run(store, ds, spec).filter(clv_value.is_not_null())
    if low > 0:
        frame = frame.filter(clv_value >= low)
    if high is not None:
        frame = frame.filter(clv_value < high)
    return frame.sort(["predicted_clv", "member_id"], descending=[True, False])


# -- pre-churn: members about to leave --------------------------------------------------------

DEFAULT_PRE_CHURN_P_ALIVE = 0.3
PRE_CHURN_SEGMENTS = ("at_risk", "cannot_lose")
PRE_CHURN_COLUMNS = ("member_id", "segment", "recency_days", "frequency", "monetary", "last_purchase",
                     "p_alive", "predicted_clv", "low_p_alive", "risk_segment")


def pre_churn_of(clv_frame: pl.DataFrame, rfm_frame: pl.DataFrame, p_alive_below: float | None,
                 segments: tuple[str, ...]) -> pl.DataFrame:
    """The buyers of rfm_frame (lib.rfm.run) with P(alive) < p_alive_below (from clv_frame =
    run(); None = not used) or an RFM segment in `segments`; the two reasons are the boolean
    columns low_p_alive and risk_segment. Columns PRE_CHURN_COLUMNS (frequency and monetary are
    RFM's: purchases and net spend; last_purchase, p_alive and predicted_clv CLV's, null for a
    buyer the fit did not see); sorted by monetary desc, then member_id, so the most valuable
    come first. A member without a P(alive) (no usable fit) can only qualify by segment."""
    model = clv_frame.select("member_id", "last_purchase", "p_alive", "predicted_clv")
    low = (pl.col("p_alive") < p_alive_below).fill_null(False) if p_alive_below is not None else pl.lit(False)
    return (rfm_frame.join(model, on="member_id", how="left")
            .with_columns(low_p_alive=low, risk_segment=pl.col("segment").is_in(list(segments)))
            .filter(pl.col("low_p_alive") | pl.col("risk_segment"))
            .sort(["monetary", "member_id"], descending=[True, False])
            .select(PRE_CHURN_COLUMNS))


def pre_churn(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(),
              p_alive_below: float | None = DEFAULT_PRE_CHURN_P_ALIVE,
              segments: tuple[str, ...] = PRE_CHURN_SEGMENTS, rfm_spec: rfm.RfmSpec | None = None) -> pl.DataFrame:
    """Pre-churn members (预流失): P(alive) below a threshold (BG/NBD, fitted at the fit date) or
    in an RFM segment that signals leaving (default at_risk, cannot_lose; RFM at as_of with
    `rfm_spec`'s thresholds, its filters replaced by spec.filters). See `pre_churn_of`."""
    r_spec = replace(rfm_spec or rfm.RfmSpec(), filters=spec.filters)
    return pre_churn_of(run(store, ds, spec), rfm.run(store, ds, r_spec), p_alive_below, segments)


# -- command line ---------------------------------------------------------------------------


def add_cli_options(parser: object) -> None:
    parser.add_argument("--unit", choices=UNITS, default=DEFAULT_UNIT)
    parser.add_argument("--horizon", type=float, default=DEFAULT_HORIZON, help="units ahead (default 52)")
    parser.add_argument("--margin", type=float, default=DEFAULT_MARGIN,
                        help="gross margin fraction applied to spend (default 1.0 = revenue)")
    parser.add_argument("--params", action="store_true", help="print the fitted model parameters instead")


def cli_report(store: Store, ds: Dataset, filters: Filters, args: object) -> pl.DataFrame:
    spec = ClvSpec(filters, getattr(args, "unit", DEFAULT_UNIT), getattr(args, "horizon", DEFAULT_HORIZON),
                   getattr(args, "margin", DEFAULT_MARGIN))
    model = fit(store, ds, spec)
    return params(model) if getattr(args, "params", False) else run(store, ds, spec, model)
