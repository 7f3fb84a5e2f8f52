"""Retention charts: the cohort triangle (heatmap), the curve of each cohort with the weighted
average, and two scopes compared. Pure: polars frame + options + language -> plotly Figure.

The triangle stays readable from a handful of cohorts to ~150 weekly ones: cell text only while
both sides have ≤ TEXT_LIMIT cells, short (1.1K / 1.1万) and in a size that fits the cells at a
1440 px window, row height shrinks with the number of cohorts (the figure never grows past
~1,300 px), every n-th cohort labelled when there are many, and at most MAX_COHORTS (the latest)
are drawn — daily cohorts over years would be a million cells. Cells of a period not over at data
end are drawn light, and marked with * while the cells are wide enough.
"""

from __future__ import annotations

import math
from datetime import date

import plotly.graph_objects as go
import polars as pl
from plotly.colors import sample_colorscale

from lib.charts import HEAT_SCALE, PALETTE, style, text_size
from lib.formatting import chart_text, compact, money_full, percent, period_label
from lib.i18n import Lang, t
from lib.periods import Period

MAX_COHORTS = 160  # the latest cohorts drawn; the page says when there are more
TEXT_LIMIT = 40  # write the value in each cell while cohorts and periods are both ≤ this
NARROW = 16  # more periods than this: cells are too narrow for "%" or the * of an open cell
PLOT_WIDTH = 710  # px across the triangle's cells in a 1440 px window with the sidebar open
MAX_LABELS = 40  # cohort labels on the y axis at most
OPEN_OPACITY = 0.35  # cells (and points) of a period not over yet
AVERAGE_COLOUR = "#f59e0b"


def latest(frame: pl.DataFrame, max_cohorts: int = MAX_COHORTS) -> pl.DataFrame:
    """The rows of the latest `max_cohorts` cohorts (a run() or at_period() frame)."""
    keep = frame["cohort"].unique().sort()[-max_cohorts:]
    return frame.filter(pl.col("cohort").is_in(keep.implode()))


def x_title(period: Period, basis: str, rolling: int | None, lang: Lang) -> str:
    anchor = t(f"cohorts.anchor_{basis}", lang)
    if rolling:
        return t("cohorts.x_rolling", lang, anchor=anchor, n=rolling)
    units = t(f"cohorts.units_{period}", lang)
    return t("cohorts.x_calendar", lang, anchor=anchor, unit=t(f"cohorts.unit_{period}", lang), units=units,
             Units=units.capitalize())


def y_title(mode: str, lang: Lang) -> str:
    return t(f"cohorts.y_{mode}", lang)


def _percent(rate: float, width: int) -> str:
    """Cell text of a rate: "29%", or "29" when the cells are too narrow for the sign (the colour
    bar and the hover say it is a percentage)."""
    return percent(rate, 0) if width <= NARROW else f"{rate * 100:.0f}"


