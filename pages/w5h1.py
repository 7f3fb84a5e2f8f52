"""5W1H 分析: why keep members, what retention and repurchase look like, who is worth most or about
to leave, when they buy again, which products bring them back, where to act and how.

One section at a time (a segmented control bound to the URL as `w5h1`), not st.tabs: tabs would
render every section on each rerun, and member lists build their Excel download eagerly, so a
filter change would redo all six sections' work. Each section is a module of pages/w5h1_sections/
(widgets -> spec -> lib (cached) -> chart; every member list goes through member_table).
"""

from __future__ import annotations

import streamlit as st

from lib import kpis
from lib.ui import analysis_page, compute, kept, no_data, tr
from pages.w5h1_sections import products, what, when, where, who, why
from pages.w5h1_sections.widgets import names

SECTIONS = ("why", "what", "who", "when", "products", "where")

page = analysis_page("page_5w1h", "w5h1.caption")
section = kept(st.segmented_control, tr("w5h1.section"), SECTIONS, "w5h1", "why", required=True,
               format_func=names("w5h1.sec_"), label_visibility="collapsed")

headline = compute(kpis.run, page.ds, kpis.KpiSpec(page.filters))
kpi = dict(zip(headline["metric"], headline["value"]))
if not kpi.get("buyers"):
    no_data()
    st.stop()

if section == "what":
    what.show(page, kpi, dict(zip(headline["metric"], headline["change"])))
else:
    {"why": why.show, "who": who.show, "when": when.show, "products": products.show, "where": where.show}[section](page)
