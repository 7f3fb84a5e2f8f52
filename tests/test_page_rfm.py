"""The RFM page through AppTest: renders in both languages, follows the filters, drills down to
the members behind a number, takes custom thresholds, and explains an empty scope.

Dataset "five" (FIVE_BUYERS in tests/conftest.py; data end 2024-06-30), five buyers a step apart
on every dimension:

    member  orders (100 each)                 recency  F  M    channel
    A       06-26 06-27 06-28 06-29 06-30     0        5  500  天猫
    B       03-01 04-01 05-01 06-20           10       4  400  门店, 门店, 天猫, 天猫
    C       04-10 05-15 06-10                 20       3  300  门店
    D       2023-05-31 2024-05-31             30       2  200  门店
    E       05-21                             40       1  100  门店

With n = 5 and no ties a quintile score is the rank: A scores 5 5 5, B 4 4 4, C 3 3 3, D 2 2 2,
E 1 1 1, so the R × F grid holds one buyer on each diagonal cell. Segments (R, fm): A champions
(5, 5), B loyal (4, 4), C need_attention (3, 3), D hibernating (2, 2), E lost (1, 1). Means:
recency 20, frequency 3, monetary 300: A and B are better on all three (important_value); C equals
every mean, which is not better (general_winback), as are D and E.
"""

from __future__ import annotations

import pytest

from tests.conftest import figures, page, set_filters


def rfm_page(lang: str = "zh", dataset: str = "five", **params):
    return page("rfm", lang, dataset=dataset, **params)


def heatmap(at) -> dict:
    return next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")


def heatmap_z(at) -> list[list]:
    """The heatmap's cell values (member counts by default), rows R 1..5, columns F 1..5 (None = empty cell)."""
    return heatmap(at)["data"][0]["z"]


