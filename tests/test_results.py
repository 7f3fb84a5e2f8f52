"""lib/results.py: slow results kept on disk beside the workspace, read back only for the same
dataset version, arguments and code, only when signed by the workspace's own key, and never able
to hurt the app: planted, swapped, oversized files, links, FIFOs, failed writes."""

from __future__ import annotations

import functools
import os
import pickle

import polars as pl
import pytest

from lib import kpis, lifecycle, results
from lib.filters import Filters
from lib.store import Store
from tests.conftest import DEMO_ORDERS, import_csv, page

NEW_LINE = "会员ID,订单号,支付时间,实付金额\nM9,A9,2024-03-01,70\n"


@pytest.fixture(autouse=True)
def keep_everything(monkeypatch):
    monkeypatch.setattr(results, "KEEP_AFTER_SECONDS", 0.0)  # the tests' data are fast to compute
    monkeypatch.setattr(results, "WRITE_IN_BACKGROUND", False)  # on disk when read_or_compute returns
    monkeypatch.delenv(results.MAX_BYTES_ENV, raising=False)


@pytest.fixture
def shop(store, tmp_path):
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    return store.dataset("shop")


def kept_kpis(store, ds, calls: list, spec=kpis.KpiSpec()):
    def compute():
        calls.append(1)
        return kpis.run(store, ds, spec)
    return results.read_or_compute(store, ds, "lib.kpis.run", (spec,), (), compute)


def revenue(frame: pl.DataFrame) -> float:
    return dict(zip(frame["metric"], frame["value"]))["revenue"]


def kept_files(store) -> list[str]:
    return sorted(f.name for f in results.folder(store.path).glob("*.result"))


def path_of(store, ds, spec=kpis.KpiSpec()):
    return results.folder(store.path) / results.file_name(ds, "lib.kpis.run", (spec,), ())


def test_a_result_is_read_back_for_the_same_version_and_arguments(store, shop):
    calls: list = []
    first = kept_kpis(store, shop, calls)
    again = kept_kpis(store, shop, calls)
    assert calls == [1] and again.equals(first) and revenue(again) == 180.0  # 100 + 50 + 30
    other = kept_kpis(store, shop, calls, kpis.KpiSpec(Filters(start=None, end=None)))  # an equal spec
    assert calls == [1] and other.equals(first)
    kept_kpis(store, shop, calls, kpis.KpiSpec(Filters.of(channel=["天猫"])))  # another spec
    assert calls == [1, 1] and len(kept_files(store)) == 2
    assert oct(os.stat(results.folder(store.path)).st_mode & 0o777) == "0o700"  # private to the app's user


def test_a_new_import_is_computed_again_and_removes_the_old_versions(store, shop, tmp_path):
    calls: list = []
    kept_kpis(store, shop, calls)
    import_csv(store, tmp_path, "shop", NEW_LINE)
    ds = store.dataset("shop")
    assert kept_files(store) == []  # gone with the import, once it committed
    assert revenue(kept_kpis(store, ds, calls)) == 250.0 and calls == [1, 1]  # 180 + 70
    [name] = kept_files(store)
    assert name.startswith(f"{ds.id}-{ds.version}-")


def test_a_deleted_and_recreated_dataset_never_reads_the_old_result(store, shop, tmp_path):
    calls: list = []
    kept_kpis(store, shop, calls)
    store.delete_dataset("shop")
    import_csv(store, tmp_path, "shop", NEW_LINE)
    assert revenue(kept_kpis(store, store.dataset("shop"), calls)) == 70.0 and calls == [1, 1]


def test_an_import_a_rename_and_a_delete_remove_the_datasets_results(store, shop, tmp_path):
    import_csv(store, tmp_path, "other", DEMO_ORDERS)
    calls: list = []
    kept = lambda name: kept_kpis(store, store.dataset(name), calls)  # noqa: E731
    kept("shop"), kept("other")
    owners = lambda: sorted(name.split("-")[0] for name in kept_files(store))  # noqa: E731
    other = str(store.dataset("other").id)
    assert owners() == sorted([str(shop.id), other])
    import_csv(store, tmp_path, "shop", NEW_LINE)
    assert owners() == [other]
    kept("shop")
    store.rename_dataset("shop", "shop2")
    assert owners() == [other]
    kept("shop2")
    store.delete_dataset("shop2")
    assert owners() == [other]


