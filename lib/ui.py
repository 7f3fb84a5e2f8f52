"""The one place in lib that knows Streamlit (with lib/tables.py, the member lists, and
lib/access_gate.py, the sign-in page): the shared store, the router, the sidebar, caching, and the
one notice of what a link asked for in vain.

- The store is a process-wide resource (one DuckDB file per running app). Everything a user
  picks (dataset, filters, language) lives in that browser session's state and in the URL, so a
  view can be bookmarked and sent; never in a shared cache.
- Analysis results are cached across sessions by (function, dataset, dataset version, spec):
  datasets are shared by the workspace anyway, and a new import bumps the version.
"""

from __future__ import annotations

import copy
import importlib
import threading
from pathlib import Path
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from lib import currency as currencies
from lib import keep_freed_arrays, results
from lib.charts import shown_as_text
from lib.clv import Model
from lib.filters import FILTER_FIELDS, Filters, MemberSet, filter_options
from lib.formatting import WORD_JOINER, markdown_text
from lib.i18n import LANGS, Lang, t
from lib.ingest import sweep_temp_folders
from lib.samples import ensure_sample_dataset
from lib.store import Dataset, Store, StoreError, default_path

SAMPLE_PROBLEMS: list[str] = []  # why the bundled demo could not be loaded, if it could not
FILTER_KEY = "flt_"  # session-state prefix of the sidebar's filter widgets
SEGMENT_KEY, SEGMENT_MODE_KEY = "segment", "segment_mode"  # the sidebar's segment, in the URL
NO_SEGMENT = ""


@st.cache_resource(show_spinner=False)
def shared_store() -> Store:
    # A start: what a stopped or killed server left in the temp dir (uploads, import staging) goes.
    sweep_temp_folders()
    # shared: the file is held read-only between the app's saves, so `python -m lib report` runs
    # beside the open dashboard
    store = Store(shared=True)
    try:
        ensure_sample_dataset(store)
    except StoreError as exc:  # the workspace still opens; the demo is simply not there
        SAMPLE_PROBLEMS.append(str(exc))
    return store


# -- the router ------------------------------------------------------------------------------

_routing = threading.local()  # .active: this script run came through run_app
_link = threading.local()  # .slot, .ignored: this run's notice of what its link asked for in vain


def _pages() -> dict[str, list[st.Page]]:
    """The navigation, by section. Each url_path is its file's name, so a first visit straight to
    /w5h1 finds the page file even before run_app has ever run in the server (open_store)."""
    return {
        tr("section_analyse"): [
            st.Page("pages/overview.py", title=tr("page_overview"), icon=":material/dashboard:", default=True),
            st.Page("pages/cohorts.py", title=tr("page_cohorts"), icon=":material/grid_on:", url_path="cohorts"),
            st.Page("pages/rfm.py", title=tr("page_rfm"), icon=":material/scatter_plot:", url_path="rfm"),
            st.Page("pages/w5h1.py", title=tr("page_5w1h"), icon=":material/quiz:", url_path="w5h1"),
            st.Page("pages/lifecycle.py", title=tr("page_lifecycle"), icon=":material/timeline:",
                    url_path="lifecycle"),
        ],
        tr("section_members"): [
            st.Page("pages/member.py", title=tr("page_member"), icon=":material/person_search:", url_path="member"),
            st.Page("pages/segments.py", title=tr("segments.page"), icon=":material/group_work:", url_path="segments"),
        ],
        tr("section_data"): [
            st.Page("pages/data.py", title=tr("page_data"), icon=":material/upload_file:", url_path="data"),
        ],
    }


APP_ICON = Path(__file__).with_name("icon.png")


def run_app() -> None:
    """app.py: the page list, the shared sidebar (language, dataset, filters), then the page."""
    keep_freed_arrays()
    # A local image, not a :material/…: icon, which the browser fetches from fonts.gstatic.com
    # (the app works offline and sends nothing out).
    st.set_page_config(page_title="memberlens", page_icon=str(APP_ICON), layout="wide")
    # -- access control (lib/access_gate.py; issue 16 item 4) --------------------------------
    # Off unless .streamlit/secrets.toml asks for it; a locked session stops here, before any
    # page, sidebar or dataset name is drawn (its page list is registered hidden, so a link to
    # /cohorts opens Retention once signed in).
    from lib.access_gate import require_access  # here: lib.access_gate builds on this module

    require_access(_pages)
    # -- end of access control --------------------------------------------------------------
    # The page list first: it replaces, at once, the list of pages/ files Streamlit shows until
    # this has run, while the first start of a workspace is still loading the demo.
    page = st.navigation(_pages())
    _routing.active = True
    _link.slot, _link.ignored = st.empty(), []  # the top of the page: what the link asked for in vain
    try:
        sidebar(open_store())
        page.run()
    finally:
        _routing.active = False


