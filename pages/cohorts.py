"""Retention 留存分析: the cohort triangle, each cohort's curve with the weighted average, two
scopes compared, and the members behind any cell."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from lib import cohorts, readings
from lib.charts import cohorts as charts
from lib.filters import filter_options
from lib.formatting import money_full, percent, period_label
from lib.i18n import sentences
from lib.periods import PERIODS
from lib.ui import analysis_page, compute, kept, no_data, show_chart, tr
from lib.segments import Definition
from lib.tables import member_table, number_formats
ROLLING = ("off", *map(str, cohorts.ROLLING_WINDOWS))
SHOW = ("rate", "count")
# Fields a scope can be narrowed by, in the order offered (only those the dataset has).
COMPARE_FIELDS = ("channel", "store", "category", "region", "city", "member_tier", "gender", "age_band",
                  "product_name", "sku")
DEFAULT_SCOPES = ("天猫", "门店")


def choice(column, label: str, name: str, options: tuple[str, ...], default: str, format_func,
           help: str | None = None) -> str:
    """A segmented control kept in the URL (see `kept`)."""
    return kept(column.segmented_control, label, options, name, default, format_func=format_func, required=True,
                help=help)


def reading(line: readings.Reading | None) -> None:
    if line is not None:
        st.markdown(f":material/lightbulb: {readings.text(line, L)}")


def value_label(field: str):
    return (lambda v: say(f"gender_{v}") if v in ("M", "F") else v) if field == "gender" else str


page = analysis_page("page_cohorts", "cohorts.caption")
ds, filters, L, first, last, say = page.ds, page.filters, page.lang, page.first, page.last, page.say

# -- options ----------------------------------------------------------------------------------
# Two rows of controls as wide as their options (wrapping in a narrow window): equal columns cut off
# "Revenue retention" at 1440 px, and the rolling windows beside it need their room too.
top = st.container(horizontal=True, gap="large")
period = choice(top, tr("cohorts.period"), "coh_period", PERIODS, "month", lambda o: say(f"period_{o}"))
basis = choice(top, tr("cohorts.basis"), "coh_basis", cohorts.BASES, "first_purchase",
               lambda o: say(f"cohorts.basis_{o}"))
show = choice(top, tr("cohorts.show"), "coh_show", SHOW, "rate", lambda o: say(f"cohorts.show_{o}"))
low = st.container(horizontal=True, gap="large")
mode = choice(low, tr("cohorts.mode"), "coh_mode", cohorts.MODES, "classic", lambda o: say(f"cohorts.mode_{o}"),
              help=tr("cohorts.mode_help"))
rolling_choice = choice(low, tr("cohorts.rolling"), "coh_rolling", ROLLING, "off",
                        lambda o: say("cohorts.rolling_off") if o == "off" else say("cohorts.rolling_n", n=o),
                        help=tr("cohorts.rolling_help", n="N"))
rolling = None if rolling_choice == "off" else int(rolling_choice)

spec = cohorts.CohortSpec(filters, period=period, basis=basis, mode=mode, rolling=rolling)
frame = compute(cohorts.run, ds, spec)
if frame.is_empty():
    by_purchase = cohorts.CohortSpec(filters, period=period, rolling=rolling)
    if basis == "signup" and not compute(cohorts.run, ds, by_purchase).is_empty():
        st.info(tr("cohorts.no_signup"), icon=":material/person_add:")
    else:
        no_data()
    st.stop()
average = compute(cohorts.average, ds, spec)

# -- the triangle -----------------------------------------------------------------------------
total = frame["cohort"].n_unique()
if total > charts.MAX_COHORTS:
    st.caption(tr("cohorts.truncated", shown=charts.MAX_COHORTS, total=f"{total:,}"))
event = show_chart(charts.heatmap(frame, L, period=period, basis=basis, mode=mode, rolling=rolling,
                                  show=show),
                   key="coh_heatmap", on_select="rerun", selection_mode="points")
st.caption(sentences((tr("cohorts.incomplete_note", as_of=filters.as_of or last, measure=tr(f"cohorts.measure_{mode}")),
                       tr("cohorts.short_numbers") if show == "count" else None), L))
reading(readings.cohort_average(average, mode, period, rolling))

# -- curves -----------------------------------------------------------------------------------
if average.height < 2:
    st.info(tr("cohorts.too_short"))
else:
    show_chart(charts.curves(frame, average, L, period=period, basis=basis, mode=mode, rolling=rolling),
               key="coh_curves")
    if charts.period0_is_whole(basis, mode):
        st.caption(tr("cohorts.curves_note"))

# -- two scopes compared ----------------------------------------------------------------------
st.subheader(tr("cohorts.compare_header"))
options = compute(filter_options, ds)
fields = [f for f in COMPARE_FIELDS if options.get(f)]
if fields:
    cols = st.columns(3)
    field = kept(cols[0].selectbox, tr("cohorts.compare_field"), fields, "coh_cmp_field", fields[0], format_func=say,
                 help=tr("cohorts.compare_help"))
    values = options[field]
    if len(values) < 2:
        st.info(tr("cohorts.compare_one_value"))
    else:
        wanted = [v for v in DEFAULT_SCOPES if v in values]
        a_default, b_default = (wanted if len(wanted) == 2 else values[:2])
        a = kept(cols[1].selectbox, tr("cohorts.scope_a"), values, "coh_cmp_a", a_default,
                 format_func=value_label(field))
        b = kept(cols[2].selectbox, tr("cohorts.scope_b"), values, "coh_cmp_b", b_default,
                 format_func=value_label(field))
        if a == b:
            st.info(tr("cohorts.compare_same"))
        else:
            compared = compute(cohorts.compare, ds, spec, field, (a, b))
            first_drawn = 1 if charts.period0_is_whole(basis, mode) else 0
            if compared.is_empty() or compared["period"].max() < first_drawn:
                st.info(tr("cohorts.compare_empty"))
            else:
                labelled = compared.with_columns(pl.col("scope").replace_strict(
                    {a: value_label(field)(a), b: value_label(field)(b)}))
                show_chart(charts.compare(labelled, L, period=period, basis=basis, mode=mode,
                                          rolling=rolling), key="coh_compare")
                reading(readings.compare(labelled))

# -- the members behind a cell ----------------------------------------------------------------
st.subheader(tr("members_behind"))
st.caption(tr("cohorts.drill_hint"))
points = ((event or {}).get("selection") or {}).get("points") or []
clicked = next((tuple(p["customdata"][:2]) for p in points if p.get("customdata")), None)  # ISO date, period
if clicked is None:  # nothing selected (or deselected): the next click on any cell counts again
    st.session_state.pop("coh_last_click", None)
elif clicked != st.session_state.get("coh_last_click"):
    st.session_state["coh_last_click"] = clicked
    st.session_state["coh_pick_cohort"], st.session_state["coh_pick_period"] = clicked[0], int(clicked[1])
cohort_options = [c.isoformat() for c in frame["cohort"].unique().sort().to_list()]
if st.session_state.get("coh_pick_cohort") not in cohort_options:  # open on a settled first return
    first_cohort, st.session_state["coh_pick_period"] = charts.first_cell(frame)
    st.session_state["coh_pick_cohort"] = first_cohort.isoformat()
cols = st.columns(2)
picked = cols[0].selectbox(tr("cohorts.pick_cohort"), cohort_options, key="coh_pick_cohort",
                           format_func=lambda c: period_label(date.fromisoformat(c), period))
cells = {r["period"]: r for r in frame.filter(pl.col("cohort") == date.fromisoformat(picked)).iter_rows(named=True)}
period_options = [*cells, None]
if st.session_state.get("coh_pick_period", -1) not in period_options:  # default: period 1 when there is one
    st.session_state["coh_pick_period"] = 1 if 1 in cells else 0
k = cols[1].selectbox(tr("cohorts.pick_period"), period_options, key="coh_pick_period",
                      format_func=lambda k: say("cohorts.whole_cohort") if k is None else say("cohorts.period_k", k=k))
cohort_date, label = date.fromisoformat(picked), period_label(date.fromisoformat(picked), period)
if k is None:
    st.markdown(tr("cohorts.cohort_members", cohort=label, size=f"{cells[0]['cohort_size']:,}"))
else:
    cell = cells[k]
    rate = percent(cell["rate"])
    if mode == "revenue":
        line = tr("cohorts.cell_revenue", cohort=label, k=k, amount=money_full(cell["retained"]), rate=rate)
    else:
        key = "cohorts.cell_members_unbounded" if mode == "unbounded" else "cohorts.cell_members"
        line = tr(key, cohort=label, k=k, retained=f"{cell['retained']:,}", size=f"{cell['cohort_size']:,}", rate=rate)
    st.markdown(sentences((line, None if cell["complete"] else tr("cohorts.cell_incomplete")), L))
cohort_cell = cohorts.CohortCell(cohort_date, k)
people = compute(cohorts.members, ds, spec, cohort_cell)
anchor = cohorts.ANCHOR_COLUMN[basis]
member_table(people.rename({"member_id": tr("member_id"), anchor: tr(f"cohorts.col_{anchor}"),
                            "purchases": tr("cohorts.col_purchases"), "revenue": tr("cohorts.col_revenue")}),
             key="coh_members", file_stem=f"cohort_{label}_{'all' if k is None else k}",
             column_config=number_formats({"revenue": tr("cohorts.col_revenue")}),
             segment=Definition.of(cohorts.members, spec, cohort_cell))
st.caption(tr("cohorts.cols_note"))
