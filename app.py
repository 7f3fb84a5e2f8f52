"""memberlens: the router and the shared sidebar (dataset, language)."""

from __future__ import annotations

import streamlit as st

from lib.i18n import LANGS
from lib.ui import lang, open_store, tr

st.set_page_config(page_title="memberlens", page_icon=":material/insights:", layout="wide")

store = open_store()

with st.sidebar:
    choice = st.radio(tr("language"), list(LANGS), index=list(LANGS).index(lang()),
                      format_func=LANGS.get, horizontal=True, key="lang_radio")
    if choice != st.session_state["lang"]:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()
    names = [d.name for d in store.datasets()]
    if names:
        wanted = st.session_state.get("dataset") or st.query_params.get("dataset")
        index = names.index(wanted) if wanted in names else 0
        st.session_state["dataset"] = st.selectbox(tr("dataset"), names, index=index)
        st.query_params["dataset"] = st.session_state["dataset"]
    else:
        st.session_state["dataset"] = None
        st.info(tr("no_datasets"))

pages = {
    tr("section_analyse"): [st.Page("pages/overview.py", title=tr("page_overview"), icon=":material/dashboard:",
                                    default=True)],
    tr("section_data"): [st.Page("pages/data.py", title=tr("page_data"), icon=":material/upload_file:",
                                 url_path="data")],
}
st.navigation(pages).run()
