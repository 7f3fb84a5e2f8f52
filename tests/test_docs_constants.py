"""The numbers docs/metrics.md and docs/metrics.zh.md quote from the code are the code's: every
"`NAME` = value" (a module constant) and every "`field` / `--option` (default)" (a spec default),
in the section of the report that owns them. Change a constant and this fails until both
languages say the new value."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "docs" / "metrics.md", ROOT / "docs" / "metrics.zh.md")
REPORT = re.compile(r"`report (\w+)`")
CONSTANT = re.compile(r"`([A-Z][A-Z0-9_]{2,})`\s*=\s*([0-9][0-9,.e+-]*)")
SPEC_DEFAULT = re.compile(r"`([a-z_]+)` / `--[a-z-]+`\s*[（(]([0-9][0-9,.]*)[)）]")


def number(text: str) -> float:
    return float(text.rstrip(".,:").replace(",", ""))


def sections(path: Path) -> list[tuple[str | None, str]]:
    """(report name or None, text) per `## ` section."""
    parts = re.split(r"\n(?=## )", path.read_text(encoding="utf-8"))
    return [(m.group(1) if (m := REPORT.search(part.splitlines()[0])) else None, part) for part in parts]


def owners(report: str | None) -> list[object]:
    """The modules a section's constants may come from: the report's analysis (and, for clv, the
    model maths, the backtest and the 5W1H composites built on it), then every lib module."""
    from lib import reports

    first = [reports.REPORTS[report].module] if report else []
    if report == "clv":
        first += [importlib.import_module(f"lib.{name}") for name in ("btyd", "backtest", "w5h1.why", "w5h1.who")]
    rest = [importlib.import_module(module.name) for module in pkgutil.walk_packages([str(ROOT / "lib")], "lib.")
            if not module.name.endswith("__main__")]
    return first + rest


def quoted(path: Path) -> list[tuple[str, str, str, float]]:
    """(report, kind, name, value) for every number the document quotes from the code."""
    out = []
    for report, text in sections(path):
        out += [(report or "-", "constant", name, number(value)) for name, value in CONSTANT.findall(text)]
        out += [(report or "-", "spec", name, number(value)) for name, value in SPEC_DEFAULT.findall(text)]
    return out


def actual(report: str, kind: str, name: str) -> float | None:
    if kind == "constant":
        for module in owners(None if report == "-" else report):
            if hasattr(module, name):
                return float(getattr(module, name))
        return None
    from lib import reports

    module = reports.REPORTS[report].module
    specs = [c for c in vars(module).values() if dataclasses.is_dataclass(c) and c.__name__.endswith("Spec")
             and c.__module__ == module.__name__]
    defaults = {f.name: f.default for spec in specs for f in dataclasses.fields(spec)}
    return float(defaults[name]) if name in defaults else None


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_quoted_number_is_the_codes(path):
    found = quoted(path)
    assert len(found) >= 15  # the check has something to check
    checked = [(report, name, value, actual(report, kind, name)) for report, kind, name, value in found]
    assert [row for row in checked if row[3] is None or not math.isclose(row[2], row[3], rel_tol=1e-9)] == []


def test_both_languages_quote_the_same_numbers():
    en, zh = (sorted(set(quoted(path))) for path in DOCS)
    assert en == zh


def test_the_check_sees_a_stale_number(tmp_path):
    stale = tmp_path / "metrics.md"
    stale.write_text("## Lifecycle stages (`report lifecycle`)\n\n| churned | `churn_days` / `--churn-days` (120) |\n\n"
                     "## Customer lifetime value (`report clv`)\n\n`START_TOL` = 1e-2 and `EDGE_LOG` = 16\n",
                     encoding="utf-8")
    found = quoted(stale)
    assert found == [("lifecycle", "spec", "churn_days", 120.0), ("clv", "constant", "START_TOL", 0.01),
                     ("clv", "constant", "EDGE_LOG", 16.0)]
    assert [actual(*item[:3]) == item[3] for item in found] == [False, False, True]
