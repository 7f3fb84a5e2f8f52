"""The client report (issue 17): one self-contained HTML file telling a dataset's 5W1H story under
the filters, in Chinese or English, that opens offline in any browser; and the same as a PDF
through headless Chromium (`python -m lib pack`, the Overview page's download).

What it holds, in order. Each analysis is computed and drawn as its page does it with the page's
defaults (the lib analyses, the lib/charts figures, the lib/readings sentences and the pages'
label keys), so the report says what the pages say; member lists are never in it, only counts:
- cover: dataset, currency, date range, data end, KPI window, filters, when it was made, contents;
- Overview: the 8 KPI cards vs the previous window of equal length, revenue from new vs existing
  members, active members and CRR, period-1 retention, lifecycle mix (pages/overview.py);
- Why: historical CLV against CAC, new vs returning revenue, predicted CLV by value band from the
  default model and its holdout backtest with the models compared (the 5W1H Why section);
- What: the repeat KPIs, the cohort triangle and curves (month, classic: the Retention page's
  defaults), repurchase rate by category (or product);
- Who: the RFM grid and segment treemap, the 8 value groups with their actions, pre-churn counts;
- Lifecycle: members per stage, the funnel, the stage mix by month, the migration over a year;
- When: days between purchases, median gap per item, not due / overdue / lapsed counts per item;
- What products: the most repurchased, pairs bought together (the strongest by lift);
- Where & How: channels side by side, the action per RFM segment;
- appendix: the sections of docs/metrics.md (metrics.zh.md) behind these numbers.
A dataset without orders, or filters no order matches, gives the cover and a sentence saying so.

The file: plotly.js once, in one <script> (lib.charts.pack), each figure's JSON in a
<script type="application/json"> drawn by Plotly.newPlot; a Content-Security-Policy that allows no
request at all; no font, image or style from elsewhere. User text (dataset name, filter values,
product, category and channel names) is escaped with html.escape in the HTML, and in the charts
through lib.charts.shown_as_text as on the pages. Pure (no streamlit): store + dataset + spec in,
text out.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from lib import activity, backtest, cac, clv, cohorts, kpis, lifecycle, pairs, readings, repurchase, rfm
from lib import currency as currencies
from lib.charts import cohorts as charts_cohorts
from lib.charts import lifecycle as charts_lifecycle
from lib.charts import overview as charts_overview
from lib.charts import pack as embed
from lib.charts import rfm as charts_rfm
from lib.charts.acquisition import channel_table, channels, new_vs_returning
from lib.charts.clv import backtest as backtest_chart
from lib.charts.clv import calibration, closest_reading, clv_bands, comparison_table, historical_table, value_vs_cac
from lib.charts.products import top_repurchased
from lib.charts.repurchase import cycle_histogram, due_status, item_gaps, item_repurchase
from lib.charts.segments import action_table
from lib.charts.segments import segments as segment_chart
from lib.charts.w5h1 import boundary_notes, extremes, model_label, status_sentence
from lib.filters import ITEM_LEVELS, Filters, filter_options
from lib.formatting import MISSING, money, money_full, multiple, number, percent
from lib.i18n import Lang, sentences, t
from lib.periods import Period, check_period
from lib.store import Dataset, Store
from lib.w5h1 import where as acquisition
from lib.w5h1 import who as people
from lib.w5h1 import why as value

ROOT = Path(__file__).resolve().parents[1]
METRICS_DOCS = {"zh": ROOT / "docs" / "metrics.zh.md", "en": ROOT / "docs" / "metrics.md"}
# The appendix: the docs' first section (what an order and a purchase are) and those of the analyses
# in the report, found by the command each heading names (the same in both languages).
APPENDIX_REPORTS = ("kpis", "cohorts", "activity", "rfm", "lifecycle", "repurchase", "pairs", "clv")

DEFAULT_WINDOW_DAYS = 30  # the Overview page's default KPI window; None = the whole date range
DEFAULT_PERIOD: Period = "month"  # the Overview page's default trend period
TREND_PERIODS: tuple[Period, ...] = ("week", "month", "quarter")
# The Overview's cards: (metric, how its value is written); the repurchase rates read in points.
CARDS = (("revenue", "money"), ("orders", "count"), ("buyers", "count"), ("aov", "money"),
         ("repurchase_rate", "rate"), ("purchase_frequency", "ratio"), ("order_repurchase_rate", "rate"),
         ("new_buyers", "count"))
# The 5W1H page's defaults, as the report uses them.
MAX_CHART_ITEMS = 30         # items on one bar chart
BACKTEST_MODELS = ("bgnbd", "mbgnbd")  # compared by default (Pareto/NBD only when asked: slow)
BACKTEST_UNIT = "week"
LAPSED_CYCLES = repurchase.DEFAULT_LAPSED_CYCLES
NOTABLE_LIFT = 1.2           # a pair's lift above this is worth a word
PAIR_SUPPORT = {"category": 0.01}  # minimum support by level; 0.1 % for products and SKUs
PAIR_SUPPORT_DEFAULT = 0.001
MAX_PAIRS = 15               # pairs listed in the report (the strongest by lift)
PDF_TIMEOUT = 180            # seconds Chromium may take to print
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


@dataclass(frozen=True)
class PackSpec:
    """What a report is of: the filters (dates, as_of, field values), its language, the Overview's
    KPI window (the last N days of the range; None = the whole range) and trend period."""

    filters: Filters = field(default_factory=Filters)
    lang: Lang = "zh"
    window_days: int | None = DEFAULT_WINDOW_DAYS
    period: Period = DEFAULT_PERIOD

    def __post_init__(self) -> None:
        if self.lang not in ("zh", "en"):
            raise ValueError(f"lang must be zh or en; got {self.lang!r}")
        if self.window_days is not None and self.window_days < 1:
            raise ValueError(f"the KPI window is at least 1 day; got {self.window_days}")
        check_period(self.period)
        if self.period not in TREND_PERIODS:
            raise ValueError(f"period must be one of {', '.join(TREND_PERIODS)}; got {self.period!r}")


# -- the Overview's cards, as the page and the report write them -------------------------------

def card_value(value: float | None, kind: str, lang: Lang) -> str:
    """A KPI card's value: money in the shown currency, a count, a rate in %, a ratio to 2 decimals."""
    if value is None:
        return MISSING
    return {"money": lambda: money(value, lang), "count": lambda: number(value), "rate": lambda: percent(value),
            "ratio": lambda: f"{value:.2f}"}[kind]()


