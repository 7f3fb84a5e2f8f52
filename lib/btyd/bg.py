"""BG/NBD and MBG/NBD (Fader, Hardie & Lee 2005; Batislam, Denizel & Filiztekin 2007): the
log-likelihood with its analytic gradient, P(alive), and the expected purchases given alive (closed
form, with a Gauss-Jacobi quadrature where scipy's 2F1 gives up). One module for both because
MBG/NBD is BG/NBD with b + 1 in the Beta terms (`_bg_shift`); separate from Pareto/NBD, whose
formulas share nothing with these but the NBD limit."""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, roots_jacobi

from lib.btyd.levels import _Levels
from lib.btyd.model import Fitted, no_dropout

# Gauss-Jacobi nodes of the BG models' fallback quadrature (exact for polynomials of degree 399).
QUADRATURE_NODES = 200


def _bg_shift(model: str) -> int:
    """MBG/NBD is BG/NBD with one more chance to drop out: b + 1 in the Beta terms."""
    return 1 if model == "mbgnbd" else 0


def _bg_loglik(log_params: np.ndarray, x: _Levels, t_x: _Levels, T: _Levels, model: str = "bgnbd",
               gradient: bool = False) -> np.ndarray | tuple[np.ndarray, list[np.ndarray]]:
    """LL = A1 + A2 + log(exp(A3) + [dropout possible] exp(A4)) in FHL's notation, with k = 0
    (BG) or 1 (MBG): L = B(a, b + x + k) / B(a, b) · Γ(r + x) α^r / Γ(r) ·
    [(α + T)^−(r+x) + [x > 0 or k = 1] a / (b + x + k − 1) · (α + t_x)^−(r+x)]."""
    r, alpha, a, b = np.exp(log_params)
    k = _bg_shift(model)
    # A term of one variable is computed per distinct value and gathered (map): the same numbers as
    # row by row, and the rows (504k at 10M lines) are only touched by terms of two or three.
    possible = x.map(lambda v: v >= 0 if k else v > 0)
    log_at, log_atx = T.map(lambda v: np.log(alpha + v)), t_x.map(lambda v: np.log(alpha + v))
    r_x = x.map(lambda v: r + v)
    a12 = x.map(lambda v: gammaln(r + v) - gammaln(r) + betaln(a, b + v + k) - betaln(a, b))
    a3 = r * np.log(alpha) - r_x * log_at
    # A4 − A3 where dropping out is possible; −inf otherwise. log(e^A3 + e^A4) = A3 + softplus(d).
    # b + x + k − 1 is used only where dropping out is possible.
    spread = log_at - log_atx
    odds_b = b + np.maximum(x.levels + k, 1) - 1  # per distinct x
    d = (np.log(a) - np.log(odds_b))[x.index] + r_x * spread
    np.copyto(d, -np.inf, where=~possible)
    e = np.abs(d)
    np.exp(np.negative(e, out=e), out=e)
    ll = a12 + a3
    ll += np.maximum(d, 0)
    ll += np.log1p(e)
    if not gradient:
        return ll
    w = np.where(d >= 0, 1, e) / (1 + e)  # = expit(d): weight of "dropped out after the last purchase"
    inv_at, inv_atx = T.map(lambda v: 1 / (alpha + v)), t_x.map(lambda v: 1 / (alpha + v))
    d_r = x.map(lambda v: digamma(r + v) - digamma(r) + np.log(alpha)) - log_at + w * spread
    d_alpha = r / alpha - r_x * ((1 - w) * inv_at + w * inv_atx)
    d_a = x.map(lambda v: digamma(a + b) - digamma(a + b + v + k)) + w / a
    d_b = x.map(lambda v: digamma(b + v + k) - digamma(b) + digamma(a + b) - digamma(a + b + v + k)) \
        - w / odds_b[x.index]
    return ll, [d_r * r, d_alpha * alpha, d_a * a, d_b * b]


def _bg_p_alive(fitted: Fitted, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """1 / (1 + [x > 0 or MBG] a / (b + x + k − 1) ((alpha + T) / (alpha + t_x))^(r + x))."""
    if no_dropout(fitted):
        return np.ones_like(x)
    r, alpha, a, b = fitted.values
    k = _bg_shift(fitted.model)
    possible = x >= 0 if k else x > 0
    odds_b = b + np.maximum(x + k, 1) - 1
    log_odds = np.log(a) - np.log(odds_b) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(possible, expit(-log_odds), 1.0)


def _bg_expected_if_alive(fitted: Fitted, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | alive at T] = E_p[(1 − ((α+T) / (α+T+p·t))^(r+x)) / p], p ~ Beta(a, b + x + k):
    closed form c / (a − 1) (1 − (1 − z)^(a−1) 2F1(a + b' − 1 − r, a − 1; c; z)), b' = b + k,
    c = a + b' + x − 1, z = t / (α + T + t) — FHL eq. 10 after Euler's transformation, which keeps
    the 2F1's upper parameters small (eq. 10's own 2F1(r + x, b + x; …) overflows for large x).
    Where scipy's 2F1 gives up (r in the thousands), Gauss-Jacobi quadrature of the expectation;
    where dropout is negligible, its NBD limit (r + x) t / (α + T)."""
    r, alpha, a, b = fitted.values
    b = b + _bg_shift(fitted.model)
    if no_dropout(fitted):
        return (r + x) * t / (alpha + T)
    if abs(a - 1) < 1e-9:  # removable singularity at a = 1
        a = 1 + 1e-9
    z = t / (alpha + T + t)
    c = a + b + x - 1
    with np.errstate(all="ignore"):  # 0 · inf where the series gives up: caught just below
        tail = np.power(1 - z, a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z)
        given_alive = c / (a - 1) * (1 - tail)
    failed = ~np.isfinite(given_alive)
    if failed.any():
        given_alive[failed] = _bg_expected_quadrature(r, alpha, a, b, t, x[failed], T[failed])
    return given_alive


def _bg_expected_quadrature(r: float, alpha: float, a: float, b: float, t: float, x: np.ndarray,
                            T: np.ndarray) -> np.ndarray:
    """E_p[(1 − ((α+T) / (α+T+p·t))^(r+x)) / p] over p ~ Beta(a, b + x) (b already shifted for
    MBG) by Gauss-Jacobi nodes, which carry the Beta weight exactly; one set per distinct x."""
    out = np.empty_like(x)
    for level in np.unique(x):  # distinct purchase counts, not members
        with np.errstate(all="ignore"):
            nodes, weights = roots_jacobi(QUADRATURE_NODES, b + level - 1, a - 1)
        p = (1 + nodes) / 2
        if not (np.isfinite(nodes).all() and np.isfinite(weights.sum())):
            # a + b in the thousands (everyone drops out at the same rate): the weights overflow,
            # and the posterior Beta(a, b + x) is so narrow that its mean stands for it.
            p, weights = np.array([a / (a + b + level)]), np.array([1.0])
        rows = x == level
        growth = np.log1p(np.outer(t / (alpha + T[rows]), p))
        values = -np.expm1(-(r + level) * growth) / p
        out[rows] = values @ weights / weights.sum()
    return out
