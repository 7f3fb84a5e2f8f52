"""The client report (lib/pack.py, `python -m lib pack`, the Overview page's download): one HTML file
that opens offline, plotly.js once, nothing fetched, the numbers the lib computes, user text as text.

Fixtures: the bundled demo (conftest demo_workspace: data 2024-01-01 … 2026-10-31, currency CNY) and
a tiny shop whose dataset, categories, products and a channel carry markup (HOSTILE_ORDERS)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import plotly.offline
import pytest

from lib import activity, kpis, lifecycle, pack, readings
from lib import currency as currencies
from lib.filters import Filters
from lib.formatting import money, number, percent
from lib.store import Store
from tests.conftest import DEMO_ORDERS, import_csv, metrics, page
from tests.test_cli import cli

MAX_BYTES = 10_000_000  # the "under ~10 MB" on the demo
IMG = "<img src=http://x/p.png onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
SHOP = '<b onclick=alert(3)>店 & "co"'  # a dataset name
PLOTLY_HEAD = plotly.offline.get_plotlyjs()[:300]  # the bundled plotly.js's first characters (its banner)


def hostile_orders() -> str:
    """40 members (M00 … M39), member m buying 1 + m % 4 orders 20 days apart from 2024-01-01 + m
    days, each order two lines of two of three categories — IMG, 奶粉, SCRIPT — each its own product;
    every third member's orders come through the channel IMG, the others' through 门店."""
    cats = [IMG, "奶粉", SCRIPT]
    rows = ["会员ID,订单号,支付时间,实付金额,渠道,品类,商品名称"]
    for m in range(40):
        channel = IMG if m % 3 == 0 else "门店"
        for k in range(1 + m % 4):
            day = date(2024, 1, 1) + timedelta(days=m + 20 * k)
            for j in (0, 1):
                cat = cats[(m + k + j) % 3]
                rows.append(f"M{m:02d},O{m:02d}{k},{day.isoformat()},{30 + 10 * j},{channel},{cat},{cat}")
    return "\n".join(rows) + "\n"


# -- reading the file back -----------------------------------------------------------------------

class Parsed(HTMLParser):
    """Every tag with its attributes, the text outside <script> and <style>, the scripts' and
    styles' contents."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self.styles: list[str] = []
        self._in: tuple[str, dict] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs))
            (self.scripts.append((dict(attrs), "")) if tag == "script" else self.styles.append(""))

    def handle_endtag(self, tag):
        if self._in and tag == self._in[0]:
            self._in = None

    def handle_data(self, data):
        if self._in is None:
            self.text.append(data)
        elif self._in[0] == "script":
            attrs, before = self.scripts[-1]
            self.scripts[-1] = (attrs, before + data)
        else:
            self.styles[-1] += data

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    def figures(self) -> list[dict]:
        return [json.loads(body) for attrs, body in self.scripts if attrs.get("type") == "application/json"]


