"""Text -> typed values, as DuckDB SQL over a staging table (no Python loop over rows).

Each field type has a SQL expression built from the positional column name (`c3`) and a few
per-column choices decided once from the whole column (`ColumnFormat`):
- dates: day-first or month-first for `05/01/2024`, decided by whether any first number is > 12
  (then day-first), else any second number > 12 (month-first), else day-first; ISO, `2024/1/5
  13:05`, `2024年1月5日`, `20240105`, `2024-01` (a month), Excel serial days, Unix seconds or
  milliseconds. A time zone suffix is dropped: times are taken as written.
- amounts: currency signs and words (every word of lib.currency's table: ￥ ¥ $ HK$ € £ RMB 元 港元 …), spaces and apostrophes as digit
  groups, `(12.00)` and trailing minus as negative; the decimal mark is `,` when the column's
  values end in `,d` / `,dd` more often than in `.d…` (`1 299,50`), else `.` (`￥1,299.00`).
- discounts given as a share paid (`0.95`, `8折`, `9.5折`) instead of an amount are detected
  per column and turned into the amount taken off: paid × (1 / share − 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from lib import currency
from lib.contract import FieldType

# Formats tried, in order, for a date or timestamp; the `%d/%m` family is chosen per column.
_YEAR_FIRST = [
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M",
    "%Y.%m.%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y%m%d %H:%M:%S",
    "%Y%m%d", "%Y-%m", "%Y/%m", "%Y年%m月", "%Y%m",
]


def _day_month(day_first: bool) -> list[str]:
    a, b = ("%d", "%m") if day_first else ("%m", "%d")
    out = []
    for sep in "/-.":
        stem = f"{a}{sep}{b}{sep}%Y"
        out += [f"{stem} %H:%M:%S", f"{stem} %H:%M", f"{stem} %I:%M:%S %p", f"{stem} %I:%M %p", stem]
    return out


SHARE_HEADERS = ("折扣", "折扣率")  # headers under which a bare 0.95 is the share paid
MIN_YEAR, MAX_YEAR = 1970, 2100
DECIDE_ROWS = 200_000  # per-column choices (day order, decimal mark) read this many rows
FORMAT_ROWS = 2_000  # the fast-path date format is picked from this many values  # outside: a mis-read date (Excel's day 0 is 1899-12-30)
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 25569, 73051  # 1970-01-01 .. 2099-12-31 as Excel days

# A cell a CSV we write may begin with = + - @ tab or CR only when it is a number (OWASP's CSV
# injection rule): anything else gets a ' before it, so a spreadsheet shows it as text instead of
# running it as a formula (lib/formatting.py csv_safe; ml_csv_safe below, for the rejects file).
# Both as RE2 and Python patterns, with no quote in them (they go into SQL literals).
CSV_FORMULA_START = r"[=+@\t\r-]"
CSV_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"

# Macros shared by the expressions below; created on the staging connection.
MACROS = r"""
CREATE OR REPLACE TEMP MACRO ml_text(v) AS
    nullif(CASE -- the ' a CSV we wrote put before a formula-like cell (ml_csv_safe): taken off again,
                -- then the spaces the cell had (a rejects file holds cells as they were: '\t=v, '=w )
                WHEN left(v, 1) = chr(39) AND regexp_matches(v, '^.{CSV_FORMULA_START}')
                THEN trim(substr(v, 2), '{SPACES}')
                WHEN contains('{SPACES}', left(v, 1)) OR contains('{SPACES}', right(v, 1))
                THEN trim(v, '{SPACES}')
                ELSE v END, '');
CREATE OR REPLACE TEMP MACRO ml_csv_safe(v) AS
    CASE WHEN regexp_matches(v, '^{CSV_FORMULA_START}') AND NOT regexp_full_match(v, '{CSV_NUMBER}')
         THEN chr(39) || v ELSE v END;
CREATE OR REPLACE TEMP MACRO ml_num_body(v) AS
    regexp_replace(ml_text(v), '{CURRENCY_WORDS}|[\s\x{3000}\x{00a0}\x{202f}'']', '', 'gi');
CREATE OR REPLACE TEMP MACRO ml_negative(b) AS
    regexp_matches(b, '^\(.*\)$|^[-−]|[-−]$');
