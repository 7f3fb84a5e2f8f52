"""What: retention and repurchase — the headline repeat KPIs and repurchase by item."""

from __future__ import annotations

import streamlit as st

from lib import repurchase
from lib.charts import repurchase as charts_repurchase
from lib.charts import w5h1 as charts_w5h1
from lib.formatting import markdown_text, number, percent
from lib.ui import AnalysisPage, compute, kept, no_data, tr
from pages.w5h1_sections.widgets import MAX_CHART_ITEMS, chart, clicked, pick, product_levels, show_listed


def show(page: AnalysisPage, kpi: dict, change: dict) -> None:
    ds, filters, L, say = page.ds, page.filters, page.lang, page.say
    st.caption(tr("w5h1.what_intro"))
    shown = (("repurchase_rate", percent), ("order_repurchase_rate", percent),
             ("purchase_frequency", lambda v: number(v, 2)), ("crr", percent))
    for column, (metric, fmt) in zip(st.columns(4), shown):
        value, moved = kpi.get(metric), change.get(metric)
        column.metric(tr(metric), fmt(value), border=True,
                      delta=None if moved is None else percent(moved, signed=True),
                      help=tr(f"w5h1.{metric}_help") if metric in ("repurchase_rate", "crr") else None)
    st.page_link("pages/cohorts.py", label=tr("w5h1.cohorts_link"), icon=":material/grid_on:")

    st.subheader(tr("w5h1.cat_header"))
    levels = product_levels(ds)
    by = kept(st.segmented_control, tr("w5h1.by"), levels, "w5h1_what_by", levels[0], required=True,
              format_func=say)
    spec = repurchase.RepurchaseSpec(filters, by=by)
    table = compute(repurchase.run, ds, spec)
    if table.is_empty():
        no_data()
        return
    shown_items = table.head(MAX_CHART_ITEMS)
    event = chart(charts_repurchase.item_repurchase(shown_items, by, L), "w5h1_rate_chart")
    best, worst = charts_w5h1.extremes(shown_items, "repurchase_rate", by)
    if best and worst and best[0] != worst[0]:
        st.markdown(tr("w5h1.cat_reading", best=markdown_text(best[0]), best_rate=best[1],
                       worst=markdown_text(worst[0]), worst_rate=worst[1]))
    st.caption(tr("w5h1.click_hint"))
    counts = {str(r[by]): r for r in table.iter_rows(named=True)}
    left, right = st.columns([3, 2])
    with left:
        item = pick(tr(by), list(counts), f"w5h1_what_item_{by}",
                    lambda v: f"{v} · {counts[v]['repeat_buyers']:,} / {counts[v]['buyers']:,}", clicked=clicked(event))
    whom = right.segmented_control(tr("w5h1.status"), ("repeat_buyers", "buyers"), default="repeat_buyers",
                                  required=True, key="w5h1_what_who",
                                  format_func=lambda w: say("w5h1.who_repeat" if w == "repeat_buyers"
                                                            else "w5h1.who_buyers"))
    if item:
        show_listed("w5h1_what_members", f"repurchase_{whom}", repurchase.members, ds, spec,
                    repurchase.RepurchaseCell(whom, item))
