"""RFM page figures and display tables: polars frames from lib/rfm.py + the language -> plotly
figures or translated frames. No streamlit, no I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import plotly.graph_objects as go
import polars as pl

from lib.charts import HEAT_SCALE, display_table, names, style, text_size
from lib.formatting import money_compact, money_full, money_hover
from lib.i18n import Lang, t
from lib.rfm import SCORES, SEGMENTS, VALUE_GROUPS

Metric = Literal["members", "revenue", "mean_monetary"]
METRICS: tuple[Metric, ...] = ("members", "revenue", "mean_monetary")
PREFIX = {"recency_days": "r", "frequency": "f", "monetary": "m"}


# -- score bands: what each score means under the thresholds in use ----------------------------

def _recency_band(lo: float, hi: float, lang: Lang) -> str:
    """Whole days d with lo < d ≤ hi (recency is ≥ 0)."""
    if hi == -math.inf:
        return t("rfm.band_none", lang)
    first = 0 if lo == -math.inf else math.floor(lo) + 1
    last = math.inf if hi == math.inf else math.floor(hi)
    if last < first:
        return t("rfm.band_none", lang)
    if last == math.inf:
        return t("rfm.band_days_ge", lang, lo=first)
    if first == last:
        return t("rfm.band_days_one", lang, lo=first)
    if first == 0:
        return t("rfm.band_days_le", lang, hi=last)
    return t("rfm.band_days_between", lang, lo=first, hi=last)


def _frequency_band(lo: float, hi: float, lang: Lang) -> str:
    """Whole purchases n with lo ≤ n < hi (a buyer has ≥ 1)."""
    if lo == math.inf:
        return t("rfm.band_none", lang)
    first = 1 if lo == -math.inf else max(1, math.ceil(lo))
    last = math.inf if hi == math.inf else math.ceil(hi) - 1
    if last < first:
        return t("rfm.band_none", lang)
    if last == math.inf:
        return t("rfm.band_count_ge", lang, lo=first)
    if first == last:
        return t("rfm.band_count_one", lang, lo=first)
    return t("rfm.band_count_between", lang, lo=first, hi=last)


def _money_band(lo: float, hi: float, lang: Lang, currency: str) -> str:
    """Amounts m with lo ≤ m < hi, in whole units when whole (¥99), else to the fen."""
    if hi <= lo:
        return t("rfm.band_none", lang)
    if lo == -math.inf:
        return t("rfm.band_money_lt", lang, hi=money_full(hi, None, currency))
    if hi == math.inf:
        return t("rfm.band_money_ge", lang, lo=money_full(lo, None, currency))
    return t("rfm.band_money_between", lang, lo=money_full(lo, None, currency), hi=money_full(hi, None, currency))


def bands(thresholds: pl.DataFrame, lang: Lang, currency: str | None = None) -> dict[str, list[str]]:
    """{"r" | "f" | "m": [text for score 1, …, score 5]} from `rfm.thresholds()`, amounts in `currency`.

    A value's score is 1 + the thresholds it reaches; a null threshold is never reached, so
    it sorts as -inf for recency (≤) and +inf for frequency / monetary (≥)."""
    out: dict[str, list[str]] = {}
    for dimension, _rule, _source, *values in thresholds.rows():
        prefix = PREFIX[dimension]
        if prefix == "r":
            cuts = [-math.inf] + sorted(-math.inf if v is None else v for v in values) + [math.inf]
            # score s holds (cuts[5 - s], cuts[6 - s]]
            out[prefix] = [_recency_band(cuts[5 - s], cuts[6 - s], lang) for s in SCORES]
        else:
            cuts = [-math.inf] + sorted(math.inf if v is None else v for v in values) + [math.inf]
            spans = [(cuts[s - 1], cuts[s]) for s in SCORES]  # score s holds [cuts[s - 1], cuts[s])
            out[prefix] = ([_frequency_band(lo, hi, lang) for lo, hi in spans] if prefix == "f"
                           else [_money_band(lo, hi, lang, currency) for lo, hi in spans])
    return out


def skipped_scores(score_bands: dict[str, list[str]], lang: Lang, prefixes: str = "rf") -> str:
    """"F 2、F 3": the scores of the heatmap's dimensions nobody can get ("" when none)."""
    none = t("rfm.band_none", lang)
    names = [f"{p.upper()} {s}" for p in prefixes for s in SCORES if score_bands[p][s - 1] == none]
    return ("、" if lang == "zh" else ", ").join(names)


