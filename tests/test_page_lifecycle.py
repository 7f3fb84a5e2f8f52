"""The lifecycle page through AppTest: renders in both languages, follows the filters, recounts
when a threshold changes, drills down to the members behind a number, explains an empty scope,
shows prospects only where they are known, keeps its chart options in the URL.

Dataset "five" (FIVE_BUYERS in tests/conftest.py; data end 2024-06-30; no members file, so
prospects cannot be known: no Prospect card, no registered funnel step). Spend windows: last 90
days (04-01, 06-30], the 90 before (2024-01-02, 04-01].

    member  purchases (100 each)             channel        stage at 06-30
    A       06-26 06-27 06-28 06-29 06-30    天猫           growth: gaps 1, recency 0, spend 500 vs 0
    B       03-01 04-01 05-01 06-20          门店 ×2, 天猫 ×2  growth: median gap 31, recency 10 ≤ 46.5;
                                                            spend 200 vs 200 > 70 %; first 121 days ago
    C       04-10 05-15 06-10                门店           growth: gaps 35, 26 → 30.5; 20 ≤ 45.75
    D       2023-05-31 2024-05-31            门店           stable: gap 366; first 396 days ago
    E       05-21                            门店           exploration

Funnel: first purchase 5 → 2nd 4 → 3rd+ 3 → stable 1.

Dataset "club" = the same orders plus a members file (CLUB_MEMBERS below): A signed up 2024-01-10,
P1 2024-03-01, P2 without a date (counts as registered), P3 2024-07-15 (after the data end: no
stage). Prospects at 06-30: P1 and P2 (A bought) → 2 of 7 members with a stage.
"""

from __future__ import annotations

import pytest

from tests.conftest import FIVE_BUYERS, figures, metrics, page, set_filters, traces

CLUB_MEMBERS = """会员ID,注册时间
A,2024-01-10
P1,2024-03-01
P2,
P3,2024-07-15
"""


@pytest.fixture
def club(add_dataset):
    return add_dataset("club", FIVE_BUYERS, CLUB_MEMBERS)


def lifecycle_page(lang: str = "zh", dataset: str = "five", **params):
    return page("lifecycle", lang, dataset=dataset, **params)


def figures_by_type(at) -> dict[str, dict]:
    """The page's figures by trace type (funnel, bar = stage mix, sankey)."""
    return {spec["data"][0]["type"]: spec for spec in figures(at)}


def stage_cards(at) -> list[tuple[str, str | None]]:
    """(count, delta) per stage card: (prospect,) exploration, growth, stable, decline, churned."""
    return [(m.value, m.delta or None) for m in at.metric]


def funnel_steps(at) -> list[tuple[str, int]]:
    """(step label, members) of the funnel, top to bottom."""
    trace = figures_by_type(at)["funnel"]["data"][0]
    return list(zip(trace["y"], trace["x"]))


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renders_in_both_languages(five_buyers, lang):
    at = lifecycle_page(lang)
    assert at.title[0].value == ("生命周期" if lang == "zh" else "Lifecycle stages")
    assert [m.label for m in at.metric][:3] == (["考察期", "增长期", "稳定期"] if lang == "zh"
                                                else ["Exploration", "Growth", "Stable"])
    assert stage_cards(at) == [("1", None), ("3", None), ("1", None), ("0", None), ("0", None)]
    figs = figures_by_type(at)
    assert sorted(figs) == ["bar", "funnel", "sankey"]
    assert figs["funnel"]["data"][0]["x"] == [5, 4, 3, 1]
    # Stage mix: 14 month ends, 2023-05 … 2024-06; at the last one the stages are today's.
    bars = {name: trace["y"] for name, trace in traces(figs["bar"]).items()}
    assert len(bars["考察期" if lang == "zh" else "Exploration"]) == 14
    last = [bars[name][-1] for name in bars]
    assert last == [1, 3, 1, 0, 0]
    # Migration 2023-06-30 → 2024-06-30: then only D had bought (one purchase 30 days before:
    # exploration); now D is stable; A B C (growth) and E (exploration) had no stage.
    links = figs["sankey"]["data"][0]["link"]
    assert sorted(links["value"]) == [1, 1, 3]


def test_without_a_members_file_prospects_are_not_shown(five_buyers):
    at = lifecycle_page("en")
    # No Prospect card (a 0 there would mean "unknown"); the five buyers' stages (module docstring).
    assert metrics(at) == {"Exploration": "1", "Growth": "3", "Stable": "1", "Decline": "0", "Churned": "0"}
    assert ("This dataset has no members file, so prospects (registered, never bought) cannot be known: the "
            "stages and the funnel cover the members who bought. Import a members file to see them.") in captions(at)
    # The registered step would only repeat the 5 buyers: the funnel starts at the first purchase.
    assert funnel_steps(at) == [("First purchase", 5), ("2nd purchase", 4), ("3rd+ purchase", 3), ("Stable", 1)]
    assert "of first purchase" in figures_by_type(at)["funnel"]["data"][0]["hovertemplate"]
    assert list(traces(figures_by_type(at)["bar"])) == ["Exploration", "Growth", "Stable", "Decline", "Churned"]
    # Migration 2023-06-30 → 2024-06-30: A B C E had not bought yet on the first date.
    assert "“No stage yet” = members who had not yet bought (in this scope) at the start date." in captions(at)
    at.radio(key="lc_drill").set_value("step").run()
    assert at.selectbox(key="lc_drill_step").options == [
        "First purchase (5 members)", "2nd purchase (4 members)", "3rd+ purchase (3 members)", "Stable (1 member)"]
    at.radio(key="lc_drill").set_value("stage").run()
    assert "Prospect (0 members)" not in at.selectbox(key="lc_drill_stage").options


