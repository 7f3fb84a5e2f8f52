"""lib/formatting: every way a number is written, as literal cases worked out by hand (zh and en,
zero, negative, None, the 万 / 亿 and K / M boundaries, a currency other than ¥)."""

from __future__ import annotations

import ast
from pathlib import Path

import polars as pl
import pytest

from lib import currency
from lib.formatting import (compact, csv_text, excel_money_format, money, money_column_format, money_compact, money_full,
                            money_hover, multiple, number, percent, period_label)
from tests.fixtures import d

ROOT = Path(__file__).resolve().parents[1]


# -- money on a card ------------------------------------------------------------------------------

@pytest.mark.parametrize("value,zh,en", [
    (30_392_710.5, "¥3,039.3万", "¥30.39M"),
    (450.494, "¥450.49", "¥450.49"),
    (12_345, "¥1.2万", "¥12.3K"),
    (-2_500_000_000, "-¥25.00亿", "-¥2,500.00M"),
    (None, "–", "–"),
])
def test_money_stays_short(value, zh, en):
    assert (money(value, "zh"), money(value, "en")) == (zh, en)


@pytest.mark.parametrize("value,zh,en", [
    (0, "¥0.00", "¥0.00"),
    (-0.5, "-¥0.50", "-¥0.50"),                        # the sign before the symbol
    (9_999.99, "¥9,999.99", "¥9,999.99"),              # below 10,000: to the fen in both
    (10_000, "¥1.0万", "¥10.0K"),                       # 10,000 / 1e4 = 1.0万; / 1e3 = 10.0K
    (-10_000, "-¥1.0万", "-¥10.0K"),
    (999_999, "¥100.0万", "¥1,000.0K"),                 # 99.9999万 → 100.0; 999.999K → 1,000.0
    (1_000_000, "¥100.0万", "¥1.00M"),                  # M from 1,000,000, two decimals
    (99_999_999, "¥10,000.0万", "¥100.00M"),            # 9,999.9999万 rounds up below 亿
    (100_000_000, "¥1.00亿", "¥100.00M"),               # 亿 from 100,000,000, two decimals
])
def test_money_boundaries(value, zh, en):
    assert (money(value, "zh"), money(value, "en")) == (zh, en)


def test_money_in_another_currency():
    assert (money(12_345, "zh", "£"), money(12_345, "en", "£")) == ("£1.2万", "£12.3K")
    assert (money(-450.494, "en", "£"), money(None, "en", "£")) == ("-£450.49", "–")


def test_money_in_the_shown_currency():
    # outside the app: yuan; inside, the session dataset's (lib.currency.show), '' for none
    assert money(-77_183.6, "en") == "-¥77.2K" and money_full(-77_183.6) == "-¥77,183.60"
    with currency.showing("HKD"):
        assert (money(1_130_000, "en"), money_full(-3), money_compact(12_345, "zh")) == ("HK$1.13M", "-HK$3.00", "HK$1.2万")
        assert (money_hover("y", 0), money_column_format(), excel_money_format()) == (
            "HK$%{y:,.0f}", "HK$%,.2f", '"HK$"#,##0.00;-"HK$"#,##0.00')
    with currency.showing(None):
        assert (money(1_130_000, "en"), money_full(-3), money_compact(-1_100, "en")) == ("1.13M", "-3.00", "-1.1K")
        assert excel_money_format() == "#,##0.00;-#,##0.00"
    assert money(1, "en") == "¥1.00"  # the block ended: back to yuan


# -- money in full ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value,kwargs,shown", [
    (1234.5, {}, "¥1,234.50"),                         # to the fen by default
    (1234.56, {"decimals": 0}, "¥1,235"),              # whole units, rounded
    (0, {}, "¥0.00"),
    (-12.5, {}, "-¥12.50"),                            # the sign before the symbol, as on a card
    (99, {"decimals": None}, "¥99"),                   # whole: no decimals
    (99.0, {"decimals": None}, "¥99"),
    (1658.5, {"decimals": None}, "¥1,658.50"),         # not whole: to the fen
    (-100, {"decimals": None}, "-¥100"),
    (-77_183.6, {}, "-¥77,183.60"),
    (1234.5, {"currency": "£"}, "£1,234.50"),
    (None, {}, "–"),
    (None, {"missing": "n/a"}, "n/a"),
])
def test_money_full(value, kwargs, shown):
    assert money_full(value, **kwargs) == shown


