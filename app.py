"""memberlens: the router and the shared sidebar (language, dataset, filters).

Pages are thin: they read the session's dataset and filters (lib/ui.py), build specs, call lib
and draw lib/charts figures. The page and the filters live in the URL, so a view can be sent.
"""

from __future__ import annotations

import streamlit as st

from lib.ui import open_store, sidebar, tr

st.set_page_config(page_title="memberlens", page_icon=":material/insights:", layout="wide")

pages = {
    tr("section_analyse"): [
        st.Page("pages/overview.py", title=tr("page_overview"), icon=":material/dashboard:", default=True),
        st.Page("pages/cohorts.py", title=tr("page_cohorts"), icon=":material/grid_on:", url_path="cohorts"),
        st.Page("pages/rfm.py", title=tr("page_rfm"), icon=":material/scatter_plot:", url_path="rfm"),
        # Each url_path is its file's name: a first visit straight to /w5h1 finds the page before
        # app.py has ever run (see lib.ui._use_app_router).
        st.Page("pages/w5h1.py", title=tr("page_5w1h"), icon=":material/quiz:", url_path="w5h1"),
        st.Page("pages/lifecycle.py", title=tr("page_lifecycle"), icon=":material/timeline:", url_path="lifecycle"),
    ],
    tr("section_members"): [
        st.Page("pages/member.py", title=tr("page_member"), icon=":material/person_search:", url_path="member"),
    ],
    tr("section_data"): [
        st.Page("pages/data.py", title=tr("page_data"), icon=":material/upload_file:", url_path="data"),
    ],
}
# The page list first: it replaces, at once, the list of pages/ files Streamlit shows until app.py
# has run, while the first start of a workspace is still loading the demo.
page = st.navigation(pages)
sidebar(open_store())
page.run()
