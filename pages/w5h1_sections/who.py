"""Who: the profile of high-value members, and the members about to leave (pre-churn)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lib import clv, rfm
from lib.charts import segments as charts_segments
from lib.formatting import markdown_text, money, percent
from lib.i18n import sentences
from lib.ui import AnalysisPage, compute, kept, tr
from lib.segments import Definition
from lib.w5h1 import who as people
from pages.w5h1_sections.widgets import (ATTRIBUTES, NULL, TOP_SHARES, cards, chart, chosen_model, clicked, names,
                                         pick, say_status, show_listed, show_members)


def value_name(attribute: str):
    def name(value: object) -> str:
        if value is None or value == NULL:
            return tr("w5h1.unknown")
        if attribute == "gender" and value in ("M", "F"):
            return tr(f"gender_{value}")
        return str(value)
    return name


def show(page: AnalysisPage) -> None:
    ds, filters, L = page.ds, page.filters, page.lang
    st.subheader(tr("w5h1.profile_header"))
    left, middle, right = st.columns([2, 1, 2])
    with left:
        source = kept(st.segmented_control, tr("w5h1.hv_source"), people.HIGH_VALUE_SOURCES, "w5h1_hv", "clv",
                      required=True,
                      format_func=names("w5h1.hv_"))
    with middle:
        share = kept(st.selectbox, tr("w5h1.top_share"), TOP_SHARES, "w5h1_top", 0.1,
                     format_func=lambda s: percent(s, 0), disabled=source != "clv")
    with right:
        attribute = kept(st.selectbox, tr("w5h1.attribute"), ATTRIBUTES, "w5h1_attr", "member_tier",
                         format_func=names("w5h1.attr_"))
    ids = compute(people.high_value_ids, ds, filters, source, share, chosen_model())
    profile = compute(people.profile, ds, filters, ids, attribute) if ids else pl.DataFrame()
    if not ids or profile.is_empty():
        st.info(tr("w5h1.profile_empty"))
    else:
        name = value_name(attribute)
        event = chart(charts_segments.profile_lift(profile, attribute, name, L), "w5h1_profile_chart")
        top = charts_segments.top_lift(profile)
        if top:
            st.markdown(tr("w5h1.profile_reading", n=len(ids), value=markdown_text(name(top["value"])), sub=top["subset_share"],
                           all=top["all_share"], lift=top["lift"]))
        rows = {NULL if r["value"] is None else str(r["value"]): r for r in profile.iter_rows(named=True)}
        left, right = st.columns([3, 2])
        with left:
            value = pick(tr("w5h1.profile_value"), list(rows), f"w5h1_profile_pick_{attribute}",
                         lambda v: f"{name(v)} · {rows[v]['subset_members']:,} / {rows[v]['all_members']:,}",
                         clicked=clicked(event))
        subset_only = right.toggle(tr("w5h1.in_subset"), value=True, key="w5h1_profile_subset")
        if value:
            chosen = None if value == NULL else value
            if subset_only:  # the high-value members, recomputed when a saved segment is evaluated live
                show_listed("w5h1_profile_members", f"profile_{attribute}", people.high_value_members, ds, filters,
                            attribute, chosen, source, share, chosen_model())
            else:
                show_listed("w5h1_profile_members", f"profile_{attribute}", people.members, ds, filters,
                            people.ProfileCell(attribute, chosen, None))

    st.subheader(tr("w5h1.churn_header"))
    model = chosen_model()
    st.caption(sentences((tr("w5h1.churn_intro", model=clv.MODEL_LABELS[model]),
                          tr("w5h1.churn_intro_bgnbd") if model == "bgnbd" else None), L))
    left, right = st.columns([1, 2])
    threshold = left.slider(tr("w5h1.p_alive_below"), 0.05, 0.95, people.DEFAULT_PRE_CHURN_P_ALIVE, 0.05,
                            key="w5h1_palive", format="%.2f")
    segments = right.multiselect(tr("w5h1.risk_segments"), rfm.SEGMENTS, default=list(people.PRE_CHURN_SEGMENTS),
                                 key="w5h1_risk_segments", format_func=names("seg_"))
    model_spec = clv.ClvSpec(filters, model=model)
    fitted = compute(clv.fit, ds, model_spec)
    if not fitted.usable:  # only the RFM segments can list anyone
        say_status(fitted.status, fitted)
    frame = compute(people.pre_churn, ds, model_spec, threshold, tuple(segments))
    if frame.is_empty():
        st.info(tr("w5h1.churn_none"))
        return
    cards(("w5h1.m_pre_churn", f"{frame.height:,}"), ("w5h1.m_by_p_alive", f"{frame['low_p_alive'].sum():,}"),
          ("w5h1.m_by_segment", f"{frame['risk_segment'].sum():,}"),
          ("w5h1.m_at_stake", money(float(frame["monetary"].sum()), L)))
    show_members(frame, "w5h1_churn_members", "pre_churn",
                 Definition.of(people.pre_churn, model_spec, threshold, tuple(segments)))
