"""One staged file -> its judged table (lib/ingest.py step 3): every field of its kind typed with
lib/parsing.py's SQL, the rules that combine fields (amount = quantity × unit_price, an order total
counted once per order, a discount given as the share paid), and per row every reason it is
rejected (`reason`, NULL = good). How a column was read comes back as `Note`s, the labelled
messages lib/ingest.py also reports its steps with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from lib import parsing, sources
from lib.contract import FIELDS, SQL_TYPES, Field, Kind, field_type, normalise_header, without_unit
from lib.i18n import Lang, t
from lib.sources import Source

MIN_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class Note:
    """Something an import tells its user, as a label of lib/i18n/ingest.py (`ingest.<code>`) and
    the values it names; str() is the English text (what the command line prints)."""

    code: str
    values: dict[str, object] = field(default_factory=dict, hash=False)

    def text(self, lang: Lang = "en") -> str:
        return t(f"ingest.{self.code}", lang, **self.values)

    def __str__(self) -> str:
        return self.text("en")


def parse(con: duckdb.DuckDBPyConnection, src: Source, mapping: dict[str, str], kind: Kind,
          out: str, lang: Lang = "en") -> list[Note]:
    """Create table `out`: src_row, every field of `kind` typed, and `reason` (NULL = good), each
    reason in `lang`, naming the field by its label (lib/i18n/ingest.py `ingest.reason_*`).

    Only our own names reach the SQL text (the staging table, `out`, positional columns cN, the
    detected codec's name); headers and values stay in the table or in bound parameters."""
    column_of = {f: f"c{src.headers.index(h)}" for h, f in mapping.items()}
    parsing.check_own_names(src.table, out, *column_of.values())
    if src.encoding and not re.fullmatch(r"[A-Za-z0-9_-]+", src.encoding):
        raise ValueError(f"not a codec name: {src.encoding!r}")
    header_of = {f: h for h, f in mapping.items()}
    formats = {name: parsing.column_format(con, src.table, col, field_type(kind, name), header_of[name])
               for name, col in column_of.items()}
    notes: list[Note] = []
    typed, reasons, emptied = ["rowid + 1 AS src_row"], [], []
    for f in FIELDS[kind]:
        col = column_of.get(f.name)
        if col is None:
            typed.append(f"NULL::{SQL_TYPES[f.type]} AS {f.name}")
            continue
        fmt = formats[f.name]
        typed.append(f"ml_text({col}) AS t_{f.name}")
        # A discount given as the share paid is read as that share; `final` turns it into money.
        value = parsing.discount_share_sql(col) if fmt.discount_is_share else _typed_value(f, col, fmt)
        typed.append(f"{value} AS {f.name}")
        notes += _format_notes(f, header_of[f.name], fmt, src)
        reasons += _field_reasons(f, kind, lang)
        if _emptied_when_unreadable(f):
            emptied.append(f.name)
    if src.mixed_line_ends:
        notes.append(Note("line_ends", {"file": src.path.name}))
    if src.utf8_rows:
        notes.append(Note("utf8_rows", {"file": src.path.name, "rows": src.utf8_rows, "encoding": src.encoding}))
    if src.undecodable:
        every = ", ".join(f"coalesce(c{i}, '')" for i in range(len(src.headers)))
        typed.append(f"contains(concat({every}), '{sources.REPLACEMENT}') AS undecodable")
        reasons.append(f"CASE WHEN undecodable THEN {reason_sql('undecodable', lang, encoding=src.encoding)} END")
    order_level = kind == "orders" and _is_order_total(con, src, mapping, column_of, header_of,
                                                             formats.get("amount", _PLAIN).decimal_comma)
    if order_level:
        notes.append(Note("order_total", {"file": src.path.name, "column": header_of["amount"]}))
    finals = [_final_value(f, kind, mapping, formats, order_level) for f in FIELDS[kind]]
    reasons += _final_reasons(kind, set(mapping.values()), lang)
    joined = f"nullif(concat_ws({_quote(t('ingest.reason_joiner', lang))}, {', '.join(reasons)}), '')" if reasons else "NULL"
    judged = f"""
        WITH typed AS (SELECT {', '.join(typed)} FROM {src.table}),
             final AS (SELECT typed.*, {', '.join(finals)} FROM typed)
        SELECT src_row, {', '.join(f'final_{f.name} AS {f.name}' for f in FIELDS[kind])},
               {joined} AS reason{''.join(f", CASE WHEN t_{n} IS NOT NULL AND {n} IS NULL THEN t_{n} END AS emptied_{n}"
                                               for n in emptied)}
        FROM final"""
    if order_level:
        # The total counts on the order's first good line, 0 on its other lines.
        first_good = ("row_number() OVER (PARTITION BY member_id, order_id "
                      "ORDER BY reason IS NOT NULL, src_row) = 1")
        judged = (f"SELECT * REPLACE (CASE WHEN order_id IS NULL OR {first_good} THEN amount "
                  f"ELSE 0 END AS amount) FROM ({judged})")
    con.execute(f"CREATE TABLE {out} AS {judged}")  # row order is src_row's job, not the table's
    return notes + _emptied_notes(con, out, emptied, header_of, src)


def _typed_value(f: Field, col: str, fmt: parsing.ColumnFormat) -> str:
    if f.name == "birth_year":
        # 出生日期 / 生日 hold a date; 出生年份 a year.
        # A year (1990) is the common case: the date parse only runs for the other rows.
        four_digits = (f"CASE WHEN regexp_full_match(ml_text({col}), '[0-9]{{4}}(\\.0*)?') "
                       f"THEN TRY_CAST(TRY_CAST(ml_text({col}) AS DOUBLE) AS INTEGER) END")
        year = f"coalesce({four_digits}, year({parsing.timestamp_sql(col, fmt)}))"
        return f"CASE WHEN {year} BETWEEN {MIN_BIRTH_YEAR} AND year(current_date) THEN {year} END"
    if f.type == "score":
        value = parsing.value_sql(col, "score", fmt)
        return f"CASE WHEN {value} BETWEEN 0 AND 10 THEN {value} END"
    return parsing.value_sql(col, f.type, fmt)


_PLAIN = parsing.ColumnFormat()
_READABLE_AS = {"timestamp": "date", "date": "date", "money": "amount", "number": "number",
                "integer": "whole", "score": "score"}  # ingest.what_<this>: what a value should read as


EMPTIED_EXAMPLES = 3  # unreadable values of an optional column quoted in its note…
EXAMPLE_CHARS = 40  # …each cut to this many characters


def _emptied_when_unreadable(f: Field) -> bool:
    """Only required fields reject a row (SPEC): an optional value that cannot be read is left
    empty and counted (a 折扣 of 无 must not lose the order)."""
    return not f.required and (f.type in _READABLE_AS or f.name == "birth_year")


def _emptied_notes(con: duckdb.DuckDBPyConnection, out: str, emptied: list[str], header_of: dict[str, str],
                   src: Source) -> list[Note]:
    """Per optional column, how many good rows had a value that could not be read (left empty),
    with the first few distinct such values."""
    if not emptied:
        return []
    # the first few distinct values in file order, each cut short (a note is one line, whatever a cell holds)
    counts = ", ".join(f"count(emptied_{n}), list(DISTINCT left(emptied_{n}, {EXAMPLE_CHARS})) FILTER "
                       f"(WHERE emptied_{n} IS NOT NULL AND src_row <= (SELECT min(src_row) + 10000 FROM {out}))"
                       for n in emptied)
    row = con.sql(f"SELECT {counts} FROM {out} WHERE reason IS NULL").fetchall()[0]
    notes = []
    for i, name in enumerate(emptied):
        count, examples = row[2 * i], row[2 * i + 1]
        if count:
            shown = sorted(examples or [])[:EMPTIED_EXAMPLES]
            notes.append(Note("emptied", {"file": src.path.name, "column": header_of[name], "count": count,
                                          "examples": ", ".join(f"'{e}'" for e in shown)}))
    return notes


def _quote(text: str) -> str:
    """Our own text (an i18n template, a label) as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


_VALUE = "\x00value\x00"  # where a reason quotes the row's value (an SQL expression), never its text


def reason_sql(code: str, lang: Lang, value: str | None = None, **words: object) -> str:
    """The reason `ingest.reason_<code>` in `lang` as an SQL string expression: our words as
    literals, the row's value (the SQL expression `value`) concatenated in, never formatted in."""
    text = t(f"ingest.reason_{code}", lang, value=_VALUE, **words)
    parts = [_quote(part) for part in text.split(_VALUE)]
    return f" || {value} || ".join(parts) if value is not None else parts[0]


def label(name: str, lang: Lang) -> str:
    return t(f"data.field_{name}", lang)


def _field_reasons(f: Field, kind: Kind, lang: Lang) -> list[str]:
    """SQL for the reasons a mapped field rejects a row (over the `final` layer)."""
    t_value, v, field_label = f"t_{f.name}", f.name, label(f.name, lang)
    out = []
    if _emptied_when_unreadable(f):
        return out
    if f.type in _READABLE_AS and f.name != "birth_year":
        what = t(f"ingest.what_{_READABLE_AS[f.type]}", lang)
        out.append(f"CASE WHEN {t_value} IS NOT NULL AND {v} IS NULL "
                   f"THEN {reason_sql('unreadable', lang, t_value, field=field_label, what=what)} END")
    if f.required and f.name != "amount":
        out.append(f"CASE WHEN {t_value} IS NULL THEN {reason_sql('empty', lang, field=field_label)} END")
    if f.name == "member_id":
        # A cheap contains() first: it rules out nearly every row before any regex runs.
        out.append(f"CASE WHEN contains({t_value}, '***') "
                   f"THEN {reason_sql('masked', lang, t_value, field=field_label)} END")
        out.append(f"CASE WHEN contains(upper({t_value}), 'E+') AND regexp_full_match({t_value}, '[0-9.]+[eE]\\+[0-9]+') "
                   f"THEN {reason_sql('excel_number', lang, t_value, field=field_label)} END")
    return out


def _final_value(f: Field, kind: Kind, mapping: dict[str, str], formats: dict[str, parsing.ColumnFormat],
                 order_level: bool) -> str:
    """The loaded value of each field, after the rules that combine fields."""
    mapped = set(mapping.values())
    if kind == "orders" and f.name == "amount":
        computed = ("round(quantity * unit_price, 2)::DECIMAL(18,2)"
                    if {"quantity", "unit_price"} <= mapped else "NULL::DECIMAL(18,2)")
        own = "amount" if "amount" in mapped else "NULL::DECIMAL(18,2)"
        value = f"coalesce({own}, {computed})"
        if order_level:
            # An order total repeated on the order's lines (or written on one of them): every
            # line sees it here; parse keeps it on the first good line only.
            return (f"CASE WHEN order_id IS NULL THEN {value} ELSE max({value}) OVER "
                    f"(PARTITION BY member_id, order_id) END AS final_amount")
        return f"{value} AS final_amount"
    if kind == "orders" and f.name == "discount" and formats.get("discount", _PLAIN).discount_is_share:
        return ("CASE WHEN discount > 0 AND discount <= 1 THEN "
                "round(coalesce(amount, quantity * unit_price) * (1 / discount - 1), 2)"
                "::DECIMAL(18,2) END AS final_discount")
    if kind == "members" and f.name == "birth_year":
        return "coalesce(birth_year, year(current_date)::INTEGER - age) AS final_birth_year"
    return f"{f.name} AS final_{f.name}"


def _final_reasons(kind: Kind, mapped: set[str], lang: Lang) -> list[str]:
    if kind != "orders":
        return []
    amount = label("amount", lang)
    return [f"CASE WHEN final_amount IS NULL AND t_amount IS NULL THEN {reason_sql('empty', lang, field=amount)} END"
            if "amount" in mapped else
            f"CASE WHEN final_amount IS NULL THEN {reason_sql('no_amount', lang, field=amount)} END"]


def _is_order_total(con: duckdb.DuckDBPyConnection, src: Source, mapping: dict[str, str],
                    column_of: dict[str, str], header_of: dict[str, str], decimal_comma: bool) -> bool:
    """Is the amount column an order total (买家实际支付金额, Total …)? Only when its header says so
    and its value never differs between two lines of one order."""
    if not {"amount", "order_id"} <= set(mapping.values()):
        return False
    amount = next(f for f in FIELDS["orders"] if f.name == "amount")
    header = normalise_header(header_of["amount"])
    if not {header, without_unit(header)} & {normalise_header(a) for a in amount.order_level_aliases}:
        return False
    member, order, value = column_of["member_id"], column_of["order_id"], column_of["amount"]
    differing = con.sql(f"""
        SELECT count(*) FROM (
            SELECT 1 FROM {src.table} WHERE ml_text({order}) IS NOT NULL
            GROUP BY ml_text({member}), ml_text({order})
            HAVING count(DISTINCT ml_number({value}, $dc)) > 1)""", params={"dc": decimal_comma}).fetchall()[0][0]
    return differing == 0


def _format_notes(f: Field, header: str, fmt: parsing.ColumnFormat, src: Source) -> list[Note]:
    values = {"file": src.path.name, "column": header}
    if f.type in ("timestamp", "date") and f.name != "birth_year":
        if not fmt.has_day_month_dates:
            return []
        return [Note("day_first" if fmt.day_first else "month_first", values)]
    notes = []
    if fmt.integral_floats:
        notes.append(Note("integral_ids", values))
    if fmt.decimal_comma:
        notes.append(Note("decimal_comma", values))
    if fmt.discount_is_share:
        notes.append(Note("discount_share", values))
    return notes
