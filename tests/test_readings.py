"""Plain-language readings: literal frames in, exact sentences out, in both languages."""

from __future__ import annotations

import polars as pl
import pytest

from lib import readings
from lib.readings import Reading, text
from tests.fixtures import d


def kpi_table(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["metric", "value", "previous", "change"], orient="row")


def activity(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["period", "active", "new", "crr", "revenue_new", "revenue_returning",
                                      "complete"], orient="row")


def test_kpis_up_and_no_previous_window():
    table = kpi_table([
        ("revenue", 1_731_000.0, 1_611_000.0, 1_731 / 1_611 - 1),   # +7.4 %
        ("buyers", 2975.0, 2849.0, 2975 / 2849 - 1),                 # +4.4 %
        ("aov", 448.68, 437.15, 448.68 / 437.15 - 1),                # +2.6 %
    ])
    reading = readings.kpis(table, 30)
    assert text(reading, "en") == ("Revenue rose 7.4% vs the previous 30 days (¥1.61M → ¥1.73M); "
                                   "buyers +4.4%, AOV +2.6%.")
    assert text(reading, "zh") == "销售额较前 30 天增长 7.4%（¥161.1万 → ¥173.1万）；购买人数 +4.4%，客单价 +2.6%。"
    nothing_before = kpi_table([("revenue", 180.0, 0.0, None), ("buyers", 2.0, 0.0, None), ("aov", 60.0, None, None)])
    assert text(readings.kpis(nothing_before, 32), "en").startswith("No sales in the 32 days before")


def test_revenue_mix_uses_complete_periods():
    frame = activity([
        (d("2026-08-01"), 0, 0, None, 300.0, 700.0, True),    # 70 % from existing members
        (d("2026-09-01"), 0, 0, None, 380.0, 620.0, True),    # 62 %
        (d("2026-10-01"), 0, 0, None, 900.0, 100.0, False),   # open: not read
    ])
    reading = readings.revenue_mix(frame, "month")
    assert text(reading, "en") == ("In 2026-09, existing members brought 62.0% of revenue (¥620.00 of ¥1,000.00), "
                                   "vs 70.0% the period before.")
    assert text(reading, "zh") == "2026-09，老会员贡献了 62.0% 的销售额（¥620.00 / ¥1,000.00），上一期为 70.0%。"
    assert readings.revenue_mix(frame[:1], "month").key == "overview.read_mix"     # no period before
    assert readings.revenue_mix(frame[2:], "month") is None                        # nothing complete


def test_active_members_rose_with_crr():
    frame = activity([
        (d("2026-09-01"), 2500, 800, 0.70, 0.0, 0.0, True),
        (d("2026-10-01"), 2700, 850, 0.74, 0.0, 0.0, True),   # 2,700 / 2,500 − 1 = +8 %
    ])
    reading = readings.active(frame, "month")
    assert text(reading, "en") == "Active members rose 8.0% vs the previous month in 2026-10 (2,500 → 2,700); CRR 74.0%."
    assert text(reading, "zh") == "2026-10，活跃会员较上月增长 8.0%（2,500 → 2,700），客户保留率 74.0%。"
    week = activity([(d("2026-10-19"), 100, 10, None, 0.0, 0.0, True), (d("2026-10-26"), 90, 5, None, 0.0, 0.0, True)])
    assert text(readings.active(week, "week"), "en") == \
        "Active members fell 10.0% vs the previous week in 2026-10-26 (100 → 90)."


def test_month_1_retention_fell():
    cells = pl.DataFrame([
        (d("2026-07-01"), 1, 500, 140, 0.28, True),
        (d("2026-08-01"), 1, 400, 124, 0.31, True),
        (d("2026-09-01"), 1, 500, 120, 0.24, True),
        (d("2026-10-01"), 1, 600, 60, 0.10, False),   # open: not read
    ], schema=["cohort", "period", "cohort_size", "retained", "rate", "complete"], orient="row")
    reading = readings.retention_k1(cells, "month")
    assert text(reading, "en") == "Month-1 retention fell from 31.0% (2026-08 cohort) to 24.0% (2026-09 cohort)."
    assert text(reading, "zh") == "次月留存率从 31.0%（2026-08 同期群）降至 24.0%（2026-09 同期群）。"
    steady = cells.with_columns(rate=pl.Series([0.28, 0.302, 0.295, 0.1]))   # 29.5 / 30.2: within 5 %
    assert readings.retention_k1(steady, "month").key == "overview.read_k1_flat"


