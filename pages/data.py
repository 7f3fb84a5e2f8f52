"""Import data 数据导入: upload files, check their mapping, save; manage the datasets; read the
definition of every metric.

Privacy: everything before saving belongs to this browser session alone (SPEC "Workspace and
sessions"): each session copies its uploads into its own temporary folder (session state holds
the path, never a shared cache), and a file's copy is removed once it is saved or taken out of
the uploader. A session that simply ends leaves its folder behind (Streamlit says nothing when a
session ends), so folders older than a day are swept when a session first opens this page.

The files of one save load together, in one transaction: all of them or none.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import polars as pl
import streamlit as st

from lib.contract import FIELDS, KINDS, Kind, guess_kind, missing_required
from lib.i18n import t
from lib.ingest import IngestError, Note, Part, Preview, ingest_parts, preview
from lib.store import StoreError, first_line, validate_name
from lib.ui import lang, open_store, select_dataset, tr

ROOT = Path(__file__).resolve().parents[1]
METRICS_DOCS = {"zh": ROOT / "docs" / "metrics.zh.md", "en": ROOT / "docs" / "metrics.md"}  # kept in step by tests
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "parquet"]
UPLOAD_PREFIX = "memberlens-upload-"  # a session's temporary folder: <temp dir>/memberlens-upload-…
STALE_UPLOAD_SECONDS = 24 * 3600  # older than this, an upload folder belongs to a session long gone
IGNORE = "-"  # "don't import this column" (lib.ingest reads "-" as ignore)
SAMPLE_VALUES = 3

store = open_store()
state = st.session_state
L = lang()  # bound once: a widget's format_func must not read session state when called later


# -- helpers --------------------------------------------------------------------------------

def field_label(kind: Kind):
    required = {f.name for f in FIELDS[kind] if f.required}

    def label(name: str) -> str:
        if name == IGNORE:
            return t("not_mapped", L)
        text = t(f"data.field_{name}", L)
        return f"{text} · {t('data.required', L)}" if name in required else text
    return label


def read_as_words(read_as: str) -> str:
    """How a file was read (lib.sources.Source.describe: "CSV, gb18030, delimiter ','" or "XLSX, sheet
    订单"), in the page's language: the command line prints it in English, so its fixed words are
    translated here; the encoding and the sheet's own name stay as they are."""
    head, _, sheet = read_as.partition(", sheet ")  # the sheet comes last and may hold a comma
    parts = []
    for part in head.split(", "):
        if part.startswith("delimiter "):
            delimiter = part.removeprefix("delimiter ")
            part = t("data.read_delimiter", L, delimiter=t("data.read_tab", L) if delimiter == "tab" else delimiter)
        parts.append(part)
    if sheet:
        parts.append(t("data.read_sheet", L, sheet=sheet))
    return ("，" if L == "zh" else ", ").join(parts)


def count_columns(*labels: str) -> dict[str, st.column_config.NumberColumn]:
    """Counts with thousands separators (88,634), under their labels."""
    return {label: st.column_config.NumberColumn(label, format="localized") for label in labels}


def sweep_stale_uploads() -> None:
    """Remove the upload folders of sessions that ended more than a day ago. Best effort: a
    folder another session is removing, or one we may not touch, is simply left."""
    cutoff = time.time() - STALE_UPLOAD_SECONDS
    try:
        folders = list(Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"))
    except OSError:
        return
    for folder in folders:
        try:
            stale = folder.is_dir() and folder.stat().st_mtime < cutoff
        except OSError:
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)


def private_copy(upload) -> Path:
    """This session's temporary copy of an uploaded file (made once per upload, and again if a
    sweep took it from a session idle for over a day)."""
    files = state.setdefault("data_files", {})
    if upload.file_id not in files or not Path(files[upload.file_id]).exists():
        if "data_tmp" not in state:
            state["data_tmp"] = tempfile.mkdtemp(prefix=UPLOAD_PREFIX)  # this session's own folder
        folder = Path(state["data_tmp"]) / upload.file_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(upload.name).name
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
    if "data_tmp" in state:
        shutil.rmtree(state.pop("data_tmp"), ignore_errors=True)


# -- one uploaded file: kind, preview, mapping ------------------------------------------------

def file_plan(n: int, upload) -> dict:
    """Draw one file's kind, preview and mapping editor; return what saving it needs."""
    plan = {"id": upload.file_id, "name": upload.name, "problems": []}
    with st.container(border=True):
        st.markdown(f":material/description: **{tr('data.file_header', n=n, name=upload.name)}**")
        path = private_copy(upload)
        plan["path"] = path
        first = cached_preview(upload.file_id, path, "orders")
        if isinstance(first, str):
            st.error(tr("data.preview_error", name=upload.name, error=first))
            plan["problems"].append(first)
            return plan
        guessed = guess_kind(first.headers)
        kind = st.selectbox(tr("data.kind_guess"), KINDS, index=KINDS.index(guessed),
                            format_func=lambda k: t(f"kind_{k}", L), key=f"data_kind_{upload.file_id}")
        found = cached_preview(upload.file_id, path, kind)
        if isinstance(found, str):
            st.error(tr("data.preview_error", name=upload.name, error=found))
            plan["problems"].append(found)
            return plan
        plan["kind"] = kind
        st.caption(tr("data.read_as", read_as=read_as_words(found.read_as), columns=len(found.headers)))
        with st.expander(tr("data.preview", n=found.rows.height), expanded=n == 1):
            st.dataframe(found.rows, hide_index=True, height=min(36 + 35 * found.rows.height, 280), placeholder="–")
        plan["overrides"] = mapping_editor(upload.file_id, upload.name, kind, found, plan["problems"])
    return plan


def mapping_editor(file_id: str, name: str, kind: Kind, found: Preview, problems: list[str]) -> dict[str, str]:
    """A selectbox per source column, pre-filled by auto-detection; problems get the reasons it
    cannot be saved (a required field unmapped, a field taken by two columns)."""
    st.markdown(f"**{tr('mapping')}** · {tr('data.mapping_help')}")
    options = [IGNORE] + [f.name for f in FIELDS[kind]]
    label = field_label(kind)
    chosen: dict[str, str] = {}
    grid = st.columns(4)
    for i, header in enumerate(found.headers):
        samples = [v for v in found.rows[:, i].drop_nulls().head(SAMPLE_VALUES).to_list() if str(v).strip()]
        suggested = found.mapping.get(header, IGNORE)
        chosen[header] = grid[i % 4].selectbox(
            header, options, index=options.index(suggested), format_func=label,
            key=f"data_map_{file_id}_{kind}_{i}",
            help=tr("data.sample_values", values=", ".join(map(str, samples))) if samples else None)
    mapped = {f for f in chosen.values() if f != IGNORE}
    missing = missing_required(mapped, kind)
    required = [f.name for f in FIELDS[kind] if f.required]
    st.markdown(tr("data.required_status") + ("：" if L == "zh" else ": ") + " ".join(
        f":{'red' if f in missing else 'green'}-badge[{tr('data.field_' + f)} {'✗' if f in missing else '✓'}]"
        for f in required))
    if kind == "orders" and "amount" in missing:
        st.caption(tr("data.amount_alternative"))
    if missing:
        message = tr("data.missing_required", name=name, fields="、".join(tr(f"data.field_{f}") for f in missing)
                     if lang() == "zh" else ", ".join(tr(f"data.field_{f}") for f in missing))
        st.warning(message, icon=":material/warning:")
        problems.append(message)
    for field, count in Counter(f for f in chosen.values() if f != IGNORE).items():
        if count > 1:
            columns = [h for h, f in chosen.items() if f == field]
            message = tr("data.duplicate_field", name=name, field=tr(f"data.field_{field}"), n=count,
                         columns=", ".join(columns))
            st.warning(message, icon=":material/warning:")
            problems.append(message)
    return chosen


# -- saving -----------------------------------------------------------------------------------

def save(plans: list[dict], dataset: str, replace: bool) -> None:
    """Import every file in one transaction (orders first), with a progress bar; keep the summary
    in the session. A failure in any file saves none of them: the dataset is as it was."""
    ordered = sorted(plans, key=lambda p: KINDS.index(p["kind"]))
    bar = st.progress(0.0, text=tr("importing"))

    def report(fraction: float, step: Note) -> None:
        bar.progress(min(fraction, 1.0), text=step.text(L))

    try:
        results = ingest_parts(store, [Part(p["kind"], [p["path"]], p["overrides"]) for p in ordered], dataset,
                               replace=replace, progress=report)
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
    }
    select_dataset(results[0].dataset)
    state["data_generation"] = state.get("data_generation", 0) + 1  # a fresh, empty uploader
    st.rerun()