def threshold_table(thresholds: pl.DataFrame, lang: Lang, currency: str | None = None) -> pl.DataFrame:
    """One row per dimension: its name, where the thresholds come from, and the range of each
    score (5 first), amounts in `currency`."""
    texts = bands(thresholds, lang, currency)
    rows = []
    for dimension, _rule, source, *_ in thresholds.rows():
        prefix = PREFIX[dimension]
        rows.append({t("rfm.dimension", lang): t(f"rfm.dim_{prefix}", lang),
                     t("rfm.source", lang): t(f"rfm.source_{source}", lang),
                     **{t("rfm.score_n", lang, n=s): texts[prefix][s - 1] for s in reversed(SCORES)}})
    return pl.DataFrame(rows)


# -- figures --------------------------------------------------------------------------------------

CELL_WIDTH = 45  # px of one of the 5 columns in a half-width chart at a 1440 px window


def _cell_text(metric: Metric, value: float, lang: Lang, currency: str) -> str:
    """Members in full ("2,408"); amounts short, as on the colour bar ("¥34万", "¥346K")."""
    return f"{value:,.0f}" if metric == "members" else money_compact(value, lang, currency)


def _nice_step(span: float, count: int = 4) -> float:
    """The step of 1, 2 or 5 × 10^n nearest to cutting `span` into `count` parts (multiples of it
    stay exact when written short: 1.5万, 2.4M)."""
    raw = span / count if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda step: abs(math.log(step / raw)))


def money_ticks(low: float, high: float, lang: Lang, currency: str | None = None) -> dict:
    """Colour-bar ticks for amounts from `low` to `high`, written as the cells are (¥34万 / ¥346K)."""
    step = _nice_step(high - low)
    values = [k * step for k in range(math.ceil(low / step), math.floor(high / step) + 1)]
    return {"tickvals": values, "ticktext": [money_compact(v, lang, currency) for v in values]}


