"""The verdict on a fit, from the fit itself and never from the optimiser's status flag: `judge`
(the starts agree, the Newton decrement is nil, standard errors exist and no parameter runs to 0
or ∞), the Hessians the standard errors come from, the tolerances and edges it judges by, the
best proper point a limit must match (`_best_proper`), and `runaway_reason` (where a fit that did
not converge was running). Separate because it decides what a fit means, whichever search made it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from lib.btyd.model import Fitted, Verdict

# Log-parameters stay within ±LOG_BOUND (e^20 ≈ 5e8 times the scaled data: effectively 0 or ∞);
# an optimum beyond ±EDGE_LOG has run towards a limit of the model, not to a value.
LOG_BOUND = 20.0
EDGE_LOG = 16.0
# A parameter whose log has a standard error above this is not pinned down by the data (within one
# standard error it could be 150 times larger or smaller): the search stopped somewhere on a
# ridge running to a limit (e.g. r, alpha → ∞ together: one purchase rate for all), which an
# optimiser leaves before |log θ| reaches EDGE_LOG because the likelihood is flat there.
MAX_LOG_SE = 5.0
# judge(), both in units of the total log-likelihood, so the same for 20 members or 2M: the Newton
# decrement gᵀH⁻¹g (twice what one more Newton step would still gain) and the gap between the
# optima of the two starts. 1e-3 is a likelihood ratio of 1.001: no fit is better by more.
DECREMENT_TOL = 1e-3
START_TOL = 1e-3
# Pareto/NBD that did not converge with s past this: the Gamma of dropout rates has a coefficient
# of variation below 1 / √20 ≈ 0.22 and the search is running to s, beta → ∞ (one dropout rate
# for all), a limit not fitted here (its likelihood needs an exponential integral of every order
# r + x); see runaway_reason.
SAME_RATE_S = 20.0

# What a search minimises and judge differentiates: log-parameters -> (−mean LL, its gradient).
Objective = Callable[[np.ndarray], "tuple[float, np.ndarray]"]


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


def runaway_reason(fitted: Fitted) -> Literal["same_dropout_rate"] | None:
    """Where a fit that did not converge was running, when that has a plain meaning (a key for a
    sentence, lib/i18n/clv.py `clv.runaway_*`): same_dropout_rate for Pareto/NBD past SAME_RATE_S
    (s and beta → ∞: one dropout rate for everyone, a limit not fitted here; MBG/NBD fits its own
    like limit). None otherwise."""
    if fitted.verdict == "not_converged" and fitted.model == "pareto_nbd" and fitted["s"] >= SAME_RATE_S:
        return "same_dropout_rate"
    return None