def show_summary() -> None:
    summary = state.get("data_summary")
    if not summary:
        return
    with st.container(border=True):
        st.subheader(tr("data.summary"))
        if "files" in summary:
            st.success(tr("data.saved_to", dataset=summary["dataset"], members=summary["members"],
                          orders=summary["orders"]), icon=":material/check_circle:")
            if not summary["orders"]:  # NPS answers or spend alone: no analysis page has anything to show
                st.warning(tr("data.saved_no_orders", dataset=summary["dataset"]), icon=":material/shopping_cart_off:")
            files = summary["files"]
            a, b, c = st.columns(3)
            a.metric(tr("rows_read"), f"{sum(f['rows_read'] for f in files):,}", border=True)
            b.metric(tr("rows_loaded"), f"{sum(f['rows_loaded'] for f in files):,}", border=True)
            c.metric(tr("rows_rejected"), f"{sum(f['rows_rejected'] for f in files):,}", border=True)
            st.markdown(f"**{tr('data.per_file')}**")
            st.dataframe(pl.DataFrame([{
                tr("data.col_file"): f["file"], tr("kind"): tr(f"kind_{f['kind']}"),
                tr("read_as"): read_as_words(f["read_as"]),
                tr("rows_read"): f["rows_read"], tr("rows_loaded"): f["rows_loaded"],
                tr("rows_rejected"): f["rows_rejected"],
                tr("data.col_mapping"): ", ".join(f"{h} → {tr('data.field_' + m)}" for h, m in f["mapping"].items())}
                for f in files]),
                hide_index=True, width="stretch", column_config=count_columns(
                    tr("rows_read"), tr("rows_loaded"), tr("rows_rejected")))
            if summary["notes"]:
                st.markdown(f"**{tr('data.notes')}**\n\n" + "\n".join(f"- {n.text(L)}" for n in summary["notes"]))
            with_rejects = [f for f in files if f["rejects"]]
            if not with_rejects:
                st.caption(tr("data.no_rejects"))
            else:
                st.caption(tr("data.rejects_help"))
            for i, f in enumerate(with_rejects):
                path = Path(f["rejects"])
                if path.exists():
                    st.download_button(tr("data.download_rejects_file", name=f["file"]), path.read_bytes(),
                                       file_name=path.name, mime="text/csv", key=f"data_rejects_{i}",
                                       icon=":material/download:")
        else:
            name, error = summary["failed"]
            st.error(tr("data.failed", name=name, error=error), icon=":material/error:")
            st.markdown(tr("data.nothing_changed"))
            path = summary["failed_rejects"]
            if path is not None and path.exists():
                st.download_button(tr("data.download_rejects_file", name=name), path.read_bytes(),
                                   file_name=path.name, mime="text/csv", key="data_failed_rejects",
                                   icon=":material/download:")
        if st.button(tr("data.dismiss"), key="data_dismiss", icon=":material/close:"):
            del state["data_summary"]
            st.rerun()


