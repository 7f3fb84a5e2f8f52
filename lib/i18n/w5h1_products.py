"""5W1H 分析, the "which products" section: labels, chart texts and reading sentences (GLOSSARY
§7). Keys start with "w5h1." like the rest of the page's (lib/i18n/w5h1.py)."""

LABELS: dict[str, tuple[str, str]] = {
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
}
