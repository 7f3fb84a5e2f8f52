"""The client report (lib/pack.py): its cover, section titles the pages do not have, and the words a
static file needs where a page points at a widget. Every number's own words are the pages' labels."""

LABELS: dict[str, tuple[str, str]] = {
    # the Overview page's download
    "pack.button": ("客户报告（HTML）", "Client report (HTML)"),
    "pack.button_help": ("生成一份可离线打开的 HTML 报告：本页的数据集、筛选、KPI 窗口、时间粒度和语言，按 5W1H 讲述经营概览、"
                         "留存、RFM、生命周期、复购周期、关联商品、预测 CLV 与各细分的建议动作，每张图附一句解读，"
                         "附录为指标定义。点击后生成：已打开过的页面直接复用其结果，千万行级数据首次生成可能需要一两分钟。",
                         "A self-contained HTML report that opens offline: this page's dataset, filters, KPI window, "
                         "granularity and language, telling the 5W1H story — overview, retention, RFM, lifecycle, "
                         "repurchase cycles, product pairs, predicted CLV and the action per segment — each chart with "
                         "its reading, metric definitions as an appendix. Built when clicked, reusing what the pages already "
                         "computed: seconds on most data, a minute or two the first time on ten million lines."),
    # the cover
    "pack.title": ("会员经营报告", "Member report"),
    "pack.subtitle": ("按 5W1H 方法：为什么、是什么、谁、何时、买什么、在哪里与怎么做",
                      "The 5W1H story: why, what, who, when, what products, where and how"),
    "pack.currency": ("币种", "Currency"),
    "pack.no_currency": ("未指定（金额不带符号）", "None (amounts without a symbol)"),
    "pack.range": ("{start} 至 {end}", "{start} to {end}"),
    "pack.data_end": ("数据截止日", "Data end (as of)"),
    "pack.kpi_window": ("KPI 窗口", "KPI window"),
    "pack.window_text": ("{start} 至 {end}（{days} 天），对比前 {days} 天（{prev_start} 至 {prev_end}）",
                         "{start} to {end} ({days} days), vs the {days} days before ({prev_start} to {prev_end})"),
    "pack.no_filters": ("无（全部会员与订单）", "None (all members and orders)"),
    "pack.segment": ("人群包", "Segment"),
    "pack.segment_value": ("{name}（{mode}）", "{name} ({mode})"),
    "pack.segment_live": ("按定义，今天的数据", "live, today's data"),
    "pack.segment_saved": ("按保存时名单", "as saved"),
    "pack.generated": ("生成时间", "Generated"),
    "pack.contents": ("目录", "Contents"),
    "pack.offline": ("本文件离线可用，不加载任何外部资源；把鼠标停在图上可查看数值。",
                     "This file works offline and loads nothing from the network; hover over a chart for its numbers."),
    # when there is nothing to report
    "pack.no_orders": ("该数据集还没有订单数据，没有可报告的内容。", "This dataset has no orders yet: there is nothing to report."),
    "pack.no_match": ("没有符合筛选条件的订单，没有可报告的内容。", "No orders match these filters: there is nothing to report."),
    # sections and their words where the pages point at a widget
    "pack.sec_who": ("谁：RFM 分层、客户价值与预流失", "Who — RFM segments, value groups and pre-churn"),
    "pack.rfm_header": ("RFM 分层", "RFM"),
    "pack.migration_intro": ("{date_from} 至 {date_to} 之间会员在阶段间的流转。", "How members moved between stages from {date_from} to {date_to}."),
    "pack.clv_revenue": ("毛利率按 100% 计：预测 CLV 是销售额，不是利润。",
                         "At a 100 % margin predicted CLV is revenue, not profit."),
    "pack.backtest_intro": ("用截止日之前的购买拟合模型，预测截止日时已有的会员在之后（验证期）的购买次数，再与他们实际的购买比较："
                            "第一张图逐期累计，第二张图按截止日前的复购次数分组。",
                            "The model is fitted on purchases up to the cut-off and predicts how often the members "
                            "known then buy after it (the holdout); the charts compare that with what they did: period "
                            "by period in the first, by repurchases before the cut-off in the second."),
    "pack.backtest_header": ("模型回测：预测 vs 实际", "Holdout backtest: predicted vs actual"),
    "pack.backtest_cutoff": ("截止日 {cutoff}（数据最后 6 个月为验证期），按周比较。",
                             "Cut-off {cutoff} (the last 6 months of data are the holdout), compared by week."),
    "pack.pre_churn_intro": ("存活概率低于 {threshold:.0%}（{model}）或属于流失风险、不能失去的客户细分的会员：这里只列人数，"
                             "名单在 5W1H 页「谁」部分下载。",
                             "Members with P(alive) below {threshold:.0%} ({model}) or in the At Risk or Can't Lose Them "
                             "segments: counts only here; the list downloads from the 5W1H page, Who section."),
    "pack.due_counts": ("各品类会员人数（只列人数，名单在 5W1H 页「何时」部分下载）",
                        "Members per category (counts only; the lists download from the 5W1H page, When section)"),
    "pack.pairs_top": ("按提升度排列的前 {shown} 组，共 {total} 组（按订单，最小支持度 {support}）。",
                       "The top {shown} of {total} pairs by lift (baskets = orders, minimum support {support})."),
    "pack.segment_actions": ("各 RFM 细分的建议动作", "The action per RFM segment"),
    # the appendix
    "pack.appendix": ("附录：指标定义", "Appendix: metric definitions"),
    "pack.appendix_intro": ("以下各节摘自 memberlens 的指标定义（docs/metrics.zh.md，与应用「数据导入 → 指标定义」所示相同）。",
                            "The sections below are memberlens's metric definitions (docs/metrics.md, as the app's "
                            "Import data → metric definitions shows them)."),
}
