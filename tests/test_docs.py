"""The docs keep up with the code: every report has its definitions in docs/metrics.md and is
listed in the README; docs/metrics.zh.md, the Chinese translation, keeps in step with it."""

from __future__ import annotations

import re
from pathlib import Path

from lib.__main__ import REPORTS

ROOT = Path(__file__).resolve().parents[1]
METRICS_EN = ROOT / "docs" / "metrics.md"
METRICS_ZH = ROOT / "docs" / "metrics.zh.md"

REPORT_REFERENCE = re.compile(r"\(`report \w+`")
CODE_SPAN = re.compile(r"`[^`\n]+`")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _headings(text: str) -> list[tuple[str, list[str]]]:
    """Every `## ` / `### ` heading in order as (level, its code spans): the titles are translated,
    their level, order and code names (`report kpis`, `lib/rfm.py`, `next_purchases` …) are not."""
    return [
        (line.split(" ", 1)[0], CODE_SPAN.findall(line))
        for line in text.splitlines()
        if line.startswith(("## ", "### "))
    ]


def test_every_report_is_defined_in_metrics_md():
    text = _read(METRICS_EN)
    missing = [name for name in REPORTS if f"(`report {name}`" not in text]
    assert missing == []


def test_every_report_is_in_the_readme():
    text = _read(ROOT / "README.md")
    missing = [name for name in REPORTS if f"`{name}`" not in text]
    assert missing == []


def test_the_chinese_definitions_have_the_same_sections_in_the_same_order():
    en, zh = _headings(_read(METRICS_EN)), _headings(_read(METRICS_ZH))
    # Counted apart first so a failure says which level drifted before the full list does.
    assert [level for level, _ in zh].count("##") == [level for level, _ in en].count("##")
    assert [level for level, _ in zh].count("###") == [level for level, _ in en].count("###")
    assert zh == en


def test_the_chinese_definitions_name_every_report_the_english_ones_do():
    en = REPORT_REFERENCE.findall(_read(METRICS_EN))
    zh = REPORT_REFERENCE.findall(_read(METRICS_ZH))
    assert [ref for ref in en if ref not in zh] == []
    assert zh == en  # same references, same order: one per section heading that has a report


def test_the_chinese_definitions_keep_every_code_name():
    # Code names (columns, options, functions, file patterns) stay untranslated, so a definition
    # added to or dropped from one file shows up as a code span only the other has.
    en = set(CODE_SPAN.findall(_read(METRICS_EN)))
    zh = set(CODE_SPAN.findall(_read(METRICS_ZH)))
    assert sorted(en - zh) == []
    assert sorted(zh - en) == []


def test_the_chinese_headings_are_translated():
    # A section pasted in English to keep the structure test green would still read English.
    en = {line for line in _read(METRICS_EN).splitlines() if line.startswith(("# ", "## ", "### "))}
    zh = {line for line in _read(METRICS_ZH).splitlines() if line.startswith(("# ", "## ", "### "))}
    assert sorted(en & zh) == []


OLD_MEMBERS_CALL = re.compile(r"`members\((?!\)|spec, |store, ds, spec, |filters, )")  # `members()` names it


def test_the_docs_show_members_with_its_one_signature():
    """members(store, ds, spec, cell) everywhere: a doc that still shows an old call such as
    `members(segment=…)` or `members(period, status)` would send a reader the wrong way."""
    for path in (METRICS_EN, METRICS_ZH, ROOT / "README.md", ROOT / "CONTRIBUTING.md"):
        assert OLD_MEMBERS_CALL.findall(_read(path)) == [], path.name
    assert OLD_MEMBERS_CALL.findall("`members(period, status)`") != []
