"""Every page renders through Streamlit's AppTest on a small workspace, in both languages."""

from __future__ import annotations


import pytest

from tests.conftest import app, import_csv, page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_shows_the_kpis(workspace, lang):
    # The overview's KPI window defaults to the last 30 days; ov_window=range asks for the whole range.
    at = app(lang, ov_window="range").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # 100 + 50 + 30 = 180 over 3 orders by 2 buyers; M1 bought twice.
    revenue, buyers, rate = ("销售额", "购买人数", "复购率") if lang == "zh" else ("Revenue (net)", "Buyers", "Repurchase rate")
    assert metrics[revenue] == "¥180.00"
    assert metrics[buyers] == "2"
    assert metrics[rate] == "50.0%"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_lists_datasets(workspace, lang):
    at = app(lang)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.dataframe[0].value.shape[0] == 1


def test_a_new_session_opens_the_latest_import_unless_the_link_names_a_dataset(workspace, tmp_path):
    # "shop" came first and sorts first; "x_later" is imported last
    import_csv(workspace, tmp_path, "x_later", "会员ID,支付时间,实付金额\nM7,2024-05-01,7\n")
    at = app("en").run()
    assert at.session_state["dataset"] == "x_later" and not at.exception
    assert app("en", dataset="shop").run().session_state["dataset"] == "shop"


@pytest.mark.parametrize("name", ["overview", "cohorts", "rfm", "w5h1", "lifecycle", "member"])
def test_a_dataset_without_orders_says_so_on_every_analysis_page(workspace, tmp_path, name):
    # NPS answers only (a valid import): there is nothing to analyse yet, and no filter is to blame.
    import_csv(workspace, tmp_path, "survey", "会员ID,提交答卷时间,推荐评分\nM1,2024-01-10,9\n", kind="nps")
    at = page(name, "en", dataset="survey")
    assert [i.value for i in at.info] == ["This dataset has no orders yet: upload an order export on the Import "
                                          "data page."]
    assert not at.get("plotly_chart")


def test_member_lists_show_money_and_probabilities_alike_on_every_page():
    from lib.tables import number_formats

    formats = {header: config["type_config"]["format"]
               for header, config in number_formats({"member_id": "会员ID", "monetary": "消费金额",
                                                     "recent_spend": "近 90 天消费", "p_alive": "存活概率",
                                                     "frequency": "消费频次"}).items()}
    # ids and counts keep Streamlit's own format; money is ¥1,234.50; a probability 12.3 %
    assert formats == {"消费金额": "¥%,.2f", "近 90 天消费": "¥%,.2f", "存活概率": "percent"}