def diagonal(*cells: tuple[int, int], values: dict[tuple[int, int], float] | None = None) -> list[list]:
    """The 5 × 5 grid with `cells` filled: 1 member each, or the given value per cell."""
    return [[(values or {}).get((r, f), 1) if (r, f) in cells else None for f in range(1, 6)] for r in range(1, 6)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renders_in_both_languages(five_buyers, lang):
    at = rfm_page(lang)
    assert at.title[0].value == ("RFM 分层" if lang == "zh" else "RFM")
    assert [m.value for m in at.metric][:2] == (["5", "20.0 天"] if lang == "zh" else ["5", "20.0 days"])
    kinds = sorted(f["data"][0]["type"] for f in figures(at))
    assert kinds == ["heatmap", "treemap"]
    segment_names = at.dataframe[1].value.iloc[:, 0].tolist()
    assert segment_names[0] == ("冠军客户" if lang == "zh" else "Champions")
    actions = at.dataframe[1].value.iloc[:, -1].tolist()
    assert actions[0] == ("专属权益、新品首发、邀请推荐" if lang == "zh" else "Reward, early access, ask for referrals")


def test_filter_changes_the_grid(five_buyers):
    at = rfm_page()
    assert heatmap_z(at) == diagonal((1, 1), (2, 2), (3, 3), (4, 4), (5, 5))
    set_filters(at, channel=["天猫"])
    # 天猫 only: A (recency 0, 5 orders, 500) and B (B3, B4: recency 10, 2 orders, 200); n = 2, so
    # rank 1 → 1 and rank 2 → 1 + floor(5 / 2) = 3: B scores 1 1 1, A 3 3 3.
    assert heatmap_z(at) == diagonal((1, 1), (3, 3))
    assert at.metric[0].value == "2"


def test_drill_down_lists_the_members_behind_a_number(five_buyers):
    at = rfm_page()
    # Default: the first non-empty segment, champions = A.
    assert at.dataframe[-1].value.iloc[:, 0].tolist() == ["A"]
    at.radio(key="rfm_drill").set_value("value_group").run()
    at.selectbox(key="rfm_drill_value_group").set_value("general_winback").run()
    groups = at.dataframe[2].value
    count = int(groups[groups.iloc[:, 0] == "一般挽留客户"].iloc[0, 2])
    assert count == 3  # C, D, E
    assert sorted(at.dataframe[-1].value.iloc[:, 0].tolist()) == ["C", "D", "E"]
    at.radio(key="rfm_drill").set_value("cell").run()
    at.selectbox(key="rfm_drill_cell").set_value((4, 4)).run()
    assert not at.exception
    assert at.dataframe[-1].value.iloc[:, 0].tolist() == ["B"]
    assert at.get("download_button")  # member lists download as CSV and Excel


def shown(picker, before: str) -> str:
    """The text the browser's selectbox shows after a run: the value the server sent with it, else
    the text it showed before (the browser keeps its choice as that text, not as the option)."""
    return picker.proto.raw_value if picker.proto.set_value else before


def test_member_picker_recounts_when_a_filter_or_the_language_changes(five_buyers):
    at = rfm_page("en")
    at.radio(key="rfm_drill").set_value("value_group").run()
    before = shown(at.selectbox(key="rfm_drill_value_group"), "")
    assert before == "Important – value (2 members)"  # A and B, better than the mean on R, F and M
    set_filters(at, channel=["天猫"])
    # 天猫 only: A (recency 0, 5 orders, 500) and B (B3, B4: recency 10, 2 orders, 200); means 5, 3.5, 350:
    # A is better on all three, B on none, so the group the picker still points at holds 1.
    before = shown(at.selectbox(key="rfm_drill_value_group"), before)
    assert before == "Important – value (1 member)"
    assert at.dataframe[-1].value.iloc[:, 0].tolist() == ["A"]
    at.sidebar.radio(key="lang_radio").set_value("zh").run()
    assert shown(at.selectbox(key="rfm_drill_value_group"), before) == "重要价值客户（1 人）"


def test_custom_thresholds(five_buyers):
    at = rfm_page("en")
    at.toggle(key="rfm_custom_f").set_value(True).run()
    for k in range(1, 5):
        at.number_input(key=f"rfm_t_f{k}").set_value(2.0)
    at.run()
    assert not at.exception
    # Frequency ≥ 2 reaches all four thresholds → F 5; only E (1 order) keeps F 1.
    assert heatmap_z(at) == diagonal((1, 1), (2, 5), (3, 5), (4, 5), (5, 5))
    table = at.dataframe[0].value
    assert table.iloc[1, 1] == "Custom" and table.iloc[1, 2] == "≥ 2" and table.iloc[1, 6] == "1"
    # Thresholds out of order are refused with a warning; scores fall back to quintiles.
    at.number_input(key="rfm_t_f1").set_value(9.0).run()
    assert at.warning and heatmap_z(at) == diagonal((1, 1), (2, 2), (3, 3), (4, 4), (5, 5))


def test_a_link_keeps_the_cell_metric(five_buyers):
    at = rfm_page("en", rfm_metric="revenue")
    assert heatmap(at)["layout"]["title"]["text"] == "R × F grid: Revenue per cell"
    # One buyer per diagonal cell, ¥100 an order: E (R1 F1) ¥100 … A (R5 F5) 5 orders, ¥500.
    cells = [(s, s) for s in range(1, 6)]
    assert heatmap_z(at) == diagonal(*cells, values={(s, s): 100.0 * s for s in range(1, 6)})
    assert at.query_params["rfm_metric"] == "revenue"
    at = rfm_page("en", rfm_metric="mean_monetary")
    assert heatmap(at)["layout"]["title"]["text"] == "R × F grid: Mean monetary per cell"
    assert heatmap_z(at) == diagonal(*cells, values={(s, s): 100.0 * s for s in range(1, 6)})  # one buyer each
    # An unknown metric falls back to members, the default, which the URL leaves out.
    at = rfm_page("en", rfm_metric="profit")
    assert heatmap(at)["layout"]["title"]["text"] == "R × F grid: Members per cell"
    assert heatmap_z(at) == diagonal(*cells)
    assert "rfm_metric" not in at.query_params


def test_empty_scope_is_explained(workspace):
    at = rfm_page("en", dataset="shop")
    set_filters(at, channel=["门店"], category=["纸尿裤"])  # shop's A2 is 天猫: nothing matches
    assert [i.value for i in at.info] == ["No orders match these filters. Try widening them."]
    assert not at.get("plotly_chart")


def test_score_bands_read_the_thresholds():
    import polars as pl

    from lib.charts.rfm import bands, skipped_scores

    table = pl.DataFrame({"dimension": ["recency_days", "frequency", "monetary"], "rule": ["<=", ">=", ">="],
                          "source": ["quintile"] * 3, "t1": [None, 2.0, 100.0], "t2": [None, 2.0, 199.0],
                          "t3": [30.0, None, 432.0], "t4": [90.5, None, 1658.5]})
    assert bands(table, "zh") == {
        # recency: nulls are never reached, so nobody scores 5 or 4; 30 → 3, 31–90 → 2, 91+ → 1
        "r": ["≥ 91 天", "31–90 天", "≤ 30 天", "—", "—"],
        # frequency: 1 → 1; 2 reaches t1 and t2 → 3; t3, t4 null: nobody scores 4 or 5
        "f": ["1 次", "—", "≥ 2 次", "—", "—"],
        "m": ["< ¥100", "¥100 至 ¥199（不含）", "¥199 至 ¥432（不含）", "¥432 至 ¥1,658.50（不含）", "≥ ¥1,658.50"],
    }
    assert skipped_scores(bands(table, "en"), "en") == "R 4, R 5, F 2, F 4, F 5"
