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
    # why a row was rejected (lib/typed.py reason_sql: {value} is the row's own value); fields by their labels
    "ingest.no_data_rows": ("{files}：只有表头，没有数据行；数据集未做任何更改",
                            "{files}: a header but no data rows; nothing was changed"),
    "ingest.no_row_loaded": ("没有一行可以导入（{rejected:,} 行失败；第一个原因：{first}）；数据集未做任何更改；失败数据：{rejects}",
                             "no row could be loaded ({rejected:,} rejected; first reason: {first}); nothing was changed; "
                             "rejected rows: {rejects}"),
    "ingest.reason_joiner": ("；", "; "),
    "ingest.reason_unreadable": ("{field}：无法把「{value}」识别为{what}", "{field}: cannot read '{value}' as {what}"),
    "ingest.what_date": ("日期", "a date"),
    "ingest.what_amount": ("金额", "an amount"),
    "ingest.what_number": ("数字", "a number"),
    "ingest.what_whole": ("整数", "a whole number"),
    "ingest.what_score": ("0–10 的评分", "a score from 0 to 10"),
    "ingest.reason_empty": ("{field}为空", "{field} is empty"),
    "ingest.reason_masked": ("{field}「{value}」被打码，无法区分会员", "{field} '{value}' is masked and cannot tell members apart"),
    "ingest.reason_excel_number": ("{field}「{value}」被 Excel 转成了数字，请按文本导出",
                                   "{field} '{value}' was turned into a number by Excel; export it as text"),
    "ingest.reason_undecodable": ("含有不是 {encoding} 编码的字节", "has bytes that are not valid {encoding}"),
    "ingest.reason_no_amount": ("{field}：缺少数量或单价", "{field}: quantity or unit price is missing"),
    "ingest.reason_fields": ("第 {line} 行：有 {found} 个字段，表头有 {expected} 个",
                             "line {line}: {found} fields where the header has {expected}"),
    "ingest.reason_too_long": ("第 {line} 行：长 {size} 字节，每行最多 {limit} 字节",
                               "line {line}: {size} bytes long; a line may hold at most {limit}"),
    "ingest.reason_line": ("第 {line} 行：{error}", "line {line}: {error}"),
    "ingest.emptied": ("{file}：「{column}」有 {count:,} 个值无法识别，已留空（该行照常导入），例如 {examples}",
                       "{file}: {column} had {count:,} value(s) that could not be read, left empty (the rows were "
                       "loaded), e.g. {examples}"),
    "ingest.utf8_rows": ("{file}：有 {rows:,} 行是 UTF-8 编码（文件其余部分是 {encoding}），已按 UTF-8 读取，没有乱码",
                         "{file}: {rows:,} row(s) were written in UTF-8 in a {encoding} file; read as UTF-8, not as mojibake"),
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
