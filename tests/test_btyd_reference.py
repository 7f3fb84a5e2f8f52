"""The numerical BTYD reference (tests/btyd_reference.py) and the CDNOW test data (tests/cdnow.py)
checked against published numbers and hand-derived closed forms, so that lib/btyd/ can be
tested against the reference with confidence."""

from __future__ import annotations

import math

import polars as pl
import pytest

from tests import cdnow
from tests.btyd_reference import expected_purchases, loglik, p_alive

# Published CDNOW estimates (weeks): BG/NBD and Pareto/NBD from Fader, Hardie & Lee (2005),
# MBG/NBD as given for the same data.
BG = dict(r=0.2426, alpha=4.4136, a=0.7929, b=2.4259)
MBG = dict(r=0.5248, alpha=6.1831, a=0.8914, b=1.6140)
PARETO = dict(r=0.5533, alpha=10.5777, s=0.6063, beta=11.6699)


@pytest.fixture(scope="module")
def summary() -> pl.DataFrame:
    return cdnow.summary()


def test_cdnow_counts(summary):
    assert cdnow.load_lines().height == 6919
    assert summary.height == 2357
    assert summary["x"].sum() == 2457  # repeat purchase days, same-day purchases collapsed
    assert (summary["x"] > 0).sum() == 946 == summary["monetary"].is_not_null().sum()
    holdout = cdnow.holdout_purchases()
    assert holdout.height == 2357 and holdout["actual"].sum() == 1882
    # customer 0001 is FHL's worked example: x = 2, t_x = 30.43, T = 38.86
    first = summary.row(0, named=True)
    assert (first["customer"], first["x"]) == ("0001", 2)
    assert (round(first["t_x"], 2), round(first["T"], 2)) == (30.43, 38.86)


def test_bgnbd_fhl_worked_example():
    # FHL (2005): x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks.
    assert expected_purchases("bgnbd", BG, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def test_bgnbd_loglik_total_on_cdnow(summary):
    # FHL (2005): the maximised BG/NBD log-likelihood on the CDNOW calibration data is -9582.4.
    groups = summary.group_by("x", "t_x", "T").len()
    total = sum(n * loglik("bgnbd", BG, x, t_x, T) for x, t_x, T, n in groups.iter_rows())
    assert total == pytest.approx(-9582.4, abs=0.05)


@pytest.mark.parametrize("T", [1.0, 38.86, 80.0])
def test_p_alive_without_repeat_purchases(T):
    # BG/NBD: no dropout before the first repeat purchase, so P(alive | x = 0) = 1 exactly.
    assert p_alive("bgnbd", BG, 0, 0.0, T) == 1.0

    # MBG/NBD, x = 0: given λ, p, L = (1-p) e^(-λT) [alive] + p [dropped at time 0]. With
    # E[1-p] = b/(a+b), E[e^(-λT)] = (α/(α+T))^r =: q, P(alive) = b q / (b q + a).
    r, alpha, a, b = (MBG[k] for k in ("r", "alpha", "a", "b"))
    q = (alpha / (alpha + T)) ** r
    assert p_alive("mbgnbd", MBG, 0, 0.0, T) == pytest.approx(b * q / (b * q + a), rel=1e-9)

    # Pareto/NBD, x = 0, with α = β: L = E[e^(-λT)] E[e^(-μT)] + ∫_0^T E[e^(-λτ)] E[μ e^(-μτ)] dτ
    # = q + ∫_0^T s α^(r+s) (α+τ)^-(r+s+1) dτ = q + s/(r+s) (1 - q), q := (α/(α+T))^(r+s);
    # P(alive) = q / L.
    params = dict(r=0.5533, alpha=10.5777, s=0.6063, beta=10.5777)
    r, alpha, s = params["r"], params["alpha"], params["s"]
    q = (alpha / (alpha + T)) ** (r + s)
    want = q / (q + s / (r + s) * (1 - q))
    assert p_alive("pareto_nbd", params, 0, 0.0, T) == pytest.approx(want, rel=1e-9)
    likelihood = math.exp(loglik("pareto_nbd", params, 0, 0.0, T))
    assert likelihood == pytest.approx(q / want, rel=1e-9)
