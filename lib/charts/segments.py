"""The 5W1H page's charts of kinds of members: the profile of the high-value members (lift per
value of an attribute; the Who section) and the RFM segments with what to do about each (bars and
the action tables of segments and value groups; the Where & how section). Pure: polars frames +
language -> plotly figures, display frames or the row a sentence names; no streamlit, no I/O.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from lib.charts import style
from lib.charts.w5h1 import AMBER, BLUE, GREEN, GREY, RED, bar_height, word
from lib.formatting import money_hover, percent
from lib.i18n import Lang, t


def profile_lift(frame: pl.DataFrame, attribute: str, value_label, lang: Lang) -> go.Figure:
    """w5h1.who.profile of `attribute`: lift per value (bars; > 1 = more common among the
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
    return style(fig, t("w5h1.profile_title", lang, attribute=word(label, lang)), label, t("w5h1.lift_y", lang),
                 legend=False)


def top_lift(profile: pl.DataFrame, min_share: float = 0.05) -> dict | None:
    """The known value with the highest lift among those holding ≥ min_share of the high-value
    members (a value two of them share says little); None when there is none."""
    data = profile.filter(pl.col("value").is_not_null() & (pl.col("subset_share") >= min_share)
                          & pl.col("lift").is_not_null())
    return data.sort(["lift", "value"], descending=[True, False]).row(0, named=True) if data.height else None


# -- RFM segments and what to do about them ------------------------------------------------------

# value to keep (green), to grow (blue), to wake (amber), to win back (red), let go (grey)
SEGMENT_COLOURS = {"champions": GREEN, "loyal": GREEN, "potential_loyalist": GREEN, "new_customers": BLUE,
                   "promising": BLUE, "need_attention": AMBER, "about_to_sleep": AMBER, "at_risk": RED,
                   "cannot_lose": RED, "hibernating": GREY, "lost": GREY}


def _share(value: float) -> str:
    return percent(value, 0 if abs(value) >= 0.01 or value == 0 else 1)


def segments(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> go.Figure:
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
                       + ": " + money_hover("customdata[1]", 0, currency) + " (%{customdata[2]:.1%})<br>"
                       + t("w5h1.action", lang) + ": %{customdata[3]}<extra></extra>")))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, t("w5h1.segment_title", lang), t("w5h1.segment_x", lang), t("segment", lang),
                 height=bar_height(frame.height), legend=False)


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
