from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lib.store import Store  # noqa: E402

# The app as a laptop runs it: no access control, even where this checkout's (or the user's)
# .streamlit/secrets.toml locks it (tests/test_access.py gives its own secrets to each AppTest).
from streamlit import config as _streamlit_config  # noqa: E402

_streamlit_config.set_option("secrets.files", [str(ROOT / "tests" / "no-secrets.toml")])

# The browser tests (tests/test_browser.py: `streamlit run` + headless Chromium, about a minute and
# a half) are opt-in locally and always on in CI (.ci/run sets this).
BROWSER_TESTS = os.environ.get("MEMBERLENS_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    if BROWSER_TESTS:
        return
    skip = pytest.mark.skip(reason="browser tests are opt-in locally: MEMBERLENS_BROWSER=1 pytest (CI runs them)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "ws.duckdb") as st:
        yield st


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text, encoding='utf-8') -> path; bytes are written as given."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


# -- app workspaces --------------------------------------------------------------------------

DEMO_ORDERS = ("会员ID,订单号,支付时间,实付金额,渠道,品类\n"
               "M1,A1,2024-01-05,100,门店,奶粉\nM1,A2,2024-02-05,50,天猫,纸尿裤\nM2,A3,2024-01-06,30,天猫,奶粉\n")

# Five buyers a step apart on every dimension (data end 2024-06-30), for the RFM and lifecycle pages:
# recency 0 / 10 / 20 / 30 / 40 days, 5 / 4 / 3 / 2 / 1 orders of ¥100 each.
FIVE_BUYERS = """会员ID,订单号,支付时间,实付金额,渠道
A,A1,2024-06-26,100,天猫
A,A2,2024-06-27,100,天猫
A,A3,2024-06-28,100,天猫
A,A4,2024-06-29,100,天猫
A,A5,2024-06-30,100,天猫
B,B1,2024-03-01,100,门店
B,B2,2024-04-01,100,门店
B,B3,2024-05-01,100,天猫
B,B4,2024-06-20,100,天猫
C,C1,2024-04-10,100,门店
C,C2,2024-05-15,100,门店
C,C3,2024-06-10,100,门店
D,D1,2023-05-31,100,门店
D,D2,2024-05-31,100,门店
E,E1,2024-05-21,100,门店
"""


def import_csv(store: Store, folder: Path, dataset: str, text: str, kind: str = "orders") -> None:
    """Import CSV text into `dataset` through the real ingest, as a file the user chose."""
    from lib.ingest import ingest

    src = folder / f"{dataset}-{kind}.csv"
    src.write_text(text, encoding="utf-8")
    ingest(store, [src], dataset, kind=kind)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """An app workspace (MEMBERLENS_DB) holding one small dataset "shop" (DEMO_ORDERS), and no
    bundled demo; Streamlit's caches are cleared before and after, so no test sees another's."""
    from lib import ui

    monkeypatch.setenv("MEMBERLENS_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setattr("lib.samples.SAMPLE_DIR", tmp_path / "no-samples")
    ui.clear_analysis_cache()
    ui.shared_store.clear()
    store = ui.shared_store()
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    yield store
    ui.clear_analysis_cache()
    ui.shared_store.clear()
    store.close()


@pytest.fixture
def add_dataset(workspace, tmp_path):
    """add_dataset(name, orders, members=None) -> the workspace, with dataset `name` imported from
    CSV text (orders, and a members file if given) besides "shop"."""

    def _add(name: str, orders: str, members: str | None = None) -> Store:
        import_csv(workspace, tmp_path, name, orders)
        if members is not None:
            import_csv(workspace, tmp_path, name, members, kind="members")
        return workspace

    return _add


@pytest.fixture
def five_buyers(add_dataset):
    """The workspace with dataset "five" (FIVE_BUYERS) besides "shop"."""
    return add_dataset("five", FIVE_BUYERS)


# -- the bundled demo, once per run ------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    """(db path, dataset name) of a workspace holding only the bundled demo, as the app's first
    start makes it; shared by the report snapshots and the members-add-up checks (read it, never
    change it)."""
    from tests import report_snapshots

    return report_snapshots.demo_workspace(tmp_path_factory.mktemp("demo"))


# -- pages through AppTest ------------------------------------------------------------------

def app(lang: str = "zh", **params: str | list[str]):
    """An AppTest of app.py with URL query parameters (lang, filters …), not yet run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    return at


def page(name: str, lang: str = "zh", **params: str | list[str]):
    """An AppTest run straight onto pages/<name>.py (app.py draws the sidebar around it), without error."""
    at = app(lang, **params)
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception
    return at


def set_filters(at, **picked: list[str]):
    """Pick values in the sidebar's filters (flt_channel, flt_category …), then rerun without error."""
    for name, values in picked.items():
        at.sidebar.multiselect(key=f"flt_{name}").set_value(values)
    at.run()
    assert not at.exception
    return at


def figures(at) -> list[dict]:
    """The plotly figures on the page, as their JSON specs, top to bottom."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def figure(at, title: str) -> dict:
    """The one figure whose title contains `title`."""
    specs = figures(at)
    titles = [spec["layout"]["title"]["text"] for spec in specs]
    found = [spec for spec, text in zip(specs, titles) if title in text]
    assert len(found) == 1, (title, titles)
    return found[0]


def traces(spec: dict, kind: str | None = None) -> dict[str, dict]:
    """A figure's traces by name; only those of plotly type `kind` if given."""
    return {trace["name"]: trace for trace in spec["data"] if kind in (None, trace["type"])}


def as_shown(markdown: str) -> str:
    """What a user reads of markdown holding escaped user text (lib.formatting.markdown_text): the
    backslash escapes and WORD JOINERs taken out."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def metrics(at) -> dict[str, str]:
    """The metric cards' values by label."""
    return {m.label: m.value for m in at.metric}
