"""lib/results.py: slow results kept on disk beside the workspace, read back only for the same
dataset version, arguments and code, and never able to run code from a planted file."""

from __future__ import annotations

import functools
import os
import pickle

import polars as pl
import pytest

from lib import kpis, lifecycle, results
from lib.filters import Filters
from tests.conftest import DEMO_ORDERS, ROOT, import_csv


@pytest.fixture(autouse=True)
def keep_everything(monkeypatch):
    monkeypatch.setattr(results, "KEEP_AFTER_SECONDS", 0.0)  # the tests' data are fast to compute
    monkeypatch.delenv(results.MAX_BYTES_ENV, raising=False)


def kept_kpis(store, ds, calls: list, spec=kpis.KpiSpec()):
    def compute():
        calls.append(1)
        return kpis.run(store, ds, spec)
    return results.kept(store, ds, "lib.kpis.run", (spec,), (), compute)


def test_a_result_is_read_back_for_the_same_version_and_arguments(store, tmp_path):
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    ds, calls = store.dataset("shop"), []
    first = kept_kpis(store, ds, calls)
    again = kept_kpis(store, ds, calls)
    assert calls == [1] and again.equals(first)
    assert dict(zip(again["metric"], again["value"]))["revenue"] == 180.0  # 100 + 50 + 30
    other = kept_kpis(store, ds, calls, kpis.KpiSpec(Filters(start=None, end=None)))  # an equal spec
    assert calls == [1] and other.equals(first)
    kept_kpis(store, ds, calls, kpis.KpiSpec(Filters.of(channel=["天猫"])))  # another spec
    assert calls == [1, 1]
    assert len(list(results.folder(store.path).glob("*.pickle"))) == 2


def test_a_new_import_is_computed_again_and_removes_the_old_versions(store, tmp_path):
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    calls: list = []
    kept_kpis(store, store.dataset("shop"), calls)
    import_csv(store, tmp_path, "shop", "会员ID,订单号,支付时间,实付金额\nM9,A9,2024-03-01,70\n")
    ds = store.dataset("shop")
    fresh = kept_kpis(store, ds, calls)
    assert calls == [1, 1]
    assert dict(zip(fresh["metric"], fresh["value"]))["revenue"] == 250.0  # 180 + 70
    files = [f.name for f in results.folder(store.path).glob("*.pickle")]
    assert len(files) == 1 and files[0].startswith(f"{ds.id}-{ds.version}-")


def test_a_deleted_and_recreated_dataset_never_reads_the_old_result(store, tmp_path):
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    calls: list = []
    kept_kpis(store, store.dataset("shop"), calls)
    store.delete_dataset("shop")
    import_csv(store, tmp_path, "shop", "会员ID,订单号,支付时间,实付金额\nM9,A9,2024-03-01,70\n")
    fresh = kept_kpis(store, store.dataset("shop"), calls)
    assert calls == [1, 1] and dict(zip(fresh["metric"], fresh["value"]))["revenue"] == 70.0


def test_a_planted_file_cannot_run_code_and_is_replaced(store, tmp_path):
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    ds, spec, calls = store.dataset("shop"), kpis.KpiSpec(), []
    path = results.file_of(store, ds, "lib.kpis.run", (spec,), ())
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path.write_bytes(pickle.dumps(Planted()))
    frame = kept_kpis(store, ds, calls)
    assert not marker.exists() and calls == [1] and isinstance(frame, pl.DataFrame)
    assert kept_kpis(store, ds, calls).equals(frame) and calls == [1]  # the real result replaced it


def test_not_our_classes_nor_functions_are_built(store):
    for module, name in (("os", "system"), ("builtins", "eval"), ("lib.store", "Store"),
                         ("lib.results", "kept"), ("subprocess", "Popen")):
        payload = pickle.dumps(getattr(__import__(module, fromlist=[name]), name))
        with pytest.raises(pickle.UnpicklingError):
            results._SafeUnpickler(__import__("io").BytesIO(payload)).load()


