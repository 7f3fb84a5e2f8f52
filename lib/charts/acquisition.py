"""The 5W1H page's acquisition charts (lib.w5h1.where): revenue from new and returning buyers
against marketing spend (the Why section), and the first channels side by side — repurchase
rate, CAC, NPS — as panels and as a table (the Where & how section). Pure: polars frames +
language -> plotly figures or display frames; no streamlit, no I/O. Amounts in a hover are written
by lib.formatting in `currency`.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from lib.cac import SPEND_NOT_SCOPED
from lib.charts import style
from lib.charts.w5h1 import AMBER, BLUE, GREEN, RED, date_axis, word
from lib.formatting import money_full, money_hover, percent
from lib.i18n import Lang, t


def new_vs_returning(frame: pl.DataFrame, period: str, lang: Lang, currency: str | None = None) -> go.Figure:
    """w5h1.where.new_vs_returning: stacked revenue bars (new, returning) and the spend line, all in `currency`.
    Under a filter spend cannot follow (cac_note 'spend_not_scoped') the line is all spend and
    its name says so; a CAC that cannot be worked out reads "n/a" in the hover."""
    periods = frame["period"].to_list()
    fig = go.Figure()
    for column, colour in (("revenue_new", AMBER), ("revenue_returning", BLUE)):
        fig.add_trace(go.Bar(
            x=periods, y=frame[column].to_list(), name=t(f"w5h1.{column}", lang), marker_color=colour,
            customdata=frame["new_buyers"].to_list(),
            hovertemplate=("%{x|%Y-%m-%d}<br>" + t(f"w5h1.{column}", lang) + ": " + money_hover("y", 0, currency)
                           + "<br>" + t("new_buyers", lang) + ": %{customdata:,}<extra></extra>")))
    if frame["spend"].null_count() < frame.height:
        unscoped = (frame["cac_note"] == SPEND_NOT_SCOPED).any()
        name = t("w5h1.spend_all" if unscoped else "w5h1.spend", lang)
        na = t("w5h1.na", lang)  # plotly would print a CAC that cannot be worked out (null) as NaN
        fig.add_trace(go.Scatter(
            x=periods, y=frame["spend"].to_list(), name=name, mode="lines+markers",
            line={"color": RED, "width": 2}, customdata=[money_full(v, currency=currency, missing=na)
                                                         for v in frame["cac"]],
            hovertemplate=("%{x|%Y-%m-%d}<br>" + name + ": " + money_hover("y", 0, currency) + "<br>"
                           + t("cac", lang) + ": %{customdata}<extra></extra>")))
    fig.update_layout(barmode="stack")
    label = t(f"period_{period}", lang)
    return date_axis(style(fig, t("w5h1.cost_title", lang, period=word(label, lang)), label,
                           t("w5h1.cost_y", lang), y_format=",.0f"), lang)


def channels(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> go.Figure:
    """w5h1.where.channels: three panels per first channel — repurchase rate, CAC, NPS — with the
    all-channels value as a dashed line. A CAC that cannot be worked out has no bar; when spend
    cannot follow the filters (cac_note 'spend_not_scoped') the CAC panel's title says so."""
    per = frame.filter(pl.col("channel").is_not_null())
    total = frame.filter(pl.col("channel").is_null())
    totals = total.row(0, named=True) if total.height else {}
    names = per["channel"].to_list()
    panels = (("repurchase_rate", "w5h1.ch_rate", BLUE, ".0%"), ("cac", "w5h1.ch_cac", RED, ",.0f"),
              ("nps", "w5h1.ch_nps", GREEN, ",.0f"))
    unscoped = (frame["cac_note"] == SPEND_NOT_SCOPED).any()

    def title(column: str, label: str) -> str:
        value = totals.get(column)
        if column == "cac" and unscoped:
            return f"{t(label, lang)}<br><span style='font-size:12px'>{t('w5h1.ch_cac_na', lang)}</span>"
        if value is None:
            return t(label, lang)
        shown = percent(value, 0) if column == "repurchase_rate" else f"{value:,.0f}"
        return f"{t(label, lang)}<br><span style='font-size:12px'>{t('w5h1.all_channels', lang)} {shown} ┈┈</span>"

    fig = make_subplots(rows=1, cols=3, subplot_titles=[title(p[0], p[1]) for p in panels], horizontal_spacing=0.08)
    style(fig, t("w5h1.channel_title", lang), t("w5h1.channel_pick", lang), None, height=400, legend=False)
    fig.update_layout(margin={"t": 120})
    # spend and responses as words: plotly would print a null (no spend data, no answers) as NaN
    na = t("w5h1.na", lang)
    custom = [[b, r, n, money_full(s, currency=currency, missing=na), f"{a or 0:,}"] for b, r, n, s, a in
              per.select("buyers", "repeat_buyers", "new_buyers", "spend", "responses").rows()]
    hover = ("<b>%{x}</b><br>{label}: %{y:{fmt}}<br>" + t("w5h1.buyers_n", lang) + ": %{customdata[0]:,} · "
             + t("w5h1.repeat_buyers", lang) + ": %{customdata[1]:,}<br>" + t("new_buyers", lang)
             + ": %{customdata[2]:,} · " + t("w5h1.spend", lang) + ": %{customdata[3]}<br>"
             + t("w5h1.responses", lang) + ": %{customdata[4]}<extra></extra>")
    for col, (column, label, colour, fmt) in enumerate(panels, start=1):
        values = per[column].to_list()
        text = ["" if v is None else (percent(v, 0) if column == "repurchase_rate" else f"{v:,.0f}") for v in values]
        fig.add_trace(go.Bar(x=names, y=values, marker_color=colour, text=text, textposition="auto", textangle=0,
                             customdata=custom, name=t(label, lang),
                             hovertemplate=hover.replace("{label}", t(label, lang)).replace("{fmt}", fmt)),
                      row=1, col=col)
        if totals.get(column) is not None:
            fig.add_hline(y=totals[column], line={"color": "#475569", "dash": "dash", "width": 1}, row=1, col=col)
        fig.update_yaxes(tickformat=fmt, title_text=t(label, lang), row=1, col=col)
    return fig


def channel_table(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """w5h1.where.channels with localized headers; the total row named "all channels"."""
    return pl.DataFrame({
        t("w5h1.channel_pick", lang): [c if c is not None else t("w5h1.all_channels", lang) for c in frame["channel"]],
        t("w5h1.buyers_n", lang): frame["buyers"],
        t("w5h1.repeat_buyers", lang): frame["repeat_buyers"],
        t("repurchase_rate", lang): frame["repurchase_rate"],
        t("new_buyers", lang): frame["new_buyers"],
        t("w5h1.spend", lang): frame["spend"],
        t("cac", lang): frame["cac"],
        t("w5h1.responses", lang): frame["responses"],
        "NPS": frame["nps"],
    })
