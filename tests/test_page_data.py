"""Import data page through AppTest: uploads (AppTest's file_uploader.set_value), kinds guessed from
the headers, the mapping editor, the validation summary, a failed import, the dataset list
(rename, delete) and the metric definitions. Workspace: the `workspace` fixture ("shop")."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, as_shown, page

ORDERS = ("会员ID,订单号,支付时间,实付金额,渠道\n"
          "N1,X1,2024-03-01,120,门店\n"
          "N1,X2,2024-03-09,\"¥1,299.00\",天猫\n"
          "N2,X3,2024-03-05,abc,天猫\n").encode("gb18030")      # a GBK export; X3's amount cannot be read
MEMBERS = "会员ID,性别,会员等级\nN1,女,金卡\nN9,男,普通\n".encode("utf-8-sig")
SPEND = "月份,渠道,营销费用\n2024-03,天猫,5000\n".encode()
NPS = "会员ID,提交答卷时间,推荐评分\nN1,2024-03-10,9\n".encode()
ODD = "客户,时间,钱\nN1,2024-03-01,10\n".encode()                # headers nobody recognises


def data_page(lang: str = "zh"):
    return page("data", lang)


def upload(at, *files: tuple[str, bytes]):
    at.file_uploader[0].set_value([(name, content, "text/csv") for name, content in files]).run()
    assert not at.exception
    return at


def kinds(at) -> list[str]:
    return [s.value for s in at.selectbox if s.key and s.key.startswith("data_kind_")]


def test_upload_preview_mapping_save_and_summary(workspace):
    at = upload(data_page(), ("orders_march.csv", ORDERS), ("members.csv", MEMBERS), ("spend.csv", SPEND),
                ("nps.csv", NPS))
    assert kinds(at) == ["orders", "members", "spend", "nps"]   # guessed from the headers
    # each file: how it was read and its first rows
    # how it was read, in Chinese (the command line prints "CSV, gb18030, delimiter ','")
    assert "识别为：CSV，gb18030，分隔符 ',' · 5 列" in [as_shown(c.value) for c in at.caption]
    assert [d.value.shape for d in at.dataframe[:4]] == [(3, 5), (2, 3), (1, 3), (1, 3)]
    # the mapping editor is pre-filled by auto-detection
    mapping = [(s.label, s.value) for s in at.selectbox if s.key and s.key.startswith("data_map_")]
    assert mapping[:7] == [("会员ID", "member_id"), ("渠道", "channel"), ("订单号", "order_id"),  # a grid of 4 columns
                           ("支付时间", "order_date"), ("实付金额", "amount"),
                           ("会员ID", "member_id"), ("性别", "gender")]
    # the private copies live in this session's folder until saved
    copies = [Path(p) for p in at.session_state["data_files"].values()]
    assert all(p.exists() for p in copies)
    session_folder = at.session_state["data_tmp"].folder
    assert at.text_input(key=f"data_new_name_{at.file_uploader[0].value[0].file_id}").value == "orders_march"

    at.button(key="data_save").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # 3 order rows (1 rejected: 'abc') + 2 member rows + 1 spend row + 1 NPS answer
    assert (metrics["读取行数"], metrics["导入成功行数"], metrics["导入失败行数"]) == ("7", "6", "1")
    assert as_shown(at.success[0].value).startswith("已导入数据集「orders_march」：现有 2 位会员、2 笔订单。")
    per_file = at.dataframe[0].value
    assert per_file["文件"].to_list() == ["orders_march.csv", "members.csv", "nps.csv", "spend.csv"]  # orders first
    assert per_file["导入失败行数"].to_list() == [1, 0, 0, 0]
    assert [as_shown(b.label) for b in at.get("download_button")] == ["下载失败数据：orders_march.csv"]
    assert at.session_state["dataset"] == "orders_march"    # the sidebar now shows the new dataset
    assert not any(p.exists() for p in copies)               # saved: the private copies are gone,
    assert not session_folder.exists()                       # and the session's folder with them
    counts = workspace.table_counts(workspace.dataset("orders_march"))
    assert (counts["order_lines"], counts["members_source"], counts["nps"], counts["spend"]) == (2, 2, 1, 1)
    assert at.file_uploader[0].value == []                   # a fresh uploader for the next files


def test_an_upload_whose_folder_was_swept_is_copied_again_on_save(workspace):
    at = upload(data_page(), ("orders_march.csv", ORDERS))
    session_folder = at.session_state["data_tmp"].folder
    shutil.rmtree(session_folder)  # the folder went while the session sat idle (a tidy-up of the temp dir)
    at.button(key="data_save").click().run()
    assert not at.exception and not at.error
    # the uploader still holds the file, so the save copies it again: 3 rows, 'abc' rejected
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["读取行数"], metrics["导入成功行数"], metrics["导入失败行数"]) == ("3", "2", "1")
    assert workspace.table_counts(workspace.dataset("orders_march"))["order_lines"] == 2


def test_a_required_field_left_unmapped_blocks_saving_until_mapped(workspace):
    at = upload(data_page("en"), ("odd.csv", ODD))
    assert at.button(key="data_save").disabled
    assert any("no column is mapped to the required field(s)" in w.value for w in at.warning)
    maps = [s for s in at.selectbox if s.key and s.key.startswith("data_map_")]
    for box, field in zip(maps, ["member_id", "order_date", "amount"]):
        box.set_value(field)
    at.run()
    assert not at.warning and not at.button(key="data_save").disabled
    at.button(key="data_save").click().run()
    assert {m.label: m.value for m in at.metric}["Rows loaded"] == "1"
    assert workspace.find("odd") is not None


def test_a_name_taken_or_a_field_mapped_twice_blocks_saving_then_replace(workspace):
    at = upload(data_page(), ("shop.csv", ORDERS))
    assert at.button(key="data_save").disabled                          # "shop" exists
    assert any("已有名为「shop」的数据集" in as_shown(w.value) for w in at.warning)
    at.radio(key="data_target_mode").set_value("existing").run()       # add to it instead
    assert not at.button(key="data_save").disabled
    first_column = next(s for s in at.selectbox if s.key and s.key.startswith("data_map_") and s.key.endswith("_0"))
    first_column.set_value("order_id").run()
    assert any("「订单号」被映射了 2 次（列：会员ID, 订单号）" in as_shown(w.value) for w in at.warning)
    assert at.button(key="data_save").disabled
    first_column.set_value("member_id").run()
    # replace: the file's orders take the place of the dataset's orders
    at.checkbox(key="data_replace").check().run()
    at.button(key="data_save").click().run()
    assert not at.exception
    assert workspace.table_counts(workspace.dataset("shop"))["order_lines"] == 2   # the 3 demo lines replaced


@pytest.mark.parametrize("lang,first,currency,again,nothing_new", [
    ("zh", "订单：新增 2，更新 0，未变 0。\n会员：新增 2，更新 0，未变 0。",
     "• 金额以 ¥ CNY 显示（由文件中的金额或表头识别）；可在「数据集列表」中更改",
     "订单：新增 0，更新 0，未变 2。\n会员：新增 0，更新 0，未变 2。", "这些文件中没有新内容：数据集保持不变。"),
    ("en", "Orders: 2 new, 0 updated, 0 unchanged.\nMembers: 2 new, 0 updated, 0 unchanged.",
     "• Amounts are shown in ¥ CNY (named by the file's amounts or header); change it under Datasets",
     "Orders: 0 new, 0 updated, 2 unchanged.\nMembers: 0 new, 0 updated, 2 unchanged.",
     "Nothing in these files was new: the dataset is unchanged.")])
def test_the_same_files_saved_twice_are_counted_once(workspace, lang, first, currency, again, nothing_new):
    at = upload(data_page(lang), ("march.csv", ORDERS), ("members.csv", MEMBERS))
    at.button(key="data_save").click().run()
    # a new dataset takes its currency from the file (a Chinese amount header: yuan) and says so, once
    assert [t.value for t in at.text] == [first, currency] and not at.info
    version = workspace.dataset("march").version
    at = upload(at, ("march.csv", ORDERS), ("members.csv", MEMBERS))
    at.radio(key="data_target_mode").set_value("existing").run()
    at.selectbox(key="data_existing_name").set_value("march").run()
    at.button(key="data_save").click().run()
    assert not at.exception
    assert [t.value for t in at.text] == [again]
    assert [i.value for i in at.info] == [nothing_new]
    counts = workspace.table_counts(workspace.dataset("march"))
    assert (counts["order_lines"], counts["orders"], counts["members_source"]) == (2, 2, 2)  # nothing twice
    assert workspace.dataset("march").version == version


def test_an_upload_with_a_very_long_name_saves(workspace):
    long_name = "华东区门店订单明细导出" * 10 + ".csv"  # 110 characters, 334 bytes: no file system takes it
    at = upload(data_page("en"), (long_name, ORDERS))
    at.text_input(key=f"data_new_name_{at.file_uploader[0].value[0].file_id}").set_value("east").run()
    at.button(key="data_save").click().run()
    assert not at.exception
    assert workspace.table_counts(workspace.dataset("east"))["order_lines"] == 2  # X3's amount is rejected


def test_a_failed_import_says_nothing_changed(workspace):
    bad = "会员ID,支付时间,实付金额\nN1,not a date,10\nN2,也不是,20\n".encode()
    at = upload(data_page(), ("bad.csv", bad))
    at.button(key="data_save").click().run()
    assert not at.exception
    # in the page's language, the field by its label, the value as written
    assert as_shown(at.error[0].value).startswith("导入「bad.csv」失败：没有一行可以导入（2 行失败；第一个原因："
                                        "下单/支付时间：无法把「not a date」识别为日期）；数据集未做任何更改；失败数据：")
    assert any("所有文件都没有导入" in m.value for m in at.markdown)
    assert workspace.find("bad") is None
    assert at.file_uploader[0].value[0].name == "bad.csv"     # kept, so the user can fix and retry
    assert [as_shown(b.label) for b in at.get("download_button")] == ["下载失败数据：bad.csv"]


def test_a_failure_in_any_file_saves_none_of_them(workspace):
    masked = "会员ID,性别\n138****5678,女\n".encode()          # a masked phone cannot identify a member
    before = (workspace.table_counts(workspace.dataset("shop")), workspace.dataset("shop").version)
    at = upload(data_page(), ("members_masked.csv", masked), ("new_orders.csv", ORDERS))
    at.radio(key="data_target_mode").set_value("existing").run()       # into "shop"
    at.button(key="data_save").click().run()
    assert not at.exception
    # the orders file is good, the members file is not: one transaction, so neither is saved
    assert as_shown(at.error[0].value).startswith("导入「members_masked.csv」失败：没有一行可以导入（1 行失败；第一个原因："
                                        "会员ID「138****5678」被打码，无法区分会员）")
    assert (workspace.table_counts(workspace.dataset("shop")), workspace.dataset("shop").version) == before
    assert [as_shown(b.label) for b in at.get("download_button")] == ["下载失败数据：members_masked.csv"]
    # both files stay, to be fixed and saved again together
    assert [u.name for u in at.file_uploader[0].value] == ["members_masked.csv", "new_orders.csv"]
    assert at.button(key="data_save").label == "保存 2 个文件"


def test_how_the_files_were_read_follows_the_language(workspace):
    decimal_comma = "会员ID;支付时间;金额\nM1;2024-01-05;1.299,50\n".encode()
    at = upload(data_page(), ("eu.csv", decimal_comma))
    at.button(key="data_save").click().run()
    assert any("• eu.csv：「金额」以逗号作小数点（1 299,50 = 1299.50）" in t.value.splitlines() for t in at.text)
    at.sidebar.radio(key="lang_radio").set_value("en").run()            # the summary stays, now in English
    assert not at.exception
    assert any("• eu.csv: 金额 uses a decimal comma (1 299,50 = 1299.50)" in t.value.splitlines() for t in at.text)


@pytest.mark.parametrize("lang,warning", [
    ("zh", "「survey」还没有订单明细：没有订单，各分析页都无从计算。请再导入订单明细到这个数据集（选择「已有数据集」）。"),
    ("en", ("“survey” has no order lines yet: without orders no analysis page has anything to compute. Import an "
            "orders file into this dataset (choose “Existing dataset”)."))])
def test_a_dataset_saved_without_orders_says_nothing_can_be_analysed_yet(workspace, lang, warning):
    at = upload(data_page(lang), ("survey.csv", NPS), ("spend.csv", SPEND))
    at.button(key="data_save").click().run()
    assert not at.exception
    # 1 NPS answer + 1 spend row saved into the new dataset "survey", which holds no order line
    assert workspace.table_counts(workspace.dataset("survey"))["order_lines"] == 0
    assert [w.value for w in at.warning] == [warning]
    # a dataset with orders says nothing of the kind
    at = upload(data_page(lang), ("orders_march.csv", ORDERS))
    at.button(key="data_save").click().run()
    assert not at.warning


def test_temp_folders_an_older_version_left_are_swept_by_a_save(workspace, tmp_path, monkeypatch):
    """(lib.ingest.sweep_temp_folders runs at the app's start and at each import; its cases by owner
    and age are tests/test_ingest.py's.)"""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))           # this test's own temp dir
    old, fresh, other = (tmp_path / "memberlens-upload-old", tmp_path / "memberlens-upload-fresh",
                         tmp_path / "someone-else-old")
    for folder in (old, fresh, other):
        (folder / "f1").mkdir(parents=True)
    two_days_ago = time.time() - 2 * 24 * 3600
    for folder in (old, other):
        os.utime(folder, (two_days_ago, two_days_ago))
    at = upload(data_page(), ("orders_march.csv", ORDERS))
    at.button(key="data_save").click().run()
    assert not at.exception
    # only our prefix, only a day old without an owner: another program's folder and a live one stay
    assert (old.exists(), fresh.exists(), other.exists()) == (False, True, True)


def test_rename_and_delete_a_dataset(workspace):
    at = data_page()
    listed = at.dataframe[0].value
    assert listed["数据集"].to_list() == ["shop"] and listed["订单行数"].to_list() == [3]
    # counts with thousands separators (88,634, not 88634)
    formats = {name: c["type_config"]["format"] for name, c in json.loads(at.dataframe[0].proto.columns).items()
               if "type_config" in c}
    assert formats == dict.fromkeys(["订单行数", "订单数", "会员数", "NPS 答卷", "营销费用行"], "localized")
    at.text_input(key="data_rename_shop_0").set_value("门店数据").run()
    at.button(key="data_rename_button").click().run()
    assert not at.exception
    assert [d.name for d in workspace.datasets()] == ["门店数据"]
    assert at.session_state["dataset"] == "门店数据"
    assert at.success[0].value == "已将「shop」重命名为「门店数据」。"

    assert at.button(key="data_delete_button").disabled                # not without the confirmation
    at.checkbox(key="data_confirm_门店数据_1").check().run()
    at.button(key="data_delete_button").click().run()
    assert not at.exception
    assert workspace.datasets() == []
    assert at.session_state["dataset"] is None
    assert "还没有数据集。请在「导入数据」中上传文件。" in [i.value for i in at.main.info]


@pytest.mark.parametrize("lang,doc_name,kpis", [("en", "metrics.md", "KPIs (`report kpis`)"),
                                                  ("zh", "metrics.zh.md", "核心指标 KPI (`report kpis`)")])
def test_the_metric_definitions_render_in_the_user_language(workspace, lang, doc_name, kpis):
    at = data_page(lang)
    doc = (ROOT / "docs" / doc_name).read_text(encoding="utf-8")
    headings = [line[3:].strip() for line in doc.splitlines() if line.startswith("## ")]
    assert [e.label for e in at.expander if e.label in headings] == headings   # one collapsible section each
    assert kpis in headings
    assert any("repurchase_rate" in m.value for m in at.markdown)
    assert [t.label for t in at.tabs][2] == ("Metric definitions" if lang == "en" else "指标定义")