def test_lifecycle_mix():
    summary = pl.DataFrame({"stage": ["prospect", "exploration", "growth", "stable", "decline", "churned"],
                            "members": [0, 3587, 1698, 334, 1808, 10817]})   # 18,244 in all
    reading = readings.lifecycle(summary)
    assert text(reading, "en") == ("The largest group is Churned: 59.3% of members (10,817); 1,808 (9.9%) are in "
                                   "decline — win them back before they churn.")
    assert text(reading, "zh") == "人数最多的是流失期：59.3%（10,817 人）；1,808 人（9.9%）处于衰退期，宜在流失前挽回。"
    assert readings.lifecycle(summary.with_columns(members=pl.lit(0))) is None
    # nobody in decline: said so, not "0 (0.0%) are in decline — win them back"
    calm = readings.lifecycle(pl.DataFrame({"stage": ["exploration", "decline"], "members": [3, 0]}))
    assert text(calm, "en") == "The largest group is Exploration: 100.0% of members (3); nobody is in decline now."
    assert text(calm, "zh") == "人数最多的是考察期：100.0%（3 人）；目前没有会员处于衰退期。"


def average(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["period", "cohorts", "members", "weight", "rate"], orient="row")


def test_cohort_average_quotes_a_landmark_period():
    frame = average([(0, 34, 18244, 18244.0, 1.0), (1, 33, 17346, 17346.0, 0.284), (3, 31, 15689, 15689.0, 0.223),
                     (6, 28, 14000, 14000.0, 0.18), (12, 22, 9000, 9000.0, 0.122), (33, 1, 139, 139.0, 0.0)])
    reading = readings.cohort_average(frame, "classic", "month")
    assert text(reading, "en") == ("Weighted by cohort size, 28.4% of members buy again in period 1 and 12.2% in "
                                   "period 12 (from 33 and 22 cohorts).")
    assert text(reading, "zh") == ("按同期群人数加权，平均 28.4% 的会员在第 1 期再次购买，第 12 期为 12.2%"
                                   "（分别基于 33 个和 22 个同期群）。")
    # Weeks: landmarks 12 then 4; 12 has only 2 cohorts, so week 4 is quoted.
    weeks = average([(1, 10, 100, 100.0, 0.05), (4, 5, 50, 50.0, 0.08), (12, 2, 20, 20.0, 0.03)])
    assert readings.cohort_average(weeks, "classic", "week").value("last_k") == 4
    # Rolling 30-day windows read like months; nothing after period 1 → the short sentence.
    assert readings.cohort_average(average([(1, 3, 9, 9.0, 0.2)]), "unbounded", "day", 30).key == \
        "cohorts.read_average_unbounded_one"
    assert readings.cohort_average(average([(0, 1, 2, 2.0, 1.0)]), "classic", "month") is None


@pytest.mark.parametrize("a_rate,b_rate,key", [(0.127, 0.226, "down"), (0.30, 0.20, "up"), (0.201, 0.200, "flat"),
                                               (0.012, 0.015, "down")])
def test_compare_scopes(a_rate, b_rate, key):
    frame = pl.DataFrame([("天猫", 1, a_rate), ("门店", 1, b_rate)], schema=["scope", "period", "rate"], orient="row")
    assert readings.compare(frame).key == f"cohorts.read_compare_{key}"


def test_compare_sentence():
    frame = pl.DataFrame([("天猫", 0, 1.0), ("天猫", 1, 0.127), ("门店", 0, 1.0), ("门店", 1, 0.226)],
                         schema=["scope", "period", "rate"], orient="row")
    assert text(readings.compare(frame), "zh") == "第 1 期：天猫为 12.7%，门店为 22.6%，天猫低 9.9 个百分点。"
    assert text(readings.compare(frame), "en") == "Period 1: 天猫 12.7% vs 门店 22.6% — 天猫 is 9.9 points lower."
    assert readings.compare(frame.filter(pl.col("scope") == "天猫")) is None


def test_no_reading_and_plain_values():
    assert text(None, "en") == ""
    assert text(Reading("overview.read_active_one", (("period", "2024-01"), ("now_n", 2))), "zh") == "2024-01，活跃会员 2 人。"
