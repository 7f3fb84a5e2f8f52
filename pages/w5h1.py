"""5W1H 分析: why keep members, what retention and repurchase look like, who is worth most or about
to leave, when they buy again, which products bring them back, where to act and how.

One section at a time (a segmented control bound to the URL as `w5h1`), not st.tabs: tabs would
render every section on each rerun, and member lists build their Excel download eagerly, so a
filter change would redo all six sections' work. Thin page: widgets -> spec -> lib (cached) ->
chart; every member list goes through member_table.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from lib import cac, clv, kpis, products, repurchase, rfm
from lib.charts import w5h1 as charts
from lib.i18n import money, sentences, t
from lib.ui import (analysis_page, compute, counted_selectbox, kept, member_table, no_data, number_formats, tr,
                    url_option)

SECTIONS = ("why", "what", "who", "when", "products", "where")
BY_OPTIONS = ("category", "product_name", "sku")
ATTRIBUTES = ("member_tier", "gender", "age_band", "first_channel", "region", "top_category")
TOP_SHARES = (0.05, 0.1, 0.2)
DUE_CHOICES = ("overdue", "lapsed", "any", "not_due")  # "any" = overdue or lapsed: every late member
MAX_CHART_ITEMS = 30       # items on one bar chart (the biggest by buyers)
LIST_LIMIT = 5000          # rows of the overdue list shipped to the browser and the downloads
NOTABLE_LIFT = 1.2         # a pair's lift above this is worth a word; near 1 is what chance gives
NULL = "\x00null"          # a picker's stand-in for a missing value (None is "nothing chosen")
MODEL_KEY = "w5h1_model"   # the purchase model (URL and session), chosen in Why, used in Who's pre-churn list too
COMPARED = ("bgnbd", "mbgnbd")  # the backtest compares these by default; Pareto/NBD (slow) only when ticked

# -- small helpers (widgets only) -----------------------------------------------------------


def names(prefix: str) -> callable:
    """A format_func naming each option by the label key prefix + option."""
    return lambda option: say(f"{prefix}{option}")


def pick(label: str, options: list[str], key: str, format_func=str, clicked: str | None = None) -> str | None:
    """A drill-down picker: "— choose —" first; a clicked chart element preselects its item. Returns
    the chosen option or None."""
    if clicked is not None and clicked in options and clicked != st.session_state.get(key + "_click"):
        st.session_state[key] = clicked
        st.session_state[key + "_click"] = clicked
    shown = {"": tr("w5h1.pick_none"), **{o: format_func(o) for o in options}}
    # counted_selectbox: back to "— choose —" when the filters take the choice away, and the shown
    # label follows when only the counts in it change.
    return counted_selectbox(label, ["", *options], key, lambda v: shown.get(v, str(v)), default="") or None


def clicked(event) -> str | None:
    """customdata[0] of the first clicked point of a chart drawn with on_select="rerun"."""
    try:
        points = event["selection"]["points"]
        return str(points[0]["customdata"][0]) if points else None
    except (KeyError, IndexError, TypeError):
        return None


def _x_click(event) -> str | None:
    """The x value of the first clicked point (bars whose x is the item)."""
    try:
        points = event["selection"]["points"]
        return str(points[0]["x"]) if points else None
    except (KeyError, IndexError, TypeError):
        return None


def cards(*shown: tuple[str, str]) -> None:
    """A row of bordered metric cards, each (label key, value as written)."""
    for column, (label_key, value) in zip(st.columns(len(shown)), shown):
        column.metric(tr(label_key), value, border=True)


def chart(fig, key: str):
    return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch")


def show_members(frame: pl.DataFrame, key: str, stem: str) -> None:
    headers = {c: t(charts.COLUMN_LABELS[c], L) if c in charts.COLUMN_LABELS else c for c in frame.columns}
    # probabilities to one decimal everywhere (93.4 %): "percent" alone shows 0 to 2 decimals
    probabilities = {headers[c]: one_decimal_percent(headers[c]) for c in charts.PROBABILITIES if c in headers}
    member_table(charts.member_list(frame, L), key, stem,
                 column_config={**number_formats(headers), **probabilities})


def one_decimal_percent(label: str | None = None, **kwargs) -> st.column_config.NumberColumn:
    """0.934 as 93.4 %: Streamlit's percent format shows as many decimals as `step` has, less two."""
    return st.column_config.NumberColumn(label, format="percent", step=0.001, **kwargs)