CREATE OR REPLACE TEMP MACRO ml_digits(b, decimal_comma) AS
    CASE WHEN decimal_comma
         THEN replace(replace(regexp_replace(b, '[()+\-−]', '', 'g'), '.', ''), ',', '.')
         ELSE replace(regexp_replace(b, '[()+\-−]', '', 'g'), ',', '') END;
CREATE OR REPLACE TEMP MACRO ml_number(v, decimal_comma) AS
    CASE WHEN regexp_full_match(ml_digits(ml_num_body(v), decimal_comma), '[0-9]+(\.[0-9]*)?|\.[0-9]+')
         THEN (CASE WHEN ml_negative(ml_num_body(v)) THEN -1 ELSE 1 END)
              * TRY_CAST(ml_digits(ml_num_body(v), decimal_comma) AS DECIMAL(38,6)) END;
CREATE OR REPLACE TEMP MACRO ml_ts_text(v) AS
    regexp_replace(regexp_replace(ml_text(v), '^([0-9]{4}-[0-9]{2}-[0-9]{2})T', '\1 '),
                   '([0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)\s*(Z|[+-][0-9]{2}:?[0-9]{2})$', '\1');
CREATE OR REPLACE TEMP MACRO ml_ts_numeric(v) AS
    CASE WHEN regexp_full_match(ml_text(v), '[0-9]{5}(\.[0-9]+)?')
              AND TRY_CAST(ml_text(v) AS DOUBLE) BETWEEN 25569 AND 73051
         THEN TIMESTAMP '1899-12-30' + to_microseconds(round(TRY_CAST(ml_text(v) AS DOUBLE) * 86400e6)::BIGINT)
         WHEN regexp_full_match(ml_text(v), '1[0-9]{9}')
         THEN make_timestamp(TRY_CAST(ml_text(v) AS BIGINT) * 1000000)
         WHEN regexp_full_match(ml_text(v), '1[0-9]{12}')
         THEN make_timestamp(TRY_CAST(ml_text(v) AS BIGINT) * 1000) END;
