"""lib/ui.py's analysis cache: keyed so a dataset made again never gets old numbers, and warmed
after an import with the views drawn before."""

from __future__ import annotations

import functools

from lib import clv, kpis, lifecycle, ui
from lib.filters import Filters
from lib.w5h1 import why
from tests.conftest import import_csv

NINE = "会员ID,订单号,支付时间,实付金额\nM9,A9,2024-03-01,70\n"


def revenue(frame) -> float:
    return dict(zip(frame["metric"], frame["value"]))["revenue"]


def test_the_cache_never_serves_a_deleted_dataset_made_again(workspace, tmp_path):
    assert revenue(ui.compute(kpis.run, workspace.dataset("shop"), kpis.KpiSpec())) == 180.0  # 100 + 50 + 30
    workspace.delete_dataset("shop")
    import_csv(workspace, tmp_path, "shop", NINE)
    again = workspace.dataset("shop")
    assert again.version == 2  # the same name and version as the first one had
    assert revenue(ui.compute(kpis.run, again, kpis.KpiSpec())) == 70.0


def test_an_import_warms_the_views_drawn_before_on_the_new_data(workspace, tmp_path, monkeypatch):
    ds = workspace.dataset("shop")
    ui.compute(kpis.run, ds, kpis.KpiSpec())
    ui.compute(lifecycle.prospects_known, ds, Filters())  # filters themselves are a view too
    fitted = ui.compute(clv.fit, ds, clv.ClvSpec())
    ui.compute(why.value_bands, ds, clv.ClvSpec(), model=fitted)  # tied to the old fit: not warmed
    import_csv(workspace, tmp_path, "shop", NINE)
    computed: list = []
    for module, name in ((kpis, "run"), (why, "value_bands"), (lifecycle, "prospects_known")):
        original = getattr(module, name)

        @functools.wraps(original)  # the same name: the same cache entry
        def counted(*args, original=original, **kwargs):
            computed.append(original.__name__)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    ui.warm_views("shop").join(timeout=60)
    assert sorted(computed) == ["prospects_known", "run"]  # on the new data, in the background
    headline = ui.compute(kpis.run, workspace.dataset("shop"), kpis.KpiSpec())  # from the cache
    assert len(computed) == 2 and revenue(headline) == 250.0  # 180 + 70
    assert ui.warm_views("unknown") is None


def test_an_import_warms_the_sources_of_derived_views_too(workspace, tmp_path, monkeypatch):
    ds = workspace.dataset("shop")
    ui.derived(lifecycle.summary_of, ds, ((lifecycle.run, lifecycle.LifecycleSpec()),))
    import_csv(workspace, tmp_path, "shop", NINE)
    computed: list = []
    original = lifecycle.run

    @functools.wraps(original)
    def counted(*args, **kwargs):
        computed.append(original.__name__)
        return original(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "run", counted)
    ui.warm_views("shop").join(timeout=60)
    assert computed == ["run"]
    ui.derived(lifecycle.summary_of, workspace.dataset("shop"), ((lifecycle.run, lifecycle.LifecycleSpec()),))
    assert computed == ["run"]  # the view on the new data reads the warmed result