def test_channel_filter_drops_prospects(club):
    at = lifecycle_page("en", dataset="club")
    # With the members file and no filter: P1 and P2 are prospects, 2 of the 7 members with a stage.
    assert metrics(at) == {"Prospect": "2", "Exploration": "1", "Growth": "3", "Stable": "1", "Decline": "0",
                           "Churned": "0"}
    assert "28.6% of members" in captions(at)                          # 2 / 7
    assert funnel_steps(at) == [("Registered", 7), ("First purchase", 5), ("2nd purchase", 4),
                                ("3rd+ purchase", 3), ("Stable", 1)]
    # Prospects at each month end, 2023-05 … 2024-06: P2 (no date) always; A from January (signed up
    # 01-10) until she buys on 06-26; P1 from March; P3 never (signs up after the data end).
    prospects = traces(figures_by_type(at)["bar"])["Prospect"]["y"]
    assert prospects == [1] * 8 + [2, 2, 3, 3, 3, 2]
    assert not [c for c in captions(at) if "Prospects (registered, never bought) are counted only" in c]

    set_filters(at, channel=["天猫"])
    # 天猫 only: A (5 purchases, growth) and B (B3, B4: gap 50, recency 10, first 60 days ago →
    # growth). The others bought nothing there: no stage. No prospects under an order filter.
    assert metrics(at) == {"Exploration": "0", "Growth": "2", "Stable": "0", "Decline": "0", "Churned": "0"}
    assert ("Prospects (registered, never bought) are counted only without a channel, store, region, city, "
            "category or product filter: under one, the stages and the funnel cover the members who bought in "
            "that scope.") in captions(at)
    assert funnel_steps(at) == [("First purchase", 2), ("2nd purchase", 2), ("3rd+ purchase", 1), ("Stable", 0)]
    assert "Prospect" not in traces(figures_by_type(at)["bar"])


def test_a_link_keeps_the_period_and_what_the_mix_shows(five_buyers):
    at = lifecycle_page("en", lc_period="quarter", lc_show="share")
    mix = figures_by_type(at)["bar"]
    assert mix["layout"]["title"]["text"] == "Stage mix over time: share per stage at each quarter end"
    bars = {name: (trace["x"], trace["y"]) for name, trace in traces(mix).items()}
    quarters = ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]  # as every chart and sentence names them
    # Shares of the members with a stage at each quarter end: D alone until 2024 Q1 — one purchase
    # (2023-05-31), churned at 12-31 (214 days > 180); at 2024-03-31 D churned and B (one purchase,
    # 03-01) exploring; at 06-30 today's stages, E / A B C / D of 5.
    assert bars == {"Exploration": (quarters, [1.0, 1.0, 0.0, 0.5, 0.2]),
                    "Growth": (quarters, [0.0, 0.0, 0.0, 0.0, 0.6]),
                    "Stable": (quarters, [0.0, 0.0, 0.0, 0.0, 0.2]),
                    "Decline": (quarters, [0.0] * 5),
                    "Churned": (quarters, [0.0, 0.0, 1.0, 0.5, 0.0])}
    assert (at.query_params["lc_period"], at.query_params["lc_show"]) == ("quarter", "share")
    # Values the page does not offer fall back to the defaults (month, members), left out of the URL.
    at = lifecycle_page("en", lc_period="week", lc_show="bogus")
    mix = figures_by_type(at)["bar"]
    assert mix["layout"]["title"]["text"] == "Stage mix over time: members per stage at each month end"
    assert traces(mix)["Growth"]["y"][-1] == 3
    assert "lc_period" not in at.query_params and "lc_show" not in at.query_params


def test_thresholds_recount_live(five_buyers):
    at = lifecycle_page("en")
    at.number_input(key="lc_growth_days").set_value(100).run()
    assert not at.exception
    # B's first purchase is 121 days back (> 100): stable; C's is 81: still growth.
    assert stage_cards(at) == [("1", None), ("2", "-1"), ("2", "+1"), ("0", None), ("0", None)]
    at.number_input(key="lc_churn_days").set_value(25).run()
    # Churned after 25 days: D (30 days) and E (40 days).
    assert stage_cards(at)[4] == ("2", "+2")


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


def test_member_picker_recounts_when_a_filter_changes(five_buyers):
    at = lifecycle_page("en")
    at.selectbox(key="lc_drill_stage").set_value("growth").run()
    picker = at.selectbox(key="lc_drill_stage")
    before = picker.proto.raw_value if picker.proto.set_value else picker.options[picker.index]
    assert before == "Growth (3 members)"  # A, B, C
    set_filters(at, channel=["天猫"])
    # 天猫 only: A as before; B keeps B3 05-01 and B4 06-20 (gap 50, recency 10, spend 200 vs 0 in the
    # 90 days before, first purchase 60 days ago): growth; C is gone. The browser shows the text the
    # server sends, else the one it showed before (it keeps its choice as text).
    picker = at.selectbox(key="lc_drill_stage")
    assert (picker.proto.raw_value if picker.proto.set_value else before) == "Growth (2 members)"
    assert sorted(at.dataframe[-1].value.iloc[:, 0].tolist()) == ["A", "B"]


def test_empty_scope_is_explained(workspace):
    at = lifecycle_page("en", dataset="shop")
    set_filters(at, channel=["门店"], category=["纸尿裤"])  # shop's A2 is 天猫: nothing matches
    assert [i.value for i in at.info] == ["No orders match these filters. Try widening them."]
    assert not at.get("plotly_chart")
