"""The 5W1H Why section's what-if (lib.whatif): the next 12 months' revenue and the customer asset,
today and with the levers, split into existing and new members; the cards, the reading, the table
of every lever, input and result, and the formula with this scope's numbers. Pure: a project()
frame (+ levers, language) -> plotly figure, display frame or words; no streamlit, no I/O. Amounts
are written by lib.formatting in `currency`; numbers inside markdown go through markdown_text.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from lib.charts import style
from lib.charts.w5h1 import AMBER, BLUE
from lib.formatting import MISSING, markdown_text, money, money_full, money_hover, number, percent
from lib.i18n import Lang, t
from lib.whatif import Levers

# What the chart stacks in each bar: (existing part, new part) of each total.
TOTALS = {"revenue_12m": ("existing_revenue", "new_revenue"), "customer_asset": ("existing_revenue", "new_asset")}


def values(frame: pl.DataFrame, column: str) -> dict[str, float | None]:
    """One column of a project() frame by item."""
    return dict(zip(frame["item"], frame[column]))


def _parts(frame: pl.DataFrame, column: str) -> dict[str, float | None]:
    """The column's values plus new_asset (= customer_asset − existing_revenue, what new members add)."""
    v = values(frame, column)
    return {**v, "new_asset": v["customer_asset"] - v["existing_revenue"]}


