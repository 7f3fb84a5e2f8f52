"""Every report on the bundled demo prints exactly what it printed when tests/data/report_snapshots.json
was written (tests/report_snapshots.py: the command lines, and `--update` after a change meant to
move numbers). A refactor or a speed-up changes no number."""

from __future__ import annotations

import json

import pytest

from tests import report_snapshots


@pytest.fixture(scope="module")
def demo_db(demo_workspace):
    return demo_workspace


def test_every_report_prints_what_it_printed(demo_db):
    db, dataset = demo_db
    expected = json.loads(report_snapshots.SNAPSHOT_FILE.read_text(encoding="utf-8"))
    commands = report_snapshots.COMMANDS
    if not report_snapshots.pinned_solvers():  # CLV's last digit may move with another scipy
        commands = tuple(command for command in commands if command[0] != "clv")
    assert set(expected) == {" ".join(command) for command in report_snapshots.COMMANDS}
    now = report_snapshots.outputs(db, dataset, commands)
    assert [command for command in now if now[command] != expected[command]] == []


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
