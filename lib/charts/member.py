"""Member 360 charts: one member's order timeline, and the words of its prediction cards. Pure:
polars frame (or a row) + language -> plotly figure (or text)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import plotly.graph_objects as go
import polars as pl

from lib.charts import PALETTE, style
from lib.clv import MODEL_LABELS
from lib.formatting import chart_text, money_hover, percent
from lib.i18n import Lang, t

PURCHASE_COLOUR = PALETTE[0]
REFUND_COLOUR = PALETTE[3]
MARK_COLOUR = "#64748b"
MIN_SIZE, MAX_SIZE = 9, 42  # marker diameter (px) of the smallest and the largest order
PAD_DAYS = 20  # room on both sides of the first / last point
# Room above the largest order (and below the smallest), as a share of the amounts' span: the top
# ~18 % of the plot holds the labels of data end and the expected next order, and a point there
# (42 px across at most) would sit under them.
HEADROOM, FOOTROOM = 0.45, 0.1
UNLIKELY_P_ALIVE = 0.05  # below this P(alive) an overdue member is "unlikely to return", not "N days overdue"


def probability_text(p: float) -> str:
    """A probability (P(alive), churn probability) as a percent with one decimal: 93.4%. "<0.1%"
    and ">99.9%" rather than a 0.0 % or 100.0 % that would read as certain: the models' P(alive)
    is never 0 or 1 (lib.clv.run rounds it to 4 decimals, so 0.0 there means under 0.005 %)."""
    if p < 0.0005:
        return "<0.1%"
    if p >= 0.9995:
        return ">99.9%"
    return percent(p)


def probability_cards(value: dict, model: str, status: str, lang: Lang) -> dict[str, tuple[str, str | None]]:
    """The churn-probability and P(alive) cards as {"churn" | "alive": (value, note)}, from the
    member's lib.clv.run row fitted with `model` (whose lib.clv Model.status is `status`). Without
    a P(alive) both say "–" and why in a few words. Under BG/NBD a member without a repeat purchase
    (frequency 0) gets a sentence, never "100 %": the model cannot see them leave, and a 100 % would
    stand beside a "churned" stage. The churn card's note names the model."""
    p_alive = value["p_alive"]
    if p_alive is None:
        why = t(f"clv.short_{status}", lang) if status != "ok" else None
        return {"churn": ("–", why), "alive": ("–", why)}
    if model == "bgnbd" and value["frequency"] == 0:
        why = t("clv.bgnbd_one_time", lang)
        return {"churn": ("–", why), "alive": ("–", why)}
    expected = value["expected_purchases"]  # can be null beside a P(alive) (a member silent for long)
    by_model = t("member.by_model", lang, model=MODEL_LABELS[model])
    return {"churn": (probability_text(value["churn_probability"]), by_model),
            "alive": (probability_text(p_alive),
                      t("member.expected_purchases", lang, n=expected) if expected is not None else None)}


def next_order_note(value: dict, lang: Lang) -> tuple[str, str]:
    """The expected-next-order card's note and its colour, from the member's lib.clv.run row. Past
    the expected date with a P(alive) under UNLIKELY_P_ALIVE the member has most likely left: a
    count of days overdue (two years' worth, say) would read as "send a reminder", so the note says
    they are unlikely to return (short: a card's note is one line; P(alive) is on the card beside
    it); the date itself stays on the card."""
    overdue, p_alive = value["days_overdue"], value["p_alive"]
    if not value["expected_next_date"]:
        return t("member.no_rhythm", lang), "gray"
    if overdue and p_alive is not None and p_alive < UNLIKELY_P_ALIVE:
        return t("member.unlikely_return", lang), "red"
    if overdue:
        return t("member.overdue_by", lang, days=overdue), "red"
    return t("member.not_overdue", lang), "green"


def _sizes(amounts: pl.Series, largest: float) -> list[float]:
    # Area proportional to the amount: diameter grows with its square root.
    return [MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(abs(a) / largest) if largest > 0 else MIN_SIZE
            for a in amounts.fill_null(0)]


def _text(value: object) -> str:
    return "–" if value is None or value == "" else str(value)


