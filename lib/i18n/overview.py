"""Overview 经营概览: labels, chart texts and the reading sentences (lib/readings.py fills them)."""

LABELS: dict[str, tuple[str, str]] = {
    "overview.caption": ("生意怎么样、钱来自新会员还是老会员、会员留不留得住：本页的 KPI 与趋势一览。",
                         "How the business is doing, whether revenue comes from new or existing members, "
                         "and whether members stay."),
    # KPI window
    "overview.window": ("KPI 统计窗口", "KPI window"),
    "overview.window_30": ("近 30 天", "Last 30 days"),
    "overview.window_90": ("近 90 天", "Last 90 days"),
    "overview.window_365": ("近 365 天", "Last 365 days"),
    "overview.window_range": ("所选日期范围", "Selected date range"),
    "overview.window_help": ("近 N 天截至侧边栏日期范围的结束日（默认数据截止日）；每张卡片与紧邻其前、天数相同的时段比较。",
                             "The last N days up to the end of the sidebar's date range (default: data end); "
                             "each card is compared with the window of the same length just before it."),
    "overview.window_caption": ("KPI：{start} 至 {end}（{days} 天），较前 {days} 天（{prev_start} 至 {prev_end}）。"
                                "卡片中的小图为所选日期范围内每{unit}的走势（已满周期）。",
                                "KPIs: {start} to {end} ({days} days), vs the {days} days before ({prev_start} to "
                                "{prev_end}). The small charts show each {unit} of the selected date range "
                                "(complete periods)."),
    "overview.previous_partial": ("前 {days} 天有一部分早于数据开始日（{first}），那部分没有数据，下面的变化幅度会被高估。",
                                  "Part of the previous {days} days lies before the data starts ({first}); there is "
                                  "no data for it, so the changes below are overstated."),
    "overview.delta_vs": ("较前 {days} 天", "vs previous {days} days"),
    "overview.pp": ("{value:+.1f} 个百分点", "{value:+.1f} pp"),
    "overview.help_repurchase_rate": ("窗口内购买的会员中，算上窗口之前的历史累计购买 ≥ 2 次的比例：窗口内只买了一次、"
                                      "但以前买过的会员也算复购，所以它可以远高于人均购买次数所显示的水平。",
                                      "Of the members who bought in the window, the share with ≥ 2 purchases counting "
                                      "their history before the window: a member who bought once in the window but "
                                      "had bought before counts as a repeat buyer, so the rate can be far above what "
                                      "the purchase frequency suggests."),
    "overview.help_order_repurchase_rate": ("窗口内的订单中，不是该会员第一笔购买的比例（第一笔按全部历史判断）。",
                                            "Of the orders in the window, the share that are not the member's first "
                                            "purchase ever (the first is decided on all history)."),
    "overview.trend_period": ("趋势粒度", "Trend by"),
    # revenue split
    "overview.revenue_title": ("新会员与老会员销售额（按{unit}）", "Revenue from new vs existing members, by {unit}"),
    "overview.revenue_new": ("新会员", "New members"),
    "overview.revenue_existing": ("老会员", "Existing members"),
    "overview.revenue_axis": ("销售额{money_unit}", "Revenue{money_unit}"),
    "overview.revenue_help": ("新会员 = 本期首次购买的会员；老会员 = 其余会员（本期之前已购买过，含退款）。",
                              "New = first purchase in the period; existing = everyone else (bought before; "
                              "refunds included)."),
    "overview.share": ("占比", "share"),
    "overview.incomplete": ("未满周期", "period not over"),
    # active members and CRR
    "overview.active_title": ("活跃会员与客户保留率（按{unit}）", "Active members and customer retention rate (CRR), by {unit}"),
    "overview.active_axis": ("活跃会员（人）", "Active members"),
    "overview.crr_axis": ("客户保留率（%）", "CRR (%)"),
    "overview.legend_crr": ("客户保留率", "CRR"),
    "overview.legend_crr_strict": ("严格保留率", "Strict CRR"),
    "overview.active_help": ("活跃 = 本期有购买；客户保留率 = (本期活跃 − 本期新增) ÷ 上期活跃，回流会员可使其超过 100%；"
                             "严格保留率 = 连续两期都购买的会员 ÷ 上期活跃。",
                             "Active = bought in the period; CRR = (active − new) ÷ active in the previous period "
                             "(resurrecting members can lift it above 100 %); strict CRR = bought in both periods ÷ "
                             "active in the previous period."),
    # period-1 retention by cohort
    "overview.k1_title": ("{k1}（按首购同期群）", "{k1} by cohort of first purchase"),
    "overview.k1_axis": ("{k1}（%）", "{k1} (%)"),
    "overview.cohort_axis": ("同期群（首购所在{unit}）", "Cohort ({unit} of first purchase)"),
    "overview.k1_month": ("次月留存率", "Month-1 retention"),
    "overview.k1_week": ("次周留存率", "Week-1 retention"),
    "overview.k1_quarter": ("次季留存率", "Quarter-1 retention"),
    "overview.k1_day": ("次日留存率", "Day-1 retention"),
    "overview.k1_help": ("每个同期群中，首购后下一个{unit}再次购买的会员占比；浅色点为未满周期。详见「留存分析」页。",
                         "Share of each cohort buying again in the {unit} after their first purchase; light points "
                         "are periods not over yet. More on the Retention page."),
    "overview.cohort_size": ("同期群人数", "Cohort size"),
    "overview.retained": ("留存人数", "Retained"),
    # lifecycle mix
    "overview.lifecycle_title": ("会员生命周期阶段分布（截至 {as_of}）", "Members by lifecycle stage (at {as_of})"),
    "overview.members_axis": ("会员数（人）", "Members"),
    "overview.lifecycle_help": ("流失期 = 超过 180 天未购买；考察期 = 只买过一次；衰退期 = 多次购买但购买间隔或近期消费明显变差。"
                                "阈值可在「生命周期」页调整。",
                                "Churned = no purchase for over 180 days; exploration = one purchase so far; decline = "
                                "repeat buyers whose gaps or recent spend got clearly worse. Thresholds can be changed "
                                "on the Lifecycle page."),
    "overview.prospects_filtered": ("按渠道、门店、区域、城市、品类或商品筛选时不计潜客（注册未购）：图中只有在该范围内购买过的会员。",
                                    "Prospects (registered, never bought) are not counted under a channel, store, "
                                    "region, city, category or product filter: the chart shows the members who "
                                    "bought in that scope."),
    "overview.prospects_no_file": ("没有会员资料文件，无从知道潜客（注册未购）：图中只有购买过的会员。",
                                   "No members file, so prospects (registered, never bought) cannot be known: the "
                                   "chart shows the members who bought."),
    "overview.no_periods": ("所选范围内还没有已满的周期，暂无法给出解读。",
                            "No complete period in the selected range yet, so there is no reading."),
    # previous-period words used inside the readings
    "overview.prev_day": ("前一日", "the previous day"),
    "overview.prev_week": ("上周", "the previous week"),
    "overview.prev_month": ("上月", "the previous month"),
    "overview.prev_quarter": ("上季度", "the previous quarter"),
    # readings (lib/readings.py)
    "overview.read_kpis_up": ("销售额较前 {days_n} 天增长 {change_pct}（{previous_money} → {revenue_money}）；"
                              "购买人数 {buyers}，客单价 {aov}。",
                              "Revenue rose {change_pct} vs the previous {days_n} days ({previous_money} → "
                              "{revenue_money}); buyers {buyers}, AOV {aov}."),
    "overview.read_kpis_down": ("销售额较前 {days_n} 天下降 {change_pct}（{previous_money} → {revenue_money}）；"
                                "购买人数 {buyers}，客单价 {aov}。",
                                "Revenue fell {change_pct} vs the previous {days_n} days ({previous_money} → "
                                "{revenue_money}); buyers {buyers}, AOV {aov}."),
    "overview.read_kpis_flat": ("销售额与前 {days_n} 天基本持平（{previous_money} → {revenue_money}）；"
                                "购买人数 {buyers}，客单价 {aov}。",
                                "Revenue held steady vs the previous {days_n} days ({previous_money} → "
                                "{revenue_money}); buyers {buyers}, AOV {aov}."),
    "overview.read_kpis_none": ("前 {days_n} 天没有销售，无法比较：请选择更短的窗口或更晚的日期范围。",
                                "No sales in the {days_n} days before, so nothing to compare with: pick a shorter "
                                "window or a later date range."),
    "overview.read_mix": ("{period}，老会员贡献了 {share_pct} 的销售额（{returning_money} / {total_money}）。",
                          "In {period}, existing members brought {share_pct} of revenue ({returning_money} of "
                          "{total_money})."),
    "overview.read_mix_vs": ("{period}，老会员贡献了 {share_pct} 的销售额（{returning_money} / {total_money}），"
                             "上一期为 {previous_pct}。",
                             "In {period}, existing members brought {share_pct} of revenue ({returning_money} of "
                             "{total_money}), vs {previous_pct} the period before."),
    "overview.read_active_one": ("{period}，活跃会员 {now_n} 人。", "{period}: {now_n} active members."),
    "overview.read_active_up": ("{period}，活跃会员较{prev_label}增长 {change_pct}（{before_n} → {now_n}）。",
                                "Active members rose {change_pct} vs {prev_label} in {period} ({before_n} → {now_n})."),
    "overview.read_active_down": ("{period}，活跃会员较{prev_label}下降 {change_pct}（{before_n} → {now_n}）。",
                                  "Active members fell {change_pct} vs {prev_label} in {period} ({before_n} → {now_n})."),
    "overview.read_active_flat": ("{period}，活跃会员与{prev_label}基本持平（{before_n} → {now_n}）。",
                                  "Active members held steady vs {prev_label} in {period} ({before_n} → {now_n})."),
    "overview.read_active_up_crr": ("{period}，活跃会员较{prev_label}增长 {change_pct}（{before_n} → {now_n}），"
                                    "客户保留率 {crr_pct}。",
                                    "Active members rose {change_pct} vs {prev_label} in {period} ({before_n} → "
                                    "{now_n}); CRR {crr_pct}."),
    "overview.read_active_down_crr": ("{period}，活跃会员较{prev_label}下降 {change_pct}（{before_n} → {now_n}），"
                                      "客户保留率 {crr_pct}。",
                                      "Active members fell {change_pct} vs {prev_label} in {period} ({before_n} → "
                                      "{now_n}); CRR {crr_pct}."),
    "overview.read_active_flat_crr": ("{period}，活跃会员与{prev_label}基本持平（{before_n} → {now_n}），"
                                      "客户保留率 {crr_pct}。",
                                      "Active members held steady vs {prev_label} in {period} ({before_n} → "
                                      "{now_n}); CRR {crr_pct}."),
    "overview.read_k1_one": ("{now_cohort} 同期群的{k1_label}为 {now_pct}。",
                             "{k1_label} of the {now_cohort} cohort: {now_pct}."),
    "overview.read_k1_up": ("{k1_label}从 {before_pct}（{before_cohort} 同期群）升至 {now_pct}（{now_cohort} 同期群）。",
                            "{k1_label} rose from {before_pct} ({before_cohort} cohort) to {now_pct} ({now_cohort} "
                            "cohort)."),
    "overview.read_k1_down": ("{k1_label}从 {before_pct}（{before_cohort} 同期群）降至 {now_pct}（{now_cohort} 同期群）。",
                              "{k1_label} fell from {before_pct} ({before_cohort} cohort) to {now_pct} ({now_cohort} "
                              "cohort)."),
    "overview.read_k1_flat": ("{k1_label}基本持平：{before_pct}（{before_cohort} 同期群）→ {now_pct}（{now_cohort} 同期群）。",
                              "{k1_label} held steady: {before_pct} ({before_cohort} cohort) → {now_pct} "
                              "({now_cohort} cohort)."),
    "overview.read_lifecycle": ("人数最多的是{top_label}：{top_pct}（{top_n} 人）；{decline_n} 人（{decline_pct}）处于衰退期，"
                                "宜在流失前挽回。",
                                "The largest group is {top_label}: {top_pct} of members ({top_n}); {decline_n} "
                                "({decline_pct}) are in decline — win them back before they churn."),
    "overview.read_lifecycle_no_decline": ("人数最多的是{top_label}：{top_pct}（{top_n} 人）；目前没有会员处于衰退期。",
                                           "The largest group is {top_label}: {top_pct} of members ({top_n}); "
                                           "nobody is in decline now."),
}