def test_a_planted_unsigned_file_is_never_unpickled_and_is_replaced(store, shop, tmp_path):
    calls: list = []
    path = path_of(store, shop)
    path.parent.mkdir(exist_ok=True)
    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for body in (pickle.dumps(Planted()), results.MAGIC + b"\0" * 32 + pickle.dumps(Planted())):
        path.write_bytes(body)
        frame = kept_kpis(store, shop, calls)
        assert not marker.exists() and isinstance(frame, pl.DataFrame) and revenue(frame) == 180.0
    assert calls == [1, 1]
    assert kept_kpis(store, shop, calls).equals(frame) and calls == [1, 1]  # the real result replaced it


def test_only_this_workspaces_own_files_for_that_very_view_are_read(store, shop, tmp_path):
    calls: list = []
    kept_kpis(store, shop, calls)
    filtered = kpis.KpiSpec(Filters.of(channel=["天猫"]))
    # A good file copied to another view's name: the signature covers the name, so it is not read.
    path_of(store, shop, filtered).write_bytes(path_of(store, shop).read_bytes())
    assert revenue(kept_kpis(store, shop, calls, filtered)) == 80.0 and calls == [1, 1]  # 天猫 only: 50 + 30
    # Another workspace's result (another key) planted under this one's name: not read.
    with Store(tmp_path / "other.duckdb") as other:
        import_csv(other, tmp_path, "shop", DEMO_ORDERS)
        assert other.results_key() != store.results_key()
        forged = kpis.run(other, other.dataset("shop"), kpis.KpiSpec()).with_columns(value=pl.lit(1.0))
        with results._opened(other.path) as where:
            where.keep(other, other.dataset("shop"), path_of(store, shop).name, forged, other.results_key(), 10**9)
        path_of(store, shop).write_bytes((results.folder(other.path) / path_of(store, shop).name).read_bytes())
    assert revenue(kept_kpis(store, shop, calls)) == 180.0 and calls == [1, 1, 1]


def test_links_fifos_and_oversized_files_are_never_read_nor_followed(store, shop, tmp_path, monkeypatch):
    calls: list = []
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    path = path_of(store, shop)
    path.parent.mkdir(exist_ok=True)
    path.symlink_to(outside)
    assert revenue(kept_kpis(store, shop, calls)) == 180.0 and calls == [1]
    assert outside.read_text() == "not ours"  # neither read as a result nor removed through the link
    path.unlink()
    os.mkfifo(path)  # opening a FIFO to read would wait for a writer forever: it is skipped at once
    assert revenue(kept_kpis(store, shop, calls)) == 180.0 and calls == [1, 1]
    path.unlink()
    kept_kpis(store, shop, calls)  # a good file …
    monkeypatch.setenv(results.MAX_BYTES_ENV, str(path.stat().st_size - 1))  # … over the cap: not read
    assert revenue(kept_kpis(store, shop, calls)) == 180.0 and calls == [1, 1, 1, 1]


def test_a_results_folder_that_is_a_link_is_not_used(store, shop, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.me").write_text("x")
    results.folder(store.path).symlink_to(elsewhere, target_is_directory=True)
    calls: list = []
    kept_kpis(store, shop, calls), kept_kpis(store, shop, calls)
    assert calls == [1, 1] and sorted(p.name for p in elsewhere.iterdir()) == ["keep.me"]
    results.forget(store.path)
    results.forget_dataset(store.path, shop.id)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.me"]


def test_any_failure_while_reading_means_computed_again(store, shop, monkeypatch):
    calls: list = []
    kept_kpis(store, shop, calls)

    class Panic(BaseException):  # what polars raises for a corrupt frame: not an Exception
        pass

    def panics(self):
        raise Panic("corrupt frame")

    monkeypatch.setattr(results._SafeUnpickler, "load", panics)
    assert revenue(kept_kpis(store, shop, calls)) == 180.0 and calls == [1, 1]


def test_a_failed_write_leaves_no_part_and_the_result_is_still_shown(store, shop, monkeypatch):
    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results.os, "replace", full_disk)
    calls: list = []
    assert revenue(kept_kpis(store, shop, calls)) == 180.0
    assert list(results.folder(store.path).iterdir()) == []


def test_an_import_goes_through_when_results_cannot_be_removed(store, shop, tmp_path, monkeypatch):
    kept_kpis(store, shop, [])

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(results.os, "unlink", refused)
    import_csv(store, tmp_path, "shop", NEW_LINE)  # the import itself does not depend on the clean-up
    assert store.dataset("shop").version == shop.version + 1
    assert revenue(kpis.run(store, store.dataset("shop"), kpis.KpiSpec())) == 250.0