def import_tab() -> None:
    if "data_swept" not in state:  # once per session: listing the temp folder is cheap, not free
        sweep_stale_uploads()
        state["data_swept"] = True
    show_summary()
    uploads = st.file_uploader(tr("data.upload"), type=UPLOAD_TYPES, accept_multiple_files=True,
                               key=f"data_upload_{state.get('data_generation', 0)}", help=tr("data.upload_help"))
    current = {u.file_id for u in uploads}
    for file_id in [f for f in state.get("data_files", {}) if f not in current]:
        forget(file_id)  # taken out of the uploader: its private copy goes too
    if not state.get("data_files") and "data_tmp" in state:
        shutil.rmtree(state.pop("data_tmp"), ignore_errors=True)
    if not uploads:
        st.caption(tr("data.empty_hint"))
        return
    plans = [file_plan(n, upload) for n, upload in enumerate(uploads, start=1)]
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
            st.warning(str(exc), icon=":material/warning:")
        if dataset in names:
            problems.append(tr("data.name_taken", name=dataset))
            st.warning(tr("data.name_taken", name=dataset), icon=":material/warning:")
    else:
        current_ds = state.get("dataset")
        preset = "data_existing_name" in state  # then the widget takes its value from the session
        dataset = st.selectbox(tr("data.existing_name"), names, key="data_existing_name",
                               index=0 if preset or current_ds not in names else names.index(current_ds))
        replace = st.checkbox(tr("replace"), value=False, help=tr("data.replace_help"), key="data_replace")
    if problems:
        st.caption(tr("data.cannot_save"))
    if st.button(tr("data.save_n", n=len(plans)), type="primary", disabled=bool(problems),
                 icon=":material/save:", key="data_save"):
        save(plans, dataset, replace)


