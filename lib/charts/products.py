"""The 5W1H Products section: the most repurchased items, price band × discount sensitivity as a
heatmap, and what a first order holding each item leads to. Pure: polars frames + language ->
plotly figures; no streamlit, no I/O. Amounts are written by lib.formatting in `currency`.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from lib.charts import HEAT_SCALE, style
from lib.charts.w5h1 import BLUE, GREEN, RED, bar_height, gap_text, item_name, shorten, word
from lib.formatting import money, money_hover, percent
from lib.i18n import Lang, t
from lib.price_bands import SENSITIVITIES


def top_repurchased(frame: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """repurchase.top_repurchased: repeat buyers per item, most on top."""
    names = [item_name(v, t("w5h1.unknown", lang)) for v in frame[item_col]]
    fig = go.Figure(go.Bar(
        y=[shorten(n) for n in names], x=frame["repeat_buyers"].to_list(), orientation="h", marker_color=GREEN,
        text=[f"{r:,} · {percent(v, 0)}" for r, v in zip(frame["repeat_buyers"], frame["repurchase_rate"])],
        textposition="auto", textangle=0,
        customdata=[[n, b, r, gap_text(g, lang)] for n, b, r, g in zip(
            names, frame["buyers"], frame["repurchase_rate"], frame["median_gap_days"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("w5h1.repeat_buyers", lang) + ": %{x:,} / "
                       + t("w5h1.buyers_n", lang) + " %{customdata[1]:,}<br>" + t("repurchase_rate", lang)
                       + ": %{customdata[2]:.1%}<br>" + t("median_gap_days", lang) + ": %{customdata[3]}"
                       "<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    return style(fig, t("w5h1.top_title", lang, item=word(item, lang), n=frame.height), t("w5h1.top_x", lang),
                 item, height=bar_height(frame.height), legend=False)


def price_heatmap(frame: pl.DataFrame, measure: str, lang: Lang, currency: str | None = None) -> go.Figure:
    """price_bands.run: price band (rows, cheapest at the bottom) × sensitivity (columns);
    colour and text = members, revenue or mean discount rate; the hover has all three."""
    sens = [s for s in SENSITIVITIES if s in set(frame["sensitivity"])]
    bands = frame.select("band", "price_band").unique().sort("band")
    cells = {(b, s): r for b, s, r in zip(frame["band"], frame["sensitivity"], frame.iter_rows(named=True))}
    z, text, custom = [], [], []
    for band in bands["band"]:
        row_z, row_text, row_custom = [], [], []
        for s in sens:
            r = cells.get((band, s))
            value = None if r is None else r[{"members": "members", "revenue": "revenue",
                                              "discount": "mean_discount_rate"}[measure]]
            row_z.append(value)
            row_text.append("" if value is None else (percent(value) if measure == "discount"
                                                      else money(value, lang, currency) if measure == "revenue"
                                                      else f"{value:,}"))
            # the discount rate as words: a cell without discount data would hover as NaN%
            row_custom.append([0, 0, "", 0] if r is None else
                              [r["members"], r["revenue"],
                               percent(r["mean_discount_rate"], missing=t("w5h1.na", lang)), r["lines"]])
        z.append(row_z)
        text.append(row_text)
        custom.append(row_custom)
    fig = go.Figure(go.Heatmap(
        z=z, x=[t(f"w5h1.sens_{s}", lang) for s in sens], y=bands["price_band"].to_list(), text=text,
        texttemplate="%{text}", colorscale=HEAT_SCALE, customdata=custom, showscale=True, hoverongaps=False,
        colorbar={"title": {"text": t(f"w5h1.pm_{measure}", lang)},
                  "tickformat": ".0%" if measure == "discount" else ",.0f"},
        hovertemplate=("%{y} · %{x}<br>" + t("w5h1.pm_members", lang) + ": %{customdata[0]:,}<br>"
                       + t("w5h1.pm_revenue", lang) + ": " + money_hover("customdata[1]", 0, currency) + "<br>"
                       + t("w5h1.pm_discount", lang) + ": %{customdata[2]}<br>" + t("w5h1.lines", lang)
                       + ": %{customdata[3]:,}<extra></extra>")))
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(type="category")
    return style(fig, t("w5h1.price_title", lang, measure=word(t(f"w5h1.pm_{measure}", lang), lang)),
                 t("w5h1.price_x", lang), t("w5h1.price_y", lang), height=max(320, 120 + 60 * bands.height),
                 legend=False)


def first_order(frame: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """first_orders.run: repeat rate after a first order holding each item (most
    first buyers first), with the rate of all new buyers (repeat_rate / repeat_lift) as a line."""
    overall_rate = next((r / lift for r, lift in zip(frame["repeat_rate"], frame["repeat_lift"])
                         if r is not None and lift), None)
    names = [item_name(v, t("w5h1.unknown", lang)) for v in frame[item_col]]
    rates = frame["repeat_rate"].to_list()
    fig = go.Figure(go.Bar(
        x=[shorten(n) for n in names], y=rates,
        marker_color=[GREEN if overall_rate is not None and (v or 0) >= overall_rate else BLUE for v in rates],
        text=[percent(v, 0, missing="") for v in rates], textposition="outside",
        customdata=[[n, f, s, t("w5h1.na", lang) if lift is None else f"×{lift:.2f}"] for n, f, s, lift in zip(
            names, frame["first_buyers"], frame["first_buyer_share"], frame["repeat_lift"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("w5h1.first_buyers", lang) + ": %{customdata[1]:,} "
                       "(%{customdata[2]:.1%})<br>" + t("w5h1.first_y", lang) + ": %{y:.1%}<br>"
                       + t("w5h1.repeat_lift", lang) + ": %{customdata[3]}<extra></extra>")))
    if overall_rate is not None:
        fig.add_hline(y=overall_rate, line={"color": RED, "dash": "dash", "width": 1},
                      annotation_text=t("w5h1.first_avg", lang, rate=overall_rate), annotation_position="top right",
                      annotation_font_color=RED)
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(automargin=True)
    item = t(item_col, lang)
    return style(fig, t("w5h1.first_title", lang, item=word(item, lang)), item, t("w5h1.first_y", lang),
                 y_format=".0%", legend=False)
