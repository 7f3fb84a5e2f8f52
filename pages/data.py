"""Import data 数据导入: upload files, check their mapping, save; manage the datasets; read the
definition of every metric.

Privacy: everything before saving belongs to this browser session alone (SPEC "Workspace and
sessions"): each session copies its uploads into its own temporary folder (session state holds
it, never a shared cache), and a file's copy is removed once it is saved or taken out of the
uploader, or when the session ends (Streamlit drops a session at the first session coming or going
two minutes after its tab closed, and the folder goes with it). What a stopped or killed server
left is swept at the next start (lib.ui.shared_store) and at each import.

The upload limit is Streamlit's server.maxUploadSize (.streamlit/config.toml: 1024 MB; README).

The files of one save load together, in one transaction: all of them or none.

The parts are modules of pages/data_sections/: upload (private copies, kind, preview, mapping),
report (the target dataset, the save and its summary), datasets (rename, delete), metrics.
"""

from __future__ import annotations

import streamlit as st

from lib.ui import lang, open_store, tr
from pages.data_sections.datasets import datasets_tab
from pages.data_sections.metrics import metrics_tab
from pages.data_sections.report import choose_target, save, show_summary
from pages.data_sections.upload import file_plan, forget_removed

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "parquet"]

store = open_store()
state = st.session_state
L = lang()  # bound once: a widget's format_func must not read session state when called later


def import_tab() -> None:
    show_summary(L)
    uploads = st.file_uploader(tr("data.upload"), type=UPLOAD_TYPES, accept_multiple_files=True,
                               key=f"data_upload_{state.get('data_generation', 0)}",
                               help=tr("data.upload_help", limit=st.get_option("server.maxUploadSize")))
    forget_removed(uploads)
    if not uploads:
        st.caption(tr("data.empty_hint"))
        return
    plans = [file_plan(n, upload, L) for n, upload in enumerate(uploads, start=1)]
    dataset, replace, currency, problems = choose_target(store, plans, L)
    if problems:
        st.caption(tr("data.cannot_save"))
    if st.button(tr("data.save_n", n=len(plans)), type="primary", disabled=bool(problems),
                 icon=":material/save:", key="data_save"):
        save(store, plans, dataset, replace, currency, L)


# -- page ---------------------------------------------------------------------------------------

st.title(tr("page_data"))
st.caption(tr("data.caption"))
tab_import, tab_datasets, tab_metrics = st.tabs([tr("data.tab_import"), tr("data.tab_datasets"),
                                                 tr("data.tab_metrics")])
with tab_import:
    import_tab()
with tab_datasets:
    datasets_tab(store)
with tab_metrics:
    metrics_tab()
