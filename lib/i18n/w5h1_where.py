"""5W1H 分析, the "where & how" section: channels side by side and the suggested action per
segment and value group (GLOSSARY §5). Keys start with "w5h1." like the rest of the page's
(lib/i18n/w5h1.py)."""

LABELS: dict[str, tuple[str, str]] = {
    # -- Where & How -----------------------------------------------------------------------------
    "w5h1.channel_header": ("渠道对比（按首购渠道）", "Channels (by first purchase)"),
    "w5h1.channel_intro": ("每位会员归入其首购渠道。复购率按所选期间；获客成本 = 该渠道营销费用 ÷ 首购新客；"
                           "NPS 为该渠道会员的问卷结果。虚线为全部渠道合计。",
                           "Each member belongs to the channel of their first purchase. Repurchase rate over the "
                           "range; CAC = the channel's spend ÷ its new buyers; NPS from its members' survey "
                           "answers. Dashed lines: all channels."),
    "w5h1.channel_title": ("各首购渠道：复购率、获客成本与 NPS", "By first channel: repurchase rate, CAC and NPS"),
    "w5h1.ch_rate": ("复购率（%）", "Repurchase rate (%)"),
    "w5h1.ch_cac": ("获客成本{money_unit}", "CAC{money_unit}"),
    "w5h1.ch_cac_na": ("按当前筛选无法计算", "n/a under these filters"),
    "w5h1.ch_nps": ("NPS（−100 至 100）", "NPS (−100 to 100)"),
    "w5h1.all_channels": ("全部渠道", "All channels"),
    "w5h1.responses": ("问卷数", "Responses"),
    "w5h1.channel_none": ("订单没有渠道信息，无法按渠道对比。", "The orders have no channel: nothing to compare."),
    "w5h1.channel_no_spend": ("没有营销费用数据：获客成本留空。", "No marketing spend data: CAC is left empty."),
    "w5h1.channel_no_nps": ("没有 NPS 问卷数据：NPS 留空。", "No NPS survey data: NPS is left empty."),
    "w5h1.channel_reading": ("{best} 首购的会员复购率最高（{best_rate:.0%}），{worst} 最低（{worst_rate:.0%}）。",
                             "Members won through {best} rebuy most ({best_rate:.0%}), through {worst} least "
                             "({worst_rate:.0%})."),
    "w5h1.channel_pick": ("首购渠道", "First channel"),
    "w5h1.segment_header": ("各 RFM 细分的建议动作", "What to do per RFM segment"),
    "w5h1.segment_intro": ("RFM 细分的规模、销售额占比和建议动作；细分规则与阈值见 RFM 分层页。",
                           "Size, revenue share and the suggested action of each RFM segment; rules and thresholds "
                           "on the RFM page."),
    "w5h1.segment_title": ("各 RFM 细分的会员数与销售额占比", "Members and revenue share of each RFM segment"),
    "w5h1.segment_x": ("会员数（人）", "Members"),
    "w5h1.revenue_share": ("销售额占比", "Revenue share"),
    "w5h1.action": ("建议动作", "Suggested action"),
    "w5h1.value_groups": ("客户价值分层（8 类）与建议动作", "The 8 value groups and their actions"),
    "w5h1.rfm_link": ("RFM 分层详情 →", "RFM details →"),
    "w5h1.segment_pick": ("RFM 细分", "Segment"),
    "w5h1.group_pick": ("客户价值分层", "Value group"),
    "w5h1.members_col": ("会员数", "Members"),
    "w5h1.revenue_col": ("销售额{money_unit}", "Revenue{money_unit}"),
    # GLOSSARY §5: suggested action per segment and value group
    "w5h1.action_champions": ("专属权益、新品首发、邀请推荐", "Reward, early access, ask for referrals"),
    "w5h1.action_loyal": ("高客单推荐、会员升级", "Upsell, tier upgrade"),
    "w5h1.action_potential_loyalist": ("引导入会、组合推荐", "Membership offer, bundles"),
    "w5h1.action_new_customers": ("首购关怀、二单券", "Onboarding, 2nd-purchase coupon"),
    "w5h1.action_promising": ("品牌内容、小额激励", "Brand content, small incentive"),
    "w5h1.action_need_attention": ("限时个性化推荐", "Time-limited personal offer"),
    "w5h1.action_about_to_sleep": ("爆品加限时券唤醒", "Bestsellers + limited coupon"),
    "w5h1.action_at_risk": ("一对一回访、专属券", "Personal win-back, ask why"),
    "w5h1.action_cannot_lose": ("优先高投入挽回", "High-touch win-back first"),
    "w5h1.action_hibernating": ("低成本唤醒", "Low-cost reactivation"),
    "w5h1.action_lost": ("停止付费触达", "Exclude from paid sends"),
    "w5h1.action_important_value": ("维持 VIP 服务", "Keep VIP service"),
    "w5h1.action_important_develop": ("提升购买频次", "Raise frequency"),
    "w5h1.action_important_retain": ("主动联系召回", "Contact proactively"),
    "w5h1.action_important_winback": ("了解原因并挽留", "Find reason, win back"),
    "w5h1.action_general_value": ("提升客单（组合、加价购）", "Raise basket"),
    "w5h1.action_general_develop": ("培养二次购买", "Nurture to 2nd buy"),
    "w5h1.action_general_retain": ("低成本维护", "Low-cost reminders"),
    "w5h1.action_general_winback": ("低优先级", "Lowest priority"),
}