def chosen_model() -> str:
    """The purchase model picked in the Why section (kept in the URL as w5h1_model), for the
    sections that do not draw the control."""
    model = st.session_state.get(MODEL_KEY)
    return model if model in clv.MODELS else url_option(MODEL_KEY, clv.MODELS, clv.DEFAULT_MODEL)


def model_names(model: str) -> str:
    return clv.MODEL_LABELS[model]


def say_status(status: str, model: clv.Model, cutoff: date | None = None) -> None:
    """Why there is no prediction, as an info line; a failed fit (not the data) suggests another model."""
    words = charts.status_sentence(status, model, L, cutoff)
    st.info(sentences((words, tr("clv.try_other_model") if status == "not_converged" else None), L),
            icon=":material/query_stats:")


def say_notes(model: clv.Model) -> None:
    """What a boundary solution of the fit means, as an info line."""
    for note in charts.boundary_notes(model.notes, L):
        st.info(note, icon=":material/info:")


def overridable(column, label_key: str, computed: float | None, key: str, scale: float = 1.0,
                max_value: float | None = None, step: float = 1.0) -> float | None:
    """A number input pre-filled with a computed input (× scale); the key carries the computed
    value, so new data or filters reset it. Returns the user's value / scale when it differs."""
    shown = None if computed is None else round(computed * scale, 4)
    value = column.number_input(tr(label_key), min_value=0.0, max_value=max_value, value=shown, step=step,
                                key=f"{key}_{shown}", format="%.2f")
    if value is None or (shown is not None and abs(value - shown) < 1e-9):
        return None
    return value / scale


def cac_reason(note: str | None) -> str:
    """Why a CAC is blank (lib.cac's cac_note), in words; "" when it is not."""
    return tr(f"w5h1.cac_{note}") if note else ""