def _row_px(rows: int) -> int:
    return 24 if rows <= TEXT_LIMIT else max(7, 900 // rows)


def heatmap(frame: pl.DataFrame, lang: Lang, *, period: Period, basis: str = "first_purchase", mode: str = "classic",
            rolling: int | None = None, show: str = "rate", currency: str | None = None) -> go.Figure:
    """The retention triangle of a lib.cohorts.run frame: colour = rate; cell text = rate
    (show "rate") or retained members / revenue (show "count"), revenue in `currency` in the hover.
    Click targets: an invisible marker on each cell whose customdata is [cohort ISO date, period]."""
    frame = latest(frame)
    cohorts = frame["cohort"].unique().sort().to_list()
    labels = [period_label(c, period) for c in cohorts]
    width = (frame["period"].max() or 0) + 1
    done, open_, text_done, text_open, points = _cells(frame, cohorts, labels, width, lang, mode=mode, show=show,
                                                       currency=currency)
    later = [r for r in frame.filter(pl.col("period") > 0)["rate"].to_list() if r is not None]
    zmax = max(later) if later and max(later) > 0 else 1.0
    zmin = min(0.0, *later) if later else 0.0
    dense = len(cohorts) > TEXT_LIMIT or width > TEXT_LIMIT
    common = {"x": list(range(width)), "y": labels, "colorscale": HEAT_SCALE, "zmin": zmin, "zmax": zmax,
              "hoverinfo": "skip", "xgap": 0 if dense else 1, "ygap": 0 if dense else 1}
    if not dense:
        texts = [text for row in text_done + text_open for text in row]
        common.update(texttemplate="%{text}", textfont={"size": text_size(texts, PLOT_WIDTH / width)})
    height = 150 + _row_px(len(cohorts)) * len(cohorts)
    fig = go.Figure()
    measure = t(f"cohorts.measure_{mode}", lang)
    # The colour bar's title runs up its side: on top it took ~90 px of width from the cells.
    fig.add_heatmap(z=done, name="", text=None if dense else text_done, **common,
                    colorbar={"title": {"text": measure[:1].upper() + measure[1:], "side": "right"},
                              "tickformat": ".0%", "thickness": 12, "lenmode": "pixels",
                              "len": min(300, height - 160), "y": 1, "yanchor": "top"})
    fig.add_heatmap(z=open_, name="", text=None if dense else text_open, showscale=False, opacity=OPEN_OPACITY,
                    **common)
    _click_targets(fig, points, len(cohorts), mode, lang)
    sizes = dict(frame.select("cohort", "cohort_size").unique().iter_rows())
    return _triangle_layout(fig, cohorts, labels, sizes, width, height, lang, period=period, basis=basis, mode=mode,
                            rolling=rolling, show=show)


def _cells(frame: pl.DataFrame, cohorts: list[date], labels: list[str], width: int, lang: Lang, *, mode: str,
           show: str, currency: str) -> tuple[list[list], list[list], list[list], list[list], dict[str, list]]:
    """The triangle's cells, a row per cohort and a column per period: the rates of complete and of
    open periods (two heatmaps, so open ones can be drawn light), each one's text, and the click
    targets' x, y, customdata [cohort ISO date, period, size, amount, rate, label] and hover note
    (markup, so a hover template per point carries it: data values are shown as text)."""
    row_of = {c: i for i, c in enumerate(cohorts)}
    done = [[None] * width for _ in cohorts]
    open_ = [[None] * width for _ in cohorts]
    text_done = [[""] * width for _ in cohorts]  # each trace writes only its own cells' values
    text_open = [[""] * width for _ in cohorts]
    points: dict[str, list] = {"x": [], "y": [], "customdata": [], "notes": []}
    note = t("cohorts.incomplete", lang)
    for cohort, k, size, retained, rate, complete in frame.select(
            "cohort", "period", "cohort_size", "retained", "rate", "complete").iter_rows():
        i = row_of[cohort]
        (done if complete else open_)[i][k] = rate
        shown = (_percent(rate, width) if rate is not None else "") if show == "rate" else compact(retained, lang)
        if complete:
            text_done[i][k] = shown
        else:
            text_open[i][k] = shown + ("*" if width <= NARROW else "")
        amount = money_full(retained, currency=currency) if mode == "revenue" else f"{retained:,}"
        points["x"].append(k)
        points["y"].append(labels[i])
        points["customdata"].append([cohort.isoformat(), k, f"{size:,}", amount, percent(rate), labels[i]])
        points["notes"].append("" if complete else f"<br><i>{note}</i>")
    return done, open_, text_done, text_open, points


def _click_targets(fig: go.Figure, points: dict[str, list], rows: int, mode: str, lang: Lang) -> None:
    """An invisible square on each cell (shown when selected): what a click picks and the hover
    says, the heatmaps' own hover being off."""
    amount_label = t("cohorts.period_revenue" if mode == "revenue" else "cohorts.retained", lang)
    fig.add_scatter(
        x=points["x"], y=points["y"], customdata=points["customdata"], mode="markers", name="", showlegend=False,
        marker={"symbol": "square", "size": max(4, min(26, _row_px(rows) - 2)),
                "color": "rgba(15, 23, 42, 0.45)", "opacity": 0},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 0}},
        hovertemplate=[f"{t('cohorts.hover_cohort', lang)} %{{customdata[5]}} · "
                       f"{t('cohorts.hover_period', lang, k='%{x}')}<br>{t(f'cohorts.measure_{mode}', lang)} "
                       f"%{{customdata[4]}}<br>{amount_label} %{{customdata[3]}} · {t('cohorts.cohort_size', lang)} "
                       f"%{{customdata[2]}}{note}<extra></extra>" for note in points["notes"]])