def card_delta(row: dict, kind: str, lang: Lang) -> str | None:
    """A KPI card's change vs the previous window: rates in percentage points, the rest in %."""
    if kind == "rate":
        if row["value"] is None or row["previous"] is None:
            return None
        return t("overview.pp", lang, value=(row["value"] - row["previous"]) * 100)
    return None if row["change"] is None else percent(row["change"], signed=True)


# -- the document being written --------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    label: str
    value: str
    delta: str | None = None
    direction: float | None = None  # > 0 drawn as up, < 0 as down
    note: str | None = None


class Doc:
    """The report's body as it is written: every text argument is plain text (escaped here); the
    only markup is this class's own."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.parts: list[str] = []
        self.figures: list[str] = []  # JSON of each chart, in order
        self.contents: list[tuple[str, str]] = []  # (anchor, title) of each section

    def section(self, anchor: str, title: str) -> None:
        if self.contents:
            self.parts.append("</section>")
        self.contents.append((anchor, title))
        self.parts.append(f'<section id="{anchor}"><h2>{_e(title)}</h2>')

    def heading(self, title: str) -> None:
        self.parts.append(f"<h3>{_e(title)}</h3>")

    def caption(self, text: str | None) -> None:
        if text:
            self.parts.append(f'<p class="caption">{_e(text)}</p>')

    def reading(self, text: str | None) -> None:
        """A chart's plain-language reading."""
        if text:
            self.parts.append(f'<p class="reading">{_e(text)}</p>')

    def notice(self, text: str | None) -> None:
        """Why something is not shown (no data, a model that cannot be fitted)."""
        if text:
            self.parts.append(f'<p class="notice">{_e(text)}</p>')

    def chart(self, fig) -> None:
        self.parts.append(f'<div class="ml-chart" data-figure="ml-fig-{len(self.figures)}"></div>')
        self.figures.append(embed.figure_json(fig))

    def cards(self, cards: Sequence[Card]) -> None:
        out = []
        for card in cards:
            moved = card.direction or 0
            trend = " up" if moved > 0 else " down" if moved < 0 else ""
            delta = f'<div class="delta{trend}">{_e(card.delta)}</div>' if card.delta else ""
            note = f'<div class="note">{_e(card.note)}</div>' if card.note else ""
            out.append(f'<div class="card"><div class="label">{_e(card.label)}</div>'
                       f'<div class="value">{_e(card.value)}</div>{delta}{note}</div>')
        self.parts.append(f'<div class="cards">{"".join(out)}</div>')

    def table(self, frame: pl.DataFrame, formats: dict[str, Callable[[object], str]] | None = None,
              numeric: Iterable[str] = ()) -> None:
        """A frame as a table, each cell as its column's format writes it (else as text; "–" for none)."""
        formats = formats or {}
        right = set(numeric) | set(formats)
        num = ' class="num"'
        head = "".join(f'<th{num if c in right else ""}>{_e(c)}</th>' for c in frame.columns)
        rows = []
        for row in frame.iter_rows():
            cells = []
            for column, cell in zip(frame.columns, row):
                shown = MISSING if cell is None else formats[column](cell) if column in formats else str(cell)
                cells.append(f'<td{num if column in right else ""}>{_e(shown)}</td>')
            rows.append(f"<tr>{''.join(cells)}</tr>")
        self.parts.append(f'<div class="table"><table><thead><tr>{head}</tr></thead>'
                          f'<tbody>{"".join(rows)}</tbody></table></div>')

    def raw(self, markup: str) -> None:
        """Markup this module made (the appendix's definitions, escaped as they were converted)."""
        self.parts.append(markup)

    def body(self) -> str:
        return "".join(self.parts) + ("</section>" if self.contents else "")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# -- the scope a report is of ------------------------------------------------------------------