# -- compact numbers and compact money ---------------------------------------------------------------

@pytest.mark.parametrize("value,en,zh", [
    (898, "898", "898"),
    (999.6, "1,000", "1000"),     # below 1,000 (1万): whole units, as written elsewhere
    (1116, "1.1K", "1116"),       # Chinese writes 4 digits in full (as Intl's compact notation does)
    (9999, "10K", "9999"),        # 9.999 K rounds to 10: whole units from 10 up
    (12345, "12K", "1.2万"),
    (593000, "593K", "59万"),
    (12_161_000, "12M", "1216万"),
    (150_000_000, "150M", "1.5亿"),
    (-1116, "-1.1K", "-1116"),
])
def test_compact_numbers(value, en, zh):
    assert (compact(value, "en"), compact(value, "zh")) == (en, zh)


@pytest.mark.parametrize("value,en,zh", [
    (0, "0", "0"),
    (None, "", ""),               # an empty cell
    (1000, "1K", "1000"),         # K from 1,000; ".0" dropped
    (10_000, "10K", "1万"),        # 万 from 10,000
    (-10_000, "-10K", "-1万"),
    (1_000_000, "1M", "100万"),
    (100_000_000, "100M", "1亿"),   # 亿 from 100,000,000
    (1_000_000_000, "1B", "10亿"),
])
def test_compact_boundaries(value, en, zh):
    assert (compact(value, "en"), compact(value, "zh")) == (en, zh)


@pytest.mark.parametrize("value,currency,en,zh", [
    (340_000, "¥", "¥340K", "¥34万"),
    (-1116, "¥", "-¥1.1K", "-¥1116"),   # the sign before the symbol, as on a card
    (0, "¥", "¥0", "¥0"),
    (None, "¥", "", ""),
    (12_345, "£", "£12K", "£1.2万"),
])
def test_money_compact(value, currency, en, zh):
    assert (money_compact(value, "en", currency), money_compact(value, "zh", currency)) == (en, zh)


# -- percentages -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value,kwargs,shown", [
    (0.2926, {}, "29.3%"),
    (0.2926, {"decimals": 0}, "29%"),
    (1, {}, "100.0%"),
    (0, {}, "0.0%"),
    (-0.615, {}, "-61.5%"),
    (0.074, {"signed": True}, "+7.4%"),
    (-0.615, {"signed": True}, "-61.5%"),
    (0, {"signed": True}, "+0.0%"),
    (None, {}, "–"),
    (None, {"missing": ""}, ""),
])
def test_percent(value, kwargs, shown):
    assert percent(value, **kwargs) == shown


# -- formats handed to plotly and Streamlit ----------------------------------------------------------

@pytest.mark.parametrize("value,decimals,shown", [
    (1234, 0, "1,234"), (1234.5, 0, "1,234"), (1235.5, 0, "1,236"), (4 / 3, 2, "1.33"), (0, 0, "0"),
    (-2500, 0, "-2,500"), (None, 0, "–"),
])
def test_number(value, decimals, shown):
    assert number(value, decimals) == shown


def test_multiple():
    assert (multiple(15.7049), multiple(1.0), multiple(0.25), multiple(None)) == ("15.7×", "1.0×", "0.2×", "–")


def test_money_hover():
    assert money_hover("y", 0) == "¥%{y:,.0f}"
    assert money_hover("y", decimals=0, currency="¥") == "¥%{y:,.0f}"
    assert money_hover("customdata[1]") == "¥%{customdata[1]:,.2f}"   # to the fen by default
    assert money_hover("x", currency="£") == "£%{x:,.2f}"


