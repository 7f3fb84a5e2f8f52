"""The bundled demo: reproducible from the generator, and loaded once into a new workspace."""

from __future__ import annotations

from lib.demo import DEFAULT_MEMBERS, DEFAULT_SEED, generate
from lib.samples import SAMPLE_DATASET, SAMPLE_DIR, SAMPLE_FILES, ensure_sample_dataset


def test_committed_sample_is_what_the_generator_writes(tmp_path):
    written = generate(tmp_path, members=DEFAULT_MEMBERS, seed=DEFAULT_SEED)
    for path in written.values():
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), path.name
    assert sum((SAMPLE_DIR / name).stat().st_size for _, name in SAMPLE_FILES) <= 15_000_000


def test_a_new_workspace_gets_the_demo_once(store):
    assert ensure_sample_dataset(store) is True
    ds = store.dataset(SAMPLE_DATASET)
    counts = store.table_counts(ds)
    assert counts["members"] == DEFAULT_MEMBERS  # every registered member, prospects included
    assert counts["order_lines"] > 50_000 and counts["nps"] > 0 and counts["spend"] > 0
    channels = store.query(f"SELECT DISTINCT channel FROM {ds.table('orders')} ORDER BY 1")["channel"].to_list()
    assert channels == ["App", "天猫", "小程序", "门店"]
    assert ensure_sample_dataset(store) is False  # already there
    store.delete_dataset(SAMPLE_DATASET)
    assert ensure_sample_dataset(store) is False  # deleted by the user: stays deleted
    assert store.datasets() == []


def test_a_demo_that_fails_to_load_leaves_nothing_half_loaded(store, tmp_path):
    import shutil

    import pytest

    from lib.ingest import IngestError

    broken = tmp_path / "samples"
    broken.mkdir()
    shutil.copy(SAMPLE_DIR / "spend.csv", broken / "spend.csv")
    (broken / "orders.csv").write_text("会员ID,支付时间,金额\nM1,2024-01-05,5\n", encoding="utf-8")
    (broken / "members.xlsx").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(IngestError):
        ensure_sample_dataset(store, broken)
    assert store.datasets() == []
