"""A dataset's currency: found at import (the amounts' signs, else the header), chosen or changed by the
user, stored with the dataset, and written on every page, chart, table and download."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from google.protobuf.text_format import MessageToString

from lib import currency
from lib.ingest import IngestError, Note, ingest
from lib.store import SCHEMA_VERSION, Store, StoreError
from tests.conftest import app, import_csv

ROOT = Path(__file__).resolve().parents[1]


def _found(store, write, header: str, *cells: str) -> str | None:
    text = f"会员ID,支付时间,{header}\n" if not header.isascii() else f"CustomerID,InvoiceDate,{header}\n"
    text += "".join(f"M{i},2024-01-0{i % 9 + 1},{cell}\n" for i, cell in enumerate(cells))
    name = f"d{len(store.datasets())}"
    result = ingest(store, [write(f"{name}.csv", text)], name)
    assert result.rows_loaded == len(cells)  # every sign is read off the amount
    return result.currency


@pytest.mark.parametrize("header,cells,code", [
    ("Amount", ["HK$ 80.50", "HK$12"], "HKD"),                # HK$ is not $
    ("Amount", ["US$12.00", "$3"], "USD"),
    ("Amount", ["£3.75", "-£1.20", "£0"], "GBP"),
    ("Amount", ["€12", "EUR 4"], "EUR"),
    ("Amount", ['"￥1,299.00"', "¥5"], "CNY"),
    ("实付金额", ["1299元", "RMB 12.5"], "CNY"),
    ("实付金额", ["12港元", "8港元"], "HKD"),                    # 港元 is not 元
    ("Amount", ["£3", "£4", "$5"], "GBP"),                    # most values name pounds
    ("Amount", ["£3", "7", "8", "9"], "GBP"),                 # plain values have no say
    ("Amount (GBP)", ["3.75", "4"], "GBP"),                   # no sign in the values: the header's unit
    ("金额(元)", ["3.75", "4"], "CNY"),
    ("实付金额", ["3.75", "4"], "CNY"),                        # a Chinese header without a unit: yuan
    ("Amount", ["3.75", "4"], None),                          # an English one: nothing known, no symbol
])
def test_the_currency_is_found_from_the_amounts_then_the_header(store, write, header, cells, code):
    assert _found(store, write, header, *cells) == code
    assert store.datasets()[-1].currency == code


@pytest.mark.parametrize("text,code", [
    ("Europe sales", None), ("Eurasia", None), ("金额（澳元）", None), ("金额（日元）", None),  # not ours
    ("NT$ 5", None), ("CA$3", None),                                                          # other dollars
    ("Amount (EUR)", "EUR"), ("eur 4", "EUR"), ("-$5", "USD"), ("$3", "USD"), ("US$1,299.00", "USD"),
    ("5 元/件", "CNY"), ("金额(元)", "CNY"), ("12港元", "HKD"), ("港幣 5", "HKD"), ("5 英鎊", "GBP"),
])
def test_a_currency_is_named_by_its_words_not_by_parts_of_other_words(text, code):
    assert currency.in_text(text) == code


def test_every_word_that_names_a_currency_is_read_off_an_amount():
    import duckdb

    from lib import parsing

    con = duckdb.connect()
    parsing.install_macros(con)
    for word in currency.words():  # the parser's list is the currency table's: they cannot drift apart
        assert con.sql("SELECT ml_number(?, false), ml_number(?, false)",
                       params=[f"{word}12.5", f"12.5 {word}"]).fetchall() == [(Decimal("12.5"), Decimal("12.5"))], word


def test_files_naming_different_currencies_take_the_most_named_the_first_on_a_tie(store, write):
    pounds = write("a.csv", "CustomerID,InvoiceDate,Amount\nA,2024-01-01,£3\n")
    dollars = write("b.csv", "CustomerID,InvoiceDate,Amount\nB,2024-01-02,$4\n")
    result = ingest(store, [pounds, dollars], "tie")
    assert result.currency == "GBP"  # one each: the first file's
    assert Note("currency_files", {"files": "a.csv GBP, b.csv USD", "chosen": "GBP"}) in result.notes
    assert ingest(store, [dollars, pounds, write("c.csv", "CustomerID,InvoiceDate,Amount\nC,2024-01-03,£5\n")],
                  "most").currency == "GBP"  # two of three


def test_no_symbol_chosen_by_the_user_sticks(store, write):
    ingest(store, [write("a.csv", "CustomerID,InvoiceDate,Amount\nA,2024-01-01,£3\n")], "d", currency="none")
    assert store.dataset("d").currency == currency.NONE
    later = ingest(store, [write("b.csv", "CustomerID,InvoiceDate,Amount\nB,2024-01-02,£4\n")], "d")
    assert later.currency == currency.NONE  # a file naming pounds does not overrule the user
    assert Note("currency_differs", {"found": "£ GBP", "kept": "NONE"}) in later.notes


def test_an_amount_with_any_sign_is_read_as_its_number(store, write):
    ingest(store, [write("o.csv", "CustomerID,InvoiceDate,Amount\nA,2024-01-01,HK$ 80.50\nB,2024-01-01,-£1.20\n"
                                  "C,2024-01-01,\"US$1,299.00\"\nD,2024-01-01,12港元\nE,2024-01-01,GBP 4\n")], "d")
    ds = store.dataset("d")
    assert store.query(f"SELECT member_id, amount FROM {ds.table('order_lines')} ORDER BY 1").rows() == [
        ("A", Decimal("80.50")), ("B", Decimal("-1.20")), ("C", Decimal("1299.00")), ("D", Decimal("12.00")),
        ("E", Decimal("4.00"))]


def test_the_dataset_keeps_its_currency_and_says_when_a_file_names_another(store, write):
    first = ingest(store, [write("a.csv", "CustomerID,InvoiceDate,Amount\nA,2024-01-01,£3\n")], "uk")
    assert first.currency == "GBP" and Note("currency_found", {"currency": "£ GBP"}) in first.notes
    second = ingest(store, [write("b.csv", "CustomerID,InvoiceDate,Amount\nB,2024-01-02,$4\n")], "uk")
    assert second.currency == "GBP"
    assert Note("currency_differs", {"found": "$ USD", "kept": "£ GBP"}) in second.notes
    assert str(second.notes[-1]) == ("The file's amounts are in $ USD; the dataset shows £ GBP and keeps it "
                                     "(change it under Datasets)")
    # a file naming nothing says nothing; the user's choice wins, with no note
    third = ingest(store, [write("c.csv", "CustomerID,InvoiceDate,Amount\nC,2024-01-03,5\n")], "uk")
    assert third.currency == "GBP" and not [n for n in third.notes if n.code.startswith("currency")]
    chosen = ingest(store, [write("d.csv", "CustomerID,InvoiceDate,Amount\nD,2024-01-04,£6\n")], "uk", currency="eur")
    assert chosen.currency == "EUR" and store.dataset("uk").currency == "EUR"
    assert ingest(store, [write("e.csv", "CustomerID,InvoiceDate,Amount\nE,2024-01-05,£7\n")], "uk",
                  currency="none").currency == currency.NONE


def test_changing_the_currency_changes_no_number_and_no_version(store, write):
    ingest(store, [write("a.csv", "会员ID,支付时间,实付金额\nA,2024-01-01,3\n")], "shop")
    before = store.dataset("shop")
    after = store.set_currency("shop", "USD")
    assert (after.currency, after.version, after.updated_at) == ("USD", before.version, before.updated_at)
    assert store.set_currency("shop", "none").currency == currency.NONE
    with pytest.raises(StoreError, match="unknown currency 'XYZ'"):
        store.set_currency("shop", "xyz")
    with pytest.raises(IngestError, match="unknown currency 'XYZ'"):
        ingest(store, [write("b.csv", "会员ID,支付时间,实付金额\nB,2024-01-01,3\n")], "shop", currency="xyz")


def test_a_version_3_workspace_gets_yuan_and_keeps_its_orders(tmp_path, write):
    path = tmp_path / "v3.duckdb"
    with Store(path) as store:
        ingest(store, [write("bare.csv", "CustomerID,InvoiceDate,Amount\nM1,2024-01-05,£30\n")], "shop")
    con = duckdb.connect(str(path))  # as version 3 wrote it: no currency column
    con.execute("ALTER TABLE datasets DROP COLUMN currency")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    with Store(path) as store:
        ds = store.dataset("shop")
        assert store.query("SELECT value FROM meta WHERE key = 'schema_version'").item() == str(SCHEMA_VERSION)
        assert ds.currency == "CNY"  # what its pages showed until then
        # the bare line's order keeps its one no-break space (the 2 → 3 step is not run again)
        assert store.query(f"SELECT order_id FROM {ds.table('orders')}").rows() == [("L1\u00a0",)]


def test_the_command_line_chooses_and_lists_the_currency(tmp_path, write):
    db = tmp_path / "ws.duckdb"

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lib", *args, "--db", str(db)], capture_output=True,
                              text=True, cwd=ROOT)

    src = write("o.csv", "CustomerID,InvoiceDate,Amount,Unit price\nA,2024-01-01,7,7\nB,2024-01-01,20,10\n")
    run = cli("ingest", str(src), "--dataset", "hk", "--currency", "hkd")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["currency"] == "HKD"
    assert [d["currency"] for d in json.loads(cli("datasets").stdout)] == ["HKD"]
    # a label that names amounts is written in the dataset's currency (band of one price: HK$7)
    bands = cli("report", "price_bands", "--dataset", "hk", "--format", "json")
    assert bands.returncode == 0, bands.stderr
    assert {row["price_band"] for row in json.loads(bands.stdout)} <= {"HK$7", "HK$10", "HK$7–HK$10"}
    assert cli("ingest", str(src), "--dataset", "hk", "--currency", "xyz").returncode == 2  # argparse: a usage error


# -- what the pages show -------------------------------------------------------------------------

UK = ("CustomerID,InvoiceNo,InvoiceDate,Amount,Description,Quantity,UnitPrice\n"
      "17850,A1,2024-01-05,£100.00,Tea,2,£50.00\n17850,A2,2024-02-05,£50.00,Tea,1,£50.00\n"
      "13047,A3,2024-01-06,-£30.00,Mug,-1,£30.00\n13047,A4,2024-03-06,£80.00,Mug,2,£40.00\n"
      "12583,A5,2024-03-20,£45.00,Tea,1,£45.00\n")


# Sections that show no amount on this small dataset (counts and rates only).
WITHOUT_MONEY = {("w5h1", "what"), ("w5h1", "when")}


def page_text(at) -> str:
    """Everything an AppTest page shows as text: every element's message (markdown, metrics, titles,
    chart specs, table column settings) and the tables' headers and cells."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(MessageToString(proto, as_utf8=True))
        if getattr(node, "type", None) == "dataframe":
            parts.append(node.value.to_csv())
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            walk(child)

    walk(getattr(at, "_tree", at))  # a whole page, or one of its blocks (a tab)
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name,params", [
    ("overview", {"ov_window": "range"}), ("cohorts", {}), ("rfm", {}), ("lifecycle", {}),
    *(("w5h1", {"w5h1": section}) for section in ("why", "who", "what", "when", "products", "where")),
    ("member", {"m360_member": "17850"}), ("data", {})])
