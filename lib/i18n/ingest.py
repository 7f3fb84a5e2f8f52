"""What an import tells its user (lib/ingest.py `Note`): how a column was read, and the step it is at.
The English text is also what the command line prints."""

LABELS: dict[str, tuple[str, str]] = {
    # how a column was read
    "ingest.order_total": ("{file}：「{column}」是整笔订单的金额，每笔订单只计一次",
                           "{file}: {column} is the order's total; counted once per order"),
    "ingest.day_first": ("{file}：「{column}」中 05/01/2024 这样的日期按日在前读取（1 月 5 日）",
                         "{file}: {column} dates like 05/01/2024 read day-first (5 January)"),
    "ingest.month_first": ("{file}：「{column}」中 05/01/2024 这样的日期按月在前读取（5 月 1 日）",
                           "{file}: {column} dates like 05/01/2024 read month-first (May 1)"),
    "ingest.emptied": ("{file}：「{column}」有 {count:,} 个值无法识别，已留空（该行照常导入），例如 {examples}",
                       "{file}: {column} had {count:,} value(s) that could not be read, left empty (the rows were "
                       "loaded), e.g. {examples}"),
    "ingest.integral_ids": ("{file}：「{column}」的编号写成了小数（如 17850.0），已按整数读取（17850）",
                            "{file}: {column} holds whole numbers written as decimals (17850.0); read as 17850"),
    "ingest.decimal_comma": ("{file}：「{column}」以逗号作小数点（1 299,50 = 1299.50）",
                             "{file}: {column} uses a decimal comma (1 299,50 = 1299.50)"),
    "ingest.discount_share": ("{file}：「{column}」是实付比例（0.95、8折），已换算为优惠金额",
                              "{file}: {column} holds the share paid (0.95, 8折); converted to the amount taken off"),
    # progress
    "ingest.reading": ("读取 {file}", "reading {file}"),
    "ingest.checking": ("检查 {file} 的数据", "checking the values of {file}"),
    "ingest.saving": ("写入数据集", "saving"),
    "ingest.done": ("完成", "done"),
}
