"""Overview charts: revenue new vs existing, active members and CRR, period-1 retention by
cohort, lifecycle mix. Pure: polars frame + language -> plotly Figure."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from lib.charts import PALETTE, style, whole_ticks
from lib.formatting import money_hover, percent, period_label
from lib.i18n import Lang, t
from lib.periods import Period

LIGHT = 0.45  # opacity of a period that is not over yet
# Legend in a row between the title and the plot, so long titles never collide with it.
TOP_LEGEND = {"legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                         "traceorder": "normal"},
              "margin": {"t": 110}}
STAGE_COLOURS = {"prospect": "#94a3b8", "exploration": "#60a5fa", "growth": "#10b981", "stable": "#2563eb",
                 "decline": "#f59e0b", "churned": "#ef4444"}


def _unit(period: Period, lang: Lang) -> str:
    word = t(f"period_{period}", lang)
    return word if lang == "zh" else word.lower()


def _labels(frame: pl.DataFrame, period: Period, column: str = "period") -> list[str]:
    return [period_label(d, period) for d in frame[column].to_list()]


def _opacity(frame: pl.DataFrame) -> list[float]:
    return [1.0 if done else LIGHT for done in frame["complete"].to_list()]


def _state(frame: pl.DataFrame, lang: Lang) -> list[str]:
    """Each period's hover note, as markup: a hover template per point carries it, since data values
    are shown as text (lib.charts.shown_as_text)."""
    note = t("overview.incomplete", lang)
    return ["" if done else f"<br><i>{note}</i>" for done in frame["complete"].to_list()]


def revenue_split(activity: pl.DataFrame, period: Period, lang: Lang, currency: str | None = None) -> go.Figure:
    """Stacked bars per period: revenue of new and of existing members (lib.activity.run), in `currency`."""
    x = _labels(activity, period)
    new, existing = activity["revenue_new"].to_list(), activity["revenue_returning"].to_list()
    totals = [a + b for a, b in zip(new, existing)]
    state = _state(activity, lang)
    fig = go.Figure()
    for name, values, colour in ((t("overview.revenue_existing", lang), existing, PALETTE[0]),
                                 (t("overview.revenue_new", lang), new, PALETTE[1])):
        shares = [v / total if total > 0 else None for v, total in zip(values, totals)]
        fig.add_bar(x=x, y=values, name=name, marker={"color": colour, "opacity": _opacity(activity)},
                    customdata=[[s, total] for s, total in zip(shares, totals)],
                    hovertemplate=[f"%{{x}} · {name}<br>{money_hover('y', 0, currency)} · {t('overview.share', lang)} "
                                   f"%{{customdata[0]:.1%}}<br>{t('revenue', lang)} "
                                   f"{money_hover('customdata[1]', 0, currency)}{note}<extra></extra>" for note in state])
    fig.update_layout(barmode="relative")
    fig.update_xaxes(type="category")
    unit = _unit(period, lang)
    fig = style(fig, t("overview.revenue_title", lang, unit=unit), t(f"period_{period}", lang),
                t("overview.revenue_axis", lang), y_format=",.0f", height=400)
    return fig.update_layout(**TOP_LEGEND)


def active_crr(activity: pl.DataFrame, period: Period, lang: Lang) -> go.Figure:
    """Active members per period, stacked new / returning / resurrecting, with CRR and strict CRR
    on a second axis (lib.activity.run)."""
    x = _labels(activity, period)
    state = _state(activity, lang)
    fig = go.Figure()
    for status, colour in (("returning", PALETTE[0]), ("resurrecting", PALETTE[4]), ("new", PALETTE[1])):
        name = t(status, lang)
        fig.add_bar(x=x, y=activity[status].to_list(), name=name,
                    marker={"color": colour, "opacity": _opacity(activity)},
                    customdata=[[a] for a in activity["active"].to_list()],
                    hovertemplate=[f"%{{x}} · {name} %{{y:,}}<br>{t('active_members', lang)} %{{customdata[0]:,}}"
                                   f"{note}<extra></extra>" for note in state])
    for column, dash in (("crr", "solid"), ("crr_strict", "dot")):
        name = t(f"overview.legend_{column}", lang)
        fig.add_scatter(x=x, y=activity[column].to_list(), name=name, yaxis="y2", mode="lines+markers",
                        line={"color": "#0f172a", "width": 2, "dash": dash}, marker={"size": 5},
                        hovertemplate=f"%{{x}} · {name} %{{y:.1%}}<extra></extra>")
    fig.update_layout(barmode="stack",
                      yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "showgrid": False,
                              "title": {"text": t("overview.crr_axis", lang)}, "rangemode": "tozero"})
    fig.update_xaxes(type="category")
    fig = style(fig, t("overview.active_title", lang, unit=_unit(period, lang)), t(f"period_{period}", lang),
                t("overview.active_axis", lang), y_format=",.0f", height=400)
    fig.update_layout(**TOP_LEGEND)
    whole_ticks(fig, max(activity["active"].to_list(), default=None))
    # Five entries: fixed-width columns keep them in rows (plotly otherwise stacks them here).
    fig.update_layout(legend={"entrywidth": 0.33, "entrywidthmode": "fraction"})
    # style() titles every y axis; the second one is CRR, in %, from 0 to at least 100 %.
    top = max([v for v in activity["crr"].to_list() if v is not None] + [1.0]) * 1.05
    fig.update_layout(margin={"r": 60}, yaxis2={"tickformat": ".0%", "range": [0, top], "dtick": 0.25,
                                                "title": {"text": t("overview.crr_axis", lang)}})
    return fig


def retention_k1(cells: pl.DataFrame, period: Period, lang: Lang) -> go.Figure:
    """Period-1 retention of each cohort (lib.cohorts.at_period, k = 1); open cells light."""
    k1 = t(f"overview.k1_{period}", lang)
    x = _labels(cells, period, "cohort")
    colours = [PALETTE[0] if done else "#bfdbfe" for done in cells["complete"].to_list()]
    fig = go.Figure()
    fig.add_scatter(
        x=x, y=cells["rate"].to_list(), mode="lines+markers", name=k1, line={"color": PALETTE[0], "width": 2},
        marker={"color": colours, "size": 8, "line": {"color": PALETTE[0], "width": 1}},
        customdata=[[r, s] for r, s in zip(cells["retained"].to_list(), cells["cohort_size"].to_list())],
        hovertemplate=[f"%{{x}} · {k1} %{{y:.1%}}<br>{t('overview.retained', lang)} %{{customdata[0]:,}} / "
                       f"{t('overview.cohort_size', lang)} %{{customdata[1]:,}}{note}<extra></extra>"
                       for note in _state(cells, lang)])
    fig.update_xaxes(type="category")
    fig = style(fig, t("overview.k1_title", lang, k1=k1), t("overview.cohort_axis", lang, unit=_unit(period, lang)),
                t("overview.k1_axis", lang, k1=k1), y_format=".0%", height=400, legend=False)
    fig.update_yaxes(rangemode="tozero")
    return fig


def lifecycle_mix(summary: pl.DataFrame, as_of: date, lang: Lang) -> go.Figure:
    """Members per lifecycle stage at as_of (lib.lifecycle.summary), funnel order top to bottom;
    prospects only when there are any (they need a members file)."""
    rows = [(s, n) for s, n in summary.select("stage", "members").iter_rows() if s != "prospect" or n]
    total = sum(n for _, n in rows) or 1
    names = [t(f"stage_{s}", lang) for s, _ in rows]
    counts = [n for _, n in rows]
    fig = go.Figure(go.Bar(
        y=names, x=counts, orientation="h", marker={"color": [STAGE_COLOURS[s] for s, _ in rows]},
        text=[f"{n:,} · {percent(n / total)}" for n in counts], textposition="auto", cliponaxis=False,
        customdata=[n / total for n in counts],
        hovertemplate=f"%{{y}}<br>{t('overview.members_axis', lang)} %{{x:,}} · %{{customdata:.1%}}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig = style(fig, t("overview.lifecycle_title", lang, as_of=as_of.isoformat()), t("overview.members_axis", lang),
                t("stage", lang), height=400, legend=False)
    return whole_ticks(fig, max(counts, default=None), "x")
