"""Buy-till-you-die models on a member summary: BG/NBD, MBG/NBD and Pareto/NBD for the number of
purchases, Gamma-Gamma for the spend per purchase. Pure numpy / scipy on arrays; the SQL that
builds the summary (x, t_x, T, monetary) and the analysis around it live in lib/clv.py.

Notation (each paper's own): x = repeat purchases, t_x = time of the last purchase, T = time
since the first purchase, all in one time unit; while alive a member buys as a Poisson process of
rate λ, λ ~ Gamma(shape r, rate alpha).
- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science
  24(2)): after each *repeat* purchase the member drops out with probability p, p ~ Beta(a, b).
  A member without a repeat purchase cannot have dropped out: P(alive) = 1 for x = 0 — the
  model's known blind spot.
- MBG/NBD (Batislam, Denizel & Filiztekin 2007, IJRM 24(3)): the same, but the member may also
  drop out right after the first purchase, so after each of the x + 1 purchases. Every formula
  is BG/NBD's with b + 1 in place of b in the Beta terms, and P(alive) < 1 for x = 0 too.
- Pareto/NBD (Schmittlein, Morrison & Colombo 1987, Management Science 33(1); likelihood as in
  Fader, Hardie & Lee 2005, "A note on implementing the Pareto/NBD model in MATLAB"): lifetimes
  are exponential with rate μ, μ ~ Gamma(s, rate beta).
- Gamma-Gamma (Fader, Hardie & Lee 2005, JMR; Fader & Hardie 2013): each spend ~ Gamma(p, rate
  ν), ν ~ Gamma(q, rate gamma), fitted on (x, mean spend) of members with x > 0.

Fitting is maximum likelihood over log-parameters (L-BFGS-B) on rows grouped by distinct values
with weights, and time scaled so the longest T is TIME_SCALE_TARGET (both models are invariant to
the time unit up to alpha / beta, so a fit in days and one in weeks are the same fit).

Whether a fit fitted is judged on the result, never on the optimiser's status flag (which
differs across scipy releases): see `judge` (two starts, the Newton decrement, standard errors,
no parameter running to 0 or ∞). Two limits of the models are recognised as *boundary
solutions*, each fitted as the limit model itself: no dropout (BG models a → 0 or b → ∞,
Pareto/NBD s → 0 or beta → ∞), where every model becomes the NBD (`_nbd_limit`; predictions by
the NBD's formulas, `no_dropout`: P(alive) = 1, E[Y(t)] = (r + x) t / (alpha + T)); and, for the
BG models, one dropout probability for everyone (a, b → ∞ together, `_same_dropout_limit`).
`boundary_reason` says what each means in plain words. Any other runaway parameter is a fit that
did not converge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy.optimize import OptimizeResult, minimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, roots_jacobi

ModelName = Literal["bgnbd", "mbgnbd", "pareto_nbd"]
MODELS: tuple[ModelName, ...] = ("bgnbd", "mbgnbd", "pareto_nbd")
PARAMS: dict[str, tuple[str, ...]] = {"bgnbd": ("r", "alpha", "a", "b"), "mbgnbd": ("r", "alpha", "a", "b"),
                                      "pareto_nbd": ("r", "alpha", "s", "beta"), "gamma_gamma": ("p", "q", "gamma")}
# Parameters measured in the time unit (rates' scale): they change with it, the others do not.
TIME_PARAMS = frozenset({"alpha", "beta"})
Verdict = Literal["converged", "boundary", "not_converged"]

# Log-parameters stay within ±LOG_BOUND (e^20 ≈ 5e8 times the scaled data: effectively 0 or ∞);
# an optimum beyond ±EDGE_LOG has run towards a limit of the model, not to a value.
LOG_BOUND = 20.0
EDGE_LOG = 16.0
# A parameter whose log has a standard error above this is not pinned down by the data (within one
# standard error it could be 150 times larger or smaller): the search stopped somewhere on a
# ridge running to a limit (e.g. r, alpha → ∞ together: one purchase rate for all), which an
# optimiser leaves before |log θ| reaches EDGE_LOG because the likelihood is flat there.
MAX_LOG_SE = 5.0
# Time is scaled so the longest T is this many units: parameters of order 1, a well-conditioned search.
TIME_SCALE_TARGET = 10.0
# judge(), both in units of the total log-likelihood, so the same for 20 members or 2M: the Newton
# decrement gᵀH⁻¹g (twice what one more Newton step would still gain) and the gap between the
# optima of the two starts. 1e-3 is a likelihood ratio of 1.001: no fit is better by more.
DECREMENT_TOL = 1e-3
START_TOL = 1e-3
# Two starting points, every log-parameter at 0 (each parameter 1 in scaled units) and at
# alternating ±1.5 (factors of 4.5 away): two independent searches must find the same optimum.
STARTS = (0.0, 1.5)
# Pareto/NBD with more distinct (x, t_x, T) rows than this searches first on a coarser time grid
# (COARSE_STEPS steps over the longest T: 11 days over two years), both starts there, then once on
# the exact data from the better optimum, whose verdict is judged on the exact data. Its gradient
# is numerical, so each step of a search costs five likelihoods, each one 2F1 per distinct (x, t_x)
# and (x, T) pair: on 2M members (504k rows, 65k pairs) this takes the fit from ~55 s to ~10 s.
COARSE_ROWS = 20_000
COARSE_STEPS = 64
# Pareto/NBD that did not converge with s past this: the Gamma of dropout rates has a coefficient
# of variation below 1 / √20 ≈ 0.22 and the search is running to s, beta → ∞ (one dropout rate
# for all), a limit not fitted here (its likelihood needs an exponential integral of every order
# r + x); see runaway_reason.
SAME_RATE_S = 20.0
# Pareto/NBD's fit integrates at most this many (x, u) pairs per likelihood where scipy's 2F1 fails
# (about half a millisecond each): enough for small data, not for a search wandering near the
# no-dropout limit on large data, which would take minutes.
FIT_QUADRATURE_PAIRS = 200
# _maximise's polish (central differences after a forward-difference search) gets at most this many
# steps: enough to finish a search stalled near its optimum by a noisy gradient; a polish still
# moving after that is a search running along a ridge towards a limit, and is left there.
POLISH_STEPS = 30
# Gauss-Jacobi nodes of the BG models' fallback quadrature (exact for polynomials of degree 399).
QUADRATURE_NODES = 200
# Below this mean dropout probability per purchase the BG models are their NBD limit.
NO_DROPOUT = 1e-12


@dataclass(frozen=True)
class Fitted:
    """Maximum-likelihood parameters (time parameters in the unit of the data fitted), standard
    errors from the observed information (delta method; null for a parameter at a boundary), the
    total log-likelihood, how many members it covers, and the verdict of `judge`:
    converged, boundary (the no-dropout limit; `edges` lists (parameter, +1 towards ∞ / −1
    towards 0)) or not_converged. decrement = the Newton decrement of the total log-likelihood at
    the estimate; start_gap = the difference between the two starts' optima (total LL)."""

    model: str
    names: tuple[str, ...]
    values: tuple[float, ...]
    std_errors: tuple[float, ...]
    log_likelihood: float
    members: int
    verdict: Verdict
    edges: tuple[tuple[str, int], ...] = ()
    decrement: float = 0.0
    start_gap: float = 0.0
    repeat_purchases: float = 0.0  # Σ x over the members: what a change of time unit moves the LL by

    def __getitem__(self, name: str) -> float:
        return self.values[self.names.index(name)]

    @property
    def usable(self) -> bool:
        """A fit to predict with: a proper optimum or a boundary solution (its limit)."""
        return self.verdict != "not_converged"

    def in_unit(self, unit_days: float) -> Fitted:
        """The same fit with time parameters per `unit_days` days (fitted in days): alpha_week =
        alpha_day / 7. The likelihood is a density of purchase times, so measured in the new unit
        it gains Σx · log(unit_days) (CDNOW's BG/NBD: −14,363.5 in days, −9,582.4 in weeks)."""
        factor = 1 / unit_days
        values = tuple(v * factor if n in TIME_PARAMS else v for n, v in zip(self.names, self.values))
        errors = tuple(e * factor if n in TIME_PARAMS else e for n, e in zip(self.names, self.std_errors))
        ll = self.log_likelihood + self.repeat_purchases * np.log(unit_days)
        return Fitted(self.model, self.names, values, errors, float(ll), self.members, self.verdict,
                      self.edges, self.decrement, self.start_gap, self.repeat_purchases)


