"""Member 360 (会员画像) labels."""

LABELS: dict[str, tuple[str, str]] = {
    "member.caption": ("查找一位会员，看他/她是谁、买过什么、处在哪个生命周期阶段、价值几何、预计何时再来。",
                       "Find one member: who they are, what they bought, their lifecycle stage and value, "
                       "and when they are expected back."),
    "member.search": ("搜索会员ID", "Search member ID"),
    "member.search_placeholder": ("输入会员ID的开头或其中一段，例如 M0001", "Type the start or any part of an ID, e.g. M0001"),
    "member.pick": ("选择会员", "Member"),
    "member.pick_label": ("{member} · 累计购买 {purchases} 次 · 最近购买 {last}",
                          "{member} · purchases (all orders): {purchases} · last {last}"),
    "member.pick_label_none": ("{member} · 尚无购买", "{member} · no purchases yet"),
    "member.matches": ("显示前 {n} 个匹配的会员（ID 以搜索内容开头的排在前面）；请输入更多字符缩小范围。",
                       "Showing the first {n} matches (IDs starting with your text first); type more to narrow down."),
    "member.no_match": ("没有会员ID包含「{text}」的会员。请检查拼写，或只输入ID的一部分。",
                        "No member ID contains “{text}”. Check the spelling, or type only part of the ID."),
    "member.no_members": ("该数据集还没有会员。", "This dataset has no members yet."),
    "member.header": ("会员 {member}", "Member {member}"),
    "member.scope": ("统计范围：{filters}；截至 {as_of}（数据截止日）。阶段、RFM 和订单时间线按截止日前的全部历史计算，"
                     "日期范围不会隐藏历史{clv_note}。",
                     "Scope: {filters}; as of {as_of} (data end). Stage, RFM and the timeline use all history up "
                     "to data end — the date range never hides history{clv_note}."),
    "member.scope_all": ("全部订单（未筛选）", "all orders (no filters)"),
    "member.scope_clv_end": ("；预测 CLV 按截至 {end} 的订单拟合", "; predicted CLV is fitted on orders up to {end}"),
    "member.out_of_scope": ("该会员在当前筛选范围内没有订单（{filters}）。请清除筛选查看他/她的全部订单。",
                            "This member has no orders in the current filters ({filters}). Clear the filters to "
                            "see all their orders."),
    "member.no_orders": ("该会员还没有订单（注册未购）。", "This member has no orders yet (registered, never bought)."),
    # attributes
    "member.attributes": ("会员资料", "Attributes"),
    "member.signup_date": ("注册日期", "Signup date"),
    "member.signup_channel": ("注册渠道", "Signup channel"),
    "member.age": ("年龄", "Age"),
    "member.age_value": ("{age} 岁（{band}）", "{age} ({band})"),
    "member.region_city": ("区域 / 城市", "Region / city"),
    "member.source_members_file": ("资料来源：会员资料文件", "Source: members file"),
    "member.source_orders": ("资料来源：订单明细（没有会员资料文件）", "Source: order lines (no members file)"),
    "member.unknown": ("未知", "Unknown"),
    # value cards
    "member.first_purchase": ("首次购买", "First purchase"),
    "member.last_purchase": ("最近购买", "Last purchase"),
    "member.purchases": ("购买次数", "Purchases"),
    "member.net_spend": ("累计消费金额", "Net spend"),
    "member.first_on": ("首购 {date}", "first on {date}"),
    "member.no_rhythm": ("只有一个购买日", "only one purchase day"),
    "member.expected_purchases": ("未来 52 周预计购买 {n:.1f} 次", "{n:.1f} orders in 52 weeks"),
    "member.next_order": ("预计下次购买日期", "Expected next order"),
    "member.next_52_weeks": ("未来 52 周销售额", "revenue, next 52 weeks"),
    "member.on_data_end": ("在数据截止日当天", "on the data end"),
    "member.days_ago": ("{days} 天前", "{days} days ago"),
    "member.rfm_scores": ("R / F / M 分", "R / F / M scores"),
    "member.rfm_scores_value": ("R{r} · F{f} · M{m}", "R{r} · F{f} · M{m}"),
    "member.action": ("建议动作", "Suggested action"),
    "member.no_rfm": ("不在 RFM 人群中（当前范围内没有购买）。", "Not in the RFM population (no purchase in scope)."),
    # stage reasons
    "member.why_stage": ("为什么是这个阶段，以及建议动作", "Why this stage, and what to do"),
    "member.reason_prospect": ("已注册，但在当前范围内还没有购买。", "Registered, but no purchase in scope yet."),
    "member.reason_churned": ("距上次购买 {recency_days} 天，超过流失判定天数 {churn_days} 天。",
                              "{recency_days} days since the last purchase, more than the churn limit of {churn_days} days."),
    "member.reason_exploration": ("只购买过 1 次，且距上次购买 {recency_days} 天（未超过 {churn_days} 天）。",
                                  "One purchase so far, {recency_days} days ago (within {churn_days} days)."),
    "member.reason_decline_gap": ("距上次购买 {recency_days} 天，超过个人复购周期（中位 {median_gap_days:g} 天）的 "
                                  "{gap_multiple:g} 倍 = {limit_days:.0f} 天。",
                                  "{recency_days} days since the last purchase, more than {gap_multiple:g} × their own "
                                  "median gap of {median_gap_days:g} days = {limit_days:.0f} days."),
    "member.reason_decline_spend": ("近 {window_days} 天消费 {currency}{recent_spend:,.2f}，不超过前 {window_days} 天 "
                                    "{currency}{prior_spend:,.2f} 的 {spend_pct:.0f}%。",
                                    "Spent {currency}{recent_spend:,.2f} in the last {window_days} days, no more than "
                                    "{spend_pct:.0f}% of the {currency}{prior_spend:,.2f} in the {window_days} days before."),
    "member.reason_growth": ("购买 {purchases} 次，首购距今 {days_since_first} 天（不超过 {growth_days} 天），且未出现衰退迹象。",
                             "{purchases} purchases, the first {days_since_first} days ago (within {growth_days} days), "
                             "no sign of decline."),
    "member.reason_stable": ("购买 {purchases} 次，首购距今 {days_since_first} 天（超过 {growth_days} 天），且未出现衰退迹象。",
                             "{purchases} purchases, the first {days_since_first} days ago (more than {growth_days} "
                             "days), no sign of decline."),
    # prediction
    "member.prediction": ("预测", "Prediction"),
    "member.overdue_by": ("已超期 {days} 天", "{days} days overdue"),
    "member.not_overdue": ("未超期", "Not overdue"),
    "member.unlikely_return": ("很可能不会再来", "unlikely to return"),  # P(alive) is on the card beside it
    "member.next_basis": ("预计下次购买日期 = 最近购买日 + 该会员的平均购买间隔（首购到末购的天数 ÷ 复购次数）。",
                          "Expected date of next order = last purchase day + the member's mean gap (days from first "
                          "to last purchase ÷ repeat purchases)."),
    "member.p_alive_help": ("存活概率：模型估计该会员仍是活跃顾客（还会再来购买）的概率；下方是未来 52 周的预计购买次数。"
                            "本页固定使用默认模型 {model}（只买过一次的会员也有真实的存活概率），按当前筛选范围拟合；"
                            "在「5W1H 分析 → 为什么」可以比较其他模型。",
                            "P(alive): the model's probability that this member is still an active customer (will "
                            "buy again); below it, expected purchases in the next 52 weeks. This page always uses "
                            "the default model, {model} (one-time buyers get a real P(alive) too), fitted on the "
                            "current scope; 5W1H → Why compares the other models."),
    "member.by_model": ("{model} 模型估计", "estimated by {model}"),
    "member.churn_help": ("流失概率 = 1 − 存活概率：模型（{model}）估计该会员已经永久离开、不会再来的概率。",
                          "Churn probability = 1 − P(alive): the model's ({model}) probability that this member has "
                          "left for good."),
    "member.clv_help": ("预测 CLV = 未来 52 周的预计购买次数 × 预计每次消费金额（{model} + Gamma-Gamma）。按销售额计，不是利润；"
                        "在「5W1H 分析 → 为什么」可用毛利率换算成毛利。",
                        "Predicted CLV = expected purchases in the next 52 weeks × expected spend per purchase "
                        "({model} + Gamma-Gamma). It is revenue, not profit; 5W1H → Why turns it into gross profit "
                        "with a gross margin."),
    "member.clv_member_none": ("该会员没有预测 CLV：消费金额模型无法给出没有复购的会员的平均客单价。",
                               "No predicted CLV for this member: the spend model gives no average spend for a "
                               "member without a repeat purchase."),
    "member.clv_few": ("预测模型只基于当前范围内 {buyers} 位买家拟合，样本较少，存活概率和预测 CLV 仅供参考。",
                       "The prediction model is fitted on only {buyers} buyers in this scope: read P(alive) and "
                       "predicted CLV as rough."),
    "member.clv_absent": ("该会员在预测模型的拟合截止日（{fit}）前没有购买，无法预测。",
                          "This member has no purchase before the model's fit date ({fit}), so there is no prediction."),
    # timeline
    "member.timeline_title": ("会员 {member} 的订单时间线（每个点是一笔订单，点越大金额越高）",
                              "Order timeline of member {member} (each point is an order; bigger = larger amount)"),
    "member.timeline_x": ("下单时间", "Order time"),
    "member.timeline_y": ("订单实付金额{money_unit}", "Order net amount{money_unit}"),
    "member.kind_purchase": ("购买", "Purchase"),
    "member.kind_refund": ("退款", "Refund"),
    "member.refund_order": ("退款单", "refund"),
    "member.hover_nth": ("第 {n} 次购买", "purchase #{n}"),
    "member.hover_order": ("订单", "Order"),
    "member.hover_lines": ("（{n} 行）", " ({n} lines)"),
    "member.hover_amount": ("实付金额", "Net amount"),
    "member.hover_items": ("商品", "Items"),
    "member.mark_data_end": ("数据截止日", "Data end"),
    "member.mark_next": ("预计下次购买", "Expected next order"),
    "member.mark_range": ("所选日期范围", "Selected date range"),
    # order lines table
    "member.lines": ("订单明细", "Order lines"),
    "member.lines_caption": ("该会员在当前范围内的全部订单行（负数为退款）。", "Every order line of this member in scope (negative = refund)."),
    "member.col_order_id": ("订单号", "Order ID"),
    "member.col_order_ts": ("下单时间", "Order time"),
    "member.col_quantity": ("数量", "Quantity"),
    "member.col_unit_price": ("单价{money_unit}", "Unit price{money_unit}"),
    "member.col_discount": ("优惠金额{money_unit}", "Discount{money_unit}"),
    "member.col_amount": ("实付金额{money_unit}", "Net amount{money_unit}"),
    # suggested actions (GLOSSARY §5)
    "member.act_champions": ("专属权益、新品首发、邀请推荐", "Reward, early access, ask for referrals"),
    "member.act_loyal": ("高客单推荐、会员升级", "Upsell, tier upgrade"),
    "member.act_potential_loyalist": ("引导入会、组合推荐", "Membership offer, bundles"),
    "member.act_new_customers": ("首购关怀、二单券", "Onboarding, 2nd-purchase coupon"),
    "member.act_promising": ("品牌内容、小额激励", "Brand content, small incentive"),
    "member.act_need_attention": ("限时个性化推荐", "Time-limited personal offer"),
    "member.act_about_to_sleep": ("爆品加限时券唤醒", "Bestsellers + limited coupon"),
    "member.act_at_risk": ("一对一回访、专属券", "Personal win-back, ask why"),
    "member.act_cannot_lose": ("优先高投入挽回", "High-touch win-back first"),
    "member.act_hibernating": ("低成本唤醒", "Low-cost reactivation"),
    "member.act_lost": ("停止付费触达", "Exclude from paid sends"),
    "member.vgact_important_value": ("维持 VIP 服务", "Keep VIP service"),
    "member.vgact_important_develop": ("提升购买频次", "Raise frequency"),
    "member.vgact_important_retain": ("主动联系召回", "Contact proactively"),
    "member.vgact_important_winback": ("了解原因并挽留", "Find the reason, win back"),
    "member.vgact_general_value": ("提升客单（组合、加价购）", "Raise basket"),
    "member.vgact_general_develop": ("培养二次购买", "Nurture to 2nd buy"),
    "member.vgact_general_retain": ("低成本维护", "Low-cost reminders"),
    "member.vgact_general_winback": ("低优先级", "Lowest priority"),
}