def _triangle_layout(fig: go.Figure, cohorts: list[date], labels: list[str], sizes: dict[date, int], width: int,
                     height: int, lang: Lang, *, period: Period, basis: str, mode: str, rolling: int | None,
                     show: str) -> go.Figure:
    """Titles, the cohort axis (every n-th cohort labelled when there are many, with its size while
    all are), the period axis on top, and clicks that select a cell."""
    step = math.ceil(len(labels) / MAX_LABELS)
    ticks = labels[::step]
    texts = [f"{label} · {sizes[c]:,}" if step == 1 else label for label, c in zip(labels, cohorts)][::step]
    cells = "rate" if show == "rate" else "amount" if mode == "revenue" else "count"
    fig = style(fig, t("cohorts.heatmap_title", lang, measure=t(f"cohorts.measure_{mode}", lang),
                       cells=t(f"cohorts.cells_{cells}", lang)),
                x_title(period, basis, rolling, lang),
                t("cohorts.cohort_axis", lang, anchor=t(f"cohorts.anchor_{basis}", lang),
                  unit=t(f"cohorts.unit_{period}", lang)), height=height, legend=False)
    fig.update_yaxes(range=[len(labels) - 0.5, -0.5], type="category", tickmode="array", tickvals=ticks,
                     ticktext=texts, automargin=True, showgrid=False)
    fig.update_xaxes(side="top", range=[-0.5, width - 0.5], automargin=True, zeroline=False,
                     dtick=1 if width <= TEXT_LIMIT else None)
    # The x axis sits on top (next to the first cohorts); the title goes above its title.
    fig.update_layout(margin={"t": 125, "b": 20}, clickmode="event+select", dragmode=False, plot_bgcolor="#f8fafc",
                      title={"yref": "container", "y": 1 - 10 / height, "yanchor": "top"})
    return fig


def first_cell(frame: pl.DataFrame) -> tuple[date, int]:
    """(cohort, period) the member list opens on (a run() frame): the newest cohort whose period 1
    is complete — its first return is settled, and newer ones can still grow — else the newest
    cohort; period 1 when that cohort has one, else period 0."""
    settled = frame.filter((pl.col("period") == 1) & pl.col("complete"))["cohort"]
    cohort = settled.max() if settled.len() else frame["cohort"].max()
    has_period_1 = frame.filter((pl.col("cohort") == cohort) & (pl.col("period") == 1)).height > 0
    return cohort, 1 if has_period_1 else 0


def period0_is_whole(basis: str, mode: str) -> bool:
    """Period 0 is 100 % by definition (first-purchase cohorts; revenue retention), so curves start
    at period 1 and the interesting part is not squeezed under a 100 % point."""
    return basis == "first_purchase" or mode == "revenue"


