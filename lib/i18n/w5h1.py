"""5W1H 分析: labels, chart texts, reading sentences and the suggested action per segment
(GLOSSARY §5–§7, §10). Every key starts with "w5h1."."""

LABELS: dict[str, tuple[str, str]] = {
    "w5h1.caption": ("用 5W1H 看会员：为什么要留住会员、留存与复购如何、谁值得重点经营或即将流失、"
                     "何时该再买、哪些商品带来复购，以及在哪里、对谁做什么。",
                     "Members through 5W1H: why keeping them pays, how retention and repurchase look, who is "
                     "worth most or about to leave, when they should buy again, which products bring them "
                     "back, and where to act on whom."),
    "w5h1.section": ("分析视角", "Question"),
    "w5h1.sec_why": ("为什么：客户资产", "Why — customer asset"),
    "w5h1.sec_what": ("是什么：留存与复购", "What — retention & repurchase"),
    "w5h1.sec_who": ("谁：高价值与预流失", "Who — high value & pre-churn"),
    "w5h1.sec_when": ("何时：复购周期", "When — repurchase cycles"),
    "w5h1.sec_products": ("买什么：复购与关联商品", "What products"),
    "w5h1.sec_where": ("在哪里、怎么做：渠道与行动", "Where & How — channels & actions"),
    "w5h1.pick_none": ("— 请选择 —", "— choose —"),
    "w5h1.all_items": ("全部", "All"),
    "w5h1.by": ("分析对象", "Analyse by"),
    "w5h1.level": ("商品层级", "Item level"),
    "w5h1.showing": ("显示 {shown:,} / {total:,} 人（按超期天数从多到少）；下载文件与表格相同。请用筛选或商品缩小范围。",
                     "Showing {shown:,} of {total:,} (most overdue first); the downloads hold the same rows. "
                     "Narrow it with the filters or an item."),
    "w5h1.na": ("无法计算", "n/a"),
    # Why a CAC is blank, by lib.cac's cac_note (spend has a date and a channel only).
    "w5h1.cac_spend_not_scoped": ("营销费用只按渠道记录，按门店、品类等渠道以外的条件筛选时无法计算获客成本（CAC）。",
                                  "Spend is recorded by channel only, so CAC cannot follow a store, category or "
                                  "other non-channel filter."),
    "w5h1.cac_no_new_buyers": ("期间没有新客，无法计算获客成本（CAC）。", "No new buyers in the period, so no CAC."),
    "w5h1.click_hint": ("点击图中的柱子，或在下方选择，查看背后的会员。",
                        "Click a bar, or pick below, to see the members behind it."),

    # -- Why -------------------------------------------------------------------------------------
    "w5h1.why_intro": ("客户资产 = 客户数 × 客户终身价值（CLV）。留住一位老客的成本约为获取一位新客的 1/5，"
                       "所以留存和复购直接决定客户资产的增减。",
                       "Customer asset = customers × customer lifetime value (CLV). Keeping a customer costs "
                       "about 1/5 of winning a new one, so retention and repurchase drive the customer asset."),
    "w5h1.margin": ("毛利率（%）", "Gross margin (%)"),
    "w5h1.margin_help": ("100% = 按销售额计算价值；填入实际毛利率后，CLV 与 CAC 按毛利比较更准确。"
                         "同时用于下方的预测 CLV。",
                         "100 % = value measured as revenue; enter your real gross margin to compare CLV with "
                         "CAC on profit. Also used for the predicted CLV below."),
    "w5h1.value_header": ("获客成本 vs 留存会员的价值", "CAC vs the value of a retained customer"),
    "w5h1.inputs_hint": ("以下输入按数据计算（最近 365 天），可直接修改试算；改动的项目在表中标为「手动」。",
                         "The inputs are computed from the data (last 365 days); edit any of them to try your "
                         "own numbers — edited inputs show as “override” in the table."),
    "w5h1.in_revenue": ("人均年消费额（¥）", "Annual revenue per buyer (¥)"),
    "w5h1.in_churn": ("年流失率（%）", "Annual churn rate (%)"),
    "w5h1.in_cac": ("获客成本 CAC（¥）", "CAC (¥)"),
    "w5h1.input": ("输入项", "Input"),
    "w5h1.value": ("数值", "Value"),
    "w5h1.source": ("来源", "Source"),
    "w5h1.src_computed": ("按数据计算", "computed"),
    "w5h1.src_override": ("手动", "override"),
    "w5h1.src_input": ("输入", "input"),
    "w5h1.src_result": ("结果", "result"),
    "w5h1.note_spend_not_scoped": ("无法计算：营销费用不随当前筛选拆分", "n/a: spend cannot follow these filters"),
    "w5h1.note_no_new_buyers": ("无法计算：近一年没有新客", "n/a: no new buyers in the last year"),
    "w5h1.hist_revenue_last_year": ("近一年销售额（¥）", "Revenue, last year (¥)"),
    "w5h1.hist_buyers_last_year": ("近一年购买人数", "Buyers, last year"),
    "w5h1.hist_buyers_prior_year": ("前一年购买人数", "Buyers, the year before"),
    "w5h1.hist_churned_buyers": ("前一年购买、近一年未购人数", "Bought the year before, not in the last year"),
    "w5h1.hist_annual_revenue_per_buyer": ("人均年消费额（¥）", "Annual revenue per buyer (¥)"),
    "w5h1.hist_annual_churn_rate": ("年流失率", "Annual churn rate"),
    "w5h1.hist_cac": ("获客成本 CAC（¥）", "CAC (¥)"),
    "w5h1.hist_lifetime_years": ("平均生命周期（年）", "Avg. lifetime (yrs)"),
    "w5h1.hist_gross_margin": ("毛利率", "Gross margin"),
    "w5h1.hist_historical_clv": ("历史 CLV（¥，已扣 CAC）", "Historic CLV (¥, after CAC)"),
    "w5h1.m_hist_clv": ("历史 CLV（客户终身价值）", "Historic CLV"),
    "w5h1.m_annual_value": ("老客一年贡献", "A retained buyer's year"),
    "w5h1.m_cac": ("获客成本", "CAC"),
    "w5h1.m_ratio": ("一年贡献 ÷ CAC", "One year ÷ CAC"),
    "w5h1.value_y": ("每位会员", "Per member"),
    "w5h1.value_chart_title": ("赢得一位新客的成本 vs 留住一位会员的价值", "What winning a customer costs vs what keeping one is worth"),
    "w5h1.bar_cac": ("获客成本 CAC", "CAC: winning one new buyer"),
    "w5h1.bar_annual": ("留存会员一年贡献（×毛利率）", "A retained buyer's year (× margin)"),
    "w5h1.bar_clv": ("历史 CLV（终身，已扣 CAC）", "Historic CLV (lifetime, after CAC)"),
    "w5h1.value_reading": ("一位留存会员每年带来 {annual}，是获取一位新会员成本（CAC {cac}）的 {ratio:.1f} 倍；"
                           "按年流失率 {churn:.0%}，平均留存 {years:.1f} 年，终身价值 {clv}。",
                           "A retained buyer brings {annual} a year, {ratio:.1f}× what winning a new one costs "
                           "(CAC {cac}); at an annual churn of {churn:.0%} members stay {years:.1f} years on "
                           "average, a lifetime value of {clv}."),
    "w5h1.value_reading_free": ("没有营销费用数据（CAC 记为 0）：一位留存会员每年带来 {annual}，终身价值 {clv}。"
                                "上传营销费用后可与获客成本比较。",
                                "No marketing spend (CAC counted as 0): a retained buyer brings {annual} a year, "
                                "a lifetime value of {clv}. Upload spend to compare with the cost of winning one."),
    "w5h1.cac_type_one": ("可在上方手动填入 CAC，试算历史 CLV。", "Type a CAC above to work out a historic CLV."),
    "w5h1.value_missing": ("数据不足一年或近一年无人流失，无法计算历史 CLV；可在上方手动填入年流失率试算。",
                           "Less than a year of history, or nobody churned in the last year: historic CLV cannot be "
                           "computed. Enter an annual churn rate above to try one."),
    "w5h1.hist_members": ("查看会员明细", "Members behind this number"),
    "w5h1.cost_header": ("新客收入的代价 vs 老客收入", "What new revenue costs vs revenue from members already won"),
    "w5h1.cost_title": ("每{period}销售额：新客 vs 老客，以及营销费用",
                        "Revenue per {period}: new vs returning members, and marketing spend"),
    "w5h1.cost_y": ("金额（¥）", "Amount (¥)"),
    "w5h1.revenue_new": ("新客销售额（首购当期）", "Revenue from new buyers (first period)"),
    "w5h1.revenue_returning": ("老客销售额", "Revenue from returning members"),
    "w5h1.spend": ("营销费用", "Marketing spend"),
    "w5h1.spend_yuan": ("营销费用（¥）", "Marketing spend (¥)"),
    "w5h1.spend_all": ("营销费用（全部，不随筛选变化）", "Marketing spend (all of it: filters do not apply)"),
    "w5h1.cost_reading": ("所选期间新客在首购当期贡献 {new}，为此投入营销费用 {spend}（每 ¥1 新客收入花费 ¥{per:.2f}，CAC {cac}）；"
                          "老客贡献 {ret}，占销售额 {share:.0%}，几乎不需要再付获客成本。",
                          "In the range, new buyers brought {new} in their first period for {spend} of marketing "
                          "(¥{per:.2f} per ¥1 of new revenue, CAC {cac}); returning members brought {ret}, "
                          "{share:.0%} of revenue, with no new acquisition cost."),
    "w5h1.cost_reading_free": ("所选期间新客在首购当期贡献 {new}，老客贡献 {ret}（占销售额 {share:.0%}）。",
                               "In the range, new buyers brought {new} in their first period and returning "
                               "members {ret} ({share:.0%} of revenue)."),
    "w5h1.no_spend": ("没有营销费用数据，无法计算获客成本。", "No marketing spend data, so no CAC."),
    "w5h1.clv_header": ("预测 CLV 分布（未来 52 周）", "Predicted CLV (next 52 weeks)"),
    "w5h1.clv_caption": ("BG/NBD 模型根据每位会员的购买次数、最近一次购买和首购至今的时长，估计其仍然活跃的概率与未来的购买次数；"
                         "Gamma-Gamma 模型估计每次消费金额，两者相乘（× 毛利率）即预测 CLV。",
                         "BG/NBD estimates, from each member's number of purchases, last purchase and time since "
                         "the first, how likely they are still active and how often they will buy; Gamma-Gamma "
                         "estimates what they spend per purchase; their product (× margin) is the predicted CLV."),
    "w5h1.clv_title": ("预测 CLV 分布：各价值段的会员数与价值占比", "Predicted CLV: members per value band and their share of value"),
    "w5h1.clv_x": ("预测 CLV 区间（¥，未来 52 周）", "Predicted CLV band (¥, next 52 weeks)"),
    "w5h1.clv_y": ("会员数（人）", "Members"),
    "w5h1.clv_share": ("占预测总价值", "Share of predicted value"),
    "w5h1.clv_reading": ("预测 CLV 最高的 {top_members:.0%} 会员（≥ {edge}）贡献 {top_value:.0%} 的预测价值；"
                         "{members:,} 位会员未来 52 周预测总价值 {total}。",
                         "The top {top_members:.0%} of members (≥ {edge}) hold {top_value:.0%} of the predicted "
                         "value; {members:,} members are worth {total} over the next 52 weeks."),
    "w5h1.clv_unusable": ("会员太少或几乎没有复购，模型无法可靠拟合，暂不显示预测 CLV。",
                          "Too few members, or hardly any repeat purchases: the model cannot be fitted reliably, "
                          "so no predicted CLV is shown."),
    "w5h1.band": ("价值段", "Value band"),
    "w5h1.band_option": ("{band}：{members:,} 人", "{band}: {members:,} members"),
    "w5h1.backtest_header": ("模型回测：预测 vs 实际", "Holdout backtest: predicted vs actual"),
    "w5h1.cutoff": ("校准期截止日", "Calibration cut-off"),
    "w5h1.cutoff_help": ("用截止日之前的数据拟合模型，预测截止日之后（验证期）已有会员的购买次数，再与实际比较。",
                         "The model is fitted on purchases up to the cut-off, predicts the purchases of the "
                         "members known then over the holdout after it, and is compared with what they did."),
    "w5h1.backtest_period": ("时间粒度", "Granularity"),
    "w5h1.backtest_title": ("回测：验证期累计复购次数，预测 vs 实际",
                            "Backtest: cumulative repeat purchases in the holdout, predicted vs actual"),
    "w5h1.backtest_x": ("验证期（截止日之后）", "Holdout period (after the cut-off)"),
    "w5h1.backtest_y": ("累计购买次数（按天计）", "Cumulative purchases (purchase days)"),
    "w5h1.predicted": ("预测", "Predicted"),
    "w5h1.actual": ("实际", "Actual"),
    "w5h1.m_members": ("截止日前的会员", "Members at the cut-off"),
    "w5h1.m_predicted": ("预测购买次数", "Predicted purchases"),
    "w5h1.m_actual": ("实际购买次数", "Actual purchases"),
    "w5h1.m_error": ("总量误差", "Total error"),
    "w5h1.backtest_none": ("截止日之后没有数据，或截止日前会员太少，无法回测。请选更早的截止日。",
                           "No data after the cut-off, or too few members before it: no backtest. Choose an "
                           "earlier cut-off."),

    # -- What ------------------------------------------------------------------------------------
    "w5h1.what_intro": ("复购率 = 所选日期范围内购买的会员中，算上范围之前的历史累计购买 ≥ 2 次的比例（默认范围即全部历史；"
                        "「经营概览」的复购率按最近 N 天的窗口计算，所以两者不同）；订单复购率 = 不是会员第一笔购买的订单 ÷ 订单数；"
                        "人均购买次数 = 订单数 ÷ 购买人数。与上一个等长时段对比。",
                        "Repurchase rate = of the members who bought in the date range, the share with ≥ 2 "
                        "purchases counting their history before it (the default range is all history; the "
                        "Overview's rate covers its last-N-days window, so the two differ); order repurchase rate "
                        "= orders that are not the member's first ÷ orders; purchase frequency = orders ÷ buyers. "
                        "Compared with the previous window of equal length."),
    "w5h1.repurchase_rate_help": ("所选日期范围内购买的会员中，算上范围之前的历史累计购买 ≥ 2 次的比例。",
                                  "Of the members who bought in the date range, the share with ≥ 2 purchases "
                                  "counting their history before it."),
    "w5h1.crr_help": ("客户保留率 = (本期购买人数 − 本期新客) ÷ 上一个等长时段的购买人数。日期范围从第一笔购买开始时，"
                      "之前没有可比时段，显示为 –；在侧栏缩短日期范围即可看到。",
                      "CRR = (buyers − new buyers) ÷ buyers of the previous window of equal length. When the date "
                      "range starts at the first purchase there is nothing before it (–); shorten the range in the "
                      "sidebar to see it."),
    "w5h1.cohorts_link": ("按同期群看留存曲线（可对比渠道）→ 留存分析", "Retention curves by cohort (compare channels) → Retention"),
    "w5h1.cat_header": ("各品类复购率", "Repurchase rate by category"),
    "w5h1.cat_title": ("{item}复购率：买过的会员中再次购买的比例", "Repurchase rate by {item}: share of its buyers who bought it again"),
    "w5h1.rate_x": ("复购率（%）", "Repurchase rate (%)"),
    "w5h1.buyers_n": ("购买人数", "Buyers"),
    "w5h1.repeat_buyers": ("复购人数", "Repeat buyers"),
    "w5h1.who_buyers": ("全部购买会员", "All its buyers"),
    "w5h1.who_repeat": ("复购会员", "Repeat buyers"),
    "w5h1.item": ("商品 / 品类", "Item"),
    "w5h1.cat_reading": ("复购率最高的是 {best}（{best_rate:.0%}），最低的是 {worst}（{worst_rate:.0%}）。",
                         "{best} is rebought most ({best_rate:.0%}), {worst} least ({worst_rate:.0%})."),

    # -- Who -------------------------------------------------------------------------------------
    "w5h1.profile_header": ("高价值会员画像", "High-value profile"),
    "w5h1.hv_source": ("高价值会员", "High-value members"),
    "w5h1.hv_clv": ("预测 CLV 最高的会员", "Highest predicted CLV"),
    "w5h1.hv_champions": ("RFM 冠军客户", "RFM champions"),
    "w5h1.top_share": ("前", "Top"),
    "w5h1.attribute": ("画像维度", "Attribute"),
    "w5h1.attr_member_tier": ("会员等级", "Member tier"),
    "w5h1.attr_gender": ("性别", "Gender"),
    "w5h1.attr_age_band": ("年龄段", "Age band"),
    "w5h1.attr_first_channel": ("首购渠道", "First channel"),
    "w5h1.attr_region": ("区域", "Region"),
    "w5h1.attr_top_category": ("消费最多的品类", "Top category"),
    "w5h1.unknown": ("未知", "Unknown"),
    "w5h1.profile_title": ("高价值会员 vs 全部购买会员：{attribute}的提升度", "High-value members vs all buyers: lift by {attribute}"),
    "w5h1.lift_y": ("提升度（高价值占比 ÷ 整体占比）", "Lift (share among high value ÷ share overall)"),
    "w5h1.hv_share": ("高价值会员中占比", "Share among high value"),
    "w5h1.all_share": ("全部购买会员中占比", "Share among all buyers"),
    "w5h1.profile_reading": ("{n:,} 位高价值会员中，{value}占 {sub:.0%}（整体 {all:.0%}），是整体的 {lift:.1f} 倍。",
                             "Of {n:,} high-value members, {sub:.0%} are {value} (vs {all:.0%} of all buyers): "
                             "{lift:.1f}× the overall share."),
    "w5h1.profile_empty": ("没有符合条件的高价值会员（模型无法拟合，或没有冠军客户）。",
                           "No high-value members (the model could not be fitted, or there are no champions)."),
    "w5h1.profile_value": ("画像取值", "Value"),
    "w5h1.in_subset": ("只看高价值会员", "High-value members only"),
    "w5h1.churn_header": ("预流失会员名单", "Pre-churn list"),
    "w5h1.churn_intro": ("存活概率（BG/NBD）低于阈值，或 RFM 细分为流失风险 / 不能失去的客户。只买过一次的会员"
                         "存活概率按模型为 100%，只能通过 RFM 细分进入名单。按消费金额从高到低排列。",
                         "P(alive) (BG/NBD) below the threshold, or an RFM segment that signals leaving. "
                         "One-time buyers have P(alive) 100 % in the model, so only their segment can list them. "
                         "Most valuable first."),
    "w5h1.p_alive_below": ("存活概率低于", "P(alive) below"),
    "w5h1.risk_segments": ("RFM 细分", "RFM segments"),
    "w5h1.m_pre_churn": ("预流失会员", "Pre-churn members"),
    "w5h1.m_by_p_alive": ("其中存活概率低", "of which low P(alive)"),
    "w5h1.m_by_segment": ("其中 RFM 风险细分", "of which risk segment"),
    "w5h1.m_at_stake": ("他们的历史消费额", "Their spend to date"),
    "w5h1.col_gaps": ("复购次数", "Repeat purchases"),
    "w5h1.col_first_purchase": ("首购日期", "First purchase"),
    "w5h1.col_baskets": ("同时购买的购物篮数", "Baskets with both"),
    "w5h1.col_lines": ("商品行数", "Lines"),
    "w5h1.col_revenue": ("销售额（¥）", "Revenue (¥)"),
    "w5h1.col_value": ("画像取值", "Value"),
    "w5h1.col_repeated": ("之后复购", "Bought again"),
    "w5h1.col_expected_spend": ("预计每次消费（¥）", "Expected spend per purchase (¥)"),
    "w5h1.col_monetary": ("消费金额（¥）", "Monetary (¥)"),
    "w5h1.col_predicted_clv": ("预测 CLV（¥）", "Predicted CLV (¥)"),
    "w5h1.col_r_score": ("R 分", "R score"),
    "w5h1.col_f_score": ("F 分", "F score"),
    "w5h1.col_m_score": ("M 分", "M score"),
    "w5h1.col_low_p_alive": ("存活概率低", "Low P(alive)"),
    "w5h1.col_risk_segment": ("RFM 风险细分", "Risk segment"),
    "w5h1.col_last_purchase": ("最近购买日", "Last purchase"),
    "w5h1.col_purchases": ("购买次数", "Purchases"),
    "w5h1.churn_none": ("当前条件下没有预流失会员。", "No pre-churn members with these settings."),

    # -- When ------------------------------------------------------------------------------------
    "w5h1.cycle_header": ("复购周期（间隔天数）", "Days between purchases"),
    "w5h1.cycle_title": ("复购周期分布：相邻两次购买间隔的天数", "Repurchase cycle: days between a member's consecutive purchases"),
    "w5h1.cycle_x": ("间隔天数（天）", "Days between purchases (days)"),
    "w5h1.cycle_y": ("复购次数（次）", "Repeat purchases"),
    "w5h1.median": ("中位数 {days:g} 天", "Median {days:g} days"),
    "w5h1.quartiles": ("一半的复购在 {p25:g}–{p75:g} 天之间", "Half of the repeats: {p25:g}–{p75:g} days"),
    "w5h1.cycle_reading": ("共 {gaps:,} 次复购：中位间隔 {median:g} 天，平均 {mean:.1f} 天；一半的复购发生在上次购买后 {p25:g}–{p75:g} 天。",
                           "{gaps:,} repeat purchases: median gap {median:g} days, mean {mean:.1f} days; half of them "
                           "come {p25:g}–{p75:g} days after the previous purchase."),
    "w5h1.cycle_none": ("所选范围内没有复购（每位会员最多买过一次）。", "No repeat purchases in the range (nobody bought twice)."),
    "w5h1.gap_bucket": ("间隔区间（天）", "Gap (days)"),
    "w5h1.bucket_option": ("{bucket} 天：{members:,} 人", "{bucket} days: {members:,} members"),
    "w5h1.item_gap_title": ("各{item}的复购周期（中位天数）", "Days between purchases of each {item} (median)"),
    "w5h1.item_gap_x": ("复购周期（中位天数）", "Days between purchases (median)"),
    "w5h1.mean_gap": ("平均间隔（天）", "Mean gap (days)"),
    "w5h1.due_header": ("预计下次购买与超期未购", "Expected next purchase and overdue members"),
    "w5h1.due_intro": ("对周期性商品（≥ 20% 的买家复购且至少 3 人复购），预计下次购买日期 = 上次购买 + 会员自己的中位间隔"
                       "（只买过一次则用该商品的中位间隔）。超过预计日期但不超过 {cycles:g} 个周期为「超期未购」，"
                       "值得提醒；更久的为「已久未购」。",
                       "For periodic items (≥ 20 % of buyers rebought, at least 3 of them), expected date = last "
                       "purchase + the member's own median gap (the item's for one-time buyers). Past it by at "
                       "most {cycles:g} cycle(s) = overdue, worth a reminder; later = lapsed."),
    "w5h1.lapsed_cycles": ("超期多少个周期算「已久未购」", "Cycles late before “lapsed”"),
    "w5h1.status": ("状态", "Status"),
    "w5h1.st_not_due": ("未到期", "Not yet due"),
    "w5h1.st_overdue": ("超期未购", "Overdue"),
    "w5h1.st_lapsed": ("已久未购", "Lapsed"),
    "w5h1.st_any": ("全部超期", "All late"),
    "w5h1.due_title": ("各{item}的会员：未到期 / 超期未购 / 已久未购", "Buyers of each {item}: not yet due / overdue / lapsed"),
    "w5h1.due_y": ("会员数（人）", "Members"),
    "w5h1.due_none": ("没有周期性商品（复购的会员太少），无法预计下次购买。", "No periodic items (too few repeat buyers): no expected dates."),
    "w5h1.col_item": ("商品 / 品类", "Item"),
    "w5h1.col_member_gap": ("个人中位间隔（天）", "Own median gap (days)"),
    "w5h1.col_item_gap": ("商品中位间隔（天）", "Item median gap (days)"),
    "w5h1.col_basis": ("预计依据", "Based on"),
    "w5h1.basis_member": ("个人间隔", "own gap"),
    "w5h1.basis_item": ("商品间隔", "item's gap"),

    # -- What products ---------------------------------------------------------------------------
    "w5h1.top_header": ("复购商品排行", "Most repurchased"),
    "w5h1.top_title": ("复购人数最多的{item}（前 {n} 名）", "Most repeat buyers by {item} (top {n})"),
    "w5h1.top_x": ("复购人数（人）", "Repeat buyers"),
    "w5h1.pairs_header": ("商品关联（前项 → 后项）", "Product association (A → B)"),
    "w5h1.pairs_intro": ("支持度 = 同时包含两者的{basket}占比；置信度 = 买了前项的{basket}中也有后项的比例；"
                         "提升度 > 1 表示一起购买多于随机。",
                         "Support = share of {basket}s holding both; confidence = share of {basket}s with A that "
                         "also hold B; lift > 1 = bought together more than chance."),
    "w5h1.basket": ("购物篮", "Basket"),
    "w5h1.basket_order": ("同一订单", "One order"),
    "w5h1.basket_member": ("同一会员（所选期间）", "One member (in the range)"),
    "w5h1.basket_order_word": ("订单", "order"),
    "w5h1.basket_member_word": ("会员", "member"),
    "w5h1.min_support": ("最小支持度（%）", "Min. support (%)"),
    "w5h1.antecedent": ("前项", "Antecedent (A)"),
    "w5h1.consequent": ("后项", "Consequent (B)"),
    "w5h1.together": ("同时购买次数", "Together"),
    "w5h1.support": ("支持度", "Support"),
    "w5h1.confidence": ("置信度", "Confidence"),
    "w5h1.lift": ("提升度", "Lift"),
    "w5h1.pairs_reading": ("关联最强的是 {a} → {c}：提升度 ×{lift:.2f}，{together:,} 个{basket}同时购买；"
                           "有 {a} 的{basket}中 {confidence:.0%} 也有 {c}。",
                           "The strongest pair is {a} → {c}: lift ×{lift:.2f}, {together:,} {basket}s with both; "
                           "{confidence:.0%} of the {basket}s with {a} also hold {c}."),
    "w5h1.pairs_reading_none": ("没有哪组商品一起购买得比随机更多：最高的提升度只有 ×{lift:.2f}（{a} → {c}），"
                                "提升度接近 1 就是随机搭配的水平。",
                                "No pair is bought together more than chance: the highest lift is ×{lift:.2f} "
                                "({a} → {c}), and a lift near 1 is what chance alone gives."),
    "w5h1.pairs_none": ("没有达到最小支持度（且至少 2 次同时购买）的组合，可调低最小支持度。",
                        "No pair reaches the minimum support (and 2 baskets together); lower the minimum support."),
    "w5h1.pair": ("组合", "Pair"),
    "w5h1.price_header": ("价格带 × 折扣敏感度", "Price band × discount sensitivity"),
    "w5h1.price_intro": ("价格带按单价四分位划分；折扣敏感度 = 会员在有优惠的商品上的消费占比：0 为正价，"
                         "低于 33% 为低，≥ 33% 为高。一位会员在买过的每个价格带里各算一次，所以各格会员数相加多于购买人数。",
                         "Price bands are unit-price quartiles; discount sensitivity = the member's share of spend "
                         "on discounted lines: 0 = full price, below 33 % low, 33 % or more high. A member counts "
                         "once in every price band they bought from, so the cells add up to more than the buyers."),
    "w5h1.price_measure": ("格内显示", "Show"),
    "w5h1.pm_members": ("会员数", "Members"),
    "w5h1.pm_revenue": ("销售额", "Revenue"),
    "w5h1.pm_discount": ("平均优惠率", "Mean discount (% off)"),
    "w5h1.price_title": ("价格带 × 折扣敏感度：{measure}", "Price band × discount sensitivity: {measure}"),
    "w5h1.price_x": ("折扣敏感度", "Discount sensitivity"),
    "w5h1.price_y": ("价格带（单价）", "Price band (unit price)"),
    "w5h1.sens_full_price": ("正价", "Full price"),
    "w5h1.sens_low": ("低敏感", "Low"),
    "w5h1.sens_high": ("高敏感", "High"),
    "w5h1.sens_unknown": ("无优惠数据", "No discount data"),
    "w5h1.lines": ("商品行数", "Lines"),
    "w5h1.price_cell": ("格子", "Cell"),
    "w5h1.first_header": ("首单商品", "First-order products"),
    "w5h1.first_title": ("首单买了哪个{item}的新客更会再来：首单后复购率",
                         "Which first-order {item} brings new buyers back: repeat rate after it"),
    "w5h1.first_y": ("首单后复购率（%）", "Repeat rate after the first order (%)"),
    "w5h1.first_buyers": ("首单购买人数", "First buyers"),
    "w5h1.first_share": ("占新客比例", "Share of new buyers"),
    "w5h1.repeat_lift": ("复购提升度", "Repeat lift"),
    "w5h1.first_avg": ("全部新客 {rate:.0%}", "All new buyers {rate:.0%}"),
    "w5h1.repeat_only": ("只看之后复购的会员", "Only those who bought again"),

    # -- Where & How -----------------------------------------------------------------------------
    "w5h1.channel_header": ("渠道对比（按首购渠道）", "Channels (by first purchase)"),
    "w5h1.channel_intro": ("每位会员归入其首购渠道。复购率按所选期间；获客成本 = 该渠道营销费用 ÷ 首购新客；"
                           "NPS 为该渠道会员的问卷结果。虚线为全部渠道合计。",
                           "Each member belongs to the channel of their first purchase. Repurchase rate over the "
                           "range; CAC = the channel's spend ÷ its new buyers; NPS from its members' survey "
                           "answers. Dashed lines: all channels."),
    "w5h1.channel_title": ("各首购渠道：复购率、获客成本与 NPS", "By first channel: repurchase rate, CAC and NPS"),
    "w5h1.ch_rate": ("复购率（%）", "Repurchase rate (%)"),
    "w5h1.ch_cac": ("获客成本（¥）", "CAC (¥)"),
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
    "w5h1.revenue_col": ("销售额（¥）", "Revenue (¥)"),
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
