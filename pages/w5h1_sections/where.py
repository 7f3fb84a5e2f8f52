"""Where & how: channels side by side, and the action for each RFM segment and value group."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lib import cac, rfm
from lib.charts import acquisition as charts_acquisition
from lib.charts import segments as charts_segments
from lib.charts import w5h1 as charts_w5h1
from lib.formatting import MISSING, markdown_text
from lib.i18n import sentences
from lib.ui import AnalysisPage, compute, no_data, tr
from lib.w5h1 import where as acquisition
from lib.w5h1 import who as people
from pages.w5h1_sections.widgets import (action_columns, cac_reason, chart, clicked, count_column, money_column,
                                         percent, pick, show_listed, table_height, x_click)


def show(page: AnalysisPage) -> None:
    channels_side_by_side(page)
    actions_by_segment(page)


def channels_side_by_side(page: AnalysisPage) -> None:
    """Repurchase, CAC and NPS per first-purchase channel, and a channel's buyers."""
    ds, filters, L = page.ds, page.filters, page.lang
    st.subheader(tr("w5h1.channel_header"))
    st.caption(tr("w5h1.channel_intro"))
    table = compute(acquisition.channels, ds, filters)
    per_channel = table.filter(pl.col("channel").is_not_null())
    if per_channel.is_empty():
        st.info(tr("w5h1.channel_none"))
    else:
        event = chart(charts_acquisition.channels(table, L), "w5h1_channel_chart")
        notes = [tr(k) for k, col in (("w5h1.channel_no_spend", "spend"), ("w5h1.channel_no_nps", "responses"))
                 if table[col].null_count() == table.height]
        if (table["cac_note"] == cac.SPEND_NOT_SCOPED).any():
            notes.append(cac_reason(cac.SPEND_NOT_SCOPED))
        if notes:
            st.caption(sentences(notes, L))
        best, worst = charts_w5h1.extremes(per_channel.filter(pl.col("buyers") > 0), "repurchase_rate", "channel")
        if best and worst and best[0] != worst[0]:
            st.markdown(tr("w5h1.channel_reading", best=markdown_text(best[0]), best_rate=best[1],
                           worst=markdown_text(worst[0]), worst_rate=worst[1]))
        columns = {
            tr("repurchase_rate"): percent("repurchase_rate"), tr("w5h1.spend"): money_column(tr("w5h1.spend_money")),
            tr("cac"): money_column(tr("w5h1.ch_cac")), "NPS": st.column_config.NumberColumn("NPS", format="%.1f"),
            **{tr(k): count_column(tr(k)) for k in ("w5h1.buyers_n", "w5h1.repeat_buyers", "new_buyers",
                                                     "w5h1.responses")}}
        # a blank CAC or NPS shows as "–", not as the grid's default "None"
        st.dataframe(charts_acquisition.channel_table(table, L), hide_index=True, width="stretch", placeholder=MISSING,
                     column_config=columns)
        st.page_link("pages/cohorts.py", label=tr("w5h1.cohorts_link"), icon=":material/grid_on:")
        buyers = {str(r["channel"]): r["buyers"] for r in per_channel.iter_rows(named=True)}
        channel = pick(tr("w5h1.channel_pick"), list(buyers), "w5h1_channel_pick",
                       lambda c: f"{c} · {buyers[c]:,}", clicked=x_click(event))
        if channel:
            cell = people.ProfileCell("first_channel", channel)
            show_listed("w5h1_channel_members", "channel_buyers", people.members, ds, filters, cell)


def actions_by_segment(page: AnalysisPage) -> None:
    """The suggested action per RFM segment and value group, and the members of one."""
    ds, filters, L = page.ds, page.filters, page.lang
    st.subheader(tr("w5h1.segment_header"))
    st.caption(tr("w5h1.segment_intro"))
    rfm_spec = rfm.RfmSpec(filters)
    segments = compute(rfm.segments, ds, rfm_spec)
    if not segments["members"].sum():
        no_data()
        return
    event = chart(charts_segments.segments(segments, L), "w5h1_segment_chart")
    st.dataframe(charts_segments.action_table(segments, "segment", L), hide_index=True, width="stretch",
                 height=table_height(segments.height), column_config=action_columns(), placeholder=MISSING)
    counts = dict(zip(segments["segment"], segments["members"]))
    segment = pick(tr("w5h1.segment_pick"), [s for s in counts if counts[s]], "w5h1_segment_pick",
                   lambda s: f"{tr('seg_' + s)} · {counts[s]:,}", clicked=clicked(event))
    if segment:
        show_listed("w5h1_segment_members", f"rfm_{segment}", rfm.members, ds, rfm_spec, rfm.RfmCell(segment=segment))

    st.markdown(f"**{tr('w5h1.value_groups')}**")
    groups = compute(rfm.value_groups, ds, rfm_spec)
    st.dataframe(charts_segments.action_table(groups, "value_group", L), hide_index=True, width="stretch",
                 height=table_height(groups.height), column_config=action_columns(), placeholder=MISSING)
    group_counts = dict(zip(groups["value_group"], groups["members"]))
    group = pick(tr("w5h1.group_pick"), [g for g in group_counts if group_counts[g]], "w5h1_group_pick",
                 lambda g: f"{tr('vg_' + g)} · {group_counts[g]:,}")
    if group:
        show_listed("w5h1_group_members", f"rfm_{group}", rfm.members, ds, rfm_spec, rfm.RfmCell(value_group=group))
    st.page_link("pages/rfm.py", label=tr("w5h1.rfm_link"), icon=":material/scatter_plot:")
