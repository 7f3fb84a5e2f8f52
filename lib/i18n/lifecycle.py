"""Lifecycle page labels (GLOSSARY §4); stage names are common (stage_*)."""

LABELS: dict[str, tuple[str, str]] = {
    "lifecycle.caption": ("会员处在生命周期的哪个阶段、在阶段间如何流转。阶段是截至数据截止日 {as_of} 的快照"
                          "（全部历史订单都计入）；日期范围只决定「阶段构成变化」图显示哪些月份。",
                          "Where members are in their lifecycle and how they move between stages. Stages are a "
                          "snapshot at the data end, {as_of}, over all history in scope; the date range only "
                          "chooses the periods of the stage-mix chart."),
    # thresholds
    "lifecycle.thresholds": ("阶段判定阈值", "Stage thresholds"),
    "lifecycle.churn_days": ("流失判定天数", "Churn days"),
    "lifecycle.churn_days_help": ("距最近一次购买超过这么多天 → 流失期。", "More days than this since the last purchase → churned."),
    "lifecycle.gap_multiple": ("个人复购间隔倍数", "Gap multiple"),
    "lifecycle.gap_multiple_help": ("距最近一次购买超过本人复购周期（中位天数）的这么多倍 → 衰退期。",
                                    "Days since the last purchase above this × the member's own median days "
                                    "between purchases → decline."),
    "lifecycle.spend_ratio": ("近 90 天消费占前 90 天比例（%）", "Spend ratio, last/prior 90 d (%)"),
    "lifecycle.spend_ratio_help": ("近 90 天净消费 ≤ 前 90 天净消费的这个比例 → 衰退期（前 90 天没有消费时不适用）。",
                                   "Net spend in the last 90 days at or below this share of the 90 days before → "
                                   "decline (not applied when the earlier 90 days had no spend)."),
    "lifecycle.growth_days": ("首购距今天数", "Days since first purchase"),
    "lifecycle.growth_days_help": ("买过两次及以上、首购距今不超过这么多天 → 增长期，超过则为稳定期。",
                                   "Repeat buyers whose first purchase is at most this many days ago → growth; "
                                   "older → stable."),
    "lifecycle.defaults": ("默认 180 天 / 1.5 倍 / 70% / 365 天。改动后各阶段人数即时重算，卡片上的变化量与默认阈值相比。",
                           "Defaults 180 days / 1.5× / 70 % / 365 days. Counts recompute as you change them; the "
                           "cards' deltas compare with the defaults."),
    "lifecycle.reset": ("恢复默认阈值", "Reset to defaults"),
    "lifecycle.share_of_members": ("占 {share:.1%}", "{share:.1%} of members"),
    "lifecycle.card_prospect": ("潜客", "Prospect"),
    "lifecycle.stage_help_prospect": ("潜客 = 注册未购：会员资料中已注册、还没有购买（需要会员资料文件）。",
                                      "Registered in the members file, no purchase yet (needs a members file)."),
    "lifecycle.stage_help_exploration": ("只购买过一次、尚未流失。", "One purchase, not churned."),
    "lifecycle.stage_help_growth": ("购买两次及以上、首购距今不久、没有衰退迹象。",
                                    "Two or more purchases, first purchase recent, no sign of decline."),
    "lifecycle.stage_help_stable": ("购买两次及以上、首购较早、没有衰退迹象。",
                                    "Two or more purchases, first purchase long ago, no sign of decline."),
    "lifecycle.stage_help_decline": ("购买两次及以上，但超出本人复购周期未再购买，或近 90 天消费明显减少。",
                                     "Two or more purchases, but overdue against their own rhythm or spending "
                                     "clearly less in the last 90 days."),
    "lifecycle.stage_help_churned": ("距最近一次购买已超过流失判定天数。", "Longer than the churn days since the last purchase."),
    "lifecycle.no_buyers": ("该范围内没有购买：{n:,} 位会员都是潜客（注册未购）。",
                            "No purchases in this scope: all {n:,} members are prospects (registered, never bought)."),
    "lifecycle.prospects_need_no_filter": ("潜客（注册未购）只在不按渠道、门店、区域、城市、品类或商品筛选时计算：按这些条件筛选时，"
                                           "阶段和漏斗只包括在该范围内购买过的会员。",
                                           "Prospects (registered, never bought) are counted only without a "
                                           "channel, store, region, city, category or product filter: under one, "
                                           "the stages and the funnel cover the members who bought in that scope."),
    "lifecycle.prospects_need_members_file": ("这个数据集没有会员资料文件，无从知道注册未购的潜客：阶段和漏斗只包括购买过的会员。"
                                              "导入会员资料后即可看到潜客。",
                                              "This dataset has no members file, so prospects (registered, never "
                                              "bought) cannot be known: the stages and the funnel cover the members "
                                              "who bought. Import a members file to see them."),
    # funnel
    "lifecycle.funnel_title": ("生命周期漏斗（% 为占上一步）", "Lifecycle funnel (% of the step before)"),
    "lifecycle.step_registered": ("注册", "Registered"),
    "lifecycle.step_first_purchase": ("首购", "First purchase"),
    "lifecycle.step_second_purchase": ("二次购买", "2nd purchase"),
    "lifecycle.step_third_purchase": ("三次及以上", "3rd+ purchase"),
    "lifecycle.step_stable": ("稳定期", "Stable"),
    "lifecycle.funnel_members": ("会员数（人）", "Members"),
    "lifecycle.of_previous": ("占上一步", "of previous step"),
    "lifecycle.of_registered": ("占注册", "of registered"),
    "lifecycle.of_first_purchase": ("占首购", "of first purchase"),
    "lifecycle.funnel_note": ("稳定期可能包含只买过两次的会员，所以最后一步不一定是上一步的子集。",
                              "Stable members may have only 2 purchases, so the last step is not always a subset "
                              "of the one before."),
    "lifecycle.funnel_registered_note": ("注册 = 会员资料中注册未购的潜客加上购买会员。",
                                         "Registered = the prospects of the members file plus the buyers."),
    # mix over time
    "lifecycle.mix_title": ("阶段构成变化：每{period}末各阶段{what}", "Stage mix over time: {what} per stage at each {period} end"),
    "lifecycle.mix_count": ("会员数", "members"),
    "lifecycle.mix_share": ("占比", "share"),
    "lifecycle.mix_show": ("显示", "Show"),
    "lifecycle.show_count": ("人数", "Members"),
    "lifecycle.show_share": ("占比", "Share"),
    "lifecycle.hide_churned": ("不显示流失期", "Hide churned"),
    "lifecycle.period_axis": ("期间（按期末状态）", "Period (stages at its end)"),
    "lifecycle.members_axis": ("会员数（人）", "Members"),
    "lifecycle.share_axis": ("占有阶段会员的比例（%）", "Share of members with a stage (%)"),
    "lifecycle.share_axis_shown": ("占所示阶段会员的比例（%）", "Share of the members shown (%)"),
    "lifecycle.as_of_hover": ("截至 {date}", "As of {date}"),
    "lifecycle.mix_empty": ("所选日期范围内没有可显示的期间。", "No periods to show in the selected date range."),
    # migration
    "lifecycle.migration": ("阶段流转", "Stage migration"),
    "lifecycle.migration_title": ("阶段流转：{start} → {end}（人）", "Stage migration: {start} → {end} (members)"),
    "lifecycle.date_from": ("起始日期", "From"),
    "lifecycle.date_to": ("结束日期", "To"),
    "lifecycle.dates_order": ("结束日期须晚于起始日期。", "The end date must be after the start date."),
    "lifecycle.no_stage": ("尚无阶段", "No stage yet"),
    "lifecycle.no_stage_help": ("「尚无阶段」= 在起始日期既未注册、也还没有购买的会员。",
                                "“No stage yet” = members neither registered nor buyers yet at the start date."),
    "lifecycle.no_stage_help_buyers": ("「尚无阶段」= 在起始日期还没有（在该范围内）购买过的会员。",
                                       "“No stage yet” = members who had not yet bought (in this scope) at the start "
                                       "date."),
    "lifecycle.of_from": ("占起始阶段", "of the starting stage"),
    "lifecycle.migration_empty": ("这两个日期之间没有可显示的流转。", "No members to show between these two dates."),
    # drill-down
    "lifecycle.drill_by": ("查看哪些会员", "Which members"),
    "lifecycle.by_stage": ("按阶段", "By stage"),
    "lifecycle.by_step": ("按漏斗步骤", "By funnel step"),
    "lifecycle.by_move": ("按阶段流转", "By stage migration"),
    "lifecycle.item": ("{name}（{members}）", "{name} ({members})"),
    "lifecycle.move": ("{a} → {b}（{members}）", "{a} → {b} ({members})"),
    "lifecycle.nobody": ("这里没有会员。", "No members here."),
    "lifecycle.col_purchases": ("购买次数", "Purchases"),
    "lifecycle.col_first_purchase": ("首购日期", "First purchase"),
    "lifecycle.col_last_purchase": ("最近购买日期", "Last purchase"),
    "lifecycle.col_recent_spend": ("近 90 天净消费{money_unit}", "Net spend, last 90 days{money_unit}"),
    "lifecycle.col_prior_spend": ("前 90 天净消费{money_unit}", "Net spend, prior 90 days{money_unit}"),
    "lifecycle.col_from_stage": ("起始阶段（{date}）", "Stage on {date}"),
    "lifecycle.col_to_stage": ("结束阶段（{date}）", "Stage on {date}"),
}