def test_not_our_classes_nor_functions_are_built():
    for module, name in (("os", "system"), ("builtins", "eval"), ("lib.store", "Store"),
                         ("lib.results", "read_or_compute"), ("subprocess", "Popen"),
                         ("numpy", "dtype")):
        payload = pickle.dumps(getattr(__import__(module, fromlist=[name]), name))
        with pytest.raises(pickle.UnpicklingError):
            results._SafeUnpickler(__import__("io").BytesIO(payload)).load()
    # A dotted name walks attributes: from a module of ours into another package's classes.
    reaching = b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x06lib.ui\x94\x8c\x14st.runtime.Something\x94\x93\x94."
    with pytest.raises(pickle.UnpicklingError):
        results._SafeUnpickler(__import__("io").BytesIO(reaching)).load()


def trim(store, limit: int) -> None:
    with results._opened(store.path) as where:
        where.trim(limit, results._dataset_versions(store))


def test_the_folder_is_trimmed_to_its_size_least_recently_read_first(store, shop):
    calls: list = []
    specs = [lifecycle.LifecycleSpec(churn_days=d) for d in (100, 200, 300)]
    for spec in specs:
        results.read_or_compute(store, shop, "lib.lifecycle.run", (spec,), (), lambda s=spec: lifecycle.run(store, shop, s))
    where = results.folder(store.path)
    files = [where / results.file_name(shop, "lib.lifecycle.run", (spec,), ()) for spec in specs]
    for age, file in enumerate(files):  # written oldest first …
        os.utime(file, (1000 + age, 1000 + age))
    results.read_or_compute(store, shop, "lib.lifecycle.run", (specs[0],), (), lambda: calls.append(1))  # … then read
    trim(store, sum(f.stat().st_size for f in files) - 1)  # one must go
    assert calls == [] and [f.exists() for f in files] == [True, False, True]
    killed = where / f"{files[0].name}.{'a' * 12}.part"  # a write killed long ago, one going on
    writing = where / f"{files[2].name}.{'b' * 12}.part"
    foreign = where / "notes.txt"  # not one of ours: never removed
    for file in (killed, writing, foreign):
        file.write_bytes(b"half")
    os.utime(killed, (1000, 1000)), os.utime(foreign, (1000, 1000))
    trim(store, 0)
    assert not killed.exists() and writing.exists() and foreign.exists()
    assert not any(f.exists() for f in files)


def test_results_of_datasets_gone_or_of_older_versions_are_swept(store, shop, tmp_path):
    calls: list = []
    kept_kpis(store, shop, calls)
    where = results.folder(store.path)
    name = path_of(store, shop).name
    gone = where / name.replace(f"{shop.id}-", "99-", 1)  # a dataset deleted while the app was down
    older = where / name.replace(f"{shop.id}-{shop.version}-", f"{shop.id}-{shop.version - 1}-", 1)
    for file in (gone, older):
        file.write_bytes(path_of(store, shop).read_bytes())
    trim(store, 10**9)
    assert kept_files(store) == [name]


def test_a_limit_of_zero_keeps_nothing(store, shop, monkeypatch):
    monkeypatch.setenv(results.MAX_BYTES_ENV, "0")
    calls: list = []
    kept_kpis(store, shop, calls), kept_kpis(store, shop, calls)
    assert calls == [1, 1] and not results.folder(store.path).exists()


def test_a_read_only_workspace_without_a_key_keeps_nothing(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    with duckdb.connect(str(path)) as con:  # a workspace made before the key existed
        con.execute("DELETE FROM meta WHERE key = 'results_key'")
    with Store(path, read_only=True) as store:
        calls: list = []
        kept_kpis(store, store.dataset("shop"), calls), kept_kpis(store, store.dataset("shop"), calls)
        assert calls == [1, 1] and store.results_key() is None
    with Store(path) as store:  # opened for writing, it gets one
        assert len(store.results_key()) == 32


def test_a_result_pickle_cannot_hold_is_still_returned(store, shop, monkeypatch):
    unpicklable = results.read_or_compute(store, shop, "lib.kpis.run", ("x",), (), lambda: (lambda: 1))
    assert unpicklable() == 1 and kept_files(store) == []

    class Panic(BaseException):  # polars' panics are not Exceptions
        pass

    def panics(*args, **kwargs):
        raise Panic("while pickling")

    monkeypatch.setattr(results.pickle, "dumps", panics)
    assert revenue(kept_kpis(store, shop, [])) == 180.0 and kept_files(store) == []


def test_the_app_reads_results_back_after_a_restart(workspace, monkeypatch):
    from lib import ui

    page("lifecycle", dataset="shop")
    kept = kept_files(workspace)
    assert kept  # lifecycle.run, its mix over time, …
    ui.clear_analysis_cache(kept_on_disk=False)  # a restarted app
    computed: list = []
    original = lifecycle.mix_over_time

    @functools.wraps(original)  # the same name: the same kept result
    def counted(*args, **kwargs):
        computed.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "mix_over_time", counted)
    at = page("lifecycle", dataset="shop")
    assert computed == [] and kept_files(workspace) == kept
    assert at.metric  # the page drew its numbers from what was read back
    # every page's kept results read back through the restricted unpickler (none holds numpy's objects)
    for name in ("overview", "cohorts", "rfm", "w5h1", "member"):
        page(name, dataset="shop")
    key = workspace.results_key()
    with results._opened(workspace.path) as where:
        names = [name for name, _ in where.names(results._RESULT_NAME)]
        assert len(names) > len(kept) and all(where.read(name, key, 10**9) is not None for name in names)
    ui.clear_analysis_cache()
    assert kept_files(workspace) == []


