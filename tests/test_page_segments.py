"""Saved segments through AppTest, on the bundled demo (its "at risk" RFM segment has 1,908 buyers):
a manager saves the segment under the RFM member list, filters the Retention page by it, compares
it with the pre-churn list and exports it with predicted CLV (issue 17's "done when"), in both
languages; a name in use asks before replacing; a link naming no segment says so; and names are
shown as typed, never as markup."""

from __future__ import annotations

import io
import re
import shutil

import polars as pl
import pytest

from lib import clv, cohorts, rfm, segments
from lib.filters import Filters
from lib.store import Store
from lib.w5h1 import who
from tests.conftest import figures, page

AT_RISK = {"zh": "流失风险 10月", "en": "At risk, Oct"}


@pytest.fixture
def demo(demo_workspace, tmp_path, monkeypatch):
    """The app on a copy of the demo workspace (this test writes segments into it)."""
    from lib import ui

    db, name = demo_workspace
    copy = tmp_path / "demo.duckdb"
    shutil.copy(db, copy)
    monkeypatch.setenv("MEMBERLENS_DB", str(copy))
    ui.clear_analysis_cache()
    ui.shared_store.clear()
    store = ui.shared_store()
    yield store, store.dataset(name)
    ui.clear_analysis_cache()
    ui.shared_store.clear()
    store.close()


def first_month_column(at) -> tuple[list, list]:
    """(cohort labels, the month-1 cells of the settled triangle) of the cohorts page."""
    heat = next(f for f in figures(at) if any(t["type"] == "heatmap" for t in f["data"]))
    done = next(t for t in heat["data"] if t["type"] == "heatmap")
    return list(done["y"]), [row[1] for row in done["z"]]


def save_from_rfm(lang: str, name: str, replace: bool = False):
    at = page("rfm", lang)
    at.radio(key="rfm_drill").set_value("segment").run()
    at.selectbox(key="rfm_drill_segment").set_value("at_risk").run()
    at.text_input(key="rfm_members_segment_name").set_value(name).run()
    if replace:
        at.checkbox(key="rfm_members_segment_replace").check().run()
    at.button(key="rfm_members_segment_save").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_save_filter_compare_and_export_the_at_risk_segment(demo, lang):
    store, ds = demo
    name = AT_RISK[lang]
    at = save_from_rfm(lang, name)
    assert len(at.success) == 1 and "1,908" in at.success[0].value
    saved = segments.get(store, name)
    expected = rfm.members(store, ds, rfm.RfmSpec(), rfm.RfmCell(segment="at_risk"))["member_id"].to_list()
    assert saved.members == 1908 and segments.snapshot(store, saved)["member_id"].to_list() == expected

    # the Retention page filtered by it: the triangle is the cohorts of these 1,908 members alone
    at = page("cohorts", lang, segment=name)
    assert at.sidebar.selectbox(key="flt_segment").value == name
    member_set, _ = segments.scope(store, ds, saved, "live")
    by_hand = cohorts.run(store, ds, cohorts.CohortSpec(Filters.of(segment=member_set)))
    assert int(by_hand.filter(pl.col("period") == 0)["cohort_size"].sum()) == 1908
    # the triangle's month-1 column is these members' month-1 retention, cohort by cohort
    labels, month_1 = first_month_column(at)
    rates = {c.strftime("%Y-%m"): (rate if complete else None) for c, rate, complete in
             by_hand.filter(pl.col("period") == 1).select("cohort", "rate", "complete").rows()}
    assert month_1 == [rates.get(label) for label in labels] and any(month_1)
    assert first_month_column(page("cohorts", lang)) != (labels, month_1)  # unfiltered, it differs

    # the Segments page: its overlap with the pre-churn list, and the export with predicted CLV
    at = page("segments", lang, seg=name)
    pre_churn = who.pre_churn(store, ds, clv.ClvSpec())["member_id"]
    both = len(set(expected) & set(pre_churn))
    metrics = {m.label: m.value for m in at.metric}
    in_both = "两者都在" if lang == "zh" else "In both"
    assert metrics[in_both] == f"{both:,}" and both > 0
    at.multiselect(key="seg_export_columns").set_value(["member_id", "stage", "predicted_clv"]).run()
    assert not at.exception
    frame = segments.export(store, ds, member_set, ("member_id", "stage", "predicted_clv"))
    table = at.dataframe[-1].value
    assert len(table) == 1908 and list(table.iloc[:, 0]) == frame["member_id"].to_list()
    clv_header = next(c for c in table.columns if c.startswith("预测 CLV" if lang == "zh" else "Predicted CLV"))
    assert [round(v, 2) for v in table[clv_header]] == frame["predicted_clv"].to_list()


def test_a_name_in_use_asks_before_replacing(demo):
    store, _ = demo
    save_from_rfm("en", "mine")
    first = segments.get(store, "mine")
    at = page("rfm", "en")
    at.radio(key="rfm_drill").set_value("segment").run()
    at.selectbox(key="rfm_drill_segment").set_value("lost").run()
    at.text_input(key="rfm_members_segment_name").set_value("mine").run()
    assert "already exists" in at.warning[0].value
    assert at.button(key="rfm_members_segment_save").disabled
    at.checkbox(key="rfm_members_segment_replace").check().run()
    at.button(key="rfm_members_segment_save").click().run()
    replaced = segments.get(store, "mine")
    assert replaced.id == first.id and replaced.definition != first.definition  # replaced in place


def test_a_link_to_a_segment_that_is_not_there_says_so(demo):
    at = page("overview", "en", segment="gone")
    assert any("segment “gone” is not there" in w.value for w in at.warning)
    assert "segment" not in at.query_params


