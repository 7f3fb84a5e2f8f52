"""The overview page through AppTest on the workspace fixture (DEMO_ORDERS in tests/conftest.py):

    M1 A1 2024-01-05 100 门店 奶粉 · M1 A2 2024-02-05 50 天猫 纸尿裤 · M2 A3 2024-01-06 30 天猫 奶粉
Data end 2024-02-05, so January is complete and February is not.
"""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_ORDERS, figure, figures, page, set_filters, traces


def bars(at, title: str) -> dict[str, list]:
    """The bar heights by series of the chart titled `title`."""
    return {name: trace["y"] for name, trace in traces(figure(at, title), "bar").items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renders_cards_charts_and_readings(workspace, lang):
    at = page("overview", lang)
    assert len(at.metric) == 8
    assert len(at.get("plotly_chart")) == 4
    texts = " ".join(m.value for m in at.markdown)
    assert ("老会员贡献了" if lang == "zh" else "existing members brought") in texts


def test_kpi_cards_compare_the_last_30_days_with_the_30_before(workspace):
    # Window 2024-01-07..02-05: A2 (M1, ¥50). The 30 days before, 2023-12-08..01-06: A1 + A3 (¥130, 2 buyers).
    at = page("overview", "en")
    cards = {m.label: (m.value, m.delta) for m in at.metric}
    assert cards["Revenue (net)"] == ("¥50.00", "-61.5%")         # 50 / 130 − 1
    assert cards["Buyers"] == ("1", "-50.0%")                     # 1 / 2 − 1
    assert cards["AOV"] == ("¥50.00", "-23.1%")                   # 50 / (130 / 2) − 1
    # Rates move in points: M1's A2 is a repeat purchase (100 %); before, A1 and A3 were firsts (0 %).
    assert cards["Repurchase rate"] == ("100.0%", "+100.0 pp")
    # The 30 days before start on 12-08, before the first order (01-05): the page says so.
    assert any("lies before the data starts (2024-01-05)" in w.value for w in at.warning)
    texts = [m.value for m in at.markdown]
    assert any("Revenue fell 61.5% vs the previous 30 days (¥130.00 → ¥50.00); buyers -50.0%, AOV -23.1%." in t
               for t in texts)


def test_channel_filter_changes_the_revenue_split(workspace):
    at = page("overview", "zh")
    title = "新会员与老会员销售额（按月）"
    # All channels: January = A1 + A3, both members' first purchase (new); February = A2 by M1 (existing).
    assert bars(at, title) == {"老会员": [0.0, 50.0], "新会员": [130.0, 0.0]}
    set_filters(at, channel=["天猫"])
    # 天猫 only: M2's A3 is new in January; M1's first 天猫 purchase is A2, so M1 is new in February.
    assert bars(at, title) == {"老会员": [0.0, 0.0], "新会员": [30.0, 50.0]}
    assert bars(at, "活跃会员与客户保留率（按月）") == {"留存": [0, 0], "回流": [0, 0], "新增": [1, 1]}


def test_empty_scope_explains_itself(workspace):
    # 门店 sold only 奶粉, so 门店 + 纸尿裤 matches no order.
    at = set_filters(page("overview", "en"), channel=["门店"], category=["纸尿裤"])
    assert any("No orders match these filters" in info.value for info in at.info)
    assert not at.get("plotly_chart")


def test_window_and_trend_period_are_kept_in_the_link(workspace):
    at = page("overview", "en")
    assert "ov_window" not in at.query_params and "ov_period" not in at.query_params  # defaults stay out
    at.button_group(key="ov_window").set_value("range").run()
    assert at.query_params["ov_window"] == "range"
    # The whole range 2024-01-05..02-05 (32 days): A1 + A2 + A3 = ¥180 from 2 buyers.
    assert {m.label: m.value for m in at.metric}["Revenue (net)"] == "¥180.00"
    at.button_group(key="ov_window").set_value("30").run()
    assert "ov_window" not in at.query_params
    # A link opens the page as it was sent; a value the page does not know falls back to the default.
    linked = page("overview", "en", ov_window="range", ov_period="week")
    assert {m.label: m.value for m in linked.metric}["Revenue (net)"] == "¥180.00"
    assert "by week" in figures(linked)[0]["layout"]["title"]["text"]
    unknown = page("overview", "en", ov_window="7", ov_period="fortnight")
    assert {m.label: m.value for m in unknown.metric}["Revenue (net)"] == "¥50.00"  # the last 30 days
    assert "by month" in figures(unknown)[0]["layout"]["title"]["text"]


@pytest.mark.parametrize("lang,label,help_text", [
    ("zh", "复购率", ("窗口内购买的会员中，算上窗口之前的历史累计购买 ≥ 2 次的比例：窗口内只买了一次、但以前买过的会员也算复购，"
                     "所以它可以远高于人均购买次数所显示的水平。")),
    ("en", "Repurchase rate", ("Of the members who bought in the window, the share with ≥ 2 purchases counting their "
                               "history before the window: a member who bought once in the window but had bought "
                               "before counts as a repeat buyer, so the rate can be far above what the purchase "
                               "frequency suggests."))])
def test_the_repurchase_card_says_it_counts_history_before_the_window(workspace, lang, label, help_text):
    at = page("overview", lang)
    card = next(m for m in at.metric if m.label == label)
    # The last 30 days hold M1's A2 only, M1's one purchase there: frequency 1.00, yet 100 % repeat (A1 came before).
    assert (card.value, card.proto.help) == ("100.0%", help_text)


MEMBERS = "会员ID,性别,会员等级\nM1,女,金卡\nP9,男,普通\n"   # P9 registered and never bought: a prospect


def test_the_lifecycle_chart_says_when_prospects_are_not_counted(add_dataset):
    add_dataset("with_members", DEMO_ORDERS, MEMBERS)
    at = page("overview", "en", dataset="with_members")
    stages = figure(at, "Members by lifecycle stage")["data"][0]
    # No filter: P9 is a prospect; M1 (2 purchases, 01-05 and 02-05) and M2 (1, 01-06) are not churned at 02-05.
    assert (stages["y"][0], stages["x"][0]) == ("Prospect", 1)
    assert not any("Prospects" in c.value for c in at.caption)
    set_filters(at, channel=["天猫"])
    stages = figure(at, "Members by lifecycle stage")["data"][0]
    assert "Prospect" not in stages["y"]       # under a channel filter: no bar …
    assert any("Prospects (registered, never bought) are not counted under a channel, store, region, city, "
               "category or product filter" in c.value for c in at.caption)   # … and the page says why
    # A dataset without a members file never knows its prospects, and says that instead.
    at = page("overview", "en", dataset="shop")
    assert any("No members file, so prospects (registered, never bought) cannot be known" in c.value
               for c in at.caption)