def open_store() -> Store:
    """The shared store, for the sidebar and every page (each page's first call into lib.ui).

    Streamlit treats a `pages/` folder as its old multipage layout until st.navigation has run
    once in the server: a first visit straight to /cohorts (and every AppTest run) runs that page
    file alone, without app.py. Then the app's router runs here instead: it draws the sidebar and
    runs this page again inside it, and this bare run ends (public API only; a rerun instead
    would lose a button clicked in this run)."""
    if not getattr(_routing, "active", False):
        run_app()
        st.stop()
    try:
        # The first start of a workspace loads the bundled demo (half a minute on a slow laptop).
        with st.spinner(t("opening_workspace", lang())):
            store = shared_store()
    except StoreError as exc:
        st.error(t("workspace_error", lang(), error=exc))
        st.stop()
    for problem in SAMPLE_PROBLEMS:
        st.warning(t("sample_error", lang(), error=problem))
    return store


# -- language ------------------------------------------------------------------------------

def lang() -> Lang:
    """The session's language: the URL's `lang`, else the browser's locale (中文 unless it is
    clearly another language)."""
    if "lang" not in st.session_state:
        chosen = st.query_params.get("lang")
        if chosen not in LANGS:
            locale = getattr(st.context, "locale", None) or ""
            chosen = "en" if locale and not locale.lower().startswith("zh") else "zh"
        st.session_state["lang"] = chosen
    return st.session_state["lang"]


def show_chart(fig: Any, where: Any = None, **kwargs: Any) -> Any:
    """st.plotly_chart (or `where`'s, a column), with the figure's data values shown as text
    (lib.charts.shown_as_text): a store named <a href=…> is not a link. Every chart goes through here."""
    return (where or st).plotly_chart(shown_as_text(fig), **kwargs)


def tr(key: str, **values: object) -> str:
    return t(key, lang(), **values)


# -- cached analysis calls -----------------------------------------------------------------

# cache_resource keeps the result itself, not a pickled copy: a view seen before costs nothing
# however large its frames (unpickling a 2M-member frame took longer than the page's own drawing).
# Results are handed out as copies (`_handout`), so nothing a page does to one reaches the cache.
# Whole-member frames can be large (10M lines: ~150 MB each): at most 64 kept, each for an hour.
# Behind it, lib/results.py keeps slow results on disk for new sessions and restarts.
# A segment in a spec is hashed by its key, never by its (up to millions of) member ids.
_HASH_FUNCS = {MemberSet: lambda member_set: member_set.key}


