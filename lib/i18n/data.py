"""Import data (数据导入) labels: upload, mapping, validation summary, dataset list, metric definitions."""

LABELS: dict[str, tuple[str, str]] = {
    "data.caption": ("上传订单明细、会员资料、NPS 问卷或营销费用，核对字段映射后保存为数据集；管理已有数据集；查看每个指标的定义。",
                     "Upload orders, members, NPS answers or marketing spend, check the column mapping and save a "
                     "dataset; manage datasets; read how every metric is defined."),
    "data.tab_import": ("导入数据", "Import"),
    "data.tab_datasets": ("数据集列表", "Datasets"),
    "data.tab_metrics": ("指标定义", "Metric definitions"),
    # upload
    "data.upload": ("上传文件（可多选）", "Upload files (several at once)"),
    "data.upload_help": ("CSV / Excel（.xlsx）/ Parquet，每个文件最大 {limit:,} MB。GBK、UTF-8（含 BOM）等编码、分隔符、"
                         "日期和金额格式以及中文表头会自动识别。上传的文件只在你的会话中可见，保存后或会话结束时即删除临时副本。",
                         "CSV / Excel (.xlsx) / Parquet, up to {limit:,} MB per file. Encodings (GBK, UTF-8 with BOM …), "
                         "delimiters, date and amount formats and Chinese headers are recognised. Uploaded files stay "
                         "private to your session; the temporary copy is removed once saved or when the session ends."),
    "data.empty_hint": ("还没有上传文件。一次可以上传多个文件，例如订单明细 + 会员资料 + NPS 问卷 + 营销费用。",
                        "No file uploaded yet. You can upload several at once, e.g. orders + members + NPS + spend."),
    "data.file_header": ("文件 {n}：{name}", "File {n}: {name}"),
    "data.kind_guess": ("数据类型（根据表头自动判断，可修改）", "File type (guessed from the headers; change it if wrong)"),
    "data.read_as": ("识别为：{read_as} · {columns} 列", "Read as: {read_as} · {columns} columns"),
    "data.read_delimiter": ("分隔符 {delimiter}", "delimiter {delimiter}"),
    "data.read_tab": ("制表符", "tab"),
    "data.read_sheet": ("工作表 {sheet}", "sheet {sheet}"),
    "data.preview": ("预览（前 {n} 行，原样显示）", "Preview (first {n} rows, as in the file)"),
    "data.preview_error": ("无法读取 {name}：{error}", "Cannot read {name}: {error}"),
    "data.mapping_help": ("为每个原始列选择对应的标准字段；不需要的列选「不导入此列」。", "Pick the field each source column holds; "
                          "choose “Don't import” for columns you do not need."),
    "data.sample_values": ("示例：{values}", "e.g. {values}"),
    "data.required_status": ("必填字段", "Required fields"),
    "data.required": ("必填", "required"),
    "data.amount_alternative": ("实付金额也可以由「数量 × 单价」计算：同时映射数量和单价即可。",
                                "Amount can also come from quantity × unit price: map both instead."),
    "data.missing_required": ("{name}：必填字段「{fields}」还没有对应的列，请在下方映射后再保存。",
                              "{name}: no column is mapped to the required field(s) {fields}; map them below before saving."),
    "data.duplicate_field": ("{name}：「{field}」被映射了 {n} 次（列：{columns}）；每个字段只能来自一列。",
                             "{name}: {field} is mapped from {n} columns ({columns}); a field takes one column."),
    # target and save
    "data.target": ("保存到", "Save to"),
    "data.target_new": ("新数据集", "New dataset"),
    "data.target_existing": ("已有数据集", "Existing dataset"),
    "data.new_name": ("新数据集名称", "New dataset name"),
    "data.existing_name": ("选择数据集", "Dataset"),
    "data.name_taken": ("已有名为「{name}」的数据集。要追加到它，请选择「已有数据集」；否则换一个名称。",
                        "A dataset named “{name}” exists. Choose “Existing dataset” to add to it, or pick another name."),
    "data.replace_help": ("勾选：先清空该数据集中与上传文件同类的数据（如订单明细），再导入。不勾选：追加导入（例如逐月导入）："
                          "已有的订单以新文件为准更新，相同的订单不会重复计算。",
                          "Ticked: first empty this kind of data (e.g. the orders) in the dataset, then load. "
                          "Unticked: add the rows (e.g. one month after another): an order already stored is "
                          "updated from the new file, and the same order is never counted twice."),
    "data.cannot_save": ("请先解决上面的问题，才能保存。", "Fix the problems above to save."),
    "data.save_n": ("保存 {n} 个文件", "Save {n} file(s)"),
    # summary
    "data.summary": ("导入结果", "Import summary"),
    "data.saved_to": ("已导入数据集「{dataset}」：现有 {members:,} 位会员、{orders:,} 笔订单。侧栏已切换到该数据集。",
                      "Saved to “{dataset}”: it now holds {members:,} members and {orders:,} orders. The sidebar "
                      "now shows this dataset."),
    "data.saved_no_orders": ("「{dataset}」还没有订单明细：没有订单，各分析页都无从计算。请再导入订单明细到这个数据集"
                             "（选择「已有数据集」）。",
                             "“{dataset}” has no order lines yet: without orders no analysis page has anything "
                             "to compute. Import an orders file into this dataset (choose “Existing dataset”)."),
    # what each part's records did on meeting the stored ones (lib/merge.py)
    "data.merged": ("{kind}：新增 {new:,}，更新 {updated:,}，未变 {unchanged:,}。",
                    "{kind}: {new:,} new, {updated:,} updated, {unchanged:,} unchanged."),
    "data.merged_orders": ("订单", "Orders"),
    "data.merged_members": ("会员", "Members"),
    "data.merged_nps": ("问卷回答", "Survey answers"),
    "data.merged_spend": ("费用记录", "Spend rows"),
    "data.merged_help": ("已存在的订单（同一会员、同一订单号）以新文件为准更新，完全相同的不会重复计算；"
                         "没有订单号的行与已有行完全相同时跳过。会员按会员ID更新（空白单元格保留原值），"
                         "问卷按会员和日期、费用按月份和渠道更新。",
                         "An order already stored (same member and order number) is updated from the new file, "
                         "and one exactly the same is never counted twice; a line without an order number that "
                         "equals a stored line is skipped. Members update by member ID (an empty cell keeps the "
                         "stored value), survey answers by member and date, spend by month and channel."),
    "data.nothing_new": ("这些文件中没有新内容：数据集保持不变。", "Nothing in these files was new: the dataset is unchanged."),
    "data.per_file": ("各文件明细", "Per file"),
    "data.col_file": ("文件", "File"),
    "data.col_mapping": ("字段映射", "Mapping"),
    "data.notes": ("识别说明", "How the files were read"),
    "data.no_rejects": ("所有行都已成功导入。", "Every row was loaded."),
    "data.rejects_help": ("失败数据保留原始列，并在 reason 列写明失败原因；改正后可重新导入。",
                          "The rejected rows keep their original columns plus a reason column; fix them and import again."),
    "data.download_rejects_file": ("下载失败数据：{name}", "Download rejected rows: {name}"),
    "data.failed": ("导入「{name}」失败：{error}", "Importing {name} failed: {error}"),
    "data.nothing_changed": ("所有文件都没有导入：这些文件一起保存，要么全部成功，要么都不保存，数据集保持原样。"
                             "修改字段映射或文件后可以重试。",
                             "None of the files was saved: they are saved together, all or none, so the dataset is "
                             "as it was. Fix the mapping or the file and try again."),
    "data.dismiss": ("关闭导入结果", "Close the summary"),
    # datasets
    "data.nps_answers": ("NPS 答卷", "NPS answers"),
    "data.spend_rows": ("营销费用行", "Spend rows"),
    "data.manage": ("管理数据集", "Manage a dataset"),
    "data.rename_to": ("新名称", "New name"),
    "data.currency": ("货币", "Currency"),
    "data.currency_help": ("金额按此货币符号显示（页面、图表、下载）。只改变显示，不做汇率换算。",
                           "Amounts are written with this currency's symbol (pages, charts, downloads). Nothing is converted."),
    "data.currency_detect": ("从文件识别（金额中的 ￥ $ £ € HK$ 或表头）", "Detect from the file (￥ $ £ € HK$ in the amounts, or the header)"),
    "data.currency_keep": ("保持数据集的货币（{current}）", "Keep the dataset's ({current})"),
    "data.currency_none": ("不显示货币符号", "No currency symbol"),
    "data.currency_apply": ("更改货币", "Change currency"),
    "data.currency_changed": ("「{name}」的金额改以 {shown} 显示。", "“{name}” now shows amounts in {shown}."),
    "data.currency_changed_none": ("「{name}」的金额改为不显示货币符号。", "“{name}” now shows amounts without a currency symbol."),
    "data.same_name": ("请先输入一个不同的新名称。", "Type a different name first."),
    "data.renamed": ("已将「{old}」重命名为「{new}」。", "Renamed “{old}” to “{new}”."),
    "data.deleted": ("已删除数据集「{name}」。", "Deleted dataset “{name}”."),
    "data.delete_confirm": ("我确认删除「{name}」及其全部数据（不可恢复）", "I confirm deleting “{name}” and all its data (cannot be undone)"),
    "data.no_datasets": ("还没有数据集。请在「导入数据」中上传文件。", "No dataset yet. Upload files under Import."),
    # metric definitions
    "data.metrics_intro": ("每个指标的确切定义，与实现一致（docs/metrics.zh.md；英文原文 docs/metrics.md）。点击标题展开。",
                           "The exact definition of every metric, as implemented. Click a heading to expand it."),
    "data.metrics_missing": ("找不到指标定义文件 {file}。", "The definitions file {file} is missing."),
    # fields (contract ids; GLOSSARY §1, §6, §8, §9)
    "data.field_member_id": ("会员ID", "Member ID"),
    "data.field_order_id": ("订单号", "Order ID"),
    "data.field_order_date": ("下单/支付时间", "Order date"),
    "data.field_amount": ("实付金额", "Amount (net paid)"),
    "data.field_quantity": ("数量", "Quantity"),
    "data.field_unit_price": ("单价", "Unit price"),
    "data.field_product_name": ("商品名称", "Product name"),
    "data.field_sku": ("SKU / 商品编码", "SKU"),
    "data.field_category": ("品类", "Category"),
    "data.field_discount": ("优惠金额", "Discount"),
    "data.field_channel": ("渠道", "Channel"),
    "data.field_store": ("门店", "Store"),
    "data.field_region": ("区域 / 省份", "Region"),
    "data.field_city": ("城市", "City"),
    "data.field_signup_date": ("注册日期", "Signup date"),
    "data.field_gender": ("性别", "Gender"),
    "data.field_birth_year": ("出生年份 / 出生日期", "Birth year"),
    "data.field_age": ("年龄", "Age"),
    "data.field_member_tier": ("会员等级", "Member tier"),
    "data.field_survey_date": ("填写日期", "Survey date"),
    "data.field_score": ("推荐评分（0–10）", "Score (0–10)"),
    "data.field_period": ("月份 / 期间", "Period"),
    "data.field_spend": ("营销费用", "Marketing spend"),
}
