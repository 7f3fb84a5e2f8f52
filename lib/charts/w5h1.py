"""What the 5W1H page's charts share, and what its sections use beside the figures: the colours
and name helpers of lib/charts/clv.py, acquisition.py, repurchase.py, products.py and
segments.py (one module per group of sections), the purchase model's status in words, member
lists in the user's language and the numbers the reading sentences name. Pure: polars frames (+
language) -> plotly figures, display frames or words; no streamlit, no I/O.

Every figure has a title saying what it shows, axis titles with units and a hover with the
numbers behind each mark. Bars a user can click carry the item they stand for in customdata[0],
so the page can open the members behind it.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from lib.charts import PALETTE
from lib.clv import MIN_REPEAT_BUYERS, MODEL_LABELS, Model
from lib.i18n import Lang, sentences, t

BLUE, AMBER, GREEN, RED, VIOLET = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4]
GREY = "#94a3b8"
MAX_LABEL = 22  # characters of an item name on an axis before it is shortened (hover has it whole)


def item_name(text: object, unknown: str) -> str:
    return unknown if text is None or text == "" else str(text)


def shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_height(n: int, minimum: int = 320) -> int:
    return max(minimum, 90 + 30 * n)


def gap_text(value: float | None, lang: Lang) -> str:
    """A median gap for a hover: "n/a" when nobody bought twice (plotly would print null)."""
    return t("w5h1.na", lang) if value is None else f"{value:g}"


def word(label: str, lang: Lang) -> str:
    """A label inside an English sentence or title ("Category" -> "category"; SKU stays)."""
    return label if lang == "zh" or label.isupper() else label[0].lower() + label[1:]


def date_axis(fig: go.Figure, lang: Lang) -> go.Figure:
    """Month ticks as 2024-01 in Chinese (plotly's month names are English only)."""
    if lang == "zh":
        fig.update_xaxes(tickformat="%Y-%m", hoverformat="%Y-%m-%d")
    return fig


# -- the purchase model in words (the Why and Who sections, the member page) --------------------


def model_label(model: str) -> str:
    return MODEL_LABELS[model]


def status_sentence(status: str, model: Model, lang: Lang, cutoff: date | None = None) -> str:
    """Why a prediction or a backtest is missing (a lib.clv Model's or Backtest's status) in words;
    `model` (the fit, or the backtest's) fills in its name and counts."""
    words = t(f"clv.status_{status}", lang, model=model_label(model.name), repeat=model.repeat_buyers,
              buyers=model.buyers, minimum=MIN_REPEAT_BUYERS, cutoff=cutoff)
    if status == "not_converged" and model.runaway:
        words = sentences((words, t(f"clv.runaway_{model.runaway}", lang)), lang)
    return words


def boundary_notes(notes: tuple[str, ...], lang: Lang) -> list[str]:
    """What a fit's boundary solutions mean (Model.notes), one sentence each, repeats dropped."""
    return [t(f"clv.boundary_{note}", lang) for note in dict.fromkeys(notes)]


# -- member lists ------------------------------------------------------------------------------

# column -> label key, for member lists (member_table shows the frame as it is)
COLUMN_LABELS = {
    "member_id": "member_id", "purchases": "w5h1.col_purchases", "gaps": "w5h1.col_gaps",
    "last_purchase": "w5h1.col_last_purchase", "first_purchase": "w5h1.col_first_purchase",
    "median_gap_days": "w5h1.col_member_gap", "member_median_gap": "w5h1.col_member_gap",
    "item_median_gap": "w5h1.col_item_gap", "item": "w5h1.col_item", "expected_date": "expected_next_date",
    "days_overdue": "days_overdue", "basis": "w5h1.col_basis", "status": "w5h1.status",
    "baskets": "w5h1.col_baskets", "lines": "w5h1.col_lines", "revenue": "w5h1.col_revenue",
    "value": "w5h1.col_value", "repeated": "w5h1.col_repeated", "segment": "segment",
    "value_group": "value_group", "recency_days": "recency_days", "frequency": "frequency",
    "monetary": "w5h1.col_monetary", "r_score": "w5h1.col_r_score", "f_score": "w5h1.col_f_score",
    "m_score": "w5h1.col_m_score",
    "p_alive": "p_alive", "churn_probability": "clv.churn_probability", "expected_purchases": "expected_purchases",
    "expected_spend": "w5h1.col_expected_spend",
    "predicted_clv": "w5h1.col_predicted_clv", "expected_next_date": "expected_next_date",
    "low_p_alive": "w5h1.col_low_p_alive", "risk_segment": "w5h1.col_risk_segment",
}
PROBABILITIES = ("p_alive", "churn_probability")
VALUE_LABELS = {"segment": "seg_", "value_group": "vg_", "status": "w5h1.st_", "basis": "w5h1.basis_"}


def member_list(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """A member list with headers (and segment / status / basis values) in the user's language;
    a column without a label keeps its id."""
    renamed = {}
    values = []
    for column in frame.columns:
        prefix = VALUE_LABELS.get(column)
        if prefix is not None and frame.schema[column] == pl.String:
            mapping = {v: t(prefix + v, lang) for v in frame[column].drop_nulls().unique()}
            values.append(pl.col(column).replace(mapping))
        key = COLUMN_LABELS.get(column)
        if key:
            renamed[column] = t(key, lang)
    # dates as 2024-01-05 (st.dataframe would show a time of day)
    values += [pl.col(c).dt.strftime("%Y-%m-%d") for c, dtype in frame.schema.items() if dtype == pl.Date]
    # probabilities to 0.1 %: the grid cuts a number to its column's step (0.001 for one decimal of a
    # percent) instead of rounding it, so 0.9346 would read 93.4 % beside a card's 93.5 %
    values += [pl.col(c).round(3) for c in PROBABILITIES if c in frame.columns]
    return (frame.with_columns(values) if values else frame).rename(renamed)


# -- numbers for the reading sentences --------------------------------------------------------


def extremes(frame: pl.DataFrame, value_col: str, name_col: str) -> tuple[tuple[str, float] | None, ...]:
    """(name, value) of the highest and of the lowest non-null value (ties: first by name)."""
    data = frame.filter(pl.col(value_col).is_not_null()).sort([value_col, name_col], descending=[True, False])
    if not data.height:
        return None, None
    first, last = data.row(0, named=True), data.sort([value_col, name_col]).row(0, named=True)
    return (str(first[name_col]), first[value_col]), (str(last[name_col]), last[value_col])
