"""The models' limits, fitted as boundary solutions when the full fit did not converge: no dropout
(every model becomes the NBD) and, for the BG models, one dropout probability for everyone —
each limit's log-likelihood, its fit, and `boundary_reason` (what a boundary solution means in
plain words). Separate because a limit is a model of its own, with its own likelihood and search."""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.special import digamma, expit, gammaln

from lib.btyd.bg import _bg_shift
from lib.btyd.levels import _Levels
from lib.btyd.model import Fitted, no_dropout
from lib.btyd.search import _analytic, _maximise, _numerical
from lib.btyd.verdict import LOG_BOUND, START_TOL, _Judged, judge


def _nbd_loglik(log_params: np.ndarray, x: _Levels, t_x: _Levels, T: _Levels,
                gradient: bool = False) -> np.ndarray | tuple[np.ndarray, list[np.ndarray]]:
    """The limit of every model here without dropout (NBD: Poisson purchases, Gamma rates):
    LL = log Γ(r + x) − log Γ(r) + r log α − (r + x) log(α + T); t_x does not enter."""
    r, alpha = np.exp(log_params)
    xv = x.values
    log_at = T.map(lambda v: np.log(alpha + v))
    ll = x.map(lambda v: gammaln(r + v) - gammaln(r)) + r * np.log(alpha) - (r + xv) * log_at
    if not gradient:
        return ll
    d_r = x.map(lambda v: digamma(r + v) - digamma(r)) + np.log(alpha) - log_at
    d_alpha = r / alpha - (r + xv) * T.map(lambda v: 1 / (alpha + v))
    return ll, [d_r * r, d_alpha * alpha]


def _same_dropout_loglik(theta: np.ndarray, x: _Levels, t_x: _Levels, T: _Levels, model: str) -> np.ndarray:
    """The BG models' limit a, b → ∞ with a / (a + b) = p: every member drops out with the same
    probability p after a purchase (no heterogeneity in dropout). theta = (log r, log alpha, logit p).
    L = (1 − p)^(x + k) Γ(r + x) α^r / Γ(r) · [(α + T)^−(r+x) + [x > 0 or k = 1] p / (1 − p) (α + t_x)^−(r+x)]."""
    r, alpha = np.exp(theta[:2])
    p = expit(theta[2])
    k = _bg_shift(model)
    xv = x.values
    possible = xv >= 0 if k else xv > 0
    log_at, log_atx = T.map(lambda v: np.log(alpha + v)), t_x.map(lambda v: np.log(alpha + v))
    base = x.map(lambda v: gammaln(r + v) - gammaln(r)) + (xv + k) * np.log1p(-p) + r * np.log(alpha) \
        - (r + xv) * log_at
    d = np.where(possible, np.log(p) - np.log1p(-p) + (r + xv) * (log_at - log_atx), -np.inf)
    return base + np.maximum(d, 0) + np.log1p(np.exp(-np.abs(d)))


def _nbd_limit(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray, total: float,
               ll_full: float) -> tuple[_Judged, float] | None:
    """The no-dropout limit as a boundary solution (scaled time), when the full fit did not converge,
    the limit fits at least as well as the best point the search found (its maximum is the full
    model's supremum as a → 0 / b → ∞ or s → 0 / beta → ∞, which an optimiser approaches only
    slowly: the likelihood is flat there) and its own two parameters are a proper optimum. The dropout parameters are put at the
    edge of their range (no_dropout() then holds), without standard errors. None otherwise."""
    data = (_Levels.of(x), _Levels.of(t_x), _Levels.of(T))
    objective = _analytic(_nbd_loglik, data, weights, total)
    nbd = judge(objective, _maximise(objective, 2), total)
    ll = -objective(nbd.theta)[0] * total
    if nbd.verdict != "converged" or not ll >= ll_full - START_TOL:  # NaN ll_full: no limit
        return None
    cov = np.full((4, 4), np.nan)
    cov[:2, :2] = nbd.cov
    return _Judged(np.array([*nbd.theta, -LOG_BOUND, LOG_BOUND]), "boundary", cov, nbd.decrement, nbd.gap), ll


def _same_dropout_limit(model: str, data: tuple, weights: np.ndarray, total: float,
                        ll_full: float) -> tuple[_Judged, float] | None:
    """The BG models' other limit as a boundary solution: a and b → ∞ with a / (a + b) = p (everyone
    drops out with the same probability), when the full fit did not converge, the 3-parameter limit
    is a proper optimum and fits at least as well as the best point the search found. a
    and b are put where a + b = e^LOG_BOUND, their ratio kept: the formulas there are the limit's
    (a / (b + x + k − 1) = p / (1 − p) to 1e-7; the expected purchases take the point-mass branch
    of the quadrature). No standard errors for a and b."""
    mean_ll = lambda theta: float(weights @ _same_dropout_loglik(theta, *data, model)) / total  # noqa: E731
    objective = _numerical(mean_ll)
    limit = judge(objective, _maximise(objective, 3), total)
    ll = -objective(limit.theta)[0] * total
    if limit.verdict != "converged" or not ll >= ll_full - START_TOL:
        return None
    p = expit(limit.theta[2])
    theta = np.array([*limit.theta[:2], np.log(p) + LOG_BOUND, np.log1p(-p) + LOG_BOUND])
    cov = np.full((4, 4), np.nan)
    cov[:2, :2] = limit.cov[:2, :2]
    return _Judged(theta, "boundary", cov, limit.decrement, limit.gap), ll


def boundary_reason(fitted: Fitted) -> Literal["no_dropout", "same_dropout"] | None:
    """What a boundary solution means, as a key for a plain sentence (lib/i18n/clv.py
    `clv.boundary_*`): no_dropout (no one appears to drop out: the NBD limit, see _nbd_limit) or
    same_dropout (BG models: everyone drops out with the same probability after a purchase, see
    _same_dropout_limit). None for a fit that is not a boundary solution."""
    if fitted.verdict != "boundary":
        return None
    return "no_dropout" if no_dropout(fitted) else "same_dropout"
