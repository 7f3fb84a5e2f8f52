"""The real thing: `streamlit run app.py` on a fresh workspace (so the demo builds from
sample_data/), every page in both languages in headless Chromium, no error box anywhere, and a
screenshot of each in artifacts/screenshots/ for a person to look at.
MEMBERLENS_SHOT_HEIGHT sets the window height (default 1000 px); the README's screenshots are
taken with `MEMBERLENS_BROWSER=1 MEMBERLENS_SHOT_HEIGHT=1700 pytest tests/test_browser.py` and
copied to docs/screenshots/.

Opt-in locally (`MEMBERLENS_BROWSER=1 pytest`; without it they skip, saying so), always on in CI:
.ci/run installs Debian's Chromium at /usr/bin/chromium and sets MEMBERLENS_BROWSER=1, and then a
missing browser fails the run. Never downloads a browser.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("MEMBERLENS_CHROMIUM", "/usr/bin/chromium"))
SHOTS = ROOT / "artifacts" / "screenshots"
SHOT_HEIGHT = int(os.environ.get("MEMBERLENS_SHOT_HEIGHT", "1000"))
# (url path, the element that shows the page has drawn); "" = the default page, Overview.
PAGES = [("", "stMetric"), ("cohorts", "stPlotlyChart"), ("rfm", "stPlotlyChart"), ("w5h1", "stPlotlyChart"),
         ("lifecycle", "stPlotlyChart"), ("member", "stPlotlyChart"), ("segments", "stAlert"),
         ("data", "stFileUploader")]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

if os.environ.get("MEMBERLENS_BROWSER") == "1":  # asked for (CI): a missing browser is a failure, not a skip
    import playwright.sync_api as playwright_api

    if not CHROMIUM.exists():
        raise RuntimeError(f"MEMBERLENS_BROWSER=1 but no Chromium at {CHROMIUM}: run `apt-get install -y chromium`")
else:
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

# One worker runs them all under pytest-xdist (pytest.ini), so they share one server and the
# first-visit test below meets it fresh.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ws")
    # no secrets file: open, as on a laptop, even where this checkout's .streamlit/secrets.toml locks the app
    with _streamlit(folder, "--secrets.files", str(folder / "no-secrets.toml")) as url:
        yield url


@contextlib.contextmanager
def _streamlit(folder: Path, *options: str):
    """`streamlit run app.py` on a fresh workspace in `folder`, with more command-line `options`: its URL."""
    port = _free_port()
    env = dict(os.environ, MEMBERLENS_DB=str(folder / "app.duckdb"))
    log = folder / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                 "--server.port", str(port), "--server.address", "127.0.0.1", *options],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"streamlit did not start:\n{log.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _busy(page) -> bool:
    """Streamlit is still running the script, or still drawing placeholders (skeletons)."""
    return bool(page.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count())


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script and drawing what it produced."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    deadline = time.time() + 180
    while time.time() < deadline:
        if not _busy(page):
            time.sleep(0.8)
            if not _busy(page):
                return
        time.sleep(0.3)
    raise AssertionError("the page kept running for 3 minutes")


def test_a_first_visit_straight_to_a_page_gets_the_app_around_it(server, browser):
    """The server's very first request is /cohorts (a link sent by mail): Streamlit would run
    pages/cohorts.py alone (its old pages/-folder mode); lib.ui.open_store runs the app's router
    around it instead, so the page comes with app.py's sidebar and navigation and no "page not
    found" box. Defined first in this module, so it meets a server no one has visited yet."""
    page = browser.new_page(viewport={"width": 1440, "height": SHOT_HEIGHT}, locale="en-US")
    page.goto(f"{server}/cohorts?lang=en", timeout=120_000)
    _settle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=120_000)
    nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert len(nav) == len(PAGES) and "Retention" in " ".join(nav), nav
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() > 0  # the dataset picker
    page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path,marker", PAGES)
