"""The one place in lib that knows Streamlit: the shared store, and per-session choices.

The store is a process-wide resource (one DuckDB file per running app); everything a user picks
(dataset, language) lives in that browser session's state and the URL, never in a shared cache.
"""

from __future__ import annotations

import streamlit as st

from lib.i18n import LANGS, Lang, t
from lib.samples import ensure_sample_dataset
from lib.store import Dataset, Store, StoreError


@st.cache_resource(show_spinner=False)
def shared_store() -> Store:
    store = Store()
    try:
        ensure_sample_dataset(store)
    except StoreError as exc:  # the workspace still opens; the demo is simply not there
        SAMPLE_PROBLEMS.append(str(exc))
    return store


SAMPLE_PROBLEMS: list[str] = []  # why the bundled demo could not be loaded, if it could not


def lang() -> Lang:
    if "lang" not in st.session_state:
        chosen = st.query_params.get("lang")
        if chosen not in LANGS:
            locale = (st.context.locale or "") if hasattr(st.context, "locale") else ""
            chosen = "en" if locale and not locale.lower().startswith("zh") else "zh"
        st.session_state["lang"] = chosen
    return st.session_state["lang"]


def tr(key: str, **values: object) -> str:
    return t(key, lang(), **values)


def current_dataset(store: Store) -> Dataset | None:
    """The dataset this session picked in the sidebar (re-read, so its version is fresh)."""
    name = st.session_state.get("dataset")
    return store.find(name) if name else None


def open_store() -> Store:
    try:
        with st.spinner("…"):
            store = shared_store()
    except StoreError as exc:
        st.error(t("workspace_error", lang(), error=exc))
        st.stop()
    for problem in SAMPLE_PROBLEMS:
        st.warning(t("sample_error", lang(), error=problem))
    return store