def published(model: str, values: tuple[float, ...]) -> Fitted:
    """Parameters given by hand (a paper's estimates) as a Fitted to predict with."""
    names = PARAMS[model]
    return Fitted(model, names, tuple(map(float, values)), (float("nan"),) * len(names), float("nan"), 0,
                  "converged")


@dataclass(frozen=True)
class _Levels:
    """An array as its distinct values and an index (values == levels[index]): a function of it
    is evaluated once per distinct value and gathered, much cheaper than per row (x, t_x and T
    are whole days)."""

    values: np.ndarray
    levels: np.ndarray
    index: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> _Levels:
        values = np.asarray(values, dtype=float)
        levels, index = np.unique(values, return_inverse=True)
        return cls(values, levels, index.reshape(-1))

    def map(self, f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return f(self.levels)[self.index]


@dataclass(frozen=True)
class _Pairs:
    """Distinct (x, u) pairs and an index: Pareto/NBD's 2F1 terms depend on x with t_x, and on
    x with T, never on all three."""

    x: np.ndarray
    u: np.ndarray
    index: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, u: np.ndarray) -> _Pairs:
        # x + iu: numpy sorts complex numbers by real then imaginary part, so this is the unique of
        # (x, u) rows, and a 1-D sort is several times faster than np.unique(axis=0).
        pairs, index = np.unique(np.asarray(x, dtype=float) + 1j * np.asarray(u, dtype=float), return_inverse=True)
        return cls(pairs.real.copy(), pairs.imag.copy(), index.reshape(-1))


