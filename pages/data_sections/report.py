"""The import and its report: where the files go (a new dataset or an existing one), saving them
all in one transaction, and the summary of the last save (counts, per file, notes, rejected rows)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from lib import currency as currencies
from lib.contract import KINDS
from lib.formatting import markdown_text
from lib.i18n import Lang, t
from lib.ingest import IngestError, Note, Part, ingest_parts, read_as_words
from lib.store import Store, StoreError, first_line, validate_name
from lib.ui import select_dataset, tr, warm_views
from pages.data_sections.upload import forget_all
from pages.data_sections.widgets import count_columns

state = st.session_state


def currency_label(code: str | None, L: Lang) -> str:
    """¥ CNY, HK$ HKD …; words for none (chosen, or not known)."""
    return currencies.label(code) if code in currencies.CURRENCIES else t("data.currency_none", L)


def choose_target(store: Store, plans: list[dict], L: Lang) -> tuple[str, bool, str | None, list[str]]:
    """Draw the choice of dataset to save to; return it, whether to replace, the currency chosen
    (None: the dataset's, else the one the amounts name; NONE: no symbol) and every reason the
    files cannot be saved (the files' own problems and the target's)."""
    st.subheader(tr("data.target"))
    names = [d.name for d in store.datasets()]
    if state.get("data_existing_name") not in names:  # kept from before a rename or delete
        state.pop("data_existing_name", None)
    if not names and state.get("data_target_mode") == "existing":
        state["data_target_mode"] = "new"
    mode = st.radio(tr("data.target"), ["new", "existing"] if names else ["new"], horizontal=True,
                    format_func=lambda m: t(f"data.target_{m}", L), key="data_target_mode", label_visibility="collapsed")
    problems = [p for plan in plans for p in plan["problems"]]
    replace = False
    if mode == "new":
        dataset = st.text_input(tr("data.new_name"), value=Path(plans[0]["name"]).stem,
                                key=f"data_new_name_{plans[0]['id']}")
        try:
            dataset = validate_name(dataset)
        except StoreError as exc:
            problems.append(str(exc))
            st.warning(markdown_text(exc), icon=":material/warning:")
        if dataset in names:
            problems.append(tr("data.name_taken", name=dataset))
            st.warning(tr("data.name_taken", name=markdown_text(dataset)), icon=":material/warning:")
    else:
        current_ds = state.get("dataset")
        preset = "data_existing_name" in state  # then the widget takes its value from the session
        dataset = st.selectbox(tr("data.existing_name"), names, key="data_existing_name",
                               index=0 if preset or current_ds not in names else names.index(current_ds))
        replace = st.checkbox(tr("replace"), value=False, help=tr("data.replace_help"), key="data_replace")
    existing = store.find(dataset) if mode == "existing" else None
    first = (t("data.currency_keep", L, current=currency_label(existing.currency, L)) if existing is not None
             else t("data.currency_detect", L))
    # Options are plain strings, and the widget is the mode's own: Streamlit keeps a choice by its
    # label, and the first option's label differs between a new and an existing dataset.
    chosen = st.selectbox(tr("data.currency"), [_AUTOMATIC, *currencies.CURRENCIES, currencies.NONE],
                          key=f"data_currency_{mode}", help=tr("data.currency_help"),
                          format_func=lambda c: first if c == _AUTOMATIC else currency_label(c, L))
    return dataset, replace, None if chosen == _AUTOMATIC else chosen, problems


_AUTOMATIC = "auto"  # the currency picker's first option: the dataset's, else the one the file names


def save(store: Store, plans: list[dict], dataset: str, replace: bool, currency: str | None, L: Lang) -> None:
    """Import every file in one transaction (orders first), with a progress bar; keep the summary
    in the session. A failure in any file saves none of them: the dataset is as it was."""
    ordered = sorted(plans, key=lambda p: KINDS.index(p["kind"]))
    bar = st.progress(0.0, text=tr("importing"))

    def report(fraction: float, step: Note) -> None:
        bar.progress(min(fraction, 1.0), text=markdown_text(step.text(L)))  # a note may quote the file

    try:
        results = ingest_parts(store, [Part(p["kind"], [p["path"]], p["overrides"]) for p in ordered], dataset,
                               replace=replace, progress=report, lang=L, currency=currency)
    except (IngestError, StoreError) as exc:
        part = getattr(exc, "part", None)  # which file failed; None: the save as a whole
        bar.empty()
        state["data_summary"] = {
            "failed": (ordered[part]["name"] if part is not None else ", ".join(p["name"] for p in ordered),
                       first_line(exc)),
            "failed_rejects": getattr(exc, "rejects", None)}
        st.rerun()
    bar.empty()
    forget_all()
    state["data_summary"] = {
        "dataset": results[0].dataset, "members": results[0].members, "orders": results[0].orders,
        "files": [{"file": p["name"], "kind": r.kind, "read_as": f.read_as, "rows_read": f.rows_read,
                   "rows_loaded": f.rows_loaded, "rows_rejected": f.rows_read - f.rows_loaded,
                   "mapping": f.mapping, "rejects": r.rejects}
                  for p, r in zip(ordered, results) for f in r.files],
        "notes": [n for r in results for n in r.notes],  # Notes: shown in the language of the moment
        "records": [{"kind": r.kind, "new": r.new, "updated": r.updated, "unchanged": r.unchanged} for r in results],
    }
    select_dataset(results[0].dataset)
    warm_views(results[0].dataset)  # the views drawn of it before, on the new data, in the background
    state["data_generation"] = state.get("data_generation", 0) + 1  # a fresh, empty uploader
    st.rerun()


def show_summary(L: Lang) -> None:
    summary = state.get("data_summary")
    if not summary:
        return
    with st.container(border=True):
        st.subheader(tr("data.summary"))
        if "files" in summary:
            st.success(tr("data.saved_to", dataset=markdown_text(summary["dataset"]), members=summary["members"],
                          orders=summary["orders"]), icon=":material/check_circle:")
            if not summary["orders"]:  # NPS answers or spend alone: no analysis page has anything to show
                st.warning(tr("data.saved_no_orders", dataset=markdown_text(summary["dataset"])),
                           icon=":material/shopping_cart_off:")
            files = summary["files"]
            a, b, c = st.columns(3)
            a.metric(tr("rows_read"), f"{sum(f['rows_read'] for f in files):,}", border=True)
            b.metric(tr("rows_loaded"), f"{sum(f['rows_loaded'] for f in files):,}", border=True)
            c.metric(tr("rows_rejected"), f"{sum(f['rows_rejected'] for f in files):,}", border=True)
            records = summary["records"]
            st.text("\n".join(tr("data.merged", kind=tr(f"data.merged_{r['kind']}"), new=r["new"],
                                  updated=r["updated"], unchanged=r["unchanged"]) for r in records),
                    help=tr("data.merged_help"))
            if not any(r["new"] or r["updated"] for r in records):
                st.info(tr("data.nothing_new"), icon=":material/info:")
            st.markdown(f"**{tr('data.per_file')}**")
            st.dataframe(pl.DataFrame([{
                tr("data.col_file"): f["file"], tr("kind"): tr(f"kind_{f['kind']}"),
                tr("read_as"): read_as_words(f["read_as"], L),
                tr("rows_read"): f["rows_read"], tr("rows_loaded"): f["rows_loaded"],
                tr("rows_rejected"): f["rows_rejected"],
                tr("data.col_mapping"): ", ".join(f"{h} → {tr('data.field_' + m)}" for h, m in f["mapping"].items())}
                for f in files]),
                hide_index=True, width="stretch", column_config=count_columns(
                    tr("rows_read"), tr("rows_loaded"), tr("rows_rejected")))
            if summary["notes"]:
                st.markdown(f"**{tr('data.notes')}**")
                # plain text: the notes quote headers and values from the file, never markdown
                st.text("\n".join(f"• {n.text(L)}" for n in summary["notes"]))
            with_rejects = [f for f in files if f["rejects"]]
            if not with_rejects:
                st.caption(tr("data.no_rejects"))
            else:
                st.caption(tr("data.rejects_help"))
            for i, f in enumerate(with_rejects):
                path = Path(f["rejects"])
                if path.exists():
                    st.download_button(tr("data.download_rejects_file", name=markdown_text(f["file"])),
                                       path.read_bytes(), file_name=path.name, mime="text/csv", key=f"data_rejects_{i}",
                                       icon=":material/download:")
        else:
            name, error = summary["failed"]
            st.error(tr("data.failed", name=markdown_text(name), error=markdown_text(error)), icon=":material/error:")
            st.markdown(tr("data.nothing_changed"))
            path = summary["failed_rejects"]
            if path is not None and path.exists():
                st.download_button(tr("data.download_rejects_file", name=markdown_text(name)), path.read_bytes(),
                                   file_name=path.name, mime="text/csv", key="data_failed_rejects",
                                   icon=":material/download:")
        if st.button(tr("data.dismiss"), key="data_dismiss", icon=":material/close:"):
            del state["data_summary"]
            st.rerun()
