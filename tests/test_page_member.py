"""Member 360 page through AppTest on the `workspace` fixture ("shop": M1 bought 100 at 门店 on 01-05
and 50 at 天猫 on 02-05; M2 bought 30 at 天猫 on 01-06), plus a dataset "rich" of our own with a
refund, several lines per order and a members file."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from lib.charts import member as charts_member
from lib.formatting import markdown_text
from tests.conftest import figures, metrics, page, set_filters, traces
from tests.test_page_w5h1 import population_orders

RICH_ORDERS = """会员ID,订单号,支付时间,实付金额,渠道,品类,商品名称,数量
R1,B1,2024-01-05 10:00,200,门店,奶粉,奶粉A,2
R1,B1,2024-01-05 10:00,40,门店,洗护,湿巾,1
R1,B2,2024-01-20 12:00,-50,门店,洗护,湿巾,-1
R1,B3,2024-03-01 09:00,80,天猫,奶粉,奶粉A,1
R2,B4,2024-02-01 08:00,60,天猫,奶粉,奶粉B,1
"""
RICH_MEMBERS = """会员ID,性别,出生年份,会员等级,注册时间,省份,城市
R1,女,1990,金卡,2023-12-20,江苏,南京
P9,男,1985,普通,2024-01-10,浙江,杭州
"""


@pytest.fixture
def rich(add_dataset):
    return add_dataset("rich", RICH_ORDERS, RICH_MEMBERS)


def member_page(lang: str = "zh", **params):
    return page("member", lang, **params)


def timeline(at) -> dict[str, dict]:
    """The traces of the page's only chart, the order timeline, by name."""
    [spec] = figures(at)
    return traces(spec)


@pytest.mark.parametrize("lang,prospect,no_orders,purchase", [
    ("zh", "生命周期阶段 :gray-badge[潜客（注册未购）]", "该会员还没有订单（注册未购）。", "购买"),
    ("en", "Lifecycle stage :gray-badge[Prospect]", "This member has no orders yet (registered, never bought).",
     "Purchase")])
def test_renders_in_both_languages(rich, lang, prospect, no_orders, purchase):
    at = member_page(lang)   # datasets by name: "rich" first; members by id: the prospect P9 first
    assert at.query_params["m360_member"] == "P9"     # the member goes into the URL
    assert prospect in [m.value for m in at.markdown]
    assert [i.value for i in at.main.info] == [no_orders]
    at.selectbox(key="m360_pick::").set_value("R1").run()
    assert not at.exception
    assert timeline(at)[purchase]["y"] == [240.0, 80.0]


def test_one_member_in_full_and_a_filter_changing_it(rich):
    at = member_page(dataset="rich", m360_member="R1")
    shown = timeline(at)
    assert shown["购买"]["y"] == [240.0, 80.0]            # B1 = 200 + 40, B3
    assert shown["退款"]["y"] == [-50.0]                   # B2, the refund-only order, in its own colour
    assert shown["购买"]["marker"]["color"] != shown["退款"]["marker"]["color"]
    order_id, items, channel = shown["购买"]["customdata"][0][:3]
    assert (order_id, items, channel) == ("B1", "奶粉A ×2 · 湿巾", "门店")   # the hover names the order's items
    # the order lines behind the points: 2 + 1 + 1 lines, with downloads
    assert at.dataframe[0].value.shape[0] == 4
    assert {b.label for b in at.get("download_button")} >= {"下载 CSV", "下载 Excel"}
    text = "\n".join(m.value for m in at.markdown)
    assert "会员等级：**金卡**" in text and "性别：**女**" in text and "年龄：**34 岁（30-34）**" in text
    assert "区域 / 城市：**江苏 / 南京**" in text
    # R1: purchases 01-05 and 03-01 (56 days); data end 03-01 → recency 0, first purchase 56 days ago
    assert "生命周期阶段 :green-badge[增长期]" in text
    assert "购买 2 次，首购距今 56 天（不超过 365 天），且未出现衰退迹象。" in text
    assert (metrics(at)["购买次数"], metrics(at)["累计消费金额"]) == ("2", "¥270.00")   # 240 − 50 + 80

    set_filters(at, channel=["天猫"])
    shown = timeline(at)
    assert list(shown) == ["购买"] and shown["购买"]["y"] == [80.0]   # only B3 was bought on 天猫
    assert (metrics(at)["购买次数"], metrics(at)["累计消费金额"]) == ("1", "¥80.00")
    assert at.dataframe[0].value.shape[0] == 1
    assert any("渠道 = 天猫" in c.value for c in at.caption)          # the scope is said in words


