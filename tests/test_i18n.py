from __future__ import annotations

from lib.i18n import LABELS, t


def test_every_label_has_both_languages():
    missing = [key for key, (zh, en) in LABELS.items() if not zh.strip() or not en.strip()]
    assert missing == []


def test_placeholders_are_filled():
    assert t("data_span", "en", start="2024-01-01", end="2026-10-31") == "Data from 2024-01-01 to 2026-10-31 (data end)"


def test_no_label_key_is_defined_twice():
    """Across the label tables (lib/i18n/__init__.py and one per page) and within each dict literal,
    where Python would silently keep the last of two same keys."""
    import ast
    from pathlib import Path

    import lib.i18n
    from lib.i18n import DUPLICATES

    assert DUPLICATES == []
    twice = []
    for path in sorted(Path(lib.i18n.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                twice += [f"{path.name}: {k}" for k in sorted(set(keys)) if keys.count(k) > 1]
    assert twice == []


def test_sentences_follow_each_other_as_each_language_writes_them():
    from lib.i18n import sentences

    assert sentences(("模型没有收敛。", None, "可以换一个模型。"), "zh") == "模型没有收敛。可以换一个模型。"
    assert sentences(("The fit failed.", "", "Try another model."), "en") == "The fit failed. Try another model."