# -- BG/NBD and MBG/NBD -------------------------------------------------------------------------


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
    xv = x.values
    possible = xv >= 0 if k else xv > 0
    log_at, log_atx = T.map(lambda v: np.log(alpha + v)), t_x.map(lambda v: np.log(alpha + v))
    odds_b = x.map(lambda v: b + np.maximum(v + k, 1) - 1)  # b + x + k − 1, used only where possible
    a12 = x.map(lambda v: gammaln(r + v) - gammaln(r) + betaln(a, b + v + k) - betaln(a, b))
    a3 = r * np.log(alpha) - (r + xv) * log_at
    # A4 − A3 where dropping out is possible; −inf otherwise. log(e^A3 + e^A4) = A3 + softplus(d).
    d = np.where(possible, np.log(a) - np.log(odds_b) + (r + xv) * (log_at - log_atx), -np.inf)
    e = np.exp(-np.abs(d))
    ll = a12 + a3 + np.maximum(d, 0) + np.log1p(e)
    if not gradient:
        return ll
    w = np.where(d >= 0, 1, e) / (1 + e)  # = expit(d): weight of "dropped out after the last purchase"
    inv_at, inv_atx = T.map(lambda v: 1 / (alpha + v)), t_x.map(lambda v: 1 / (alpha + v))
    psi_abx = x.map(lambda v: digamma(a + b + v + k))
    d_r = x.map(lambda v: digamma(r + v) - digamma(r)) + np.log(alpha) - log_at + w * (log_at - log_atx)
    d_alpha = r / alpha - (r + xv) * ((1 - w) * inv_at + w * inv_atx)
    d_a = digamma(a + b) - psi_abx + w / a
    d_b = x.map(lambda v: digamma(b + v + k)) - digamma(b) + digamma(a + b) - psi_abx - w / odds_b
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


def no_dropout(fitted: Fitted) -> bool:
    """The fit is the NBD limit: the mean dropout probability per purchase (BG models) or dropout
    rate per unit of time (Pareto/NBD) is nil, so P(alive) = 1 and E[Y(t)] = (r + x) t / (α + T)."""
    if fitted.model == "pareto_nbd":
        return fitted["s"] / fitted["beta"] < NO_DROPOUT
    return fitted["a"] / (fitted["a"] + fitted["b"]) < NO_DROPOUT


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


# -- Pareto/NBD ---------------------------------------------------------------------------------


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


# -- Gamma-Gamma --------------------------------------------------------------------------------


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


# -- public per-row functions -------------------------------------------------------------------


