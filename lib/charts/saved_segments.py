"""The Segments page's chart and tables (lib.segments): a segment's size at past month ends, and
an export with headers and names in the user's language. Pure: frames + language -> figures or
display frames; no streamlit, no I/O."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from lib.charts import PALETTE, style, whole_ticks
from lib.formatting import chart_text
from lib.i18n import Lang, t

# export column -> label key (lib.segments.EXPORT_COLUMNS)
EXPORT_HEADERS = {
    "member_id": "member_id", "signup_date": "segments.col_signup_date", "gender": "gender",
    "birth_year": "segments.col_birth_year", "member_tier": "member_tier", "region": "region", "city": "city",
    "channel": "segments.col_member_channel", "recency_days": "recency_days", "frequency": "frequency",
    "monetary": "w5h1.col_monetary", "r_score": "w5h1.col_r_score", "f_score": "w5h1.col_f_score",
    "m_score": "w5h1.col_m_score", "rfm_segment": "segments.col_rfm_segment", "value_group": "value_group",
    "stage": "stage", "p_alive": "p_alive", "predicted_clv": "w5h1.col_predicted_clv",
    "expected_next_date": "expected_next_date",
}
# columns whose values are ids shown by name: column -> label prefix
NAMED_VALUES = {"rfm_segment": "seg_", "value_group": "vg_", "stage": "stage_"}


def size_over_time(history: pl.DataFrame, name: str, lang: Lang) -> go.Figure:
    """lib.segments.size_over_time: members at each month end (a line; gaps where the definition
    could not be evaluated)."""
    days = [d.isoformat() for d in history["as_of"]]
    fig = go.Figure(go.Scatter(
        x=days, y=history["members"].to_list(), mode="lines+markers", line={"color": PALETTE[0], "width": 2},
        hovertemplate="%{x}<br>" + t("segments.history_axis", lang) + ": %{y:,}<extra></extra>"))
    style(fig, t("segments.history_title", lang, name=chart_text(name)), t("segments.history_date", lang),
          t("segments.history_axis", lang), height=360, legend=False)
    fig.update_xaxes(type="category")
    return whole_ticks(fig, history["members"].max())


def export_table(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """lib.segments.export's frame with headers, segment, group and stage names in `lang`."""
    shown = [pl.col(c).replace({v: t(prefix + v, lang) for v in frame[c].drop_nulls().unique()})
             for c, prefix in NAMED_VALUES.items() if c in frame.columns]
    return (frame.with_columns(shown) if shown else frame).rename(
        {c: t(EXPORT_HEADERS[c], lang) for c in frame.columns})


# A cell field whose value names something with a label: field -> label prefix.
CELL_VALUE_LABELS = {"segment": "seg_", "value_group": "vg_", "stage": "stage_", "step": "lifecycle.step_",
                     "from_stage": "stage_", "to_stage": "stage_"}


def cell_words(definition: str, lang: Lang) -> str:
    """What a saved list held, in words, from its definition's JSON (lib.segments.encode): the
    cell's fields that are set, names by their labels ("At Risk", "cohort 2024-01-01 · period 1"),
    or the text searched for; "" when the list has no cell (the pre-churn and due lists)."""
    import json

    try:
        args = json.loads(definition)["args"]["tuple"]
    except (ValueError, KeyError, TypeError):
        return ""
    last = args[-1] if args else None
    if isinstance(last, dict) and str(last.get("class", "")).endswith("Cell"):
        parts = []
        for name, value in last.get("fields", {}).items():
            if value is None or name == "member_ids" or isinstance(value, dict) and "tuple" in value:
                continue
            value = value.get("date") if isinstance(value, dict) else value
            prefix = CELL_VALUE_LABELS.get(name)
            parts.append(t(prefix + str(value), lang) if prefix else f"{name} {value}")
        return " · ".join(parts)
    texts = [a for a in args if isinstance(a, str)]
    return " · ".join(texts)
