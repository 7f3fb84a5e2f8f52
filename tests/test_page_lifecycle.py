"""The lifecycle page through AppTest: renders in both languages, follows the filters, recounts
when a threshold changes, drills down to the members behind a number, explains an empty scope.

Dataset "five" (FIVE_BUYERS in tests/conftest.py; data end 2024-06-30; no members file, so no
prospects). Spend windows: last 90 days (04-01, 06-30], the 90 before (2024-01-02, 04-01].

    member  purchases (100 each)             channel        stage at 06-30
    A       06-26 06-27 06-28 06-29 06-30    天猫           growth: gaps 1, recency 0, spend 500 vs 0
    B       03-01 04-01 05-01 06-20          门店 ×2, 天猫 ×2  growth: median gap 31, recency 10 ≤ 46.5;
                                                            spend 200 vs 200 > 70 %; first 121 days ago
    C       04-10 05-15 06-10                门店           growth: gaps 35, 26 → 30.5; 20 ≤ 45.75
    D       2023-05-31 2024-05-31            门店           stable: gap 366; first 396 days ago
    E       05-21                            门店           exploration

Funnel: registered 5 → first purchase 5 → 2nd 4 → 3rd+ 3 → stable 1.
"""

from __future__ import annotations

import pytest

from tests.conftest import figures, page, set_filters, traces


def lifecycle_page(lang: str = "zh", dataset: str = "five"):
    return page("lifecycle", lang, dataset=dataset)


def figures_by_type(at) -> dict[str, dict]:
    """The page's figures by trace type (funnel, bar = stage mix, sankey)."""
    return {spec["data"][0]["type"]: spec for spec in figures(at)}


def stage_cards(at) -> list[tuple[str, str | None]]:
    """(count, delta) per stage card: prospect, exploration, growth, stable, decline, churned."""
    return [(m.value, m.delta or None) for m in at.metric]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renders_in_both_languages(five_buyers, lang):
    at = lifecycle_page(lang)
    assert at.title[0].value == ("生命周期" if lang == "zh" else "Lifecycle stages")
    assert [m.label for m in at.metric][1:4] == (["考察期", "增长期", "稳定期"] if lang == "zh"
                                                 else ["Exploration", "Growth", "Stable"])
    assert stage_cards(at) == [("0", None), ("1", None), ("3", None), ("1", None), ("0", None), ("0", None)]
    figs = figures_by_type(at)
    assert sorted(figs) == ["bar", "funnel", "sankey"]
    assert figs["funnel"]["data"][0]["x"] == [5, 5, 4, 3, 1]
    # Stage mix: 14 month ends, 2023-05 … 2024-06; at the last one the stages are today's.
    bars = {name: trace["y"] for name, trace in traces(figs["bar"]).items()}
    assert len(bars["考察期" if lang == "zh" else "Exploration"]) == 14
    last = [bars[name][-1] for name in bars]
    assert last == [0, 1, 3, 1, 0, 0]
    # Migration 2023-06-30 → 2024-06-30: then only D had bought (one purchase 30 days before:
    # exploration); now D is stable; A B C (growth) and E (exploration) had no stage.
    links = figs["sankey"]["data"][0]["link"]
    assert sorted(links["value"]) == [1, 1, 3]


def test_filter_changes_the_funnel(five_buyers):
    at = set_filters(lifecycle_page(), channel=["天猫"])
    # 天猫 only: A (5 purchases, growth) and B (B3, B4: gap 50, recency 10, first 60 days ago →
    # growth). The others bought nothing there and, without a members file, have no stage.
    assert figures_by_type(at)["funnel"]["data"][0]["x"] == [2, 2, 2, 1, 0]
    assert stage_cards(at) == [("0", None), ("0", None), ("2", None), ("0", None), ("0", None), ("0", None)]


def test_thresholds_recount_live(five_buyers):
    at = lifecycle_page("en")
    at.number_input(key="lc_growth_days").set_value(100).run()
    assert not at.exception
    # B's first purchase is 121 days back (> 100): stable; C's is 81: still growth.
    assert stage_cards(at) == [("0", None), ("1", None), ("2", "-1"), ("2", "+1"), ("0", None), ("0", None)]
    at.number_input(key="lc_churn_days").set_value(25).run()
    # Churned after 25 days: D (30 days) and E (40 days).
    assert stage_cards(at)[5] == ("2", "+2")


def test_drill_down_lists_the_members_behind_a_number(five_buyers):
    at = lifecycle_page()
    at.selectbox(key="lc_drill_stage").set_value("growth").run()
    assert sorted(at.dataframe[-1].value.iloc[:, 0].tolist()) == ["A", "B", "C"]   # the growth card says 3
    at.radio(key="lc_drill").set_value("step").run()
    at.selectbox(key="lc_drill_step").set_value("second_purchase").run()
    assert sorted(at.dataframe[-1].value.iloc[:, 0].tolist()) == ["A", "B", "C", "D"]  # funnel: 4
    at.radio(key="lc_drill").set_value("move").run()
    at.selectbox(key="lc_drill_move").set_value((None, "growth")).run()
    assert not at.exception
    assert sorted(at.dataframe[-1].value.iloc[:, 0].tolist()) == ["A", "B", "C"]   # the Sankey link of 3
    assert at.get("download_button")


def test_empty_scope_is_explained(workspace):
    at = lifecycle_page("en", dataset="shop")
    set_filters(at, channel=["门店"], category=["纸尿裤"])  # shop's A2 is 天猫: nothing matches
    assert [i.value for i in at.info] == ["No orders match these filters. Try widening them."]
    assert not at.get("plotly_chart")
