"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader, Hardie & Lee's MATLAB
note): the log-likelihood (no analytic gradient: the fit differentiates it numerically), P(alive)
and the expected purchases given alive, with the log 2F1 they stand on (scipy's series, Euler's
integral where that gives up). Separate because its A0 term and its 2F1 machinery are its own."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, gammaln, hyp2f1

from lib.btyd.levels import _Pairs
from lib.btyd.model import Fitted, no_dropout

# Pareto/NBD's fit integrates at most this many (x, u) pairs per likelihood where scipy's 2F1 fails
# (about half a millisecond each): enough for small data, not for a search wandering near the
# no-dropout limit on large data, which would take minutes.
FIT_QUADRATURE_PAIRS = 200


def _pareto_log_f(r: float, alpha: float, s: float, beta: float, pairs: _Pairs,
                  integrate: float = np.inf) -> np.ndarray:
    """log F(u) per distinct (x, u) pair, the two terms of FHL's A0 = F(t_x) − F(T) (MATLAB note):
    F(u) = 2F1(r+s+x, b2; r+s+x+1; |α−β| / (m + u)) / (m + u)^(r+s+x), m = max(α, β), b2 = s + 1
    if α ≥ β else r + x. Where scipy's 2F1 gives up, Euler's integral is taken for up to
    `integrate` distinct pairs: always when scoring (a prediction is never nan); in the fit for a
    few (FIT_QUADRATURE_PAIRS), beyond which the point is left nan and the search treats it as out
    of bounds (a quadrature per pair and step would make a fit that strays there take minutes)."""
    m = max(alpha, beta)
    rsx = r + s + pairs.x
    second = np.broadcast_to(s + 1 if alpha >= beta else r + pairs.x, rsx.shape)
    return _log_hyp2f1_next(rsx, second, abs(alpha - beta) / (m + pairs.u), integrate) - rsx * np.log(m + pairs.u)


def _log_a0(log_ftx: np.ndarray, log_fT: np.ndarray) -> np.ndarray:
    """log A0 = log(F(t_x) − F(T)) per row, from the rows' log F values; −inf when t_x = T."""
    with np.errstate(all="ignore"):
        return log_ftx + np.log(-np.expm1(np.minimum(log_fT - log_ftx, 0)))


def _log_hyp2f1_next(a: np.ndarray, b: np.ndarray, z: np.ndarray, integrate: float = np.inf) -> np.ndarray:
    """log 2F1(a, b; a + 1; z), 0 ≤ z < 1, a > 0, b > 0 (Pareto/NBD's A0 terms), vectorised.
    scipy's series first; where it overflows or gives up (x in the thousands, z near 1), Euler's
    integral for at most `integrate` values (else nan, see _pareto_log_f). (Pfaff's
    transformation through scipy was tried: finite but not smooth enough for a search with
    finite-difference gradients.)"""
    with np.errstate(all="ignore"):
        out = np.log(hyp2f1(a, b, a + 1, z))
    failed = ~np.isfinite(out)
    if 0 < failed.sum() <= integrate:
        out[failed] = [_log_hyp2f1_euler(*v) for v in zip(a[failed], b[failed], z[failed])]
    return out


def _log_hyp2f1_euler(a: float, b: float, z: float) -> float:
    """log 2F1(a, b; a + 1; z) by adaptive quadrature of Euler's integral, written as
    −b log(1 − z) + log a + log ∫0..1 (1 − u)^(a−1) (1 + κu)^(−b) du, κ = z / (1 − z) (from
    w = (1 − u)^(1/... ) substitutions: v = w^a, v = (1 − u)^a): the integrand is at most 1, and
    its peak at u = 0, of width 1/κ, is given to the quadrature as break points, so z near 1 is
    resolved too."""
    import warnings

    from scipy.integrate import IntegrationWarning, quad

    kappa = z / (1 - z)
    points = [p for p in (1 / kappa, 10 / kappa, 100 / kappa) if 0 < p < 1] if kappa > 0 else []
    with warnings.catch_warnings():  # roundoff near 1e-10 relative is far below what a fit needs
        warnings.simplefilter("ignore", IntegrationWarning)
        value, _ = quad(lambda u: np.exp((a - 1) * np.log1p(-u) - b * np.log1p(kappa * u)), 0, 1,
                        points=points or None, limit=200, epsabs=0, epsrel=1e-10)
    return float(-b * np.log1p(-z) + np.log(a) + np.log(value))


def _pareto_loglik(log_params: np.ndarray, t_x: _Pairs, T: _Pairs) -> np.ndarray:
    """LL = log Γ(r+x) − log Γ(r) + r log α + s log β + log((α+T)^−(r+x) (β+T)^−s + s / (r+s+x) A0).
    Every term but log A0 is computed once per distinct (x, T) or (x, t_x) pair and gathered:
    a fit evaluates this a few hundred times over up to a million rows."""
    r, alpha, s, beta = np.exp(log_params)
    common = r * np.log(alpha) + s * np.log(beta) - gammaln(r)
    alive = (gammaln(r + T.x) + common - (r + T.x) * np.log(alpha + T.u) - s * np.log(beta + T.u))[T.index]
    log_ftx = _pareto_log_f(r, alpha, s, beta, t_x, FIT_QUADRATURE_PAIRS)
    log_fT = _pareto_log_f(r, alpha, s, beta, T, FIT_QUADRATURE_PAIRS)[T.index]
    dead_but_a0 = (gammaln(r + t_x.x) + common + np.log(s) - np.log(r + s + t_x.x))[t_x.index]
    with np.errstate(invalid="ignore"):  # nan where a 2F1 was left out (see _pareto_log_f): the search's "out of bounds"
        return np.logaddexp(alive, dead_but_a0 + _log_a0(log_ftx[t_x.index], log_fT))


def _pareto_data(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[_Pairs, _Pairs]:
    """The distinct (x, t_x) and (x, T) pairs Pareto/NBD's likelihood is computed on."""
    return _Pairs.of(x, t_x), _Pairs.of(x, T)


def _pareto_p_alive(fitted: Fitted, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """1 / (1 + s / (r+s+x) (α+T)^(r+x) (β+T)^s A0)."""
    if no_dropout(fitted):
        return np.ones_like(x)
    r, alpha, s, beta = fitted.values
    tx_pairs, T_pairs = _pareto_data(x, t_x, T)
    log_a0 = _log_a0(_pareto_log_f(r, alpha, s, beta, tx_pairs)[tx_pairs.index],
                     _pareto_log_f(r, alpha, s, beta, T_pairs)[T_pairs.index])
    log_odds = np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T) + log_a0
    return expit(-log_odds)


def _pareto_expected_if_alive(fitted: Fitted, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | alive at T] = (r+x) / (α+T) · (β+T) / (s−1) · (1 − ((β+T) / (β+T+t))^(s−1))
    (SMC 1987), written with expm1 / log1p; (β+T) log(1 + t / (β+T)) at s = 1."""
    r, alpha, s, beta = fitted.values
    if no_dropout(fitted):
        return (r + x) * t / (alpha + T)
    span = np.log1p(t / (beta + T))
    if abs(s - 1) < 1e-10:
        factor = span
    else:
        factor = -np.expm1(-(s - 1) * span) / (s - 1)
    return (r + x) / (alpha + T) * (beta + T) * factor