def loglik(model: str, log_params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
           gradient: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Per-row log-likelihood of a purchase model at log-parameters (and, for the BG models, its
    analytic gradient in log-parameters, one column per parameter)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if model == "pareto_nbd":
        if gradient:
            raise ValueError("Pareto/NBD's gradient is numerical: see fit()")
        return _pareto_loglik(np.asarray(log_params, dtype=float), *_pareto_data(x, t_x, T))
    out = _bg_loglik(log_params, _Levels.of(x), _Levels.of(t_x), _Levels.of(T), _check(model), gradient)
    return (out[0], np.stack(out[1], axis=1)) if gradient else out


def gg_loglik(log_params: np.ndarray, x: np.ndarray, m: np.ndarray,
              gradient: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Per-row Gamma-Gamma log-likelihood of the mean spend m over x > 0 purchases (+ gradient)."""
    m = np.asarray(m, dtype=float)
    out = _gg_loglik(log_params, _Levels.of(x), m, np.log(m), gradient)
    return (out[0], np.stack(out[1], axis=1)) if gradient else out


def p_alive(fitted: Fitted, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(alive at T | x, t_x, T): BG/NBD FHL 2005 eq. 11 (1 for x = 0), MBG/NBD Batislam et al.
    eq. 9, Pareto/NBD SMC 1987 / FHL's note eq. 18."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if fitted.model == "pareto_nbd":
        return _pareto_p_alive(fitted, x, t_x, T)
    return _bg_p_alive(fitted, x, t_x, T)


def expected_purchases(fitted: Fitted, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t units = P(alive) × E[Y(t) | alive]."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if fitted.model == "pareto_nbd":
        given_alive = _pareto_expected_if_alive(fitted, t, x, T)
    else:
        given_alive = _bg_expected_if_alive(fitted, t, x, T)
    return given_alive * p_alive(fitted, x, t_x, T)


def _check(model: str) -> str:
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    return model


# -- fitting ------------------------------------------------------------------------------------

Objective = Callable[[np.ndarray], "tuple[float, np.ndarray]"]


def _numerical(mean_ll: Callable[[np.ndarray], float], central: bool = True, step: float = 1e-6) -> Objective:
    """(−mean LL, its gradient) by finite differences, for a likelihood without an analytic one:
    central (error ~1e-10, for judging the optimum) or forward (half the evaluations, error ~1e-6,
    enough to search with)."""

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value = mean_ll(theta)
        grad = np.empty_like(theta)
        for i in range(len(theta)):  # 3–4 parameters
            e = np.zeros_like(theta)
            e[i] = step
            grad[i] = ((mean_ll(theta + e) - mean_ll(theta - e)) / (2 * step) if central
                       else (mean_ll(theta + e) - value) / step)
        return (-value, -grad) if np.isfinite(value) else (np.inf, np.zeros_like(theta))

    objective.hessian = lambda theta: _hessian_of_values(mean_ll, theta)  # type: ignore[attr-defined]
    return objective


def _analytic(loglik_fn: Callable, data: tuple, weights: np.ndarray, total: float, **kw) -> Objective:
    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = loglik_fn(theta, *data, gradient=True, **kw)
        return -float(weights @ ll) / total, -np.array([weights @ g for g in grad]) / total

    return objective


def _maximise(objective: Objective, k: int, starts: list[np.ndarray] | None = None,
              polish: Objective | None = None, total: float = 1.0) -> list:
    """L-BFGS-B from each of STARTS (or the given start points). With `polish` (central
    differences after a search with forward ones), a start that ended worse than the best by more
    than START_TOL (total: members, to compare means) is continued with it from where it stopped, for at most POLISH_STEPS steps: a
    line search on a gradient with ~1e-6 error, or at the edge of where the likelihood is finite,
    can stall far from the optimum, and a stalled search is no second opinion. The optimiser's
    status is not consulted (see judge)."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * k
    if starts is None:
        starts = [np.array([level * (-1) ** i for i in range(k)]) for level in STARTS]
    options = {"maxiter": 3000, "ftol": 1e-14, "gtol": 1e-10}
    with np.errstate(all="ignore"):
        results = [minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds, options=options)
                   for start in starts]
        best = min(res.fun for res in results)
        if polish is not None and np.isfinite(best):
            results = [minimize(polish, res.x, jac=True, method="L-BFGS-B", bounds=bounds,
                                options={**options, "maxiter": POLISH_STEPS})
                       if not res.fun <= best + START_TOL / total else res for res in results]
    return results


def _hessian(objective: Objective, theta: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """The Hessian of the mean negative log-likelihood: from the objective's own `hessian` (a
    likelihood without an analytic gradient), else central differences of its gradient."""
    own = getattr(objective, "hessian", None)
    if own is not None:
        return own(theta)
    k = len(theta)
    hessian = np.empty((k, k))
    for i in range(k):  # parameters, not rows
        e = np.zeros_like(theta)
        e[i] = step
        hessian[:, i] = (objective(theta + e)[1] - objective(theta - e)[1]) / (2 * step)
    return (hessian + hessian.T) / 2


def _hessian_of_values(mean_ll: Callable[[np.ndarray], float], theta: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """The Hessian of −mean LL by second differences of its values: 1 + 2k + 2k(k − 1) likelihoods
    (33 for four parameters), where differences of a numerical gradient would take 8k² (128).
    Error ~1e-6 at this step (truncation h² and rounding 1e-12 / h² alike): ample for standard
    errors and the Newton decrement."""
    k = len(theta)
    unit = np.eye(k) * step
    f0 = mean_ll(theta)
    up = np.array([mean_ll(theta + unit[i]) for i in range(k)])
    down = np.array([mean_ll(theta - unit[i]) for i in range(k)])
    hessian = np.diag((up - 2 * f0 + down) / step**2)
    for i in range(k):
        for j in range(i):
            hessian[i, j] = hessian[j, i] = (
                mean_ll(theta + unit[i] + unit[j]) - mean_ll(theta + unit[i] - unit[j])
                - mean_ll(theta - unit[i] + unit[j]) + mean_ll(theta - unit[i] - unit[j])) / (4 * step**2)
    return -hessian


@dataclass(frozen=True)
class _Judged:
    theta: np.ndarray
    verdict: Verdict
    cov: np.ndarray          # of the log-parameters (NaN where the information is not invertible)
    decrement: float
    gap: float


def judge(objective: Objective, results: list, total: float, gap: float | None = None) -> _Judged:
    """The verdict on a fit, from the fit itself, never from the optimiser's status:
    - the best of the starts' optima; every start must reach the same total log-likelihood
      (|difference| ≤ START_TOL) — a second opinion on where the maximum is;
    - the observed information there is finite and positive definite (standard errors exist);
    - the Newton decrement gᵀH⁻¹g of the total log-likelihood ≤ DECREMENT_TOL (scale-free: no
      nearby point is better by more than that, whatever the number of members);
    - no log-parameter beyond ±EDGE_LOG and none with a standard error above MAX_LOG_SE (a
      parameter running to 0 or ∞, or along a flat ridge towards it, is no estimate; the limits
      we recognise are fitted as such by _nbd_limit and _same_dropout_limit).
    All hold: converged; else not_converged. `gap`, when given, is the starts' gap measured
    elsewhere (a coarse search whose optimum `results` refines). Starts that disagree settle the
    verdict: the information is then not computed (standard errors NaN, decrement inf)."""
    k = len(results[0].x)
    finite = [res for res in results if np.isfinite(res.fun)]
    best = min(finite, key=lambda res: res.fun) if finite else results[0]
    theta = np.asarray(best.x, dtype=float)
    if gap is None:
        gap = _gap(results, total)
    if not finite or not gap <= START_TOL:
        return _Judged(theta, "not_converged", np.full((k, k), np.nan), float("inf"), gap)
    grad = objective(theta)[1] * total
    hessian = _hessian(objective, theta) * total
    cov, decrement = np.full((k, k), np.nan), float("inf")
    if np.all(np.isfinite(hessian)) and np.all(np.linalg.eigvalsh(hessian) > 0):
        cov = np.linalg.inv(hessian)
        decrement = float(grad @ cov @ grad)
    with np.errstate(invalid="ignore"):
        pinned = bool(np.all(np.sqrt(np.diag(cov)) <= MAX_LOG_SE))
    ok = decrement <= DECREMENT_TOL and pinned and bool(np.all(np.abs(theta) < EDGE_LOG))
    return _Judged(theta, "converged" if ok else "not_converged", cov, decrement, gap)


def _gap(results: list, total: float) -> float:
    """The largest difference between the starts' optima, in total log-likelihood (inf when a start
    ended where the likelihood is not finite)."""
    values = np.array([res.fun for res in results], dtype=float)
    return float(total * (values.max() - values.min())) if np.isfinite(values).all() else float("inf")


def _fitted(model: str, judged: _Judged, ll: float, members: int, repeat_purchases: float = 0.0,
            edges: tuple[tuple[int, int], ...] = ()) -> Fitted:
    names = PARAMS[model]
    values = np.exp(judged.theta)
    with np.errstate(invalid="ignore"):
        errors = values * np.sqrt(np.diag(judged.cov))  # delta method: se(θ) = θ · se(log θ)
    return Fitted(model, names, tuple(map(float, values)), tuple(map(float, errors)), float(ll), members,
                  judged.verdict, tuple((names[i], direction) for i, direction in edges), judged.decrement,
                  judged.gap, repeat_purchases)


def fit(model: ModelName, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
        weights: np.ndarray | None = None) -> Fitted:
    """A purchase model on summary rows (x, t_x, T in one time unit; weights = members per row).
    Time parameters come back in that unit."""
    _check(model)
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    total = float(weights.sum())
    scale = TIME_SCALE_TARGET / T.max() if T.size and T.max() > 0 else 1.0
    gap = None
    if model == "pareto_nbd":
        mean_ll, search, objective = _pareto_objectives(x, t_x * scale, T * scale, weights, total)
        if len(x) > COARSE_ROWS:
            # The coarse starts are not polished: where they stall apart, the search is typically
            # running along a ridge where each polishing step costs seconds (2F1 near its limits).
            _, coarse_search, _ = _pareto_objectives(*_coarse(x, t_x * scale, T * scale, weights), total)
            starts = _maximise(coarse_search, 4)
            gap = _gap(starts, total)
            best = min(starts, key=lambda res: res.fun).x
            results = _maximise(search, 4, [best]) if gap <= START_TOL else [_at(mean_ll, best)]
        else:
            results = _maximise(search, 4, polish=objective, total=total)
    else:
        data = (_Levels.of(x), _Levels.of(t_x * scale), _Levels.of(T * scale))
        search = objective = _analytic(_bg_loglik, data, weights, total, model=model)
        mean_ll = lambda theta: -objective(theta)[0]  # noqa: E731
        results = _maximise(search, 4)
    judged = judge(objective, results, total, gap)
    ll = mean_ll(judged.theta) * total
    edges: tuple[tuple[int, int], ...] = ()
    if judged.verdict != "converged":
        # Either limit of the model, whichever fits best, if it fits at least as well as the best
        # proper point the search found: tried always, so where the search stopped does not decide.
        baseline = _best_proper(results, total)
        limits = [(_nbd_limit(x, t_x * scale, T * scale, weights, total, baseline), ((2, -1), (3, 1)))]  # a or s → 0, b or beta → ∞
        if model != "pareto_nbd":
            data = (_Levels.of(x), _Levels.of(t_x * scale), _Levels.of(T * scale))
            limits.append((_same_dropout_limit(model, data, weights, total, baseline), ((2, 1), (3, 1))))  # a, b → ∞
        found = [(limit, limit_edges) for limit, limit_edges in limits if limit is not None]
        if found:
            (judged, ll), edges = max(found, key=lambda item: item[0][1])
    # In scaled time alpha' = alpha · scale (beta' likewise) and LL' = LL − Σx log(scale): undo both.
    time_params = [i for i, name in enumerate(PARAMS[model]) if name in TIME_PARAMS]
    theta = judged.theta.copy()
    theta[time_params] -= np.log(scale)
    ll += float(weights @ x) * np.log(scale)
    return _fitted(model, replace(judged, theta=theta), ll, int(total), float(weights @ x), edges)


def _best_proper(results: list, total: float) -> float:
    """The best total log-likelihood among the starts' end points inside the edges (every |log θ|
    < EDGE_LOG), what a limit must match to be the answer. Points past the edges are left out:
    there the full model is its limit up to rounding (betaln and gammaln of numbers near e^20
    differ in their last digits, which a search can exploit by 1e-2 of total log-likelihood), and
    the limit fits stand for them; −inf when every start ran there. NaN when a point inside cannot
    be evaluated (a Pareto/NBD point whose 2F1 were left out): nothing to compare with, no limit."""
    inside = [res for res in results if np.all(np.abs(res.x) < EDGE_LOG)]
    if any(not np.isfinite(res.fun) for res in inside):
        return float("nan")
    return max((-float(res.fun) * total for res in inside), default=float("-inf"))


def _pareto_objectives(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray,
                       total: float) -> tuple[Callable[[np.ndarray], float], Objective, Objective]:
    """Pareto/NBD's mean LL and its (search, judge) objectives: forward and central differences."""
    data = _pareto_data(x, t_x, T)
    mean_ll = lambda theta: float(weights @ _pareto_loglik(theta, *data)) / total  # noqa: E731
    return mean_ll, _numerical(mean_ll, central=False), _numerical(mean_ll)


def _coarse(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """The rows with t_x and T rounded to COARSE_STEPS steps over the longest T (t_x ≤ T kept: the
    rounding is monotone) and regrouped: a likelihood of nearly the same shape at a fraction of
    the rows and 2F1 pairs, to search on before the exact data."""
    step = T.max() / COARSE_STEPS
    width = COARSE_STEPS + 1
    # One integer per row (x, t_x step, T step): a 1-D unique, much faster than np.unique(axis=0).
    x_levels, x_code = np.unique(x, return_inverse=True)
    key = (x_code.reshape(-1).astype(np.int64) * width + np.round(t_x / step).astype(np.int64)) * width \
        + np.round(T / step).astype(np.int64)
    keys, index = np.unique(key, return_inverse=True)
    x_c, rest = np.divmod(keys, width * width)
    t_c, T_c = np.divmod(rest, width)
    return x_levels[x_c], t_c * step, T_c * step, np.bincount(index.reshape(-1), weights)


def _at(mean_ll: Callable[[np.ndarray], float], theta: np.ndarray) -> OptimizeResult:
    """A point as an optimiser result (for judge), when no search is run from it."""
    value = mean_ll(theta)
    return OptimizeResult(x=theta, fun=-value if np.isfinite(value) else np.inf)


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


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> Fitted:
    """Gamma-Gamma on (x > 0 repeat purchase days, mean spend m > 0); gamma in money units."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    total = float(weights.sum())
    scale = float(weights @ m / total)
    objective = _analytic(_gg_loglik, (_Levels.of(x), m / scale, np.log(m / scale)), weights, total)
    judged = judge(objective, _maximise(objective, 3), total)
    ll = -objective(judged.theta)[0] * total - total * np.log(scale)  # the density of m / scale vs of m
    theta = judged.theta.copy()
    theta[2] += np.log(scale)
    return _fitted("gamma_gamma", replace(judged, theta=theta), ll, int(total))


def boundary_reason(fitted: Fitted) -> Literal["no_dropout", "same_dropout"] | None:
    """What a boundary solution means, as a key for a plain sentence (lib/i18n/clv.py
    `clv.boundary_*`): no_dropout (no one appears to drop out: the NBD limit, see _nbd_limit) or
    same_dropout (BG models: everyone drops out with the same probability after a purchase, see
    _same_dropout_limit). None for a fit that is not a boundary solution."""
    if fitted.verdict != "boundary":
        return None
    return "no_dropout" if no_dropout(fitted) else "same_dropout"


def runaway_reason(fitted: Fitted) -> Literal["same_dropout_rate"] | None:
    """Where a fit that did not converge was running, when that has a plain meaning (a key for a
    sentence, lib/i18n/clv.py `clv.runaway_*`): same_dropout_rate for Pareto/NBD past SAME_RATE_S
    (s and beta → ∞: one dropout rate for everyone, a limit not fitted here; MBG/NBD fits its own
    like limit). None otherwise."""
    if fitted.verdict == "not_converged" and fitted.model == "pareto_nbd" and fitted["s"] >= SAME_RATE_S:
        return "same_dropout_rate"
    return None
