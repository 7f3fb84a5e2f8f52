"""The 5W1H Why section's customer value: historical CLV against CAC (bars and the table of its
inputs), members by predicted-CLV band, and the holdout backtest of the purchase models (the
cumulative and calibration plots, the models compared). Pure: polars frames + language ->
plotly figures, display frames or a sentence; no streamlit, no I/O. Amounts are written by
lib.formatting in `currency`.
"""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from lib.charts import style
from lib.charts.w5h1 import AMBER, BLUE, GREEN, GREY, RED, date_axis, model_label
from lib.formatting import MISSING, money, money_full, money_hover, percent
from lib.i18n import Lang, t


def value_vs_cac(cac: float | None, annual_value: float | None, historic_clv: float | None, lang: Lang,
                 currency: str | None = None) -> go.Figure:
    """Three horizontal bars in `currency`: CAC, a retained buyer's year (× margin), historic CLV. A
    value that cannot be worked out (CAC under a filter spend cannot follow) has no bar, and its
    name says so: a bar at 0 would read as "free"."""
    na = t("w5h1.na", lang)
    names = [t("w5h1.bar_cac", lang), t("w5h1.bar_annual", lang), t("w5h1.bar_clv", lang)]
    values = [cac, annual_value, historic_clv]
    fig = go.Figure(go.Bar(
        y=[name if v is not None else (f"{name}（{na}）" if lang == "zh" else f"{name} ({na})")
           for name, v in zip(names, values)],
        x=values, orientation="h", marker_color=[RED, GREEN, BLUE],
        text=[money(v, lang, currency) if v is not None else "" for v in values], textposition="auto", textangle=0,
        hovertemplate="%{y}: " + money_hover("x", currency=currency) + "<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, t("w5h1.value_chart_title", lang), t("w5h1.cost_y", lang), t("w5h1.value_y", lang),
                 height=260, legend=False)


# how the inputs of historical_table read; every other input is an amount, in full to the fen
HISTORICAL_PERCENTS = {"annual_churn_rate": 1, "gross_margin": 0}  # decimals
HISTORICAL_FORMATS = {"lifetime_years": "{:.2f}", "buyers_last_year": "{:,.0f}", "buyers_prior_year": "{:,.0f}",
                      "churned_buyers": "{:,.0f}"}


def historical_table(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> pl.DataFrame:
    """w5h1.why.historical: every input and the result with its source, values formatted for reading;
    an input that could not be computed names the reason (its note) as its source."""
    def fmt(name: str, value: float | None) -> str:
        if value is None:
            return MISSING
        if name in HISTORICAL_PERCENTS:
            return percent(value, HISTORICAL_PERCENTS[name])
        if name in HISTORICAL_FORMATS:
            return HISTORICAL_FORMATS[name].format(value)
        return money_full(value, currency=currency)
    return pl.DataFrame({
        t("w5h1.input", lang): [t(f"w5h1.hist_{n}", lang) for n in frame["input"]],
        t("w5h1.value", lang): [fmt(n, v) for n, v in zip(frame["input"], frame["value"])],
        t("w5h1.source", lang): [t(f"w5h1.note_{note}" if note else f"w5h1.src_{source}", lang)
                                 for source, note in zip(frame["source"], frame["note"])],
    })


def band_label(low: float, high: float | None, currency: str | None = None) -> str:
    """A predicted-CLV band by its edges in whole units, the symbol once: "¥1,000–2,000", "¥5,000+"
    for the top band (no upper edge)."""
    start = money_full(low, 0, currency)
    return f"{start}+" if high is None else f"{start}–{high:,.0f}"


def clv_bands(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> go.Figure:
    """w5h1.why.value_bands: members per band (bars) and the band's share of predicted value (line, right axis)."""
    labels = [band_label(lo, hi, currency) for lo, hi in frame.select("low", "high").rows()]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(
        x=labels, y=frame["members"].to_list(), name=t("w5h1.clv_y", lang), marker_color=BLUE,
        customdata=frame.select("member_share", "predicted_clv", "value_share").rows(),
        hovertemplate=("%{x}<br>" + t("w5h1.clv_y", lang) + ": %{y:,} (%{customdata[0]:.1%})<br>"
                       + t("predicted_clv", lang) + ": " + money_hover("customdata[1]", 0, currency)
                       + " (%{customdata[2]:.1%})<extra></extra>")), secondary_y=False)
    fig.add_trace(go.Scatter(
        x=labels, y=frame["value_share"].to_list(), name=t("w5h1.clv_share", lang), mode="lines+markers",
        line={"color": AMBER, "width": 2},
        hovertemplate="%{x}<br>" + t("w5h1.clv_share", lang) + ": %{y:.1%}<extra></extra>"), secondary_y=True)
    style(fig, t("w5h1.clv_title", lang), t("w5h1.clv_x", lang), t("w5h1.clv_y", lang), y_format=",.0f")
    top = max([v for v in frame["value_share"] if v is not None] or [0])
    fig.update_yaxes(title_text=t("w5h1.clv_share", lang), tickformat=".0%", secondary_y=True, showgrid=False,
                     rangemode="tozero", dtick=0.1 if top <= 0.6 else 0.2)
    return fig


# -- the holdout backtest ----------------------------------------------------------------------


def backtest(periods: pl.DataFrame, cutoff: date, model: str, lang: Lang) -> go.Figure:
    """backtest.backtest periods: cumulative predicted (by `model`) vs actual purchase days after the
    cut-off, each point at its period's end; a dashed line marks the cut-off, where both start at 0."""
    ends = periods["period_end"].to_list()
    predicted = f"{t('w5h1.predicted', lang)}（{model_label(model)}）" if lang == "zh" else \
        f"{t('w5h1.predicted', lang)} ({model_label(model)})"
    fig = go.Figure()
    for column, name, colour, dash in (("actual_cumulative", t("w5h1.actual", lang), BLUE, "solid"),
                                       ("predicted_cumulative", predicted, AMBER, "dash")):
        fig.add_trace(go.Scatter(
            x=ends, y=periods[column].to_list(), name=name, mode="lines+markers",
            line={"color": colour, "width": 2, "dash": dash},
            customdata=periods.select("period", "predicted", "actual").rows(),
            hovertemplate=("%{customdata[0]|%Y-%m-%d} – %{x|%Y-%m-%d}<br>" + name
                           + ": %{y:,.0f}<br>" + t("w5h1.predicted", lang) + " / " + t("w5h1.actual", lang)
                           + ": %{customdata[1]:,.0f} / %{customdata[2]:,}<extra></extra>")))
    fig.add_shape(type="line", x0=cutoff, x1=cutoff, y0=0, y1=1, yref="paper",
                  line={"dash": "dot", "color": GREY, "width": 1.5})
    fig.add_annotation(x=cutoff, y=1, yref="paper", text=t("w5h1.cutoff", lang) + f" {cutoff.isoformat()}",
                       showarrow=False, xanchor="left", yanchor="top", xshift=4, font={"color": "#64748b", "size": 12})
    if ends:
        pad = max(timedelta(days=1), (ends[-1] - cutoff) * 0.02)  # room left of the cut-off line
        fig.update_xaxes(range=[cutoff - pad, ends[-1] + pad], type="date")
    fig = style(fig, t("w5h1.backtest_title", lang), t("w5h1.backtest_x", lang), t("w5h1.backtest_y", lang),
                y_format=",.0f")
    fig.update_yaxes(rangemode="tozero")
    return date_axis(fig, lang)


def calibration(frame: pl.DataFrame, model: str, lang: Lang) -> go.Figure:
    """backtest.by_frequency: purchases per member in the holdout, actual vs predicted by `model`,
    grouped by repeat purchases before the cut-off (0 … 6, 7+); each group's members under its label."""
    groups = frame["repeat_purchases"].to_list()
    members = frame["members"].to_list()
    name = {"actual": t("w5h1.actual", lang), "predicted": t("w5h1.predicted", lang) + (
        f"（{model_label(model)}）" if lang == "zh" else f" ({model_label(model)})")}
    fig = go.Figure()
    for column, colour in (("actual", BLUE), ("predicted", AMBER)):
        fig.add_trace(go.Bar(
            x=groups, y=frame[column].to_list(), name=name[column], marker_color=colour, customdata=members,
            hovertemplate=(t("w5h1.calib_hover", lang, group="%{x}", members="%{customdata:,}") + "<br>"
                           + name[column] + ": %{y:.2f}<extra></extra>")))
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category", tickvals=groups,
                     ticktext=[f"{g}<br><span style='font-size:11px;color:#64748b'>({n:,})</span>"
                               for g, n in zip(groups, members)])
    return style(fig, t("w5h1.calib_title", lang), t("w5h1.calib_x", lang), t("w5h1.calib_y", lang),
                 y_format=".1f")


def comparison_table(frame: pl.DataFrame, chosen: str, lang: Lang) -> pl.DataFrame:
    """backtest.comparison for reading: model (its label, the one shown above marked), members,
    predicted, actual, error_pct (relative_error in percent, 1 dp, so a signed "%+.1f%%" format
    reads +6.5 % as the sentences do), mae, rmse, status (in words). Column ids kept (the page
    labels them); a model whose fit failed has blank numbers and says why in status."""
    marked = {m: model_label(m) + (t("w5h1.cmp_shown", lang) if m == chosen else "") for m in frame["model"]}
    return frame.select(
        pl.col("model").replace_strict(marked, return_dtype=pl.String),
        "members", "predicted", "actual", (pl.col("relative_error") * 100).round(1).alias("error_pct"), "mae", "rmse",
        pl.col("status").replace_strict({s: t(f"clv.short_{s}", lang) for s in frame["status"].unique()},
                                        return_dtype=pl.String))


def closest_reading(frame: pl.DataFrame, lang: Lang) -> str | None:
    """"On this dataset's backtest MBG/NBD came closest (+8.2% vs BG/NBD +11.2%)": the model with
    the smallest |relative error| of backtest.comparison (ties: the first listed), beside the others;
    None unless at least two models could be compared."""
    rows = [r for r in frame.iter_rows(named=True) if r["relative_error"] is not None]
    if len(rows) < 2:
        return None
    best = min(rows, key=lambda r: abs(r["relative_error"]))
    sep = "，" if lang == "zh" else ", "
    others = sep.join(f"{model_label(r['model'])} {percent(r['relative_error'], signed=True)}"
                      for r in rows if r is not best)
    return t("w5h1.cmp_reading", lang, model=model_label(best["model"]), error=best["relative_error"], others=others)
