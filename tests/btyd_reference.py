"""Slow numerical reference for the BG/NBD, MBG/NBD and Pareto/NBD models, to test lib/btyd/ against.

Each quantity is computed from the model's *definition*, not from the closed forms of the papers:

1. the individual-level probability given the latent rates, written down from the story
   (Poisson purchases at rate λ while alive; BG: dropout with probability p after each repeat
   purchase, MBG: after every purchase incl. the first at time 0; Pareto: lifetime τ ~ Exp(μ));
2. averaged numerically over the heterogeneity λ ~ Gamma(r, rate alpha), p ~ Beta(a, b),
   μ ~ Gamma(s, rate beta) with scipy.integrate.quad (and over τ for the Pareto/NBD).

No Beta/Gamma-function ratios or hypergeometric functions appear; the only special functions
are the densities' normalising constants (lgamma, and the Beta normaliser, which is itself
integrated numerically). Integrands that are products of a λ-part and a p- (or μ-) part are
integrated as the product of two one-dimensional integrals (Fubini, the mixing variables are
independent); the rest is nested quad.

Gamma averages are taken over v = log λ (the integrand λ^(k+r) e^(-cλ) is then smooth and
bounded on a finite window found from a grid, and the λ^(r-1) pole at 0 disappears); Beta
averages use quad's algebraic-endpoint weight (QAWS), which integrates p^(a-1) (1-p)^(b-1)
exactly. Scale factors are carried in logs so x up to ~30 and T up to ~80 neither under- nor
overflows. Per customer: (x, t_x, T) = (repeat purchases, time of the last one, age), the
clock starting at the first purchase; the likelihood is the density of the x repeat purchase
times on (0, T] (the literature's L(· | x, t_x, T)).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import integrate

EPSREL = 1e-11
_GRID = np.arange(-420.0, 9.0, 0.04)  # log λ; λ from e^-420 to e^9 (per time unit)


def _quad(f, lo, hi, **kw) -> float:
    value, _err = integrate.quad(f, lo, hi, epsabs=0.0, epsrel=EPSREL, limit=500, **kw)
    return value


def log_gamma_mean(logf, shape: float, rate: float) -> float:
    """log E[f(λ)], λ ~ Gamma(shape, rate), as ∫ f(e^v) g(e^v) e^v dv by quad.

    logf(λ) must accept numpy arrays. The integrand is scaled by its maximum on a grid and
    integrated over the window where it exceeds e^-50 of that maximum, split at the peak."""
    const = shape * math.log(rate) - math.lgamma(shape)

    def ell(v):  # log integrand in v
        lam = np.exp(v)
        return logf(lam) + const + shape * v - rate * lam

    vals = ell(_GRID)
    i = int(np.argmax(vals))
    top = vals[i]
    keep = np.nonzero(vals > top - 50.0)[0]
    lo, hi = _GRID[max(keep[0] - 1, 0)], _GRID[min(keep[-1] + 1, len(_GRID) - 1)]
    peak = _GRID[i]
    f = lambda v: math.exp(ell(v) - top)  # noqa: E731
    return top + math.log(_quad(f, lo, peak) + _quad(f, peak, hi))


@lru_cache(maxsize=None)
def _beta_norm(a: float, b: float) -> float:
    return _quad(lambda p: 1.0, 0.0, 1.0, weight="alg", wvar=(a - 1.0, b - 1.0))


def beta_mean(f, a: float, b: float) -> float:
    """E[f(p)], p ~ Beta(a, b), by quad with the algebraic weight p^(a-1) (1-p)^(b-1)."""
    return _quad(f, 0.0, 1.0, weight="alg", wvar=(a - 1.0, b - 1.0)) / _beta_norm(a, b)


def _logsumexp(*xs: float) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs)) if m > -math.inf else -math.inf


def _lam_part(x: int, c: float, r: float, alpha: float) -> float:
    """log E_λ[λ^x e^(-λc)]: x purchases in a window, none after them for a time c in total."""
    return log_gamma_mean(lambda lam: x * np.log(lam) - lam * c, r, alpha)


# -- BG/NBD and MBG/NBD -------------------------------------------------------------------------
#
# Given λ and p, with d = x dropout chances so far for BG/NBD (one after each repeat purchase)
# and d = x + 1 for MBG/NBD (also right after the first purchase at time 0):
#   alive at T with purchases at t_1..t_x:      (1-p)^d λ^x e^(-λT)
#   dead right after the last purchase (at t_x): p (1-p)^(d-1) λ^x e^(-λ t_x)   (needs d >= 1)
# L is their sum, P(alive) the first term's share. Given alive at T, the customer is still alive
# at T+u with probability E[(1-p)^N(u)] = e^(-λpu) (N(u) ~ Poisson(λu) purchases, each survived
# with 1-p), so E[purchases in (T, T+t]] = ∫_0^t λ e^(-λpu) du = (1 - e^(-λpt)) / p.

def _bg_terms(model: str, params: dict, x: int, t_x: float, T: float) -> tuple[float, float]:
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    d = x + (model == "mbgnbd")
    alive = math.log(beta_mean(lambda p: (1 - p) ** d, a, b)) + _lam_part(x, T, r, alpha)
    if d == 0:
        return alive, -math.inf
    dead = math.log(beta_mean(lambda p: p * (1 - p) ** (d - 1), a, b)) + _lam_part(x, t_x, r, alpha)
    return alive, dead


def _bg_expected(model: str, params: dict, t: float, x: int, t_x: float, T: float) -> float:
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    d = x + (model == "mbgnbd")
    base = _lam_part(x, T, r, alpha)

    def given_p(p: float) -> float:  # E_λ[λ^x e^(-λT) (1 - e^(-λpt))/p] / E_λ[λ^x e^(-λT)]
        def logf(lam):
            future = np.log(lam * t) if p == 0 else np.log(-np.expm1(-lam * p * t) / p)
            return x * np.log(lam) - lam * T + future
        return math.exp(log_gamma_mean(logf, r, alpha) - base)

    numerator = math.log(beta_mean(lambda p: (1 - p) ** d * given_p(p), a, b)) + base
    return math.exp(numerator - _logsumexp(*_bg_terms(model, params, x, t_x, T)))


# -- Pareto/NBD ----------------------------------------------------------------------------------
#
# Given λ and μ, the lifetime τ ~ Exp(μ) either exceeds T (probability e^(-μT); purchase-time
# density λ^x e^(-λT)) or ends at τ in (t_x, T] (density μ e^(-μτ); purchase-time density
# λ^x e^(-λτ)). Averaged over λ, μ, for fixed τ the two parts are independent:
#   L = A(T) M0(T) + ∫_{t_x}^T A(τ) M1(τ) dτ,
#   A(τ) = E_λ[λ^x e^(-λτ)],  M0(τ) = E_μ[e^(-μτ)] = P(τ > ·),  M1(τ) = E_μ[μ e^(-μτ)].
# Alive at T, the expected purchases in (T, T+t] are ∫_0^t λ P(alive at T+u | alive at T) du, so
#   E[purchases, alive at T, history] = E_λ[λ^(x+1) e^(-λT)] ∫_0^t M0(T+u) du.

def _mu_part(k: int, tau: float, s: float, beta: float) -> float:
    """log E_μ[μ^k e^(-μτ)]."""
    return log_gamma_mean(lambda mu: k * np.log(mu) - mu * tau, s, beta)


def _pareto_terms(params: dict, x: int, t_x: float, T: float) -> tuple[float, float]:
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    alive = _lam_part(x, T, r, alpha) + _mu_part(0, T, s, beta)
    if T <= t_x:
        return alive, -math.inf
    dies = lambda tau: _lam_part(x, tau, r, alpha) + _mu_part(1, tau, s, beta)  # noqa: E731
    ref = dies(t_x)  # the integrand is largest at τ = t_x
    dead = ref + math.log(_quad(lambda tau: math.exp(dies(tau) - ref), t_x, T))
    return alive, dead


def _pareto_expected(params: dict, t: float, x: int, t_x: float, T: float) -> float:
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    ref = _mu_part(0, T, s, beta)
    alive_time = _quad(lambda u: math.exp(_mu_part(0, T + u, s, beta) - ref), 0.0, t)
    numerator = _lam_part(x + 1, T, r, alpha) + ref + math.log(alive_time)
    return math.exp(numerator - _logsumexp(*_pareto_terms(params, x, t_x, T)))


# -- public --------------------------------------------------------------------------------------

MODELS = ("bgnbd", "mbgnbd", "pareto_nbd")


def _check(model: str, x, t_x: float) -> tuple[int, float]:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}")
    return int(x), (float(t_x) if int(x) > 0 else 0.0)


def _terms(model: str, params: dict, x, t_x: float, T: float) -> tuple[float, float]:
    """(log P(history, alive at T), log P(history, dead by T)); their sum is L."""
    x, t_x = _check(model, x, t_x)
    if model == "pareto_nbd":
        return _pareto_terms(params, x, t_x, T)
    return _bg_terms(model, params, x, t_x, T)


def loglik(model: str, params: dict, x: int, t_x: float, T: float) -> float:
    """log L(params | x, t_x, T): log density of the x repeat purchase times on (0, T]."""
    return _logsumexp(*_terms(model, params, x, t_x, T))


def p_alive(model: str, params: dict, x: int, t_x: float, T: float) -> float:
    """P(still alive at T | x, t_x, T)."""
    alive, dead = _terms(model, params, x, t_x, T)
    return 1.0 / (1.0 + math.exp(dead - alive))


def expected_purchases(model: str, params: dict, t: float, x: int, t_x: float, T: float) -> float:
    """E[number of purchases in (T, T+t] | x, t_x, T]."""
    x, t_x = _check(model, x, t_x)
    if model == "pareto_nbd":
        return _pareto_expected(params, t, x, t_x, T)
    return _bg_expected(model, params, t, x, t_x, T)