@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600, hash_funcs=_HASH_FUNCS)
def _cached(qualname: str, dataset: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    store, ds = engine(dataset)
    return results.read_or_compute(store, ds, qualname, args, kwargs, lambda: _function(qualname)(store, ds, *args, **dict(kwargs)))


def spark_sources() -> dict[str, Any]:
    """The workspace's Spark sources (lib/spark.py), by their dataset name spark:NAME; none when the
    file beside the workspace cannot be read (the sidebar says why)."""
    from lib import spark

    try:
        return spark.saved_sources(shared_store().path)
    except StoreError as exc:
        SPARK_PROBLEMS[:] = [str(exc)]
        return {}


SPARK_PROBLEMS: list[str] = []  # why the workspace's Spark sources could not be read, if they could not


@st.cache_resource(show_spinner=False, max_entries=4)
def _spark_store(key: str) -> Any:
    """One SparkStore per saved source (its key: tables, master, mapping, when saved), kept while the
    app runs: the session, the source's views and its cached orders and members are made once."""
    from lib import spark

    source = next(s for s in spark_sources().values() if s.key() == key)
    return spark.SparkStore(source)


def engine(dataset: str) -> tuple[Any, Dataset]:
    """(store, dataset) an analysis of `dataset` runs on: the workspace's DuckDB, or for a Spark
    source (spark:NAME) its SparkStore, whose SQL is the same analyses' transpiled."""
    from lib.spark import PREFIX

    if dataset.startswith(PREFIX):
        source = spark_sources().get(dataset)
        if source is None:
            raise StoreError(f"no Spark source named {dataset.removeprefix(PREFIX)!r}")
        spark_store = _spark_store(source.key())
        return spark_store, spark_store.dataset
    store = shared_store()
    return store, store.dataset(dataset)


@st.cache_resource(show_spinner=False, max_entries=256, ttl=3600, hash_funcs=_HASH_FUNCS)
def _derived(qualname: str, dataset: str, version: tuple, sources: tuple, args: tuple) -> Any:
    frames = [_cached(source, dataset, version, source_args, ()) for source, source_args in sources]
    return _function(qualname)(*frames, *args)


def stamp(ds: Dataset) -> tuple:
    """What the cache keys a dataset's results on besides its name: its creation time and version
    (a dataset deleted and made again under the same name starts at the same version numbers). Not
    its currency: results are numbers, named in a currency only when drawn."""
    return ds.created_at, ds.version


def _function(qualname: str) -> Callable[..., Any]:
    module, name = qualname.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _handout(result: Any) -> Any:
    if isinstance(result, pl.DataFrame):
        return result.clone()  # shares the column buffers: free
    if isinstance(result, dict):  # one level down too (filter options: lists of values)
        return {k: copy.copy(v) if isinstance(v, (dict, list)) else v for k, v in result.items()}
    if isinstance(result, list):
        return [copy.copy(v) if isinstance(v, (dict, list)) else v for v in result]
    return result  # frozen dataclasses, tuples, numbers, text


def cached_runner(ds: Dataset) -> Callable[[Callable[..., Any], tuple, dict], Any]:
    """How lib.pack computes each analysis of the client report in the app: through the pages'
    cache, so what a page drew is not computed again (no spinner: it runs when a download is
    clicked, after the script run)."""
    version = stamp(ds)
    return lambda function, args, kwargs: _handout(_cached(_name(function), ds.name, version, tuple(args),
                                                           tuple(sorted(kwargs.items()))))


def compute(function: Callable[..., Any], ds: Dataset, *args: Any, **kwargs: Any) -> Any:
    """`function(store, ds, *args, **kwargs)`, cached per dataset version and arguments.

    Arguments must be hashable values (specs are frozen dataclasses); so must the function be a
    module-level lib function.
    """
    view = (_name(function), args, tuple(sorted(kwargs.items())))
    _drawn(ds.name, view)
    with st.spinner(tr("computing")):
        return _handout(_cached(view[0], ds.name, stamp(ds), view[1], view[2]))


# The views (analysis, arguments) drawn of each dataset lately, least recent first: what an import
# computes again in the background (warm_views), so the pages people use open at once on the new
# data instead of each costing its first draw (at 10M lines, 5–35 s a page).
RECENT_VIEWS = 48
_recent: dict[str, dict[tuple, None]] = {}
_recent_lock = threading.Lock()


def _drawn(dataset: str, view: tuple) -> None:
    with _recent_lock:
        views = _recent.setdefault(dataset, {})
        views.pop(view, None)
        views[view] = None
        while len(views) > RECENT_VIEWS:
            views.pop(next(iter(views)))


def _rewarmable(view: tuple) -> bool:
    """Specs, filters, cells, dates, numbers and text mean the same view on new data; a fitted
    model passed in (the one result pages hand back to lib) belongs to the old data: not warmed."""
    _, args, kwargs = view
    return not any(isinstance(value, Model) for value in (*args, *(value for _, value in kwargs)))


def warm_views(dataset: str) -> threading.Thread | None:
    """Compute again, in a background thread, the views of `dataset` drawn lately (most recent
    first) at its current version: called after an import. A page asking for one meanwhile waits
    for it rather than computing it twice (the cache computes each key once); a view the new
    data cannot have is skipped (its page says why when drawn)."""
    with _recent_lock:
        views = [view for view in reversed(_recent.get(dataset, {})) if _rewarmable(view)]
    if not views:
        return None

    def warm() -> None:
        store = shared_store()
        for qualname, args, kwargs in views:
            try:
                ds = store.dataset(dataset)  # each time: a later import or a delete may come meanwhile
                _cached(qualname, ds.name, stamp(ds), args, kwargs)
            except StoreError:
                return
            except Exception:  # noqa: BLE001 - e.g. a filter value the new data lack: drawn, it says so
                continue

    thread = threading.Thread(target=warm, name=f"memberlens-warm-{dataset}", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx(suppress_warning=True))
    thread.start()
    return thread


def derived(derive: Callable[..., Any], ds: Dataset, sources: Sequence[tuple], *args: Any) -> Any:
    """`derive(*frames, *args)` where each source (function, *its args) is a `compute` result:
    cached itself, so counts taken from a large cached frame (lifecycle.summary_of over run())
    are not counted again on every rerun. `derive` must not change the frames it is given."""
    keys = tuple((_name(function), tuple(source_args)) for function, *source_args in sources)
    for qualname, source_args in keys:  # the sources are what an import warms again
        _drawn(ds.name, (qualname, source_args, ()))
    with st.spinner(tr("computing")):
        return _handout(_derived(_name(derive), ds.name, stamp(ds), keys, args))


def clear_analysis_cache(kept_on_disk: bool = True) -> None:
    """Forget every cached analysis result and the views drawn, and with `kept_on_disk` the
    results lib/results.py keeps too (tests and benchmarks start cold with it; without, a
    benchmark sees a restarted app)."""
    results.wait_for_writes()  # none lands after this
    if kept_on_disk:
        results.forget(default_path())
    _cached.clear()
    _derived.clear()
    with _recent_lock:
        _recent.clear()


# -- sidebar: dataset, filters, language -----------------------------------------------------

def sidebar(store: Store) -> tuple[Dataset | None, Filters]:
    """Draw the shared sidebar and return this session's dataset and filters."""
    with st.sidebar:
        _language_picker()
        ds = _dataset_picker(store)
        # every amount this run writes, in the dataset's currency (lib.currency: per script run)
        currencies.show(ds.currency if ds is not None else currencies.DEFAULT)
        filters = _filter_pickers(ds) if ds is not None else Filters()
    st.session_state["filters"] = filters
    return ds, filters


def current_dataset(store: Store) -> Dataset | None:
    """The dataset this session picked in the sidebar (re-read, so its version is fresh)."""
    name = st.session_state.get("dataset")
    return _find(store, name) if name else None


def _find(store: Store, name: str) -> Dataset | None:
    """A workspace dataset, or a Spark source's (spark:NAME) as the app names it."""
    from lib.spark import PREFIX

    if name.startswith(PREFIX):
        source = spark_sources().get(name)
        return source.dataset if source is not None else None
    return store.find(name)


def is_spark(ds: Dataset) -> bool:
    """A Spark source's dataset: analyses only (no import, no saved segments)."""
    from lib.spark import PREFIX

    return ds.name.startswith(PREFIX)


def current_filters() -> Filters:
    return st.session_state.get("filters", Filters())


def _language_picker() -> None:
    current = lang()
    choice = st.radio(tr("language"), list(LANGS), index=list(LANGS).index(current),
                      format_func=LANGS.get, horizontal=True, key="lang_radio")
    if choice != current:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()
    st.query_params["lang"] = current


def _dataset_picker(store: Store) -> Dataset | None:
    found = store.datasets()
    names = [d.name for d in found] + list(spark_sources())  # Spark sources after the workspace's
    for problem in SPARK_PROBLEMS:
        st.warning(markdown_text(problem), icon=":material/warning:")
    if not names:
        st.session_state["dataset"] = None
        st.info(tr("no_datasets"))
        return None
    # The session's, else the link's, else the latest imported (or renamed): what the user worked
    # on last, not the alphabetically first (the bundled demo).
    latest = max(found, key=lambda d: (d.updated_at, d.id)).name if found else names[0]
    linked = without_joiners(st.query_params.get("dataset"))  # a name copied off a page keeps none
    session = st.session_state.get("dataset")
    wanted = session or linked or latest
    if wanted not in names:  # renamed, deleted or never there: say so, open the latest
        if session:  # this session's, renamed or deleted meanwhile (in another tab, by another user)
            st.warning(tr("dataset_gone", name=markdown_text(wanted), shown=markdown_text(latest)),
                       icon=":material/info:")
        else:
            link_ignored(tr("link.no_such_dataset", name=markdown_text(wanted), shown=markdown_text(latest)))
        wanted = latest
    chosen = st.selectbox(tr("dataset"), names, index=names.index(wanted), format_func=_dataset_label(lang()))
    if chosen != st.session_state.get("dataset") and st.session_state.get("dataset") is not None:
        select_dataset(chosen)
    st.session_state["dataset"] = chosen
    st.query_params["dataset"] = chosen
    ds = _find(store, chosen)
    if ds is not None and is_spark(ds):
        st.caption(t("spark.sidebar", lang()), help=t("spark.sidebar_help", lang()))
    return ds


def _dataset_label(language: Lang) -> Callable[[str], str]:
    from lib.spark import PREFIX

    return lambda name: (t("spark.label", language, name=name.removeprefix(PREFIX)) if name.startswith(PREFIX)
                         else name)


def _clear_filters() -> None:
    for key in [k for k in st.session_state if str(k).startswith(FILTER_KEY)]:
        del st.session_state[key]
    for name in [*FILTER_FIELDS, "start", "end", SEGMENT_KEY, SEGMENT_MODE_KEY]:
        st.query_params.pop(name, None)


def select_dataset(name: str | None) -> None:
    """Make `name` this session's dataset (None: none), dropping the filters of the previous one:
    another dataset has other channels, stores and dates."""
    _clear_filters()
    st.session_state["dataset"] = name
    if name is None:
        st.query_params.pop("dataset", None)
    else:
        st.query_params["dataset"] = name


def _filter_pickers(ds: Dataset) -> Filters:
    from lib.kpis import order_span

    first, last = compute(order_span, ds)
    options = compute(filter_options, ds) if first is not None else {}
    for name in [n for n in [*FILTER_FIELDS, "start", "end"] if n in st.query_params]:
        if name not in options and (first is None or name not in ("start", "end")):
            # a field this dataset does not have (or, with no orders yet, no filter at all)
            link_ignored(tr("link.no_such_filter", field=tr(f"link.{name}" if name in ("start", "end") else name)))
            st.query_params.pop(name, None)
    if first is None:
        return Filters()
    st.subheader(tr("filters"))
    start, end = _date_range(first, last)
    chosen: dict[str, list[str]] = {}
    for name, values in options.items():
        key = FILTER_KEY + name
        if key not in st.session_state:  # first run of this session: take the URL's values
            linked = st.query_params.get_all(name)
            st.session_state[key] = [v for v in linked if v in values]
            for value in dict.fromkeys(v for v in linked if v not in values):
                link_ignored(tr("link.no_such_value", field=tr(name), value=markdown_text(value)))
        chosen[name] = st.multiselect(tr(name), values, key=key, placeholder=tr("all_values"),
                                      format_func=_value_label(name))
        _to_url(name, chosen[name])
    segment = _segment_picker(ds) if not is_spark(ds) else None  # segments are the workspace's
    if st.button(tr("reset_filters"), icon=":material/filter_alt_off:", width="stretch"):
        _clear_filters()
        st.rerun()
    return Filters.of(start=start if start != first else None, end=end if end != last else None, segment=segment,
                      **chosen)


def _segment_picker(ds: Dataset) -> MemberSet | None:
    """A saved segment of this dataset as a filter (lib.segments), live or as saved; kept in the
    URL by name (`segment`, `segment_mode`). A live definition that no longer applies filters by
    its snapshot, and the sidebar says why."""
    from lib import segments

    store = shared_store()
    found = {s.name: s for s in segments.of_dataset(store, ds)}
    key, mode_key = FILTER_KEY + SEGMENT_KEY, FILTER_KEY + SEGMENT_MODE_KEY
    if key not in st.session_state:  # first run of this session: the link's segment
        linked = without_joiners(st.query_params.get(SEGMENT_KEY))
        st.session_state[key] = linked if linked in found else NO_SEGMENT
        if linked and linked not in found:
            link_ignored(tr("segments.link_no_such", name=markdown_text(linked)))
            st.query_params.pop(SEGMENT_KEY, None)
    elif st.session_state[key] not in found:  # renamed or deleted meanwhile
        st.session_state[key] = NO_SEGMENT
    if not found:
        return None
    # option labels are plain text (never markdown), so names show as typed; the language is bound
    # (Streamlit may call a format_func after the run)
    L = lang()
    name = st.selectbox(tr("segments.filter"), [NO_SEGMENT, *found], key=key,
                        format_func=lambda n: t("segments.filter_none", L) if n == NO_SEGMENT else n)
    _to_url(SEGMENT_KEY, [name] if name != NO_SEGMENT else [])
    if name == NO_SEGMENT:
        st.query_params.pop(SEGMENT_MODE_KEY, None)
        return None
    if mode_key not in st.session_state:
        st.session_state[mode_key] = url_option(SEGMENT_MODE_KEY, segments.MODES, segments.DEFAULT_MODE,
                                                tr("segments.mode"))
    mode = st.segmented_control(tr("segments.mode"), segments.MODES, key=mode_key, required=True,
                                format_func=lambda m: t(f"segments.mode_{m}", L), help=tr("segments.mode_help"))
    keep_in_url(SEGMENT_MODE_KEY, mode, segments.DEFAULT_MODE)
    member_set, fell_back = compute(segments.scope, ds, found[name], mode, segments.inner_stamp(store, found[name]))
    if fell_back is not None:
        st.warning(tr("segments.fell_back", why=segment_why(fell_back)), icon=":material/history:")
    st.caption(tr("segments.size_now", members=member_set.size))
    return member_set


def segment_why(exc: Any) -> str:
    """Why a segment's definition no longer applies (lib.segments.NoLongerApplies), in the user's
    language, its names escaped."""
    return tr(f"segments.why_{exc.reason}", **{k: markdown_text(str(v)) for k, v in exc.values.items()})


def _date_range(first: date, last: date) -> tuple[date, date]:
    key = FILTER_KEY + "dates"
    if key not in st.session_state:
        start = _url_date("start", first, last) or first
        end = _url_date("end", first, last) or last
        if end < start:
            link_ignored(tr("link.end_before_start", start=start, end=end))
            end = start
        st.session_state[key] = (start, end)
    picked = st.date_input(tr("date_range"), min_value=first, max_value=last, key=key)
    start, end = (tuple(picked) + (last,))[:2] if isinstance(picked, (tuple, list)) else (picked, last)
    start, end = start or first, end or last  # a half-picked range keeps the other end
    _to_url("start", [start.isoformat()] if start != first else [])
    _to_url("end", [end.isoformat()] if end != last else [])
    return start, end


def _url_date(name: str, first: date, last: date) -> date | None:
    """The link's start or end date, moved into the data's span (saying so); None when it has none
    or not a date (saying so)."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        link_ignored(tr("link.not_a_date", field=tr(f"link.{name}"), value=markdown_text(raw)))
        return None
    shown = min(max(value, first), last)
    if shown != value:
        link_ignored(tr("link.date_outside", field=tr(f"link.{name}"), value=value, first=first, last=last,
                        shown=shown))
    return shown


def _to_url(name: str, values: list[str]) -> None:
    if values:
        st.query_params[name] = values
    else:
        st.query_params.pop(name, None)


def _value_label(name: str) -> Callable[[str], str]:
    if name == "gender":
        return lambda v: tr(f"gender_{v}") if v in ("M", "F") else v
    return str


# -- shared page pieces ----------------------------------------------------------------------

def url_option(name: str, options: Sequence[Any], default: Any, label: str | None = None) -> Any:
    """The option named by URL query parameter `name` (compared as text, so ids of any type work),
    or `default` when it is missing or not one of `options`: a shared link never breaks a page. A
    value not offered is said (the control's `label`, else `name`) and taken out of the link."""
    raw = st.query_params.get(name)
    chosen = next((o for o in options if str(o) == raw), None)
    if raw is not None and chosen is None:
        link_ignored(tr("link.no_such_option", field=markdown_text(label or name), value=markdown_text(raw)))
        st.query_params.pop(name, None)
    return default if chosen is None else chosen


def without_joiners(text: str | None) -> str | None:
    """Text copied off a page, without the WORD JOINERs lib.formatting.markdown_text put in (they
    keep a@b.c or www.… from becoming links): a member id or dataset name pasted back still matches."""
    return None if text is None else text.replace(WORD_JOINER, "")


def link_ignored(part: str) -> None:
    """Add `part` (markdown, user values escaped) to this run's one notice, at the top of the page,
    of what its link asked for and did not get: a dataset, a filter value, a date or a page option
    that is not there. Never another view silently."""
    _link.ignored.append(part)
    _link.slot.warning(tr("link.ignored", parts=("；" if lang() == "zh" else "; ").join(_link.ignored)),
                       icon=":material/link_off:")


def kept(widget: Callable[..., Any], label: str, options: Sequence[Any], key: str, default: Any,
         **kwargs: Any) -> Any:
    """A choice widget (segmented control, selectbox, select slider …) whose value is kept in the
    URL under `key`: a link opens it at the link's value (one not offered is said, and `default`
    used); a value no longer offered (the options changed) falls back to `default`. A disabled
    widget's value stays out of the URL: it chooses nothing, and a link should not carry it."""
    if key not in st.session_state:  # this session's first run of the page: the link's value
        st.session_state[key] = url_option(key, options, default, label)
    elif st.session_state[key] not in options:  # no longer offered (the filters changed)
        st.session_state[key] = default
    value = widget(label, options, key=key, **kwargs)
    keep_in_url(key, None if kwargs.get("disabled") else value, default)
    return value


def counted_selectbox(label: str, options: Sequence[Any], key: str, format_func: Callable[[Any], str],
                      default: Any) -> Any:
    """A selectbox whose option labels carry counts that change with the filters or language
    ("Champions (499 members)"); starts at `default` when its value is not (or no longer) offered.
    The browser holds the choice as its label's text and goes on showing that text when only the
    labels change: setting the value again sends the new one."""
    labels = [format_func(o) for o in options]
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    elif st.session_state.get(f"{key}_labels") != labels:
        st.session_state[key] = st.session_state[key]
    st.session_state[f"{key}_labels"] = labels
    return st.selectbox(label, options, format_func=format_func, key=key)


def keep_in_url(name: str, value: Any, default: Any) -> None:
    """Keep a page option in the URL as its id (never a translated label, so a link works in both
    languages); the default is left out to keep links short."""
    if value is None or value == default:
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = str(value)


def require_dataset(store: Store) -> Dataset:
    """The session's dataset, or an explanation and the end of the page."""
    ds = current_dataset(store)
    if ds is None:
        st.info(tr("no_datasets"))
        st.stop()
    return ds


def require_orders(ds: Dataset) -> tuple[date, date]:
    """First and last order date of the dataset (the last is data end), or words saying it has
    no orders yet (a dataset of NPS answers or spend only) and the end of the page."""
    from lib.kpis import order_span

    first, last = compute(order_span, ds)
    if first is None:
        st.info(tr("no_orders"), icon=":material/shopping_cart_off:")
        st.stop()
    return first, last


@dataclass(frozen=True)
class AnalysisPage:
    """What every analysis page starts from (analysis_page)."""

    ds: Dataset
    filters: Filters
    lang: Lang
    first: date  # first order date of the dataset
    last: date   # last order date: data end

    def say(self, key: str, **values: object) -> str:
        """A label in this run's language (Streamlit may call a format_func outside the run, when
        the session's language could have changed)."""
        return t(key, self.lang, **values)


def analysis_page(title_key: str, caption_key: str | None = None) -> AnalysisPage:
    """The preamble of every analysis page: the session's dataset (else an explanation and the end
    of the page), the page's title and caption, its orders' first and last dates (else "no orders
    yet" and the end), the filters and the language."""
    ds = require_dataset(open_store())
    st.title(tr(title_key))
    if caption_key:
        st.caption(tr(caption_key))
    filters = current_filters()
    if filters.segment is not None:  # the sidebar's picker is far down: say it where the numbers are
        st.info(tr("segments.page_scoped", name=markdown_text(filters.segment.name), members=filters.segment.size,
                   mode=tr(f"segments.mode_{filters.segment.mode}")), icon=":material/group_work:")
    if is_spark(ds):  # Spark started (once per source) with words on the page, not a blank one
        with st.spinner(tr("spark.starting")):
            engine(ds.name)
    first, last = require_orders(ds)
    return AnalysisPage(ds, filters, lang(), first, last)


def no_data(message_key: str = "no_match") -> None:
    """Say why there is nothing to show, in words (never an empty chart or an error)."""
    st.info(tr(message_key), icon=":material/filter_alt:")
