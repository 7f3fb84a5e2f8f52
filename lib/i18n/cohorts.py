"""Retention 留存分析 (cohorts): labels, chart texts and reading sentences (GLOSSARY §2)."""

LABELS: dict[str, tuple[str, str]] = {
    "cohorts.caption": ("会员首购后还会回来吗？按同期群看每一期的留存，对比两个渠道或品类，点击格子查看背后的会员。",
                        "Do members come back after their first purchase? Retention of each cohort period by "
                        "period, two scopes compared, and the members behind any cell."),
    # controls
    "cohorts.period": ("同期群粒度", "Cohort period"),
    "cohorts.basis": ("同期群依据", "Cohort by"),
    "cohorts.basis_first_purchase": ("按首购", "By first purchase"),
    "cohorts.basis_signup": ("按注册（入会）", "By signup"),
    "cohorts.mode": ("留存口径", "Retention"),
    "cohorts.mode_classic": ("第 N 期留存", "Retention on period N"),
    "cohorts.mode_unbounded": ("第 N 期及以后留存", "Unbounded (on or after N)"),
    "cohorts.mode_revenue": ("销售额留存率", "Revenue retention"),
    "cohorts.mode_help": ("第 N 期留存 = 第 N 期有购买的会员 ÷ 同期群人数；第 N 期及以后 = 第 N 期或之后有购买；"
                          "销售额留存率 = 第 N 期销售额 ÷ 第 0 期销售额（可超过 100%）。",
                          "Period N = members buying in period N ÷ cohort size; unbounded = buying in N or later; "
                          "revenue = revenue in N ÷ revenue in period 0 (can exceed 100 %)."),
    "cohorts.rolling": ("滚动窗口（N 日留存）", "Rolling windows (N-day)"),
    "cohorts.rolling_off": ("自然周期", "Calendar periods"),
    "cohorts.rolling_n": ("{n} 天", "{n}-day"),
    "cohorts.rolling_help": ("开启后第 N 期 = 会员自己首购（或注册）后的第 N 个 {n} 天窗口，而非自然月/周。",
                             "When on, period N = the member's own N-th window of that many days since first "
                             "purchase (or signup), instead of calendar periods."),
    "cohorts.show": ("格内显示", "Show"),
    "cohorts.show_rate": ("百分比", "%"),
    "cohorts.show_count": ("人数 / 金额", "Count / amount"),
    # heatmap
    "cohorts.heatmap_title": ("留存热力图：各同期群每一期的{measure}（{cells}）",
                              "Retention triangle: {measure} by cohort and period ({cells})"),
    "cohorts.cells_rate": ("格内数字为 %", "cells in %"),
    "cohorts.cells_count": ("格内数字为留存人数", "cells: members retained"),
    "cohorts.cells_amount": ("格内数字为本期销售额{money_unit}", "cells: revenue in the period{money_unit}"),
    "cohorts.measure_classic": ("留存率", "retention rate"),
    "cohorts.measure_unbounded": ("第 N 期及以后留存率", "unbounded retention"),
    "cohorts.measure_revenue": ("销售额留存率", "revenue retention"),
    "cohorts.cohort_axis": ("同期群（{anchor}所在{unit}）", "Cohort ({unit} of {anchor})"),
    "cohorts.x_calendar": ("距{anchor}的{units}（第 0 期 = {anchor}当{unit}）",
                           "{Units} since {anchor} (period 0 = the {unit} of {anchor})"),
    "cohorts.x_rolling": ("距{anchor}的天数，每 {n} 天为一期（第 0 期 = {anchor}后 {n} 天内）",
                          "{n}-day windows since {anchor} (period 0 = the first {n} days)"),
    "cohorts.anchor_first_purchase": ("首购", "first purchase"),
    "cohorts.anchor_signup": ("注册", "signup"),
    "cohorts.unit_day": ("天", "day"),
    "cohorts.unit_week": ("周", "week"),
    "cohorts.unit_month": ("月", "month"),
    "cohorts.unit_quarter": ("季", "quarter"),
    "cohorts.units_day": ("天数", "days"),
    "cohorts.units_week": ("周数", "weeks"),
    "cohorts.units_month": ("月数", "months"),
    "cohorts.units_quarter": ("季数", "quarters"),
    "cohorts.incomplete_note": ("浅色格子（格子够宽时带 *）为未满周期：数据截止日（{as_of}）时该期尚未结束，数值还可能上升；"
                                "加权平均与留存曲线只用已满周期。颜色按{measure}，第 0 期以外的最高值为最深色。",
                                "Light cells (marked * where there is room) are periods not over at data end "
                                "({as_of}): they can still grow; the weighted average and the curves use complete "
                                "periods only. Colour = {measure}; the darkest is the highest value after period 0."),
    "cohorts.short_numbers": ("格内的大数字为简写（1.2万 = 12,000），悬停可看完整数值。",
                              "Large numbers in the cells are short (1.2K = 1,200); hover for the full value."),
    "cohorts.truncated": ("只显示最近的 {shown} 个同期群（共 {total} 个）；在侧边栏缩小日期范围可查看更早的同期群。",
                          "Showing the latest {shown} of {total} cohorts; narrow the sidebar's date range to see "
                          "earlier ones."),
    "cohorts.hover_cohort": ("同期群", "Cohort"),
    "cohorts.hover_period": ("第 {k} 期", "Period {k}"),
    "cohorts.cohort_size": ("同期群人数", "Cohort size"),
    "cohorts.retained": ("留存人数", "Retained"),
    "cohorts.rate": ("留存率", "Retention rate"),
    "cohorts.period_revenue": ("本期销售额", "Revenue in period"),
    "cohorts.weight_revenue": ("第 0 期销售额", "Period-0 revenue"),
    "cohorts.incomplete": ("未满周期，数值还可能上升", "period not over: can still grow"),
    "cohorts.y_classic": ("留存率（%）", "Retention rate (%)"),
    "cohorts.y_unbounded": ("第 N 期及以后留存率（%）", "Unbounded retention (%)"),
    "cohorts.y_revenue": ("销售额留存率（占第 0 期 %）", "Revenue retention (% of period 0)"),
    # curves
    "cohorts.curves_title": ("各同期群的留存曲线与加权平均", "Retention curve of each cohort and the weighted average"),
    "cohorts.average": ("加权平均（按同期群人数）", "Weighted average (by cohort size)"),
    "cohorts.average_revenue": ("加权平均（按第 0 期销售额）", "Weighted average (by period-0 revenue)"),
    "cohorts.each_cohort": ("各同期群（颜色越深越新）", "Each cohort (darker = newer)"),
    "cohorts.cohorts_n": ("同期群数", "Cohorts"),
    "cohorts.members_n": ("会员数", "Members"),
    "cohorts.curves_note": ("第 0 期按定义为 100%，曲线从第 1 期开始；只画已满周期。",
                            "Period 0 is 100 % by definition, so the curves start at period 1; complete periods only."),
    "cohorts.too_short": ("数据只覆盖一个已满周期，还画不出留存曲线：选择更细的粒度（如周）或等待更多数据。",
                          "The data covers only one complete period, too short for a retention curve: pick a "
                          "finer period (e.g. week) or wait for more data."),
    # compare
    "cohorts.compare_header": ("对比两个范围", "Compare two scopes"),
    "cohorts.compare_field": ("对比维度", "Compare by"),
    "cohorts.scope_a": ("范围 A", "Scope A"),
    "cohorts.scope_b": ("范围 B", "Scope B"),
    "cohorts.compare_help": ("每个范围 = 侧边栏的筛选条件，再加上该维度取所选值（替换侧边栏对同一维度的选择）。"
                             "按渠道、门店等订单属性对比时，首购指该范围内的首次购买。",
                             "Each scope = the sidebar's filters plus this field = the chosen value (replacing any "
                             "sidebar choice on the same field). For order attributes such as channel, "
                             "\"first purchase\" means the first purchase in that scope."),
    "cohorts.compare_title": ("留存对比（加权平均）：{a} vs {b}", "Retention compared (weighted average): {a} vs {b}"),
    "cohorts.compare_one_value": ("该维度只有一个取值，无法对比；换一个维度。",
                                  "This field has only one value, so there is nothing to compare; pick another field."),
    "cohorts.compare_same": ("请为两个范围选择不同的值。", "Pick two different values for the scopes."),
    "cohorts.compare_empty": ("所选范围内没有可比较的已满周期。", "The scopes have no complete period to compare."),
    # drill-down
    "cohorts.drill_hint": ("在热力图上点击格子，或在这里选择：", "Click a cell in the triangle, or pick one here:"),
    "cohorts.pick_cohort": ("同期群", "Cohort"),
    "cohorts.pick_period": ("期数", "Period"),
    "cohorts.whole_cohort": ("整个同期群", "Whole cohort"),
    "cohorts.period_k": ("第 {k} 期", "Period {k}"),
    "cohorts.cell_members": ("{cohort} 同期群 · 第 {k} 期：{retained} 人再次购买，占 {size} 人的 {rate}。",
                             "{cohort} cohort · period {k}: {retained} of {size} members bought ({rate})."),
    "cohorts.cell_members_unbounded": ("{cohort} 同期群 · 第 {k} 期及以后：{retained} 人仍有购买，占 {size} 人的 {rate}。",
                                       "{cohort} cohort · period {k} or later: {retained} of {size} members bought "
                                       "({rate})."),
    "cohorts.cell_revenue": ("{cohort} 同期群 · 第 {k} 期：销售额 {amount}（第 0 期的 {rate}）；下表为该期有订单行的会员。",
                             "{cohort} cohort · period {k}: revenue {amount} ({rate} of period 0); below, the members "
                             "with order lines in it."),
    "cohorts.cohort_members": ("{cohort} 同期群：{size} 人。", "{cohort} cohort: {size} members."),
    "cohorts.cell_incomplete": ("该期尚未结束。", "This period is not over yet."),
    # empty states
    "cohorts.no_signup": ("没有可用的注册日期：上传含「注册时间」的会员资料后，才能按注册分组。",
                          "No signup dates: upload a members file with a signup date to build signup cohorts."),
    # readings (lib/readings.py)
    "cohorts.read_average_classic": ("按同期群人数加权，平均 {k1_pct} 的会员在第 1 期再次购买，第 {last_k} 期为 {last_pct}"
                                     "（分别基于 {cohorts_n} 个和 {last_cohorts_n} 个同期群）。",
                                     "Weighted by cohort size, {k1_pct} of members buy again in period 1 and "
                                     "{last_pct} in period {last_k} (from {cohorts_n} and {last_cohorts_n} cohorts)."),
    "cohorts.read_average_classic_one": ("按同期群人数加权，平均 {k1_pct} 的会员在第 1 期再次购买（{cohorts_n} 个同期群）。",
                                         "Weighted by cohort size, {k1_pct} of members buy again in period 1 "
                                         "({cohorts_n} cohorts)."),
    "cohorts.read_average_unbounded": ("按同期群人数加权，平均 {k1_pct} 的会员在第 1 期或之后仍有购买，第 {last_k} 期及以后为 "
                                       "{last_pct}（分别基于 {cohorts_n} 个和 {last_cohorts_n} 个同期群）。",
                                       "Weighted by cohort size, {k1_pct} of members buy in period 1 or later and "
                                       "{last_pct} in period {last_k} or later (from {cohorts_n} and {last_cohorts_n} "
                                       "cohorts)."),
    "cohorts.read_average_unbounded_one": ("按同期群人数加权，平均 {k1_pct} 的会员在第 1 期或之后仍有购买（{cohorts_n} 个同期群）。",
                                           "Weighted by cohort size, {k1_pct} of members buy in period 1 or later "
                                           "({cohorts_n} cohorts)."),
    "cohorts.read_average_revenue": ("按第 0 期销售额加权，第 1 期销售额平均为第 0 期的 {k1_pct}，第 {last_k} 期为 {last_pct}"
                                     "（分别基于 {cohorts_n} 个和 {last_cohorts_n} 个同期群）。",
                                     "Weighted by period-0 revenue, period-1 revenue is {k1_pct} of period 0 and "
                                     "period-{last_k} revenue {last_pct} (from {cohorts_n} and {last_cohorts_n} "
                                     "cohorts)."),
    "cohorts.read_average_revenue_one": ("按第 0 期销售额加权，第 1 期销售额平均为第 0 期的 {k1_pct}（{cohorts_n} 个同期群）。",
                                         "Weighted by period-0 revenue, period-1 revenue is {k1_pct} of period 0 "
                                         "({cohorts_n} cohorts)."),
    "cohorts.read_compare_up": ("第 {k} 期：{a_name}为 {a_pct}，{b_name}为 {b_pct}，{a_name}高出 {diff_pp} 个百分点。",
                                "Period {k}: {a_name} {a_pct} vs {b_name} {b_pct} — {a_name} is {diff_pp} points higher."),
    "cohorts.read_compare_down": ("第 {k} 期：{a_name}为 {a_pct}，{b_name}为 {b_pct}，{a_name}低 {diff_pp} 个百分点。",
                                  "Period {k}: {a_name} {a_pct} vs {b_name} {b_pct} — {a_name} is {diff_pp} points lower."),
    "cohorts.read_compare_flat": ("第 {k} 期：{a_name}为 {a_pct}，{b_name}为 {b_pct}，两者基本持平。",
                                  "Period {k}: {a_name} {a_pct} vs {b_name} {b_pct} — about the same."),
    # member list columns
    "cohorts.col_first_purchase": ("首购日期", "First purchase"),
    "cohorts.col_signup_date": ("注册日期", "Signup date"),
    "cohorts.col_purchases": ("购买次数", "Purchases"),
    "cohorts.col_revenue": ("销售额{money_unit}", "Revenue{money_unit}"),
    "cohorts.cols_note": ("购买次数与销售额为该格所在期内（第 N 期及以后口径为第 N 期起；整个同期群为第 0 期起）。",
                          "Purchases and revenue are those in the cell's period (unbounded: from period N on; "
                          "whole cohort: from period 0 on)."),
}
