"""Which products: the most repurchased, pairs bought together, price band × discount
sensitivity, and what a first order holding each item leads to."""

from __future__ import annotations

import streamlit as st

from lib import first_orders, pairs, price_bands, repurchase
from lib.charts import products as charts_products
from lib.formatting import MISSING, markdown_text
from lib.ui import AnalysisPage, compute, kept, no_data, show_chart, tr
from pages.w5h1_sections.widgets import (MAX_CHART_ITEMS, NOTABLE_LIFT, chart, clicked, names, pair_columns, pick, product_levels,
                                         show_listed)


def show(page: AnalysisPage) -> None:
    ds, filters, L, say = page.ds, page.filters, page.lang, page.say
    levels = product_levels(ds)
    level = kept(st.segmented_control, tr("w5h1.level"), levels, "w5h1_level", levels[0], required=True,
                 format_func=say)

    st.subheader(tr("w5h1.top_header"))
    top = compute(repurchase.top_repurchased, ds, repurchase.RepurchaseSpec(filters, by=level))
    if top.is_empty():
        no_data()
        return
    show_chart(charts_products.top_repurchased(top, level, L), key="w5h1_top_chart", width="stretch")
    bought_together(page, level)
    price_bands_by_sensitivity(page)
    first_order_items(page, level)


def bought_together(page: AnalysisPage, level: str) -> None:
    """Pairs bought together (support, confidence, lift) and the members behind a pair."""
    ds, filters = page.ds, page.filters
    st.subheader(tr("w5h1.pairs_header"))
    left, right = st.columns(2)
    basket = left.segmented_control(tr("w5h1.basket"), ("order", "member"), default="order", required=True,
                                    key="w5h1_basket", format_func=names("w5h1.basket_"))
    support = right.number_input(tr("w5h1.min_support"), min_value=0.01, max_value=50.0, step=0.1, format="%.2f",
                                 value=1.0 if level == "category" else 0.1, key=f"w5h1_support_{level}")
    st.caption(tr("w5h1.pairs_intro", basket=tr(f"w5h1.basket_{basket}_word")))
    spec = pairs.PairSpec(filters, level=level, basket=basket, min_support=support / 100)
    together = compute(pairs.run, ds, spec)
    if together.is_empty():
        st.info(tr("w5h1.pairs_none"))
    else:
        st.dataframe(together.select("antecedent", "consequent", "together", "support", "confidence", "lift"),
                     hide_index=True, width="stretch", height=min(420, 38 + 35 * together.height),
                     column_config=pair_columns(), placeholder=MISSING)
        strongest = together.row(0, named=True)  # sorted by lift, highest first
        words = {"a": markdown_text(strongest["antecedent"]), "c": markdown_text(strongest["consequent"]),
                 "lift": strongest["lift"],
                 "together": strongest["together"], "confidence": strongest["confidence"],
                 "basket": tr(f"w5h1.basket_{basket}_word")}
        st.markdown(tr("w5h1.pairs_reading" if strongest["lift"] > NOTABLE_LIFT else "w5h1.pairs_reading_none",
                       **words))
        pair_names = {f"{a} → {c}": (a, c, n)
                      for a, c, n in together.select("antecedent", "consequent", "together").rows()}
        pair = pick(tr("w5h1.pair"), list(pair_names)[:500], f"w5h1_pair_pick_{level}",
                    lambda p: f"{p} · {pair_names[p][2]:,}")
        if pair:
            a, c, _ = pair_names[pair]
            show_listed("w5h1_pair_members", "pair", pairs.members, ds, spec, pairs.PairCell(a, c))


def price_bands_by_sensitivity(page: AnalysisPage) -> None:
    """Price band × discount sensitivity, and the members behind a cell."""
    ds, filters, L = page.ds, page.filters, page.lang
    st.subheader(tr("w5h1.price_header"))
    st.caption(tr("w5h1.price_intro"))
    price_spec = price_bands.PriceBandSpec(filters)
    prices = price_bands.labelled(compute(price_bands.run, ds, price_spec))
    if prices.is_empty():
        no_data()
    else:
        measure = st.segmented_control(tr("w5h1.price_measure"), ("members", "revenue", "discount"),
                                       default="members", required=True, key="w5h1_price_measure",
                                       format_func=names("w5h1.pm_"))
        show_chart(charts_products.price_heatmap(prices, measure, L), key="w5h1_price_chart", width="stretch")
        cells = {f"{b}|{s}": (b, p, s, m) for b, p, s, m in prices.select("band", "price_band", "sensitivity",
                                                                          "members").rows()}
        cell = pick(tr("w5h1.price_cell"), list(cells), "w5h1_price_pick",
                    lambda k: f"{cells[k][1]} · {tr('w5h1.sens_' + cells[k][2])} · {cells[k][3]:,}")
        if cell:
            band, _, sensitivity, _ = cells[cell]
            show_listed("w5h1_price_members", "price_band", price_bands.members, ds, price_spec,
                        price_bands.PriceCell(band, sensitivity))


def first_order_items(page: AnalysisPage, level: str) -> None:
    """What a first order holding each item leads to, and its first buyers."""
    ds, filters, L = page.ds, page.filters, page.lang
    st.subheader(tr("w5h1.first_header"))
    first_spec = first_orders.FirstOrderSpec(filters, level=level)
    firsts = compute(first_orders.run, ds, first_spec)
    if firsts.is_empty():
        no_data()
        return
    event = chart(charts_products.first_order(firsts.head(MAX_CHART_ITEMS), level, L), "w5h1_first_chart")
    rows = {str(r[level]): r for r in firsts.iter_rows(named=True)}
    left, right = st.columns([3, 2])
    with left:
        item = pick(tr(level), list(rows), f"w5h1_first_pick_{level}",
                    lambda v: f"{v} · {rows[v]['first_buyers']:,}", clicked=clicked(event))
    repeat_only = right.toggle(tr("w5h1.repeat_only"), key="w5h1_first_repeat")
    if item:
        show_listed("w5h1_first_members", "first_order", first_orders.members, ds, first_spec,
                    first_orders.FirstOrderCell(item, repeat_only))