def test_a_dataset_in_pounds_shows_pounds_and_never_yuan(workspace, tmp_path, lang, name, params):
    import_csv(workspace, tmp_path, "uk", UK)
    at = app(lang, dataset="uk", **params)
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception
    # the Data page's third tab quotes docs/metrics.md, where ¥ is the worked examples' currency
    text = page_text(at) if name != "data" else page_text(at.tabs[0]) + page_text(at.tabs[1])
    assert "£" in text or (name, params.get("w5h1")) in WITHOUT_MONEY
    # the Data page lists every dataset's currency ("shop": ¥ CNY) and the import's picker the signs it reads
    text = text.replace("¥ CNY", "").replace("￥ $ £ € HK$", "")
    assert "¥" not in text and "￥" not in text


def test_two_sessions_show_their_own_datasets_currency(workspace, tmp_path):
    import_csv(workspace, tmp_path, "uk", UK)
    uk = app("en", dataset="uk", ov_window="range")
    uk.switch_page("pages/overview.py").run()
    shop = app("en", dataset="shop", ov_window="range")
    shop.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in uk.metric}["Revenue (net)"] == "£245.00"  # 100 + 50 − 30 + 80 + 45
    assert {m.label: m.value for m in shop.metric}["Revenue (net)"] == "¥180.00"