def test_every_page_renders_without_errors(server, browser, path, marker, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": SHOT_HEIGHT}, locale="zh-CN" if lang == "zh" else "en-US")
    console_errors: list[str] = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    outside: list[str] = []  # the app works offline: nothing may be fetched from elsewhere
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((server, "data:", "blob:", "about:")) else None)
    page.goto(f"{server}/{path}?lang={lang}", timeout=120_000)
    _settle(page)
    page.wait_for_selector(f'[data-testid="{marker}"]', timeout=120_000)
    _settle(page)
    shot = SHOTS / f"{path or 'overview'}-{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    # app.py's navigation: every page by its title, in the page's language (never the file names)
    nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert len(nav) == len(PAGES), nav
    assert ("留存分析" if lang == "zh" else "Retention") in " ".join(nav), nav
    exceptions = page.locator('[data-testid="stException"]').all_inner_texts()
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert not exceptions, exceptions
    assert not errors, errors
    assert not console_errors, console_errors
    assert not outside, outside
    page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_holdout_backtest_draws_when_its_tab_is_opened(server, browser, lang):
    """5W1H Why's second tab is lazy (st.tabs with on_change="rerun"): a click reruns the page
    with the backtest, and its charts and the models' table appear."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": SHOT_HEIGHT}, locale="zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{server}/w5h1?lang={lang}&w5h1=why", timeout=120_000)
    _settle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=120_000)
    title = "Backtest: cumulative purchases" if lang == "en" else "回测：验证期累计购买次数"
    assert page.get_by_text(title).count() == 0
    page.get_by_role("tab", name="Holdout backtest: predicted vs actual" if lang == "en" else "模型回测：预测 vs 实际").click()
    page.get_by_text(title).first.wait_for(timeout=120_000)
    _settle(page)
    page.screenshot(path=str(SHOTS / f"w5h1-holdout-{lang}.png"), full_page=True)
    assert not page.locator('[data-testid="stException"]').all_inner_texts()
    page.close()


@pytest.mark.parametrize("lang,save,existing,first,again,emptied", [
    ("zh", "保存 1 个文件", "已有数据集", "订单：新增 2，更新 0，未变 0。", "订单：新增 0，更新 1，未变 1。",
     "「折扣」有 1 个值无法识别，已留空（该行照常导入），例如 '无'"),
    ("en", "Save 1 file(s)", "Existing dataset", "Orders: 2 new, 0 updated, 0 unchanged.",
     "Orders: 0 new, 1 updated, 1 unchanged.",
     "折扣 had 1 value(s) that could not be read, left empty (the rows were loaded), e.g. '无'")])
def test_an_export_saved_again_counts_each_order_once(server, browser, tmp_path, lang, save, existing, first, again,
                                                      emptied):
    """Upload an export in Chromium, save it, then save its next version (one order got a refund
    line) into the same dataset: the summary says what was new, updated and unchanged, and that
    an unreadable discount was left empty rather than losing its row."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    head = "会员ID,订单号,支付时间,实付金额,折扣\n"
    export = tmp_path / f"march-{lang}.csv"
    export.write_text(head + "N1,X1,2024-03-01,120,无\nN2,X2,2024-03-05,80,5\n", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1440, "height": SHOT_HEIGHT}, locale="zh-CN" if lang == "zh" else "en-US")
    page.goto(f"{server}/data?lang={lang}", timeout=120_000)
    _settle(page)

    def upload_and_save(into_existing: bool) -> None:
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(export))
        _settle(page)
        if into_existing:
            page.locator('[data-testid="stRadio"]').get_by_text(existing).click()
            _settle(page)
        page.get_by_role("button", name=save).click()
        _settle(page)

    upload_and_save(into_existing=False)
    page.get_by_text(first).first.wait_for(timeout=60_000)
    page.get_by_text(emptied).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / f"data-saved-{lang}.png"), full_page=True)
    export.write_text(head + "N1,X1,2024-03-01,120,无\nN2,X2,2024-03-05,80,5\nN2,X2,2024-03-20,-30,\n",
                      encoding="utf-8")
    upload_and_save(into_existing=True)
    page.get_by_text(again).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / f"data-saved-again-{lang}.png"), full_page=True)
    assert not page.locator('[data-testid="stException"]').all_inner_texts()
    page.close()