def timeline(orders: pl.DataFrame, lang: Lang, member_id: str, expected_next: date | None = None,
             as_of: date | None = None, start: date | None = None, end: date | None = None,
             currency: str | None = None) -> go.Figure:
    """Each order (member360.orders) as a point: x = order time, y = net amount (in `currency`),
    size by amount; purchases and refunds in two colours. Dashed lines mark data end and the expected
    date of the next order; the sidebar's date range, when set, is shaded."""
    fig = go.Figure()
    largest = float(orders["amount"].abs().max() or 0) if orders.height else 0.0
    nth_label = t("member.hover_nth", lang)
    colon = "：" if lang == "zh" else ": "
    lines = t("member.hover_lines", lang, n="%{customdata[5]}")
    for kind, colour in (("purchase", PURCHASE_COLOUR), ("refund", REFUND_COLOUR)):
        part = orders.filter(pl.col("kind") == kind)
        if not part.height:
            continue
        custom = [[_text(r["order_id"]), _text(r["items"]), _text(r["channel"]), _text(r["store"]),
                   (nth_label.format(n=r["nth"]) if r["nth"] is not None else t("member.refund_order", lang)),
                   _text(r["lines"])]
                  for r in part.iter_rows(named=True)]
        fig.add_trace(go.Scatter(
            x=part["order_ts"].to_list(), y=part["amount"].to_list(), mode="markers",
            name=t(f"member.kind_{kind}", lang),
            marker={"size": _sizes(part["amount"], largest), "color": colour, "opacity": 0.75,
                    "line": {"width": 1, "color": "white"}},
            customdata=custom,
            hovertemplate=(
                f"<b>{t('member.hover_order', lang)} %{{customdata[0]}}</b> · %{{customdata[4]}}<br>"
                f"%{{x|%Y-%m-%d %H:%M}}<br>"
                f"{t('member.hover_amount', lang)}{colon}{money_hover('y', 2, currency)}<br>"
                f"{t('member.hover_items', lang)}{lines}{colon}%{{customdata[1]}}<br>"
                f"{t('channel', lang)}{colon}%{{customdata[2]}} · {t('store', lang)}{colon}%{{customdata[3]}}"
                "<extra></extra>")))
    marks = [(as_of, t("member.mark_data_end", lang)), (expected_next, t("member.mark_next", lang))]
    points = [_day(p) for p in (*orders["order_ts"].to_list(), *[m for m, _ in marks if m is not None])]
    if (start is not None or end is not None) and points:
        lo, hi = _day(start) if start else min(points), _day(end or as_of) if (end or as_of) else max(points)
        fig.add_vrect(x0=lo, x1=hi + timedelta(days=1), fillcolor="#e0ecff", opacity=0.45, line_width=0,
                      layer="below")
        fig.add_annotation(x=lo, y=0, yref="paper", text=t("member.mark_range", lang), showarrow=False,
                           xanchor="left", yanchor="bottom", font={"color": MARK_COLOUR})
    for i, (when, label) in enumerate((m, lb) for m, lb in marks if m is not None):
        fig.add_shape(type="line", x0=_day(when), x1=_day(when), y0=0, y1=1, yref="paper",
                      line={"dash": "dash", "color": MARK_COLOUR, "width": 1})
        # Labels sit inside the plot, left of their line, one below the other, so they never
        # cross each other or the legend above the plot.
        fig.add_annotation(x=_day(when), y=0.99 - 0.09 * i, yref="paper", text=f"{label} {when:%Y-%m-%d}",
                           showarrow=False, xanchor="right", yanchor="top", xshift=-4,
                           bgcolor="rgba(255,255,255,0.85)", font={"color": MARK_COLOUR, "size": 12})
    if points:
        lo, hi = min(points), max(points)
        # ISO months, as on every other chart (plotly's default "Jan 2024" stays English on a Chinese page)
        fig.update_xaxes(range=[lo - timedelta(days=PAD_DAYS), hi + timedelta(days=PAD_DAYS)], type="date",
                         tickformat="%Y-%m")
    if orders.height:
        top, bottom = max(float(orders["amount"].max()), 0.0), min(float(orders["amount"].min()), 0.0)
        span = (top - bottom) or 1.0
        fig.update_yaxes(range=[bottom - FOOTROOM * span, top + HEADROOM * span])
    fig.add_hline(y=0, line={"color": "#cbd5e1", "width": 1})
    fig = style(fig, t("member.timeline_title", lang, member=chart_text(member_id)), t("member.timeline_x", lang),
                t("member.timeline_y", lang), y_format=",.0f", height=430)
    fig.update_layout(margin={"t": 90})
    return fig


def _day(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
