"""Overview 经营概览: KPI cards with deltas and sparklines, where revenue comes from, active
members and CRR, period-1 retention, lifecycle mix; each chart with a one-line reading."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from lib import activity, cohorts, kpis, lifecycle, pack, readings
from lib.charts import overview as charts
from lib.filters import Filters
from lib.i18n import sentences
from lib.ui import analysis_page, cached_runner, compute, derived, kept, no_data, shared_store, show_chart, tr

WINDOWS = ("30", "90", "365", "range")  # KPI window: last N days, or the sidebar's whole range
DEFAULT_WINDOW = "30"
TREND_PERIODS = ("week", "month", "quarter")
DEFAULT_TREND_PERIOD = "month"
# (metric, how its value is written): the cards as the client report writes them too (lib/pack.py)
CARDS = pack.CARDS
# Cards whose definition a reader can mistake (the repurchase rates count history before the window)
EXPLAINED = ("repurchase_rate", "order_repurchase_rate")


def prospects_note() -> str:
    """Why the lifecycle chart has no prospect bar (registered, never bought), or "" when it counts
    them: they need a members file, and no order or line filter (lib.lifecycle.has_prospects)."""
    if compute(lifecycle.prospects_known, ds, filters):
        return ""
    if compute(lifecycle.prospects_known, ds, Filters()):  # a members file: the filter hides them
        return tr("overview.prospects_filtered")
    return tr("overview.prospects_no_file")


def reading(line: readings.Reading | None) -> None:
    st.markdown(f":material/lightbulb: {readings.text(line, L) or tr('overview.no_periods')}")


page = analysis_page("page_overview", "overview.caption")
ds, filters, L, first, last, say = page.ds, page.filters, page.lang, page.first, page.last, page.say

left, right = st.columns([3, 2])
window = kept(left.segmented_control, tr("overview.window"), WINDOWS, "ov_window", DEFAULT_WINDOW, required=True,
              format_func=lambda w: say(f"overview.window_{w}"), help=tr("overview.window_help"))
period = kept(right.segmented_control, tr("overview.trend_period"), TREND_PERIODS, "ov_period", DEFAULT_TREND_PERIOD,
              required=True, format_func=lambda p: say(f"period_{p}"))

trend = compute(kpis.trend, ds, kpis.KpiSpec(filters), period)
if trend.is_empty() or not trend["orders"].sum():
    no_data()
    st.stop()

# -- the client report: this page's dataset, filters, window, period and language in one HTML file,
# built only when clicked (lib/pack.py; a download does not rerun the page) -------------------------
report = pack.PackSpec(filters, L, None if window == "range" else int(window), period)
st.download_button(tr("pack.button"),
                   lambda store=shared_store(), ds=ds, spec=report, runner=cached_runner(ds):
                   pack.html_bytes(store, ds, spec, runner),
                   file_name=pack.file_name(ds, L), mime="text/html", key="ov_pack", on_click="ignore",
                   icon=":material/description:", help=tr("pack.button_help"))

# -- KPI cards -------------------------------------------------------------------------------
scope = kpis.window(filters, first, last, None if window == "range" else int(window))
days = (scope.end - scope.start).days + 1
table = compute(kpis.run, ds, kpis.KpiSpec(scope))
rows = {r["metric"]: r for r in table.iter_rows(named=True)}
st.caption(tr("overview.window_caption", start=scope.start, end=scope.end, days=days,
              prev_start=scope.start - timedelta(days=days), prev_end=scope.start - timedelta(days=1),
              unit=tr(f"period_{period}") if L == "zh" else tr(f"period_{period}").lower()))
if scope.start - timedelta(days=days) < first:  # the window before reaches back past the first order
    st.warning(tr("overview.previous_partial", days=days, first=first), icon=":material/warning:")
for chunk in (CARDS[:4], CARDS[4:]):
    for column, (metric, kind) in zip(st.columns(4), chunk):
        spark = kpis.series(trend, metric)
        column.metric(tr(metric), pack.card_value(rows[metric]["value"], kind, L),
                      delta=pack.card_delta(rows[metric], kind, L),
                      delta_description=tr("overview.delta_vs", days=days), border=True,
                      help=tr(f"overview.help_{metric}") if metric in EXPLAINED else None,
                      chart_data=spark if len(spark) > 1 else None, chart_type="area")
reading(readings.kpis(table, days))

# -- where revenue comes from; who is active -----------------------------------------------
acts = compute(activity.run, ds, activity.ActivitySpec(filters, period))
left, right = st.columns(2)
with left:
    show_chart(charts.revenue_split(acts, period, L), key="ov_revenue")
    reading(readings.revenue_mix(acts, period))
    st.caption(tr("overview.revenue_help"))
with right:
    show_chart(charts.active_crr(acts, period, L), key="ov_active")
    reading(readings.active(acts, period))
    st.caption(tr("overview.active_help"))

# -- do members come back; where they are in their lifecycle ---------------------------------
k1 = compute(cohorts.at_period, ds, cohorts.CohortSpec(filters, period=period), 1)
stages = derived(lifecycle.summary_of, ds, ((lifecycle.run, lifecycle.LifecycleSpec(filters)),))  # run() shared with Lifecycle
left, right = st.columns(2)
with left:
    if k1.is_empty():
        st.info(tr("overview.no_periods"))
    else:
        show_chart(charts.retention_k1(k1, period, L), key="ov_k1")
        reading(readings.retention_k1(k1, period))
    st.caption(tr("overview.k1_help", unit=tr(f"cohorts.unit_{period}")))
with right:
    show_chart(charts.lifecycle_mix(stages, filters.as_of or last, L), key="ov_lifecycle")
    reading(readings.lifecycle(stages))
    st.caption(sentences((tr("overview.lifecycle_help"), prospects_note()), L))
