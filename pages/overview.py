"""Overview 经营概览: the headline numbers of the selected dataset."""

from __future__ import annotations

import streamlit as st

from lib import kpis
from lib.i18n import money
from lib.ui import current_dataset, lang, open_store, tr

store = open_store()
ds = current_dataset(store)
st.title(tr("page_overview"))
if ds is None:
    st.info(tr("no_datasets"))
    st.stop()

first, last = kpis.order_span(store, ds)
if first is None:
    st.info(tr("no_orders"))
    st.stop()
st.caption(tr("data_span", start=first, end=last))

table = kpis.run(store, ds)
values = dict(zip(table["metric"], table["value"]))
changes = dict(zip(table["metric"], table["change"]))
shown = [("revenue", money(values["revenue"], lang())),
         ("orders", f"{values['orders']:,.0f}"),
         ("buyers", f"{values['buyers']:,.0f}"),
         ("aov", money(values["aov"], lang())),
         ("repurchase_rate", f"{(values['repurchase_rate'] or 0):.1%}"),
         ("purchase_frequency", f"{(values['purchase_frequency'] or 0):.2f}"),
         ("order_repurchase_rate", f"{(values['order_repurchase_rate'] or 0):.1%}"),
         ("new_buyers", f"{values['new_buyers']:,.0f}")]
for row in (shown[:4], shown[4:]):
    for column, (key, text) in zip(st.columns(4), row):
        change = changes.get(key)
        column.metric(tr(key), text, delta=None if change is None else f"{change:+.1%}", border=True)
