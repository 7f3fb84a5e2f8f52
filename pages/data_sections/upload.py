"""Upload and mapping: this session's private copies of its uploads, then per file its kind,
preview and mapping editor. Widgets and this session's state only: reading a file is lib.ingest's.

A file's copy lives in this session's own temporary folder (session state holds it, never a shared
cache) until it is saved or taken out of the uploader, or the session ends (lib.ingest.RemovedWhenDropped:
when Streamlit drops the session, at the first session coming or going two minutes after its tab
closed); a server stopped or killed leaves it to the sweep at the next start (see pages/data.py).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import streamlit as st

from lib.contract import FIELDS, KINDS, Kind, guess_kind, missing_required
from lib.formatting import MISSING, markdown_text
from lib.i18n import Lang, t
from lib.ingest import (UPLOAD_PREFIX, IngestError, Preview, RemovedWhenDropped, owned_temp_folder, preview,
                        read_as_words)
from lib.sources import short_file_name
from lib.store import StoreError, first_line
from lib.ui import lang, tr

IGNORE = "-"  # "don't import this column" (lib.ingest reads "-" as ignore)
SAMPLE_VALUES = 3

state = st.session_state


def field_label(kind: Kind, L: Lang):
    """A format_func naming each field of `kind` in `L`, required ones marked."""
    required = {f.name for f in FIELDS[kind] if f.required}

    def label(name: str) -> str:
        if name == IGNORE:
            return t("not_mapped", L)
        text = t(f"data.field_{name}", L)
        return f"{text} · {t('data.required', L)}" if name in required else text
    return label


def private_copy(upload) -> Path:
    """This session's temporary copy of an uploaded file (made once per upload, and again if a
    sweep took it from a session idle for over a day)."""
    files = state.setdefault("data_files", {})
    if upload.file_id not in files or not Path(files[upload.file_id]).exists():
        if "data_tmp" not in state:  # this session's own folder, gone with the session
            state["data_tmp"] = RemovedWhenDropped(owned_temp_folder(UPLOAD_PREFIX))
        folder = state["data_tmp"].folder / upload.file_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / short_file_name(upload.name)  # a name of any length (the browser's) fits the disk
        path.write_bytes(upload.getbuffer())
        files[upload.file_id] = str(path)
    return Path(files[upload.file_id])


def forget(file_id: str) -> None:
    """Remove one upload's temporary copy and everything this session derived from it."""
    path = state.get("data_files", {}).pop(file_id, None)
    if path:
        shutil.rmtree(Path(path).parent, ignore_errors=True)
    for key in [k for k in state.get("data_previews", {}) if k[0] == file_id]:
        del state["data_previews"][key]


def cached_preview(file_id: str, path: Path, kind: Kind) -> Preview | str:
    """The file's preview for `kind` (kept in this session), or the one-line reason it cannot be read."""
    previews = state.setdefault("data_previews", {})
    if (file_id, kind) not in previews:
        try:
            previews[(file_id, kind)] = preview(path, kind)
        except (IngestError, StoreError) as exc:
            previews[(file_id, kind)] = first_line(exc)
    return previews[(file_id, kind)]


def forget_all() -> None:
    """Remove this session's temporary folder and everything derived from its uploads."""
    for key in ("data_files", "data_previews"):
        state.pop(key, None)
    _remove_folder()


def _remove_folder() -> None:
    if "data_tmp" in state:
        state.pop("data_tmp").remove()


def forget_removed(uploads) -> None:
    """Forget the uploads taken out of the uploader, and this session's folder once it holds none."""
    current = {u.file_id for u in uploads}
    for file_id in [f for f in state.get("data_files", {}) if f not in current]:
        forget(file_id)  # taken out of the uploader: its private copy goes too
    if not state.get("data_files"):
        _remove_folder()


