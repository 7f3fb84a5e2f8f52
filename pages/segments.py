"""Segments 人群包: every saved segment with its size when saved and now; for one segment its size
at past month ends, its overlap with another segment or the pre-churn list, an export with chosen
columns for a campaign tool, and rename / delete (lib/segments.py holds the definitions)."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from lib import currency as currencies
from lib import segments
from lib.charts import saved_segments as charts
from lib.clv import ClvSpec
from lib.formatting import MISSING, markdown_text, percent
from lib.i18n import LABELS, t
from lib.segments import Definition
from lib.tables import member_table, number_formats, percent_column
from lib.ui import compute, current_dataset, kept, lang, open_store, segment_why, show_chart, tr
from lib.w5h1 import who as people

PRE_CHURN = "\x00pre_churn"  # the built-in list a segment can be compared with (no name can hold \x00)
FLASH_KEY = "segments_flash"  # what the last rename / delete did, said after its rerun

store = open_store()
L = lang()
st.title(tr("segments.page"))
st.caption(tr("segments.caption"))
if FLASH_KEY in st.session_state:  # what the last rename or delete did
    kind, message = st.session_state.pop(FLASH_KEY)
    (st.success if kind == "success" else st.error)(message)

every = segments.all_segments(store)
if not every:
    st.info(tr("segments.none_yet"), icon=":material/group_work:")
    st.stop()
datasets = {d.id: d for d in store.datasets()}
current = current_dataset(store)


def described(segment: segments.Segment) -> str:
    """Where a segment came from, in words: the list and its cell ("RFM · At Risk")."""
    cell = charts.cell_words(segment.definition, L)
    key = f"segments.source_{segment.source}"
    source = tr(key) if key in LABELS else segment.source  # a list of another version keeps its id
    return source + (f" · {cell}" if cell else "")


def live_state(segment: segments.Segment) -> tuple[int | None, str]:
    """(members now by the live definition, status in words) of a segment."""
    own = datasets.get(segment.dataset_id)
    if own is None:
        return None, tr("segments.status_gone")
    member_set, fell_back = compute(segments.scope, own, segment, "live", segments.inner_stamp(store, segment))
    if fell_back is not None:  # a table cell is plain text: the values as they are
        return None, tr(f"segments.why_{fell_back.reason}", **fell_back.values)
    return member_set.size, tr("segments.status_ok")


# -- every segment ------------------------------------------------------------------------------
states = {s.id: live_state(s) for s in every}
table = pl.DataFrame({
    tr("segments.col_name"): [s.name for s in every],
    tr("segments.col_dataset"): [datasets[s.dataset_id].name if s.dataset_id in datasets else s.dataset_name
                                 for s in every],
    tr("segments.col_source"): [described(s) for s in every],
    tr("segments.col_saved_members"): [s.members for s in every],
    tr("segments.col_live_members"): [states[s.id][0] for s in every],
    tr("segments.col_change"): [None if states[s.id][0] is None else states[s.id][0] - s.members for s in every],
    tr("segments.col_data_end"): [s.data_end for s in every],
    tr("segments.col_saved_at"): [s.saved_at.replace(microsecond=0) for s in every],
    tr("segments.col_status"): [states[s.id][1] for s in every],
}, schema_overrides={tr("segments.col_live_members"): pl.Int64, tr("segments.col_change"): pl.Int64})
counts = {tr(k): st.column_config.NumberColumn(format="localized")
          for k in ("segments.col_saved_members", "segments.col_live_members")}
st.dataframe(table, hide_index=True, width="stretch", placeholder=MISSING,
             column_config={**counts, tr("segments.col_data_end"): st.column_config.DateColumn(format="YYYY-MM-DD"),
                            tr("segments.col_change"): st.column_config.NumberColumn(format="%+d"),
                            tr("segments.col_status"): st.column_config.TextColumn(width="large")})

# -- one segment --------------------------------------------------------------------------------
by_name = {s.name: s for s in every}
default = next((s.name for s in every if current is not None and s.dataset_id == current.id), every[0].name)
name = kept(st.selectbox, tr("segments.pick"), list(by_name), "seg", default)
segment = by_name[name]
own = datasets.get(segment.dataset_id)
mode = kept(st.segmented_control, tr("segments.mode"), list(segments.MODES), "seg_mode", segments.DEFAULT_MODE,
            required=True, format_func=lambda m: t(f"segments.mode_{m}", L), help=tr("segments.mode_help"),
            disabled=own is None)
if own is None:
    mode = "saved"
    chosen_set, fell_back = segments.saved_set(segment), None
else:
    chosen_set, fell_back = compute(segments.scope, own, segment, mode, segments.inner_stamp(store, segment))
if fell_back is not None:
    st.warning(tr("segments.fell_back", why=segment_why(fell_back)), icon=":material/history:")
st.caption(tr("segments.defined_as", source=markdown_text(described(segment)),
              saved_at=segment.saved_at.strftime("%Y-%m-%d %H:%M"), data_end=segment.data_end or MISSING))
live_n = states[segment.id][0]
saved_col, now_col, change_col = st.columns(3)
saved_col.metric(tr("segments.m_saved"), f"{segment.members:,}", border=True)
now_col.metric(tr("segments.m_now"), MISSING if live_n is None else f"{live_n:,}", border=True)
change_col.metric(tr("segments.m_change"), MISSING if live_n is None else f"{live_n - segment.members:+,}",
                  border=True)

if own is not None and states[segment.id][0] is not None:
    st.subheader(tr("segments.history_header"))
    history = compute(segments.size_over_time, own, segment)
    known = history.filter(pl.col("members").is_not_null())
    if history.is_empty():
        st.caption(tr("segments.no_history"))
    elif known.height:
        show_chart(charts.size_over_time(history, segment.name, L), key="seg_history", width="stretch")
        st.markdown(tr("segments.history_reading", first=known["as_of"][0], first_n=known["members"][0],
                       last=known["as_of"][-1], last_n=known["members"][-1]))

# -- overlap --------------------------------------------------------------------------------------
st.subheader(tr("segments.overlap_header"))
others = [s.name for s in every if s.id != segment.id]
choices = ([PRE_CHURN] if own is not None else []) + others
if not choices:
    st.info(tr("segments.none_yet"))
else:
    other = kept(st.selectbox, tr("segments.overlap_with"), choices, "seg_other", choices[0],
                 format_func=lambda c: t("segments.overlap_pre_churn", L) if c == PRE_CHURN else c)
    if other == PRE_CHURN:
        other_label = tr("segments.overlap_pre_churn")
        st.caption(tr("segments.pre_churn_rules", threshold=percent(people.DEFAULT_PRE_CHURN_P_ALIVE, 0),
                      segments=("、" if L == "zh" else ", ").join(t(f"seg_{s}", L) for s in people.PRE_CHURN_SEGMENTS)))
        other_set = compute(segments.listed, own, Definition.of(people.pre_churn, ClvSpec()), other_label)
    else:
        other_label, other_segment = other, by_name[other]
        other_own = datasets.get(other_segment.dataset_id)
        other_set = (compute(segments.scope, other_own, other_segment, mode,
                             segments.inner_stamp(store, other_segment))[0] if other_own is not None
                     else segments.saved_set(other_segment))
    parts = segments.overlap(store, chosen_set, other_set)
    counts = segments.overlap_counts(parts)
    both_col, first_col, second_col = st.columns(3)
    both_col.metric(tr("segments.overlap_both"), f"{counts['both']:,}", border=True)
    first_col.metric(tr("segments.overlap_first_only", name=markdown_text(segment.name)), f"{counts['first_only']:,}", border=True)
    second_col.metric(tr("segments.overlap_second_only"), f"{counts['second_only']:,}", border=True)
    in_first = counts["both"] + counts["first_only"]
    if in_first:
        st.markdown(tr("segments.overlap_reading", a=markdown_text(segment.name), b=markdown_text(other_label),
                       share=percent(counts["both"] / in_first), both=counts["both"]))
    part = kept(st.segmented_control, tr("segments.overlap_part"), list(segments.OVERLAP_PARTS), "seg_part", "both",
                required=True, format_func=lambda p: t(f"segments.overlap_{p}", L, name=markdown_text(segment.name)))
    member_table(parts.filter(pl.col("part") == part).select(pl.col("member_id").alias(tr("member_id"))),
                 key="seg_overlap_members", file_stem=f"overlap_{part}")

# -- export: in the segment's own dataset's currency, whatever the sidebar's dataset is -----------
if own is not None:
    currencies.show(own.currency)
st.subheader(tr("segments.export_header"))
offered = segments.export_columns(store, own)
if own is None:
    st.info(tr("segments.export_snapshot_only"))
columns = st.multiselect(tr("segments.export_columns"), offered, default=[c for c in segments.DEFAULT_EXPORT
                                                                          if c in offered],
                         key="seg_export_columns", format_func=lambda c: t(charts.EXPORT_HEADERS[c], L))
columns = tuple(c for c in offered if c in columns or c == "member_id")
exported = (compute(segments.export, own, chosen_set, columns) if own is not None
            else segments.export(store, None, chosen_set, ("member_id",)))
headers = {c: tr(charts.EXPORT_HEADERS[c]) for c in exported.columns}
config = {**number_formats(headers)}
if "p_alive" in headers:
    config[headers["p_alive"]] = percent_column(headers["p_alive"])
member_table(charts.export_table(exported, L), key="seg_export", column_config=config,
             file_stem="segment_" + re.sub(r"[^\w.-]+", "_", segment.name))
st.caption(tr("segments.export_note"))

# -- rename / delete ------------------------------------------------------------------------------
def rename(old: str, key: str) -> None:
    """The rename button's callback: it runs before the next run draws the picker, so the picker
    can be moved to the new name (a widget's value cannot change once it is drawn)."""
    try:
        renamed = segments.rename(store, old, st.session_state[key])
    except segments.SegmentError as exc:
        st.session_state[FLASH_KEY] = ("error", tr("segments.change_failed", message=markdown_text(str(exc))))
    else:
        st.session_state[FLASH_KEY] = ("success", tr("segments.renamed", name=markdown_text(renamed.name)))
        st.session_state["seg"] = renamed.name
        st.query_params["seg"] = renamed.name


def delete(name: str) -> None:
    try:
        segments.delete(store, name)
    except segments.SegmentError as exc:
        st.session_state[FLASH_KEY] = ("error", tr("segments.change_failed", message=markdown_text(str(exc))))
    else:
        st.session_state[FLASH_KEY] = ("success", tr("segments.deleted", name=markdown_text(name)))
        st.session_state.pop("seg", None)
        st.query_params.pop("seg", None)


with st.expander(tr("segments.manage_header"), icon=":material/edit:"):
    name_key = f"seg_new_name_{segment.id}"
    new_name = st.text_input(tr("segments.new_name"), value=segment.name, key=name_key)
    st.button(tr("segments.rename"), key="seg_rename", disabled=new_name.strip() in ("", segment.name),
              on_click=rename, args=(segment.name, name_key))
    sure = st.checkbox(tr("segments.delete_confirm", name=markdown_text(segment.name)), key=f"seg_sure_{segment.id}")
    st.button(tr("segments.delete"), key="seg_delete", type="primary", disabled=not sure, icon=":material/delete:",
              on_click=delete, args=(segment.name,))