def test_the_code_digest_follows_an_edited_source_file(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("X = 1\n")
    monkeypatch.setattr(results, "LIB", tmp_path)
    before = results.code_digest()
    assert results.code_digest() == before
    (tmp_path / "a.py").write_text("X = 2\n")  # the same size: its modification time tells
    os.utime(tmp_path / "a.py", ns=(10**18, 10**18))
    edited = results.code_digest()
    assert edited != before
    (tmp_path / "b.py").write_text("")  # a new file
    added = results.code_digest()
    assert added != edited
    (tmp_path / ".#a.py").symlink_to(tmp_path / "gone")  # an editor's lock link, dangling; a hidden file
    (tmp_path / ".hidden.py").write_text("Y = 1\n")
    assert results.code_digest() == added


def test_a_result_computed_across_a_delete_or_an_import_is_not_kept(store, shop, tmp_path):
    # A slow view still computing when the dataset changes must not leave its numbers on disk.
    def deleted_meanwhile():
        frame = kpis.run(store, shop, kpis.KpiSpec())
        store.delete_dataset("shop")
        return frame

    results.read_or_compute(store, shop, "lib.kpis.run", (kpis.KpiSpec(),), (), deleted_meanwhile)
    assert kept_files(store) == []
    import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    ds = store.dataset("shop")

    def imported_meanwhile():
        frame = kpis.run(store, ds, kpis.KpiSpec())
        import_csv(store, tmp_path, "shop", NEW_LINE)
        return frame

    results.read_or_compute(store, ds, "lib.kpis.run", (kpis.KpiSpec(),), (), imported_meanwhile)
    assert kept_files(store) == []
    kept_kpis(store, store.dataset("shop"), [])  # the new version's own result is kept
    assert [name.split("-")[1] for name in kept_files(store)] == [str(ds.version + 1)]


def test_forgetting_a_dataset_removes_its_parts_too(store, shop):
    kept_kpis(store, shop, [])
    where = results.folder(store.path)
    part = where / f"{path_of(store, shop).name}.{'c' * 12}.part"  # a write killed a moment ago
    part.write_bytes(b"M1,M2 ...")
    store.delete_dataset("shop")
    assert list(where.iterdir()) == []


def test_a_folder_open_to_others_is_made_private_and_a_linked_workspace_shares_its_folder(store, shop, tmp_path):
    where = results.folder(store.path)
    where.mkdir(mode=0o755)
    os.chmod(where, 0o755)  # as an earlier version (or a umask) left it
    kept_kpis(store, shop, [])
    assert oct(os.stat(where).st_mode & 0o777) == "0o700"
    link = tmp_path / "link.duckdb"
    link.symlink_to(store.path)
    assert results.folder(link) == where


def test_a_huge_size_cap_still_reads_back(store, shop, monkeypatch):
    # 64 GB, then 1e20 (taken as 2**40): a read asks for the file's size, never the cap
    monkeypatch.setenv(results.MAX_BYTES_ENV, "68719476736")
    calls: list = []
    kept_kpis(store, shop, calls), kept_kpis(store, shop, calls)
    assert calls == [1]  # computed once, then read back
    monkeypatch.setenv(results.MAX_BYTES_ENV, "100000000000000000000")
    assert results.max_bytes() == 1 << 40
    kept_kpis(store, shop, calls)
    assert calls == [1]


def test_results_are_written_in_the_background(store, shop, monkeypatch):
    monkeypatch.setattr(results, "WRITE_IN_BACKGROUND", True)
    calls: list = []
    first = kept_kpis(store, shop, calls)
    results.wait_for_writes(timeout=30)
    assert kept_files(store) == [path_of(store, shop).name]
    assert kept_kpis(store, shop, calls).equals(first) and calls == [1]