def test_search_and_empty_states(workspace):
    at = member_page()
    # two buyers, one of them (M1) with a repeat purchase: too few to fit a model, so no prediction, and
    # the page says why with the counts (the data, not a failed fit)
    cards = {m.label: (m.value, m.proto.delta) for m in at.metric}
    assert cards["预测 CLV"] == cards["流失概率"] == cards["存活概率"] == ("–", "复购会员太少")
    assert ("复购会员太少，无法拟合预测模型：2 位买家中只有 1 位买过不止一次（至少需要 20 位，才能分辨谁已经离开、谁只是还没回来）。"
            in [c.value for c in at.caption])
    at.text_input(key="m360_search").set_value("2").run()
    assert [o.split(" ")[0] for o in at.selectbox(key="m360_pick::2").options] == ["M2"]
    assert at.query_params["m360_member"] == "M2"
    set_filters(at, category=["纸尿裤"])   # M2 bought only 奶粉
    assert any("该会员在当前筛选范围内没有订单（品类 = 纸尿裤）" in i.value for i in at.main.info)
    assert not at.get("plotly_chart")
    at.text_input(key="m360_search").set_value("zzz").run()
    assert not at.exception
    assert [i.value for i in at.main.info] == ["没有会员ID包含「zzz」的会员。请检查拼写，或只输入ID的一部分。"]
    assert not at.get("plotly_chart")


def test_timeline_chart_says_what_it_shows():
    orders = pl.DataFrame({
        "order_id": ["A1", "A2", "A3"], "order_ts": [datetime(2024, 1, 5, 9), datetime(2024, 1, 20), datetime(2024, 2, 5)],
        "amount": [100.0, -25.0, 25.0], "kind": ["purchase", "refund", "purchase"], "nth": [1, None, 2],
        "lines": [2, 1, 1], "items": ["奶粉A ×2 · 湿巾", "湿巾", None], "channel": ["门店", "门店", None],
        "store": [None, None, None]})
    fig = charts_member.timeline(orders, "zh", "M1", expected_next=date(2024, 3, 1), as_of=date(2024, 2, 5),
                                 start=date(2024, 1, 10))
    assert fig.layout.title.text == "会员 M1 的订单时间线（每个点是一笔订单，点越大金额越高）"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("下单时间", "订单实付金额（¥）")
    purchases, refunds = fig.data
    assert (purchases.name, list(purchases.y), refunds.name, list(refunds.y)) == ("购买", [100.0, 25.0], "退款", [-25.0])
    # marker area follows the amount: diameter 9 + 33 × sqrt(|amount| / 100)
    assert list(purchases.marker.size) == [42.0, 25.5] and list(refunds.marker.size) == [25.5]
    assert [list(c) for c in purchases.customdata] == [["A1", "奶粉A ×2 · 湿巾", "门店", "–", "第 1 次购买", "2"],
                                                       ["A3", "–", "–", "–", "第 2 次购买", "1"]]
    assert "订单 %{customdata[0]}" in purchases.hovertemplate and "实付金额：¥%{y:,.2f}" in purchases.hovertemplate
    assert refunds.customdata[0][4] == "退款单"
    assert {a.text for a in fig.layout.annotations} == {"所选日期范围", "数据截止日 2024-02-05",
                                                        "预计下次购买 2024-03-01"}
    shaded = next(s for s in fig.layout.shapes if s.type == "rect")
    assert (shaded.x0, shaded.x1) == (datetime(2024, 1, 10), datetime(2024, 2, 6))   # to data end, inclusive
    # Room above the largest order for the two labels at the top: amounts span −25..100 = 125, so the
    # axis runs from −25 − 0.1 × 125 to 100 + 0.45 × 125 and no point sits under a label.
    assert list(fig.layout.yaxis.range) == [-37.5, 156.25]


@pytest.mark.parametrize("lang,overdue,unlikely", [
    ("en", "475 days overdue", "unlikely to return"),
    ("zh", "已超期 475 天", "很可能不会再来")])
def test_next_order_note_says_unlikely_to_return_below_five_percent(lang, overdue, unlikely):
    row = {"expected_next_date": date(2023, 3, 13), "days_overdue": 475, "p_alive": 0.2}
    assert charts_member.next_order_note(row, lang) == (overdue, "red")           # 20 % alive: worth a reminder
    for p_alive in (0.049, 0.003, 0.0):                                              # under 5 %: most likely gone
        assert charts_member.next_order_note({**row, "p_alive": p_alive}, lang) == (unlikely, "red")
    assert charts_member.next_order_note({**row, "p_alive": 0.05}, lang)[0] == overdue  # 5 % itself is not under
    assert charts_member.next_order_note({**row, "days_overdue": 0}, lang)[1] == "green"
    assert charts_member.next_order_note({**row, "expected_next_date": None}, lang)[1] == "gray"
    # P(alive) and churn probability on their cards: one decimal; "<0.1%" and ">99.9%" for the extremes
    # (lib.clv.run's 4 decimals make 0.0 mean "under 0.005 %": a "0.0%" would read as certainly gone)
    assert [charts_member.probability_text(p) for p in (0.2, 0.049, 0.934, 0.003, 0.0004, 0.0, 0.9995, 1.0)] == \
        ["20.0%", "4.9%", "93.4%", "0.3%", "<0.1%", "<0.1%", ">99.9%", ">99.9%"]