def percent(label_key: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(tr(label_key), format="percent")


def pair_columns() -> dict:
    return {"antecedent": tr("w5h1.antecedent"), "consequent": tr("w5h1.consequent"),
            "together": st.column_config.NumberColumn(tr("w5h1.together"), format="localized"),
            "support": percent("w5h1.support"),
            "confidence": percent("w5h1.confidence"),
            "lift": st.column_config.NumberColumn(tr("w5h1.lift"), format="%.2f")}


def table_height(rows: int) -> int:
    """Pixels that show every row of a short table (no inner scrolling)."""
    return 38 + 35 * rows + 2


def count_column(label: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="localized")


def comparison_columns() -> dict:
    """The backtest's table of models (charts.comparison_table), each number with what it means."""
    def number(column: str, name: str, fmt: str) -> tuple[str, st.column_config.NumberColumn]:
        return column, st.column_config.NumberColumn(tr(f"w5h1.cmp_{name}"), format=fmt,
                                                     help=tr(f"w5h1.cmp_{name}_help"))
    return {"model": st.column_config.TextColumn(tr("w5h1.cmp_model")),
            **dict((number("members", "members", "localized"), number("predicted", "predicted", "%,.1f"),
                    number("actual", "actual", "localized"), number("error_pct", "error", "%+.1f%%"),
                    number("mae", "mae", "%.2f"), number("rmse", "rmse", "%.2f"))),
            "status": st.column_config.TextColumn(tr("w5h1.cmp_status"))}


def action_columns() -> dict:
    return {tr("w5h1.revenue_col"): money_column(tr("w5h1.revenue_col")),
            tr("w5h1.members_col"): count_column(tr("w5h1.members_col")),
            tr("w5h1.revenue_share"): percent("w5h1.revenue_share")}


def money_column(label: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="¥%,.2f")


# -- Why: customer asset ----------------------------------------------------------------------


def why() -> None:
    st.caption(tr("w5h1.why_intro"))
    with st.columns([1, 2])[0]:
        margin = kept(st.select_slider, tr("w5h1.margin"), list(range(5, 101, 5)), "w5h1_margin", 100,
                      help=tr("w5h1.margin_help"), format_func=lambda m: f"{m}%") / 100
    spec = clv.ClvSpec(filters, margin=margin)  # historical CLV: no purchase model

    st.subheader(tr("w5h1.value_header"))
    computed = compute(clv.historical, ds, spec)
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
    hist = compute(clv.historical, ds, spec, **overrides) if overrides else computed
    values = dict(zip(hist["input"], hist["value"]))
    annual, ratio = clv.value_vs_cac(hist)
    cost, clv_value = values["cac"], values["historical_clv"]
    cards(("w5h1.m_hist_clv", money(clv_value, L)), ("w5h1.m_annual_value", money(annual, L)),
          ("w5h1.m_cac", money(cost, L)), ("w5h1.m_ratio", "–" if ratio is None else f"{ratio:.1f}×"))
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
    plot.plotly_chart(charts.value_vs_cac(cost, annual, clv_value, L), key="w5h1_value_chart", width="stretch")
    table.dataframe(charts.historical_table(hist, L), hide_index=True, width="stretch",
                    height=table_height(hist.height))
    counts = {c: values[c] for c in ("buyers_last_year", "buyers_prior_year", "churned_buyers")}
    cell = pick(tr("w5h1.hist_members"), list(counts), "w5h1_hist_pick",
                lambda c: f"{tr('w5h1.hist_' + c)}: {counts[c]:,.0f}")
    if cell:
        show_members(compute(clv.historical_members, ds, spec, cell), "w5h1_hist_members", f"clv_{cell}")

    st.subheader(tr("w5h1.cost_header"))
    period = st.segmented_control(tr("granularity"), ("month", "quarter"), default="month", required=True,
                                  key="w5h1_cost_period", format_func=names("period_"))
    costs = compute(cac.new_vs_returning, ds, cac.CacSpec(filters, period=period))
    if costs.is_empty():
        no_data()
    else:
        totals = cac.new_vs_returning_totals(costs)
        st.plotly_chart(charts.new_vs_returning(costs, period, L), key="w5h1_cost_chart", width="stretch")
        if totals["spend_per_new_revenue"] is None or totals["cac"] is None:
            why_no_cac = tr("w5h1.no_spend") if totals["spend"] is None else cac_reason(totals["cac_note"])
            st.markdown(tr("w5h1.cost_reading_free", new=money(totals["revenue_new"], L),
                           ret=money(totals["revenue_returning"], L), share=totals["returning_share"] or 0)
                        + " " + why_no_cac)
        else:
            st.markdown(tr("w5h1.cost_reading", new=money(totals["revenue_new"], L), spend=money(totals["spend"], L),
                           per=totals["spend_per_new_revenue"], cac=money(totals["cac"], L),
                           ret=money(totals["revenue_returning"], L), share=totals["returning_share"] or 0))

    st.subheader(tr("w5h1.clv_header"))
    with st.columns([1, 2])[0]:
        model = kept(st.segmented_control, tr("clv.model"), clv.MODELS, MODEL_KEY, clv.DEFAULT_MODEL, required=True,
                     format_func=model_names, help=tr("clv.model_help"))
    margin_words = tr("w5h1.clv_is_revenue") if margin == 1 else tr("w5h1.clv_is_profit", margin=margin)
    st.caption(sentences((tr(f"clv.why_{model}"), tr("w5h1.clv_caption"), margin_words), L))
    model_spec = clv.ClvSpec(filters, model=model)  # the fit does not depend on the margin: one cache entry
    fitted = compute(clv.fit, ds, model_spec)
    spec = replace(model_spec, margin=margin)
    bands = compute(clv.value_bands, ds, spec) if fitted.status == "ok" else pl.DataFrame()
    if fitted.status != "ok":
        say_status(fitted.status, fitted)
    elif bands.is_empty():
        st.info(tr("w5h1.clv_none"))
    else:
        say_notes(fitted)
        event = chart(charts.clv_bands(bands, L), "w5h1_clv_chart")
        top = clv.top_bands(bands)
        if top:
            st.markdown(tr("w5h1.clv_reading", top_members=top["member_share"], edge=f"¥{top['low']:,.0f}",
                           top_value=top["value_share"], members=int(bands["members"].sum()),
                           total=money(float(bands["predicted_clv"].sum()), L)))
        labels = {charts.band_label(lo, hi): (lo, hi, n) for lo, hi, n in bands.select("low", "high", "members").rows()}
        band = pick(tr("w5h1.band"), list(labels), "w5h1_band_pick",
                    lambda b: tr("w5h1.band_option", band=b, members=labels[b][2]), clicked=_x_click(event))
        if band:
            low, high, _ = labels[band]
            frame = compute(clv.band_members, ds, spec, low, high).select(
                "member_id", "first_purchase", "last_purchase", "p_alive", "churn_probability", "expected_purchases",
                "expected_spend", "predicted_clv")
            show_members(frame, "w5h1_band_members", "predicted_clv_band")
    backtest(model)


def backtest(model: str) -> None:
    """The holdout backtest of `model`: cards, the cumulative and the calibration plots, and the
    models compared on the same cut-off."""
    st.subheader(tr("w5h1.backtest_header"))
    st.caption(tr("w5h1.backtest_intro"))
    cutoffs = clv.backtest_cutoffs(*compute(kpis.order_span, ds))
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
    results = compute(clv.backtest_models, ds, clv.ClvSpec(filters), cutoff, models, unit)
    result = results[model]
    if result.status in clv.BACKTEST_DATA_PROBLEMS:  # the same for every model: nothing to compare
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
            cards(("w5h1.m_members", f"{summary['members']:,.0f}"),
                  ("w5h1.m_predicted", f"{summary['predicted_total']:,.0f}"),
                  ("w5h1.m_actual", f"{summary['actual_total']:,.0f}"),
                  ("w5h1.m_error", "–" if error is None else f"{error:+.1%}"))
            say_notes(result.model)
            cumulative, calibration = st.columns(2)
            cumulative.plotly_chart(charts.backtest(result.periods, cutoff, model, L), key="w5h1_backtest_chart",
                                    width="stretch")
            calibration.plotly_chart(charts.calibration(clv.by_frequency(result), model, L),
                                     key="w5h1_calibration_chart", width="stretch")
    with compared:
        table = clv.comparison(results)
        st.dataframe(charts.comparison_table(table, model, L), hide_index=True, width="stretch",
                     height=table_height(table.height), placeholder="–", column_config=comparison_columns())
        reading = charts.closest_reading(table, L)
        if reading:
            st.markdown(reading)


# -- What: retention and repurchase -------------------------------------------------------------


def what() -> None:
    st.caption(tr("w5h1.what_intro"))
    shown = (("repurchase_rate", "{:.1%}"), ("order_repurchase_rate", "{:.1%}"), ("purchase_frequency", "{:.2f}"),
             ("crr", "{:.1%}"))
    for column, (metric, fmt) in zip(st.columns(4), shown):
        value, change = KPI.get(metric), CHANGE.get(metric)
        column.metric(tr(metric), "–" if value is None else fmt.format(value), border=True,
                      delta=None if change is None else f"{change:+.1%}",
                      help=tr(f"w5h1.{metric}_help") if metric in ("repurchase_rate", "crr") else None)
    st.page_link("pages/cohorts.py", label=tr("w5h1.cohorts_link"), icon=":material/grid_on:")

    st.subheader(tr("w5h1.cat_header"))
    by = kept(st.segmented_control, tr("w5h1.by"), BY_OPTIONS, "w5h1_what_by", "category", required=True,
              format_func=say)
    spec = repurchase.RepurchaseSpec(filters, by=by)
    table = compute(repurchase.run, ds, spec)
    if table.is_empty():
        no_data()
        return
    shown_items = table.head(MAX_CHART_ITEMS)
    event = chart(charts.item_repurchase(shown_items, by, L), "w5h1_rate_chart")
    best, worst = charts.extremes(shown_items, "repurchase_rate", by)
    if best and worst and best[0] != worst[0]:
        st.markdown(tr("w5h1.cat_reading", best=best[0], best_rate=best[1], worst=worst[0], worst_rate=worst[1]))
    st.caption(tr("w5h1.click_hint"))
    counts = {str(r[by]): r for r in table.iter_rows(named=True)}
    left, right = st.columns([3, 2])
    with left:
        item = pick(tr(by), list(counts), f"w5h1_what_item_{by}",
                    lambda v: f"{v} · {counts[v]['repeat_buyers']:,} / {counts[v]['buyers']:,}", clicked=clicked(event))
    who = right.segmented_control(tr("w5h1.status"), ("repeat_buyers", "buyers"), default="repeat_buyers",
                                  required=True, key="w5h1_what_who",
                                  format_func=lambda w: say("w5h1.who_repeat" if w == "repeat_buyers"
                                                            else "w5h1.who_buyers"))
    if item:
        show_members(compute(repurchase.members, ds, spec, who, item), "w5h1_what_members", f"repurchase_{who}")


# -- Who: high value and pre-churn ---------------------------------------------------------------


def value_name(attribute: str):
    def name(value: object) -> str:
        if value is None or value == NULL:
            return tr("w5h1.unknown")
        if attribute == "gender" and value in ("M", "F"):
            return tr(f"gender_{value}")
        return str(value)
    return name


def who() -> None:
    st.subheader(tr("w5h1.profile_header"))
    left, middle, right = st.columns([2, 1, 2])
    with left:
        source = kept(st.segmented_control, tr("w5h1.hv_source"), products.HIGH_VALUE_SOURCES, "w5h1_hv", "clv",
                      required=True,
                      format_func=names("w5h1.hv_"))
    with middle:
        share = kept(st.selectbox, tr("w5h1.top_share"), TOP_SHARES, "w5h1_top", 0.1,
                     format_func=lambda s: f"{s:.0%}", disabled=source != "clv")
    with right:
        attribute = kept(st.selectbox, tr("w5h1.attribute"), ATTRIBUTES, "w5h1_attr", "member_tier",
                         format_func=names("w5h1.attr_"))
    ids = compute(products.high_value_ids, ds, filters, source, share, chosen_model())
    spec = products.ProductSpec(filters)
    profile = compute(products.profile, ds, spec, ids, attribute) if ids else pl.DataFrame()
    if not ids or profile.is_empty():
        st.info(tr("w5h1.profile_empty"))
    else:
        name = value_name(attribute)
        event = chart(charts.profile_lift(profile, attribute, name, L), "w5h1_profile_chart")
        top = charts.top_lift(profile)
        if top:
            st.markdown(tr("w5h1.profile_reading", n=len(ids), value=name(top["value"]), sub=top["subset_share"],
                           all=top["all_share"], lift=top["lift"]))
        rows = {NULL if r["value"] is None else str(r["value"]): r for r in profile.iter_rows(named=True)}
        left, right = st.columns([3, 2])
        with left:
            value = pick(tr("w5h1.profile_value"), list(rows), f"w5h1_profile_pick_{attribute}",
                         lambda v: f"{name(v)} · {rows[v]['subset_members']:,} / {rows[v]['all_members']:,}",
                         clicked=clicked(event))
        subset_only = right.toggle(tr("w5h1.in_subset"), value=True, key="w5h1_profile_subset")
        if value:
            cell = products.ProfileCell(attribute, None if value == NULL else value, ids if subset_only else None)
            show_members(compute(products.members, ds, spec, cell), "w5h1_profile_members", f"profile_{attribute}")

    st.subheader(tr("w5h1.churn_header"))
    model = chosen_model()
    st.caption(sentences((tr("w5h1.churn_intro", model=clv.MODEL_LABELS[model]),
                          tr("w5h1.churn_intro_bgnbd") if model == "bgnbd" else None), L))
    left, right = st.columns([1, 2])
    threshold = left.slider(tr("w5h1.p_alive_below"), 0.05, 0.95, clv.DEFAULT_PRE_CHURN_P_ALIVE, 0.05,
                            key="w5h1_palive", format="%.2f")
    segments = right.multiselect(tr("w5h1.risk_segments"), rfm.SEGMENTS, default=list(clv.PRE_CHURN_SEGMENTS),
                                 key="w5h1_risk_segments", format_func=names("seg_"))
    model_spec = clv.ClvSpec(filters, model=model)
    fitted = compute(clv.fit, ds, model_spec)
    if not fitted.usable:  # only the RFM segments can list anyone
        say_status(fitted.status, fitted)
    frame = compute(clv.pre_churn, ds, model_spec, threshold, tuple(segments))
    if frame.is_empty():
        st.info(tr("w5h1.churn_none"))
        return
    cards(("w5h1.m_pre_churn", f"{frame.height:,}"), ("w5h1.m_by_p_alive", f"{frame['low_p_alive'].sum():,}"),
          ("w5h1.m_by_segment", f"{frame['risk_segment'].sum():,}"),
          ("w5h1.m_at_stake", money(float(frame["monetary"].sum()), L)))
    show_members(frame, "w5h1_churn_members", "pre_churn")


# -- When: repurchase cycles and the next purchase ----------------------------------------------


def when() -> None:
    st.subheader(tr("w5h1.cycle_header"))
    base_spec = repurchase.RepurchaseSpec(filters)
    summary = compute(repurchase.cycle_summary, ds, base_spec).row(0, named=True)
    if not summary["gaps"]:
        st.info(tr("w5h1.cycle_none"))
    else:
        cycles = compute(repurchase.cycles, ds, base_spec)
        st.plotly_chart(charts.cycle_histogram(cycles, summary, L), key="w5h1_cycle_chart", width="stretch")
        st.markdown(tr("w5h1.cycle_reading", gaps=summary["gaps"], median=summary["median_gap_days"],
                       mean=summary["mean_gap_days"], p25=summary["p25"], p75=summary["p75"]))
        buckets = compute(repurchase.cycle_buckets, ds, base_spec)
        rows = {r["bucket"]: r for r in buckets.iter_rows(named=True) if r["members"]}
        bucket = pick(tr("w5h1.gap_bucket"), list(rows), "w5h1_bucket_pick",
                      lambda b: tr("w5h1.bucket_option", bucket=b, members=rows[b]["members"]))
        if bucket:
            row = rows[bucket]
            show_members(compute(repurchase.members, ds, base_spec, "gap", None, (row["min_days"], row["max_days"])),
                         "w5h1_bucket_members", f"gap_{bucket}")

    by = kept(st.segmented_control, tr("w5h1.by"), BY_OPTIONS, "w5h1_when_by", "category", required=True,
              format_func=say)
    spec = repurchase.RepurchaseSpec(filters, by=by)
    table = compute(repurchase.run, ds, spec)
    if not table.filter(pl.col("median_gap_days").is_not_null()).is_empty():
        st.plotly_chart(charts.item_gaps(table.head(MAX_CHART_ITEMS), by, L), key="w5h1_item_gaps", width="stretch")

    st.subheader(tr("w5h1.due_header"))
    cycles_late = st.columns(3)[0].select_slider(tr("w5h1.lapsed_cycles"), (0.5, 1.0, 1.5, 2.0, 3.0), value=1.0,
                                                 key="w5h1_lapsed", format_func=lambda c: f"{c:g}")
    st.caption(tr("w5h1.due_intro", cycles=cycles_late))
    summary_frame = compute(repurchase.due_summary, ds, spec, cycles_late)
    if summary_frame.is_empty():
        st.info(tr("w5h1.due_none"))
        return
    event = chart(charts.due_status(summary_frame.head(MAX_CHART_ITEMS), by, L), "w5h1_due_chart")
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
    frame = compute(repurchase.due, ds, spec, statuses, item, cycles_late, LIST_LIMIT)
    if frame.height < total:
        st.caption(tr("w5h1.showing", shown=frame.height, total=total))
    show_members(frame, "w5h1_due_members", f"next_purchase_{status}")


# -- What products ---------------------------------------------------------------------------------


def what_products() -> None:
    level = kept(st.segmented_control, tr("w5h1.level"), BY_OPTIONS, "w5h1_level", "category", required=True,
                 format_func=say)

    st.subheader(tr("w5h1.top_header"))
    top = compute(products.top_repurchased, ds, products.ProductSpec(filters, level=level))
    if top.is_empty():
        no_data()
        return
    st.plotly_chart(charts.top_repurchased(top, level, L), key="w5h1_top_chart", width="stretch")

    st.subheader(tr("w5h1.pairs_header"))
    left, right = st.columns(2)
    basket = left.segmented_control(tr("w5h1.basket"), ("order", "member"), default="order", required=True,
                                    key="w5h1_basket", format_func=names("w5h1.basket_"))
    support = right.number_input(tr("w5h1.min_support"), min_value=0.01, max_value=50.0, step=0.1, format="%.2f",
                                 value=1.0 if level == "category" else 0.1, key=f"w5h1_support_{level}")
    st.caption(tr("w5h1.pairs_intro", basket=tr(f"w5h1.basket_{basket}_word")))
    spec = products.ProductSpec(filters, level=level, basket=basket, min_support=support / 100)
    pairs = compute(products.pairs, ds, spec)
    if pairs.is_empty():
        st.info(tr("w5h1.pairs_none"))
    else:
        st.dataframe(pairs.select("antecedent", "consequent", "together", "support", "confidence", "lift"),
                     hide_index=True, width="stretch", height=min(420, 38 + 35 * pairs.height),
                     column_config=pair_columns(), placeholder="–")
        strongest = pairs.row(0, named=True)  # sorted by lift, highest first
        words = {"a": strongest["antecedent"], "c": strongest["consequent"], "lift": strongest["lift"],
                 "together": strongest["together"], "confidence": strongest["confidence"],
                 "basket": tr(f"w5h1.basket_{basket}_word")}
        st.markdown(tr("w5h1.pairs_reading" if strongest["lift"] > NOTABLE_LIFT else "w5h1.pairs_reading_none",
                       **words))
        pair_names = {f"{a} → {c}": (a, c, n)
                      for a, c, n in pairs.select("antecedent", "consequent", "together").rows()}
        pair = pick(tr("w5h1.pair"), list(pair_names)[:500], f"w5h1_pair_pick_{level}",
                    lambda p: f"{p} · {pair_names[p][2]:,}")
        if pair:
            a, c, _ = pair_names[pair]
            show_members(compute(products.members, ds, spec, products.PairCell(a, c)), "w5h1_pair_members", "pair")

    st.subheader(tr("w5h1.price_header"))
    st.caption(tr("w5h1.price_intro"))
    price_spec = products.ProductSpec(filters)
    prices = compute(products.price_discount, ds, price_spec)
    if prices.is_empty():
        no_data()
    else:
        measure = st.segmented_control(tr("w5h1.price_measure"), ("members", "revenue", "discount"),
                                       default="members", required=True, key="w5h1_price_measure",
                                       format_func=names("w5h1.pm_"))
        st.plotly_chart(charts.price_heatmap(prices, measure, L), key="w5h1_price_chart", width="stretch")
        cells = {f"{b}|{s}": (b, p, s, m) for b, p, s, m in prices.select("band", "price_band", "sensitivity",
                                                                          "members").rows()}
        cell = pick(tr("w5h1.price_cell"), list(cells), "w5h1_price_pick",
                    lambda k: f"{cells[k][1]} · {tr('w5h1.sens_' + cells[k][2])} · {cells[k][3]:,}")
        if cell:
            band, _, sensitivity, _ = cells[cell]
            show_members(compute(products.members, ds, price_spec, products.PriceCell(band, sensitivity)),
                         "w5h1_price_members", "price_band")

    st.subheader(tr("w5h1.first_header"))
    first_spec = products.ProductSpec(filters, level=level)
    firsts = compute(products.first_order_products, ds, first_spec)
    if firsts.is_empty():
        no_data()
        return
    event = chart(charts.first_order(firsts.head(MAX_CHART_ITEMS), level, L), "w5h1_first_chart")
    rows = {str(r[level]): r for r in firsts.iter_rows(named=True)}
    left, right = st.columns([3, 2])
    with left:
        item = pick(tr(level), list(rows), f"w5h1_first_pick_{level}",
                    lambda v: f"{v} · {rows[v]['first_buyers']:,}", clicked=clicked(event))
    repeat_only = right.toggle(tr("w5h1.repeat_only"), key="w5h1_first_repeat")
    if item:
        show_members(compute(products.members, ds, first_spec, products.FirstOrderCell(item, repeat_only)),
                     "w5h1_first_members", "first_order")


# -- Where & How: channels and actions ----------------------------------------------------------------


def where() -> None:
    st.subheader(tr("w5h1.channel_header"))
    st.caption(tr("w5h1.channel_intro"))
    table = compute(cac.channels, ds, filters)
    per_channel = table.filter(pl.col("channel").is_not_null())
    if per_channel.is_empty():
        st.info(tr("w5h1.channel_none"))
    else:
        event = chart(charts.channels(table, L), "w5h1_channel_chart")
        notes = [tr(k) for k, col in (("w5h1.channel_no_spend", "spend"), ("w5h1.channel_no_nps", "responses"))
                 if table[col].null_count() == table.height]
        if (table["cac_note"] == cac.SPEND_NOT_SCOPED).any():
            notes.append(cac_reason(cac.SPEND_NOT_SCOPED))
        if notes:
            st.caption(sentences(notes, L))
        best, worst = charts.extremes(per_channel.filter(pl.col("buyers") > 0), "repurchase_rate", "channel")
        if best and worst and best[0] != worst[0]:
            st.markdown(tr("w5h1.channel_reading", best=best[0], best_rate=best[1], worst=worst[0],
                           worst_rate=worst[1]))
        columns = {
            tr("repurchase_rate"): percent("repurchase_rate"), tr("w5h1.spend"): money_column(tr("w5h1.spend_yuan")),
            tr("cac"): money_column(tr("w5h1.ch_cac")), "NPS": st.column_config.NumberColumn("NPS", format="%.1f"),
            **{tr(k): count_column(tr(k)) for k in ("w5h1.buyers_n", "w5h1.repeat_buyers", "new_buyers",
                                                     "w5h1.responses")}}
        # a blank CAC or NPS shows as "–", not as the grid's default "None"
        st.dataframe(charts.channel_table(table, L), hide_index=True, width="stretch", placeholder="–",
                     column_config=columns)
        st.page_link("pages/cohorts.py", label=tr("w5h1.cohorts_link"), icon=":material/grid_on:")
        buyers = {str(r["channel"]): r["buyers"] for r in per_channel.iter_rows(named=True)}
        channel = pick(tr("w5h1.channel_pick"), list(buyers), "w5h1_channel_pick",
                       lambda c: f"{c} · {buyers[c]:,}", clicked=_x_click(event))
        if channel:
            cell = products.ProfileCell("first_channel", channel)
            show_members(compute(products.members, ds, products.ProductSpec(filters), cell), "w5h1_channel_members",
                         "channel_buyers")

    st.subheader(tr("w5h1.segment_header"))
    st.caption(tr("w5h1.segment_intro"))
    rfm_spec = rfm.RfmSpec(filters)
    segments = compute(rfm.segments, ds, rfm_spec)
    if not segments["members"].sum():
        no_data()
        return
    event = chart(charts.segments(segments, L), "w5h1_segment_chart")
    st.dataframe(charts.action_table(segments, "segment", L), hide_index=True, width="stretch",
                 height=table_height(segments.height), column_config=action_columns(), placeholder="–")
    counts = dict(zip(segments["segment"], segments["members"]))
    segment = pick(tr("w5h1.segment_pick"), [s for s in counts if counts[s]], "w5h1_segment_pick",
                   lambda s: f"{tr('seg_' + s)} · {counts[s]:,}", clicked=clicked(event))
    if segment:
        show_members(compute(rfm.members, ds, rfm_spec, segment=segment), "w5h1_segment_members", f"rfm_{segment}")

    st.markdown(f"**{tr('w5h1.value_groups')}**")
    groups = compute(rfm.value_groups, ds, rfm_spec)
    st.dataframe(charts.action_table(groups, "value_group", L), hide_index=True, width="stretch",
                 height=table_height(groups.height), column_config=action_columns(), placeholder="–")
    group_counts = dict(zip(groups["value_group"], groups["members"]))
    group = pick(tr("w5h1.group_pick"), [g for g in group_counts if group_counts[g]], "w5h1_group_pick",
                 lambda g: f"{tr('vg_' + g)} · {group_counts[g]:,}")
    if group:
        show_members(compute(rfm.members, ds, rfm_spec, value_group=group), "w5h1_group_members", f"rfm_{group}")
    st.page_link("pages/rfm.py", label=tr("w5h1.rfm_link"), icon=":material/scatter_plot:")


# -- the page -------------------------------------------------------------------------------

page = analysis_page("page_5w1h", "w5h1.caption")
ds, filters, L, say = page.ds, page.filters, page.lang, page.say
section = kept(st.segmented_control, tr("w5h1.section"), SECTIONS, "w5h1", "why", required=True,
               format_func=names("w5h1.sec_"), label_visibility="collapsed")

headline = compute(kpis.run, ds, kpis.KpiSpec(filters))
KPI = dict(zip(headline["metric"], headline["value"]))
CHANGE = dict(zip(headline["metric"], headline["change"]))
if not KPI.get("buyers"):
    no_data()
    st.stop()


{"why": why, "what": what, "who": who, "when": when, "products": what_products, "where": where}[section]()
