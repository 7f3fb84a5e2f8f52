"""Predicted-CLV labels shared by the 5W1H and Member 360 pages: the purchase models, why a
prediction is missing (lib.clv Model / Backtest `.status`, in plain words that say whether the
data or the fit is the reason) and what a boundary solution means (lib.btyd.boundary_reason)."""

LABELS: dict[str, tuple[str, str]] = {
    "clv.model": ("预测模型", "Purchase model"),
    "clv.model_help": ("三种“买到离开”（BTYD）模型估计会员仍然活跃的概率和未来的购买次数，消费金额都由 Gamma-Gamma 估计。"
                       "BG/NBD：流失只可能发生在复购之后；MBG/NBD：首购之后也可能流失；Pareto/NBD：流失可发生在任何时刻"
                       "（连续时间），拟合较慢。",
                       "Three buy-till-you-die models estimate how likely a member is still active and how often "
                       "they will buy; spend per purchase comes from Gamma-Gamma in all three. BG/NBD: dropout "
                       "only after a repeat purchase; MBG/NBD: also right after the first; Pareto/NBD: at any "
                       "moment (continuous time), slower to fit."),
    # One sentence per model: which is used, and why MBG/NBD is the default.
    "clv.why_mbgnbd": ("当前模型 MBG/NBD（默认）：只买过一次、且很久没有回来的会员，会被判为很可能已流失。",
                       "Model: MBG/NBD (the default): a one-time buyer who has been gone long counts as likely lost."),
    "clv.why_bgnbd": ("当前模型 BG/NBD：只买过一次的会员，无论离开多久，存活概率一律为 100%；默认的 MBG/NBD 没有这个盲点。",
                      "Model: BG/NBD: it always gives a one-time buyer a 100 % P(alive), however long they have "
                      "been gone; the default, MBG/NBD, does not."),
    "clv.why_pareto_nbd": ("当前模型 Pareto/NBD：经典的连续时间模型，拟合较慢；默认的 MBG/NBD 会把只买过一次、很久没有回来的会员判为很可能已流失。",
                           "Model: Pareto/NBD, the classic continuous-time model, slower to fit; the default, "
                           "MBG/NBD, lets a one-time buyer who has been gone long count as likely lost."),
    "clv.churn_probability": ("流失概率", "Churn probability"),
    "clv.bgnbd_one_time": ("BG/NBD 无法判断：该会员没有复购", "BG/NBD cannot tell without a repeat purchase"),

    # Why there is no prediction (Model.status, Backtest.status): a sentence, and a few words for a card or a table.
    "clv.status_no_buyers": ("当前范围内到拟合日为止没有购买，无法预测。",
                             "No purchases by the fit date in this scope, so there is nothing to predict."),
    "clv.status_too_few_repeat_buyers": ("复购会员太少，无法拟合预测模型：{buyers:,} 位买家中只有 {repeat:,} 位买过不止一次"
                                         "（至少需要 {minimum} 位，才能分辨谁已经离开、谁只是还没回来）。",
                                         "Too few repeat buyers to fit a model: {repeat:,} of {buyers:,} buyers bought "
                                         "more than once (at least {minimum} are needed to tell who has left from "
                                         "who has not come back yet)."),
    "clv.status_not_converged": ("{model} 模型在当前数据上没有收敛（找不到一组稳定的最优参数），所以不显示预测。"
                                 "这是拟合失败，并不说明数据太少。",
                                 "The {model} fit did not converge on this data (no stable best set of parameters), "
                                 "so no predictions are shown. The fit failed; that does not mean the data are too "
                                 "few."),
    "clv.status_spend_not_converged": ("消费金额模型（Gamma-Gamma）在当前数据上没有收敛：存活概率和预计购买次数照常显示，"
                                       "预测 CLV 无法计算。",
                                       "The spend model (Gamma-Gamma) did not converge on this data: P(alive) and "
                                       "expected purchases are shown, predicted CLV cannot be."),
    "clv.status_spend_no_mean": ("消费金额模型（Gamma-Gamma）给不出平均客单价（参数 q ≤ 1：会员之间客单价差异极大），"
                                 "预测 CLV 无法计算；存活概率和预计购买次数照常显示。",
                                 "The spend model (Gamma-Gamma) has no average spend per purchase here (q ≤ 1: spend "
                                 "varies enormously between members), so predicted CLV cannot be given; P(alive) and "
                                 "expected purchases are shown."),
    "clv.status_no_purchases_before_cutoff": ("截止日 {cutoff} 当天及之前没有购买，无法回测。请选更晚的截止日。",
                                              "No purchases on or before the cut-off {cutoff}: choose a later "
                                              "cut-off."),
    "clv.status_no_purchases_after_cutoff": ("截止日 {cutoff} 之后没有购买，无法与实际比较。请选更早的截止日。",
                                             "No purchases after the cut-off {cutoff}, nothing to compare with: "
                                             "choose an earlier cut-off."),
    # Where a fit that did not converge was running (lib.btyd.runaway_reason), appended to clv.status_not_converged.
    "clv.runaway_same_dropout_rate": ("拟合趋向“所有会员的流失速率相同”（参数 s、β 趋于无穷），这个极限在此无法拟合；"
                                      "MBG/NBD 能拟合类似的极限（人人流失概率相同）。",
                                      "The fit runs towards one dropout rate for everyone (s and β grow without end), "
                                      "a limit not fitted here; MBG/NBD fits the like limit (one dropout probability "
                                      "for all)."),
    "clv.try_other_model": ("可以换一个模型，或放宽筛选条件。", "Try another model, or fewer filters."),
    "clv.short_ok": ("拟合成功", "fitted"),
    "clv.short_no_buyers": ("没有购买", "no purchases"),
    "clv.short_too_few_repeat_buyers": ("复购会员太少", "too few repeat buyers"),
    "clv.short_not_converged": ("模型未收敛", "fit did not converge"),
    "clv.short_spend_not_converged": ("金额模型未收敛", "spend fit did not converge"),
    "clv.short_spend_no_mean": ("无平均客单价", "no average spend"),
    "clv.short_no_purchases_before_cutoff": ("截止日前没有购买", "no purchases before the cut-off"),
    "clv.short_no_purchases_after_cutoff": ("截止日后没有购买", "no purchases after the cut-off"),

    # What a boundary solution means (the fit still predicts: the limit of the model the data prefer).
    "clv.boundary_no_dropout": ("数据中看不到有人流失：预测按 NBD 极限计算（会员被视为一直按各自的频率购买）。",
                                "No one appears to drop out: predictions follow the NBD limit (members are taken "
                                "to keep buying at their own rate)."),
    "clv.boundary_same_dropout": ("所有会员看起来在每次购买后以同样的概率流失：预测按“流失概率人人相同”的极限计算。",
                                  "Every member appears to drop out with the same probability after a purchase: "
                                  "predictions follow that limit (one dropout probability for all)."),
}