def cards(markup: str) -> dict[str, tuple[str, str | None]]:
    """The metric cards (the first of each label): label -> (value, change)."""
    found = {}
    for card in markup.split('<div class="card">')[1:]:
        label = re.match(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>', card)
        delta = re.match(r'<div class="label">.*?</div><div class="value">.*?</div><div class="delta[^"]*">(.*?)</div>',
                         card)
        found.setdefault(label.group(1), (label.group(2), delta.group(1) if delta else None))
    return found


def strings(value) -> list[str]:
    """Every string inside a figure's JSON."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_offline(markup: str) -> Parsed:
    """Nothing in the file points outside it: no src attribute, no href but #anchors, no url() in a
    style, no <link>, <img>, <iframe>, <object> or <base>; a CSP that allows no request; plotly.js
    exactly once."""
    parsed = Parsed(markup)
    pointers = [(tag, name, value) for tag, attrs in parsed.tags for name, value in attrs.items()
                if name in ("src", "href", "action", "srcset", "data", "poster", "background")]
    assert [p for p in pointers if not (p[1] == "href" and p[2].startswith("#"))] == []
    assert not {tag for tag, _ in parsed.tags} & {"link", "img", "iframe", "object", "embed", "base", "form"}
    styles = parsed.styles + [attrs["style"] for _, attrs in parsed.tags if "style" in attrs]
    assert not any("url(" in style or "@import" in style for style in styles)
    csp = [attrs["content"] for tag, attrs in parsed.tags if tag == "meta" and attrs.get("http-equiv") ==
           "Content-Security-Policy"]
    assert csp == [pack.CSP] and "default-src 'none'" in csp[0] and "connect-src" not in csp[0]
    return parsed


# -- the demo ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_reports(demo_workspace, tmp_path_factory):
    """The CLI's report of the demo in both languages: {lang: (markup, JSON line)}."""
    db, name = demo_workspace
    folder = tmp_path_factory.mktemp("pack")
    out = {}
    for lang in ("zh", "en"):
        target = folder / f"demo-{lang}.html"
        done = cli("pack", "--db", str(db), "--dataset", name, "--lang", lang, "--out", str(target))
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
        out[lang] = (target.read_text(encoding="utf-8"), json.loads(done.stdout))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_demo_report_is_one_offline_file_under_the_size_limit(demo_reports, lang):
    markup, line = demo_reports[lang]
    assert line["bytes"] == len(markup.encode("utf-8")) < MAX_BYTES
    parsed = assert_offline(markup)
    assert markup.count(PLOTLY_HEAD) == 1  # plotly.js once, in one <script>
    plain = [attrs for attrs, body in parsed.scripts if not attrs]
    assert len(plain) == 2 and PLOTLY_HEAD in next(body for attrs, body in parsed.scripts if not attrs)
    # every chart has its JSON, and every JSON a chart
    charts = [attrs["data-figure"] for tag, attrs in parsed.tags if attrs.get("class") == "ml-chart"]
    data = [attrs["id"] for attrs, _ in parsed.scripts if attrs.get("type") == "application/json"]
    assert charts == data and len(charts) == line["charts"] >= 20
    assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in markup


def test_the_demo_cover_names_dataset_currency_dates_and_filters(demo_reports, demo_workspace):
    markup, _ = demo_reports["zh"]
    words = Parsed(markup).words
    _, name = demo_workspace
    # data 2024-01-01 … 2026-10-31; the KPI window is its last 30 days and the 30 before
    for expected in (f"数据集 {name}", "币种 ¥ CNY", "日期范围 2024-01-01 至 2026-10-31", "数据截止日 2026-10-31",
                     "KPI 窗口 2026-10-02 至 2026-10-31（30 天），对比前 30 天（2026-09-02 至 2026-10-01）",
                     "筛选 无（全部会员与订单）"):
        assert expected in words
    en = Parsed(demo_reports["en"][0]).words
    assert "Currency ¥ CNY" in en and "Filters None (all members and orders)" in en
    # every section of the 5W1H story, in order, and the appendix
    titles = re.findall(r'<section id="([a-z]+)"><h2>', markup)
    assert titles == ["overview", "why", "what", "who", "lifecycle", "when", "products", "where", "appendix"]


def test_the_demo_numbers_are_the_libs(demo_reports, demo_workspace):
    db, name = demo_workspace
    markup, _ = demo_reports["en"]
    with Store(db, read_only=True) as store, currencies.showing("CNY"):
        ds = store.dataset(name)
        window = kpis.window(Filters(), date(2024, 1, 1), date(2026, 10, 31), 30)
        rows = {r["metric"]: r for r in kpis.run(store, ds, kpis.KpiSpec(window)).iter_rows(named=True)}
        acts = activity.run(store, ds, activity.ActivitySpec(Filters(), "month"))
        stages = dict(lifecycle.summary(store, ds, lifecycle.LifecycleSpec(Filters())).rows())
        mix_reading = readings.text(readings.revenue_mix(acts, "month"), "en")
        kpi_reading = readings.text(readings.kpis(kpis.run(store, ds, kpis.KpiSpec(window)), 30), "en")
    shown = cards(markup)
    # the Overview's cards: each value as lib.kpis computed it, written as the page writes it
    assert shown["Revenue (net)"] == (money(rows["revenue"]["value"], "en", "¥"),
                                      percent(rows["revenue"]["change"], signed=True))
    assert shown["Orders"][0] == number(rows["orders"]["value"])
    assert shown["Buyers"][0] == number(rows["buyers"]["value"])
    assert shown["AOV"][0] == money(rows["aov"]["value"], "en", "¥")
    assert shown["Repurchase rate"] == (percent(rows["repurchase_rate"]["value"]),
                                        f"{(rows['repurchase_rate']['value'] - rows['repurchase_rate']['previous']) * 100:+.1f} pp")
    assert shown["Purchase frequency"][0] == f"{rows['purchase_frequency']['value']:.2f}"
    assert shown["New buyers"][0] == number(rows["new_buyers"]["value"])
    # the readings are lib/readings.py's sentences
    words = Parsed(markup).words
    assert kpi_reading in words and mix_reading in words
    # the first chart draws lib.activity's revenue of existing members, month by month
    figure = Parsed(markup).figures()[0]
    existing = next(trace for trace in figure["data"] if trace["name"] == "Existing members")
    assert existing["y"] == acts["revenue_returning"].to_list()
    # the lifecycle cards count lib.lifecycle's stages
    assert shown["Churned"][0] == f"{stages['churned']:,}" and shown["Decline"][0] == f"{stages['decline']:,}"


def test_the_appendix_holds_the_docs_definitions_in_both_languages(demo_reports):
    for lang in ("zh", "en"):
        found = pack.definitions(lang)
        # the first section (orders, purchases) and one per analysis of the report
        assert len(found) == 1 + len(pack.APPENDIX_REPORTS)
        markup = demo_reports[lang][0]
        appendix = markup[markup.index('<section id="appendix">'):]
        assert appendix.count("<details>") == len(found)
    assert "Purchase" in Parsed(demo_reports["en"][0]).words


def test_the_docs_markdown_becomes_escaped_html():
    text = ("Intro with **bold** and `code <x>` and *it*.\n\n- one <img src=x>\n  more of one\n  - nested\n- two\n\n"
            "| a | b |\n|---|---|\n| 1 | <script> |\n\n### Sub\nPara\nline two")
    assert pack.markdown_html(text) == (
        "<p>Intro with <strong>bold</strong> and <code>code &lt;x&gt;</code> and <em>it</em>.</p>"
        "<ul><li>one &lt;img src=x&gt; more of one</li><ul><li>nested</li></ul><li>two</li></ul>"
        '<div class="table"><table><thead><tr><th>a</th><th>b</th></tr></thead>'
        "<tbody><tr><td>1</td><td>&lt;script&gt;</td></tr></tbody></table></div>"
        "<h4>Sub</h4><p>Para line two</p>")


# -- a tiny shop with markup in its names ---------------------------------------------------------------

@pytest.fixture
def hostile(tmp_path):
    db = tmp_path / "ws.duckdb"
    with Store(db) as store:
        import_csv(store, tmp_path, SHOP, hostile_orders())
        store.create_dataset("no orders yet")
        import_csv(store, tmp_path, "shop", DEMO_ORDERS)
    return db


def test_user_text_is_text_in_the_page_and_in_the_charts(hostile, tmp_path):
    out = tmp_path / "r.html"
    done = cli("pack", "--db", str(hostile), "--dataset", SHOP, "--lang", "en", "--out", str(out),
               "--where", f"channel={IMG}", "--where", "channel=门店")
    assert done.returncode == 0, done.stderr
    markup = out.read_text(encoding="utf-8")
    parsed = assert_offline(markup)
    # No markup from the data: no tag but ours, no event handler, every script ours
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    assert {tag for tag, _ in parsed.tags} <= {"html", "head", "meta", "title", "style", "body", "main", "header",
                                               "p", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th",
                                               "td", "div", "nav", "ol", "ul", "li", "a", "section", "script",
                                               "details", "summary", "strong", "em", "code"}
    assert [attrs.get("type") for attrs, _ in parsed.scripts].count(None) == 2
    # … and the names as typed, in the cover (dataset, filters) and the tables
    words = parsed.words
    assert f"Dataset {SHOP}" in words and f"Filters Channel: {IMG}, 门店" in words
    assert IMG in words and SCRIPT in words  # the pairs and channels tables
    assert markup.count("<script") == 2 + len(parsed.figures())
    # The charts hold the names as plotly shows text (lib.charts.shown_as_text): & < > as entities
    texts = [s for figure in parsed.figures() for s in strings(figure)]
    assert not any("<img" in s or "<script" in s.lower() or "</script" in s.lower() for s in texts)
    assert any("&lt;img src=http://x/p.png onerror=alert(1)&gt;" in s for s in texts)
    # in the JSON as stored, < > & are JSON escapes: nothing in it can end its <script> element
    assert all("<" not in body and ">" not in body for attrs, body in parsed.scripts if attrs.get("type"))


def test_the_cover_and_the_kpis_follow_the_filters_and_window(hostile, tmp_path):
    # "shop" (DEMO_ORDERS): M1 A1 2024-01-05 ¥100 门店 · M1 A2 2024-02-05 ¥50 天猫 · M2 A3 2024-01-06 ¥30 天猫
    out = tmp_path / "shop.html"
    done = cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "zh", "--out", str(out),
               "--where", "channel=天猫", "--window", "range", "--start", "2024-01-01")
    assert done.returncode == 0, done.stderr
    markup = out.read_text(encoding="utf-8")
    words = Parsed(markup).words
    assert "日期范围 2024-01-01 至 2024-02-05" in words and "筛选 渠道: 天猫" in words
    # the whole range 2024-01-01 … 02-05 (36 days) under 天猫: A2 + A3 = ¥80 from 2 orders, 2 buyers
    assert "KPI 窗口 2024-01-01 至 2024-02-05（36 天）" in words
    shown = cards(markup)
    assert shown["销售额"][0] == "¥80.00" and shown["订单数"][0] == "2" and shown["购买人数"][0] == "2"
    assert shown["客单价"][0] == "¥40.00"


