"""UI labels in Chinese and English (GLOSSARY.md is the source of the terms).

Common labels live here; each page keeps its own in `lib/i18n/<page>.py` as `LABELS = {key: (zh, en)}`,
merged into one table below (a key defined twice is an error, caught by tests/test_i18n.py).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: dict[Lang, str] = {"zh": "中文", "en": "English"}

LABELS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "app_title": ("memberlens 会员生命周期分析", "memberlens member lifecycle analytics"),
    "dataset": ("数据集", "Dataset"),
    "language": ("语言", "Language"),
    "no_datasets": ("还没有数据集：请在「数据导入」页上传订单明细。", "No dataset yet: upload an order export on the Import data page."),
    "section_analyse": ("分析", "Analyse"),
    "section_data": ("数据", "Data"),
    "page_overview": ("经营概览", "Overview"),
    "page_data": ("数据导入", "Import data"),
    "buyers": ("购买人数", "Buyers"),
    "orders": ("订单数", "Orders"),
    "revenue": ("销售额", "Revenue (net)"),
    "aov": ("客单价", "AOV"),
    "purchase_frequency": ("人均购买次数", "Purchase frequency"),
    "repurchase_rate": ("复购率", "Repurchase rate"),
    "order_repurchase_rate": ("订单复购率", "Order repurchase rate"),
    "new_buyers": ("新增购买人数", "New buyers"),
    "data_span": ("数据范围 {start} 至 {end}（数据截止日）", "Data from {start} to {end} (data end)"),
    "upload": ("上传文件", "Upload file"),
    "upload_help": ("CSV / Excel / Parquet；GBK、UTF-8 等编码和中文表头自动识别。",
                    "CSV / Excel / Parquet; encodings such as GBK and UTF-8 and Chinese headers are recognised."),
    "kind": ("数据类型", "File type"),
    "kind_orders": ("订单明细", "Orders"),
    "kind_members": ("会员资料", "Members"),
    "kind_nps": ("NPS 问卷", "NPS survey"),
    "kind_spend": ("营销费用", "Marketing spend"),
    "preview": ("预览", "Preview"),
    "mapping": ("字段映射", "Column mapping"),
    "read_as": ("识别为", "Read as"),
    "not_mapped": ("不导入此列", "Don't import"),
    "target_dataset": ("保存到数据集", "Save to dataset"),
    "replace": ("覆盖该数据集中同类数据", "Replace this kind of data in the dataset"),
    "save": ("保存数据集", "Save dataset"),
    "rows_read": ("读取行数", "Rows read"),
    "rows_loaded": ("导入成功行数", "Rows loaded"),
    "rows_rejected": ("导入失败行数", "Rows rejected"),
    "download_rejects": ("下载失败数据", "Download rejected rows"),
    "datasets": ("数据集列表", "Datasets"),
    "members": ("会员数", "Members"),
    "order_lines": ("订单行数", "Order lines"),
    "updated": ("更新时间", "Updated"),
    "version": ("版本", "Version"),
    "rename": ("重命名", "Rename"),
    "delete": ("删除", "Delete"),
    "new_name": ("新名称", "New name"),
    "confirm_delete": ("确认删除数据集「{name}」？此操作不可恢复。", "Delete dataset “{name}”? This cannot be undone."),
    "deleted": ("已删除", "Deleted"),
    "saved": ("已保存", "Saved"),
    "importing": ("正在导入…", "Importing…"),
    "no_orders": ("该数据集还没有订单数据：请在「数据导入」页上传订单明细。",
                  "This dataset has no orders yet: upload an order export on the Import data page."),
    "opening_workspace": ("正在打开工作区（首次启动时会载入示例数据，约需半分钟）…",
                          "Opening the workspace (the first start loads the demo data: about half a minute)…"),
    "workspace_error": ("无法打开工作区：{error}", "Cannot open the workspace: {error}"),
    "date_range": ("日期范围", "Date range"),
    "filters": ("筛选", "Filters"),
    "reset_filters": ("清除筛选", "Clear filters"),
    "channel": ("渠道", "Channel"),
    "store": ("门店", "Store"),
    "region": ("区域", "Region"),
    "city": ("城市", "City"),
    "category": ("品类", "Category"),
    "sku": ("SKU", "SKU"),
    "product_name": ("商品", "Product"),
    "member_tier": ("会员等级", "Member tier"),
    "gender": ("性别", "Gender"),
    "age_band": ("年龄段", "Age band"),
    "gender_M": ("男", "Male"),
    "gender_F": ("女", "Female"),
    "all_values": ("全部", "All"),
    "no_match": ("没有符合筛选条件的订单。请放宽筛选条件。", "No orders match these filters. Try widening them."),
    "members_behind": ("查看会员明细", "Members behind this number"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_excel": ("下载 Excel", "Download Excel"),
    "table_first_rows": ("显示前 {shown:,} 位，共 {total:,} 位；下载包含全部。",
                         "Showing the first {shown:,} of {total:,}; the downloads hold them all."),
    "excel_too_many_rows": ("超过 Excel 的 {limit:,} 行上限，请下载 CSV。",
                            "More rows than Excel's limit of {limit:,}: download the CSV."),
    "member_id": ("会员ID", "Member ID"),
    "section_5w1h": ("5W1H 分析", "5W1H"),
    "section_members": ("会员", "Members"),
    "page_cohorts": ("留存分析", "Retention"),
    "page_rfm": ("RFM 分层", "RFM"),
    "page_5w1h": ("5W1H 分析", "5W1H"),
    "page_lifecycle": ("生命周期", "Lifecycle stages"),
    "page_member": ("会员画像", "Member 360"),
    "computing": ("计算中…", "Computing…"),
    "sample_error": ("示例数据未能载入：{error}", "The demo data could not be loaded: {error}"),
    # what a link asked for and did not get: one notice, its parts joined
    "link.ignored": ("链接中有些内容未能使用：{parts}。", "Parts of this link could not be used: {parts}."),
    "link.no_such_dataset": ("数据集「{name}」不存在（可能已改名或删除），已打开「{shown}」",
                             "dataset “{name}” does not exist (renamed or deleted?), so “{shown}” is shown"),
    "dataset_gone": ("你正在看的数据集「{name}」已被改名或删除（可能在另一个标签页中），已打开「{shown}」。",
                     "The dataset you were looking at, “{name}”, was renamed or deleted (in another tab?); "
                     "showing “{shown}”."),
    "link.no_such_member": ("会员「{member}」不存在，已打开「{shown}」", "member “{member}” is not there, so “{shown}” is shown"),
    "link.no_such_filter": ("筛选「{field}」此数据集中没有", "this dataset has no {field} to filter on"),
    "link.end_before_start": ("结束日期 {end} 早于开始日期 {start}，已改为同一天",
                              "the end date {end} is before the start date {start}, so both are {start}"),
    "link.no_such_value": ("{field}「{value}」在此数据集中没有", "{field} “{value}” is not in this dataset"),
    "link.not_a_date": ("{field}「{value}」不是日期（应写作 2024-01-31）", "{field} “{value}” is not a date (write 2024-01-31)"),
    "link.date_outside": ("{field} {value} 超出数据范围（{first} 至 {last}），已改为 {shown}",
                          "{field} {value} is outside the data ({first} to {last}), so {shown} is used"),
    "link.no_such_option": ("「{field}」没有「{value}」这个选项，已用默认值",
                            "“{field}” has no option “{value}”, so the default is used"),
    "link.start": ("开始日期", "start date"),
    "link.end": ("结束日期", "end date"),
}


PAGE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    info.name: importlib.import_module(f"{__name__}.{info.name}").LABELS
    for info in pkgutil.iter_modules(__path__)
}
DUPLICATES = sorted({k for labels in PAGE_LABELS.values() for k in labels if k in LABELS}
                    | {k for a in PAGE_LABELS for b in PAGE_LABELS if a < b
                       for k in PAGE_LABELS[a] if k in PAGE_LABELS[b]})
for _labels in PAGE_LABELS.values():
    LABELS = {**LABELS, **_labels}


def t(key: str, lang: Lang, **values: object) -> str:
    """The label in `lang`, `values` filled in; {currency} (¥) and {money_unit} (（¥） / ' (¥)') are
    the shown dataset's currency (lib.currency) unless given."""
    zh, en = LABELS[key]
    text = zh if lang == "zh" else en
    if "{currency}" in text or "{money_unit}" in text:
        from lib import currency  # lib.currency builds on this module

        values = {"currency": currency.shown(), "money_unit": currency.unit(lang), **values}
    return text.format(**values) if values else text


def sentences(parts: Iterable[str | None], lang: Lang) -> str:
    """Sentences one after another, the empty ones left out: Chinese without a space between them
    (each ends with 。), English with one."""
    return ("" if lang == "zh" else " ").join(part for part in parts if part)


def members(n: int, lang: Lang) -> str:
    """A member count as words: "1 member", "2,408 members", "2,408 人"."""
    if lang == "zh":
        return f"{n:,} 人"
    return f"{n:,} member" if n == 1 else f"{n:,} members"

