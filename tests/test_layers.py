"""The layers hold: the analyses and the data layer never import the presentation libraries, and
pages never hold SQL. (Only lib/ui.py, lib/tables.py and lib/access_gate.py talk to Streamlit; only lib/charts/ draws
with plotly.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRESENTATION = ("streamlit", "plotly")


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_lib_outside_ui_and_charts_never_imports_streamlit_or_plotly():
    allowed = {ROOT / "lib" / "ui.py", ROOT / "lib" / "tables.py", ROOT / "lib" / "access_gate.py",
               *(ROOT / "lib" / "charts").glob("*.py")}
    offenders = {str(path.relative_to(ROOT)): sorted(imported_roots(path) & set(PRESENTATION))
                 for path in sorted((ROOT / "lib").rglob("*.py")) if path not in allowed}
    assert {path: libs for path, libs in offenders.items() if libs} == {}


def test_the_check_sees_an_import(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("import numpy\nfrom plotly import graph_objects\nimport streamlit as st\n", encoding="utf-8")
    assert imported_roots(planted) & set(PRESENTATION) == {"plotly", "streamlit"}


def test_pages_hold_no_sql():
    keywords = ("SELECT ", "GROUP BY", "FROM order_lines", "JOIN ")
    offenders = [f"{path.name}: {word.strip()}" for path in sorted((ROOT / "pages").rglob("*.py"))
                 for word in keywords if word in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_readme_layout_names_every_module():
    """README's layout section lists every lib module and package, so it shows the tree as it is."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("\napp.py "):]
    layout = layout[:layout.index("```")]
    names = [f"lib/{p.name}/" for p in sorted((ROOT / "lib").iterdir()) if p.is_dir() and (p / "__init__.py").exists()]
    names += [p.name for p in sorted((ROOT / "lib").glob("*.py")) if p.name != "__init__.py"]
    assert [name for name in names if name not in layout] == []


def test_every_chart_is_drawn_through_show_chart():
    """lib.ui.show_chart shows a chart's data values as text (issue 16): no page calls plotly_chart."""
    offenders = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "pages").rglob("*.py"))
                 if "plotly_chart(" in path.read_text(encoding="utf-8")]
    assert offenders == []
