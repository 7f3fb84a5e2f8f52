"""Issue 16 item 2 in real Chromium: a workspace whose dataset name, member ids, channels, stores,
categories, products, tiers, cities and signup channels are all markdown, HTML, Streamlit directives
and links pointing at a local beacon server, plus a link whose member and dataset parameters are
the same. On every page, both languages: the beacon receives no request, no anchor or image points
at it, and the planted text is on the page as typed.

Opt-in locally like tests/test_browser.py (MEMBERLENS_BROWSER=1), always on in CI.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse

import pytest

from tests import test_user_text as planted_values
from tests.test_browser import SHOTS, _free_port, _settle, _streamlit, browser  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


class _Beacon(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Beacon.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def beacon():
    port = _free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Beacon)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()


def _aimed(text: str, beacon: str) -> str:
    return text.replace(planted_values.BEACON, beacon)


@pytest.fixture(scope="module")
def planted_server(tmp_path_factory, beacon):
    """The app on a workspace holding the planted dataset (and the demo, built at start)."""
    from lib.ingest import ingest
    from lib.store import Store

    folder = tmp_path_factory.mktemp("planted")
    orders, members = folder / "orders.csv", folder / "members.csv"
    orders.write_text(_aimed(planted_values.orders_csv(), beacon), encoding="utf-8")
    members.write_text(_aimed(planted_values.members_csv(), beacon), encoding="utf-8")
    with Store(folder / "app.duckdb") as store:
        ingest(store, [orders], _aimed(planted_values.DATASET, beacon), kind="orders")
        ingest(store, [members], _aimed(planted_values.DATASET, beacon), kind="members")
    with _streamlit(folder, "--secrets.files", str(folder / "no-secrets.toml")) as url:
        yield url


VIEWS = [("", {}), ("cohorts", {}), ("rfm", {}), ("lifecycle", {}), ("data", {}),
         *[("w5h1", {"w5h1": s}) for s in ("why", "what", "who", "when", "products", "where")],
         ("member", {"m360_member": planted_values.MEMBERS[1]}),   # a planted member, tier, city …
         ("member", {"m360_member": planted_values.plant("PLsearch")}),  # a search that finds no one
         ("", {"dataset": planted_values.plant("PLnope")})]        # a dataset that is not there


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_planted_values_show_as_text_and_fetch_nothing(planted_server, beacon, browser, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    dataset = _aimed(planted_values.DATASET, beacon)
    page = browser.new_page(viewport={"width": 1440, "height": 1400}, locale="zh-CN" if lang == "zh" else "en-US")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if beacon in request.url else None)
    seen = []
    for n, (path, params) in enumerate(VIEWS):
        query = {"lang": lang, "dataset": dataset, **{k: _aimed(v, beacon) for k, v in params.items()}}
        page.goto(f"{planted_server}/{path}?{urllib.parse.urlencode(query)}", timeout=120_000)
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=180_000)  # the page drew (first: the demo built)
        _settle(page)
        if path == "member" and "PLsearch" in params["m360_member"]:  # its "no member matches" box
            page.wait_for_selector('[data-testid="stAlert"]', timeout=60_000)
        page.wait_for_timeout(500)
        assert not page.locator('[data-testid="stException"]').all_inner_texts(), (path, params)
        pointing = page.evaluate("""beacon => [...document.querySelectorAll('a[href], img[src], [style]')]
            .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('style'))
            .filter(v => v.includes(beacon))""", beacon)
        assert pointing == [], (path, params, pointing)
        # and no link anywhere else: a planted www.… or a@b.c must not become one either
        elsewhere = page.evaluate("""server => [...document.querySelectorAll('a[href]')].map(a => a.href)
            .filter(h => !h.startsWith(server))""", planted_server)
        assert elsewhere == [], (path, params, elsewhere)
        # the text (hidden tabs' too) and what the inputs hold (the dataset picker, the search box)
        seen.append(page.evaluate("document.body.textContent + [...document.querySelectorAll('input')]"
                                  ".map(i => i.value).join('\\n')"))
        if n in (0, 6, 11):  # the Overview, 5W1H What and Member 360: for a person to look at
            page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=120_000)
            _settle(page)
            page.screenshot(path=str(SHOTS / f"planted-{path or 'overview'}-{lang}.png"), full_page=True)
    page.close()
    assert fetched == [] and _Beacon.hits == []
    shown = "\n".join(seen).replace("\u2060", "")  # the WORD JOINERs that keep bare links text
    # as typed: the markup's own characters on the page, the tags not taken as formatting
    for value in (planted_values.CHANNELS[0], planted_values.CATEGORIES[0], planted_values.MEMBERS[1],
                  planted_values.plant("PLtier"), planted_values.plant("PLsearch"), planted_values.plant("PLnope")):
        assert _aimed(value, beacon) in shown, value
    assert dataset in shown
