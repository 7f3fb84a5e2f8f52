"""Member lists and their downloads: the one st.dataframe every page shows members in, with money
and probabilities written alike, and CSV / Excel downloads built only when clicked."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st
import xlsxwriter

from lib import currency as currencies
from lib.formatting import EXCEL_FORMATS, csv_text, excel_money_format, money_column_format
from lib import segments
from lib.formatting import markdown_text
from lib.store import MAX_NAME_LENGTH, StoreError
from lib.ui import current_dataset, is_spark, segment_why, shared_store, tr

EXCEL_TEXT_AS_TEXT = {"strings_to_urls": False, "strings_to_formulas": False, "strings_to_numbers": False}


# Column ids (before a page translates the headers) that hold money or a probability, wherever they appear.
MONEY_COLUMNS = frozenset({"monetary", "revenue", "value", "net_amount", "net_spend", "amount", "unit_price",
                           "discount", "expected_spend", "predicted_clv", "historical_clv", "spend",
                           "recent_spend", "prior_spend"})
PROBABILITY_COLUMNS = frozenset({"p_alive"})
SHOWN_ROWS = 5_000  # rows of a member list drawn on the page
EXCEL_MAX_ROWS = 1_048_575  # an Excel sheet's rows, less its header


def number_formats(headers: dict[str, str], currency: str | None = None) -> dict[str, Any]:
    """st.dataframe column settings for a table whose columns were renamed from our ids
    (`headers`: id -> shown header): money as ¥1,234.50 (in `currency`, default the shown one), probabilities as 12.3 %,
    so a member list reads the same on every page."""
    config: dict[str, Any] = {}
    for column_id, header in headers.items():
        if column_id in MONEY_COLUMNS:
            config[header] = st.column_config.NumberColumn(format=money_column_format(currency=currency))
        elif column_id in PROBABILITY_COLUMNS:
            config[header] = percent_column()
    return config


def percent_column(label: str | None = None, **kwargs: Any) -> st.column_config.NumberColumn:
    """A fraction shown to one decimal, 0.934 as 93.4 % (Streamlit's percent format shows as many
    decimals as `step` has, less two; without a step 14.4 % and 17.44 % stand in one column)."""
    return st.column_config.NumberColumn(label, format="percent", step=0.001, **kwargs)


def member_table(frame: pl.DataFrame, key: str, file_stem: str = "members",
                 column_config: dict[str, Any] | None = None, segment: segments.Definition | None = None) -> None:
    """A member list with CSV and Excel downloads (every member list in the app uses this), and
    "Save as segment" when `segment` says how the list was made (lib.segments.Definition).
    Dates show as YYYY-MM-DD unless `column_config` (st.dataframe's, by column) says otherwise."""
    dates = {c: st.column_config.DateColumn(format="YYYY-MM-DD") for c, t in frame.schema.items() if t == pl.Date}
    # The page shows the first rows only: the table is sent to the browser on every rerun, and a
    # stage of 10M order lines holds a million members (tens of MB each time). Downloads hold all.
    st.dataframe(frame.head(SHOWN_ROWS), hide_index=True, width="stretch",
                 column_config={**dates, **(column_config or {})}, placeholder="–")
    if frame.height > SHOWN_ROWS:
        st.caption(tr("table_first_rows", shown=SHOWN_ROWS, total=frame.height))
    if segment is not None and _on_spark():
        segment = None  # segments are kept in the workspace, of its own datasets (lib.ui.is_spark)
    left, right, save = st.columns(3) if segment is not None else (*st.columns(2), None)
    if save is not None:
        with save:
            save_segment(segment, key)
    # The files are built when clicked (a callable), not on every rerun: Excel for 20k rows takes seconds.
    # A download does not rerun the page (on_click="ignore"): a rerun would drop the other button's
    # file while its click is on the way, and that download would silently not happen.
    left.download_button(tr("download_csv"), lambda: csv_text(frame).encode("utf-8-sig"),
                         file_name=f"{file_stem}.csv", mime="text/csv", key=f"{key}_csv",
                         icon=":material/download:", on_click="ignore")
    too_many = frame.height > EXCEL_MAX_ROWS
    # Columns the page shows as money are money in Excel too, in the dataset's currency.
    money = [c for c, config in (column_config or {}).items() if c in frame.columns
             and (config or {}).get("type_config", {}).get("format") == money_column_format()]
    # Probabilities the page shows as 12.3 % are 12.3 % in Excel too (not 0.123).
    shares = [c for c, config in (column_config or {}).items() if c in frame.columns
              and (config or {}).get("type_config", {}).get("format") == "percent"]
    right.download_button(tr("download_excel"), excel_file(frame, money, shares), file_name=f"{file_stem}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", icon=":material/download:", on_click="ignore", disabled=too_many,
                          help=tr("excel_too_many_rows", limit=EXCEL_MAX_ROWS) if too_many else None)


def _on_spark() -> bool:
    ds = current_dataset(shared_store())
    return ds is not None and is_spark(ds)


def save_segment(definition: segments.Definition, key: str) -> None:
    """"Save as segment": a name, then the definition and a snapshot of its members go into the
    workspace (lib.segments.save). A name in use asks before replacing."""
    store = shared_store()
    ds = current_dataset(store)
    if ds is None or is_spark(ds):
        return
    with st.popover(tr("segments.save"), icon=":material/bookmark_add:", width="stretch"):
        name = st.text_input(tr("segments.name"), key=f"{key}_segment_name", max_chars=MAX_NAME_LENGTH,
                             placeholder=tr("segments.name_placeholder")).strip()
        exists = bool(name) and segments.find(store, name) is not None
        replace = False
        if exists:
            st.warning(tr("segments.exists", name=markdown_text(name)), icon=":material/warning:")
            replace = st.checkbox(tr("segments.replace"), key=f"{key}_segment_replace")
        if st.button(tr("segments.save_button"), key=f"{key}_segment_save", type="primary",
                     disabled=not name or (exists and not replace)):
            try:
                saved = segments.save(store, ds, name, definition, replace_existing=replace)
            except segments.NoLongerApplies as exc:
                st.error(tr("segments.cannot_save", why=segment_why(exc)))
            except StoreError as exc:  # taken meanwhile, or the workspace held by another program
                st.error(tr("segments.save_failed", message=markdown_text(str(exc))))
            else:
                said = tr("segments.saved", name=markdown_text(saved.name), members=saved.members)
                st.success(said)
                st.toast(said, icon=":material/bookmark_added:")  # seen wherever the page is scrolled


def excel_file(frame: pl.DataFrame, money: list[str], shares: list[str] = ()) -> Callable[[], bytes]:
    """The .xlsx a download button builds when clicked, its money in the currency shown now: the
    click runs it later, in another thread, where this script run's currency is not set."""
    sign = currencies.shown()
    return lambda: excel_bytes(frame, money, sign, shares)


def excel_bytes(frame: pl.DataFrame, money: list[str] = (), currency: str | None = None,
                shares: list[str] = ()) -> bytes:
    """The frame as an .xlsx: dates as dates, times to the second, numbers to two decimals at least,
    the `money` columns as amounts in `currency` (default: the shown one), negatives -¥1,234.50,
    and the `shares` columns (fractions) as percentages to one decimal."""
    buffer = io.BytesIO()
    # Text stays text: xlsxwriter would make a cell reading http://…, mailto:… or external:c:\…\x.exe
    # a live hyperlink (strings_to_urls); formulas and numbers are never guessed from text either.
    with xlsxwriter.Workbook(buffer, EXCEL_TEXT_AS_TEXT) as workbook:
        frame.write_excel(workbook, autofit=True, dtype_formats=EXCEL_FORMATS,
                          column_formats={**{c: excel_money_format(currency) for c in money},
                                          **{c: "0.0%" for c in shares}} or None)
    return buffer.getvalue()
