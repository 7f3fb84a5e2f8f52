"""Import data 数据导入: upload a file, check the mapping, save; manage the datasets."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from lib.contract import FIELDS, KINDS
from lib.ingest import IngestError, ingest, preview
from lib.store import StoreError
from lib.ui import open_store, tr

store = open_store()
st.title(tr("page_data"))

# -- upload ---------------------------------------------------------------------------------
kind = st.radio(tr("kind"), KINDS, format_func=lambda k: tr(f"kind_{k}"), horizontal=True)
upload = st.file_uploader(tr("upload"), type=["csv", "txt", "tsv", "xlsx", "parquet"], help=tr("upload_help"))
if upload is not None:
    # Each session keeps its upload in a private temporary file until it is saved.
    key = f"upload_{upload.file_id}"
    if key not in st.session_state:
        folder = Path(tempfile.mkdtemp(prefix="memberlens-upload-"))
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getbuffer())
        st.session_state[key] = str(path)
    path = Path(st.session_state[key])
    try:
        found = preview(path, kind)
    except IngestError as exc:
        st.error(str(exc))
        st.stop()
    st.caption(f"{tr('read_as')}: {found.read_as}")
    st.dataframe(found.rows, hide_index=True)
    st.subheader(tr("mapping"))
    fields = ["-"] + [f.name for f in FIELDS[kind]]
    overrides = {}
    grid = st.columns(4)
    for i, header in enumerate(found.headers):
        column, suggested = grid[i % 4], found.mapping.get(header, "-")
        overrides[header] = column.selectbox(header, fields, index=fields.index(suggested),
                                             format_func=lambda f: tr("not_mapped") if f == "-" else f,
                                             key=f"map_{kind}_{header}")
    # A new upload goes to a dataset named after its file unless the user picks one: appending a
    # client's export into the demo by default would mix them.
    target = st.text_input(tr("target_dataset"), value=Path(upload.name).stem)
    replace = st.checkbox(tr("replace"), value=False)
    if st.button(tr("save"), type="primary"):
        bar = st.progress(0.0, text=tr("importing"))
        try:
            result = ingest(store, [path], target, kind, overrides, replace,
                            progress=lambda f, m: bar.progress(f, text=m))
        except (IngestError, StoreError) as exc:
            bar.empty()
            st.error(str(exc))
        else:
            bar.empty()
            shutil.rmtree(path.parent, ignore_errors=True)  # saved: the private copy has served
            del st.session_state[key]
            st.success(f"{tr('saved')}: {result.dataset}")
            a, b, c = st.columns(3)
            a.metric(tr("rows_read"), f"{result.rows_read:,}")
            b.metric(tr("rows_loaded"), f"{result.rows_loaded:,}")
            c.metric(tr("rows_rejected"), f"{result.rows_rejected:,}")
            for note in result.notes:
                st.caption(note)
            if result.rejects:
                st.download_button(tr("download_rejects"), Path(result.rejects).read_bytes(),
                                   file_name=Path(result.rejects).name, mime="text/csv")
            st.session_state["dataset"] = result.dataset

# -- datasets -------------------------------------------------------------------------------
st.subheader(tr("datasets"))
rows = []
for d in store.datasets():
    counts = store.table_counts(d)
    rows.append({tr("dataset"): d.name, tr("order_lines"): counts["order_lines"], tr("orders"): counts["orders"],
                 tr("members"): counts["members"], "NPS": counts["nps"], tr("version"): d.version,
                 tr("updated"): d.updated_at.strftime("%Y-%m-%d %H:%M")})
if rows:
    st.dataframe(pl.DataFrame(rows), hide_index=True)
    chosen = st.selectbox(tr("dataset"), [r[tr("dataset")] for r in rows], key="manage_dataset")
    left, right = st.columns(2)
    with left:
        new_name = st.text_input(tr("new_name"), value=chosen, key="rename_to")
        if st.button(tr("rename")) and new_name != chosen:
            try:
                store.rename_dataset(chosen, new_name)
                st.session_state["dataset"] = new_name.strip()
                st.rerun()
            except StoreError as exc:
                st.error(str(exc))
    with right:
        confirm = st.checkbox(tr("confirm_delete", name=chosen), key="confirm_delete")
        if st.button(tr("delete"), disabled=not confirm):
            store.delete_dataset(chosen)
            st.session_state["dataset"] = None
            st.rerun()
