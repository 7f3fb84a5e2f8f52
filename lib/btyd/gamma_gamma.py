"""Gamma-Gamma (Fader, Hardie & Lee 2005, JMR; Fader & Hardie 2013), the spend per purchase: its
log-likelihood with the analytic gradient, and the expected mean spend of a member. Separate
because it is fitted on its own rows (members with x > 0) and shares no formula with the purchase
models."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from lib.btyd.levels import _Levels
from lib.btyd.model import Fitted


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


def expected_spend(g: Fitted, x: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """Gamma-Gamma E[mean spend | x, m] = p (γ + x m) / (p x + q − 1); the population mean
    p·γ / (q − 1) for x = 0; NaN when that mean does not exist (q ≤ 1)."""
    p, q, gamma = g.values
    x = np.asarray(x, dtype=float)
    m = np.where(x > 0, np.nan_to_num(np.asarray(monetary, dtype=float)), 0.0)
    denominator = p * x + q - 1
    return np.where(denominator > 0, p * (gamma + x * m) / np.where(denominator > 0, denominator, 1), np.nan)
