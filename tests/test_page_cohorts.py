"""The retention page through AppTest, on a dataset "rich" imported into the workspace fixture:

    R1 天猫 01-03 ¥100, 02-10 ¥50, 03-05 ¥40     R4 门店 02-02 ¥70, 03-02 ¥20
    R2 门店 01-15 ¥80, 03-20 ¥60                 R5 天猫 02-14 ¥90, 04-10 ¥40 (data end)
    R3 天猫 01-20 ¥30                            R6 门店 03-08 ¥55
All 2024, so April is not over at data end (incomplete cells).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from lib.charts import cohorts as charts
from tests.conftest import figure, figures, page, set_filters, traces

RICH = """会员ID,订单号,支付时间,实付金额,渠道
R1,B1,2024-01-03,100,天猫
R1,B2,2024-02-10,50,天猫
R1,B3,2024-03-05,40,天猫
R2,B4,2024-01-15,80,门店
R2,B5,2024-03-20,60,门店
R3,B6,2024-01-20,30,天猫
R4,B7,2024-02-02,70,门店
R4,B8,2024-03-02,20,门店
R5,B9,2024-02-14,90,天猫
R5,B10,2024-04-10,40,天猫
R6,B11,2024-03-08,55,门店
"""
# RICH with a store per order: S1 for R1 R4 R5, S2 for R2 R3 R6.
STORES = """会员ID,订单号,支付时间,实付金额,渠道,门店
R1,B1,2024-01-03,100,天猫,S1
R1,B2,2024-02-10,50,天猫,S1
R1,B3,2024-03-05,40,天猫,S1
R2,B4,2024-01-15,80,门店,S2
R2,B5,2024-03-20,60,门店,S2
R3,B6,2024-01-20,30,天猫,S2
R4,B7,2024-02-02,70,门店,S1
R4,B8,2024-03-02,20,门店,S1
R5,B9,2024-02-14,90,天猫,S1
R5,B10,2024-04-10,40,天猫,S1
R6,B11,2024-03-08,55,门店,S2
"""


@pytest.fixture
def rich(add_dataset):
    return add_dataset("rich", RICH)


def open_page(lang: str = "zh", **params):
    return page("cohorts", lang, **{"dataset": "rich", **params})


def triangle(at) -> tuple[list, list, list]:
    """(cohort labels, complete cells, open cells) of the heatmap, on the zh page."""
    done, open_ = [t for t in figure(at, "留存热力图")["data"] if t["type"] == "heatmap"]
    return done["y"], done["z"], open_["z"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renders_triangle_curves_and_comparison(rich, lang):
    at = open_page(lang)
    specs = figures(at)
    assert len(specs) == 3                             # triangle, curves, comparison
    assert "天猫 vs 门店" in specs[2]["layout"]["title"]["text"]
    curves = {name: (trace["x"], trace["y"]) for name, trace in traces(specs[2]).items()}
    # Period 0 is 100 % by definition and not drawn. 天猫: Jan R1 R3, Feb R5 → k1 (1 + 0) / 3,
    # k2 Jan only (Feb's is April): 1 / 2. 门店: Jan R2, Feb R4, Mar R6 → k1 Jan + Feb (0 + 1) / 2,
    # k2 Jan only: R2 in March, 1 / 1.
    assert curves == {"天猫": ([1, 2], [1 / 3, 0.5]), "门店": ([1, 2], [0.5, 1.0])}
    texts = " ".join(m.value for m in at.markdown)
    assert ("天猫为 33.3%，门店为 50.0%" if lang == "zh" else "天猫 33.3% vs 门店 50.0%") in texts


def test_triangle_and_channel_filter(rich):
    at = open_page()
    labels, done, open_ = triangle(at)
    assert labels == ["2024-01", "2024-02", "2024-03"]
    assert done == [[1.0, 1 / 3, 2 / 3, None],    # Jan R1 R2 R3: Feb R1; Mar R1 R2; April open
                    [1.0, 0.5, None, None],       # Feb R4 R5: Mar R4; April open
                    [1.0, None, None, None]]      # Mar R6
    assert open_ == [[None, None, None, 0.0],     # April cells, drawn light
                     [None, None, 0.5, None],     # R5 on 04-10
                     [None, 0.0, None, None]]
    set_filters(at, channel=["天猫"])
    labels, done, open_ = triangle(at)
    assert labels == ["2024-01", "2024-02"]        # 天猫 first purchases: R1 R3 in Jan, R5 in Feb
    assert done == [[1.0, 0.5, 0.5, None], [1.0, 0.0, None, None]]   # R1 in Feb and Mar; R5 not in Mar
    assert open_ == [[None, None, None, 0.0], [None, None, 1.0, None]]  # R5 on 04-10


def test_members_list_opens_on_the_newest_settled_first_return(rich):
    at = open_page("en")
    # Periods 1 of the cohorts: January's (February) and February's (March) are over at data end
    # (04-10), March's (April) is not: the list opens on February, period 1.
    assert (at.selectbox(key="coh_pick_cohort").value, at.selectbox(key="coh_pick_period").value) == ("2024-02-01", 1)
    # February cohort R4 R5; in March only R4 bought (03-02).
    assert any("2024-02 cohort · period 1: 1 of 2 members bought (50.0%)." in m.value for m in at.markdown)
    assert list(at.dataframe[0].value["Member ID"]) == ["R4"]
    # shop (tests/conftest.py): one cohort, January (M1 M2), whose period 1 (February) is still open
    # at data end 02-05: the newest cohort, period 1 all the same (M1 bought on 02-05).
    at = open_page("en", dataset="shop")
    assert (at.selectbox(key="coh_pick_cohort").value, at.selectbox(key="coh_pick_period").value) == ("2024-01-01", 1)
    assert list(at.dataframe[0].value["Member ID"]) == ["M1"]


def test_a_link_keeps_the_compared_field_and_scopes(add_dataset):
    add_dataset("stores", STORES)
    at = open_page("en", dataset="stores", coh_cmp_field="store", coh_cmp_a="S2", coh_cmp_b="S1")
    compared = figure(at, "Retention compared")
    assert compared["layout"]["title"]["text"] == "Retention compared (weighted average): S2 vs S1"
    # S1: Jan R1, Feb R4 R5 → k1 (R1 in Feb + R4 in Mar) / 3, k2 Jan only (Feb's is April): R1 in
    # Mar, 1 / 1. S2: Jan R2 R3, Mar R6 → k1 Jan only (Mar's is April): nobody in Feb, 0 / 2; k2 R2
    # in Mar, 1 / 2.
    assert {name: (trace["x"], trace["y"]) for name, trace in traces(compared).items()} == {
        "S2": ([1, 2], [0.0, 0.5]), "S1": ([1, 2], [2 / 3, 1.0])}
    assert [at.query_params[name] for name in ("coh_cmp_field", "coh_cmp_a", "coh_cmp_b")] == ["store", "S2", "S1"]
    # Unknown values fall back to the defaults: the first field offered (channel), 天猫 vs 门店 —
    # which the URL then leaves out.
    at = open_page("en", dataset="stores", coh_cmp_field="colour", coh_cmp_a="S9", coh_cmp_b="S1")
    assert figure(at, "Retention compared")["layout"]["title"]["text"] == (
        "Retention compared (weighted average): 天猫 vs 门店")
    assert not {"coh_cmp_field", "coh_cmp_a", "coh_cmp_b"} & set(at.query_params)


def test_members_behind_a_cell(rich):
    at = open_page("en")
    at.selectbox(key="coh_pick_cohort").set_value("2024-01-01")
    at.selectbox(key="coh_pick_period").set_value(2).run()
    assert not at.exception
    table = at.dataframe[0].value
    # Cell Jan, k2 = 2 / 3: R1 (03-05) and R2 (03-20).
    assert table.shape[0] == 2 and list(table["Member ID"]) == ["R1", "R2"]
    assert any("2024-01 cohort · period 2: 2 of 3 members bought (66.7%)." in m.value for m in at.markdown)
    at.selectbox(key="coh_pick_period").set_value(0).run()
    assert at.dataframe[0].value.shape[0] == 3                  # the whole January cohort


def test_empty_scope_missing_signup_dates_and_tiny_data(rich):
    at = open_page("en", coh_basis="signup")
    # No members file, hence no signup date: said in words.
    assert any("No signup dates" in info.value for info in at.info)
    at = open_page("en", channel="门店", start="2024-04-01")     # 门店 sold nothing in April
    assert any("No orders match these filters" in info.value for info in at.info)
    assert not at.get("plotly_chart")
    at = open_page("en", dataset="shop")
    # shop (tests/conftest.py): one complete period only (January; data end 02-05), so no curve yet.
    assert any("too short for a retention curve" in info.value for info in at.info)


def test_triangle_stays_readable_with_150_weekly_cohorts():
    monday = date(2024, 1, 1)
    rows = [(monday + timedelta(weeks=c), k, 100, 10, 0.1, c + k < 149)
            for c in range(150) for k in range(150 - c)]
    frame = pl.DataFrame(rows, schema=["cohort", "period", "cohort_size", "retained", "rate", "complete"],
                         orient="row")
    fig = charts.heatmap(frame, "zh", period="week")
    assert fig.layout.height <= 1300                       # not 150 rows of 24 px
    assert len(fig.layout.yaxis.tickvals) <= charts.MAX_LABELS
    assert fig.data[0].text is None                        # no cell text at that density
    monthly = frame.filter(pl.col("cohort") < monday + timedelta(weeks=34))
    fig = charts.heatmap(monthly.filter(pl.col("period") < 34), "zh", period="week")
    assert len(fig.layout.yaxis.tickvals) == 34            # every cohort labelled