def test_every_page_url_is_its_file_name():
    """A first visit straight to /cohorts finds pages/cohorts.py before the app's router has run
    in the server (Streamlit's pages/-folder mode; lib.ui.open_store then runs the router around
    it), so each st.Page's url_path must be its file's name, and every file in pages/ a page."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    tree = ast.parse((root / "lib" / "ui.py").read_text(encoding="utf-8"))
    pages = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            path = Path(node.args[0].value)
            url = next((k.value.value for k in node.keywords if k.arg == "url_path"), None)
            pages[path.as_posix()] = url
    assert sorted(pages) == sorted(f"pages/{p.name}" for p in (root / "pages").glob("*.py"))
    assert {path: url for path, url in pages.items() if url not in (None, Path(path).stem)} == {}
    assert [path for path, url in pages.items() if url is None] == ["pages/overview.py"]  # the default page


def test_cached_results_are_handed_out_as_copies(workspace):
    # The analysis cache keeps results themselves (no pickled copy per view): what a page does with
    # a result must not reach the cache, and a second call is answered from it.
    import polars as pl

    from lib import kpis, member360, ui
    from lib.filters import Filters

    ds = workspace.dataset("shop")
    member = workspace.query(f"SELECT min(member_id) AS m FROM {ds.table('orders')}")["m"][0]
    first = ui.compute(member360.profile, ds, member, Filters())
    first["member_tier"] = "changed by a page"
    assert ui.compute(member360.profile, ds, member, Filters())["member_tier"] != "changed by a page"
    frame = ui.compute(kpis.run, ds, kpis.KpiSpec())
    frame.insert_column(0, pl.Series("junk", [0] * frame.height))
    again = ui.compute(kpis.run, ds, kpis.KpiSpec())
    assert "junk" not in again.columns and again.columns == frame.columns[1:]
    assert again is not ui.compute(kpis.run, ds, kpis.KpiSpec())  # each caller its own handle


def test_derived_counts_come_from_the_cached_frame_and_are_cached_themselves(workspace):
    # The lifecycle page counts stages from one cached run(): the derived counts equal the analysis's
    # own, and a second call is answered from the cache (the same object before it is handed out).
    from lib import lifecycle, ui

    ds = workspace.dataset("shop")
    now = ((lifecycle.run, lifecycle.LifecycleSpec()),)
    counts = ui.derived(lifecycle.summary_of, ds, now)
    assert counts.equals(lifecycle.summary(workspace, ds))
    assert ui.derived(lifecycle.funnel_of, ds, now).equals(lifecycle.funnel(workspace, ds))
    before = ui._derived(ui._name(lifecycle.summary_of), ds.name, ui.stamp(ds),
                         ((ui._name(lifecycle.run), (lifecycle.LifecycleSpec(),)),), ())
    again = ui._derived(ui._name(lifecycle.summary_of), ds.name, ui.stamp(ds),
                        ((ui._name(lifecycle.run), (lifecycle.LifecycleSpec(),)),), ())
    assert before is again


def _long_member_list(rows: int) -> None:
    """An app script: one member list of `rows` members."""
    import polars as pl

    from lib import tables

    tables.member_table(pl.DataFrame({"member_id": [f"m{i:04d}" for i in range(rows)]}), key="long")


@pytest.mark.parametrize("rows, excel_disabled", [(12, False), (30, True)])
def test_a_long_member_list_shows_its_first_rows_and_says_so(rows, excel_disabled, monkeypatch):
    # Only the first rows are sent to the browser (a stage of 10M lines holds a million members);
    # the caption says how many there are; Excel is refused past its row limit (CSV still works).
    # The limits are lowered for the test (AppTest runs the script in this process).
    from streamlit.testing.v1 import AppTest

    from lib import tables

    monkeypatch.setattr(tables, "SHOWN_ROWS", 10)
    monkeypatch.setattr(tables, "EXCEL_MAX_ROWS", 20)
    at = AppTest.from_function(_long_member_list, args=(rows,)).run()
    assert not at.exception
    assert at.dataframe[0].value["member_id"].to_list() == [f"m{i:04d}" for i in range(10)]
    assert [c.value for c in at.caption] == [f"显示前 10 位，共 {rows:,} 位；下载包含全部。"]
    buttons = {b.key: b for b in at.get("download_button")}
    assert buttons["long_xlsx"].proto.disabled is excel_disabled and buttons["long_csv"].proto.disabled is False


def link_notice(at) -> list[str]:
    """The notice at the top of the page of what the link asked for in vain (none: [])."""
    return [w.value for w in at.main.warning if w.proto.icon == ":material/link_off:"]


def test_a_link_to_a_dataset_that_is_not_there_says_so_and_opens_the_latest(workspace, tmp_path):
    import_csv(workspace, tmp_path, "x_later", "会员ID,支付时间,实付金额\nM7,2024-05-01,7\n")
    at = app("en", dataset="nope").run()
    assert not at.exception and at.session_state["dataset"] == "x_later"  # the latest, not the first by name
    assert link_notice(at) == ["Parts of this link could not be used: dataset “nope” does not exist (renamed or "
                               "deleted?), so “x\\_later” is shown."]
    # a name planted in the link is shown as typed (lib.formatting.markdown_text): no image, no link
    planted = "![x](http://host/u.png) [Sign in](http://host/p)"
    at = app("zh", dataset=planted).run()
    escaped = "\\!\\[x\\]\\(http\u2060\\:\\/\\/host\\/u\\.png\\) \\[Sign in\\]\\(http\u2060\\:\\/\\/host\\/p\\)"
    assert link_notice(at) == [f"链接中有些内容未能使用：数据集「{escaped}」不存在（可能已改名或删除），已打开「x\\_later」。"]


def test_a_link_with_values_dates_and_options_that_are_not_there_says_which_in_one_notice(workspace):
    # "shop" (DEMO_ORDERS): orders 2024-01-05 to 2024-02-05, channels 门店 and 天猫
    at = page("cohorts", "en", dataset="shop", channel=["天猫", "京东"], start="2023-06-01", end="2024-13-40",
              coh_period="fortnight")
    assert link_notice(at) == [
        "Parts of this link could not be used: start date 2023-06-01 is outside the data (2024-01-05 to "
        "2024-02-05), so 2024-01-05 is used; end date “2024\\-13\\-40” is not a date (write 2024-01-31); Channel "
        "“京东” is not in this dataset; “Cohort period” has no option “fortnight”, so the default is used."]
    # what could be used, is: the channel that exists, the dates in range; the options' defaults
    assert at.sidebar.multiselect(key="flt_channel").value == ["天猫"]
    assert at.query_params["channel"] == "天猫" and "coh_period" not in at.query_params
    # said once: the next run (a click) has nothing more to say
    at.run()
    assert link_notice(at) == []


def test_a_link_that_is_all_there_says_nothing(workspace):
    at = page("cohorts", "zh", dataset="shop", channel="天猫", start="2024-01-10")
    assert link_notice(at) == [] and at.sidebar.multiselect(key="flt_channel").value == ["天猫"]


def test_a_link_to_filters_the_dataset_does_not_have_an_end_before_its_start_and_a_missing_member(workspace):
    # "shop" has channels and categories but no store or region
    at = page("cohorts", "zh", dataset="shop", store="静安店", region="华东", start="2024-02-01", end="2024-01-10")
    assert link_notice(at) == ["链接中有些内容未能使用：筛选「门店」此数据集中没有；筛选「区域」此数据集中没有；"
                               "结束日期 2024-01-10 早于开始日期 2024-02-01，已改为同一天。"]
    assert "store" not in at.query_params and "region" not in at.query_params
    at = page("member", "en", dataset="shop", m360_member="M")  # no member "M": M1 and M2 match the search
    assert link_notice(at) == ["Parts of this link could not be used: member “M” is not there, so “M1” is shown."]


def test_a_dataset_deleted_meanwhile_is_not_blamed_on_a_link(workspace, tmp_path):
    import_csv(workspace, tmp_path, "x_later", "会员ID,支付时间,实付金额\nM7,2024-05-01,7\n")
    at = app("en", dataset="shop").run()
    workspace.delete_dataset("shop")  # in another tab
    at.run()
    assert link_notice(at) == [] and at.session_state["dataset"] == "x_later"
    assert [w.value for w in at.sidebar.warning] == [
        "The dataset you were looking at, “shop”, was renamed or deleted (in another tab?); showing “x\\_later”."]


def test_a_member_id_or_dataset_name_copied_off_a_page_still_matches(workspace, tmp_path):
    from lib.formatting import WORD_JOINER

    import_csv(workspace, tmp_path, "a@b", "会员ID,支付时间,实付金额\nli@shop.cn,2024-05-01,7\n")
    at = page("member", "en", dataset=f"a{WORD_JOINER}@b", m360_member=f"li{WORD_JOINER}@shop.cn")
    assert link_notice(at) == [] and at.session_state["dataset"] == "a@b"
    assert at.query_params["m360_member"] == "li@shop.cn"
