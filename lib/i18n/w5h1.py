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
    "w5h1.in_revenue": ("人均年消费额{money_unit}", "Annual revenue per buyer{money_unit}"),
    "w5h1.in_churn": ("年流失率（%）", "Annual churn rate (%)"),
    "w5h1.in_cac": ("获客成本 CAC{money_unit}", "CAC{money_unit}"),
    "w5h1.input": ("输入项", "Input"),
    "w5h1.value": ("数值", "Value"),
    "w5h1.source": ("来源", "Source"),
    "w5h1.src_computed": ("按数据计算", "computed"),
    "w5h1.src_override": ("手动", "override"),
    "w5h1.src_input": ("输入", "input"),
    "w5h1.src_result": ("结果", "result"),
    "w5h1.note_spend_not_scoped": ("无法计算：营销费用不随当前筛选拆分", "n/a: spend cannot follow these filters"),
    "w5h1.note_no_new_buyers": ("无法计算：近一年没有新客", "n/a: no new buyers in the last year"),
    "w5h1.hist_revenue_last_year": ("近一年销售额{money_unit}", "Revenue, last year{money_unit}"),
    "w5h1.hist_buyers_last_year": ("近一年购买人数", "Buyers, last year"),
    "w5h1.hist_buyers_prior_year": ("前一年购买人数", "Buyers, the year before"),
    "w5h1.hist_churned_buyers": ("前一年购买、近一年未购人数", "Bought the year before, not in the last year"),
    "w5h1.hist_annual_revenue_per_buyer": ("人均年消费额{money_unit}", "Annual revenue per buyer{money_unit}"),
    "w5h1.hist_annual_churn_rate": ("年流失率", "Annual churn rate"),
    "w5h1.hist_cac": ("获客成本 CAC{money_unit}", "CAC{money_unit}"),
    "w5h1.hist_lifetime_years": ("平均生命周期（年）", "Avg. lifetime (yrs)"),
    "w5h1.hist_gross_margin": ("毛利率", "Gross margin"),
    "w5h1.hist_historical_clv": ("历史 CLV（已扣 CAC）{money_unit}", "Historic CLV, after CAC{money_unit}"),
    "w5h1.m_hist_clv": ("历史 CLV（客户终身价值）", "Historic CLV"),
    "w5h1.m_annual_value": ("老客一年贡献", "A retained buyer's year"),
    # the card's CAC is of the last 12 months (the historical CLV's input); the acquisition section's
    # sentence gives the selected range's: two windows, so two names
    "w5h1.m_cac": ("获客成本（近一年）", "CAC (last 12 months)"),
    "w5h1.m_ratio": ("一年贡献 ÷ CAC", "One year ÷ CAC"),
    "w5h1.value_y": ("每位会员", "Per member"),
    "w5h1.value_chart_title": ("赢得一位新客的成本 vs 留住一位会员的价值", "What winning a customer costs vs what keeping one is worth"),
    "w5h1.bar_cac": ("获客成本 CAC", "CAC: winning one new buyer"),
    "w5h1.bar_annual": ("留存会员一年贡献（×毛利率）", "A retained buyer's year (× margin)"),
    "w5h1.bar_clv": ("历史 CLV（终身，已扣 CAC）", "Historic CLV (lifetime, after CAC)"),
    "w5h1.value_reading": ("一位留存会员每年带来 {annual}，是获取一位新会员成本（CAC {cac}）的 {ratio:.1f} 倍；"
                           "按年流失率 {churn:.1%}，平均留存 {years:.1f} 年，终身价值 {clv}。",
                           "A retained buyer brings {annual} a year, {ratio:.1f}× what winning a new one costs "
                           "(CAC {cac}); at an annual churn of {churn:.1%} members stay {years:.1f} years on "
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
    "w5h1.cost_y": ("金额{money_unit}", "Amount{money_unit}"),
    "w5h1.revenue_new": ("新客销售额（首购当期）", "Revenue from new buyers (first period)"),
    "w5h1.revenue_returning": ("老客销售额", "Revenue from returning members"),
    "w5h1.spend": ("营销费用", "Marketing spend"),
    "w5h1.spend_money": ("营销费用{money_unit}", "Marketing spend{money_unit}"),
    "w5h1.spend_all": ("营销费用（全部，不随筛选变化）", "Marketing spend (all of it: filters do not apply)"),
    "w5h1.cost_reading": ("所选期间新客在首购当期贡献 {new}，为此投入营销费用 {spend}（每 {currency}1 新客收入花费 {currency}{per:.2f}，所选期间 CAC {cac}）；"
                          "老客贡献 {ret}，占销售额 {share:.0%}，几乎不需要再付获客成本。",
                          "In the range, new buyers brought {new} in their first period for {spend} of marketing "
                          "({currency}{per:.2f} per {currency}1 of new revenue, CAC over the range {cac}); returning members brought {ret}, "
                          "{share:.0%} of revenue, with no new acquisition cost."),
    "w5h1.cost_reading_free": ("所选期间新客在首购当期贡献 {new}，老客贡献 {ret}（占销售额 {share:.0%}）。",
                               "In the range, new buyers brought {new} in their first period and returning "
                               "members {ret} ({share:.0%} of revenue)."),
    "w5h1.no_spend": ("没有营销费用数据，无法计算获客成本。", "No marketing spend data, so no CAC."),
    "w5h1.clv_header": ("预测 CLV（未来 52 周）", "Predicted CLV (next 52 weeks)"),
    "w5h1.clv_caption": ("购买模型根据每位会员的购买次数、最近一次购买和首购至今的时长，估计其仍然活跃的概率与未来 52 周的购买次数；"
                         "Gamma-Gamma 模型估计每次消费金额，两者相乘（× 毛利率）即预测 CLV。",
                         "The purchase model estimates, from each member's number of purchases, last purchase and "
                         "time since the first, how likely they are still active and how often they will buy in "
                         "the next 52 weeks; Gamma-Gamma estimates what they spend per purchase; their product "
                         "(× margin) is the predicted CLV."),
    "w5h1.clv_is_revenue": ("毛利率为 100%：预测 CLV 是销售额，不是利润。把本部分顶部的毛利率滑块调到实际毛利率，即换算成毛利。",
                            "At a 100 % margin predicted CLV is revenue, not profit: set the gross-margin slider at "
                            "the top of this section to your real margin to turn it into gross profit."),
    "w5h1.clv_is_profit": ("预测 CLV 已乘以毛利率 {margin:.0%}：是毛利，不是销售额。",
                           "Predicted CLV is multiplied by the {margin:.0%} gross margin: it is gross profit, not "
                           "revenue."),
    "w5h1.clv_title": ("预测 CLV 分布：各价值段的会员数与价值占比", "Predicted CLV: members per value band and their share of value"),
    "w5h1.clv_x": ("预测 CLV 区间（未来 52 周）{money_unit}", "Predicted CLV band, next 52 weeks{money_unit}"),
    "w5h1.clv_y": ("会员数（人）", "Members"),
    "w5h1.clv_share": ("占预测总价值", "Share of predicted value"),
    "w5h1.clv_reading": ("预测 CLV 最高的 {top_members:.0%} 会员（≥ {edge}）贡献 {top_value:.0%} 的预测价值；"
                         "{members:,} 位会员未来 52 周预测总价值 {total}。",
                         "The top {top_members:.0%} of members (≥ {edge}) hold {top_value:.0%} of the predicted "
                         "value; {members:,} members are worth {total} over the next 52 weeks."),
    "w5h1.clv_none": ("没有可显示的预测 CLV。", "No predicted CLV to show."),
    "w5h1.band": ("价值段", "Value band"),
    "w5h1.band_option": ("{band}：{members:,} 人", "{band}: {members:,} members"),
    "w5h1.tab_predicted": ("各价值段", "Value bands"),
    "w5h1.tab_holdout": ("模型回测：预测 vs 实际", "Holdout backtest: predicted vs actual"),
    "w5h1.cutoff": ("校准期截止日", "Calibration cut-off"),
    "w5h1.cutoff_help": ("用截止日之前的数据拟合模型，预测截止日之后（验证期）已有会员的购买次数，再与实际比较。",
                         "The model is fitted on purchases up to the cut-off, predicts the purchases of the "
                         "members known then over the holdout after it, and is compared with what they did."),
    "w5h1.backtest_period": ("时间粒度", "Granularity"),
    "w5h1.backtest_intro": ("用截止日之前的购买拟合模型，预测截止日时已有的会员在之后（验证期）的购买次数，再与他们实际的购买比较："
                            "左图逐期累计，右图按截止日前的复购次数分组。",
                            "The model is fitted on purchases up to the cut-off and predicts how often the members "
                            "known then buy after it (the holdout); the pictures compare that with what they did: "
                            "period by period on the left, by repurchases before the cut-off on the right."),
    "w5h1.backtest_title": ("回测：验证期累计购买次数，预测 vs 实际", "Backtest: cumulative purchases, predicted vs actual"),
    "w5h1.backtest_x": ("验证期（截止日之后）", "Holdout period (after the cut-off)"),
    "w5h1.backtest_y": ("累计购买次数（按天计）", "Cumulative purchases (purchase days)"),
    "w5h1.calib_title": ("回测：按截止日前复购次数分组，验证期人均购买次数", "Backtest by group: purchases per member after the cut-off"),
    "w5h1.calib_x": ("截止日前的复购次数（括号内为人数）", "Repurchases before the cut-off (members in brackets)"),
    "w5h1.calib_y": ("验证期人均购买次数", "Purchases per member in the holdout"),
    "w5h1.calib_hover": ("截止日前复购 {group} 次 · {members} 人",
                         "{group} repurchases before the cut-off · {members} members"),
    "w5h1.cmp_header": ("模型比较（同一截止日）", "Models compared (same cut-off)"),
    "w5h1.cmp_pareto": ("加入 Pareto/NBD（较慢）", "Include Pareto/NBD (slower)"),
    "w5h1.cmp_pareto_help": ("Pareto/NBD 的拟合比另外两个模型慢得多（大数据集上可能要几十秒），所以默认不参与比较。",
                             "Pareto/NBD fits much more slowly than the other two (tens of seconds on a large "
                             "dataset), so it is left out unless ticked."),
    "w5h1.cmp_shown": ("（当前）", " (shown)"),
    "w5h1.cmp_model": ("模型", "Model"),
    "w5h1.cmp_members": ("会员数", "Members"),
    "w5h1.cmp_members_help": ("截止日前买过的会员，即被预测的会员。", "Members who had bought by the cut-off: those predicted."),
    "w5h1.cmp_predicted": ("预测购买次数", "Predicted"),
    "w5h1.cmp_predicted_help": ("模型预测这些会员在验证期的购买次数（按购买日计）。",
                                "Purchases (purchase days) the model predicts for these members in the holdout."),
    "w5h1.cmp_actual": ("实际购买次数", "Actual"),
    "w5h1.cmp_actual_help": ("这些会员在验证期实际的购买次数（按购买日计）。",
                             "Purchases (purchase days) these members made in the holdout."),
    "w5h1.cmp_error": ("总量误差", "Total error"),
    "w5h1.cmp_error_help": ("（预测 − 实际）÷ 实际；正数表示预测偏多。", "(predicted − actual) ÷ actual; positive = predicted too many."),
    "w5h1.cmp_mae": ("平均绝对误差", "MAE"),
    "w5h1.cmp_mae_help": ("每位会员 |预测 − 实际| 的平均值（次）。",
                          "Mean absolute error per member: mean of |predicted − actual| (purchases)."),
    "w5h1.cmp_rmse": ("均方根误差", "RMSE"),
    "w5h1.cmp_rmse_help": ("每位会员（预测 − 实际）² 的平均值再开方（次）；对大误差更敏感。",
                           "Root mean squared error per member (purchases); weighs large misses more."),
    "w5h1.cmp_status": ("拟合", "Fit"),
    "w5h1.cmp_reading": ("在本数据集的回测中，{model} 最接近实际（总量误差 {error:+.1%}；{others}）。",
                         "On this dataset's backtest {model} came closest ({error:+.1%} vs {others})."),
    "w5h1.predicted": ("预测", "Predicted"),
    "w5h1.actual": ("实际", "Actual"),
    "w5h1.m_members": ("截止日前的会员", "Members at the cut-off"),
    "w5h1.m_predicted": ("预测购买次数", "Predicted purchases"),
    "w5h1.m_actual": ("实际购买次数", "Actual purchases"),
    "w5h1.m_error": ("总量误差", "Total error"),
    "w5h1.backtest_none": ("数据跨度太短（不足五周），无法留出验证期做回测。",
                           "The data span too short a time (under five weeks) to hold out a period for a backtest."),

    # -- Why: what-if (lib/whatif.py, lib/charts/whatif.py) ----------------------------------------
    "w5h1.whatif_header": ("假设分析：留存、流失、频次、客单价变化后的客户资产",
                           "What-if: retention, churn, frequency, AOV → revenue and customer asset"),
    "w5h1.whatif_intro": ("拖动下方的杠杆（0 = 保持现状），查看未来 12 个月的预测销售额与客户资产（客户数 × CLV）。"
                          "老会员部分来自上方所选的购买模型（{model}）与 Gamma-Gamma，新会员部分来自最近的月度同期群"
                          "（可在「留存分析」页核对）。按销售额计算，未乘毛利率。",
                          "Move the levers below (0 = as today) to see the projected revenue over the next 12 months "
                          "and the customer asset (members × CLV). Existing members come from the purchase model "
                          "chosen above ({model}) and Gamma-Gamma, new members from the recent monthly cohorts "
                          "(check them on the Retention page). In revenue: the gross margin is not applied."),
    "w5h1.whatif_lever_retention": ("次月留存率", "Month-1 retention"),
    "w5h1.whatif_lever_retention_help": ("在最近同期群的次月留存率上增加的百分点；新会员第 1–11 期的消费按回购比例同步放大，首月不变。",
                                         "Percentage points added to the recent cohorts' month-1 retention; a new "
                                         "member's spend in months 1–11 grows in proportion, the first month does not."),
    "w5h1.whatif_lever_churn": ("流失率", "Churn rate"),
    "w5h1.whatif_lever_churn_help": ("仍活跃的老会员在未来 12 个月流失所损失的购买，减少的比例（相对值）；已经流失的会员不计入。",
                                     "How much less of the next 12 months' purchases is lost to active members "
                                     "leaving (relative); members already gone stay gone."),
    "w5h1.whatif_lever_frequency": ("人均购买次数", "Purchase frequency"),
    "w5h1.whatif_lever_frequency_help": ("每位会员（老会员和新会员）购买次数增加的比例。",
                                         "More purchases per member, existing and new."),
    "w5h1.whatif_lever_aov": ("客单价", "AOV"),
    "w5h1.whatif_lever_aov_help": ("每次购买的金额增加的比例（老会员和新会员）。", "More spend per purchase, existing and new."),
    "w5h1.whatif_points": ("+{v} 个百分点", "+{v} points"),
    "w5h1.whatif_cut": ("−{v}%", "−{v} %"),
    "w5h1.whatif_up": ("+{v}%", "+{v} %"),
    "w5h1.whatif_zero": ("{v}（现状）", "{v} (as today)"),
    "w5h1.whatif_retention_none": ("最近的同期群没有会员在次月回购，次月留存率无法按比例调整。",
                                   "Nobody in the recent cohorts came back in month 1, so month-1 retention has "
                                   "nothing to scale."),
    "w5h1.whatif_status_no_first_year": ("当前范围内还没有任何同期群满 12 个月（首购月之后的第 11 期尚未结束），"
                                         "无法估计新会员的首年价值，因此不做假设分析。",
                                         "No cohort in this scope has a whole first year yet (its month 11 has not "
                                         "ended), so a new member's first-year value cannot be estimated and there "
                                         "is no what-if."),
    "w5h1.whatif_m_revenue_12m": ("未来 12 个月销售额（调整后）", "Revenue, next 12 months (with the levers)"),
    "w5h1.whatif_m_customer_asset": ("客户资产（调整后）", "Customer asset (with the levers)"),
    "w5h1.whatif_reading": ("调整后，未来 12 个月销售额为 {revenue}（{revenue_diff}，{revenue_pct}），"
                            "客户资产为 {asset}（{asset_diff}，{asset_pct}）。",
                            "With the levers, revenue over the next 12 months comes to {revenue} ({revenue_diff}, "
                            "{revenue_pct}) and the customer asset to {asset} ({asset_diff}, {asset_pct})."),
    "w5h1.whatif_reading_none": ("杠杆都为 0：按现状，未来 12 个月销售额约 {revenue}，客户资产 {asset}。移动上方的杠杆查看变化。",
                                 "All levers at 0: as things are, revenue over the next 12 months comes to about "
                                 "{revenue} and the customer asset to {asset}. Move a lever above to see the change."),
    "w5h1.whatif_title": ("假设分析：未来 12 个月销售额与客户资产，现状 vs 调整后",
                          "What-if: revenue over the next 12 months and the customer asset, today vs with the levers"),
    "w5h1.whatif_x": ("预测口径", "Projection"),
    "w5h1.whatif_y": ("金额{money_unit}", "Amount{money_unit}"),
    "w5h1.whatif_existing": ("老会员", "Existing members"),
    "w5h1.whatif_new": ("新会员（未来 12 个月获得）", "New members (won in the next 12 months)"),
    "w5h1.whatif_bar_revenue_12m": ("未来 12 个月销售额", "Revenue, next 12 months"),
    "w5h1.whatif_bar_customer_asset": ("客户资产", "Customer asset"),
    "w5h1.whatif_baseline": ("现状", "Today"),
    "w5h1.whatif_scenario": ("调整后", "With the levers"),
    "w5h1.whatif_col_item": ("项目", "Item"),
    "w5h1.whatif_col_kind": ("类型", "Kind"),
    "w5h1.whatif_col_difference": ("差额", "Difference"),
    "w5h1.whatif_col_source": ("来源", "Source"),
    "w5h1.whatif_kind_lever": ("杠杆", "Lever"),
    "w5h1.whatif_kind_input": ("输入", "Input"),
    "w5h1.whatif_kind_result": ("结果", "Result"),
    "w5h1.whatif_src_clv": ("上方所选购买模型（report clv --unit month --horizon 12）",
                            "The purchase model above (report clv --unit month --horizon 12)"),
    "w5h1.whatif_src_cohorts": ("同期群（留存分析页：按月，第 N 期留存）", "Cohorts (Retention page: monthly, retention on period N)"),
    "w5h1.whatif_src_cohorts_revenue": ("同期群（留存分析页：按月，销售额留存）", "Cohorts (Retention page: monthly, revenue retention)"),
    "w5h1.whatif_src_formula": ("公式（见下方计算方法）", "Formula (see how it is worked out, below)"),
    "w5h1.whatif_item_month1_retention": ("次月留存率（最近同期群）", "Month-1 retention (recent cohorts)"),
    "w5h1.whatif_item_churn_rate": ("流失率（未来 12 个月因活跃会员流失而损失的购买占比）",
                                    "Churn rate (share of the next 12 months' purchases lost to active members leaving)"),
    "w5h1.whatif_item_purchases_per_member": ("人均购买次数（老会员未来 12 个月预计购买次数）",
                                              "Purchase frequency (expected purchases per existing member, next 12 months)"),
    "w5h1.whatif_item_spend_per_purchase": ("客单价（预计每次消费）", "AOV (expected spend per purchase)"),
    "w5h1.whatif_item_existing_members": ("老会员数（拟合日前购买过的会员）", "Existing members (bought by the fit date)"),
    "w5h1.whatif_item_lost_to_churn": ("流失损失的销售额（未来 12 个月）", "Revenue lost to churn, next 12 months"),
    "w5h1.whatif_item_new_buyers_per_month": ("每月新增购买人数（最近完整月份的同期群平均）",
                                              "New buyers per month (mean of the recent complete monthly cohorts)"),
    "w5h1.whatif_item_first_month_value": ("新会员首月消费（第 0 期，人均）", "A new member's first month (period 0, per member)"),
    "w5h1.whatif_item_later_value": ("新会员第 1–11 期消费（人均）", "A new member's months 1–11 (per member)"),
    "w5h1.whatif_item_later_value_in_year": ("其中落在未来 12 个月内的部分（人均）",
                                             "…of which within the next 12 months (per member)"),
    "w5h1.whatif_item_existing_revenue": ("老会员未来 12 个月销售额", "Existing members' revenue, next 12 months"),
    "w5h1.whatif_item_existing_clv": ("老会员人均 CLV（12 个月）", "CLV per existing member (12 months)"),
    "w5h1.whatif_item_new_members": ("未来 12 个月新增会员", "New members in the next 12 months"),
    "w5h1.whatif_item_first_year_value": ("新会员首年价值（人均）", "First-year value per new member"),
    "w5h1.whatif_item_new_revenue": ("新会员未来 12 个月销售额", "New members' revenue, next 12 months"),
    "w5h1.whatif_item_revenue_12m": ("未来 12 个月销售额（预测）", "Revenue, next 12 months (projected)"),
    "w5h1.whatif_item_customer_asset": ("客户资产（客户数 × CLV）", "Customer asset (members × CLV)"),
    "w5h1.whatif_formula": ("计算方法", "How it is worked out"),
    "w5h1.whatif_f_existing": ("**老会员销售额** = (预计销售额 {x} + 流失率降幅 {c} × 流失损失的销售额 {g}) × (1 + 人均购买次数 {f}) "
                               "× (1 + 客单价 {a}) = **{result}**",
                               "**Existing members' revenue** = (expected revenue {x} + churn cut {c} × revenue lost to "
                               "churn {g}) × (1 + frequency {f}) × (1 + AOV {a}) = **{result}**"),
    "w5h1.whatif_f_first_year": ("**新会员首年价值** = (首月 {r0} + 第 1–11 期 {l} × 次月留存率 {r1_new} ÷ {r1}) × (1 + {f}) "
                                 "× (1 + {a}) = **{result}**",
                                 "**First-year value of a new member** = (first month {r0} + months 1–11 {l} × month-1 "
                                 "retention {r1_new} ÷ {r1}) × (1 + {f}) × (1 + {a}) = **{result}**"),
    "w5h1.whatif_f_new_revenue": ("**新会员未来 12 个月销售额** = 12 × 每月新增 {n} 人 × (首月 {r0} + 第 1–11 期中落在 12 个月内的 "
                                  "{lw} × {r1_new} ÷ {r1}) × (1 + {f}) × (1 + {a}) = **{result}**",
                                  "**New members' revenue, next 12 months** = 12 × {n} new buyers a month × (first "
                                  "month {r0} + the part of months 1–11 within the 12 months {lw} × {r1_new} ÷ {r1}) "
                                  "× (1 + {f}) × (1 + {a}) = **{result}**"),
    "w5h1.whatif_f_totals": ("**未来 12 个月销售额** = {existing} + {new} = **{revenue}**；**客户资产** = {members} 位老会员 × "
                             "CLV {clv} + {new_members} 位新会员 × 首年价值 {value} = **{asset}**",
                             "**Revenue, next 12 months** = {existing} + {new} = **{revenue}**; **customer asset** = "
                             "{members} existing members × CLV {clv} + {new_members} new members × first-year value "
                             "{value} = **{asset}**"),
    "w5h1.whatif_f_note": ("流失损失的销售额 = 仍活跃的老会员若都不流失，未来 12 个月会多带来的销售额；已经流失的会员不计入。"
                           "新会员在 12 个月内陆续加入，只有首年的前一部分落在这 12 个月内；客户资产则计入每位新会员完整的首年价值。"
                           "各项定义见「数据导入 → 指标定义」中的「假设分析」一节。",
                           "Revenue lost to churn = what the members still active would add over the 12 months if none "
                           "of them left; members already gone stay gone. New members join through the 12 months, so "
                           "only the first part of their first year falls inside them; the customer asset counts each "
                           "new member's whole first year. Every term is defined under Import data → metric definitions, What-if."),

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
    "w5h1.churn_intro": ("存活概率（{model}，流失概率 = 1 − 存活概率）低于阈值，或 RFM 细分为流失风险 / 不能失去的客户；"
                         "按消费金额从高到低排列。模型在「为什么」部分选择。",
                         "P(alive) ({model}; churn probability = 1 − P(alive)) below the threshold, or an RFM "
                         "segment that signals leaving; most valuable first. The model is chosen in the Why section."),
    "w5h1.churn_intro_bgnbd": ("BG/NBD 下只买过一次的会员存活概率恒为 100%，只能通过 RFM 细分进入名单。",
                               "Under BG/NBD one-time buyers always have P(alive) 100 %, so only their segment can "
                               "list them."),
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
    "w5h1.col_revenue": ("销售额{money_unit}", "Revenue{money_unit}"),
    "w5h1.col_value": ("画像取值", "Value"),
    "w5h1.col_repeated": ("之后复购", "Bought again"),
    "w5h1.col_expected_spend": ("预计每次消费{money_unit}", "Expected spend per purchase{money_unit}"),
    "w5h1.col_monetary": ("消费金额{money_unit}", "Monetary{money_unit}"),
    "w5h1.col_predicted_clv": ("预测 CLV{money_unit}", "Predicted CLV{money_unit}"),
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
}
