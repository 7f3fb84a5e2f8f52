"""The members behind every number add up to it, for every analysis in the registry
(lib/reports.py REPORTS): each (cell, n) that `cells()` lists has exactly n members behind it
(`members()` rows, or the sum of the module's CELL_WEIGHT column where one member can stand for
several, e.g. a pair bought in two baskets) — on the bundled demo, with default options and under a
filter. The analyses' own test files check named cells on hand-built fixtures; this checks that
no analysis's members() drifts from its counts on real-shaped data."""

from __future__ import annotations

import random

import pytest

from lib import reports
from lib.filters import Filters
from lib.store import Store

# Cells checked per analysis and scope: the largest, the smallest non-zero, an empty one and a
# seeded sample (a cohort triangle alone has hundreds of cells).
SAMPLE = 6
SCOPES = {"all": Filters(), "门店": Filters.of(channel="门店")}


def chosen(counted: list[tuple[object, int]]) -> list[tuple[object, int]]:
    if len(counted) <= SAMPLE:
        return counted
    by_size = sorted(counted, key=lambda c: c[1])
    picks = [by_size[-1], next((c for c in by_size if c[1] > 0), by_size[0]), by_size[0]]
    rest = [c for c in counted if c not in picks]
    return picks + random.Random(13).sample(rest, min(SAMPLE - len(picks), len(rest)))


@pytest.fixture(scope="module")
def demo(demo_workspace):
    db, name = demo_workspace
    with Store(db, read_only=True) as store:
        yield store, store.find(name)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("name", reports.REPORTS)
def test_members_add_up_to_every_cell(demo, name, scope):
    store, ds = demo
    report = reports.REPORTS[name]
    spec = report.spec(SCOPES[scope])
    counted = report.module.cells(store, ds, spec)
    assert counted, f"{name}: no cells on the demo"
    weight = getattr(report.module, "CELL_WEIGHT", None)
    for cell, n in chosen(counted):
        behind = report.module.members(store, ds, spec, cell)
        assert (behind[weight].sum() if weight else behind.height) == n, (name, scope, cell)


def test_the_check_sees_a_cell_that_does_not_add_up(demo, monkeypatch):
    """A members() that loses one member is caught."""
    from lib import cohorts

    store, ds = demo
    honest = cohorts.members
    monkeypatch.setattr(cohorts, "members", lambda *args: honest(*args).slice(1))
    with pytest.raises(AssertionError):
        test_members_add_up_to_every_cell(demo, "cohorts", "all")
