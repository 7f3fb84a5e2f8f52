"""Dataset management: the workspace's datasets with their row counts and currency; rename one,
change its currency or delete it."""

from __future__ import annotations

import polars as pl
import streamlit as st

from lib import currency as currencies
from lib.formatting import markdown_text
from lib.store import Store, StoreError, first_line
from lib.ui import lang, select_dataset, tr
from pages.data_sections.report import currency_label
from pages.data_sections.widgets import count_columns

state = st.session_state


def datasets_tab(store: Store) -> None:
    if "data_flash" in state:
        st.success(state.pop("data_flash"), icon=":material/check:")
    found = store.datasets()
    if not found:
        st.info(tr("data.no_datasets"))
        return
    rows = []
    for d in found:
        counts = store.table_counts(d)
        rows.append({tr("dataset"): d.name, tr("order_lines"): counts["order_lines"], tr("orders"): counts["orders"],
                     tr("members"): counts["members"], tr("data.nps_answers"): counts["nps"],
                     tr("data.spend_rows"): counts["spend"], tr("data.currency"): currency_label(d.currency, lang()),
                     tr("version"): d.version,
                     tr("updated"): d.updated_at.strftime("%Y-%m-%d %H:%M")})
    st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch", column_config=count_columns(
        tr("order_lines"), tr("orders"), tr("members"), tr("data.nps_answers"), tr("data.spend_rows")))
    st.markdown(f"**{tr('data.manage')}**")
    names = [d.name for d in found]
    generation = state.get("data_manage_generation", 0)  # fresh widgets after each change
    wanted = state.get("data_manage_target") or state.get("dataset")
    chosen = st.selectbox(tr("dataset"), names, index=names.index(wanted) if wanted in names else 0,
                          key=f"data_manage_{generation}_{state.get('dataset')}")  # follows the sidebar
    left, middle, right = st.columns(3, gap="large")
    with left, st.container(border=True):
        new_name = st.text_input(tr("data.rename_to"), value=chosen, key=f"data_rename_{chosen}_{generation}")
        # Never disabled: a name typed and then clicked away from commits on the same click.
        if st.button(tr("rename"), key="data_rename_button", icon=":material/edit:"):
            if new_name.strip() == chosen:
                st.info(tr("data.same_name"))
                return
            try:
                renamed = store.rename_dataset(chosen, new_name)
            except StoreError as exc:
                st.error(markdown_text(first_line(exc)))
            else:
                if state.get("dataset") == chosen:
                    state["dataset"] = renamed.name
                    st.query_params["dataset"] = renamed.name
                state["data_manage_target"] = renamed.name
                state["data_flash"] = tr("data.renamed", old=markdown_text(chosen), new=markdown_text(renamed.name))
                state["data_manage_generation"] = generation + 1
                st.rerun()
    with middle, st.container(border=True):
        current = next(d.currency for d in found if d.name == chosen)
        L = lang()
        options = [*currencies.CURRENCIES, currencies.NONE]  # a currency not known shows as none
        code = st.selectbox(tr("data.currency"), options, index=options.index(current or currencies.NONE),
                            format_func=lambda c: currency_label(c, L), help=tr("data.currency_help"),
                            key=f"data_currency_{chosen}_{generation}")
        if st.button(tr("data.currency_apply"), key="data_currency_button", icon=":material/currency_exchange:",
                     disabled=code == (current or currencies.NONE)):
            try:
                store.set_currency(chosen, code)
            except StoreError as exc:
                st.error(markdown_text(first_line(exc)))
            else:
                state["data_manage_target"] = chosen
                name = markdown_text(chosen)
                state["data_flash"] = (tr("data.currency_changed_none", name=name) if code == currencies.NONE
                                       else tr("data.currency_changed", name=name, shown=currency_label(code, L)))
                state["data_manage_generation"] = generation + 1
                st.rerun()
    with right, st.container(border=True):
        confirm = st.checkbox(tr("data.delete_confirm", name=markdown_text(chosen)),
                              key=f"data_confirm_{chosen}_{generation}")
        if st.button(tr("delete"), key="data_delete_button", type="primary", disabled=not confirm,
                     icon=":material/delete:"):
            try:
                store.delete_dataset(chosen)
            except StoreError as exc:
                st.error(markdown_text(first_line(exc)))
            else:
                if state.get("dataset") == chosen:
                    select_dataset(None)
                state.pop("data_manage_target", None)
                state["data_flash"] = tr("data.deleted", name=markdown_text(chosen))
                state["data_manage_generation"] = generation + 1
                st.rerun()
