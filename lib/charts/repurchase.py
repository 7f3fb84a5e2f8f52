"""The 5W1H page's repurchase charts (lib.repurchase): the repurchase rate per item (the What
section), and the cycles between purchases — the gaps as a histogram, the median gap per item,
who is due to buy again per item (the When section). Pure: polars frames + language -> plotly
figures; no streamlit, no I/O.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from lib.charts import style
from lib.charts.w5h1 import AMBER, BLUE, GREEN, GREY, RED, VIOLET, bar_height, gap_text, item_name, shorten, word
from lib.formatting import percent
from lib.i18n import Lang, t


def item_repurchase(frame: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """repurchase.run: repurchase rate per item, highest on top."""
    data = frame.sort(["repurchase_rate", item_col], descending=[True, False], nulls_last=True)
    names = [item_name(v, t("w5h1.unknown", lang)) for v in data[item_col]]
    fig = go.Figure(go.Bar(
        y=[shorten(n) for n in names], x=data["repurchase_rate"].to_list(), orientation="h", marker_color=BLUE,
        text=[percent(v, 0, missing="") for v in data["repurchase_rate"]], textposition="auto", textangle=0,
        customdata=[[n, b, r, gap_text(g, lang)] for n, b, r, g in zip(names, data["buyers"], data["repeat_buyers"],
                                                                       data["median_gap_days"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("repurchase_rate", lang) + ": %{x:.1%}<br>"
                       + t("w5h1.repeat_buyers", lang) + " / " + t("w5h1.buyers_n", lang)
                       + ": %{customdata[2]:,} / %{customdata[1]:,}<br>" + t("median_gap_days", lang)
                       + ": %{customdata[3]}<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    return style(fig, t("w5h1.cat_title", lang, item=word(item, lang)), t("w5h1.rate_x", lang), item,
                 height=bar_height(data.height), legend=False).update_xaxes(tickformat=".0%")


# -- cycles (the When section) -----------------------------------------------------------------


def _quantile_days(cycles: pl.DataFrame, share: float) -> int:
    """The smallest gap with ≥ share of the gaps at or below it (axis range only)."""
    total = cycles["gaps"].sum()
    running = 0
    for days, gaps in cycles.select("gap_days", "gaps").rows():
        running += gaps
        if running >= share * total:
            return int(days)
    return int(cycles["gap_days"].max())


def cycle_histogram(cycles: pl.DataFrame, summary: dict, lang: Lang) -> go.Figure:
    """repurchase.cycles (gaps per day) as bars, the median as a line and the middle half shaded;
    the axis ends where 98 % of the gaps are (the long tail stays in the data and the hover)."""
    fig = go.Figure(go.Bar(
        x=cycles["gap_days"].to_list(), y=cycles["gaps"].to_list(), marker_color=BLUE,
        hovertemplate=t("w5h1.cycle_x", lang) + ": %{x}<br>" + t("w5h1.cycle_y", lang) + ": %{y:,}<extra></extra>"))
    p25, median, p75 = summary.get("p25"), summary.get("median_gap_days"), summary.get("p75")
    fig.data[0].showlegend = False
    if p25 is not None and p75 is not None:
        fig.add_vrect(x0=p25, x1=p75, fillcolor=AMBER, opacity=0.15, line_width=0)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=t("w5h1.quartiles", lang, p25=p25, p75=p75),
                                 marker={"symbol": "square", "size": 14, "color": AMBER, "opacity": 0.4}))
    if median is not None:
        fig.add_vline(x=median, line={"color": RED, "width": 2, "dash": "dash"})
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=t("w5h1.median", lang, days=median),
                                 line={"color": RED, "width": 2, "dash": "dash"}))
    right = max(_quantile_days(cycles, 0.98), (p75 or 0) * 2, 14) + 2
    fig.update_xaxes(range=[-1, right])
    fig.update_layout(bargap=0.05)
    return style(fig, t("w5h1.cycle_title", lang), t("w5h1.cycle_x", lang), t("w5h1.cycle_y", lang),
                 y_format=",.0f")


def item_gaps(frame: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """repurchase.run: median days between purchases of each item (shortest cycle on top)."""
    data = frame.filter(pl.col("median_gap_days").is_not_null()).sort(["median_gap_days", item_col])
    names = [item_name(v, t("w5h1.unknown", lang)) for v in data[item_col]]
    fig = go.Figure(go.Bar(
        y=[shorten(n) for n in names], x=data["median_gap_days"].to_list(), orientation="h", marker_color=VIOLET,
        text=[f"{v:g}" for v in data["median_gap_days"]], textposition="auto", textangle=0,
        customdata=[[n, m, r] for n, m, r in zip(names, data["mean_gap_days"], data["repeat_buyers"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("median_gap_days", lang) + ": %{x:g}<br>"
                       + t("w5h1.mean_gap", lang) + ": %{customdata[1]:.1f}<br>" + t("w5h1.repeat_buyers", lang)
                       + ": %{customdata[2]:,}<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    return style(fig, t("w5h1.item_gap_title", lang, item=word(item, lang)), t("w5h1.item_gap_x", lang), item,
                 height=bar_height(data.height), legend=False)


def due_status(summary: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """repurchase.due_summary (items of level `item_col`): per item, members not yet due / overdue /
    lapsed (stacked)."""
    names = [item_name(v, t("w5h1.unknown", lang)) for v in summary["item"]]
    fig = go.Figure()
    for status, colour in (("not_due", GREEN), ("overdue", AMBER), ("lapsed", GREY)):
        fig.add_trace(go.Bar(
            y=[shorten(n) for n in names], x=summary[status].to_list(), orientation="h",
            name=t(f"w5h1.st_{status}", lang), marker_color=colour,
            customdata=[[n, status, g, b] for n, g, b in zip(names, summary["item_median_gap"], summary["buyers"])],
            hovertemplate=("<b>%{customdata[0]}</b><br>" + t(f"w5h1.st_{status}", lang)
                           + ": %{x:,} / %{customdata[3]:,}<br>" + t("w5h1.col_item_gap", lang)
                           + ": %{customdata[2]:g}<extra></extra>")))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    style(fig, t("w5h1.due_title", lang, item=word(item, lang)), t("w5h1.due_y", lang), item,
          height=bar_height(summary.height))
    fig.update_layout(legend={"traceorder": "normal"})
    return fig