def chart(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> go.Figure:
    """Revenue over the next 12 months and the customer asset, today and with the levers: one bar
    each, existing members below, new members on top."""
    before, after = _parts(frame, "baseline"), _parts(frame, "scenario")
    totals = [t(f"w5h1.whatif_bar_{total}", lang) for total in TOTALS for _ in (0, 1)]
    states = [t(f"w5h1.whatif_{state}", lang) for _ in TOTALS for state in ("baseline", "scenario")]
    fig = go.Figure()
    for part, name, colour in ((0, "w5h1.whatif_existing", BLUE), (1, "w5h1.whatif_new", AMBER)):
        amounts = [side[TOTALS[total][part]] for total in TOTALS for side in (before, after)]
        fig.add_trace(go.Bar(
            x=[totals, states], y=amounts, name=t(name, lang), marker_color=colour,
            text=[money(v, lang, currency) for v in amounts], textposition="inside",
            hovertemplate="%{x}<br>" + t(name, lang) + ": " + money_hover("y", 0, currency) + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    return style(fig, t("w5h1.whatif_title", lang), t("w5h1.whatif_x", lang), t("w5h1.whatif_y", lang),
                 y_format=",.0f", height=400)


# How a lever's setting reads on its slider (0 reads "as today").
LEVER_TEXT = {"retention_points": "w5h1.whatif_points", "churn_cut": "w5h1.whatif_cut",
              "frequency_up": "w5h1.whatif_up", "aov_up": "w5h1.whatif_up"}


def lever_text(lever: str, value: float, lang: Lang) -> str:
    """A lever's setting as its slider shows it: "+5 points", "−10 %", "0 (as today)"."""
    return t(LEVER_TEXT[lever] if value else "w5h1.whatif_zero", lang, v=f"{value:g}")


def signed_money(value: float, lang: Lang, currency: str | None = None) -> str:
    """A change in money with its sign, + included: +¥1.2万, -¥350.00."""
    return ("+" if value > 0 else "") + money(value, lang, currency)


def cards(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> list[tuple[str, str, str | None]]:
    """(label, scenario, difference as a signed amount, None when nothing moved: no arrow) for the
    revenue and the customer asset."""
    after, change = values(frame, "scenario"), values(frame, "difference")
    return [(t(f"w5h1.whatif_m_{item}", lang), money(after[item], lang, currency),
             signed_money(change[item], lang, currency) if change[item] else None) for item in TOTALS]


def reading(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> str:
    """One markdown sentence: what the levers make of each total, or the totals as they are when no
    lever moves (amounts escaped: two $ amounts must not read as LaTeX)."""
    before, after, change = values(frame, "baseline"), values(frame, "scenario"), values(frame, "difference")

    def amount(value: float) -> str:
        return markdown_text(money(value, lang, currency))

    if not any(change[item] for item in TOTALS):
        return t("w5h1.whatif_reading_none", lang, revenue=amount(before["revenue_12m"]),
                 asset=amount(before["customer_asset"]))
    words = {}
    for item, name in (("revenue_12m", "revenue"), ("customer_asset", "asset")):
        share = change[item] / before[item] if before[item] else None
        words |= {name: amount(after[item]), f"{name}_diff": markdown_text(signed_money(change[item], lang, currency)),
                  f"{name}_pct": markdown_text(percent(share, signed=True))}
    return t("w5h1.whatif_reading", lang, **words)


def _formatted(unit: str, value: float | None, currency: str | None, signed: bool = False,
               lang: Lang = "en") -> str:
    if value is None:
        return MISSING
    sign = "+" if signed and value > 0 else ""
    if unit == "money":
        return sign + money_full(value, currency=currency)
    if unit == "rate":  # a rate moves in percentage points, as the sliders and the KPI cards say
        return t("overview.pp", lang, value=value * 100) if signed else percent(value)
    if unit == "purchases":
        return f"{value:+,.2f}" if signed else f"{value:,.2f}"
    return sign + number(value, 0 if float(value).is_integer() else 1)


def table(frame: pl.DataFrame, lang: Lang, currency: str | None = None) -> pl.DataFrame:
    """Every lever, input and result: its name, kind, today, with the levers, the difference and
    where its number comes from, written for reading."""
    rows = frame.rows(named=True)
    return pl.DataFrame({
        t("w5h1.whatif_col_item", lang): [t(f"w5h1.whatif_item_{r['item']}", lang) for r in rows],
        t("w5h1.whatif_col_kind", lang): [t(f"w5h1.whatif_kind_{r['kind']}", lang) for r in rows],
        t("w5h1.whatif_baseline", lang): [_formatted(r["unit"], r["baseline"], currency) for r in rows],
        t("w5h1.whatif_scenario", lang): [_formatted(r["unit"], r["scenario"], currency) for r in rows],
        t("w5h1.whatif_col_difference", lang): [_formatted(r["unit"], r["difference"], currency, signed=True,
                                                           lang=lang) for r in rows],
        t("w5h1.whatif_col_source", lang): [t(f"w5h1.whatif_src_{r['source']}", lang) for r in rows],
    })


def formula(frame: pl.DataFrame, levers: Levers, lang: Lang, currency: str | None = None) -> list[str]:
    """The formula, one markdown line per term, with this scope's numbers and the levers' settings
    (every number escaped: a $ or a * in an amount stays text)."""
    before, after = values(frame, "baseline"), values(frame, "scenario")

    def amount(value: float | None) -> str:
        return markdown_text(money_full(value, currency=currency))

    def pct(value: float) -> str:
        return markdown_text(f"{value:g}%")

    shared = {"f": pct(levers.frequency_up), "a": pct(levers.aov_up)}
    rate = {"r1": markdown_text(percent(before["month1_retention"])),
            "r1_new": markdown_text(percent(after["month1_retention"]))}
    return [
        t("w5h1.whatif_f_existing", lang, x=amount(before["existing_revenue"]), c=pct(levers.churn_cut),
          g=amount(before["lost_to_churn"]), result=amount(after["existing_revenue"]), **shared),
        t("w5h1.whatif_f_first_year", lang, r0=amount(before["first_month_value"]), l=amount(before["later_value"]),
          result=amount(after["first_year_value"]), **rate, **shared),
        t("w5h1.whatif_f_new_revenue", lang, n=markdown_text(number(before["new_buyers_per_month"], 1)),
          r0=amount(before["first_month_value"]), lw=amount(before["later_value_in_year"]),
          result=amount(after["new_revenue"]), **rate, **shared),
        t("w5h1.whatif_f_totals", lang, existing=amount(after["existing_revenue"]), new=amount(after["new_revenue"]),
          revenue=amount(after["revenue_12m"]), members=markdown_text(number(before["existing_members"])),
          clv=amount(after["existing_clv"]), new_members=markdown_text(number(before["new_members"])),
          value=amount(after["first_year_value"]), asset=amount(after["customer_asset"])),
    ]
