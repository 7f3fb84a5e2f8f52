"""Every chart each analysis page draws when it opens, on the bundled demo, in both languages: a
title, a title on every cartesian axis, Chinese words in Chinese and English words in English.

Data values (channel names such as 天猫, categories such as 奶粉, member tiers) may appear in
titles of both languages: an English label may hold Chinese only where it is one of the dataset's
values or of the chart's own trace names and categories. Charts drawn only after a control is
switched (e.g. the price heatmap by revenue) are covered by their page's own tests.
"""

from __future__ import annotations

import re

import pytest

from lib.filters import filter_options
from lib.samples import SAMPLE_DATASET
from tests.conftest import figures, page

CJK = re.compile(r"[\u3400-\u9fff]")
CARTESIAN = {"bar", "scatter", "heatmap", "box", "histogram"}
# (page file, URL parameters): every analysis page, and each 5W1H section
VIEWS = [("overview", {}), ("cohorts", {}), ("rfm", {}), ("lifecycle", {}), ("member", {}),
         *[("w5h1", {"w5h1": section}) for section in ("why", "what", "who", "when", "products", "where")]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """An app workspace holding only the bundled demo (sample_data/), built once for the module."""
    from lib import ui

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEMBERLENS_DB", str(tmp_path_factory.mktemp("demo") / "app.duckdb"))
        ui.clear_analysis_cache()
        ui.shared_store.clear()
        store = ui.shared_store()  # loads sample_data/ into the new workspace
        yield store
        ui.clear_analysis_cache()
        ui.shared_store.clear()
        store.close()


def data_values(spec: dict) -> set[str]:
    """The text values a figure draws from the data: trace names, categories, labels."""
    found: set[str] = set()
    for trace in spec["data"]:
        for key in ("name", "x", "y", "labels", "ids", "text"):
            value = trace.get(key)
            values = value if isinstance(value, list) else [value]
            found |= {v for v in values if isinstance(v, str)}
    return found


def without(text: str, values: set[str]) -> str:
    """`text` with every data value cut out, longest first (so 天猫旗舰店 goes before 天猫)."""
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "")
    return text


def labels(spec: dict) -> list[tuple[str, str]]:
    """(where, text) of a figure's title and of the title of every visible cartesian axis its
    traces draw on (x2 -> layout.xaxis2)."""
    layout = spec["layout"]
    found = [("title", (layout.get("title") or {}).get("text") or "")]
    axes = sorted({f"{side}axis{trace.get(side + 'axis', side)[1:]}" for trace in spec["data"]
                   if trace.get("type", "scatter") in CARTESIAN for side in ("x", "y")})
    for axis in axes:
        settings = layout.get(axis) or {}
        if settings.get("visible", True):
            found.append((axis, (settings.get("title") or {}).get("text") or ""))
    return found


@pytest.mark.parametrize("name,params", VIEWS, ids=["-".join([n, *p.values()]) for n, p in VIEWS])
def test_every_chart_is_labelled_in_both_languages(demo, name, params):
    specs = {lang: figures(page(name, lang, **params)) for lang in ("zh", "en")}
    charts = {lang: [labels(spec) for spec in found] for lang, found in specs.items()}
    assert charts["zh"], f"{name} {params}: no chart on the demo"
    known = {v for values in filter_options(demo, demo.find(SAMPLE_DATASET)).values() for v in values}
    assert len(charts["zh"]) == len(charts["en"])
    problems = []  # (chart, what is wrong, where): every chart checked before failing
    for zh, en, en_spec in zip(charts["zh"], charts["en"], specs["en"]):
        chart = zh[0][1]
        values = known | data_values(en_spec)
        problems += [(chart, "Chinese in English", where) for where, text in en if CJK.search(without(text, values))]
        assert [where for where, _ in zh] == [where for where, _ in en], chart
        problems += [(chart, "empty", where) for where, text in zh + en if not text.strip()]
        problems += [(chart, "no Chinese", where) for where, text in zh if text.strip() and not CJK.search(text)]
        problems += [(chart, "same in English", where) for (where, text_zh), (_, text_en) in zip(zh, en)
                     if text_zh.strip() and text_zh == text_en]
    assert not problems, "\n".join(map(str, problems))