def test_a_deleted_dataset_keeps_its_segments_snapshot(demo):
    store, ds = demo
    save_from_rfm("en", "kept")
    store.delete_dataset(ds.name)
    at = page("segments", "en")
    table = at.dataframe[0].value
    assert table["Status"].tolist() == ["Dataset deleted; the saved list remains"]
    assert len(at.dataframe[-1].value) == 1908  # the export: the ids saved


def test_names_show_as_typed(demo):
    store, ds = demo
    name = "**bold** <img src=x> [a](http://b.example) :red[x]"
    segments.save(store, ds, name, segments.Definition.of(rfm.members, rfm.RfmSpec(), rfm.RfmCell(segment="lost")))
    at = page("segments", "en", seg=name)
    assert not at.exception
    bodies = [m.value for m in at.markdown] + [m.label for m in at.metric] + [w.value for w in at.warning]
    raw = re.compile(r"(?<!\\)(\*\*|<img|\]\(|:red\[)")  # a trigger without its escape
    for body in bodies:
        assert not raw.search(body), body
    assert any("\\*\\*bold\\*\\*" in b for b in bodies)  # shown, escaped
    assert at.dataframe[0].value.iloc[0, 0] == name  # table cells are plain text


def test_the_command_line_saves_lists_exports_and_filters_by_a_segment(demo_workspace, tmp_path, capsys):
    from lib.__main__ import main

    db, name = demo_workspace
    copy = tmp_path / "demo.duckdb"
    shutil.copy(db, copy)
    assert main(["segment", "save", "risk", "--db", str(copy), "--dataset", name, "--analysis", "rfm",
                 "--cell", "segment=at_risk"]) == 0
    assert '"members": 1908' in capsys.readouterr().out
    assert main(["segment", "save", "risk", "--db", str(copy), "--dataset", name, "--analysis", "rfm",
                 "--cell", "segment=lost"]) == 1
    assert "already exists; pass --replace" in capsys.readouterr().err
    assert main(["report", "kpis", "--db", str(copy), "--dataset", name, "--segment", "risk"]) == 0
    kpi_rows = dict(pl.read_csv(io.StringIO(capsys.readouterr().out)).select("metric", "value").rows())
    assert kpi_rows["buyers"] == 1908
    out = tmp_path / "risk.xlsx"
    assert main(["segment", "export", "risk", "--db", str(copy), "--columns", "member_id,predicted_clv",
                 "--format", "xlsx", "--out", str(out)]) == 0
    sheet = pl.read_excel(out)
    assert sheet.columns == ["member_id", "predicted_clv"] and sheet.height == 1908
    assert main(["segment", "list", "--db", str(copy)]) == 0
    assert '"name": "risk"' in capsys.readouterr().out
    assert main(["segment", "delete", "risk", "--db", str(copy)]) == 0
    assert main(["segment", "delete", "risk", "--db", str(copy)]) == 1
    assert "no segment named 'risk'" in capsys.readouterr().err
    with Store(copy, read_only=True) as store:
        assert segments.all_segments(store) == []


def test_rename_and_delete_on_the_page(demo):
    store, ds = demo
    segments.save(store, ds, "old name", segments.Definition.of(rfm.members, rfm.RfmSpec(), rfm.RfmCell(segment="lost")))
    at = page("segments", "en", seg="old name")
    at.text_input(key=f"seg_new_name_{segments.get(store, 'old name').id}").set_value("new name").run()
    at.button(key="seg_rename").click().run()
    assert not at.exception and [s.name for s in segments.all_segments(store)] == ["new name"]
    assert at.selectbox(key="seg").value == "new name"
    assert "Renamed to “new name”." in at.success[0].value
    at.checkbox(key=f"seg_sure_{segments.get(store, 'new name').id}").check().run()
    at.button(key="seg_delete").click().run()
    assert not at.exception and segments.all_segments(store) == []
    assert "Deleted segment “new name”." in [s.value for s in at.success]


def test_member_360_names_the_segment_in_its_scope(demo):
    store, ds = demo
    segments.save(store, ds, "lost ones", segments.Definition.of(rfm.members, rfm.RfmSpec(), rfm.RfmCell(segment="lost")))
    lost = segments.snapshot(store, segments.get(store, "lost ones"))["member_id"].to_list()
    outside = next(m for m in rfm.run(store, ds)["member_id"].to_list() if m not in set(lost))
    at = page("member", "en", segment="lost ones", m360_member=outside)
    words = " ".join([c.value for c in at.caption] + [i.value for i in at.info])
    assert "segment “lost ones” (Live (today's data))" in words
    assert "no orders yet" not in words  # out of the scope, not a member who never bought


def test_the_command_line_filters_only_the_segments_own_dataset(demo_workspace, tmp_path, capsys, write):
    from lib.__main__ import main
    from lib.ingest import ingest

    db, name = demo_workspace
    copy = tmp_path / "demo.duckdb"
    shutil.copy(db, copy)
    with Store(copy) as store:
        ingest(store, [write("o.csv", "member_id,order_id,order_date,amount\nM000003,X,2024-01-01,5\n")], "other")
    assert main(["segment", "save", "risk", "--db", str(copy), "--dataset", name, "--analysis", "rfm",
                 "--cell", "segment=at_risk"]) == 0
    capsys.readouterr()
    for mode in ("live", "saved"):
        assert main(["report", "kpis", "--db", str(copy), "--dataset", "other", "--segment", "risk",
                     "--segment-mode", mode]) == 1
        assert "was saved on dataset" in capsys.readouterr().err
