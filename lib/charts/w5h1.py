"""5W1H charts and display tables. Pure: polars frames (+ language, already-chosen labels) ->
plotly figures or display frames; no streamlit, no I/O.

Every figure has a title saying what it shows, axis titles with units and a hover with the
numbers behind each mark. Bars a user can click carry the item they stand for in customdata[0],
so the page can open the members behind it.
"""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from lib.cac import SPEND_NOT_SCOPED
from lib.clv import MIN_REPEAT_BUYERS, MODEL_LABELS, Model
from lib.charts import HEAT_SCALE, PALETTE, style
from lib.formatting import money
from lib.i18n import Lang, sentences, t

BLUE, AMBER, GREEN, RED, VIOLET = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4]
GREY = "#94a3b8"
MAX_LABEL = 22  # characters of an item name on an axis before it is shortened (hover has it whole)


def _label(text: object, unknown: str) -> str:
    return unknown if text is None or text == "" else str(text)


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _bar_height(n: int, minimum: int = 320) -> int:
    return max(minimum, 90 + 30 * n)


def yuan(value: float | None, lang: Lang) -> str:
    return money(value, lang)


def _exact_yuan(value: float | None, lang: Lang) -> str:
    """¥ to the fen for a hover; "n/a" in words for a number that cannot be worked out (plotly
    would print a null as NaN)."""
    return t("w5h1.na", lang) if value is None else f"¥{value:,.2f}"


def _days(value: float | None, lang: Lang) -> str:
    """A median gap for a hover: "n/a" when nobody bought twice (plotly would print null)."""
    return t("w5h1.na", lang) if value is None else f"{value:g}"


def _word(label: str, lang: Lang) -> str:
    """A label inside an English sentence or title ("Category" -> "category"; SKU stays)."""
    return label if lang == "zh" or label.isupper() else label[0].lower() + label[1:]


def _date_axis(fig: go.Figure, lang: Lang) -> go.Figure:
    """Month ticks as 2024-01 in Chinese (plotly's month names are English only)."""
    if lang == "zh":
        fig.update_xaxes(tickformat="%Y-%m", hoverformat="%Y-%m-%d")
    return fig


# -- Why -------------------------------------------------------------------------------------