"""


@dataclass(frozen=True)
class ColumnFormat:
    """Choices made once per source column from all its values."""

    day_first: bool = True
    has_day_month_dates: bool = False  # values like 05/01/2024, where the order matters
    date_format: str | None = None  # the format most values have: tried first (speed only)
    decimal_comma: bool = False
    discount_is_share: bool = False
    integral_floats: bool = False  # ids written as 17850.0 (a float column of the exporting tool)


# Trimmed around text values: ASCII white space, no-break space, the full-width (ideographic) space.
SPACES = " \t\n\x0b\x0c\r\u00a0\u3000"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    # The characters go into the SQL literal as themselves (SQL strings have no escapes). ml_text
    # only trims values that start or end with one of them: trim with a set is 4x slower than
    # the test, and most values need nothing.
    words = "|".join(re.escape(word) for word in currency.words())  # ours: no quote in them
    con.execute(MACROS.replace("{SPACES}", SPACES).replace("{CURRENCY_WORDS}", words)
                .replace("{CSV_FORMULA_START}", CSV_FORMULA_START).replace("{CSV_NUMBER}", CSV_NUMBER))


_OWN_NAME = re.compile(r"[a-z][a-z0-9_]*")  # the staging names we generate (raw_0, final_1, c12)


def check_own_names(*names: str) -> None:
    """Names that go into SQL text must be the staging names we generate (raw_0, final_1, c12),
    never a header, file name or value from a file: those stay in tables or bound parameters."""
    for name in names:
        if not _OWN_NAME.fullmatch(name):
            raise ValueError(f"not a staging name: {name!r}")


def column_format(con: duckdb.DuckDBPyConnection, table: str, column: str, ftype: FieldType,
                  source_header: str = "") -> ColumnFormat:
    """Decide a column's date order / decimal mark / discount form from all its values.

    `table` and `column` go into the SQL text, so they must be our own generated names (staging
    table raw_N, positional column cN), never a header from the file; every value from the file
    stays in the table or is a bound parameter."""
    check_own_names(table, column)
    sample = f"(SELECT * FROM {table} ORDER BY rowid LIMIT {DECIDE_ROWS})"
    if ftype == "id":
        # Every value a whole number, some written as floats (UCI's CustomerID 17850.0): read as
        # 17850, so a members file keyed 17850 meets the same member. 1.38E+10 is not one of them.
        floats, others = con.sql(f"""
            SELECT count(*) FILTER (WHERE regexp_full_match(v, '[0-9]+\\.0+')),
                   count(*) FILTER (WHERE NOT regexp_full_match(v, '[0-9]+(\\.0+)?'))
            FROM (SELECT ml_text({column}) AS v FROM {sample}) WHERE v IS NOT NULL""").fetchall()[0]
        return ColumnFormat(integral_floats=bool(floats) and not others)
    if ftype in ("timestamp", "date"):
        pattern = "'^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-][0-9]{4}'"
        first, second = con.sql(f"""
            SELECT max(TRY_CAST(regexp_extract(v, {pattern}, 1) AS INTEGER)),
                   max(TRY_CAST(regexp_extract(v, {pattern}, 2) AS INTEGER))
            FROM (SELECT ml_text({column}) AS v FROM {sample})""").fetchall()[0]
        day_first = not ((first or 0) <= 12 and (second or 0) > 12)
        formats = _YEAR_FIRST + _day_month(day_first)
        hits = con.sql(f"""
            SELECT {', '.join(f"count_if(try_strptime(v, '{f}') IS NOT NULL)" for f in formats)}
            FROM (SELECT ml_ts_text({column}) AS v FROM {table} WHERE ml_text({column}) IS NOT NULL
                  ORDER BY rowid LIMIT {FORMAT_ROWS})""").fetchall()[0]
        hits = [h or 0 for h in hits]  # an empty column counts nothing
        best = max(range(len(formats)), key=lambda i: hits[i])
        return ColumnFormat(day_first=day_first, has_day_month_dates=first is not None,
                            date_format=formats[best] if hits[best] else None)
    if ftype in ("money", "number", "integer", "score"):
        comma, dot = con.sql(f"""
            SELECT count_if(regexp_matches(b, ',[0-9]{{1,2}}$')),
                   count_if(regexp_matches(b, '\\.[0-9]+$') AND NOT regexp_matches(b, ',[0-9]{{1,2}}$'))
            FROM (SELECT ml_num_body({column}) AS b FROM {sample})""").fetchall()[0]
        decimal_comma = (comma or 0) > (dot or 0)
        share = False
        if ftype == "money":
            # A 折扣 column may hold the share paid (0.95, 8折) rather than money off: values with
            # 折 or % say so anywhere; bare fractions only under a Chinese 折扣 header (an English
            # "Discount" of 0.50 is fifty cents).
            share = con.sql(f"""
                SELECT count(*) > 0 AND (count_if(regexp_matches(v, '折|%')) > 0
                       OR ($bare AND min(ml_number(v, $dc)) > 0 AND max(ml_number(v, $dc)) <= 1))
                FROM (SELECT ml_text({column}) AS v FROM {sample}) WHERE v IS NOT NULL""",
                params={"bare": source_header.strip() in SHARE_HEADERS, "dc": decimal_comma}).fetchall()[0][0]
        return ColumnFormat(decimal_comma=decimal_comma, discount_is_share=bool(share))
    return ColumnFormat()


def _sql_list(formats: list[str]) -> str:
    # Our own constant format strings; none contains a quote.
    return "[" + ", ".join(f"'{f}'" for f in formats) + "]"


def _has_separator(date_format: str | None) -> bool:
    """Whether a format has a character besides its %-directives (`/`, `-`, `:`, a space, 年): any
    text it reads has one, so it is never one of ml_ts_numeric's all-digit forms."""
    return bool(date_format) and re.search(r"[^%A-Za-z]", date_format) is not None


