"""What a fit is, the vocabulary every other module of lib/btyd/ speaks: the model and parameter
names, `Fitted` (a fit's parameters, standard errors and verdict) and `published` (a paper's
estimates as one), `no_dropout` (whether a fit is its NBD limit, which picks the prediction
formulas) and the model-name check. Separate because the likelihoods, the predictions, the verdict
and the fitting all use it and none of them owns it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

ModelName = Literal["bgnbd", "mbgnbd", "pareto_nbd"]
MODELS: tuple[ModelName, ...] = ("bgnbd", "mbgnbd", "pareto_nbd")
PARAMS: dict[str, tuple[str, ...]] = {"bgnbd": ("r", "alpha", "a", "b"), "mbgnbd": ("r", "alpha", "a", "b"),
                                      "pareto_nbd": ("r", "alpha", "s", "beta"), "gamma_gamma": ("p", "q", "gamma")}
# Parameters measured in the time unit (rates' scale): they change with it, the others do not.
TIME_PARAMS = frozenset({"alpha", "beta"})
Verdict = Literal["converged", "boundary", "not_converged"]
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


def no_dropout(fitted: Fitted) -> bool:
    """The fit is the NBD limit: the mean dropout probability per purchase (BG models) or dropout
    rate per unit of time (Pareto/NBD) is nil, so P(alive) = 1 and E[Y(t)] = (r + x) t / (α + T)."""
    if fitted.model == "pareto_nbd":
        return fitted["s"] / fitted["beta"] < NO_DROPOUT
    return fitted["a"] / (fitted["a"] + fitted["b"]) < NO_DROPOUT


def _check(model: str) -> str:
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    return model