def file_plan(n: int, upload, L: Lang) -> dict:
    """Draw one file's kind, preview and mapping editor; return what saving it needs."""
    plan = {"id": upload.file_id, "name": upload.name, "problems": []}
    with st.container(border=True):
        st.markdown(f":material/description: **{tr('data.file_header', n=n, name=markdown_text(upload.name))}**")
        path = private_copy(upload)
        plan["path"] = path
        first = cached_preview(upload.file_id, path, "orders")
        if isinstance(first, str):
            st.error(tr("data.preview_error", name=markdown_text(upload.name), error=markdown_text(first)))
            plan["problems"].append(first)
            return plan
        guessed = guess_kind(first.headers)
        kind = st.selectbox(tr("data.kind_guess"), KINDS, index=KINDS.index(guessed),
                            format_func=lambda k: t(f"kind_{k}", L), key=f"data_kind_{upload.file_id}")
        found = cached_preview(upload.file_id, path, kind)
        if isinstance(found, str):
            st.error(tr("data.preview_error", name=markdown_text(upload.name), error=markdown_text(found)))
            plan["problems"].append(found)
            return plan
        plan["kind"] = kind
        read_as = markdown_text(read_as_words(found.read_as, L))  # a workbook's sheet name is in it
        st.caption(tr("data.read_as", read_as=read_as, columns=len(found.headers)))
        with st.expander(tr("data.preview", n=found.rows.height), expanded=n == 1):
            st.dataframe(found.rows, hide_index=True, height=min(36 + 35 * found.rows.height, 280), placeholder=MISSING)
        plan["overrides"] = mapping_editor(upload.file_id, upload.name, kind, found, plan["problems"], L)
    return plan


def mapping_editor(file_id: str, name: str, kind: Kind, found: Preview, problems: list[str],
                   L: Lang) -> dict[str, str]:
    """A selectbox per source column, pre-filled by auto-detection; problems get the reasons it
    cannot be saved (a required field unmapped, a field taken by two columns)."""
    st.markdown(f"**{tr('mapping')}** · {tr('data.mapping_help')}")
    options = [IGNORE] + [f.name for f in FIELDS[kind]]
    label = field_label(kind, L)
    chosen: dict[str, str] = {}
    grid = st.columns(4)
    for i, header in enumerate(found.headers):
        samples = [v for v in found.rows[:, i].drop_nulls().head(SAMPLE_VALUES).to_list() if str(v).strip()]
        suggested = found.mapping.get(header, IGNORE)
        chosen[header] = grid[i % 4].selectbox(
            markdown_text(header), options, index=options.index(suggested), format_func=label,
            key=f"data_map_{file_id}_{kind}_{i}",
            help=tr("data.sample_values", values=markdown_text(", ".join(map(str, samples)))) if samples else None)
    mapped = {f for f in chosen.values() if f != IGNORE}
    missing = missing_required(mapped, kind)
    required = [f.name for f in FIELDS[kind] if f.required]
    st.markdown(tr("data.required_status") + ("：" if L == "zh" else ": ") + " ".join(
        f":{'red' if f in missing else 'green'}-badge[{tr('data.field_' + f)} {'✗' if f in missing else '✓'}]"
        for f in required))
    if kind == "orders" and "amount" in missing:
        st.caption(tr("data.amount_alternative"))
    if missing:
        fields = ("、" if lang() == "zh" else ", ").join(tr(f"data.field_{f}") for f in missing)
        message = tr("data.missing_required", name=markdown_text(name), fields=fields)
        st.warning(message, icon=":material/warning:")
        problems.append(message)
    for field, count in Counter(f for f in chosen.values() if f != IGNORE).items():
        if count > 1:
            columns = [h for h, f in chosen.items() if f == field]
            message = tr("data.duplicate_field", name=markdown_text(name), field=tr(f"data.field_{field}"), n=count,
                         columns=markdown_text(", ".join(columns)))
            st.warning(message, icon=":material/warning:")
            problems.append(message)
    return chosen
