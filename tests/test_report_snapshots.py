"""Every report on the bundled demo prints exactly what it printed when tests/data/report_snapshots.json
was written (tests/report_snapshots.py: the command lines, and `--update` after a change meant to
move numbers). A refactor or a speed-up changes no number."""

from __future__ import annotations


import pytest

from tests import report_snapshots


@pytest.fixture(scope="module")
def demo_db(demo_workspace):
    return demo_workspace


def test_every_report_prints_what_it_printed(demo_db):
    db, dataset = demo_db
    expected = report_snapshots.read_snapshots()
    commands = report_snapshots.COMMANDS
    if not report_snapshots.pinned_solvers():  # CLV's last digit may move with another scipy
        commands = tuple(command for command in commands if not report_snapshots.by_value(command[0]))
    assert set(expected) == {" ".join(command) for command in report_snapshots.COMMANDS}
    now = report_snapshots.outputs(db, dataset, commands)
    assert [command for command in now if not report_snapshots.same(command, expected[command], now[command])] == []


def test_the_snapshot_sees_a_changed_number(demo_db, monkeypatch):
    """A report whose output moves by one value is caught: KPI AOV nudged by a cent."""
    import polars as pl

    from dataclasses import replace

    from lib import reports

    db, dataset = demo_db
    honest = report_snapshots.outputs(db, dataset, (("kpis",),))
    real = reports.REPORTS["kpis"]
    monkeypatch.setitem(reports.REPORTS, "kpis", replace(real, table=lambda *a: real.table(*a).with_columns(
        pl.when(pl.col("metric") == "aov").then(pl.col("value") + 0.01).otherwise(pl.col("value")).alias("value"))))
    assert report_snapshots.outputs(db, dataset, (("kpis",),)) != honest


def test_a_clv_report_is_compared_by_value_within_a_cpus_rounding():
    kept = "exit 0\nmember_id,p_alive,predicted_clv,expected_next_date\nM1,0.9937,3.59,2025-02-08\n"
    same = report_snapshots.same
    assert same("clv", kept, kept.replace("3.59", "3.60"))             # a cent: one unit of the last digit
    assert same("clv", kept, kept.replace("2025-02-08", "2025-02-09"))  # a day
    assert not same("clv", kept, kept.replace("3.59", "3.61"))         # two cents
    assert not same("clv", kept, kept.replace("0.9937", "0.9939"))
    assert not same("clv", kept, kept.replace("M1", "M2"))
    assert not same("clv", kept, kept + "M3,0.5,1.00,2025-01-01\n")
    assert not same("kpis", kept, kept.replace("3.59", "3.60"))        # other reports: exactly
    params = "r,3.826796054763099\n"
    assert same("clv --params", params, "r,3.8267960547631\n")
    assert not same("clv --params", params, "r,3.8268\n")