def test_the_folder_is_trimmed_to_its_size_least_recently_used_first(store, tmp_path):
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    ds, calls = store.dataset("shop"), []
    specs = [lifecycle.LifecycleSpec(churn_days=d) for d in (100, 200, 300)]
    for spec in specs:
        results.kept(store, ds, "lib.lifecycle.run", (spec,), (), lambda s=spec: lifecycle.run(store, ds, s))
    files = [results.file_of(store, ds, "lib.lifecycle.run", (spec,), ()) for spec in specs]
    for age, file in enumerate(files):  # written oldest first …
        os.utime(file, (1000 + age, 1000 + age))
    results.kept(store, ds, "lib.lifecycle.run", (specs[0],), (), lambda: calls.append(1))  # … then read back
    results._trim(files[0].parent, sum(f.stat().st_size for f in files) - 1)  # one must go
    assert calls == [] and [f.exists() for f in files] == [True, False, True]
    killed, writing = files[0].with_suffix(".part"), files[2].with_suffix(".part")  # a write killed, one going on
    killed.write_bytes(b"half"); writing.write_bytes(b"half")
    os.utime(killed, (1000, 1000))
    results._trim(files[0].parent, 10**9)
    assert not killed.exists() and writing.exists()


def test_a_limit_of_zero_keeps_nothing(store, tmp_path, monkeypatch):
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    monkeypatch.setenv(results.MAX_BYTES_ENV, "0")
    calls: list = []
    kept_kpis(store, store.dataset("shop"), calls)
    kept_kpis(store, store.dataset("shop"), calls)
    assert calls == [1, 1] and not results.folder(store.path).exists()


def test_the_app_reads_results_back_after_a_restart(workspace, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from lib import ui

    def open_lifecycle():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["dataset"] = "shop"
        at.switch_page("pages/lifecycle.py").run()
        assert not at.exception
        return at

    open_lifecycle()
    kept = sorted(results.folder(workspace.path).glob("*.pickle"))
    assert kept  # lifecycle.run, its mix over time, …
    ui.clear_analysis_cache(kept_on_disk=False)  # a restarted app
    computed: list = []
    original = lifecycle.mix_over_time

    @functools.wraps(original)  # the same name: the same kept result
    def counted(*args, **kwargs):
        computed.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "mix_over_time", counted)
    at = open_lifecycle()
    assert computed == [] and sorted(results.folder(workspace.path).glob("*.pickle")) == kept
    ui.clear_analysis_cache()
    assert not list(results.folder(workspace.path).glob("*.pickle"))
    assert at.metric  # the page drew its numbers from what was read back


def test_an_import_warms_the_views_drawn_before_on_the_new_data(workspace, tmp_path, monkeypatch):
    from lib import clv, ui
    from lib.w5h1 import why

    ds = workspace.dataset("shop")
    ui.compute(kpis.run, ds, kpis.KpiSpec())
    fitted = ui.compute(clv.fit, ds, clv.ClvSpec())
    ui.compute(why.value_bands, ds, clv.ClvSpec(), model=fitted)  # tied to the old fit: not warmed
    import_csv(workspace, tmp_path, "shop", "会员ID,订单号,支付时间,实付金额\nM9,A9,2024-03-01,70\n")
    computed: list = []
    for module, name in ((kpis, "run"), (why, "value_bands")):
        original = getattr(module, name)

        @functools.wraps(original)
        def counted(*args, original=original, **kwargs):
            computed.append(original.__name__)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    ui.warm_views("shop").join(timeout=60)
    assert computed == ["run"]  # kpis on the new data, in the background
    new = workspace.dataset("shop")
    headline = ui.compute(kpis.run, new, kpis.KpiSpec())  # read from the cache: not computed again
    assert computed == ["run"] and dict(zip(headline["metric"], headline["value"]))["revenue"] == 250.0
    assert ui.warm_views("unknown") is None
