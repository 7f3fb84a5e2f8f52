from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lib.store import Store  # noqa: E402


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


DEMO_ORDERS = ("会员ID,订单号,支付时间,实付金额,渠道,品类\n"
               "M1,A1,2024-01-05,100,门店,奶粉\nM1,A2,2024-02-05,50,天猫,纸尿裤\nM2,A3,2024-01-06,30,天猫,奶粉\n")


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """An app workspace (MEMBERLENS_DB) holding one small dataset "shop" (DEMO_ORDERS), and no
    bundled demo; Streamlit's caches are cleared before and after, so no test sees another's."""
    import streamlit as st

    from lib import ui
    from lib.ingest import ingest

    monkeypatch.setenv("MEMBERLENS_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setattr("lib.samples.SAMPLE_DIR", tmp_path / "no-samples")
    st.cache_data.clear()
    ui.shared_store.clear()
    store = ui.shared_store()
    src = tmp_path / "orders.csv"
    src.write_text(DEMO_ORDERS, encoding="utf-8")
    ingest(store, [src], "shop")
    yield store
    st.cache_data.clear()
    ui.shared_store.clear()
    store.close()


def app(lang: str = "zh", **params: str | list[str]):
    """An AppTest of app.py with URL query parameters (lang, filters …), not yet run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    return at
