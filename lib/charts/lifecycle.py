"""Lifecycle page figures and display tables: polars frames from lib/lifecycle.py + the language
-> plotly figures or translated frames. No streamlit, no I/O."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from lib.charts import display_table, names, style, whole_ticks
from lib.formatting import period_label
from lib.i18n import Lang, t
from lib.lifecycle import STAGES

# One colour per stage, the same on every chart (grey → cyan → green → blue → amber → red).
STAGE_COLORS: dict[str, str] = {
    "prospect": "#94a3b8", "exploration": "#06b6d4", "growth": "#10b981", "stable": "#2563eb",
    "decline": "#f59e0b", "churned": "#ef4444",
}
NO_STAGE_COLOR = "#cbd5e1"
LABEL_HALO = "0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff"  # CSS text-shadow: white all round


def stage_label(stage: str | None, lang: Lang) -> str:
    return t("lifecycle.no_stage", lang) if stage is None else t(f"stage_{stage}", lang)


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def funnel(frame: pl.DataFrame, lang: Lang, registered: bool = True, height: int = 420) -> go.Figure:
    """`lifecycle.funnel()` as a funnel: members per step, % of the step before and of the first
    step. `registered=False` leaves out the registered step where prospects are not counted (no
    members file, or an order or line filter): it would only repeat the first purchase."""
    if not registered:
        frame = frame.filter(pl.col("step") != "registered")
    steps, counts = frame["step"].to_list(), frame["members"].to_list()
    top = counts[0] or 1
    previous = [None] + counts[:-1]
    custom = [[(n / p) if p else None, n / top] for n, p in zip(counts, previous)]
    text = [f"{n:,}" if p is None else (f"{n:,} · {n / p:.1%}" if p else f"{n:,}") for n, p in zip(counts, previous)]
    hover = (f"<b>%{{y}}</b><br>{t('lifecycle.funnel_members', lang)}: %{{x:,}}<br>"
             f"{t('lifecycle.of_previous', lang)}: %{{customdata[0]:.1%}}<br>"
             f"{t('lifecycle.of_' + steps[0], lang)}: %{{customdata[1]:.1%}}<extra></extra>")
    # one colour per step, the same whether the registered step is shown or not
    colors = ["#93c5fd", "#60a5fa", "#3b82f6", "#2563eb", STAGE_COLORS["stable"]]
    fig = go.Figure(go.Funnel(
        y=[t(f"lifecycle.step_{s}", lang) for s in steps], x=counts, text=text, textinfo="text",
        textposition="auto", cliponaxis=False, customdata=custom, hovertemplate=hover,
        marker={"color": colors[-len(steps):]},
        connector={"fillcolor": "#e2e8f0", "line": {"color": "#e2e8f0", "width": 0}}))
    style(fig, t("lifecycle.funnel_title", lang), t("lifecycle.funnel_members", lang), None,
          height=height, legend=False)
    fig.update_layout(margin={"l": 110, "r": 70})
    return fig


def mix(frame: pl.DataFrame, lang: Lang, period: str = "month", share: bool = False,
        hide: tuple[str, ...] = (), prospects: bool = True, height: int = 440) -> go.Figure:
    """`lifecycle.mix_over_time()` as stacked bars, one per period (stages in funnel order from
    the bottom): counts or shares of the members with a stage at the period's end; stages in
    `hide` left out (shares then of the stages shown). `prospects=False` leaves the prospect
    stage out of the bars and the legend where it is not counted (its zeros mean "unknown")."""
    shown = frame.filter(~pl.col("stage").is_in(list(hide)))
    totals = shown.group_by("period").agg(pl.col("members").sum().alias("total"))
    shown = shown.join(totals, on="period").with_columns(
        (pl.when(pl.col("total") > 0).then(pl.col("members") / pl.col("total"))).alias("share"))
    fig = go.Figure()
    for stage in STAGES:
        if stage in hide or (stage == "prospect" and not prospects):
            continue
        part = shown.filter(pl.col("stage") == stage).sort("period")
        fig.add_bar(
            x=[period_label(p, period) for p in part["period"]], y=(part["share"] if share else part["members"]).to_list(),
            name=stage_label(stage, lang), marker_color=STAGE_COLORS[stage],
            customdata=list(zip(part["members"].to_list(), part["share"].to_list(),
                                [str(e) for e in part["period_end"]])),
            hovertemplate=(f"<b>{stage_label(stage, lang)}</b> · %{{x}}<br>"
                           f"{t('lifecycle.as_of_hover', lang, date='%{customdata[2]}')}<br>"
                           f"{t('lifecycle.members_axis', lang)}: %{{customdata[0]:,}}<br>"
                           f"{t('lifecycle.show_share', lang)}: %{{customdata[1]:.1%}}<extra></extra>"))
    what = t("lifecycle.mix_share" if share else "lifecycle.mix_count", lang)
    name = t(f"period_{period}", lang)
    style(fig, t("lifecycle.mix_title", lang, period=name if lang == "zh" else name.lower(), what=what),
          t("lifecycle.period_axis", lang), t(("lifecycle.share_axis_shown" if hide else "lifecycle.share_axis") if share
            else "lifecycle.members_axis", lang),
          y_format=".0%" if share else ",.0f", height=height)
    # legend on the right, top to bottom as the bars stack
    fig.update_layout(barmode="stack", bargap=0.15, margin={"r": 10},
                      legend={"traceorder": "reversed", "orientation": "v", "x": 1.02, "xanchor": "left",
                              "y": 1, "yanchor": "top"})
    if not share:
        whole_ticks(fig, totals["total"].max())
    periods = frame["period"].n_unique()
    step = next((k for k in (1, 2, 3, 6, 12) if periods / k <= 9), 12)  # at most ~9 labels
    fig.update_xaxes(type="category", tickangle=-45, dtick=step)
    return fig


def sankey(frame: pl.DataFrame, lang: Lang, date_from: date, date_to: date, height: int = 520) -> go.Figure:
    """`lifecycle.migration()` as a Sankey: stages on date_from (left, "no stage yet" first) to
    stages on date_to (right), in funnel order; link hover gives members and the share of the
    starting stage."""
    order = [None, *STAGES]
    lefts = [s for s in order if s in set(frame["from_stage"].to_list())]
    rights = [s for s in order if s in set(frame["to_stage"].to_list())]
    left_total = {s: frame.filter(pl.col("from_stage").eq_missing(s))["members"].sum() for s in lefts}
    right_total = {s: frame.filter(pl.col("to_stage").eq_missing(s))["members"].sum() for s in rights}
    total = frame["members"].sum() or 1

    def color(stage: str | None) -> str:
        return NO_STAGE_COLOR if stage is None else STAGE_COLORS[stage]

    def ys(stages: list, sizes: dict) -> list[float]:
        """Node centres top to bottom in `stages` order; each node gets at least a label's
        height of room, so small nodes do not print over each other."""
        gap, least = 0.02, 0.05
        room = 1 - gap * max(len(stages) - 1, 0)
        slots = [max(sizes[s] / total * room, least) for s in stages]
        slots = [v * min(1.0, room / sum(slots)) for v in slots]
        out, top = [], 0.0
        for slot in slots:
            out.append(min(max(top + slot / 2, 0.001), 0.999))
            top += slot + gap
        return out

    labels = ([f"{stage_label(s, lang)} {left_total[s]:,}" for s in lefts]
              + [f"{stage_label(s, lang)} {right_total[s]:,}" for s in rights])
    node_dates = [str(date_from)] * len(lefts) + [str(date_to)] * len(rights)
    sources, targets, values, link_colors, custom = [], [], [], [], []
    for a, b, n in frame.select("from_stage", "to_stage", "members").rows():
        sources.append(lefts.index(a))
        targets.append(len(lefts) + rights.index(b))
        values.append(n)
        link_colors.append(_rgba(color(a), 0.35))
        custom.append([stage_label(a, lang), stage_label(b, lang), n / (left_total[a] or 1)])
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        # The labels of the right column sit over the flows: a white halo keeps them readable.
        textfont={"color": "#0f172a", "size": 13, "shadow": LABEL_HALO},
        node={"label": labels, "color": [color(s) for s in lefts + rights], "pad": 14, "thickness": 18,
              "x": [0.001] * len(lefts) + [0.999] * len(rights),
              "y": ys(lefts, left_total) + ys(rights, right_total), "customdata": node_dates,
              "hovertemplate": "<b>%{label}</b><br>%{customdata}<extra></extra>"},
        link={"source": sources, "target": targets, "value": values, "color": link_colors, "customdata": custom,
              "hovertemplate": (f"<b>%{{customdata[0]}} → %{{customdata[1]}}</b><br>"
                                f"{t('lifecycle.members_axis', lang)}: %{{value:,}}<br>"
                                f"{t('lifecycle.of_from', lang)}: %{{customdata[2]:.1%}}<extra></extra>")}))
    style(fig, t("lifecycle.migration_title", lang, start=date_from, end=date_to), height=height, legend=False)
    fig.update_layout(margin={"l": 20, "r": 20, "t": 90, "b": 20}, annotations=[
        {"text": f"<b>{date_from}</b>", "x": 0, "y": 1.06, "xref": "paper", "yref": "paper", "showarrow": False,
         "xanchor": "left"},
        {"text": f"<b>{date_to}</b>", "x": 1, "y": 1.06, "xref": "paper", "yref": "paper", "showarrow": False,
         "xanchor": "right"}])
    return fig


# -- display tables ---------------------------------------------------------------------------

MEMBER_HEADERS = {"member_id": "member_id", "stage": "stage", "purchases": "lifecycle.col_purchases",
                  "recency_days": "recency_days", "median_gap_days": "median_gap_days",
                  "first_purchase": "lifecycle.col_first_purchase", "last_purchase": "lifecycle.col_last_purchase",
                  "recent_spend": "lifecycle.col_recent_spend", "prior_spend": "lifecycle.col_prior_spend"}


def _stage_names(column: str, lang: Lang) -> pl.Expr:
    """Stage ids -> names; null (no stage yet) -> its label."""
    return names(column, STAGES, "stage_", lang).fill_null(t("lifecycle.no_stage", lang))


def member_frame(members: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """`lifecycle.members(stage=… | step=…)` with translated headers and stage names."""
    return display_table(members, MEMBER_HEADERS, lang, stage=_stage_names("stage", lang))


def move_frame(members: pl.DataFrame, lang: Lang, date_from: date, date_to: date) -> pl.DataFrame:
    """`lifecycle.members(migration=…)` with translated headers and stage names."""
    return members.select(
        pl.col("member_id").alias(t("member_id", lang)),
        _stage_names("from_stage", lang).alias(t("lifecycle.col_from_stage", lang, date=date_from)),
        _stage_names("to_stage", lang).alias(t("lifecycle.col_to_stage", lang, date=date_to)))