def test_money_column_format():
    assert money_column_format() == "¥%,.2f"
    assert money_column_format(0) == "¥%,.0f"
    assert money_column_format(currency="£") == "£%,.2f"


# -- period names ----------------------------------------------------------------------------------

def test_period_labels():
    assert [period_label(d("2026-08-01"), p) for p in ("month", "quarter")] == ["2026-08", "2026-Q3"]
    assert period_label(d("2026-10-26"), "week") == "2026-10-26"
    assert period_label(d("2026-10-31"), "day") == "2026-10-31"
    assert [period_label(d(day), "quarter") for day in ("2026-01-01", "2026-03-01", "2026-04-01", "2026-12-01")] == [
        "2026-Q1", "2026-Q1", "2026-Q2", "2026-Q4"]


# -- one home ----------------------------------------------------------------------------------------

# Where a ¥ may still be written out: the table of currencies and the parser that reads amounts
# written with any sign. Labels name the shown currency as {currency} / {money_unit}.
CURRENCY_ALLOWED = ("lib/currency.py", "lib/parsing.py")


def currency_literals(path: Path) -> list[int]:
    """Lines of string constants (f-string parts included, docstrings left out) holding a ¥."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return sorted(node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant)
                  and isinstance(node.value, str) and "¥" in node.value and id(node) not in docstrings)


def test_the_currency_check_sees_a_literal(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text('"""¥ in a docstring"""\n# ¥ in a comment\nshown = f"¥{1:,.2f}"\nsign = "¥"\n',
                       encoding="utf-8")
    assert currency_literals(planted) == [3, 4]


def test_no_currency_symbol_is_written_outside_formatting():
    files = [ROOT / "app.py", *sorted((ROOT / "lib").rglob("*.py")), *sorted((ROOT / "pages").rglob("*.py"))]
    names = {path: path.relative_to(ROOT).as_posix() for path in files}
    offenders = {names[path]: lines for path in files
                 if not names[path].startswith(CURRENCY_ALLOWED) and (lines := currency_literals(path))}
    assert offenders == {}


def test_downloads_read_as_a_person_reads_them():
    import io
    import re
    import zipfile
    from datetime import datetime

    import polars as pl

    from lib.formatting import csv_text
    from lib.tables import excel_bytes

    frame = pl.DataFrame({"time": [datetime(2024, 2, 1, 1, 25)], "spend": [417.0], "p_alive": [0.93456],
                          "orders": [3.0], "share": [0.5]})
    # times to the second (not 2024-02-01T01:25:00.000000), whole numbers as integers
    assert csv_text(frame) == "time,spend,p_alive,orders,share\n2024-02-01 01:25:00,417,0.93456,3,0.5\n"
    styles = zipfile.ZipFile(io.BytesIO(excel_bytes(frame))).read("xl/styles.xml").decode()
    # Excel: money with two decimals (polars wrote #,##0.000), a probability keeps four, times to the second
    assert set(re.findall(r'formatCode="([^"]+)"', styles)) == {"yyyy-mm-dd hh:mm:ss", "#,##0.00##"}


# -- CSV cells that would run as formulas (issue 16: OWASP CSV injection) ----------------------------

def test_a_csv_we_write_never_begins_a_text_cell_like_a_formula():
    frame = pl.DataFrame({"member": ['=HYPERLINK("http://evil","click")', "+cmd|' /C calc'!A0", "@SUM(1)",
                                     "\tx", "\rx", "-", "-12.5", "+86", "1e5", "plain", None],
                          "n": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]})
    lines = csv_text(frame).splitlines()
    assert lines[:5] == ['member,n', '"\'=HYPERLINK(""http://evil"",""click"")",1', "'+cmd|' /C calc'!A0,2",
                         "'@SUM(1),3", "'\tx,4"]
    # numbers stay numbers; a lone minus is not one
    assert csv_text(frame.slice(5)).splitlines()[1:] == ["'-,6", "-12.5,7", "+86,8", "1e5,9", "plain,10", ",11"]
    # a header is a cell too
    assert csv_text(pl.DataFrame({"=cmd()": ["a"], "-": ["b"], "ok": ["c"]})).splitlines()[0] == "'=cmd(),'-,ok"


# -- user text shown by Streamlit and plotly ----------------------------------------------------

@pytest.mark.parametrize("text,shown", [
    ("天猫旗舰店", "天猫旗舰店"),                                   # nothing to escape
    ("a_b *c* #d", "a\\_b \\*c\\* \\#d"),                          # emphasis, heading
    ("![x](u.png) [y](p)", "\\!\\[x\\]\\(u\\.png\\) \\[y\\]\\(p\\)"),   # image, link
    ("<b>g</b>", "\\<b\\>g\\<\\/b\\>"),                              # HTML
    # directives, icons (:streamlit: and :material_home: even escaped: a joiner after the colon), LaTeX
    (":red[f] :material/home: $x$", "\\:\u2060red\\[f\\] \\:\u2060material\\/home\\: \\$x\\$"),
    (":streamlit: 12:30", "\\:\u2060streamlit\\: 12\\:\u206030"),
    # bare addresses: a WORD JOINER (U+2060) inside each trigger, then the escapes
    ("http://h/p", "http\u2060\\:\\/\\/h\\/p"),
    ("HTTPS://h", "HTTPS\u2060\\:\\/\\/h"),
    ("www.h.cn", "www\u2060\\.h\\.cn"),
    ("x_www.h.cn 店_www.h", "x\\_www\u2060\\.h\\.cn 店\\_www\u2060\\.h"),  # Streamlit links www. after _ too
    ("a@b.cn", "a\u2060\\@b\\.cn"),
    ("two\nlines\r\nthree", "two lines three"),                    # one line
    # Streamlit draws " -> ", " <= ", " -- ", " ~= " as →, ≤, —, ≈ (seen in Chromium): a joiner keeps them
    ("a -> b <= c -- d ~= e", "a \\-\u2060\\> b \\<\u2060\\= c \\-\u2060\\- d \\~\u2060\\= e"),
    ("¥1,299.00", "¥1\\,299\\.00"),
    (42, "42"),
])
def test_markdown_text_escapes_every_ascii_punctuation_and_breaks_bare_links(text, shown):
    from lib.formatting import markdown_text

    assert markdown_text(text) == shown


@pytest.mark.parametrize("text,shown", [
    ("天猫", "天猫"),
    ("<a href='h'>x</a>", "&lt;a href='h'&gt;x&lt;/a&gt;"),
    ("a<br>b & c", "a&lt;br&gt;b &amp; c"),
    ("&lt;", "&amp;lt;"),  # an entity the user typed stays as typed
])
def test_chart_text_writes_markup_as_entities_and_back(text, shown):
    from lib.formatting import chart_text, chart_text_back

    assert chart_text(text) == shown
    assert chart_text_back(shown) == text


def test_an_excel_download_keeps_link_like_text_as_text():
    """A product called http://…, mailto:… or external:c:\\…\\calc.exe is a text cell, not a live
    hyperlink (xlsxwriter's default made it one); =1+1 is text too."""
    import io
    import zipfile

    from lib.tables import excel_bytes

    values = ["http://127.0.0.1:9/x", "mailto:a@b.example", "external:c:\\windows\\system32\\calc.exe", "=1+1", "x"]
    book = zipfile.ZipFile(io.BytesIO(excel_bytes(pl.DataFrame({"product": values}))))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<hyperlink" not in sheet and "<f>" not in sheet
    assert not [n for n in book.namelist() if n.startswith("xl/worksheets/_rels/")
                and "hyperlink" in book.read(n).decode()]
    shared = book.read("xl/sharedStrings.xml").decode()
    assert all(v.replace("&", "&amp;") in shared for v in values[:3])


def test_the_tables_own_csv_export_is_off():
    """Streamlit's table toolbar writes its CSV raw (a cell =HYPERLINK(…) stays a formula): the app's
    config switches it off, so every download is the app's own, made safe."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
