"""The docs keep up with the code: every report has its definitions in docs/metrics.md and is
listed in the README."""

from __future__ import annotations

from pathlib import Path

from lib.__main__ import REPORTS

ROOT = Path(__file__).resolve().parents[1]


def test_every_report_is_defined_in_metrics_md():
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    missing = [name for name in REPORTS if f"(`report {name}`" not in text]
    assert missing == []


def test_every_report_is_in_the_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in REPORTS if f"`{name}`" not in text]
    assert missing == []