# -- datasets -------------------------------------------------------------------------------

def datasets_tab() -> None:
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
                     tr("data.spend_rows"): counts["spend"], tr("version"): d.version,
                     tr("updated"): d.updated_at.strftime("%Y-%m-%d %H:%M")})
    st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch", column_config=count_columns(
        tr("order_lines"), tr("orders"), tr("members"), tr("data.nps_answers"), tr("data.spend_rows")))
    st.markdown(f"**{tr('data.manage')}**")
    names = [d.name for d in found]
    generation = state.get("data_manage_generation", 0)  # fresh widgets after each change
    wanted = state.get("data_manage_target") or state.get("dataset")
    chosen = st.selectbox(tr("dataset"), names, index=names.index(wanted) if wanted in names else 0,
                          key=f"data_manage_{generation}_{state.get('dataset')}")  # follows the sidebar
    left, right = st.columns(2, gap="large")
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
                st.error(first_line(exc))
            else:
                if state.get("dataset") == chosen:
                    state["dataset"] = renamed.name
                    st.query_params["dataset"] = renamed.name
                state["data_manage_target"] = renamed.name
                state["data_flash"] = tr("data.renamed", old=chosen, new=renamed.name)
                state["data_manage_generation"] = generation + 1
                st.rerun()
    with right, st.container(border=True):
        confirm = st.checkbox(tr("data.delete_confirm", name=chosen), key=f"data_confirm_{chosen}_{generation}")
        if st.button(tr("delete"), key="data_delete_button", type="primary", disabled=not confirm,
                     icon=":material/delete:"):
            try:
                store.delete_dataset(chosen)
            except StoreError as exc:
                st.error(first_line(exc))
            else:
                if state.get("dataset") == chosen:
                    select_dataset(None)
                state.pop("data_manage_target", None)
                state["data_flash"] = tr("data.deleted", name=chosen)
                state["data_manage_generation"] = generation + 1
                st.rerun()


# -- metric definitions ------------------------------------------------------------------------

def metrics_tab() -> None:
    doc = METRICS_DOCS[lang()]
    if not doc.exists():
        st.info(tr("data.metrics_missing", file=doc.relative_to(ROOT)))
        return
    st.caption(tr("data.metrics_intro"))
    intro, sections = [], []
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
        elif not line.startswith("# "):
            intro.append(line)
    if "".join(intro).strip():
        st.markdown("\n".join(intro).replace("$", "\\$"))
    for heading, body in sections:
        with st.expander(heading):
            st.markdown("\n".join(body).replace("$", "\\$"))  # a $ is money here, not LaTeX


# -- page ---------------------------------------------------------------------------------------

st.title(tr("page_data"))
st.caption(tr("data.caption"))
tab_import, tab_datasets, tab_metrics = st.tabs([tr("data.tab_import"), tr("data.tab_datasets"),
                                                 tr("data.tab_metrics")])
with tab_import:
    import_tab()
with tab_datasets:
    datasets_tab()
with tab_metrics:
    metrics_tab()
