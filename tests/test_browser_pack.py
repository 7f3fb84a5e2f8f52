"""The client report (lib/pack.py) as a client opens it: headless Chromium with every request but the
file itself blocked and counted, every chart drawn, no console error, names shown as typed, the PDF
printed; screenshots of the demo's report in both languages in /tmp for a person to look at.

Opt-in locally like tests/test_browser.py (`MEMBERLENS_BROWSER=1 pytest tests/test_browser_pack.py`),
always on in CI. Drives the system Chromium through Playwright; never downloads a browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lib import pack
from lib.store import Store
from tests.test_cli import cli
from tests.test_browser import browser  # noqa: F401 - the fixture, shared (Chromium, or a skip)
from tests.test_pack import IMG, SCRIPT, SHOP, hostile  # noqa: F401 - the fixture, shared

SHOTS = Path("/tmp")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


class Opened:
    """A report file open in a new page: every request seen (only the file itself is let through),
    console errors, page errors and dialogs."""

    def __init__(self, browser, path: Path, width: int = 1280) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 1000})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.url = path.as_uri()
        self.page.goto(self.url)

    def _route(self, route) -> None:
        self.requests.append(route.request.url)
        route.continue_() if route.request.url == self.url else route.abort()

    def drawn(self, charts: int) -> int:
        """Wait until `charts` plotly charts are drawn (each an SVG inside .js-plotly-plot); their count."""
        self.page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
                                    timeout=60_000)
        self.page.wait_for_timeout(500)  # anything late (a second request, an error) shows now
        return self.page.locator(".js-plotly-plot").count()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_demo_report_opens_offline_with_every_chart_drawn(browser, demo_workspace, tmp_path, lang):
    db, name = demo_workspace
    with Store(db, read_only=True) as store:
        report = pack.build(store, store.dataset(name), pack.PackSpec(lang=lang))
    path = tmp_path / f"report-{lang}.html"
    path.write_text(report.html(), encoding="utf-8")
    opened = Opened(browser, path)
    charts = len(report.figures)
    assert charts >= 20 and opened.page.locator("div.ml-chart").count() == charts
    assert opened.drawn(charts) == charts
    assert opened.requests == [opened.url]  # the file itself, nothing else
    assert opened.errors == [] and opened.dialogs == []
    opened.page.screenshot(path=str(SHOTS / f"memberlens-pack-{lang}.png"))
    opened.page.screenshot(path=str(SHOTS / f"memberlens-pack-{lang}-full.png"), full_page=True)
    opened.page.close()


def test_names_with_markup_show_as_typed_and_fetch_nothing(browser, hostile, tmp_path):  # noqa: F811
    path = tmp_path / "hostile.html"
    done = cli("pack", "--db", str(hostile), "--dataset", SHOP, "--lang", "en", "--out", str(path))
    assert done.returncode == 0, done.stderr
    charts = json.loads(done.stdout)["charts"]
    opened = Opened(browser, path)
    assert opened.drawn(charts) == charts
    assert opened.requests == [opened.url] and opened.errors == [] and opened.dialogs == []
    page = opened.page
    assert page.locator("img, iframe, object, embed").count() == 0
    text = page.evaluate("document.body.innerText")
    assert SHOP in text and IMG in text and SCRIPT in text  # the cover and the tables, as typed
    # in the charts too: an axis or legend shows the name's first characters as text
    svg_text = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent)"
                             ".join('\\n')")
    assert "<img src=http://x" in svg_text and "</script><script>" in svg_text
    page.screenshot(path=str(SHOTS / "memberlens-pack-hostile.png"), full_page=True)
    page.close()


def test_the_pdf_is_printed_by_chromium(hostile, tmp_path):  # noqa: F811
    out, pdf = tmp_path / "shop.html", tmp_path / "shop.pdf"
    done = cli("pack", "--db", str(hostile), "--dataset", "shop", "--lang", "zh", "--out", str(out), "--pdf", str(pdf))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pdf"] == str(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2  # pages, not /Pages