def test_the_currency_is_changed_on_the_data_page(workspace, tmp_path):
    import_csv(workspace, tmp_path, "uk", UK)
    at = app("en", dataset="uk")
    at.switch_page("pages/data.py").run()
    picker = next(s for s in at.selectbox if s.label == "Currency" and s.key.startswith("data_currency_"))
    assert picker.value == "GBP"
    picker.set_value("EUR").run()
    next(b for b in at.button if b.key == "data_currency_button").click().run()
    assert not at.exception
    assert workspace.dataset("uk").currency == "EUR"
    assert [s.value for s in at.success] == ["“uk” now shows amounts in € EUR."]
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Revenue (net)"].startswith("€")


def test_an_excel_download_writes_money_in_the_dataset_currency():
    import io
    import threading
    import zipfile

    import polars as pl

    from lib.tables import excel_file

    frame = pl.DataFrame({"Member ID": ["A"], "Monetary": [-77183.6], "Orders": [3]})
    with currency.showing("GBP"):  # the page draws the button in the session's currency …
        build = excel_file(frame, ["Monetary"])
    built = []
    clicked = threading.Thread(target=lambda: built.append(build()))  # … the click builds it in another thread
    clicked.start()
    clicked.join()
    styles = zipfile.ZipFile(io.BytesIO(built[0])).read("xl/styles.xml").decode()
    # £ first, the minus before it
    assert 'formatCode="&quot;£&quot;#,##0.00;-&quot;£&quot;#,##0.00"' in styles and "¥" not in styles


def test_a_file_mixing_currencies_says_so(store, write):
    text = "CustomerID,InvoiceDate,Amount\nA,2024-01-01,£3\nB,2024-01-02,£4\nC,2024-01-03,$5\n"
    result = ingest(store, [write("mixed.csv", text)], "m")
    assert result.currency == "GBP"  # the most named
    assert str(next(n for n in result.notes if n.code == "currency_mixed")) == (
        "mixed.csv: its amounts name several currencies (£ 2, $ 1 values); they are added up as written, not converted")


def test_detect_takes_only_staging_names_into_its_sql():
    import duckdb

    from lib import currency

    con = duckdb.connect()
    con.execute("CREATE TABLE raw_0 AS SELECT '¥5' AS c0")
    assert currency.detect(con, "raw_0", [("c0", "金额")]) == ("CNY", {"CNY": 1})
    with pytest.raises(ValueError, match="not a staging name"):
        currency.detect(con, "raw_0", [('c0"; DROP TABLE raw_0; --', "金额")])