def heatmap(grid: pl.DataFrame, metric: Metric, lang: Lang, score_bands: dict[str, list[str]] | None = None,
            height: int = 480, currency: str | None = None) -> go.Figure:
    """The 25 R × F cells of `rfm.grid()` coloured by `metric`; R down the side (5 on top), F
    across; empty cells blank; amounts in `currency`. Tick labels carry each score's range when
    `score_bands` is given.

    Plotly cannot select heatmap cells, so a second, invisible trace puts one clickable marker
    in the middle of each non-empty cell (x = F score, y = R score); it carries the hover:
    members and their share of buyers, revenue, mean monetary."""
    buyers = grid["members"].sum() or 1
    cells = {(r, f): (n, rev, mean) for r, f, n, rev, mean in
             grid.select("r_score", "f_score", "members", "revenue", "mean_monetary").rows()}
    z, text = [], []
    for r in SCORES:
        z_row, text_row = [], []
        for f in SCORES:
            n, rev, mean = cells.get((r, f), (0, 0.0, 0.0))
            value = {"members": n, "revenue": rev, "mean_monetary": mean}[metric]
            z_row.append(value if n else None)
            text_row.append(_cell_text(metric, value, lang, currency) if n else "")
        z.append(z_row)
        text.append(text_row)
    filled_values = [v for row in z for v in row if v is not None]
    # from 0, so the smallest filled cell is still visibly blue, not white like an empty one
    zmin, zmax = min([0.0, *filled_values]), max([0.0, *filled_values])
    if metric != "members":
        ticks = money_ticks(zmin, zmax, lang, currency)
    elif max(n for n, _, _ in cells.values()) <= 8:  # few members: whole-number ticks, not 1, 1, 1, 2, 2
        ticks = {"tickformat": ",.0f", "dtick": 1}
    else:
        ticks = {"tickformat": ",.0f"}
    fig = go.Figure(go.Heatmap(
        x=list(SCORES), y=list(SCORES), z=z, text=text, texttemplate="%{text}", hoverinfo="skip",
        textfont={"size": text_size([s for row in text for s in row], CELL_WIDTH, (9, 13))},
        colorscale=HEAT_SCALE, xgap=3, ygap=3, zmin=zmin,
        colorbar={"title": {"text": t(f"rfm.unit_{metric}", lang), "side": "right"}, **ticks}))
    filled = [(r, f, *v) for (r, f), v in sorted(cells.items()) if v[0]]
    hover = (f"<b>{t('rfm.hover_cell', lang, r='%{customdata[4]}', f='%{customdata[5]}')}</b><br>"
             f"{t('rfm.hover_members', lang)}: %{{customdata[0]:,}} "
             f"({t('rfm.hover_of_buyers', lang)} %{{customdata[3]:.1%}})<br>"
             f"{t('rfm.hover_revenue', lang)}: {money_hover('customdata[1]', 0, currency)}<br>"
             f"{t('rfm.hover_mean', lang)}: {money_hover('customdata[2]', 0, currency)}<extra></extra>")
    fig.add_scatter(
        x=[c[1] for c in filled], y=[c[0] for c in filled], mode="markers", hovertemplate=hover,
        customdata=[[n, rev, mean, n / buyers, r, f] for r, f, n, rev, mean in filled], showlegend=False,
        marker={"symbol": "square", "size": 44, "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}})
    metric_name = t(f"rfm.metric_{metric}", lang)
    style(fig, t("rfm.heatmap_title", lang, metric=metric_name), t("rfm.f_axis", lang), t("rfm.r_axis", lang),
          height=height, legend=False)

    def ticks(prefix: str) -> list[str]:
        if not score_bands:
            return [str(s) for s in SCORES]
        return [f"<b>{s}</b><br><span style='font-size:11px'>{score_bands[prefix][s - 1]}</span>" for s in SCORES]

    fig.update_xaxes(tickvals=list(SCORES), ticktext=ticks("f"), range=[0.5, 5.5], showline=False, zeroline=False)
    fig.update_yaxes(tickvals=list(SCORES), ticktext=ticks("r"), range=[0.5, 5.5], showgrid=False, zeroline=False)
    fig.update_layout(margin={"l": 110, "b": 80})
    return fig


def treemap(segments: pl.DataFrame, lang: Lang, height: int = 480, currency: str | None = None) -> go.Figure:
    """`rfm.segments()` as tiles under one "all buyers" tile: area = members, colour = share of
    revenue; empty segments left out. Hover: members and their share, revenue (in `currency`) and
    its share, the suggested action."""
    shown = segments.filter(pl.col("members") > 0)
    buyers = shown["members"].sum() or 1
    root = t("rfm.all_buyers", lang)
    shares = [v or 0.0 for v in shown["revenue_share"].to_list()]
    custom = [[1.0, shown["revenue"].sum(), 1.0, ""]] + [
        [n / buyers, rev, share, t(f"rfm.action_{seg}", lang)]
        for seg, n, rev, share in zip(shown["segment"], shown["members"], shown["revenue"], shares)]
    people = "人" if lang == "zh" else "members"
    fig = go.Figure(go.Treemap(
        ids=["all", *shown["segment"].to_list()], labels=[root] + [t(f"seg_{s}", lang) for s in shown["segment"]],
        parents=[""] + ["all"] * shown.height, values=[buyers, *shown["members"].to_list()], branchvalues="total",
        customdata=custom, sort=True, tiling={"pad": 2}, pathbar={"visible": True, "thickness": 22}, root={"color": "white"},
        marker={"colors": [0.0, *shares], "colorscale": HEAT_SCALE, "cmin": 0, "line": {"color": "white", "width": 1},
                "colorbar": {"title": {"text": t("rfm.hover_revenue_share", lang)}, "tickformat": ".0%"}},
        texttemplate=(f"<b>%{{label}}</b><br>%{{value:,}} {people}<br>"
                      f"{t('rfm.hover_revenue_share', lang)} %{{customdata[2]:.1%}}"),
        hovertemplate=(f"<b>%{{label}}</b><br>{t('rfm.hover_members', lang)}: %{{value:,}} "
                       f"({t('rfm.hover_of_buyers', lang)} %{{customdata[0]:.1%}})<br>"
                       f"{t('rfm.hover_revenue', lang)}: {money_hover('customdata[1]', 0, currency)} "
                       f"({t('rfm.hover_revenue_share', lang)} %{{customdata[2]:.1%}})<br>"
                       f"{t('rfm.action', lang)}: %{{customdata[3]}}<extra></extra>")))
    style(fig, t("rfm.treemap_title", lang), height=height, legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


# -- display tables -------------------------------------------------------------------------------

# what a segment / value group table shows after its name (column -> label key)
ACTION_HEADERS = {"members": "rfm.col_members", "member_share": "rfm.col_member_share",
                  "revenue": "rfm.col_revenue", "revenue_share": "rfm.col_revenue_share", "action": "rfm.action"}
MEMBER_HEADERS = {"member_id": "member_id", "recency_days": "recency_days", "frequency": "frequency",
                  "monetary": "monetary", "r_score": "rfm.r_score", "f_score": "rfm.f_score", "m_score": "rfm.m_score",
                  "segment": "segment", "value_group": "value_group"}


def _action_table(frame: pl.DataFrame, key: str, ids: Iterable[str], prefix: str, lang: Lang) -> pl.DataFrame:
    """One row per segment or value group (`key`): its name, members and their share of buyers,
    revenue and its share (both in %, for a "%.1f%%" column), the suggested action."""
    total = frame["members"].sum()
    share = (pl.col("members") / total * 100) if total else pl.lit(None, dtype=pl.Float64)
    return display_table(frame, {key: key, **ACTION_HEADERS}, lang, **{key: names(key, ids, prefix, lang)},
                         member_share=share, revenue_share=pl.col("revenue_share") * 100,
                         action=names(key, ids, "rfm.action_", lang))


def segment_table(segments: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """All 11 segments: name, members, share of buyers, revenue, share of revenue, suggested action."""
    return _action_table(segments, "segment", SEGMENTS, "seg_", lang)


def pattern(group: str, lang: Lang) -> str:
    """"R 高 · F 低 · M 高" for a value group: R, F, M better than the mean or not."""
    return " · ".join(f"{name} {t('rfm.high' if high else 'rfm.low', lang)}"
                      for name, high in zip("RFM", VALUE_GROUPS[group]))


def value_group_table(groups: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """All 8 value groups: name, R · F · M pattern, members, shares, revenue, suggested action."""
    patterns = {g: pattern(g, lang) for g in VALUE_GROUPS}
    return _action_table(groups, "value_group", VALUE_GROUPS, "vg_", lang).insert_column(
        1, groups["value_group"].replace_strict(patterns, return_dtype=pl.String).alias(t("rfm.col_pattern", lang)))


def member_frame(members: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """`rfm.members()` with translated headers and segment / value-group names, for display and download."""
    return display_table(members, MEMBER_HEADERS, lang, segment=names("segment", SEGMENTS, "seg_", lang),
                         value_group=names("value_group", VALUE_GROUPS, "vg_", lang))