def value_vs_cac(cac: float | None, annual_value: float | None, historic_clv: float | None, lang: Lang) -> go.Figure:
    """Three horizontal bars in ¥: CAC, a retained buyer's year (× margin), historic CLV. A value
    that cannot be worked out (CAC under a filter spend cannot follow) has no bar, and its name
    says so: a bar at ¥0 would read as "free"."""
    na = t("w5h1.na", lang)
    names = [t("w5h1.bar_cac", lang), t("w5h1.bar_annual", lang), t("w5h1.bar_clv", lang)]
    values = [cac, annual_value, historic_clv]
    fig = go.Figure(go.Bar(
        y=[name if v is not None else (f"{name}（{na}）" if lang == "zh" else f"{name} ({na})")
           for name, v in zip(names, values)],
        x=values, orientation="h", marker_color=[RED, GREEN, BLUE],
        text=[yuan(v, lang) if v is not None else "" for v in values], textposition="auto", textangle=0,
        hovertemplate="%{y}: ¥%{x:,.2f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, t("w5h1.value_chart_title", lang), t("w5h1.cost_y", lang), t("w5h1.value_y", lang),
                 height=260, legend=False)


def new_vs_returning(frame: pl.DataFrame, period: str, lang: Lang) -> go.Figure:
    """cac.new_vs_returning: stacked revenue bars (new, returning) and the spend line, all in ¥.
    Under a filter spend cannot follow (cac_note 'spend_not_scoped') the line is all spend and
    its name says so; a CAC that cannot be worked out reads "n/a" in the hover."""
    periods = frame["period"].to_list()
    fig = go.Figure()
    for column, colour in (("revenue_new", AMBER), ("revenue_returning", BLUE)):
        fig.add_trace(go.Bar(
            x=periods, y=frame[column].to_list(), name=t(f"w5h1.{column}", lang), marker_color=colour,
            customdata=frame["new_buyers"].to_list(),
            hovertemplate=("%{x|%Y-%m-%d}<br>" + t(f"w5h1.{column}", lang) + ": ¥%{y:,.0f}<br>"
                           + t("new_buyers", lang) + ": %{customdata:,}<extra></extra>")))
    if frame["spend"].null_count() < frame.height:
        unscoped = (frame["cac_note"] == SPEND_NOT_SCOPED).any()
        name = t("w5h1.spend_all" if unscoped else "w5h1.spend", lang)
        fig.add_trace(go.Scatter(
            x=periods, y=frame["spend"].to_list(), name=name, mode="lines+markers",
            line={"color": RED, "width": 2}, customdata=[_exact_yuan(v, lang) for v in frame["cac"]],
            hovertemplate=("%{x|%Y-%m-%d}<br>" + name + ": ¥%{y:,.0f}<br>"
                           + t("cac", lang) + ": %{customdata}<extra></extra>")))
    fig.update_layout(barmode="stack")
    label = t(f"period_{period}", lang)
    return _date_axis(style(fig, t("w5h1.cost_title", lang, period=_word(label, lang)), label,
                            t("w5h1.cost_y", lang), y_format=",.0f"), lang)


def band_label(low: float, high: float | None) -> str:
    def amount(v: float) -> str:
        return f"{v:,.0f}"
    return f"¥{amount(low)}+" if high is None else f"¥{amount(low)}–{amount(high)}"


def clv_bands(frame: pl.DataFrame, lang: Lang) -> go.Figure:
    """clv.value_bands: members per band (bars) and the band's share of predicted value (line, right axis)."""
    labels = [band_label(lo, hi) for lo, hi in frame.select("low", "high").rows()]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(
        x=labels, y=frame["members"].to_list(), name=t("w5h1.clv_y", lang), marker_color=BLUE,
        customdata=frame.select("member_share", "predicted_clv", "value_share").rows(),
        hovertemplate=("%{x}<br>" + t("w5h1.clv_y", lang) + ": %{y:,} (%{customdata[0]:.1%})<br>"
                       + t("predicted_clv", lang) + ": ¥%{customdata[1]:,.0f} (%{customdata[2]:.1%})"
                       "<extra></extra>")), secondary_y=False)
    fig.add_trace(go.Scatter(
        x=labels, y=frame["value_share"].to_list(), name=t("w5h1.clv_share", lang), mode="lines+markers",
        line={"color": AMBER, "width": 2},
        hovertemplate="%{x}<br>" + t("w5h1.clv_share", lang) + ": %{y:.1%}<extra></extra>"), secondary_y=True)
    style(fig, t("w5h1.clv_title", lang), t("w5h1.clv_x", lang), t("w5h1.clv_y", lang), y_format=",.0f")
    top = max([v for v in frame["value_share"] if v is not None] or [0])
    fig.update_yaxes(title_text=t("w5h1.clv_share", lang), tickformat=".0%", secondary_y=True, showgrid=False,
                     rangemode="tozero", dtick=0.1 if top <= 0.6 else 0.2)
    return fig


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
    return _date_axis(fig, lang)


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
    others = sep.join(f"{model_label(r['model'])} {r['relative_error']:+.1%}" for r in rows if r is not best)
    return t("w5h1.cmp_reading", lang, model=model_label(best["model"]), error=best["relative_error"], others=others)


# -- What ------------------------------------------------------------------------------------


