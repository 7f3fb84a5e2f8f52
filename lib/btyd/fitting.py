"""The two fits callers use: `fit` (a purchase model on summary rows: time scaled, searched —
Pareto/NBD on large data coarse first, then exact — judged, a limit tried when it did not converge,
time unscaled) and `fit_gamma_gamma`, with `_fitted` turning a verdict into a Fitted. Separate
because it is the one place that strings the likelihoods, the search, the verdict and the limits
together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from scipy.optimize import OptimizeResult

from lib.btyd.bg import _bg_loglik
from lib.btyd.gamma_gamma import _gg_loglik
from lib.btyd.levels import _Levels
from lib.btyd.limits import _nbd_limit, _same_dropout_limit
from lib.btyd.model import PARAMS, TIME_PARAMS, Fitted, ModelName, _check
from lib.btyd.pareto import _pareto_data, _pareto_loglik
from lib.btyd.search import _analytic, _maximise, _numerical
from lib.btyd.verdict import START_TOL, Objective, _best_proper, _gap, _Judged, judge

# Time is scaled so the longest T is this many units: parameters of order 1, a well-conditioned search.
TIME_SCALE_TARGET = 10.0
# Pareto/NBD with more distinct (x, t_x, T) rows than this searches first on a coarser time grid
# (COARSE_STEPS steps over the longest T: 11 days over two years), both starts there, then once on
# the exact data from the better optimum, whose verdict is judged on the exact data. Its gradient
# is numerical, so each step of a search costs five likelihoods, each one 2F1 per distinct (x, t_x)
# and (x, T) pair: on 2M members (504k rows, 65k pairs) this takes the fit from ~55 s to ~10 s.
COARSE_ROWS = 20_000
COARSE_STEPS = 64


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
