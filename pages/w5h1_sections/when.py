"""When: repurchase cycles, and who is due to buy again."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lib import repurchase
from lib.segments import Definition
from lib.charts import repurchase as charts_repurchase
from lib.ui import AnalysisPage, compute, derived, kept, show_chart, tr
from pages.w5h1_sections.widgets import (BY_OPTIONS, DUE_CHOICES, LIST_LIMIT, MAX_CHART_ITEMS, chart, clicked, names,
                                         pick, show_listed, show_members)


def show(page: AnalysisPage) -> None:
    ds, filters, L, say = page.ds, page.filters, page.lang, page.say
    st.subheader(tr("w5h1.cycle_header"))
    base_spec = repurchase.RepurchaseSpec(filters)
    summary = compute(repurchase.cycle_summary, ds, base_spec).row(0, named=True)
    if not summary["gaps"]:
        st.info(tr("w5h1.cycle_none"))
    else:
        cycles = compute(repurchase.cycles, ds, base_spec)
        show_chart(charts_repurchase.cycle_histogram(cycles, summary, L), key="w5h1_cycle_chart", width="stretch")
        st.markdown(tr("w5h1.cycle_reading", gaps=summary["gaps"], median=summary["median_gap_days"],
                       mean=summary["mean_gap_days"], p25=summary["p25"], p75=summary["p75"]))
        buckets = compute(repurchase.cycle_buckets, ds, base_spec)
        rows = {r["bucket"]: r for r in buckets.iter_rows(named=True) if r["members"]}
        bucket = pick(tr("w5h1.gap_bucket"), list(rows), "w5h1_bucket_pick",
                      lambda b: tr("w5h1.bucket_option", bucket=b, members=rows[b]["members"]))
        if bucket:
            row = rows[bucket]
            show_listed("w5h1_bucket_members", f"gap_{bucket}", repurchase.members, ds, base_spec,
                        repurchase.RepurchaseCell("gap", gap_days=(row["min_days"], row["max_days"])))

    by = kept(st.segmented_control, tr("w5h1.by"), BY_OPTIONS, "w5h1_when_by", "category", required=True,
              format_func=say)
    spec = repurchase.RepurchaseSpec(filters, by=by)
    table = compute(repurchase.run, ds, spec)
    if not table.filter(pl.col("median_gap_days").is_not_null()).is_empty():
        show_chart(charts_repurchase.item_gaps(table.head(MAX_CHART_ITEMS), by, L), key="w5h1_item_gaps",
                   width="stretch")

    st.subheader(tr("w5h1.due_header"))
    cycles_late = st.columns(3)[0].select_slider(tr("w5h1.lapsed_cycles"), (0.5, 1.0, 1.5, 2.0, 3.0), value=1.0,
                                                 key="w5h1_lapsed", format_func=lambda c: f"{c:g}")
    st.caption(tr("w5h1.due_intro", cycles=cycles_late))
    next_source = ((repurchase.next_purchases, spec),)  # computed once; the summary and lists filter it
    summary_frame = derived(repurchase.due_summary_of, ds, next_source, cycles_late)
    if summary_frame.is_empty():
        st.info(tr("w5h1.due_none"))
        return
    event = chart(charts_repurchase.due_status(summary_frame.head(MAX_CHART_ITEMS), by, L), "w5h1_due_chart")
    left, right = st.columns([2, 3])
    with left:
        status = kept(st.segmented_control, tr("w5h1.status"), DUE_CHOICES, "w5h1_due", "overdue", required=True,
                      format_func=names("w5h1.st_"))
    statuses = ("overdue", "lapsed") if status == "any" else (status,)
    items = {str(r["item"]): r for r in summary_frame.iter_rows(named=True)}
    counts = {i: sum(r[s] for s in statuses) for i, r in items.items()}
    with right:
        item = pick(tr(by), list(items), f"w5h1_due_item_{by}", lambda v: f"{v} · {counts[v]:,}",
                    clicked=clicked(event))
    total = counts[item] if item else sum(counts.values())
    frame = derived(repurchase.due_of, ds, next_source, statuses, item, cycles_late, LIST_LIMIT)
    if frame.height < total:
        st.caption(tr("w5h1.showing", shown=frame.height, total=total))
    # saved as a segment, the list is every such buyer (repurchase.due), not only the rows shown
    show_members(frame, "w5h1_due_members", f"next_purchase_{status}",
                 Definition.of(repurchase.due, spec, statuses, item, cycles_late))