def item_repurchase(frame: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """repurchase.run: repurchase rate per item, highest on top."""
    data = frame.sort(["repurchase_rate", item_col], descending=[True, False], nulls_last=True)
    names = [_label(v, t("w5h1.unknown", lang)) for v in data[item_col]]
    fig = go.Figure(go.Bar(
        y=[_short(n) for n in names], x=data["repurchase_rate"].to_list(), orientation="h", marker_color=BLUE,
        text=[f"{v:.0%}" if v is not None else "" for v in data["repurchase_rate"]], textposition="auto", textangle=0,
        customdata=[[n, b, r, _days(g, lang)] for n, b, r, g in zip(names, data["buyers"], data["repeat_buyers"],
                                                                    data["median_gap_days"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("repurchase_rate", lang) + ": %{x:.1%}<br>"
                       + t("w5h1.repeat_buyers", lang) + " / " + t("w5h1.buyers_n", lang)
                       + ": %{customdata[2]:,} / %{customdata[1]:,}<br>" + t("median_gap_days", lang)
                       + ": %{customdata[3]}<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    return style(fig, t("w5h1.cat_title", lang, item=_word(item, lang)), t("w5h1.rate_x", lang), item,
                 height=_bar_height(data.height), legend=False).update_xaxes(tickformat=".0%")


# -- Who -------------------------------------------------------------------------------------


def profile_lift(frame: pl.DataFrame, attribute: str, value_label, lang: Lang) -> go.Figure:
    """products.profile of `attribute`: lift per value (bars; > 1 = more common among the
    high-value members), with a reference line at 1. value_label(value) names a value for display."""
    names = [value_label(v) for v in frame["value"]]
    lifts = frame["lift"].to_list()
    fig = go.Figure(go.Bar(
        x=names, y=lifts, marker_color=[GREEN if (v or 0) >= 1 else GREY for v in lifts],
        text=[f"×{v:.2f}" if v is not None else "" for v in lifts], textposition="outside",
        customdata=[[n, s, a, sm, am] for n, s, a, sm, am in zip(
            names, frame["subset_share"], frame["all_share"], frame["subset_members"], frame["all_members"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("w5h1.lift", lang) + ": ×%{y:.2f}<br>"
                       + t("w5h1.hv_share", lang) + ": %{customdata[1]:.1%} (%{customdata[3]:,})<br>"
                       + t("w5h1.all_share", lang) + ": %{customdata[2]:.1%} (%{customdata[4]:,})"
                       "<extra></extra>")))
    fig.add_hline(y=1, line={"color": "#475569", "dash": "dash", "width": 1})
    fig.update_yaxes(rangemode="tozero")
    label = t(f"w5h1.attr_{attribute}", lang)
    return style(fig, t("w5h1.profile_title", lang, attribute=_word(label, lang)), label, t("w5h1.lift_y", lang),
                 legend=False)


# -- When ------------------------------------------------------------------------------------


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
    names = [_label(v, t("w5h1.unknown", lang)) for v in data[item_col]]
    fig = go.Figure(go.Bar(
        y=[_short(n) for n in names], x=data["median_gap_days"].to_list(), orientation="h", marker_color=VIOLET,
        text=[f"{v:g}" for v in data["median_gap_days"]], textposition="auto", textangle=0,
        customdata=[[n, m, r] for n, m, r in zip(names, data["mean_gap_days"], data["repeat_buyers"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("median_gap_days", lang) + ": %{x:g}<br>"
                       + t("w5h1.mean_gap", lang) + ": %{customdata[1]:.1f}<br>" + t("w5h1.repeat_buyers", lang)
                       + ": %{customdata[2]:,}<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    return style(fig, t("w5h1.item_gap_title", lang, item=_word(item, lang)), t("w5h1.item_gap_x", lang), item,
                 height=_bar_height(data.height), legend=False)


def due_status(summary: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """repurchase.due_summary (items of level `item_col`): per item, members not yet due / overdue /
    lapsed (stacked)."""
    names = [_label(v, t("w5h1.unknown", lang)) for v in summary["item"]]
    fig = go.Figure()
    for status, colour in (("not_due", GREEN), ("overdue", AMBER), ("lapsed", GREY)):
        fig.add_trace(go.Bar(
            y=[_short(n) for n in names], x=summary[status].to_list(), orientation="h",
            name=t(f"w5h1.st_{status}", lang), marker_color=colour,
            customdata=[[n, status, g, b] for n, g, b in zip(names, summary["item_median_gap"], summary["buyers"])],
            hovertemplate=("<b>%{customdata[0]}</b><br>" + t(f"w5h1.st_{status}", lang)
                           + ": %{x:,} / %{customdata[3]:,}<br>" + t("w5h1.col_item_gap", lang)
                           + ": %{customdata[2]:g}<extra></extra>")))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    style(fig, t("w5h1.due_title", lang, item=_word(item, lang)), t("w5h1.due_y", lang), item,
          height=_bar_height(summary.height))
    fig.update_layout(legend={"traceorder": "normal"})
    return fig


# -- What products ---------------------------------------------------------------------------


def top_repurchased(frame: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """products.top_repurchased: repeat buyers per item, most on top."""
    names = [_label(v, t("w5h1.unknown", lang)) for v in frame[item_col]]
    fig = go.Figure(go.Bar(
        y=[_short(n) for n in names], x=frame["repeat_buyers"].to_list(), orientation="h", marker_color=GREEN,
        text=[f"{r:,} · {v:.0%}" for r, v in zip(frame["repeat_buyers"], frame["repurchase_rate"])],
        textposition="auto", textangle=0,
        customdata=[[n, b, r, _days(g, lang)] for n, b, r, g in zip(names, frame["buyers"], frame["repurchase_rate"],
                                                                    frame["median_gap_days"])],
        hovertemplate=("<b>%{customdata[0]}</b><br>" + t("w5h1.repeat_buyers", lang) + ": %{x:,} / "
                       + t("w5h1.buyers_n", lang) + " %{customdata[1]:,}<br>" + t("repurchase_rate", lang)
                       + ": %{customdata[2]:.1%}<br>" + t("median_gap_days", lang) + ": %{customdata[3]}"
                       "<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    item = t(item_col, lang)
    return style(fig, t("w5h1.top_title", lang, item=_word(item, lang), n=frame.height), t("w5h1.top_x", lang),
                 item, height=_bar_height(frame.height), legend=False)


SENSITIVITIES = ("full_price", "low", "high", "unknown")


def price_heatmap(frame: pl.DataFrame, measure: str, lang: Lang) -> go.Figure:
    """products.price_discount: price band (rows, cheapest at the bottom) × sensitivity (columns);
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
            row_text.append("" if value is None else (f"{value:.1%}" if measure == "discount"
                                                      else yuan(value, lang) if measure == "revenue"
                                                      else f"{value:,}"))
            # the discount rate as words: a cell without discount data would hover as NaN%
            row_custom.append([0, 0, "", 0] if r is None else
                              [r["members"], r["revenue"], t("w5h1.na", lang) if r["mean_discount_rate"] is None
                               else f"{r['mean_discount_rate']:.1%}", r["lines"]])
        z.append(row_z)
        text.append(row_text)
        custom.append(row_custom)
    fig = go.Figure(go.Heatmap(
        z=z, x=[t(f"w5h1.sens_{s}", lang) for s in sens], y=bands["price_band"].to_list(), text=text,
        texttemplate="%{text}", colorscale=HEAT_SCALE, customdata=custom, showscale=True, hoverongaps=False,
        colorbar={"title": {"text": t(f"w5h1.pm_{measure}", lang)},
                  "tickformat": ".0%" if measure == "discount" else ",.0f"},
        hovertemplate=("%{y} · %{x}<br>" + t("w5h1.pm_members", lang) + ": %{customdata[0]:,}<br>"
                       + t("w5h1.pm_revenue", lang) + ": ¥%{customdata[1]:,.0f}<br>" + t("w5h1.pm_discount", lang)
                       + ": %{customdata[2]}<br>" + t("w5h1.lines", lang) + ": %{customdata[3]:,}<extra></extra>")))
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(type="category")
    return style(fig, t("w5h1.price_title", lang, measure=_word(t(f"w5h1.pm_{measure}", lang), lang)),
                 t("w5h1.price_x", lang), t("w5h1.price_y", lang), height=max(320, 120 + 60 * bands.height),
                 legend=False)


def first_order(frame: pl.DataFrame, item_col: str, lang: Lang) -> go.Figure:
    """products.first_order_products: repeat rate after a first order holding each item (most
    first buyers first), with the rate of all new buyers (repeat_rate / repeat_lift) as a line."""
    overall_rate = next((r / lift for r, lift in zip(frame["repeat_rate"], frame["repeat_lift"])
                         if r is not None and lift), None)
    names = [_label(v, t("w5h1.unknown", lang)) for v in frame[item_col]]
    rates = frame["repeat_rate"].to_list()
    fig = go.Figure(go.Bar(
        x=[_short(n) for n in names], y=rates,
        marker_color=[GREEN if overall_rate is not None and (v or 0) >= overall_rate else BLUE for v in rates],
        text=[f"{v:.0%}" if v is not None else "" for v in rates], textposition="outside",
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
    return style(fig, t("w5h1.first_title", lang, item=_word(item, lang)), item, t("w5h1.first_y", lang),
                 y_format=".0%", legend=False)


# -- Where & How -----------------------------------------------------------------------------


def channels(frame: pl.DataFrame, lang: Lang) -> go.Figure:
    """cac.channels: three panels per first channel — repurchase rate, CAC, NPS — with the
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
        shown = f"{value:.0%}" if column == "repurchase_rate" else f"{value:,.0f}"
        return f"{t(label, lang)}<br><span style='font-size:12px'>{t('w5h1.all_channels', lang)} {shown} ┈┈</span>"

    fig = make_subplots(rows=1, cols=3, subplot_titles=[title(p[0], p[1]) for p in panels], horizontal_spacing=0.08)
    style(fig, t("w5h1.channel_title", lang), t("w5h1.channel_pick", lang), None, height=400, legend=False)
    fig.update_layout(margin={"t": 120})
    # spend and responses as words: plotly would print a null (no spend data, no answers) as NaN
    custom = [[b, r, n, _exact_yuan(s, lang), f"{a or 0:,}"] for b, r, n, s, a in
              per.select("buyers", "repeat_buyers", "new_buyers", "spend", "responses").rows()]
    hover = ("<b>%{x}</b><br>{label}: %{y:{fmt}}<br>" + t("w5h1.buyers_n", lang) + ": %{customdata[0]:,} · "
             + t("w5h1.repeat_buyers", lang) + ": %{customdata[1]:,}<br>" + t("new_buyers", lang)
             + ": %{customdata[2]:,} · " + t("w5h1.spend", lang) + ": %{customdata[3]}<br>"
             + t("w5h1.responses", lang) + ": %{customdata[4]}<extra></extra>")
    for col, (column, label, colour, fmt) in enumerate(panels, start=1):
        values = per[column].to_list()
        text = ["" if v is None else (f"{v:.0%}" if column == "repurchase_rate" else f"{v:,.0f}") for v in values]
        fig.add_trace(go.Bar(x=names, y=values, marker_color=colour, text=text, textposition="auto", textangle=0,
                             customdata=custom, name=t(label, lang),
                             hovertemplate=hover.replace("{label}", t(label, lang)).replace("{fmt}", fmt)),
                      row=1, col=col)
        if totals.get(column) is not None:
            fig.add_hline(y=totals[column], line={"color": "#475569", "dash": "dash", "width": 1}, row=1, col=col)
        fig.update_yaxes(tickformat=fmt, title_text=t(label, lang), row=1, col=col)
    return fig


# value to keep (green), to grow (blue), to wake (amber), to win back (red), let go (grey)
SEGMENT_COLOURS = {"champions": GREEN, "loyal": GREEN, "potential_loyalist": GREEN, "new_customers": BLUE,
                   "promising": BLUE, "need_attention": AMBER, "about_to_sleep": AMBER, "at_risk": RED,
                   "cannot_lose": RED, "hibernating": GREY, "lost": GREY}


def _share(value: float) -> str:
    return f"{value:.0%}" if abs(value) >= 0.01 or value == 0 else f"{value:.1%}"


def segments(frame: pl.DataFrame, lang: Lang) -> go.Figure:
    """rfm.segments: members per segment (bars, in the segment order, coloured by what to do with
    them) with the revenue share as text."""
    names = [t(f"seg_{s}", lang) for s in frame["segment"]]
    fig = go.Figure(go.Bar(
        y=names, x=frame["members"].to_list(), orientation="h",
        marker_color=[SEGMENT_COLOURS.get(s, BLUE) for s in frame["segment"]],
        text=[f"{m:,} · {_share(s)}" if s is not None else f"{m:,}" for m, s in zip(frame["members"],
                                                                                   frame["revenue_share"])],
        textposition="auto", textangle=0,
        customdata=[[seg, r, s, t(f"w5h1.action_{seg}", lang)] for seg, r, s in zip(
            frame["segment"], frame["revenue"], frame["revenue_share"])],
        hovertemplate=("<b>%{y}</b><br>" + t("w5h1.segment_x", lang) + ": %{x:,}<br>" + t("w5h1.revenue_col", lang)
                       + ": ¥%{customdata[1]:,.0f} (%{customdata[2]:.1%})<br>" + t("w5h1.action", lang)
                       + ": %{customdata[3]}<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, t("w5h1.segment_title", lang), t("w5h1.segment_x", lang), t("segment", lang),
                 height=_bar_height(frame.height), legend=False)


# -- display tables ----------------------------------------------------------------------------


def action_table(frame: pl.DataFrame, key: str, lang: Lang) -> pl.DataFrame:
    """rfm.segments / rfm.value_groups (key "segment" / "value_group") with names and actions
    in the user's language, for st.dataframe."""
    prefix = "seg_" if key == "segment" else "vg_"
    return pl.DataFrame({
        t(key, lang): [t(prefix + v, lang) for v in frame[key]],
        t("w5h1.members_col", lang): frame["members"],
        t("w5h1.revenue_col", lang): frame["revenue"],
        t("w5h1.revenue_share", lang): frame["revenue_share"],
        t("w5h1.action", lang): [t(f"w5h1.action_{v}", lang) for v in frame[key]],
    })


HISTORICAL_FORMATS = {"annual_churn_rate": "{:.1%}", "gross_margin": "{:.0%}", "lifetime_years": "{:.2f}",
                      "buyers_last_year": "{:,.0f}", "buyers_prior_year": "{:,.0f}", "churned_buyers": "{:,.0f}"}


def historical_table(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """clv.historical: every input and the result with its source, values formatted for reading;
    an input that could not be computed names the reason (its note) as its source."""
    def fmt(name: str, value: float | None) -> str:
        if value is None:
            return "–"
        return HISTORICAL_FORMATS.get(name, "¥{:,.2f}").format(value)
    return pl.DataFrame({
        t("w5h1.input", lang): [t(f"w5h1.hist_{n}", lang) for n in frame["input"]],
        t("w5h1.value", lang): [fmt(n, v) for n, v in zip(frame["input"], frame["value"])],
        t("w5h1.source", lang): [t(f"w5h1.note_{note}" if note else f"w5h1.src_{source}", lang)
                                 for source, note in zip(frame["source"], frame["note"])],
    })


def channel_table(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """cac.channels with localized headers; the total row named "all channels"."""
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


def top_lift(profile: pl.DataFrame, min_share: float = 0.05) -> dict | None:
    """The known value with the highest lift among those holding ≥ min_share of the high-value
    members (a value two of them share says little); None when there is none."""
    data = profile.filter(pl.col("value").is_not_null() & (pl.col("subset_share") >= min_share)
                          & pl.col("lift").is_not_null())
    return data.sort(["lift", "value"], descending=[True, False]).row(0, named=True) if data.height else None
