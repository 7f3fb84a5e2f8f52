"""Every page renders through Streamlit's AppTest on a small workspace, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import ui

ROOT = Path(__file__).resolve().parents[1]
ORDERS = "会员ID,订单号,支付时间,实付金额\nM1,A1,2024-01-05,100\nM1,A2,2024-02-05,50\nM2,A3,2024-01-06,30\n"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """An app workspace holding one small dataset; caches cleared so no test sees another's."""
    monkeypatch.setenv("MEMBERLENS_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setattr("lib.samples.SAMPLE_DIR", tmp_path / "no-samples")
    ui.shared_store.clear()
    store = ui.shared_store()
    from lib.ingest import ingest

    src = tmp_path / "orders.csv"
    src.write_text(ORDERS, encoding="utf-8")
    ingest(store, [src], "shop")
    yield store
    ui.shared_store.clear()
    store.close()


def app(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["lang"] = lang
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_shows_the_kpis(workspace, lang):
    at = app(lang).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # 100 + 50 + 30 = 180 over 3 orders by 2 buyers; M1 bought twice.
    revenue, buyers, rate = ("销售额", "购买人数", "复购率") if lang == "zh" else ("Revenue (net)", "Buyers", "Repurchase rate")
    assert metrics[revenue] == "¥180.00"
    assert metrics[buyers] == "2"
    assert metrics[rate] == "50.0%"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_lists_datasets(workspace, lang):
    at = app(lang)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.dataframe[0].value.shape[0] == 1
