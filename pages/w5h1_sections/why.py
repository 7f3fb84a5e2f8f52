"""Why: the customer asset — historical CLV against CAC, acquisition against retention,
predicted CLV by value band, the holdout backtest of the purchase model, and the what-if (four
levers -> the next 12 months' revenue and the customer asset)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from lib import backtest, cac, clv, kpis, whatif
from lib.charts import acquisition as charts_acquisition
from lib.charts import clv as charts_clv
from lib.charts import whatif as charts_whatif
from lib.formatting import MISSING, money, money_full, multiple, number, percent
from lib.i18n import sentences
from lib.ui import AnalysisPage, compute, derived, kept, no_data, show_chart, tr
from lib.w5h1 import where as acquisition
from lib.segments import Definition
from lib.w5h1 import why as value
from pages.w5h1_sections.widgets import (CLV_TABS_KEY, COMPARED, MODEL_KEY, cac_reason, cards, chart, comparison_columns,
                                         model_names, names, overridable, pick, say_notes, say_status, show_listed,
                                         show_members,
                                         table_height, x_click)


def show(page: AnalysisPage) -> None:
    st.caption(tr("w5h1.why_intro"))
    with st.columns([1, 2])[0]:
        margin = kept(st.select_slider, tr("w5h1.margin"), list(range(5, 101, 5)), "w5h1_margin", 100,
                      help=tr("w5h1.margin_help"), format_func=lambda m: f"{m}%") / 100
    historical_value(page, margin)
    acquisition_cost(page)
    st.subheader(tr("w5h1.clv_header"))
    with st.columns([1, 2])[0]:
        model = kept(st.segmented_control, tr("clv.model"), clv.MODELS, MODEL_KEY, clv.DEFAULT_MODEL, required=True,
                     format_func=model_names, help=tr("clv.model_help"))
    # Lazy tabs: only the open one runs, so the backtest (its own fits on the data before a cut-off,
    # the slowest part of the section) is computed when asked for, not on every filter change.
    bands_tab, holdout_tab = st.tabs([tr("w5h1.tab_predicted"), tr("w5h1.tab_holdout")], key=CLV_TABS_KEY,
                                     on_change="rerun")
    with bands_tab:
        if bands_tab.open:
            predicted_value(page, margin, model)
    with holdout_tab:
        if holdout_tab.open:
            holdout(page, model)
    what_if(page, model)


def historical_value(page: AnalysisPage, margin: float) -> None:
    """Historical CLV against CAC, every input editable, and the members behind its counts."""
    ds, filters, L = page.ds, page.filters, page.lang
    spec = clv.ClvSpec(filters, margin=margin)  # historical CLV: no purchase model
    st.subheader(tr("w5h1.value_header"))
    computed = compute(value.historical, ds, spec)
    inputs = dict(zip(computed["input"], computed["value"]))
    st.caption(tr("w5h1.inputs_hint"))
    left, middle, right = st.columns(3)
    overrides = {
        "annual_revenue_per_buyer": overridable(left, "w5h1.in_revenue", inputs["annual_revenue_per_buyer"],
                                                "w5h1_rev", step=10.0),
        "annual_churn_rate": overridable(middle, "w5h1.in_churn", inputs["annual_churn_rate"], "w5h1_churn",
                                         scale=100, max_value=100.0),
        "cac": overridable(right, "w5h1.in_cac", inputs["cac"], "w5h1_cac", step=5.0),
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    hist = compute(value.historical, ds, spec, **overrides) if overrides else computed
    values = dict(zip(hist["input"], hist["value"]))
    annual, ratio = value.value_vs_cac(hist)
    cost, clv_value = values["cac"], values["historical_clv"]
    cards(("w5h1.m_hist_clv", money(clv_value, L)), ("w5h1.m_annual_value", money(annual, L)),
          ("w5h1.m_cac", money(cost, L)), ("w5h1.m_ratio", multiple(ratio)))
    if cost is None:  # a filter spend cannot follow, or no new buyers to spread it over
        note = dict(zip(hist["input"], hist["note"]))["cac"]
        st.info(sentences((cac_reason(note), tr("w5h1.cac_type_one")), L))
    if annual is None or values["lifetime_years"] is None:
        st.info(tr("w5h1.value_missing"))
    elif ratio is not None:
        st.markdown(tr("w5h1.value_reading", annual=money(annual, L), cac=money(cost, L), ratio=ratio,
                       churn=values["annual_churn_rate"], years=values["lifetime_years"], clv=money(clv_value, L)))
    elif cost is not None:  # CAC 0: nothing spent, nothing to compare with
        st.markdown(tr("w5h1.value_reading_free", annual=money(annual, L), clv=money(clv_value, L)))
    plot, table = st.columns(2)
    show_chart(charts_clv.value_vs_cac(cost, annual, clv_value, L), where=plot, key="w5h1_value_chart", width="stretch")
    table.dataframe(charts_clv.historical_table(hist, L), hide_index=True, width="stretch",
                    height=table_height(hist.height))
    counts = {c: values[c] for c in ("buyers_last_year", "buyers_prior_year", "churned_buyers")}
    cell = pick(tr("w5h1.hist_members"), list(counts), "w5h1_hist_pick",
                lambda c: f"{tr('w5h1.hist_' + c)}: {number(counts[c])}")
    if cell:
        show_listed("w5h1_hist_members", f"clv_{cell}", value.members, ds, spec, value.HistoricalCell(cell))


def acquisition_cost(page: AnalysisPage) -> None:
    """Revenue of new against returning members beside the spend that bought the new ones."""
    ds, filters, L = page.ds, page.filters, page.lang
    st.subheader(tr("w5h1.cost_header"))
    period = st.segmented_control(tr("granularity"), ("month", "quarter"), default="month", required=True,
                                  key="w5h1_cost_period", format_func=names("period_"))
    costs = compute(acquisition.new_vs_returning, ds, cac.CacSpec(filters, period=period))
    if costs.is_empty():
        no_data()
    else:
        totals = acquisition.new_vs_returning_totals(costs)
        show_chart(charts_acquisition.new_vs_returning(costs, period, L), key="w5h1_cost_chart", width="stretch")
        if totals["spend_per_new_revenue"] is None or totals["cac"] is None:
            why_no_cac = tr("w5h1.no_spend") if totals["spend"] is None else cac_reason(totals["cac_note"])
            st.markdown(tr("w5h1.cost_reading_free", new=money(totals["revenue_new"], L),
                           ret=money(totals["revenue_returning"], L), share=totals["returning_share"] or 0)
                        + " " + why_no_cac)
        else:
            st.markdown(tr("w5h1.cost_reading", new=money(totals["revenue_new"], L), spend=money(totals["spend"], L),
                           per=totals["spend_per_new_revenue"], cac=money(totals["cac"], L),
                           ret=money(totals["revenue_returning"], L), share=totals["returning_share"] or 0))



def predicted_value(page: AnalysisPage, margin: float, model: str) -> None:
    """Predicted CLV by value band from the chosen purchase model."""
    ds, filters, L = page.ds, page.filters, page.lang
    margin_words = tr("w5h1.clv_is_revenue") if margin == 1 else tr("w5h1.clv_is_profit", margin=margin)
    st.caption(sentences((tr(f"clv.why_{model}"), tr("w5h1.clv_caption"), margin_words), L))
    model_spec = clv.ClvSpec(filters, model=model)  # the fit does not depend on the margin: one cache entry
    fitted = compute(clv.fit, ds, model_spec)
    spec = replace(model_spec, margin=margin)
    bands = compute(value.value_bands, ds, spec, model=fitted) if fitted.status == "ok" else pl.DataFrame()
    if fitted.status != "ok":
        say_status(fitted.status, fitted)
    elif bands.is_empty():
        st.info(tr("w5h1.clv_none"))
    else:
        say_notes(fitted)
        event = chart(charts_clv.clv_bands(bands, L), "w5h1_clv_chart")
        top = value.top_bands(bands)
        if top:
            st.markdown(tr("w5h1.clv_reading", top_members=top["member_share"], edge=money_full(top['low'], 0),
                           top_value=top["value_share"], members=int(bands["members"].sum()),
                           total=money(float(bands["predicted_clv"].sum()), L)))
        labels = {charts_clv.band_label(lo, hi): (lo, hi, n)
                  for lo, hi, n in bands.select("low", "high", "members").rows()}
        band = pick(tr("w5h1.band"), list(labels), "w5h1_band_pick",
                    lambda b: tr("w5h1.band_option", band=b, members=labels[b][2]), clicked=x_click(event))
        if band:
            low, high, _ = labels[band]
            # every member scored with the page's fit, once (kept only when a band is opened: the
            # 2M-row frame would cost the page's first draw 1 s and its reopen 1.2 s at 10M lines)
            scored_source = ((clv.run, spec, fitted),)
            frame = derived(value.band_members_of, ds, scored_source, value.BandCell(low, high)).select(
                "member_id", "first_purchase", "last_purchase", "p_alive", "churn_probability", "expected_purchases",
                "expected_spend", "predicted_clv")
            show_members(frame, "w5h1_band_members", "predicted_clv_band",
                         Definition.of(value.members, spec, value.BandCell(low, high)))


def holdout(page: AnalysisPage, model: str) -> None:
    """The holdout backtest of `model`: cards, the cumulative and the calibration plots, and the
    models compared on the same cut-off."""
    ds, filters, L = page.ds, page.filters, page.lang
    st.caption(tr("w5h1.backtest_intro"))
    cutoffs = backtest.backtest_cutoffs(*compute(kpis.order_span, ds))
    if cutoffs is None:
        st.info(tr("w5h1.backtest_none"))
        return
    earliest, latest, default = cutoffs
    left, right = st.columns([2, 3])
    cutoff = left.date_input(tr("w5h1.cutoff"), value=default, min_value=earliest, max_value=latest,
                             key="w5h1_cutoff", help=tr("w5h1.cutoff_help"))
    unit = right.segmented_control(tr("w5h1.backtest_period"), ("week", "month"), default="week", required=True,
                                   key="w5h1_bt_period", format_func=names("period_"))
    # The comparison's checkbox, drawn below the plots, decides what is computed: a slot for the plots first.
    shown, slot = st.container(), st.empty()
    compared = slot.container()
    with compared:
        st.markdown(f"**{tr('w5h1.cmp_header')}**")
        pareto = st.checkbox(tr("w5h1.cmp_pareto"), key="w5h1_bt_pareto", help=tr("w5h1.cmp_pareto_help"))
    models = tuple(m for m in clv.MODELS if m in COMPARED or m == model or (pareto and m == "pareto_nbd"))
    results = compute(backtest.backtest_models, ds, clv.ClvSpec(filters), cutoff, models, unit)
    result = results[model]
    if result.status in backtest.BACKTEST_DATA_PROBLEMS:  # the same for every model: nothing to compare
        slot.empty()
        with shown:
            say_status(result.status, result.model, cutoff)
        return
    with shown:
        if result.status != "ok":
            say_status(result.status, result.model, cutoff)
        else:
            summary = dict(result.summary.rows())
            error = summary.get("relative_error_total")
            cards(("w5h1.m_members", number(summary["members"])),
                  ("w5h1.m_predicted", number(summary["predicted_total"])),
                  ("w5h1.m_actual", number(summary["actual_total"])),
                  ("w5h1.m_error", percent(error, signed=True)))
            say_notes(result.model)
            cumulative, calibration = st.columns(2)
            show_chart(charts_clv.backtest(result.periods, cutoff, model, L), where=cumulative, key="w5h1_backtest_chart",
                       width="stretch")
            show_chart(charts_clv.calibration(backtest.by_frequency(result), model, L), where=calibration,
                       key="w5h1_calibration_chart", width="stretch")
    with compared:
        table = backtest.comparison(results)
        st.dataframe(charts_clv.comparison_table(table, model, L), hide_index=True, width="stretch",
                     height=table_height(table.height), placeholder=MISSING, column_config=comparison_columns())
        reading = charts_clv.closest_reading(table, L)
        if reading:
            st.markdown(reading)


# The what-if's levers: (Levers field, label key, URL key).
LEVERS = (("retention_points", "w5h1.whatif_lever_retention", "w5h1_wi_retention"),
          ("churn_cut", "w5h1.whatif_lever_churn", "w5h1_wi_churn"),
          ("frequency_up", "w5h1.whatif_lever_frequency", "w5h1_wi_frequency"),
          ("aov_up", "w5h1.whatif_lever_aov", "w5h1_wi_aov"))


def what_if(page: AnalysisPage, model: str) -> None:
    """Four levers -> the next 12 months' revenue and the customer asset, today and with them
    (lib.whatif: the chosen model's fit, the page's, and the recent monthly cohorts)."""
    ds, filters, L = page.ds, page.filters, page.lang
    st.subheader(tr("w5h1.whatif_header"))
    st.caption(tr("w5h1.whatif_intro", model=clv.MODEL_LABELS[model]))
    spec = whatif.WhatIfSpec(filters, model)  # no levers: moving one reuses the baseline
    fitted = compute(clv.fit, ds, spec.clv_spec())
    if fitted.status != "ok":
        say_status(fitted.status, fitted)
        return
    base = compute(whatif.inputs, ds, spec, model=fitted)
    if not base.ok:
        st.info(tr(f"w5h1.whatif_status_{base.status}"), icon=":material/query_stats:")
        return
    options = whatif.lever_options(base)
    chosen = {}
    for column, (name, label, key) in zip(st.columns(len(LEVERS)), LEVERS):
        with column:
            if len(options[name]) > 1:
                chosen[name] = kept(st.select_slider, tr(label), options[name], key, 0, help=tr(label + "_help"),
                                    format_func=lambda v, name=name: charts_whatif.lever_text(name, v, L))
            else:  # month-1 retention without a return to scale
                st.caption(f"**{tr(label)}** · {tr('w5h1.whatif_retention_none')}")
    levers = whatif.Levers(**chosen)
    frame = whatif.project(base, levers)
    for column, (label, amount, change) in zip(st.columns(2), charts_whatif.cards(frame, L)):
        column.metric(label, amount, change, border=True)
    st.markdown(charts_whatif.reading(frame, L))
    show_chart(charts_whatif.chart(frame, L), key="w5h1_whatif_chart", width="stretch")
    st.dataframe(charts_whatif.table(frame, L), hide_index=True, width="stretch", height=table_height(frame.height))
    with st.expander(tr("w5h1.whatif_formula"), expanded=True):
        for line in charts_whatif.formula(frame, levers, L):
            st.markdown(line)
        st.caption(tr("w5h1.whatif_f_note"))
