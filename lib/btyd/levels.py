"""Summary rows as their distinct values and an index (`_Levels`: one column; `_Pairs`: Pareto/NBD's
(x, u) pairs), so that a likelihood or a prediction computes its expensive terms (gammaln, 2F1)
once per distinct value and gathers them per row. Separate because all three purchase models and
Gamma-Gamma evaluate on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


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
    x with T, never on all three; every model's E[Y(t) | alive] depends on x and T only."""

    x: np.ndarray
    u: np.ndarray
    index: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, u: np.ndarray) -> _Pairs:
        # x + iu: numpy sorts complex numbers by real then imaginary part, so this is the unique of
        # (x, u) rows, and a 1-D sort is several times faster than np.unique(axis=0).
        pairs, index = np.unique(np.asarray(x, dtype=float) + 1j * np.asarray(u, dtype=float), return_inverse=True)
        return cls(pairs.real.copy(), pairs.imag.copy(), index.reshape(-1))