def timestamp_sql(column: str, fmt: ColumnFormat, fast: bool = True) -> str:
    every = _YEAR_FIRST + _day_month(fmt.day_first) + _day_month(not fmt.day_first)
    if fmt.date_format is not None and fmt.date_format not in every:
        # It goes into the SQL text: only one of our own constant formats may (column_format picks them).
        raise ValueError(f"not one of the date formats: {fmt.date_format!r}")
    formats = _sql_list(_YEAR_FIRST + _day_month(fmt.day_first))
    usual = f"try_strptime(ml_ts_text({column}), '{fmt.date_format}'), " if fmt.date_format else ""
    full = (f"coalesce(ml_ts_numeric({column}), {usual}"
            f"try_strptime(ml_ts_text({column}), {formats})::TIMESTAMP)")
    if fast and _has_separator(fmt.date_format):
        # Speed only: most values are in the column's usual format as written, and a CASE only
        # evaluates its ELSE for the other rows (the clean-up regexes cost 9x a plain parse).
        # Same values: a text the usual format reads has its separator, so it is not one of
        # ml_ts_numeric's all-digit forms, and the clean-up would not have changed it.
        raw = f"try_strptime({column}, '{fmt.date_format}')"
        return f"CASE WHEN {raw} IS NOT NULL THEN {raw} ELSE {full} END"
    return full


def value_sql(column: str, ftype: FieldType, fmt: ColumnFormat, fast: bool = True) -> str:
    """SQL giving the typed value of `column` (NULL when empty or unreadable). `fast=False`:
    without the fast paths for plain values (the tests check both give the same values)."""
    if ftype == "id" and fmt.integral_floats:  # only a whole value of that form: 17850.0 → 17850
        return f"regexp_replace(ml_text({column}), '^([0-9]+)\\.0+$', '\\1')"
    if ftype in ("id", "text"):
        return f"ml_text({column})"
    if ftype in ("timestamp", "date"):
        ts = timestamp_sql(column, fmt, fast)
        guarded = f"CASE WHEN year({ts}) BETWEEN {MIN_YEAR} AND {MAX_YEAR} THEN {ts} END"
        return guarded if ftype == "timestamp" else f"({guarded})::DATE"
    if ftype == "gender":
        return (f"CASE WHEN lower(ml_text({column})) IN ('男', 'm', 'male', '1', '先生', 'man') THEN 'M' "
                f"WHEN lower(ml_text({column})) IN ('女', 'f', 'female', '2', '女士', 'woman') THEN 'F' END")
    # TRY_CAST: a value too large for its type is unreadable (a rejected row), not a crash.
    # Plain numbers (most values) take a cast; the text clean-up runs only for the rest. Not with
    # a decimal comma, where the cast would read 1.299 as one and a bit.
    def as_type(n: str) -> str:
        """The field's value from the number `n` (SQL)."""
        if ftype == "money":
            return f"TRY_CAST({n} AS DECIMAL(18,2))"
        if ftype == "number":
            return f"TRY_CAST({n} AS DOUBLE)"
        if ftype in ("integer", "score"):
            return f"CASE WHEN {n} = floor({n}) THEN TRY_CAST({n} AS INTEGER) END"
        raise ValueError(ftype)

    if fmt.decimal_comma:
        return as_type(f"ml_number({column}, true)")
    full = as_type(f"coalesce(TRY_CAST({column} AS DECIMAL(38,6)), ml_number({column}, false))")
    if not fast:
        return full
    # Speed only: a plain number that fits DECIMAL(18,6) (12 whole digits) is the same value as
    # through DECIMAL(38,6) and rounds the same way to its type, without 128-bit arithmetic (7x
    # faster); a CASE evaluates the full expression only for the other rows.
    plain = f"TRY_CAST({column} AS DECIMAL(18,6))"
    return f"CASE WHEN {plain} IS NOT NULL THEN {as_type(plain)} ELSE {full} END"


def discount_share_sql(column: str) -> str:
    """The share paid from `0.95`, `95%`, `8折`, `9.5折`, `85折`."""
    v = f"ml_text({column})"
    zhe = f"TRY_CAST(regexp_extract({v}, '([0-9]+(\\.[0-9]+)?)\\s*折', 1) AS DOUBLE)"
    pct = f"TRY_CAST(regexp_extract({v}, '([0-9]+(\\.[0-9]+)?)\\s*%', 1) AS DOUBLE)"
    return (f"CASE WHEN contains({v}, '折') THEN (CASE WHEN {zhe} >= 10 THEN {zhe} / 100 ELSE {zhe} / 10 END) "
            f"WHEN contains({v}, '%') THEN {pct} / 100 "
            f"ELSE ml_number({column}, false)::DOUBLE END")
