"""The search for a maximum likelihood: objectives (−mean LL and its gradient, analytic or by finite
differences) and `_maximise` (L-BFGS-B from STARTS, with a polish for a start that stalled). It
only searches: what the end points mean is verdict.py's to say. Separate because the limits and
both fits (purchases, Gamma-Gamma) search the same way."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

from lib.btyd.verdict import LOG_BOUND, START_TOL, Objective, _hessian_of_values

# Two starting points, every log-parameter at 0 (each parameter 1 in scaled units) and at
# alternating ±1.5 (factors of 4.5 away): two independent searches must find the same optimum.
STARTS = (0.0, 1.5)
# _maximise's polish (central differences after a forward-difference search) gets at most this many
# steps: enough to finish a search stalled near its optimum by a noisy gradient; a polish still
# moving after that is a search running along a ridge towards a limit, and is left there.
POLISH_STEPS = 30


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
