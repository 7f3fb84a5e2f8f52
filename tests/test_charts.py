"""lib/charts display tables and the retention curves, on literal frames shaped like the lib
results they draw (the builders are pure: frame + language in, frame or figure out)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from lib.charts import PALETTE, display_table, names
from lib.charts import cohorts as coh
from lib.charts import lifecycle as lc
from lib.charts import rfm as rfm_charts
from lib.charts import clv as clv_charts

# rfm.segments() / rfm.value_groups() shape: id, members, revenue, revenue_share
SEGMENTS = pl.DataFrame({"segment": ["champions", "lost"], "members": [3, 1], "revenue": [300.0, 100.0],
                         "revenue_share": [0.75, 0.25]})


def test_names_translates_ids_keeps_null_and_refuses_an_unknown_id():
    frame = pl.DataFrame({"segment": ["lost", None, "champions"]}, schema={"segment": pl.String})
    assert frame.select(names("segment", ("champions", "lost"), "seg_", "en"))["segment"].to_list() == [
        "Lost", None, "Champions"]
    with pytest.raises(pl.exceptions.InvalidOperationError):  # as a missing label would be an error
        frame.select(names("segment", ("champions",), "seg_", "en"))


def test_display_table_orders_and_labels_columns_and_takes_computed_ones():
    frame = pl.DataFrame({"revenue": [10.0], "member_id": ["m1"], "unused": [1]})
    table = display_table(frame, {"member_id": "member_id", "share": "rfm.col_member_share"}, "zh",
                          share=pl.lit(0.5))
    # only the columns named, in the order named, under their labels; "share" is not in the frame
    assert table.rows() == [("m1", 0.5)]
    assert table.columns == ["会员ID", "会员占比"]


def test_segment_table():
    table = rfm_charts.segment_table(SEGMENTS, "en")
    assert table.columns == ["Segment", "Members", "Share of buyers", "Revenue (¥)", "Share of revenue",
                             "Suggested action"]
    assert table.rows() == [
        # 3 of the 4 buyers; revenue share as given by rfm.segments; shares in % for a "%.1f%%" column
        ("Champions", 3, 75.0, 300.0, 75.0, "Reward, early access, ask for referrals"),
        ("Lost", 1, 25.0, 100.0, 25.0, "Exclude from paid sends"),
    ]


def test_no_buyers_have_no_member_share():
    empty = SEGMENTS.with_columns(pl.lit(0, dtype=pl.Int64).alias("members"))
    assert rfm_charts.segment_table(empty, "en")["Share of buyers"].to_list() == [None, None]  # 0 / 0


def test_value_group_table_puts_the_pattern_second():
    groups = pl.DataFrame({"value_group": ["important_value", "general_winback"], "members": [1, 1],
                           "revenue": [90.0, 10.0], "revenue_share": [0.9, 0.1]})
    table = rfm_charts.value_group_table(groups, "zh")
    assert table.columns == ["客户价值分层", "相对均值", "会员数", "会员占比", "销售额（¥）", "销售额占比", "建议动作"]
    assert table.rows() == [
        # important_value: R, F, M all better than the mean; general_winback: none of them (shares in %)
        ("重要价值客户", "R 高 · F 高 · M 高", 1, 50.0, 90.0, 90.0, "维持 VIP 服务"),
        ("一般挽留客户", "R 低 · F 低 · M 低", 1, 50.0, 10.0, 10.0, "低优先级"),
    ]


def test_lifecycle_member_frame_names_a_missing_stage():
    members = pl.DataFrame({
        "member_id": ["m1", "m2"], "stage": ["growth", None], "purchases": [3, 0], "recency_days": [5, None],
        "median_gap_days": [20.0, None], "first_purchase": [date(2024, 1, 1), None],
        "last_purchase": [date(2024, 3, 1), None], "recent_spend": [80.0, 0.0], "prior_spend": [40.0, 0.0]})
    table = lc.member_frame(members, "en")
    assert table.columns[:3] == ["Member ID", "Lifecycle stage", "Purchases"]
    assert table["Lifecycle stage"].to_list() == ["Growth", "No stage yet"]  # null stage: not a buyer yet
    assert table.width == 9


def test_average_curves_and_compared_scopes():
    # lib.cohorts.average / .compare shape: period, rate, cohorts, members (and scope)
    average = pl.DataFrame({"period": [0, 1, 2], "rate": [1.0, 0.4, 0.25], "cohorts": [3, 3, 2],
                            "members": [10, 10, 8]})
    compared = pl.concat([average.with_columns(scope=pl.lit("天猫")),
                          average.with_columns(scope=pl.lit("门店"), rate=pl.Series([1.0, 0.5, 0.3]))])
    fig = coh.compare(compared, "en", period="month")
    # period 0 is 100 % for first-purchase cohorts, so both lines start at period 1
    assert [(tr.name, list(tr.x), list(tr.y), tr.line.color, tr.line.width) for tr in fig.data] == [
        ("天猫", [1, 2], [0.4, 0.25], PALETTE[0], 3), ("门店", [1, 2], [0.5, 0.3], PALETTE[3], 3)]
    # the scope's name by reference to the trace's (shown as text by lib.ui.show_chart)
    assert fig.data[0].hovertemplate == ("%{fullData.name} · Period %{x}<br>%{y:.1%} · Cohorts %{customdata[0]:,} · "
                                         "Members %{customdata[1]:,}<extra></extra>")
    assert [list(row) for row in fig.data[0].customdata] == [[3, 10], [2, 8]]
    assert fig.layout.title.text == "Retention compared (weighted average): 天猫 vs 门店"
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.yaxis.rangemode == "tozero"

    frame = pl.DataFrame({"cohort": [date(2024, 1, 1)] * 3, "period": [0, 1, 2], "cohort_size": [10] * 3,
                          "retained": [10, 4, 2], "rate": [1.0, 0.4, 0.2], "complete": [True] * 3})
    curves = coh.curves(frame, average, "en", period="month")
    bold = curves.data[-1]  # the weighted average, drawn last and bold over the cohort lines
    assert (bold.name, list(bold.x), bold.line.color, bold.line.width) == (
        "Weighted average (by cohort size)", [1, 2], coh.AVERAGE_COLOUR, 4)
    assert curves.layout.height == 440 and fig.layout.height == 420


def test_lifecycle_funnel_without_the_registered_step():
    # lifecycle.funnel() where prospects are not counted: registered only repeats the buyers
    frame = pl.DataFrame({"step": ["registered", "first_purchase", "second_purchase", "third_purchase", "stable"],
                          "members": [5, 5, 4, 3, 1]})
    full, buyers = lc.funnel(frame, "en"), lc.funnel(frame, "en", registered=False)
    assert full.data[0].y[0] == "Registered"
    assert list(buyers.data[0].y) == ["First purchase", "2nd purchase", "3rd+ purchase", "Stable"]
    assert list(buyers.data[0].x) == [5, 4, 3, 1]
    # shares of the step before and of the first step shown: 4 / 5, 3 / 4, 1 / 3; 5/5 … 1/5
    assert [list(row) for row in buyers.data[0].customdata] == [[None, 1.0], [0.8, 0.8], [0.75, 0.6],
                                                                [1 / 3, 0.2]]
    assert "of first purchase: %{customdata[1]:.1%}" in buyers.data[0].hovertemplate
    # each step keeps its colour whether registered is drawn or not
    assert list(buyers.data[0].marker.color) == list(full.data[0].marker.color)[1:]


def test_lifecycle_mix_can_leave_prospects_out():
    # lifecycle.mix_over_time() shape: every stage of every period, zeros included
    stages = ["prospect", "exploration", "growth", "stable", "decline", "churned"]
    frame = pl.DataFrame({"period": [date(2024, 6, 1)] * 6, "period_end": [date(2024, 6, 30)] * 6,
                          "stage": stages, "members": [0, 1, 3, 1, 0, 0]})
    assert lc.mix(frame, "en").data[0].name == "Prospect"
    shown = lc.mix(frame, "en", prospects=False, share=True)
    # shares of the 5 members with a stage: 1, 3, 1 of 5
    assert [(tr.name, pytest.approx(list(tr.y))) for tr in shown.data] == [
        ("Exploration", [0.2]), ("Growth", [0.6]), ("Stable", [0.2]), ("Decline", [0.0]), ("Churned", [0.0])]


def test_cohort_member_list_opens_on_the_newest_settled_first_return():
    def cells(*rows: tuple[date, int, bool]) -> pl.DataFrame:  # cohorts.run() shape, the columns used
        return pl.DataFrame(rows, schema=["cohort", "period", "complete"], orient="row")

    jan, feb, mar, apr = (date(2024, m, 1) for m in (1, 2, 3, 4))
    # February's period 1 is the newest one over; March's is still open, April has only period 0
    assert coh.first_cell(cells((jan, 0, True), (jan, 1, True), (jan, 2, True), (feb, 0, True), (feb, 1, True),
                                (feb, 2, False), (mar, 0, True), (mar, 1, False), (apr, 0, False))) == (feb, 1)
    # no period 1 is over yet: the newest cohort, at period 0 when it has no period 1
    assert coh.first_cell(cells((jan, 0, True), (jan, 1, False), (feb, 0, False))) == (feb, 0)
    assert coh.first_cell(cells((jan, 0, True), (jan, 1, False))) == (jan, 1)


def triangle_row(retained: list[float], complete: list[bool]) -> pl.DataFrame:
    """lib.cohorts.run() rows of one January cohort, period k = position in `retained`."""
    return pl.DataFrame({"cohort": [date(2024, 1, 1)] * len(retained), "period": list(range(len(retained))),
                         "cohort_size": [int(retained[0])] * len(retained), "retained": retained,
                         "rate": [r / retained[0] for r in retained], "complete": complete})


def test_triangle_counts_fit_34_periods():
    # 34 periods: 1,116 members in period 0, 370 in period 1, 5 in each later one; period 33 not over
    frame = triangle_row([1116, 370] + [5] * 32, [True] * 33 + [False])
    done, open_ = coh.heatmap(frame, "en", period="month", show="count").data[:2]
    assert list(done.text[0][:3]) == ["1.1K", "370", "5"] and done.text[0][33] == ""
    assert open_.text[0][33] == "5"  # light, but no * at this width: it would not fit
    # "1.1K" ≈ 2.01 em in a cell of 710 / 34 = 20.9 px less 2: (20.9 - 2) / 2.01 = 9.4 → 9 px
    assert done.textfont.size == 9 and open_.textfont.size == 9
    zh = coh.heatmap(frame, "zh", period="month", show="count").data[0]
    # "1116" ≈ 4 × 0.57 = 2.28 em: 18.9 / 2.28 = 8.3 → 8 px
    assert zh.text[0][0] == "1116" and zh.textfont.size == 8
    # the hover keeps the full number: customdata[3] of the first cell
    assert coh.heatmap(frame, "en", period="month", show="count").data[2].customdata[0][3] == "1,116"

    revenue = triangle_row([593_000.0, 42_000.0] + [900.0] * 32, [True] * 33 + [False])
    cells = coh.heatmap(revenue, "zh", period="month", mode="revenue", show="count").data[0]
    # 59万 ≈ 2.14 em, 4.2万 ≈ 2.44 em (the longest): 18.9 / 2.44 = 7.7 → the smallest size, 8 px
    assert list(cells.text[0][:3]) == ["59万", "4.2万", "900"] and cells.textfont.size == 8


def test_triangle_with_few_periods_marks_open_cells_and_writes_large():
    frame = triangle_row([1116, 370, 5], [True, True, False])
    done, open_ = coh.heatmap(frame, "en", period="month", show="count").data[:2]
    assert list(done.text[0]) == ["1.1K", "370", ""] and list(open_.text[0]) == ["", "", "5*"]
    # 3 columns of 237 px: any short text fits, so the largest size, 12 px
    assert done.textfont.size == 12


def rfm_grid(cells: dict[tuple[int, int], tuple[int, float]]) -> pl.DataFrame:
    """rfm.grid() shape: every (r, f) with members, revenue, mean_monetary (empty cells 0)."""
    rows = [(r, f, *cells.get((r, f), (0, 0.0))) for r in range(1, 6) for f in range(1, 6)]
    frame = pl.DataFrame(rows, schema=["r_score", "f_score", "members", "revenue"], orient="row")
    return frame.with_columns(mean_monetary=pl.when(pl.col("members") > 0)
                              .then(pl.col("revenue") / pl.col("members")).otherwise(0.0))


def test_rfm_revenue_cells_and_colour_bar_share_their_units():
    grid = rfm_grid({(5, 5): (2408, 12_161_000.0), (1, 1): (977, 61_151.0)})
    zh = rfm_charts.heatmap(grid, "revenue", "zh").data[0]
    assert zh.text[4][4] == "¥1216万" and zh.text[0][0] == "¥6.1万"  # rows R 1..5, columns F 1..5
    # "¥1216万" ≈ 5 × 0.57 + 1 = 3.85 em in a 45 px cell: (45 - 2) / 3.85 = 11.2 → 11 px
    assert zh.textfont.size == 11
    # 0 … ¥12,161,000 in about 4 steps: 3.04M, nearest 2M (of 1, 2, 5 × 10^n)
    assert list(zh.colorbar.tickvals) == [0, 2e6, 4e6, 6e6, 8e6, 10e6, 12e6]
    assert list(zh.colorbar.ticktext) == ["¥0", "¥200万", "¥400万", "¥600万", "¥800万", "¥1000万", "¥1200万"]
    en = rfm_charts.heatmap(grid, "revenue", "en").data[0]
    assert (en.text[4][4], en.text[0][0], en.colorbar.ticktext[-1]) == ("¥12M", "¥61K", "¥12M")
    assert en.textfont.size == 13  # "¥12M" ≈ 2.28 em: 18.9 px would fit, capped at 13
    members = rfm_charts.heatmap(grid, "members", "en").data[0]
    assert members.text[4][4] == "2,408" and members.colorbar.tickformat == ",.0f"


# backtest.comparison() shape: model, members, predicted, actual, mae, rmse, relative_error, status
COMPARISON = pl.DataFrame({
    "model": ["bgnbd", "mbgnbd", "pareto_nbd"], "members": [100, 100, 100], "predicted": [93.7, 102.1, None],
    "actual": [100, 100, 100], "mae": [0.5, 0.4, None], "rmse": [0.9, 0.8, None],
    "relative_error": [-0.063, 0.021, None], "status": ["ok", "ok", "not_converged"]})


@pytest.mark.parametrize("lang,reading", [
    ("en", "On this dataset's backtest MBG/NBD came closest (+2.1% vs BG/NBD -6.3%)."),
    ("zh", "在本数据集的回测中，MBG/NBD 最接近实际（总量误差 +2.1%；BG/NBD -6.3%）。")])
def test_the_closest_model_by_its_absolute_relative_error(lang, reading):
    # |+2.1 %| < |−6.3 %|; Pareto/NBD has no prediction and is left out of the sentence
    assert clv_charts.closest_reading(COMPARISON, lang) == reading
    # a tie goes to the first listed; fewer than two models with a prediction: no sentence
    tie = COMPARISON.with_columns(relative_error=pl.Series([0.05, -0.05, 0.05]), status=pl.lit("ok"))
    assert clv_charts.closest_reading(tie, "en").startswith("On this dataset's backtest BG/NBD came closest "
                                                             "(+5.0% vs MBG/NBD -5.0%, Pareto/NBD +5.0%)")
    assert clv_charts.closest_reading(COMPARISON.head(1), "en") is None
    assert clv_charts.closest_reading(COMPARISON.filter(pl.col("model") != "bgnbd"), "en") is None


def test_the_comparison_table_names_models_and_statuses():
    table = clv_charts.comparison_table(COMPARISON, "mbgnbd", "en")
    assert table.columns == ["model", "members", "predicted", "actual", "error_pct", "mae", "rmse", "status"]
    assert table["error_pct"].to_list() == [-6.3, 2.1, None]          # percent, one decimal, for "%+.1f%%"
    assert table["model"].to_list() == ["BG/NBD", "MBG/NBD (shown)", "Pareto/NBD"]
    assert table["status"].to_list() == ["fitted", "fitted", "fit did not converge"]


def test_the_calibration_plot_labels_each_group_with_its_members():
    freq = pl.DataFrame({"repeat_purchases": ["0", "1", "7+"], "members": [7730, 1220, 1400],
                         "predicted": [0.1677, 0.8555, 5.7203], "actual": [0.1946, 0.9672, 4.7314]})
    fig = clv_charts.calibration(freq, "mbgnbd", "en")
    actual, predicted = fig.data
    assert (actual.name, predicted.name) == ("Actual", "Predicted (MBG/NBD)")
    assert fig.layout.barmode == "group" and list(predicted.y) == [0.1677, 0.8555, 5.7203]
    assert [t.split("<br>")[0] for t in fig.layout.xaxis.ticktext] == ["0", "1", "7+"]
    assert "(7,730)" in fig.layout.xaxis.ticktext[0]


def test_the_backtest_marks_the_cutoff_before_the_first_period_ends():
    periods = pl.DataFrame({"period": [date(2026, 3, 30), date(2026, 4, 6)],
                            "period_end": [date(2026, 4, 5), date(2026, 4, 12)], "predicted": [398.3, 549.91],
                            "actual": [401, 526], "predicted_cumulative": [398.3, 948.21],
                            "actual_cumulative": [401, 927]})
    fig = clv_charts.backtest(periods, date(2026, 3, 31), "bgnbd", "zh")
    assert [tr.name for tr in fig.data] == ["实际", "预测（BG/NBD）"]
    [line] = fig.layout.shapes
    assert line.x0 == line.x1 == date(2026, 3, 31)
    assert [a.text for a in fig.layout.annotations] == ["校准期截止日 2026-03-31"]
    assert fig.layout.title.text == "回测：验证期累计购买次数，预测 vs 实际"
    assert fig.layout.xaxis.range[0] < date(2026, 3, 31) < fig.layout.xaxis.range[1]


def test_small_counts_tick_at_whole_numbers():
    # 2 members at most: ticks 0, 1, 2 (plotly's 0.5 steps printed as 0, 1, 1, 2, 2 before)
    from datetime import date

    from lib.charts.lifecycle import mix
    from lib.charts.overview import lifecycle_mix

    frame = pl.DataFrame({"period": [date(2024, 1, 1)] * 2, "period_end": [date(2024, 1, 31)] * 2,
                          "stage": ["exploration", "growth"], "members": [1, 1]})
    layout = mix(frame, "en").layout
    assert (layout.yaxis.dtick, layout.yaxis.tickformat) == (1, ",d")
    summary = pl.DataFrame({"stage": ["exploration", "growth"], "members": [2, 1]})
    assert lifecycle_mix(summary, date(2024, 1, 31), "en").layout.xaxis.dtick == 1
    big = pl.DataFrame({"stage": ["exploration", "growth"], "members": [2000, 1000]})
    assert lifecycle_mix(big, date(2024, 1, 31), "en").layout.xaxis.dtick is None  # plotly's own steps


def test_shown_as_text_escapes_data_values_only():
    import plotly.graph_objects as go

    from lib.charts import shown_as_text

    fig = go.Figure()
    fig.add_bar(x=["<b>A</b>", "B"], y=[1, 2], name="<a href='h'>s</a>", customdata=[["<i>c</i>", 3], ["d", 4]],
                text=["1<br>x", "2"], hovertemplate="<b>%{x}</b><br>%{customdata[0]}<extra></extra>")
    fig.add_sankey(node={"label": ["<b>n</b>", "m"]}, link={"source": [0], "target": [1], "value": [1]})
    fig.add_pie(labels=["<u>p</u>"], values=[1])
    fig.update_layout(title={"text": "ours<br><sup>small</sup>"})
    shown_as_text(fig)
    bar, sankey, pie = fig.data
    assert list(bar.x) == ["&lt;b&gt;A&lt;/b&gt;", "B"] and list(bar.y) == [1, 2]
    assert bar.name == "&lt;a href='h'&gt;s&lt;/a&gt;"
    assert [list(row) for row in bar.customdata] == [["&lt;i&gt;c&lt;/i&gt;", 3], ["d", 4]]
    assert list(sankey.node.label) == ["&lt;b&gt;n&lt;/b&gt;", "m"] and list(pie.labels) == ["&lt;u&gt;p&lt;/u&gt;"]
    # our own markup: text, templates and titles are ours to write
    assert list(bar.text) == ["1<br>x", "2"] and bar.hovertemplate == "<b>%{x}</b><br>%{customdata[0]}<extra></extra>"
    assert fig.layout.title.text == "ours<br><sup>small</sup>"
