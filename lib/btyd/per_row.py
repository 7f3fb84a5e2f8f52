"""The public per-row functions on plain arrays of summary rows: each model's log-likelihood (with
its gradient where analytic), P(alive) and the expected purchases, picking the model's own
formulas from bg.py or pareto.py. Separate so that callers and tests see one entry point per
quantity, whichever model a fit is."""

from __future__ import annotations

import numpy as np

from lib.btyd.bg import _bg_expected_if_alive, _bg_loglik, _bg_p_alive
from lib.btyd.gamma_gamma import _gg_loglik
from lib.btyd.levels import _Levels, _Pairs
from lib.btyd.model import Fitted, _check
from lib.btyd.pareto import _pareto_data, _pareto_expected_if_alive, _pareto_loglik, _pareto_p_alive


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
    return _expected_if_alive(fitted)(fitted, t, x, T) * p_alive(fitted, x, t_x, T)


def _expected_if_alive(fitted: Fitted):
    """The model's E[Y(t) | alive](fitted, t, x, T)."""
    return _pareto_expected_if_alive if fitted.model == "pareto_nbd" else _bg_expected_if_alive


def expected_purchase_totals(fitted: Fitted, horizons: list[float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                             weights: np.ndarray) -> list[float]:
    """weights @ expected_purchases(fitted, t, x, t_x, T) for each t of `horizons`, the same
    numbers with less work: P(alive) once, and E[Y(t) | alive] — a function of x and T only —
    once per distinct (x, T) pair (at 10M lines 352k summary rows are 40k pairs; a backtest
    asks for 27 horizons)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    alive = p_alive(fitted, x, t_x, T)
    pairs = _Pairs.of(x, T)
    given_alive = _expected_if_alive(fitted)
    return [float(weights @ (given_alive(fitted, t, pairs.x, pairs.u)[pairs.index] * alive)) for t in horizons]