def curves(frame: pl.DataFrame, average: pl.DataFrame, lang: Lang, *, period: Period,
           basis: str = "first_purchase", mode: str = "classic", rolling: int | None = None,
           currency: str | None = None) -> go.Figure:
    """One thin line per cohort (complete cells only; darker = newer) and the weighted average
    (lib.cohorts.average) drawn bold; from period 1 when period 0 is 100 % by definition. Revenue
    in the hover in `currency`."""
    start = 1 if period0_is_whole(basis, mode) else 0
    frame = latest(frame).filter(pl.col("complete") & pl.col("rate").is_not_null() & (pl.col("period") >= start))
    average = average.filter(pl.col("period") >= start)
    cohorts = frame["cohort"].unique().sort().to_list()
    shades = sample_colorscale(HEAT_SCALE, [0.3 + 0.65 * i / max(1, len(cohorts) - 1) for i in range(len(cohorts))])
    fig = go.Figure()
    size_label, retained_label = t("cohorts.cohort_size", lang), t(
        "cohorts.period_revenue" if mode == "revenue" else "cohorts.retained", lang)
    for i, (cohort, part) in enumerate(frame.group_by("cohort", maintain_order=True)):
        label = period_label(cohort[0], period)
        retained = [money_full(v, 0, currency) if mode == "revenue" else f"{v:,}" for v in part["retained"].to_list()]
        fig.add_scatter(
            x=part["period"].to_list(), y=part["rate"].to_list(), mode="lines", name=t("cohorts.each_cohort", lang),
            legendgroup="cohorts", showlegend=i == 0, line={"color": shades[cohorts.index(cohort[0])], "width": 1.2},
            opacity=0.7, customdata=[[label, r, s] for r, s in zip(retained, part["cohort_size"].to_list())],
            hovertemplate=(f"{t('cohorts.hover_cohort', lang)} %{{customdata[0]}} · "
                           f"{t('cohorts.hover_period', lang, k='%{x}')}<br>%{{y:.1%}} · {retained_label} "
                           f"%{{customdata[1]}} · {size_label} %{{customdata[2]:,}}<extra></extra>"))
    name = t("cohorts.average_revenue" if mode == "revenue" else "cohorts.average", lang)
    _average_line(fig, average, name, AVERAGE_COLOUR, 4, lang)
    return _rate_layout(fig, t("cohorts.curves_title", lang), lang, period=period, basis=basis, mode=mode,
                        rolling=rolling, height=440)


def compare(curves_frame: pl.DataFrame, lang: Lang, *, period: Period, basis: str = "first_purchase",
            mode: str = "classic", rolling: int | None = None) -> go.Figure:
    """The weighted average curve of each scope (lib.cohorts.compare), one line each; from
    period 1 when period 0 is 100 % by definition."""
    scopes = list(dict.fromkeys(curves_frame["scope"].to_list()))
    curves_frame = curves_frame.filter(pl.col("period") >= (1 if period0_is_whole(basis, mode) else 0))
    fig = go.Figure()
    for scope, colour in zip(scopes, (PALETTE[0], PALETTE[3])):
        _average_line(fig, curves_frame.filter(pl.col("scope") == scope), scope, colour, 3, lang)
    a, b = (scopes + ["", ""])[:2]
    title = t("cohorts.compare_title", lang, a=chart_text(a), b=chart_text(b))
    return _rate_layout(fig, title, lang, period=period, basis=basis, mode=mode, rolling=rolling, height=420)


def _average_line(fig: go.Figure, average: pl.DataFrame, name: str, colour: str, width: float, lang: Lang) -> None:
    """A weighted average curve (rows of lib.cohorts.average or .compare): the rate by period, and
    in the hover how many cohorts and members stand behind each point."""
    fig.add_scatter(
        x=average["period"].to_list(), y=average["rate"].to_list(), mode="lines+markers", name=name,
        line={"color": colour, "width": width}, marker={"size": 7},
        customdata=average.select("cohorts", "members").rows(),
        # the trace's name by reference: lib.ui.show_chart shows it as text (a store's name is user text)
        hovertemplate=(f"%{{fullData.name}} · {t('cohorts.hover_period', lang, k='%{x}')}<br>%{{y:.1%}} · "
                       f"{t('cohorts.cohorts_n', lang)} %{{customdata[0]:,}} · {t('cohorts.members_n', lang)} "
                       f"%{{customdata[1]:,}}<extra></extra>"))


def _rate_layout(fig: go.Figure, title: str, lang: Lang, *, period: Period, basis: str, mode: str,
                 rolling: int | None, height: int) -> go.Figure:
    """The look of a chart of retention curves: rate from 0 up, legend above on the left."""
    fig = style(fig, title, x_title(period, basis, rolling, lang), y_title(mode, lang), y_format=".0%", height=height)
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
                      margin={"t": 90})
    fig.update_yaxes(rangemode="tozero")
    return fig