def test_a_saved_segment_scopes_the_report_and_is_named_on_the_cover(hostile, tmp_path):
    # "shop": M2 (one purchase, A3 ¥30 on 2024-01-06) is the one member in exploration at 2024-02-05
    saved = cli("segment", "save", "once <i>", "--db", str(hostile), "--dataset", "shop", "--analysis", "lifecycle",
                "--cell", "stage=exploration")
    assert saved.returncode == 0, saved.stderr
    out = tmp_path / "segment.html"
    done = cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "en", "--out", str(out),
               "--segment", "once <i>", "--segment-mode", "saved", "--window", "range")
    assert done.returncode == 0, done.stderr
    markup = out.read_text(encoding="utf-8")
    assert "Filters Segment: once <i> (as saved)" in assert_offline(markup).words
    assert cards(markup)["Revenue (net)"][0] == "¥30.00" and cards(markup)["Buyers"][0] == "1"


def test_as_of_is_the_data_end_of_the_whole_report(hostile, tmp_path):
    out = tmp_path / "asof.html"
    done = cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "en", "--out", str(out),
               "--as-of", "2024-01-31")
    assert done.returncode == 0, done.stderr
    markup = out.read_text(encoding="utf-8")
    words = Parsed(markup).words
    # nothing after 2024-01-31 exists: the window is its last 30 days, A1 ¥100 + A3 ¥30 (A2 is 02-05)
    assert "Data end (as of) 2024-01-31" in words and "Date range 2024-01-05 to 2024-01-31" in words
    assert "KPI window 2024-01-02 to 2024-01-31 (30 days)" in words
    assert cards(markup)["Revenue (net)"][0] == "¥130.00"