@dataclass
class Scope:
    store: Store
    ds: Dataset
    spec: PackSpec
    first: date  # the dataset's first and last order date (last = data end)
    last: date
    _fits: dict = field(default_factory=dict)
    # How an analysis is computed: runner(function, args, kwargs); None = function(store, ds, *args,
    # **kwargs). The app passes lib.ui's cache, so what its pages computed is not computed again.
    runner: Callable[[Callable[..., Any], tuple, dict], Any] | None = None

    def calc(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.runner is not None:
            return self.runner(function, args, kwargs)
        return function(self.store, self.ds, *args, **kwargs)

    @property
    def lang(self) -> Lang:
        return self.spec.lang

    @property
    def filters(self) -> Filters:
        return self.spec.filters

    @property
    def as_of(self) -> date:
        return self.filters.as_of or self.last

    def say(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def window(self) -> Filters:
        """The filters with the KPI window's dates: its last window_days days up to the end of the
        range (or the whole range), never past the data end (as_of, when given, is the data end)."""
        return kpis.window(self.filters, self.first, min(self.last, self.as_of), self.spec.window_days)

    def fit(self, model: str) -> clv.Model:
        """The CLV model fitted once per report (the Why and Who sections share it)."""
        if model not in self._fits:
            self._fits[model] = self.calc(clv.fit, clv.ClvSpec(self.filters, model=model))
        return self._fits[model]

    def level(self) -> str:
        """The item level the product analyses use: the first of category, product, SKU the dataset
        has values for (the 5W1H page's first choice)."""
        options = self.calc(filter_options)
        return next((level for level in ITEM_LEVELS if options.get(level)), ITEM_LEVELS[0])


# -- the report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """A report computed once, drawn for the screen or for print (html)."""

    name: str  # the dataset's
    lang: Lang
    cover: str
    body: str
    contents: tuple[tuple[str, str], ...]
    figures: tuple[str, ...]

    def html(self, for_print: bool = False) -> str:
        """The whole file; `for_print` lays it out for an A4 page (charts drawn at the page's width,
        the appendix's sections open)."""
        return _page(self, for_print)


def build(store: Store, ds: Dataset, spec: PackSpec = PackSpec(), generated: datetime | None = None,
          runner: Callable[[Callable[..., Any], tuple, dict], Any] | None = None) -> Report:
    """Compute every section of the report (`generated`: the time on the cover, default now;
    `runner`: how each analysis is computed, see Scope)."""
    lang = spec.lang
    with currencies.showing(ds.currency):
        first, last = kpis.order_span(store, ds)
        doc = Doc(lang)
        if first is None:
            doc.notice(t("pack.no_orders", lang))
            cover = _cover(ds, spec, None, None, generated)
        else:
            scope = Scope(store, ds, spec, first, last, runner=runner)
            cover = _cover(ds, spec, scope, scope.window(), generated)
            trend = kpis.trend(store, ds, kpis.KpiSpec(spec.filters), spec.period)
            if trend.is_empty() or not trend["orders"].sum():
                doc.notice(t("pack.no_match", lang))
            else:
                for section in SECTIONS:
                    section(doc, scope)
                _appendix(doc, lang)
    return Report(ds.name, lang, cover, doc.body(), tuple(doc.contents), tuple(doc.figures))


def html_report(store: Store, ds: Dataset, spec: PackSpec = PackSpec(), generated: datetime | None = None,
                for_print: bool = False) -> str:
    """The report's file (build, then Report.html)."""
    return build(store, ds, spec, generated).html(for_print)


def html_bytes(store: Store, ds: Dataset, spec: PackSpec = PackSpec(),
               runner: Callable[[Callable[..., Any], tuple, dict], Any] | None = None) -> bytes:
    """The report's file as UTF-8 bytes (the Overview page's download, built when clicked)."""
    return build(store, ds, spec, runner=runner).html().encode("utf-8")


def file_name(ds: Dataset, lang: Lang, suffix: str = "html") -> str:
    """A download's file name: memberlens-<dataset>-<lang>.html, the name's characters that are not
    letters, digits, - or _ as _ (a dataset may be called anything)."""
    stem = re.sub(r"[^\w-]+", "_", ds.name).strip("_") or "dataset"
    return f"memberlens-{stem[:60]}-{lang}.{suffix}"


def _filters_shown(filters: Filters, lang: Lang) -> list[tuple[str, str]]:
    sep = "、" if lang == "zh" else ", "
    return [(t(name, lang), sep.join(t(f"gender_{v}", lang) if name == "gender" and v in ("M", "F") else v
                                     for v in values)) for name, values in filters.where]


def _cover(ds: Dataset, spec: PackSpec, scope: Scope | None, window: Filters | None,
           generated: datetime | None) -> str:
    lang = spec.lang
    filters = spec.filters
    say = lambda key, **v: t(key, lang, **v)  # noqa: E731
    currency = currencies.label(ds.currency) if ds.currency in currencies.CURRENCIES else say("pack.no_currency")
    rows = [(say("dataset"), ds.name), (say("pack.currency"), currency)]
    if scope is not None:
        rows.append((say("date_range"), say("pack.range", start=filters.start or scope.first,
                                             end=filters.end or scope.as_of)))
        rows.append((say("pack.data_end"), str(scope.as_of)))
        days = (window.end - window.start).days + 1
        rows.append((say("pack.kpi_window"), say("pack.window_text", start=window.start, end=window.end, days=days,
                                                  prev_start=window.start - timedelta(days=days),
                                                  prev_end=window.start - timedelta(days=1))))
    shown = _filters_shown(filters, lang)
    if filters.segment is not None:  # a saved segment (lib/segments.py) keeps its members
        shown.append((say("pack.segment"), say("pack.segment_value", name=filters.segment.name,
                                                mode=say(f"pack.segment_{filters.segment.mode}"))))
    filter_text = ("；" if lang == "zh" else "; ").join(f"{name}: {values}" for name, values in shown)
    rows.append((say("filters"), filter_text or say("pack.no_filters")))
    rows.append((say("pack.generated"), (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")))
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return (f'<header class="cover"><p class="brand">memberlens</p><h1>{_e(say("pack.title"))}</h1>'
            f'<p class="subtitle">{_e(say("pack.subtitle"))}</p><p class="dataset">{_e(ds.name)}</p>'
            f'<table class="facts">{table}</table><p class="caption offline">{_e(say("pack.offline"))}</p></header>')


# -- Overview ----------------------------------------------------------------------------------

def _overview(doc: Doc, s: Scope) -> None:
    doc.section("overview", s.say("page_overview"))
    doc.caption(s.say("overview.caption"))
    window = s.window()
    days = (window.end - window.start).days + 1
    table = s.calc(kpis.run, kpis.KpiSpec(window))
    rows = {r["metric"]: r for r in table.iter_rows(named=True)}
    doc.caption(s.say("pack.window_text", start=window.start, end=window.end, days=days,
                      prev_start=window.start - timedelta(days=days), prev_end=window.start - timedelta(days=1)))
    if window.start - timedelta(days=days) < s.first:
        doc.notice(s.say("overview.previous_partial", days=days, first=s.first))
    doc.cards([Card(s.say(metric), card_value(rows[metric]["value"], kind, s.lang),
                    card_delta(rows[metric], kind, s.lang), _moved(rows[metric], kind))
               for metric, kind in CARDS])
    doc.reading(readings.text(readings.kpis(table, days), s.lang))

    period = s.spec.period
    acts = s.calc(activity.run, activity.ActivitySpec(s.filters, period))
    doc.chart(charts_overview.revenue_split(acts, period, s.lang))
    doc.reading(readings.text(readings.revenue_mix(acts, period), s.lang))
    doc.caption(s.say("overview.revenue_help"))
    doc.chart(charts_overview.active_crr(acts, period, s.lang))
    doc.reading(readings.text(readings.active(acts, period), s.lang))
    doc.caption(s.say("overview.active_help"))

    k1 = s.calc(cohorts.at_period, cohorts.CohortSpec(s.filters, period=period), 1)
    if k1.is_empty():
        doc.notice(s.say("overview.no_periods"))
    else:
        doc.chart(charts_overview.retention_k1(k1, period, s.lang))
        doc.reading(readings.text(readings.retention_k1(k1, period), s.lang))
    doc.caption(s.say("overview.k1_help", unit=s.say(f"cohorts.unit_{period}")))
    stages = s.calc(lifecycle.summary, lifecycle.LifecycleSpec(s.filters))
    doc.chart(charts_overview.lifecycle_mix(stages, s.as_of, s.lang))
    doc.reading(readings.text(readings.lifecycle(stages), s.lang))
    doc.caption(sentences((s.say("overview.lifecycle_help"), _prospects_note(s)), s.lang))


def _moved(row: dict, kind: str) -> float | None:
    if kind == "rate":
        return None if row["value"] is None or row["previous"] is None else row["value"] - row["previous"]
    return row["change"]


def _prospects_note(s: Scope) -> str:
    """Why the lifecycle chart has no prospect bar, or "" when it counts them (pages/overview.py)."""
    if s.calc(lifecycle.prospects_known, s.filters):
        return ""
    if s.calc(lifecycle.prospects_known, Filters()):
        return s.say("overview.prospects_filtered")
    return s.say("overview.prospects_no_file")


# -- Why: the customer asset -------------------------------------------------------------------

def _why(doc: Doc, s: Scope) -> None:
    doc.section("why", s.say("w5h1.sec_why"))
    doc.caption(s.say("w5h1.why_intro"))
    _historical_value(doc, s)
    _acquisition_cost(doc, s)
    _predicted_value(doc, s)
    _holdout(doc, s)


def _historical_value(doc: Doc, s: Scope) -> None:
    doc.heading(s.say("w5h1.value_header"))
    hist = s.calc(value.historical, clv.ClvSpec(s.filters, margin=1.0))
    values = dict(zip(hist["input"], hist["value"]))
    annual, ratio = value.value_vs_cac(hist)
    cost, clv_value = values["cac"], values["historical_clv"]
    doc.cards([Card(s.say("w5h1.m_hist_clv"), money(clv_value, s.lang)),
               Card(s.say("w5h1.m_annual_value"), money(annual, s.lang)),
               Card(s.say("w5h1.m_cac"), money(cost, s.lang)), Card(s.say("w5h1.m_ratio"), multiple(ratio))])
    if cost is None:
        note = dict(zip(hist["input"], hist["note"]))["cac"]
        doc.notice(sentences((_cac_reason(s, note), s.say("w5h1.cac_type_one")), s.lang))
    if annual is None or values["lifetime_years"] is None:
        doc.notice(s.say("w5h1.value_missing"))
    elif ratio is not None:
        doc.reading(s.say("w5h1.value_reading", annual=money(annual, s.lang), cac=money(cost, s.lang), ratio=ratio,
                          churn=values["annual_churn_rate"], years=values["lifetime_years"],
                          clv=money(clv_value, s.lang)))
    elif cost is not None:
        doc.reading(s.say("w5h1.value_reading_free", annual=money(annual, s.lang), clv=money(clv_value, s.lang)))
    doc.chart(value_vs_cac(cost, annual, clv_value, s.lang))
    doc.table(historical_table(hist, s.lang))


def _cac_reason(s: Scope, note: str | None) -> str:
    return s.say(f"w5h1.cac_{note}") if note else ""


def _acquisition_cost(doc: Doc, s: Scope) -> None:
    doc.heading(s.say("w5h1.cost_header"))
    costs = s.calc(acquisition.new_vs_returning, cac.CacSpec(s.filters, period="month"))
    if costs.is_empty():
        doc.notice(s.say("no_match"))
        return
    totals = acquisition.new_vs_returning_totals(costs)
    doc.chart(new_vs_returning(costs, "month", s.lang))
    L = s.lang
    if totals["spend_per_new_revenue"] is None or totals["cac"] is None:
        why_no_cac = s.say("w5h1.no_spend") if totals["spend"] is None else _cac_reason(s, totals["cac_note"])
        doc.reading(sentences((s.say("w5h1.cost_reading_free", new=money(totals["revenue_new"], L),
                                     ret=money(totals["revenue_returning"], L),
                                     share=totals["returning_share"] or 0), why_no_cac), L))
    else:
        doc.reading(s.say("w5h1.cost_reading", new=money(totals["revenue_new"], L), spend=money(totals["spend"], L),
                          per=totals["spend_per_new_revenue"], cac=money(totals["cac"], L),
                          ret=money(totals["revenue_returning"], L), share=totals["returning_share"] or 0))


def _predicted_value(doc: Doc, s: Scope) -> None:
    model = clv.DEFAULT_MODEL
    doc.heading(s.say("w5h1.clv_header"))
    doc.caption(sentences((s.say(f"clv.why_{model}"), s.say("w5h1.clv_caption"), s.say("pack.clv_revenue")), s.lang))
    fitted = s.fit(model)
    if fitted.status != "ok":
        doc.notice(status_sentence(fitted.status, fitted, s.lang))
        return
    bands = s.calc(value.value_bands, clv.ClvSpec(s.filters, model=model, margin=1.0), model=fitted)
    if bands.is_empty():
        doc.notice(s.say("w5h1.clv_none"))
        return
    for note in boundary_notes(fitted.notes, s.lang):
        doc.notice(note)
    doc.chart(clv_bands(bands, s.lang))
    top = value.top_bands(bands)
    if top:
        doc.reading(s.say("w5h1.clv_reading", top_members=top["member_share"], edge=money_full(top["low"], 0),
                          top_value=top["value_share"], members=int(bands["members"].sum()),
                          total=money(float(bands["predicted_clv"].sum()), s.lang)))


def _holdout(doc: Doc, s: Scope) -> None:
    model = clv.DEFAULT_MODEL
    doc.heading(s.say("pack.backtest_header"))
    doc.caption(s.say("pack.backtest_intro"))
    cutoffs = backtest.backtest_cutoffs(s.first, s.last)
    if cutoffs is None:
        doc.notice(s.say("w5h1.backtest_none"))
        return
    cutoff = cutoffs[2]
    doc.caption(s.say("pack.backtest_cutoff", cutoff=cutoff))
    models = tuple(m for m in clv.MODELS if m in BACKTEST_MODELS or m == model)
    results = s.calc(backtest.backtest_models, clv.ClvSpec(s.filters), cutoff, models, BACKTEST_UNIT)
    result = results[model]
    if result.status in backtest.BACKTEST_DATA_PROBLEMS:
        doc.notice(status_sentence(result.status, result.model, s.lang, cutoff))
        return
    if result.status != "ok":
        doc.notice(status_sentence(result.status, result.model, s.lang, cutoff))
    else:
        summary = dict(result.summary.rows())
        doc.cards([Card(s.say("w5h1.m_members"), number(summary["members"])),
                   Card(s.say("w5h1.m_predicted"), number(summary["predicted_total"])),
                   Card(s.say("w5h1.m_actual"), number(summary["actual_total"])),
                   Card(s.say("w5h1.m_error"), percent(summary.get("relative_error_total"), signed=True))])
        for note in boundary_notes(result.model.notes, s.lang):
            doc.notice(note)
        doc.chart(backtest_chart(result.periods, cutoff, model, s.lang))
        doc.chart(calibration(backtest.by_frequency(result), model, s.lang))
    compared = backtest.comparison(results)
    shown = comparison_table(compared, model, s.lang)
    headers = {"model": "w5h1.cmp_model", "members": "w5h1.cmp_members", "predicted": "w5h1.cmp_predicted",
               "actual": "w5h1.cmp_actual", "error_pct": "w5h1.cmp_error", "mae": "w5h1.cmp_mae",
               "rmse": "w5h1.cmp_rmse", "status": "w5h1.cmp_status"}
    shown = shown.rename({c: s.say(k) for c, k in headers.items()})
    doc.table(shown, {s.say("w5h1.cmp_members"): _count, s.say("w5h1.cmp_predicted"): lambda v: f"{v:,.1f}",
                      s.say("w5h1.cmp_actual"): _count, s.say("w5h1.cmp_error"): lambda v: f"{v:+.1f}%",
                      s.say("w5h1.cmp_mae"): lambda v: f"{v:.2f}", s.say("w5h1.cmp_rmse"): lambda v: f"{v:.2f}"})
    doc.reading(closest_reading(compared, s.lang))


# -- What: retention and repurchase ------------------------------------------------------------

def _what(doc: Doc, s: Scope) -> None:
    doc.section("what", s.say("w5h1.sec_what"))
    doc.caption(s.say("w5h1.what_intro"))
    headline = s.calc(kpis.run, kpis.KpiSpec(s.filters))
    kpi, change = dict(zip(headline["metric"], headline["value"])), dict(zip(headline["metric"], headline["change"]))
    shown = (("repurchase_rate", percent), ("order_repurchase_rate", percent),
             ("purchase_frequency", lambda v: number(v, 2)), ("crr", percent))
    doc.cards([Card(s.say(m), fmt(kpi.get(m)), None if change.get(m) is None else percent(change[m], signed=True),
                    change.get(m)) for m, fmt in shown])
    _retention(doc, s)
    _repurchase_by_item(doc, s)


def _retention(doc: Doc, s: Scope) -> None:
    doc.heading(s.say("page_cohorts"))
    spec = cohorts.CohortSpec(s.filters, period=cohorts.DEFAULT_PERIOD)
    frame = s.calc(cohorts.run, spec)
    if frame.is_empty():
        doc.notice(s.say("no_match"))
        return
    period, basis, mode = spec.period, spec.basis, spec.mode
    total = frame["cohort"].n_unique()
    if total > charts_cohorts.MAX_COHORTS:
        doc.caption(s.say("cohorts.truncated", shown=charts_cohorts.MAX_COHORTS, total=f"{total:,}"))
    average = s.calc(cohorts.average, spec)
    doc.chart(charts_cohorts.heatmap(frame, s.lang, period=period, basis=basis, mode=mode))
    doc.caption(s.say("cohorts.incomplete_note", as_of=s.as_of, measure=s.say(f"cohorts.measure_{mode}")))
    doc.reading(readings.text(readings.cohort_average(average, mode, period), s.lang))
    if average.height < 2:
        doc.notice(s.say("cohorts.too_short"))
    else:
        doc.chart(charts_cohorts.curves(frame, average, s.lang, period=period, basis=basis, mode=mode))
        if charts_cohorts.period0_is_whole(basis, mode):
            doc.caption(s.say("cohorts.curves_note"))


def _repurchase_by_item(doc: Doc, s: Scope) -> None:
    by = s.level()
    doc.heading(s.say("w5h1.cat_header"))
    table = s.calc(repurchase.run, repurchase.RepurchaseSpec(s.filters, by=by))
    if table.is_empty():
        doc.notice(s.say("no_match"))
        return
    items = table.head(MAX_CHART_ITEMS)
    doc.chart(item_repurchase(items, by, s.lang))
    best, worst = extremes(items, "repurchase_rate", by)
    if best and worst and best[0] != worst[0]:
        doc.reading(s.say("w5h1.cat_reading", best=best[0], best_rate=best[1], worst=worst[0], worst_rate=worst[1]))


# -- Who: RFM, value groups, pre-churn ----------------------------------------------------------

def _who(doc: Doc, s: Scope) -> None:
    doc.section("who", s.say("pack.sec_who"))
    spec = rfm.RfmSpec(s.filters)
    population = s.calc(rfm.population, spec).row(0, named=True)
    doc.heading(s.say("pack.rfm_header"))
    doc.caption(s.say("rfm.caption", as_of=population["as_of"]))
    if not population["buyers"]:
        doc.notice(s.say("no_match"))
        return
    doc.cards([Card(s.say("rfm.buyers"), f"{population['buyers']:,}"),
               Card(s.say("rfm.mean_recency"), s.say("rfm.days_value", value=population["mean_recency_days"])),
               Card(s.say("rfm.mean_frequency"), s.say("rfm.times_value", value=population["mean_frequency"])),
               Card(s.say("rfm.mean_monetary"), money(population["mean_monetary"], s.lang))])
    bands = charts_rfm.bands(s.calc(rfm.thresholds, spec), s.lang)
    doc.chart(charts_rfm.heatmap(s.calc(rfm.grid, spec), "members", s.lang, bands))
    doc.chart(charts_rfm.treemap(s.calc(rfm.segments, spec), s.lang))
    doc.heading(s.say("rfm.value_groups_table"))
    doc.caption(s.say("rfm.value_groups_note"))
    groups = charts_rfm.value_group_table(s.calc(rfm.value_groups, spec), s.lang)
    doc.table(groups, {s.say("rfm.col_members"): _count, s.say("rfm.col_member_share"): _share100,
                       s.say("rfm.col_revenue"): _money, s.say("rfm.col_revenue_share"): _share100})
    _pre_churn(doc, s)


def _pre_churn(doc: Doc, s: Scope) -> None:
    model = clv.DEFAULT_MODEL
    doc.heading(s.say("w5h1.churn_header"))
    threshold = people.DEFAULT_PRE_CHURN_P_ALIVE
    doc.caption(s.say("pack.pre_churn_intro", threshold=threshold, model=model_label(model)))
    fitted = s.fit(model)
    if not fitted.usable:
        doc.notice(status_sentence(fitted.status, fitted, s.lang))
    scored = s.calc(clv.run, clv.ClvSpec(s.filters, model=model), fitted)
    frame = people.pre_churn_of(scored, s.calc(rfm.run, rfm.RfmSpec(s.filters)), threshold,
                                people.PRE_CHURN_SEGMENTS)
    if frame.is_empty():
        doc.notice(s.say("w5h1.churn_none"))
        return
    doc.cards([Card(s.say("w5h1.m_pre_churn"), f"{frame.height:,}"),
               Card(s.say("w5h1.m_by_p_alive"), f"{frame['low_p_alive'].sum():,}"),
               Card(s.say("w5h1.m_by_segment"), f"{frame['risk_segment'].sum():,}"),
               Card(s.say("w5h1.m_at_stake"), money(float(frame["monetary"].sum()), s.lang))])


# -- Lifecycle ---------------------------------------------------------------------------------

def _lifecycle(doc: Doc, s: Scope) -> None:
    doc.section("lifecycle", s.say("page_lifecycle"))
    doc.caption(s.say("lifecycle.caption", as_of=s.as_of))
    spec = lifecycle.LifecycleSpec(s.filters)
    stages = s.calc(lifecycle.run, spec)
    counts = dict(lifecycle.summary_of(stages).rows())
    total = sum(counts.values())
    if not total:
        doc.notice(s.say("no_match"))
        return
    prospects = s.calc(lifecycle.prospects_known, s.filters)
    shown = lifecycle.STAGES if prospects else lifecycle.STAGES[1:]
    doc.cards([Card(s.say("lifecycle.card_prospect") if stage == "prospect" else s.say(f"stage_{stage}"),
                    f"{counts[stage]:,}", note=s.say("lifecycle.share_of_members", share=counts[stage] / total))
               for stage in shown])
    doc.chart(charts_lifecycle.funnel(lifecycle.funnel_of(stages), s.lang, registered=prospects))
    doc.caption(sentences((s.say("lifecycle.funnel_registered_note") if prospects else None,
                           s.say("lifecycle.funnel_note")), s.lang))
    mix = s.calc(lifecycle.mix_over_time, spec, "month")
    if mix.is_empty():
        doc.notice(s.say("lifecycle.mix_empty"))
    else:
        doc.chart(charts_lifecycle.mix(mix, s.lang, "month", prospects=prospects))
    doc.heading(s.say("lifecycle.migration"))
    try:
        year_before = s.as_of.replace(year=s.as_of.year - 1)
    except ValueError:  # 29 February
        year_before = s.as_of - timedelta(days=365)
    date_from = max(s.first, year_before)
    if date_from >= s.as_of:
        doc.notice(s.say("lifecycle.migration_empty"))
        return
    before = s.calc(lifecycle.run, lifecycle.spec_at(spec, date_from, s.last))
    moves = lifecycle.migration_of(before, stages)
    if moves.is_empty():
        doc.notice(s.say("lifecycle.migration_empty"))
        return
    doc.caption(s.say("pack.migration_intro", date_from=date_from, date_to=s.as_of))
    doc.chart(charts_lifecycle.sankey(moves, s.lang, date_from, s.as_of))
    doc.caption(s.say("lifecycle.no_stage_help" if prospects else "lifecycle.no_stage_help_buyers"))


# -- When: repurchase cycles and who is due ------------------------------------------------------

def _when(doc: Doc, s: Scope) -> None:
    doc.section("when", s.say("w5h1.sec_when"))
    doc.heading(s.say("w5h1.cycle_header"))
    base_spec = repurchase.RepurchaseSpec(s.filters)
    summary = s.calc(repurchase.cycle_summary, base_spec).row(0, named=True)
    if not summary["gaps"]:
        doc.notice(s.say("w5h1.cycle_none"))
    else:
        doc.chart(cycle_histogram(s.calc(repurchase.cycles, base_spec), summary, s.lang))
        doc.reading(s.say("w5h1.cycle_reading", gaps=summary["gaps"], median=summary["median_gap_days"],
                          mean=summary["mean_gap_days"], p25=summary["p25"], p75=summary["p75"]))
    by = s.level()
    spec = repurchase.RepurchaseSpec(s.filters, by=by)
    table = s.calc(repurchase.run, spec)
    if not table.filter(pl.col("median_gap_days").is_not_null()).is_empty():
        doc.chart(item_gaps(table.head(MAX_CHART_ITEMS), by, s.lang))
    doc.heading(s.say("w5h1.due_header"))
    doc.caption(s.say("w5h1.due_intro", cycles=LAPSED_CYCLES))
    due = repurchase.due_summary_of(s.calc(repurchase.next_purchases, spec), LAPSED_CYCLES)
    if due.is_empty():
        doc.notice(s.say("w5h1.due_none"))
        return
    doc.chart(due_status(due.head(MAX_CHART_ITEMS), by, s.lang))
    doc.caption(s.say("pack.due_counts"))
    columns = {"item": s.say(by), "buyers": s.say("w5h1.buyers_n"),
               **{status: s.say(f"w5h1.st_{status}") for status in repurchase.DUE_STATUSES}}
    counts = due.select(*columns).rename(columns)
    doc.table(counts, {name: _count for name in list(columns.values())[1:]})


# -- What products -------------------------------------------------------------------------------

def _products(doc: Doc, s: Scope) -> None:
    doc.section("products", s.say("w5h1.sec_products"))
    level = s.level()
    doc.heading(s.say("w5h1.top_header"))
    top = s.calc(repurchase.top_repurchased, repurchase.RepurchaseSpec(s.filters, by=level))
    if top.is_empty():
        doc.notice(s.say("no_match"))
    else:
        doc.chart(top_repurchased(top, level, s.lang))
    doc.heading(s.say("w5h1.pairs_header"))
    support = PAIR_SUPPORT.get(level, PAIR_SUPPORT_DEFAULT)
    basket = s.say("w5h1.basket_order_word")
    doc.caption(s.say("w5h1.pairs_intro", basket=basket))
    together = s.calc(pairs.run, pairs.PairSpec(s.filters, level=level, basket="order", min_support=support))
    if together.is_empty():
        doc.notice(s.say("w5h1.pairs_none"))
        return
    strongest = together.row(0, named=True)  # sorted by lift, highest first
    doc.reading(s.say("w5h1.pairs_reading" if strongest["lift"] > NOTABLE_LIFT else "w5h1.pairs_reading_none",
                      a=strongest["antecedent"], c=strongest["consequent"], lift=strongest["lift"],
                      together=strongest["together"], confidence=strongest["confidence"], basket=basket))
    doc.caption(s.say("pack.pairs_top", shown=min(MAX_PAIRS, together.height), total=f"{together.height:,}",
                      support=percent(support, 1)))
    headers = {"antecedent": "w5h1.antecedent", "consequent": "w5h1.consequent", "together": "w5h1.together",
               "support": "w5h1.support", "confidence": "w5h1.confidence", "lift": "w5h1.lift"}
    shown = together.head(MAX_PAIRS).select(*headers).rename({c: s.say(k) for c, k in headers.items()})
    doc.table(shown, {s.say("w5h1.together"): _count, s.say("w5h1.support"): lambda v: percent(v, 2),
                      s.say("w5h1.confidence"): percent, s.say("w5h1.lift"): lambda v: f"{v:.2f}"})


# -- Where & How: channels and the action per segment ------------------------------------------

def _where(doc: Doc, s: Scope) -> None:
    doc.section("where", s.say("w5h1.sec_where"))
    doc.heading(s.say("w5h1.channel_header"))
    doc.caption(s.say("w5h1.channel_intro"))
    table = s.calc(acquisition.channels, s.filters)
    per_channel = table.filter(pl.col("channel").is_not_null())
    if per_channel.is_empty():
        doc.notice(s.say("w5h1.channel_none"))
    else:
        doc.chart(channels(table, s.lang))
        notes = [s.say(k) for k, col in (("w5h1.channel_no_spend", "spend"), ("w5h1.channel_no_nps", "responses"))
                 if table[col].null_count() == table.height]
        if (table["cac_note"] == cac.SPEND_NOT_SCOPED).any():
            notes.append(_cac_reason(s, cac.SPEND_NOT_SCOPED))
        doc.caption(sentences(notes, s.lang))
        best, worst = extremes(per_channel.filter(pl.col("buyers") > 0), "repurchase_rate", "channel")
        if best and worst and best[0] != worst[0]:
            doc.reading(s.say("w5h1.channel_reading", best=best[0], best_rate=best[1], worst=worst[0],
                              worst_rate=worst[1]))
        shown = channel_table(table, s.lang)
        doc.table(shown, {s.say("w5h1.buyers_n"): _count, s.say("w5h1.repeat_buyers"): _count,
                          s.say("repurchase_rate"): percent, s.say("new_buyers"): _count, s.say("w5h1.spend"): _money,
                          s.say("cac"): _money, s.say("w5h1.responses"): _count, "NPS": lambda v: f"{v:.1f}"})
    doc.heading(s.say("pack.segment_actions"))
    doc.caption(s.say("w5h1.segment_intro"))
    segments = s.calc(rfm.segments, rfm.RfmSpec(s.filters))
    if not segments["members"].sum():
        doc.notice(s.say("no_match"))
        return
    doc.chart(segment_chart(segments, s.lang))
    doc.table(action_table(segments, "segment", s.lang),
              {s.say("w5h1.members_col"): _count, s.say("w5h1.revenue_col"): _money,
               s.say("w5h1.revenue_share"): percent})


SECTIONS: tuple[Callable[[Doc, Scope], None], ...] = (_overview, _why, _what, _who, _lifecycle, _when, _products,
                                                       _where)


def _count(value: object) -> str:
    return f"{value:,.0f}"


def _money(value: object) -> str:
    return money_full(value)


def _share100(value: object) -> str:
    """A share already in percent (the RFM tables' 0–100)."""
    return f"{value:.1f}%"


# -- appendix: the metric definitions, from the docs -------------------------------------------

def definitions(lang: Lang) -> list[tuple[str, str]]:
    """(heading, markdown body) of the docs' sections the report's numbers rest on: the first
    (orders, purchases) and each whose heading names one of APPENDIX_REPORTS' commands."""
    doc = METRICS_DOCS[lang]
    if not doc.exists():
        return []
    sections: list[tuple[str, list[str]]] = []
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    wanted = [f"`report {name}`" for name in APPENDIX_REPORTS]
    return [(heading, "\n".join(body)) for i, (heading, body) in enumerate(sections)
            if i == 0 or any(w in heading for w in wanted)]


def _appendix(doc: Doc, lang: Lang) -> None:
    doc.section("appendix", t("pack.appendix", lang))
    found = definitions(lang)
    if not found:
        doc.notice(t("data.metrics_missing", lang, file=METRICS_DOCS[lang].relative_to(ROOT)))
        return
    doc.caption(t("pack.appendix_intro", lang))
    for heading, body in found:
        doc.raw(f"<details><summary>{_inline(_COMMANDS.sub('', heading))}</summary>"
                f'<div class="doc">{markdown_html(body)}</div></details>')


# A heading's trailing "(`report kpis`, `lib/kpis.py`)": where to find it in the code, not for a client.
_COMMANDS = re.compile(r"\s*[(（][^()（）]*`[^()（）]*[)）]\s*$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])")


def _inline(text: str) -> str:
    """One line of the docs' markdown: escaped, then `code`, **bold** and *italic* as markup."""
    codes: list[str] = []

    def stash(match: re.Match) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    out = _CODE.sub(stash, _e(text))
    out = _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", out))
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], out)


def markdown_html(text: str) -> str:
    """The docs' markdown (### headings, paragraphs, - lists one level nested, | tables |, inline
    code, bold, italic) as HTML, every character of the text escaped; anything else stays text."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("#"):
            out.append(f"<h4>{_inline(line.lstrip('#').strip())}</h4>")
            i += 1
        elif line.lstrip().startswith("|"):
            block = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                block.append(lines[i].strip())
                i += 1
            out.append(_table_html(block))
        elif line.startswith("- "):
            items: list[tuple[int, str]] = []  # (depth, text)
            while i < len(lines) and lines[i].strip() and not lines[i].lstrip().startswith("|"):
                current = lines[i]
                stripped = current.lstrip()
                if stripped.startswith("- "):
                    items.append((1 if current.startswith(" ") else 0, stripped[2:]))
                elif not current.startswith(" ") and not items:
                    break
                elif current.startswith("#"):
                    break
                else:
                    depth, words = items[-1]
                    items[-1] = (depth, f"{words} {stripped}")
                i += 1
            out.append(_list_html(items))
        else:
            block = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "- ")) \
                    and not lines[i].lstrip().startswith("|"):
                block.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline(' '.join(block))}</p>")
    return "".join(out)


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _table_html(rows: list[str]) -> str:
    body = [r for r in rows if not re.fullmatch(r"\|?[\s:|-]+\|?", r)]
    if not body:
        return ""
    head = "".join(f"<th>{_inline(c)}</th>" for c in _cells(body[0]))
    rest = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _cells(r)) + "</tr>" for r in body[1:])
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{rest}</tbody></table></div>'


def _list_html(items: list[tuple[int, str]]) -> str:
    out, open_nested = ["<ul>"], False
    for depth, words in items:
        if depth and not open_nested:
            out.append("<ul>")
            open_nested = True
        elif not depth and open_nested:
            out.append("</ul>")
            open_nested = False
        out.append(f"<li>{_inline(words)}</li>")
    out.append("</ul></ul>" if open_nested else "</ul>")
    return "".join(out)


# -- the page around it ------------------------------------------------------------------------

# No request of any kind: scripts and styles only inline, images only data: (plotly's "download
# as PNG"), no fonts, no connections, no frames, no forms.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
       "base-uri 'none'; form-action 'none'")
STYLE = """
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --soft: #f8fafc; --blue: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC", Helvetica, Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 28px 64px; }
body.print main { max-width: none; width: 700px; padding: 0; }
body.print .offline { display: none; }  /* "hover over a chart" means nothing on paper */
.cover { border-bottom: 3px solid var(--blue); padding-bottom: 20px; margin-bottom: 8px; }
.brand { color: var(--blue); font-weight: 700; letter-spacing: .04em; margin: 0; }
h1 { font-size: 30px; margin: 6px 0 2px; }
.subtitle { color: var(--muted); margin: 0 0 14px; }
.dataset { font-size: 20px; font-weight: 600; margin: 0 0 12px; overflow-wrap: anywhere; }
table.facts { border-collapse: collapse; margin-bottom: 10px; }
table.facts th { text-align: left; color: var(--muted); font-weight: 500; padding: 3px 18px 3px 0; vertical-align: top;
  white-space: nowrap; }
table.facts td { padding: 3px 0; overflow-wrap: anywhere; }
nav.contents ol { columns: 2; margin: 6px 0 0; }
nav.contents a { color: var(--blue); text-decoration: none; }
h2 { font-size: 23px; margin: 40px 0 6px; padding-top: 12px; border-top: 1px solid var(--line); }
h3 { font-size: 18px; margin: 28px 0 6px; }
h4 { font-size: 15px; margin: 16px 0 4px; }
.caption { color: var(--muted); font-size: 13.5px; margin: 4px 0 10px; }
.reading { background: #eff6ff; border-left: 4px solid var(--blue); padding: 8px 12px; margin: 6px 0 18px; }
.notice { background: #fffbeb; border-left: 4px solid #f59e0b; padding: 8px 12px; margin: 8px 0 14px; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px; margin: 10px 0 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; break-inside: avoid; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 22px; font-weight: 600; overflow-wrap: anywhere; }
.card .delta { font-size: 13px; color: var(--muted); }
.card .delta.up { color: #047857; } .card .delta.down { color: #b91c1c; }
.card .note { font-size: 12.5px; color: var(--muted); }
.ml-chart { margin: 8px 0 4px; break-inside: avoid; }
.table { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 13.5px; }
.table table { width: 100%; }
.table th, .table td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
.table th { background: var(--soft); font-weight: 600; }
.table .num { text-align: right; white-space: nowrap; }
details { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 12px; }
summary { cursor: pointer; font-weight: 600; }
.doc { font-size: 14px; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; background: var(--soft);
  padding: 0 3px; border-radius: 3px; }
@page { size: A4; margin: 12mm; }
@media print {
  h2 { break-before: page; border-top: none; }
  h3, h4 { break-after: avoid; }
  .reading, .notice, tr { break-inside: avoid; }
  .modebar-container { display: none !important; }  /* plotly's toolbar: nothing to click on paper */
  nav.contents a { color: var(--ink); }
}
"""
DRAW = """
(function () {
  var config = %s;
  document.querySelectorAll("div.ml-chart").forEach(function (el) {
    var figure = JSON.parse(document.getElementById(el.getAttribute("data-figure")).textContent);
    Plotly.newPlot(el, figure.data, figure.layout, config);
  });
})();
"""


def _page(report: Report, for_print: bool) -> str:
    lang = report.lang
    title = f"{t('pack.title', lang)} · {report.name} · memberlens"
    contents = ""
    if report.contents:
        links = "".join(f'<li><a href="#{anchor}">{_e(name)}</a></li>' for anchor, name in report.contents)
        contents = f'<nav class="contents"><h3>{_e(t("pack.contents", lang))}</h3><ol>{links}</ol></nav>'
    scripts = ""
    if report.figures:
        data = "".join(f'<script type="application/json" id="ml-fig-{i}">{figure}</script>'
                       for i, figure in enumerate(report.figures))
        scripts = f"<script>{embed.plotly_js()}</script>{data}<script>{DRAW % json.dumps(embed.PLOT_CONFIG)}</script>"
    # Printed, every definition shows (a closed <details> prints as its summary alone); user text
    # cannot hold the tag, html.escape wrote its < as &lt;.
    body = report.body.replace("<details>", "<details open>") if for_print else report.body
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f'<style>{STYLE}</style></head><body class="{"print" if for_print else "screen"}"><main>'
            f"{report.cover}{contents}{body}</main>{scripts}</body></html>")


# -- PDF through headless Chromium --------------------------------------------------------------

def chromium() -> str | None:
    """The Chromium to print with: MEMBERLENS_CHROMIUM, /usr/bin/chromium, or `chromium` on PATH."""
    for candidate in (os.environ.get("MEMBERLENS_CHROMIUM"), *CHROMIUM_PATHS):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


class PdfError(RuntimeError):
    """No PDF: Chromium missing, or it failed (the message says which, in one line)."""


def write_pdf(markup: str, out: Path, browser: str | None = None) -> None:
    """Print `markup` (html_report(for_print=True)) to `out` with headless Chromium: a private
    profile in a temporary folder, every host name unresolvable (nothing could be fetched anyway),
    no header or footer (they would carry the temporary file's path)."""
    browser = browser or chromium()
    if browser is None:
        raise PdfError("a PDF needs Chromium (/usr/bin/chromium or chromium on PATH) and none was found")
    with tempfile.TemporaryDirectory(prefix="memberlens-pdf-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(markup, encoding="utf-8")
        target = Path(folder) / "report.pdf"
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={folder}/profile",
                   "--no-pdf-header-footer", "--virtual-time-budget=15000", f"--print-to-pdf={target}",
                   page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not print the report within {PDF_TIMEOUT} s") from None
        if not target.exists() or target.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PdfError(f"Chromium did not print the report (exit {done.returncode})"
                           + (f": {detail[-1][:300]}" if detail else ""))
        shutil.copyfile(target, out)
