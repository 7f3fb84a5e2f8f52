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

The package, one job per module:

* ``model.py``        the vocabulary: model and parameter names, Fitted, published, no_dropout;
* ``levels.py``       summary rows as distinct values and an index, what every likelihood runs on;
* ``bg.py``           BG/NBD and MBG/NBD: log-likelihood and gradient, P(alive), expected purchases;
* ``pareto.py``       Pareto/NBD: log-likelihood, P(alive), expected purchases, and their log 2F1;
* ``gamma_gamma.py``  Gamma-Gamma: log-likelihood and gradient, expected spend;
* ``per_row.py``      the public per-row functions, whichever the model: loglik, p_alive, expected_purchases
                      (and their weighted totals over horizons, expected_purchase_totals);
* ``verdict.py``      judge, its tolerances and edges, the Hessians, _best_proper, runaway_reason;
* ``search.py``       objectives and _maximise: starts, L-BFGS-B, the polish;
* ``limits.py``       the two limits as boundary solutions: likelihoods, fits, boundary_reason;
* ``fitting.py``      fit and fit_gamma_gamma: scaling, the coarse-then-exact search, verdict, limits.

This module re-exports what the rest of the code base uses, so callers write ``from lib import
btyd`` and ``btyd.fit(...)``. A test that patches a module global (``minimize``, ``COARSE_ROWS``)
patches it in the submodule that reads it.
"""

from __future__ import annotations

from lib.btyd.bg import _bg_expected_quadrature, _bg_loglik
from lib.btyd.fitting import COARSE_ROWS, fit, fit_gamma_gamma
from lib.btyd.gamma_gamma import expected_spend
from lib.btyd.levels import _Levels
from lib.btyd.limits import boundary_reason
from lib.btyd.model import MODELS, PARAMS, Fitted, ModelName, no_dropout, published
from lib.btyd.pareto import _log_hyp2f1_next
from lib.btyd.per_row import expected_purchase_totals, expected_purchases, gg_loglik, loglik, p_alive
from lib.btyd.search import POLISH_STEPS, _analytic
from lib.btyd.verdict import (DECREMENT_TOL, EDGE_LOG, LOG_BOUND, MAX_LOG_SE, SAME_RATE_S, START_TOL, _hessian,
                              _hessian_of_values, judge, runaway_reason)

__all__ = [
    # the models, a fit, and what one predicts (lib/clv.py, benchmarks/, tests/)
    "MODELS", "PARAMS", "ModelName", "Fitted", "published", "fit", "fit_gamma_gamma", "judge", "loglik",
    "gg_loglik", "p_alive", "expected_purchases", "expected_purchase_totals", "expected_spend", "no_dropout",
    "boundary_reason", "runaway_reason",
    # constants the tests use or docs/metrics*.md quote (tests/test_docs_constants.py looks them up here)
    "COARSE_ROWS", "DECREMENT_TOL", "EDGE_LOG", "LOG_BOUND", "MAX_LOG_SE", "POLISH_STEPS", "SAME_RATE_S",
    "START_TOL",
    # private helpers tests/test_btyd.py checks directly
    "_Levels", "_analytic", "_bg_expected_quadrature", "_bg_loglik", "_hessian", "_hessian_of_values",
    "_log_hyp2f1_next",
]