def test_a_dataset_without_orders_says_so(hostile, tmp_path):
    out = tmp_path / "empty.html"
    done = cli("pack", "--db", str(hostile), "--dataset", "no orders yet", "--lang", "en", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["charts"] == 0
    markup = out.read_text(encoding="utf-8")
    parsed = assert_offline(markup)
    assert "This dataset has no orders yet: there is nothing to report." in parsed.words
    assert "<script" not in markup  # nothing to draw, no plotly.js


def test_filters_no_order_matches_say_so(hostile, tmp_path):
    out = tmp_path / "none.html"
    # 门店 sold only 奶粉 in "shop"
    done = cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "zh", "--out", str(out),
               "--where", "channel=门店", "--where", "category=纸尿裤")
    assert done.returncode == 0, done.stderr
    assert "没有符合筛选条件的订单，没有可报告的内容。" in Parsed(out.read_text(encoding="utf-8")).words


def test_pdf_without_chromium_is_one_line_and_exit_1(hostile, tmp_path, monkeypatch):
    monkeypatch.setattr(pack, "chromium", lambda: None)
    out, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    done = cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "en", "--out", str(out), "--pdf", str(pdf))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: --pdf needs Chromium")
    assert not out.exists() and not pdf.exists()


def test_usage_and_scope_errors(hostile, tmp_path):
    out = str(tmp_path / "r.html")
    assert cli("pack", "--db", str(hostile), "--dataset", "shop", "--out", out).returncode == 2  # --lang is required
    assert cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "en", "--out", out,
               "--window", "0").returncode == 2
    missing = cli("pack", "--db", str(hostile), "--dataset", "nope", "--lang", "en", "--out", out)
    assert missing.returncode == 1 and missing.stderr.startswith("error: no dataset named 'nope'")
    wrong = cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "en", "--out", out, "--where", "colour=red")
    assert wrong.returncode == 1 and "--where takes FIELD=VALUE" in wrong.stderr
    assert not Path(out).exists()


