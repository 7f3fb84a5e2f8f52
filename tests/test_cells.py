"""One shape for every analysis in the registry (lib/reports.py REPORTS), on the bundled demo:

- run() returns exactly the module's declared SCHEMA (columns, order and types), also when nothing
  is in scope;
- the members behind every number add up to it: each (cell, n) that `cells()` lists has exactly n
  members behind it (`members()` rows, or the sum of the module's CELL_WEIGHT column where one
  member can stand for several, e.g. a pair bought in two baskets), with default options and under
  a filter — and so do the 5W1H composites that have cells (lib/w5h1/why.py);
- a cell that cannot exist is refused when it is made.

The analyses' own test files check named cells on hand-built fixtures; this checks that no
analysis's members() drifts from its counts on real-shaped data."""

from __future__ import annotations

import random

import pytest

from datetime import date

import polars as pl

from lib import (activity, cac, clv, cohorts, first_orders, kpis, lifecycle, nps, pairs, price_bands, reports,
                 repurchase, rfm)
from lib.clv import ClvSpec
from lib.filters import Filters
from lib.store import Store
from lib.w5h1 import why, who

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


# Every analysis with cells: the registry's, then the composites (module, spec class).
WITH_CELLS = {**{name: (report.module, report.spec) for name, report in reports.REPORTS.items()},
              "w5h1.why": (why, ClvSpec)}


@pytest.mark.parametrize("scope", [*SCOPES, "nowhere"])
@pytest.mark.parametrize("name", reports.REPORTS)
def test_run_returns_the_declared_schema(demo, name, scope):
    store, ds = demo
    report = reports.REPORTS[name]
    filters = SCOPES.get(scope, Filters.of(channel="nowhere"))
    assert report.module.run(store, ds, report.spec(filters)).schema == pl.Schema(report.module.SCHEMA)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("name", WITH_CELLS)
def test_members_add_up_to_every_cell(demo, name, scope):
    store, ds = demo
    module, spec_class = WITH_CELLS[name]
    spec = spec_class(SCOPES[scope])
    counted = module.cells(store, ds, spec)
    assert counted, f"{name}: no cells on the demo"
    weight = getattr(module, "CELL_WEIGHT", None)
    for cell, n in chosen(counted):
        behind = module.members(store, ds, spec, cell)
        assert (behind[weight].sum() if weight else behind.height) == n, (name, scope, cell)


@pytest.mark.parametrize("make", [
    lambda: cohorts.CohortCell(date(2024, 1, 1), -1),
    lambda: cohorts.CohortCell("2024-01-01"),
    lambda: activity.ActivityCell(date(2024, 1, 1), "churned"),
    lambda: kpis.KpiCell("revenue"),
    lambda: kpis.KpiCell("buyers", "next"),
    lambda: cac.CacCell("2024-01"),
    lambda: nps.NpsCell("门店", "fans"),
    lambda: repurchase.RepurchaseCell("sleepers"),
    lambda: repurchase.RepurchaseCell("gap"),
    lambda: rfm.RfmCell(segment="vip"),
    lambda: rfm.RfmCell(r_score=6),
    lambda: lifecycle.StageCell("sleeping"),
    lambda: lifecycle.StepCell("tenth_purchase"),
    lambda: lifecycle.MigrationCell(date(2024, 1, 1), date(2024, 6, 30), "sleeping", "churned"),
    lambda: clv.ClvCell("richest"),
    lambda: clv.ClvCell("top_clv"),
    lambda: pairs.PairCell("milk", "milk"),
    lambda: first_orders.FirstOrderCell("milk", "yes"),
    lambda: price_bands.PriceCell(0, "low"),
    lambda: price_bands.PriceCell(1, "cheap"),
    lambda: why.HistoricalCell("buyers_next_year"),
    lambda: why.BandCell(100.0, 50.0),
    lambda: who.ProfileCell("shoe_size", "42"),
])
def test_a_cell_that_cannot_exist_is_refused_when_made(make):
    with pytest.raises(ValueError):
        make()


def test_the_check_sees_a_cell_that_does_not_add_up(demo, monkeypatch):
    """A members() that loses one member is caught."""
    honest = cohorts.members
    monkeypatch.setattr(cohorts, "members", lambda *args: honest(*args).slice(1))
    with pytest.raises(AssertionError):
        test_members_add_up_to_every_cell(demo, "cohorts", "all")


def test_the_check_sees_a_column_of_another_type(demo, monkeypatch):
    monkeypatch.setitem(cohorts.SCHEMA, "cohort_size", pl.Int32)
    with pytest.raises(AssertionError):
        test_run_returns_the_declared_schema(demo, "cohorts", "all")
