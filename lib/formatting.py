"""How numbers are written, in one place: money on a card, money in full, compact numbers for chart
cells, percentages, period names, and the money formats handed to plotly and st.column_config.

Pure: text in, text out; no streamlit, no plotly, no SQL. Every money function takes the currency
symbol (`currency`); without one it writes the dataset's this script run shows (lib.currency), '' for
a dataset without a currency.

Two families of money, each written one way:
- short (`money` for a card or a sentence, `money_compact` for a chart cell or tick): the sign
  goes before the symbol, -¥1.2万;
- full: `money_full` the same way (-¥77,183.60); `money_hover` and `money_column_format` are
  formats plotly (d3) and Streamlit (sprintf) fill in, which put the sign after the symbol
  (¥-12.50): neither can place it before.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from lib import currency as currencies
from lib.i18n import Lang
from lib.parsing import CSV_FORMULA_START, CSV_NUMBER
from lib.periods import Period

MISSING = "–"  # a number that is not there, on a card or in a sentence
# Units of compact numbers, largest first: Chinese counts in 万 / 亿, English in K / M / B (as
# Intl.NumberFormat's compact notation does).
COMPACT_UNITS = {"zh": ((1e8, "亿"), (1e4, "万")), "en": ((1e9, "B"), (1e6, "M"), (1e3, "K"))}


def _symbol(currency: str | None) -> str:
    return currencies.shown() if currency is None else currency


def money(value: float | None, lang: Lang, currency: str | None = None) -> str:
    """An amount for a card or a sentence, short when big: 万 / 亿 in Chinese (¥1.2万 from 10,000,
    ¥25.00亿 from 100,000,000), K / M in English (¥12.3K from 10,000, ¥30.39M from 1,000,000);
    to the fen below 10,000 (¥450.49); "–" for None."""
    if value is None:
        return MISSING
    currency = _symbol(currency)
    sign, v = ("-" if value < 0 else ""), abs(value)
    if lang == "zh":
        if v >= 1e8:
            return f"{sign}{currency}{v / 1e8:,.2f}亿"
        if v >= 1e4:
            return f"{sign}{currency}{v / 1e4:,.1f}万"
    else:
        if v >= 1e6:
            return f"{sign}{currency}{v / 1e6:,.2f}M"
        if v >= 1e4:
            return f"{sign}{currency}{v / 1e3:,.1f}K"
    return f"{sign}{currency}{v:,.2f}"


def money_full(value: float | None, decimals: int | None = 2, currency: str | None = None,
               missing: str = MISSING) -> str:
    """An amount in full with separators: to the fen (¥1,234.50), in whole units (decimals=0:
    ¥1,235), or decimals=None: whole units when the amount is whole (¥99), else to the fen
    (¥12.50); `missing` for None."""
    if value is None:
        return missing
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    sign = "-" if value < 0 else ""
    return f"{sign}{_symbol(currency)}{abs(value):,.{decimals}f}"


def compact(value: float | None, lang: Lang) -> str:
    """A number in at most about 4 characters, for a chart cell or tick: 898, 1.1K / 1116, 12K /
    1.2万, 593K / 59万; one decimal only below 10 units (the hover has the full value); "" for None."""
    if value is None:
        return ""
    sign, v = ("-" if value < 0 else ""), abs(value)
    for size, unit in COMPACT_UNITS[lang]:
        if v >= size:
            short = v / size
            digits = f"{short:.1f}".removesuffix(".0") if round(short, 1) < 10 else f"{short:.0f}"
            return f"{sign}{digits}{unit}"
    return f"{value:.0f}" if lang == "zh" else f"{value:,.0f}"


def money_compact(value: float | None, lang: Lang, currency: str | None = None) -> str:
    """An amount as `compact` writes it, after the symbol: ¥34万 / ¥346K, -¥1.1K; "" for None."""
    if value is None:
        return ""
    currency = _symbol(currency)
    return f"-{currency}{compact(-value, lang)}" if value < 0 else f"{currency}{compact(value, lang)}"


def number(value: float | None, decimals: int = 0, missing: str = MISSING) -> str:
    """A count or a plain number with separators: 1,234 (decimals=0), 1.33 (decimals=2); `missing`
    for None."""
    return missing if value is None else f"{value:,.{decimals}f}"


def multiple(value: float | None, missing: str = MISSING) -> str:
    """How many times one amount covers another, to one decimal: 15.7×; `missing` for None."""
    return missing if value is None else f"{value:.1f}×"


def percent(value: float | None, decimals: int = 1, signed: bool = False, missing: str = MISSING) -> str:
    """A fraction as a percentage: 0.315 -> 31.5% (decimals=0: 32%); signed: +7.4% / -61.5%;
    `missing` for None."""
    if value is None:
        return missing
    return f"{value:+.{decimals}%}" if signed else f"{value:.{decimals}%}"


def money_hover(field: str, decimals: int = 2, currency: str | None = None) -> str:
    """A plotly hovertemplate fragment for an amount in full: money_hover("y", 0) -> "¥%{y:,.0f}",
    money_hover("customdata[1]") -> "¥%{customdata[1]:,.2f}"."""
    return f"{_symbol(currency)}%{{{field}:,.{decimals}f}}"


def money_column_format(decimals: int = 2, currency: str | None = None) -> str:
    """The st.column_config.NumberColumn format of an amount in full: "¥%,.2f" (¥1,234.50)."""
    return f"{_symbol(currency)}%,.{decimals}f"


def period_label(day: date, period: Period) -> str:
    """How a period is named on charts and in sentences: 2026-10 (month), 2026-Q3 (quarter),
    the ISO date of its first day (day, week: weeks start Monday)."""
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return day.isoformat()


# -- user text shown by Streamlit and plotly -----------------------------------------------------

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and escaped it is text:
# no link, image, emphasis, heading, list, HTML, LaTeX ($) or Streamlit directive (:red[…],
# :material/…:) starts from it.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit also turns bare web and mail addresses into links after escapes are read (checked in
# Chromium: http://…, www.…, a@b.c): an invisible WORD JOINER (U+2060) inside each trigger stops that.
_AUTOLINK_TRIGGER = re.compile(r"(?i)(?<=[a-z0-9])(?=://)|(?<=www)(?=\.)|(?=@)")  # www. after _ is a link too
# And it draws " -- ", " -> ", " <- ", " <-> ", " <= ", " >= ", " ~= " as —, →, ←, ↔, ≤, ≥, ≈ whatever
# their escapes: a joiner between two such characters keeps them as typed.
_TYPOGRAPHIC_PAIR = re.compile(r"(?<=[-<>~=])(?=[-<>~=])|(?<=:)(?=\w)")  # also :streamlit:, :material_home: icons
WORD_JOINER = "\u2060"


def markdown_text(text: object) -> str:
    """User text (a dataset, file or column name, a field value, a member id, a URL parameter) for
    a Streamlit call that renders markdown (st.markdown, captions, alerts, titles, widget labels and
    help): shown exactly as typed, on one line. `![x](http://h/u.png)`, `<a href>`, `:red[x]`,
    `$x$`, `http://h` and `a -> b` all stay text; nothing is fetched or linked."""
    one_line = " ".join(str(text).splitlines())
    joined = _TYPOGRAPHIC_PAIR.sub(WORD_JOINER, _AUTOLINK_TRIGGER.sub(WORD_JOINER, one_line))
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", joined)


def chart_text(text: str) -> str:
    """User text for plotly, which reads <br>, <b>, <a href=…> and the like in titles, legends, tick
    and hover labels as markup: & < > as entities, which plotly shows as the characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart_text_back(text: str) -> str:
    """chart_text undone: the value behind a clicked point (its customdata)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- files the product writes --------------------------------------------------------------------

def csv_safe(text: pl.Expr) -> pl.Expr:
    """A text cell as a CSV we write holds it: with a ' before it when it begins like a formula
    (= + - @ tab CR) and is not a number (OWASP), so a spreadsheet shows it instead of running it
    (`=HYPERLINK(…)` → `'=HYPERLINK(…)`; `-12.5` stays). Importing such a file takes the ' off
    again (lib/parsing.py ml_text)."""
    return (pl.when(text.str.contains(f"^{CSV_FORMULA_START}") & ~text.str.contains(f"^(?:{CSV_NUMBER})$"))
            .then(pl.lit("'") + text).otherwise(text))


def csv_safe_text(text: str) -> str:
    """csv_safe for one piece of text (a header)."""
    formula = re.match(CSV_FORMULA_START, text) and not re.fullmatch(CSV_NUMBER, text)
    return "'" + text if formula else text


def csv_text(frame: pl.DataFrame) -> str:
    """CSV as a person reads it, and safe to open: a whole number held as a float prints as one
    (`18532`, not `18532.0`: a column mixing counts and amounts is a float column), a time to the
    second (`2024-02-01 01:25:00`, not `2024-02-01T01:25:00.000000`), text through csv_safe."""
    floats = [n for n, dtype in frame.schema.items() if dtype in (pl.Float32, pl.Float64)]
    times = [n for n, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)]
    texts = [n for n, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical)]

    def whole(c: str) -> pl.Expr:
        return pl.col(c).is_finite() & (pl.col(c) == pl.col(c).round(0)) & (pl.col(c).abs() < 2 ** 53)

    return frame.with_columns(
        *(pl.when(whole(c)).then(pl.col(c).cast(pl.Int64).cast(pl.String)).otherwise(pl.col(c).cast(pl.String))
          .alias(c) for c in floats),
        *(pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S").alias(c) for c in times),
        *(csv_safe(pl.col(c).cast(pl.String)).alias(c) for c in texts)
    ).rename(csv_safe_text).write_csv()


# Excel cell formats by column type: money and rates with at least two decimals (a probability keeps
# four), times to the second, dates as dates; polars' own default wrote money as #,##0.000.
EXCEL_FORMATS = {pl.Float64: "#,##0.00##", pl.Float32: "#,##0.00##", pl.Decimal: "#,##0.00",
                 pl.Datetime: "yyyy-mm-dd hh:mm:ss", pl.Date: "yyyy-mm-dd"}


def excel_money_format(currency: str | None = None) -> str:
    """An Excel number format for amounts: "¥"#,##0.00 with the sign first (-¥1,234.50); #,##0.00
    without a currency. The symbol is quoted, so $ and € are text, not Excel's locale tokens."""
    sign = _symbol(currency)
    amount = f'"{sign}"#,##0.00' if sign else "#,##0.00"
    return f"{amount};-{amount}"