def test_file_names_keep_only_safe_characters():
    class Named:
        def __init__(self, name):
            self.name = name
    assert pack.file_name(Named("示例 母婴零售 demo"), "zh") == "memberlens-示例_母婴零售_demo-zh.html"
    assert pack.file_name(Named("../<x>"), "en") == "memberlens-x-en.html"


def test_a_report_is_the_same_built_once_and_printed(hostile):
    with Store(hostile, read_only=True) as store:
        report = pack.build(store, store.dataset("shop"), pack.PackSpec(lang="en"), datetime(2026, 1, 2, 3, 4))
    screen, printed = report.html(), report.html(for_print=True)
    assert "Generated 2026-01-02 03:04" in Parsed(screen).words
    assert 'class="screen"' in screen and 'class="print"' in printed
    assert printed.count("<details open>") == screen.count("<details>") > 0


# -- the Overview page's download ---------------------------------------------------------------------

@pytest.fixture
def deferred(monkeypatch):
    """The callables of the download buttons drawn (Streamlit runs one when its button is clicked)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    found: list[tuple[str | None, object]] = []
    original = MediaFileManager.add_deferred

    def add(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found.append((file_name, data_callable))
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add)
    return found


@pytest.mark.parametrize("lang,label", [("zh", "客户报告（HTML）"), ("en", "Client report (HTML)")])
def test_the_overview_downloads_the_report_of_its_scope(workspace, deferred, lang, label):
    at = page("overview", lang, channel=["天猫"], ov_window="range")
    button = next(b for b in at.get("download_button") if b.key == "ov_pack")
    # built only when clicked, without rerunning the page
    assert button.label == label and button.proto.deferred_file_id and button.proto.ignore_rerun
    name, build = next((n, c) for n, c in deferred if n and n.startswith("memberlens-"))
    assert name == f"memberlens-shop-{lang}.html"
    markup = build().decode("utf-8")
    words = assert_offline(markup).words
    # the page's dataset, filter, window and language
    assert ("渠道: 天猫" if lang == "zh" else "Channel: 天猫") in words
    assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in markup
    revenue = "销售额" if lang == "zh" else "Revenue (net)"
    assert cards(markup)[revenue][0] == metrics(at)[revenue] == "¥80.00"  # the same card as the page's


def test_the_app_builds_the_same_report_through_its_cache(workspace):
    """The Overview's download computes each analysis through lib.ui's cache (cached_runner), so
    what the pages drew is not computed again; the file is the one the command line writes."""
    from lib import ui

    ds = workspace.dataset("shop")
    at = datetime(2026, 12, 5, 12, 0)
    direct = pack.build(workspace, ds, pack.PackSpec(lang="en"), at).html()
    cached = pack.build(workspace, ds, pack.PackSpec(lang="en"), at, runner=ui.cached_runner(ds)).html()
    assert cached == direct
    again = pack.build(workspace, ds, pack.PackSpec(lang="en"), at, runner=ui.cached_runner(ds)).html()
    assert again == direct  # read back from the cache this time