@pytest.mark.parametrize("lang,sentence", [("en", "BG/NBD cannot tell without a repeat purchase"),
                                           ("zh", "BG/NBD 无法判断：该会员没有复购")])
def test_bgnbd_never_says_100_percent_for_a_one_time_buyer(lang, sentence):
    one_time = {"frequency": 0, "p_alive": 1.0, "churn_probability": 0.0, "expected_purchases": 0.4}
    assert charts_member.probability_cards(one_time, "bgnbd", "ok", lang) == {
        "churn": ("–", sentence), "alive": ("–", sentence)}
    # MBG/NBD gives the same member a real probability
    one_time = {**one_time, "p_alive": 0.066, "churn_probability": 0.934, "expected_purchases": 0.1}
    churn, alive = charts_member.probability_cards(one_time, "mbgnbd", "ok", lang).values()
    assert (churn[0], alive[0]) == ("93.4%", "6.6%")
    assert churn[1] == ("estimated by MBG/NBD" if lang == "en" else "MBG/NBD 模型估计")
    # a repeat buyer under BG/NBD has one too; no fit: "–" and why, in a few words
    assert charts_member.probability_cards({**one_time, "frequency": 2}, "bgnbd", "ok", lang)["churn"][0] == "93.4%"
    nothing = {**one_time, "p_alive": None, "churn_probability": None, "expected_purchases": None}
    assert charts_member.probability_cards(nothing, "mbgnbd", "not_converged", lang)["alive"] == (
        "–", "fit did not converge" if lang == "en" else "模型未收敛")


def fitted_orders() -> str:
    """Enough buyers for BG/NBD to fit (seeded: random.Random(42); the fit converges on exactly these
    rows), and Z, who bought every week from 2023-01-02 to 2023-03-06 and never again."""
    rng = random.Random(42)
    rows = ["会员ID,订单号,支付时间,实付金额"]
    for k in range(120):
        day, gap, n = date(2023, 1, 1) + timedelta(days=rng.randrange(300)), rng.choice((10, 30, 60, 120)), 0
        while day <= date(2024, 6, 30) and n < 12:
            rows.append(f"M{k:03d},M{k:03d}-{n},{day},{rng.randrange(30, 200)}")
            n += 1
            if rng.random() < 0.25:
                break
            day += timedelta(days=rng.randrange(1, 2 * gap))
    rows += [f"Z,Z-{j},{date(2023, 1, 2) + timedelta(days=7 * j)},80" for j in range(10)]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("lang,card,unlikely", [
    ("en", "Expected next order", "unlikely to return"),
    ("zh", "预计下次购买日期", "很可能不会再来")])
def test_a_member_long_gone_is_unlikely_to_return_not_hundreds_of_days_overdue(add_dataset, lang, card, unlikely):
    add_dataset("fit", fitted_orders())
    at = member_page(lang, dataset="fit", m360_member="Z")
    shown = {m.label: (m.value, m.proto.delta) for m in at.metric}
    # Z's mean gap is 7 days (9 gaps over 63 days): expected 2023-03-13, 470 days before the data end
    # (2024-06-25). Ten weekly purchases, then 68 silent weeks: P(alive) rounds to 0 %, so the card keeps
    # the date and says Z is unlikely to return instead of "470 days overdue".
    assert shown[card] == ("2023-03-13", unlikely)
    assert shown["P(alive)" if lang == "en" else "存活概率"][0] == "<0.1%"
    assert shown["Churn probability" if lang == "en" else "流失概率"][0] == ">99.9%"


@pytest.mark.parametrize("lang,labels,revenue", [
    ("en", ("Churn probability", "P(alive)", "Predicted CLV"), "It is revenue, not profit"),
    ("zh", ("流失概率", "存活概率", "预测 CLV"), "按销售额计，不是利润")])
def test_a_one_time_buyer_long_gone_gets_a_real_churn_probability(add_dataset, lang, labels, revenue):
    add_dataset("pop", population_orders())
    at = member_page(lang, dataset="pop", m360_member="ONE")
    cards = {m.label: m for m in at.metric}
    churn, alive, clv_card = (cards[label] for label in labels)
    # ONE bought once, on 2023-01-15, 532 days before the data end (stage churned). The page's model is
    # always the default, MBG/NBD, which lets a one-time buyer leave: P(alive) 0.1036 (BG/NBD would say 100 %).
    assert (churn.value, alive.value) == ("89.6%", "10.4%")
    assert "MBG/NBD" in churn.help and "MBG/NBD" in alive.help and "MBG/NBD" in clv_card.help
    assert revenue in clv_card.help


def test_a_member_planted_in_the_link_is_shown_as_typed(workspace):
    # issue 16's attack link: an image and a fake sign-in link in the member parameter
    planted = "![x](http://host/u.png) [Session expired](http://host/p)"
    at = member_page("en", m360_member=planted)
    assert [i.value for i in at.info] == [
        f"No member ID contains “{markdown_text(planted)}”. Check the spelling, or type only part of the ID."]
