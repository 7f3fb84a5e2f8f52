"""生命周期: stages at the data end with adjustable thresholds, the funnel, the stage mix over time,
the migration between two dates, and the members behind each number."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from lib import lifecycle
from lib.charts import lifecycle as charts
from lib.filters import Filters
from lib.i18n import members
from lib.ui import analysis_page, compute, counted_selectbox, derived, kept, no_data, show_chart, tr
from lib.segments import Definition
from lib.tables import member_table, number_formats
# widget key -> (spec field, default shown, step, min, format); spend ratio is shown in %.
THRESHOLDS = {
    "lc_churn_days": ("churn_days", lifecycle.DEFAULT_CHURN_DAYS, 30, 1, "%d"),
    "lc_gap_multiple": ("gap_multiple", lifecycle.DEFAULT_GAP_MULTIPLE, 0.1, 0.1, "%.2f"),
    "lc_spend_ratio": ("spend_ratio", round(lifecycle.DEFAULT_SPEND_RATIO * 100), 5, 0, "%d"),
    "lc_growth_days": ("growth_days", lifecycle.DEFAULT_GROWTH_DAYS, 30, 1, "%d"),
}
MIX_PERIODS = ("month", "quarter")
MIX_SHOW = ("count", "share")


page = analysis_page("page_lifecycle")  # its caption names the as-of date, below
ds, filters, L, first, last, say = page.ds, page.filters, page.lang, page.first, page.last, page.say
as_of = filters.as_of or last
st.caption(tr("lifecycle.caption", as_of=as_of))


# -- thresholds, with a live recount -------------------------------------------------------------

def _reset_thresholds() -> None:
    for key, (_, default, *_) in THRESHOLDS.items():
        st.session_state[key] = default


with st.expander(tr("lifecycle.thresholds"), expanded=True, icon=":material/tune:"):
    values = {}
    for column, (key, (field, default, step, low, fmt)) in zip(st.columns(4), THRESHOLDS.items()):
        name = key.removeprefix("lc_")
        values[field] = column.number_input(tr(f"lifecycle.{name}"), value=default, step=step, min_value=low,
                                            format=fmt, key=key, help=tr(f"lifecycle.{name}_help"),
                                            bind="query-params")
    note, button = st.columns([4, 1], vertical_alignment="center")
    note.caption(tr("lifecycle.defaults"))
    button.button(tr("lifecycle.reset"), on_click=_reset_thresholds, icon=":material/restart_alt:", width="stretch")
spec = lifecycle.LifecycleSpec(filters, churn_days=int(values["churn_days"]),
                               gap_multiple=float(values["gap_multiple"]),
                               spend_ratio=float(values["spend_ratio"]) / 100, growth_days=int(values["growth_days"]))
default_spec = lifecycle.LifecycleSpec(filters)

# Every count below comes from the stages (run) of one spec, computed once per spec and cached.
now = ((lifecycle.run, spec),)
summary = derived(lifecycle.summary_of, ds, now)
counts = dict(summary.rows())
total = sum(counts.values())
if total == 0:
    no_data()
    st.stop()
baseline = counts if spec == default_spec else dict(derived(lifecycle.summary_of, ds, ((lifecycle.run, default_spec),)).rows())
# Prospects (registered, never bought) are known only from a members file, and counted only without
# an order or line filter; elsewhere their 0 means "unknown", so neither card nor funnel step shows it.
prospects = compute(lifecycle.prospects_known, ds, filters)
members_file = prospects or compute(lifecycle.prospects_known, ds, Filters())  # unfiltered: is there a members file
stages = lifecycle.STAGES if prospects else lifecycle.STAGES[1:]
for column, stage in zip(st.columns(len(stages)), stages):
    change = counts[stage] - baseline[stage]
    name = tr("lifecycle.card_prospect") if stage == "prospect" else tr(f"stage_{stage}")  # short: cards are narrow
    column.metric(name, f"{counts[stage]:,}", delta=f"{change:+,}" if change else None,
                  delta_color="off", border=True, help=tr(f"lifecycle.stage_help_{stage}"))
    column.caption(tr("lifecycle.share_of_members", share=counts[stage] / total))
if not members_file:
    st.caption(tr("lifecycle.prospects_need_members_file"))
elif not prospects:
    st.caption(tr("lifecycle.prospects_need_no_filter"))
elif total == counts["prospect"]:
    st.info(tr("lifecycle.no_buyers", n=total), icon=":material/info:")

# -- funnel and stage mix over time ----------------------------------------------------------------

funnel = derived(lifecycle.funnel_of, ds, now)
left, right = st.columns([2, 3])
with left:
    show_chart(charts.funnel(funnel, L, registered=prospects), key="lc_funnel")
    st.caption((tr("lifecycle.funnel_registered_note") + " " if prospects else "") + tr("lifecycle.funnel_note"))
with right:
    period_col, show_col, hide_col = st.columns([1, 1, 1], vertical_alignment="bottom")
    period = kept(period_col.segmented_control, tr("granularity"), MIX_PERIODS, "lc_period", "month", required=True,
                  format_func=lambda p: say(f"period_{p}"))
    show = kept(show_col.segmented_control, tr("lifecycle.mix_show"), MIX_SHOW, "lc_show", "count", required=True,
                format_func=lambda m: say(f"lifecycle.show_{m}"))
    hide_churned = hide_col.toggle(tr("lifecycle.hide_churned"), key="lc_hide_churned", bind="query-params")
    mix = compute(lifecycle.mix_over_time, ds, spec, period)
    if mix.is_empty():
        st.info(tr("lifecycle.mix_empty"))
    else:
        show_chart(charts.mix(mix, L, period, share=show == "share",
                              hide=("churned",) if hide_churned else (), prospects=prospects), key="lc_mix")

# -- migration between two dates ---------------------------------------------------------------------

st.subheader(tr("lifecycle.migration"))
try:
    year_before = as_of.replace(year=as_of.year - 1)
except ValueError:  # 29 February
    year_before = as_of - timedelta(days=365)
from_col, to_col, _ = st.columns([1, 1, 2])
date_from = from_col.date_input(tr("lifecycle.date_from"), value=max(first, year_before), min_value=first,
                                max_value=as_of, key="lc_from", bind="query-params")
date_to = to_col.date_input(tr("lifecycle.date_to"), value=as_of, min_value=first, max_value=as_of, key="lc_to",
                            bind="query-params")
moves = None
if not isinstance(date_from, date) or not isinstance(date_to, date) or date_from >= date_to:
    st.warning(tr("lifecycle.dates_order"))
else:
    # the stages at date_to = data end are the ones above: spec_at keeps the same spec, so the cache answers
    two_dates = ((lifecycle.run, lifecycle.spec_at(spec, date_from, as_of)),
                 (lifecycle.run, lifecycle.spec_at(spec, date_to, as_of)))
    moves = derived(lifecycle.migration_of, ds, two_dates)
    if moves.is_empty():
        st.info(tr("lifecycle.migration_empty"))
    else:
        show_chart(charts.sankey(moves, L, date_from, date_to), key="lc_sankey")
        st.caption(tr("lifecycle.no_stage_help" if prospects else "lifecycle.no_stage_help_buyers"))

# -- members behind a number -------------------------------------------------------------------------

st.subheader(tr("members_behind"))
kinds = {"stage": say("lifecycle.by_stage"), "step": say("lifecycle.by_step")}
if moves is not None and not moves.is_empty():
    kinds["move"] = say("lifecycle.by_move")
if st.session_state.get("lc_drill") not in kinds:
    st.session_state["lc_drill"] = "stage"
kind = st.radio(tr("lifecycle.drill_by"), list(kinds), format_func=kinds.get, horizontal=True, key="lc_drill")
if kind == "stage":
    sizes = {stage: counts[stage] for stage in stages}
elif kind == "step":
    sizes = {step: n for step, n in funnel.rows() if prospects or step != "registered"}
else:
    sizes = {(a, b): n for a, b, n in moves.rows()}


def label(option) -> str:
    if kind == "stage":
        return say("lifecycle.item", name=say(f"stage_{option}"), members=members(sizes[option], L))
    if kind == "step":
        return say("lifecycle.item", name=say(f"lifecycle.step_{option}"), members=members(sizes[option], L))
    return say("lifecycle.move", a=charts.stage_label(option[0], L), b=charts.stage_label(option[1], L),
               members=members(sizes[option], L))


options = list(sizes)
key = f"lc_drill_{kind}"
picked = counted_selectbox(kinds[kind], options, key, label, next((o for o in options if sizes[o]), options[0]))
if not sizes.get(picked):
    st.info(tr("lifecycle.nobody"))
elif kind == "move":
    cell = lifecycle.MigrationCell(date_from, date_to, picked[0], picked[1])
    member_table(charts.move_frame(derived(lifecycle.moves_of, ds, two_dates, cell), L, date_from, date_to),
                 key="lc_members", file_stem=f"lifecycle_{picked[0] or 'none'}_to_{picked[1]}",
                 segment=Definition.of(lifecycle.members, spec, cell))
else:
    cell = lifecycle.StageCell(picked) if kind == "stage" else lifecycle.StepCell(picked)
    member_table(charts.member_frame(derived(lifecycle.members_of, ds, now, cell), L),
                 key="lc_members", file_stem=f"lifecycle_{picked}",
                 column_config=number_formats({c: say(k) for c, k in charts.MEMBER_HEADERS.items()}),
                 segment=Definition.of(lifecycle.members, spec, cell))