SEGMENT_WORDS = {  # lang: (name, at risk, save as segment, name label, save, saved, scoped, in both, download)
    "zh": ("流失风险 浏览器", "流失风险客户", "保存为人群包", "人群包名称", "保存", "已保存人群包", "本页按 1,908 位会员计算",
           "两者都在", "下载 Excel"),
    "en": ("At risk, browser", "At Risk", "Save as segment", "Segment name", "Save", "Saved segment",
           "Pages are scoped to 1,908 members", "In both", "Download Excel"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_manager_saves_the_at_risk_segment_filters_compares_and_exports_it(server, browser, tmp_path, lang):
    """Issue 17's flow in Chromium: under the RFM page's member list, save the "at risk" segment
    (1,908 members on the demo); the Retention page filtered by it; its overlap with the pre-churn
    list on the Segments page; its Excel export, with predicted CLV, downloaded and read back."""
    import polars as pl

    name, at_risk, save_as, name_label, save, saved, scoped, in_both, download = SEGMENT_WORDS[lang]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": SHOT_HEIGHT}, locale="zh-CN" if lang == "zh" else "en-US",
                            accept_downloads=True)
    from lib.samples import SAMPLE_DATASET

    demo = urllib.parse.quote(SAMPLE_DATASET)  # other tests here upload datasets, and the latest opens by default
    page.goto(f"{server}/rfm?lang={lang}&dataset={demo}", timeout=120_000)
    _settle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=120_000)
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').last.click()  # the members behind: which
    page.keyboard.type(at_risk)  # the list is virtual: type to bring the option into it
    page.get_by_role("option").filter(has_text=at_risk).first.click()
    _settle(page)
    page.get_by_role("button", name=save_as).click()
    page.get_by_label(name_label).fill(name)
    page.get_by_label(name_label).press("Enter")
    _settle(page)
    page.get_by_role("button", name=save, exact=True).click()
    _settle(page)
    page.get_by_text(saved).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / f"segment-saved-{lang}.png"), full_page=True)

    page.goto(f"{server}/cohorts?lang={lang}&dataset={demo}&segment={urllib.parse.quote(name)}", timeout=120_000)
    _settle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=120_000)
    page.get_by_text(scoped).first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / f"segment-retention-{lang}.png"), full_page=True)

    page.goto(f"{server}/segments?lang={lang}&dataset={demo}&seg={urllib.parse.quote(name)}", timeout=120_000)
    _settle(page)
    page.get_by_text(in_both).first.wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=120_000)  # size over time
    page.screenshot(path=str(SHOTS / f"segment-page-{lang}.png"), full_page=True)
    _settle(page)
    with page.expect_download(timeout=120_000) as caught:  # the export's, not the overlap list's
        page.locator(".st-key-seg_export_xlsx").get_by_role("button", name=download).click()
    workbook = tmp_path / "segment.xlsx"
    caught.value.save_as(workbook)
    exported = pl.read_excel(workbook)
    assert exported.height == 1908
    assert any(c.startswith("预测 CLV" if lang == "zh" else "Predicted CLV") for c in exported.columns), exported.columns
    assert not page.locator('[data-testid="stException"]').all_inner_texts()
    assert not page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    page.close()


LOCK_PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory):
    """The app locked with a password (README "Sharing the app: access control"), from a secrets file
    of its own (--secrets.files: the repository's .streamlit/secrets.toml is not touched)."""
    from lib.access import hash_password

    folder = tmp_path_factory.mktemp("locked")
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[access]\npassword_hash = "{hash_password(LOCK_PASSWORD)}"\n', encoding="utf-8")
    with _streamlit(folder, "--secrets.files", str(secrets)) as url:
        yield url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_locked_app_shows_only_the_form_until_the_password_is_given(locked_server, browser, lang):
    """A link to /cohorts: only the password form (no page list, no sidebar, no dataset name, no
    number); a wrong password is refused in words; the right one opens Retention, the page the link
    named; Sign out locks it again."""
    from lib.samples import SAMPLE_DATASET

    en = lang == "en"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": SHOT_HEIGHT}, locale="zh-CN" if lang == "zh" else "en-US")
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((locked_server, "data:", "blob:", "about:")) else None)
    page.goto(f"{locked_server}/cohorts?lang={lang}", timeout=120_000)
    _settle(page)
    password = page.get_by_role("textbox", name="Password" if en else "密码")
    sign_in = page.get_by_role("button", name="Sign in" if en else "进入")
    password.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / f"locked-{lang}.png"), full_page=True)
    assert page.locator('[data-testid="stSidebar"], [data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stMetric"], [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], '
                        '[data-testid="stSelectbox"]').count() == 0
    assert SAMPLE_DATASET not in page.content()

    password.fill("not the password")
    sign_in.click()
    _settle(page)
    assert page.locator('[data-testid="stAlertContentError"] [data-testid="stMarkdownContainer"]').all_inner_texts() == [
        "Wrong password." if en else "密码不正确。"]
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    page.screenshot(path=str(SHOTS / f"locked-wrong-{lang}.png"), full_page=True)

    password.fill(LOCK_PASSWORD)
    sign_in.click()
    _settle(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=120_000)
    _settle(page)
    page.screenshot(path=str(SHOTS / f"unlocked-{lang}.png"), full_page=True)
    assert page.get_by_role("heading", name="Retention" if en else "留存分析").count() == 1
    assert len(page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()) == len(PAGES)
    assert SAMPLE_DATASET in page.content()  # the dataset picker, now
    assert not page.locator('[data-testid="stException"]').all_inner_texts()

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out" if en else "退出登录").click()
    _settle(page)
    password.wait_for(timeout=60_000)
    _settle(page)
    # the sidebar is gone, or its frame stays until a reload, empty: no page list, no picker, no dataset name
    assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stSidebarNav"]').count() == 0
    assert "".join(page.locator('[data-testid="stSidebarUserContent"]').all_inner_texts()).strip() == ""
    assert SAMPLE_DATASET not in page.content()
    page.screenshot(path=str(SHOTS / f"signed-out-{lang}.png"), full_page=True)
    assert not outside, outside
    page.close()
