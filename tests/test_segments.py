"""Saved segments (lib/segments.py) on a hand-built dataset: what a segment holds when saved, live
and as saved after a re-import, as a filter on an analysis, its size at past month ends, the
overlap of two, the export, and every way it can stop applying.

The dataset (data end 2024-06-28, C's order), with the lifecycle stage of each member at data end (defaults:
churned after 180 days; decline when the last 90 days' spend ≤ 70 % of the 90 days' before):
    A  2024-01-10 100 门店, 2024-06-20 50 天猫   decline (last 90 days 50 ≤ 0.7 × 100 before)
    B  2024-03-05 30 门店                        exploration (one purchase, 115 days ago)
    C  2024-06-28 20 天猫                        exploration (one purchase, today)
    D  2023-12-01 40 门店                        churned (210 days > 180)
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from lib import cohorts, kpis, lifecycle, rfm, segments
from lib.filters import Filters, MemberSet
from lib.ingest import ingest
from lib.segments import Definition
from lib.store import Store

ORDERS = """member_id,order_id,order_date,amount,channel
A,A1,2024-01-10,100,门店
A,A2,2024-06-20,50,天猫
B,B1,2024-03-05,30,门店
C,C1,2024-06-28,20,天猫
D,D1,2023-12-01,40,门店
"""
EXPLORATION = Definition.of(lifecycle.members, lifecycle.LifecycleSpec(), lifecycle.StageCell("exploration"))


@pytest.fixture
def shop(store, write):
    ingest(store, [write("orders.csv", ORDERS)], "shop")
    return store


def ds(store: Store):
    return store.dataset("shop")


def kpi(store: Store, filters: Filters) -> dict[str, float]:
    return dict(kpis.run(store, ds(store), kpis.KpiSpec(filters)).select("metric", "value").rows())


def test_a_saved_segment_holds_its_definition_and_members(shop):
    saved = segments.save(shop, ds(shop), "  explorers ", EXPLORATION)
    assert (saved.name, saved.members, saved.data_end, saved.source) == ("explorers", 2, date(2024, 6, 28), "lifecycle")
    assert segments.snapshot(shop, saved)["member_id"].to_list() == ["B", "C"]
    assert segments.decode(saved.definition) == EXPLORATION  # the definition reads back as it was
    listed = segments.listing(shop).row(0, named=True)
    assert {k: listed[k] for k in ("name", "dataset", "dataset_exists", "source", "members")} == {
        "name": "explorers", "dataset": "shop", "dataset_exists": True, "source": "lifecycle", "members": 2}


def test_a_segment_filters_an_analysis_live_and_as_saved(shop):
    saved = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    live, fell_back = segments.scope(shop, ds(shop), saved, "live")
    assert fell_back is None and live.ids == ("B", "C") and live.mode == "live"
    for member_set in (live, segments.scope(shop, ds(shop), saved, "saved")[0]):
        numbers = kpi(shop, Filters.of(segment=member_set))
        # B's 30 and C's 20: two buyers, two orders, 50 of revenue, 25 a order
        assert (numbers["buyers"], numbers["orders"], numbers["revenue"], numbers["aov"]) == (2, 2, 50.0, 25.0)
    # every member when no segment filters: 4 buyers, 5 orders, 240
    assert (kpi(shop, Filters())["buyers"], kpi(shop, Filters())["revenue"]) == (4, 240.0)


def test_after_a_re_import_live_follows_the_data_and_saved_keeps_its_members(shop, write):
    saved = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    # B buys again (the new data end): two purchases, growing (60 in the last 90 days > 0.7 × 30 before)
    ingest(shop, [write("more.csv", "member_id,order_id,order_date,amount,channel\nB,B2,2024-06-30,60,天猫\n")], "shop")
    live, _ = segments.scope(shop, ds(shop), saved, "live")
    assert live.ids == ("C",)
    assert kpi(shop, Filters.of(segment=live))["revenue"] == 20.0  # C alone
    as_saved, _ = segments.scope(shop, ds(shop), saved, "saved")
    assert segments.ids_of(shop, as_saved)["member_id"].to_list() == ["B", "C"]
    assert kpi(shop, Filters.of(segment=as_saved))["revenue"] == 110.0  # B's 30 + 60, C's 20


def test_a_definition_whose_field_a_re_import_removed_falls_back_to_its_snapshot(shop, write):
    in_store = Definition.of(rfm.members, rfm.RfmSpec(Filters.of(channel=["门店"])), rfm.RfmCell())
    saved = segments.save(shop, ds(shop), "store buyers", in_store)
    assert segments.snapshot(shop, saved)["member_id"].to_list() == ["A", "B", "D"]  # bought in 门店
    ingest(shop, [write("plain.csv", "member_id,order_id,order_date,amount\nA,A1,2024-01-10,100\n")], "shop",
           replace=True)
    member_set, fell_back = segments.scope(shop, ds(shop), saved, "live")
    assert (fell_back.reason, fell_back.values) == ("no_field", {"field": "channel"})
    assert member_set.mode == "saved" and segments.ids_of(shop, member_set)["member_id"].to_list() == ["A", "B", "D"]


def test_a_value_gone_and_another_dataset_say_why(shop, write):
    saved = segments.save(shop, ds(shop), "tmall", Definition.of(rfm.members, rfm.RfmSpec(Filters.of(channel="天猫")),
                                                                  rfm.RfmCell()))
    ingest(shop, [write("other.csv", "member_id,order_id,order_date,amount,channel\nE,E1,2024-01-01,9,门店\n")], "other")
    _, fell_back = segments.scope(shop, shop.dataset("other"), saved, "live")
    assert (fell_back.reason, fell_back.values) == ("other_dataset", {"dataset": "shop"})
    ingest(shop, [write("only_store.csv", "member_id,order_id,order_date,amount,channel\nA,A1,2024-01-10,100,门店\n")],
           "shop", replace=True)
    _, fell_back = segments.scope(shop, ds(shop), saved, "live")
    assert (fell_back.reason, fell_back.values) == ("no_value", {"field": "channel", "values": "天猫"})


def test_a_segment_outlives_its_dataset(shop):
    saved = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    shop.delete_dataset("shop")
    assert segments.listing(shop).select("name", "dataset", "dataset_exists").rows() == [("explorers", "shop", False)]
    assert segments.dataset_of(shop, saved) is None
    assert segments.export(shop, None, segments.saved_set(saved), ("member_id",))["member_id"].to_list() == ["B", "C"]


def test_a_name_in_use_is_replaced_only_when_asked(shop):
    first = segments.save(shop, ds(shop), "list", EXPLORATION)
    with pytest.raises(segments.SegmentExists):
        segments.save(shop, ds(shop), "list", Definition.of(lifecycle.members, lifecycle.LifecycleSpec(),
                                                              lifecycle.StageCell("churned")))
    replaced = segments.save(shop, ds(shop), "list", Definition.of(lifecycle.members, lifecycle.LifecycleSpec(),
                                                                     lifecycle.StageCell("churned")),
                             replace_existing=True)
    # the same segment (its id), with the new definition and members only
    assert replaced.id == first.id and segments.snapshot(shop, replaced)["member_id"].to_list() == ["D"]
    assert [s.name for s in segments.all_segments(shop)] == ["list"]
    assert segments.saved_set(replaced) != segments.saved_set(first)  # a cached "as saved" is not reused


def test_a_segment_filtered_by_another_follows_it_through_a_replace_and_says_when_it_is_gone(shop):
    churned = Definition.of(lifecycle.members, lifecycle.LifecycleSpec(), lifecycle.StageCell("churned"))
    explorers = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    inner, _ = segments.scope(shop, ds(shop), explorers, "live")
    # the store buyers among the explorers: B (C bought on 天猫)
    nested = segments.save(shop, ds(shop), "explorers in store", Definition.of(
        rfm.members, rfm.RfmSpec(Filters.of(channel="门店", segment=inner)), rfm.RfmCell()))
    assert segments.snapshot(shop, nested)["member_id"].to_list() == ["B"]
    segments.save(shop, ds(shop), "explorers", churned, replace_existing=True)  # now D
    live, fell_back = segments.scope(shop, ds(shop), nested, "live")
    assert fell_back is None and live.ids == ("D",)  # D bought in 门店
    with pytest.raises(segments.SegmentError, match="filtered by itself"):
        again, _ = segments.scope(shop, ds(shop), segments.get(shop, "explorers"), "live")
        segments.save(shop, ds(shop), "explorers", Definition.of(
            rfm.members, rfm.RfmSpec(Filters.of(segment=again)), rfm.RfmCell()), replace_existing=True)
    segments.delete(shop, "explorers")
    member_set, fell_back = segments.scope(shop, ds(shop), nested, "live")
    assert fell_back.reason == "inner_gone" and segments.ids_of(shop, member_set)["member_id"].to_list() == ["B"]


def test_a_definition_filtered_by_itself_is_unreadable_not_a_crash(shop):
    saved = segments.save(shop, ds(shop), "loop", EXPLORATION)
    loop = saved.definition.replace('"segment": null', f'"segment": {{"segment": {saved.id}, "name": "loop", '
                                                       f'"mode": "live"}}')
    with shop.transaction() as cur:
        cur.execute("UPDATE segments SET definition = ? WHERE id = ?", [loop, saved.id])
    _, fell_back = segments.scope(shop, ds(shop), segments.get(shop, "loop"), "live")
    assert (fell_back.reason, fell_back.values["message"]) == ("unreadable", "it is filtered by itself")


@pytest.mark.parametrize("change", [
    ('"lib.lifecycle.StageCell"', '"lib.lifecycle_old.StageCell"'),  # a type a later version moved
    ('"stage": "exploration"', '"stage": "exploration", "colour": "red"'),  # a field it does not have
    ('{"tuple": [{"class"', '{"tuple": [1, {"class"'),  # one argument more than the function takes
])
def test_a_definition_of_another_version_is_unreadable_not_a_crash(shop, change):
    saved = segments.save(shop, ds(shop), "old", EXPLORATION)
    assert change[0] in saved.definition
    with shop.transaction() as cur:
        cur.execute("UPDATE segments SET definition = ? WHERE id = ?", [saved.definition.replace(*change), saved.id])
    member_set, fell_back = segments.scope(shop, ds(shop), segments.get(shop, "old"), "live")
    assert fell_back.reason == "unreadable" and member_set.mode == "saved"


def test_a_cached_analysis_is_keyed_by_the_segment_not_its_ids(workspace):
    """lib.ui's cache hashes a MemberSet by its key (hash_funcs): two sets with one key are one
    entry, so a million ids cost nothing to hash (Streamlit's own hasher took 6.7 s on 1M)."""
    from lib import ui

    store = workspace
    shop = store.dataset("shop")
    spec = lambda ids: (kpis.KpiSpec(Filters.of(segment=MemberSet((9, "k", "live", 1, "same"), ids))),)
    first = ui._cached("lib.kpis.run", "shop", ui.stamp(shop), spec(("M1",)), ())
    second = ui._cached("lib.kpis.run", "shop", ui.stamp(shop), spec(("M2",)), ())
    assert second is first  # M2's ids were never looked at: the key said it was the same set
    other = ui._cached("lib.kpis.run", "shop", ui.stamp(shop), (kpis.KpiSpec(Filters.of(
        segment=MemberSet((9, "k", "live", 1, "other"), ("M2",)))),), ())
    buyers = lambda frame: dict(frame.select("metric", "value").rows())["buyers"]
    assert (buyers(first), buyers(other)) == (1, 1) and other is not first


def test_a_search_has_no_history(shop):
    from lib import member360

    saved = segments.save(shop, ds(shop), "search", Definition.of(member360.search, "a", 50))
    assert segments.size_over_time(shop, ds(shop), saved).is_empty()
    move = Definition.of(lifecycle.members, lifecycle.LifecycleSpec(),
                         lifecycle.MigrationCell(date(2024, 3, 31), date(2024, 6, 28), "exploration", "decline"))
    assert not move.has_history() and EXPLORATION.has_history()


def test_rename_and_delete(shop):
    segments.save(shop, ds(shop), "a", EXPLORATION)
    segments.save(shop, ds(shop), "b", EXPLORATION)
    with pytest.raises(segments.SegmentExists):
        segments.rename(shop, "a", "b")
    assert segments.rename(shop, "a", "c").name == "c"
    segments.delete(shop, "c")
    assert [s.name for s in segments.all_segments(shop)] == ["b"]
    with pytest.raises(segments.SegmentError, match="no segment named 'c'"):
        segments.delete(shop, "c")
    for bad in ("", "   ", "x" * 81, "tab\there"):
        with pytest.raises(segments.SegmentError):
            segments.save(shop, ds(shop), bad, EXPLORATION)


def test_size_over_time_evaluates_the_live_definition_at_past_month_ends(shop):
    saved = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    history = segments.size_over_time(shop, ds(shop), saved, months=3)
    assert history.select("as_of", "members").rows() == [
        (date(2024, 3, 31), 3),  # A (1 purchase, 81 days), B (26), D (121): all one purchase, none churned
        (date(2024, 4, 30), 3),  # A 111, B 56, D 151 days
        (date(2024, 5, 31), 2),  # D at 182 days > 180 is churned: A and B
        (date(2024, 6, 28), 2),  # the data end: A bought again (decline), C arrived: B and C
    ]


def test_the_overlap_of_two_segments(shop):
    explorers = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    june = segments.save(shop, ds(shop), "june cohort", Definition.of(
        cohorts.members, cohorts.CohortSpec(), cohorts.CohortCell(date(2024, 6, 1), None)))
    assert segments.snapshot(shop, june)["member_id"].to_list() == ["C"]  # the only first purchase in June
    a, b = segments.saved_set(explorers), segments.saved_set(june)
    parts = segments.overlap(shop, a, b)
    assert parts.rows() == [("C", "both"), ("B", "first_only")]
    assert segments.overlap_counts(parts) == {"both": 1, "first_only": 1, "second_only": 0}
    assert segments.overlap_counts(segments.overlap(shop, b, a)) == {"both": 1, "first_only": 0, "second_only": 1}


def test_the_export_holds_the_chosen_columns(shop):
    saved = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    frame = segments.export(shop, ds(shop), segments.saved_set(saved),
                            ("member_id", "stage", "frequency", "monetary", "rfm_segment"))
    assert frame.columns == ["member_id", "frequency", "monetary", "rfm_segment", "stage"]  # EXPORT_COLUMNS order
    assert frame.select("member_id", "frequency", "monetary", "stage").rows() == [
        ("B", 1, 30.0, "exploration"), ("C", 1, 20.0, "exploration")]
    assert frame["rfm_segment"].null_count() == 0
    with pytest.raises(ValueError, match="cannot export password"):
        segments.export(shop, ds(shop), segments.saved_set(saved), ("member_id", "password"))
    with pytest.raises(segments.SegmentError, match="no gender"):  # the dataset has no genders
        segments.export(shop, ds(shop), segments.saved_set(saved), ("member_id", "gender"))


def test_a_segment_compares_and_writes_itself_by_its_key():
    ids = tuple(f"M{i}" for i in range(200_000))
    big = MemberSet((7, "big", "live", len(ids), "abc"), ids)
    same = MemberSet((7, "big", "live", len(ids), "abc"), ids[:1])
    assert big == same and hash(big) == hash(same) and repr(big) == "MemberSet(7, 'big', 'live', 200000, 'abc')"
    assert len(repr(Filters.of(segment=big))) < 200  # the results kept on disk are named from this repr
    import pickle

    assert pickle.loads(pickle.dumps(big)).ids == ids  # but a pickled one keeps its members


@pytest.mark.parametrize("text", [
    '{"source": "rfm", "args": {"tuple": [{"class": "os.system", "fields": {}}]}}',
    '{"source": "rfm", "args": {"tuple": [{"class": "lib.store.Store", "fields": {}}]}}',
    '{"source": "eval", "args": {"tuple": []}}',
    'not json',
])
def test_a_definition_reads_back_only_into_our_own_dataclasses(text):
    with pytest.raises(segments.NoLongerApplies) as caught:
        segments.decode(text)
    assert caught.value.reason == "unreadable"


def test_every_list_the_pages_save_reads_back_equal(demo_workspace):
    """The definitions the pages make (one per source) survive JSON and list the same members."""
    from lib import clv, member360, repurchase
    from lib.w5h1 import who, why

    db, name = demo_workspace
    with Store(db, read_only=True) as store:
        demo = store.dataset(name)
        made = [
            Definition.of(rfm.members, rfm.RfmSpec(Filters.of(channel="门店")), rfm.RfmCell(value_group="important_value")),
            Definition.of(repurchase.due, repurchase.RepurchaseSpec(), ("overdue", "lapsed"), None, 1.0),
            Definition.of(who.pre_churn, clv.ClvSpec(), 0.3, ("at_risk", "cannot_lose")),
            Definition.of(why.members, clv.ClvSpec(), why.BandCell(100.0, None)),
            Definition.of(member360.search, "M0001", 50),
            Definition.of(who.high_value_members, Filters(), "member_tier", "普通会员", "clv", 0.1, clv.DEFAULT_MODEL),
            Definition.of(lifecycle.members, lifecycle.LifecycleSpec(),
                          lifecycle.MigrationCell(date(2026, 4, 30), date(2026, 10, 31), "growth", "decline")),
        ]
        for definition in made:
            again = segments.decode(segments.encode(definition))
            assert again == definition
            assert segments.evaluate(store, demo, again).equals(segments.evaluate(store, demo, definition))
            assert segments.evaluate(store, demo, definition).height > 0, definition.source
        assert json.loads(segments.encode(made[0]))["source"] == "rfm"


@pytest.mark.parametrize("tampered", [
    ('"where": {"tuple": []}', '"where": {"tuple": [{"tuple": ["channel", {"tuple": [1, 2]}]}]}'),  # not text
    ('"where": {"tuple": []}', '"where": "channel"'),
])
def test_a_tampered_filter_in_a_definition_falls_back_not_a_crash(shop, tampered):
    saved = segments.save(shop, ds(shop), "t", EXPLORATION)
    assert tampered[0] in saved.definition
    with shop.transaction() as cur:
        cur.execute("UPDATE segments SET definition = ? WHERE id = ?", [saved.definition.replace(*tampered), saved.id])
    member_set, fell_back = segments.scope(shop, ds(shop), segments.get(shop, "t"), "live")
    assert fell_back.reason in ("unreadable", "refused") and member_set.mode == "saved"


def test_a_segment_filtered_by_another_datasets_segment_says_so(shop, write):
    explorers = segments.save(shop, ds(shop), "explorers", EXPLORATION)
    inner, _ = segments.scope(shop, ds(shop), explorers, "live")
    outer = segments.save(shop, ds(shop), "outer", Definition.of(rfm.members, rfm.RfmSpec(Filters.of(segment=inner)),
                                                                  rfm.RfmCell()))
    ingest(shop, [write("o.csv", "member_id,order_id,order_date,amount\nB,X1,2024-01-01,5\n")], "other")
    with pytest.raises(segments.SegmentError, match="belongs to dataset 'shop'"):  # a replace cannot move it
        segments.save(shop, shop.dataset("other"), "explorers", EXPLORATION, replace_existing=True)
    with shop.transaction() as cur:  # as if it had been moved (a workspace of an earlier build)
        cur.execute("UPDATE segments SET dataset_id = ? WHERE id = ?", [shop.dataset("other").id, explorers.id])
    _, fell_back = segments.scope(shop, ds(shop), outer, "live")
    assert fell_back.reason == "other_dataset"


def test_a_failed_save_hands_a_shared_workspace_back(tmp_path, write):
    with Store(tmp_path / "w.duckdb") as first:
        ingest(first, [write("orders.csv", ORDERS)], "shop")
    store = Store(tmp_path / "w.duckdb", shared=True)
    try:
        segments.save(store, store.dataset("shop"), "a", EXPLORATION)
        with pytest.raises(segments.SegmentExists):
            segments.save(store, store.dataset("shop"), "a", EXPLORATION)
        assert store.held_read_only  # another process may read it again at once
    finally:
        store.close()
