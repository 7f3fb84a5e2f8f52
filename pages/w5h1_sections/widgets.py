"""What the 5W1H sections share: their constants and widget helpers (drill-down pickers, chart
clicks, metric cards, member lists, column formats). Widgets only: no numbers are made here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from datetime import date

import polars as pl
import streamlit as st

from lib import clv
from lib.charts import w5h1 as charts
from lib.formatting import chart_text_back, money_column_format
from lib.i18n import sentences, t
from lib.filters import filter_options
from lib.segments import Definition
from lib.store import Dataset
from lib.ui import compute, counted_selectbox, lang, show_chart, tr, url_option
from lib.tables import member_table, number_formats, percent_column
BY_OPTIONS = ("category", "product_name", "sku")


def product_levels(ds) -> tuple[str, ...]:
    """The levels of BY_OPTIONS the dataset has values for (UCI's export has products and SKUs but
    no category: offering category first would open on an empty chart); all of them when it has none."""
    options = compute(filter_options, ds)
    return tuple(level for level in BY_OPTIONS if options.get(level)) or BY_OPTIONS
ATTRIBUTES = ("member_tier", "gender", "age_band", "first_channel", "region", "top_category")
TOP_SHARES = (0.05, 0.1, 0.2)
DUE_CHOICES = ("overdue", "lapsed", "any", "not_due")  # "any" = overdue or lapsed: every late member
MAX_CHART_ITEMS = 30       # items on one bar chart (the biggest by buyers)
LIST_LIMIT = 5000          # rows of the overdue list shipped to the browser and the downloads
NOTABLE_LIFT = 1.2         # a pair's lift above this is worth a word; near 1 is what chance gives
NULL = "\x00null"          # a picker's stand-in for a missing value (None is "nothing chosen")
MODEL_KEY = "w5h1_model"   # the purchase model (URL and session), chosen in Why, used in Who's pre-churn list too
CLV_TABS_KEY = "w5h1_clv_tab"  # Why's two tabs under the predicted CLV: value bands or the holdout backtest
COMPARED = ("bgnbd", "mbgnbd")  # the backtest compares these by default; Pareto/NBD (slow) only when ticked


def names(prefix: str) -> Callable[[object], str]:
    """A format_func naming each option by the label key prefix + option, in this run's language
    (Streamlit may call a format_func after the session's language changed)."""
    current = lang()
    return lambda option: t(f"{prefix}{option}", current)


def pick(label: str, options: list[str], key: str, format_func=str, clicked: str | None = None) -> str | None:
    """A drill-down picker: "— choose —" first; a clicked chart element preselects its item. Returns
    the chosen option or None."""
    if clicked is not None and clicked in options and clicked != st.session_state.get(key + "_click"):
        st.session_state[key] = clicked
        st.session_state[key + "_click"] = clicked
    shown = {"": tr("w5h1.pick_none"), **{o: format_func(o) for o in options}}
    # counted_selectbox: back to "— choose —" when the filters take the choice away, and the shown
    # label follows when only the counts in it change.
    return counted_selectbox(label, ["", *options], key, lambda v: shown.get(v, str(v)), default="") or None


def clicked(event) -> str | None:
    """customdata[0] of the first clicked point of a chart drawn with on_select="rerun" (as stored:
    lib.ui.show_chart drew it as text)."""
    try:
        points = event["selection"]["points"]
        return chart_text_back(str(points[0]["customdata"][0])) if points else None
    except (KeyError, IndexError, TypeError):
        return None


def x_click(event) -> str | None:
    """The x value of the first clicked point (bars whose x is the item)."""
    try:
        points = event["selection"]["points"]
        return chart_text_back(str(points[0]["x"])) if points else None
    except (KeyError, IndexError, TypeError):
        return None


def cards(*shown: tuple[str, str]) -> None:
    """A row of bordered metric cards, each (label key, value as written)."""
    for column, (label_key, value) in zip(st.columns(len(shown)), shown):
        column.metric(tr(label_key), value, border=True)


def chart(fig, key: str):
    return show_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch")


def show_listed(key: str, stem: str, function: Callable[..., pl.DataFrame], ds: Dataset, *args: Any) -> None:
    """The members `function` lists (a lib.segments source, computed as lib.ui.compute does), with
    "Save as segment" for that list."""
    show_members(compute(function, ds, *args), key, stem, Definition.of(function, *args))


def show_members(frame: pl.DataFrame, key: str, stem: str, segment: Definition | None = None) -> None:
    """A member list (lib.ui.member_table) with the 5W1H columns' headers and number formats, and
    "Save as segment" when `segment` says how it was made."""
    L = lang()
    headers = {c: t(charts.COLUMN_LABELS[c], L) if c in charts.COLUMN_LABELS else c for c in frame.columns}
    # probabilities to one decimal everywhere (93.4 %): "percent" alone shows 0 to 2 decimals
    probabilities = {headers[c]: percent_column(headers[c]) for c in charts.PROBABILITIES if c in headers}
    member_table(charts.member_list(frame, L), key, stem,
                 column_config={**number_formats(headers), **probabilities}, segment=segment)


def chosen_model() -> str:
    """The purchase model picked in the Why section (kept in the URL as w5h1_model), for the
    sections that do not draw the control."""
    model = st.session_state.get(MODEL_KEY)
    return model if model in clv.MODELS else url_option(MODEL_KEY, clv.MODELS, clv.DEFAULT_MODEL, tr("clv.model"))


def model_names(model: str) -> str:
    return clv.MODEL_LABELS[model]


def say_status(status: str, model: clv.Model, cutoff: date | None = None) -> None:
    """Why there is no prediction, as an info line; a failed fit (not the data) suggests another model."""
    L = lang()
    words = charts.status_sentence(status, model, L, cutoff)
    st.info(sentences((words, tr("clv.try_other_model") if status == "not_converged" else None), L),
            icon=":material/query_stats:")


def say_notes(model: clv.Model) -> None:
    """What a boundary solution of the fit means, as an info line."""
    for note in charts.boundary_notes(model.notes, lang()):
        st.info(note, icon=":material/info:")


def overridable(column, label_key: str, computed: float | None, key: str, scale: float = 1.0,
                max_value: float | None = None, step: float = 1.0) -> float | None:
    """A number input pre-filled with a computed input (× scale); the key carries the computed
    value, so new data or filters reset it. Returns the user's value / scale when it differs."""
    shown = None if computed is None else round(computed * scale, 4)
    value = column.number_input(tr(label_key), min_value=0.0, max_value=max_value, value=shown, step=step,
                                key=f"{key}_{shown}", format="%.2f")
    if value is None or (shown is not None and abs(value - shown) < 1e-9):
        return None
    return value / scale


def cac_reason(note: str | None) -> str:
    """Why a CAC is blank (lib.cac's cac_note), in words; "" when it is not."""
    return tr(f"w5h1.cac_{note}") if note else ""


def percent(label_key: str) -> st.column_config.NumberColumn:
    return percent_column(tr(label_key))


def pair_columns() -> dict:
    return {"antecedent": tr("w5h1.antecedent"), "consequent": tr("w5h1.consequent"),
            "together": st.column_config.NumberColumn(tr("w5h1.together"), format="localized"),
            "support": percent("w5h1.support"),
            "confidence": percent("w5h1.confidence"),
            "lift": st.column_config.NumberColumn(tr("w5h1.lift"), format="%.2f")}


def table_height(rows: int) -> int:
    """Pixels that show every row of a short table (no inner scrolling)."""
    return 38 + 35 * rows + 2


def count_column(label: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="localized")


def comparison_columns() -> dict:
    """The backtest's table of models (lib.charts.clv.comparison_table), each number with what it means."""
    def number(column: str, name: str, fmt: str) -> tuple[str, st.column_config.NumberColumn]:
        return column, st.column_config.NumberColumn(tr(f"w5h1.cmp_{name}"), format=fmt,
                                                     help=tr(f"w5h1.cmp_{name}_help"))
    return {"model": st.column_config.TextColumn(tr("w5h1.cmp_model")),
            **dict((number("members", "members", "localized"), number("predicted", "predicted", "%,.1f"),
                    number("actual", "actual", "localized"), number("error_pct", "error", "%+.1f%%"),
                    number("mae", "mae", "%.2f"), number("rmse", "rmse", "%.2f"))),
            "status": st.column_config.TextColumn(tr("w5h1.cmp_status"))}


def action_columns() -> dict:
    return {tr("w5h1.revenue_col"): money_column(tr("w5h1.revenue_col")),
            tr("w5h1.members_col"): count_column(tr("w5h1.members_col")),
            tr("w5h1.revenue_share"): percent("w5h1.revenue_share")}


def money_column(label: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format=money_column_format())
