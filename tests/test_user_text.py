"""User text is never markup (issue 16 item 2): markdown, HTML, Streamlit directives and bare links
planted in every field a user controls — the dataset's name, member ids, channel, store, category,
product names and SKUs, the members file's tier, city, region and signup channel, a link's
parameters, an upload's file name, headers and notes — reach every page, in Chinese and English, and
come out as text: never as markdown a Streamlit element renders, never as plotly markup.

What a planted value may look like on the page once it went through lib.formatting:
- in markdown (labels, captions, alerts, readings): backslash-escaped, each link trigger broken by a
  WORD JOINER, so none of the raw triggers below is left in a markdown body, label or help;
- in a chart: & < > as entities (plotly shows them as the characters).
The test also finds each planted value shown somewhere, escaped: it cannot pass by showing nothing.
"""

from __future__ import annotations

import json
import re

import pytest

from lib.formatting import chart_text, markdown_text
from tests.conftest import app, figures, page

BEACON = "http://127.0.0.1:9"


def plant(tag: str) -> str:
    """A value that is markdown, HTML, a Streamlit directive, LaTeX and a bare link at once."""
    return (f"![{tag}]({BEACON}/{tag}.png) <a href='{BEACON}/{tag}'>{tag}</a> <b>{tag}</b> :red[{tag}] "
            f"${tag}$ www.{tag}.example -> <=")


# Parts of a planted value that must never reach a markdown-rendering field unescaped (an escaped
# one has a backslash before its first character, or a WORD JOINER inside it).
RAW_TRIGGERS = re.compile(r"\]\(|(?<!\\)<a |(?<!\\)<b>|:red\[|http://|www\.|(?<!\\)\$PL")
# What must never reach a chart: the planted tags as plotly markup.
RAW_CHART = ("<b>PL", "<a href")
OUR_MARKUP_ESCAPED = ("&lt;br&gt;", "&lt;i&gt;", "&lt;span", "&lt;extra", "&lt;b&gt;%")

CHANNELS = (plant("PLch1"), "天猫")
STORES = (plant("PLst1"), "门店")
CATEGORIES = (plant("PLcat1"), "奶粉")
PRODUCTS = (plant("PLpr1"), plant("PLpr2"))
MEMBERS = [plant(f"PLm{i}") for i in range(8)]
DATASET = f"![PLds]({BEACON}/d) <b>PLds</b> :red[PLds] $PLds$"  # within a name's 80 characters


def orders_csv() -> str:
    """8 members over four months, two channels, stores, categories and products each (the first
    of each planted), the two products (one per category) often bought together: enough for every
    reading to name one."""
    rows = ["member_id,order_id,order_date,amount,channel,store,category,product_name,sku"]
    for i, member in enumerate(MEMBERS):
        for k in range(1 + i % 3):
            order = f"o{i}-{k}"
            day = f"2024-0{1 + k + i % 2}-{10 + i:02d}"
            channel, store = CHANNELS[i % 2], STORES[(i + k) % 2]
            for product, category in list(zip(PRODUCTS, CATEGORIES))[: 1 + (i + k) % 2]:
                rows.append(",".join([member, order, day, str(40 + 10 * i + k), channel, store, category, product,
                                      "SKU " + plant("PLsku")]))
    return "\n".join(rows) + "\n"


def members_csv() -> str:
    rows = ["member_id,member_tier,city,region,channel,gender"]  # channel: where they signed up
    rows += [",".join([m, plant("PLtier") if i % 2 else "金卡", plant("PLcity"), plant("PLreg"), plant("PLsig"),
                       "F"]) for i, m in enumerate(MEMBERS)]
    return "\n".join(rows) + "\n"


@pytest.fixture
def planted(workspace, tmp_path):
    from lib.ingest import ingest

    orders = tmp_path / "orders.csv"
    orders.write_text(orders_csv(), encoding="utf-8")
    members = tmp_path / "members.csv"
    members.write_text(members_csv(), encoding="utf-8")
    ingest(workspace, [orders], DATASET, kind="orders")
    ingest(workspace, [members], DATASET, kind="members")
    return workspace


# -- what the page holds ------------------------------------------------------------------------

MARKDOWN_FIELDS = ("body", "label", "help", "text")  # the proto fields Streamlit renders as markdown
PLAIN_ELEMENTS = ("Text", "Code")  # st.text and st.code show their body as it is


def markdown_texts(at) -> list[str]:
    """Every markdown body, label, help and progress text on the page (main and sidebar), nested
    ones too: headings, captions, alerts, metric labels, widget labels and their help, tab and
    expander labels, a progress bar's text."""
    found = []

    def fields(message) -> None:
        if message.DESCRIPTOR.name in PLAIN_ELEMENTS:
            return
        for field, value in message.ListFields():
            many = value if not isinstance(value, (str, bytes)) and not hasattr(value, "DESCRIPTOR") else [value]
            if field.type == field.TYPE_MESSAGE:
                for item in many:
                    fields(item)
            elif field.name in MARKDOWN_FIELDS and field.type == field.TYPE_STRING:
                found.extend(many)

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            fields(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [text for text in found if text]


# What a bare link needs that markdown_text breaks with a WORD JOINER (U+2060), looked for once the
# backslash escapes are read: Streamlit links http://…, www.… and a@b.c whatever escapes they have.
BARE_LINK = re.compile("[A-Za-z0-9]://|www\\.|[^\u2060]@")


def check_page(at) -> str:
    """Assert no markdown field and no chart holds a planted value raw; return all the page's
    markdown text, to look for the escaped values in."""
    assert not at.exception, at.exception
    texts = markdown_texts(at)
    raw = [text for text in texts if "PL" in text and RAW_TRIGGERS.search(text)]
    assert raw == []
    unescaped = [re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text) for text in texts if "PL" in text]
    linked = [text for text in unescaped if BARE_LINK.search(text)]
    assert linked == []
    for spec in figures(at):
        shown = json.dumps(spec, ensure_ascii=False)
        assert not any(trigger in shown for trigger in RAW_CHART), [t for t in RAW_CHART if t in shown]
        # and our own markup (line breaks, hover templates, small print) is still markup
        assert not any(ours in shown for ours in OUR_MARKUP_ESCAPED), [m for m in OUR_MARKUP_ESCAPED if m in shown]
    return "\n".join(texts)


def chart_strings(at) -> str:
    return "\n".join(json.dumps(spec, ensure_ascii=False) for spec in figures(at))


# -- every page, both languages -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sidebar_and_overview_show_a_planted_dataset_name_as_text(planted, lang):
    at = page("overview", lang, dataset=DATASET)
    check_page(at)
    assert at.sidebar.selectbox[0].value == DATASET  # the name itself, picked from the link


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_link_naming_a_planted_dataset_that_is_not_there(planted, lang):
    at = page("overview", lang, dataset=plant("PLnope"))
    shown = check_page(at)
    assert markdown_text(plant("PLnope")) in shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cohorts_compare_planted_channels(planted, lang):
    at = page("cohorts", lang, dataset=DATASET)  # compares the first field, channel: both its values
    shown = check_page(at)
    assert chart_text(CHANNELS[0]) in chart_strings(at)  # the legend and the title of the comparison
    assert markdown_text(CHANNELS[0]) in shown           # its reading


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("section", ["what", "who", "when", "where", "why", "products"])
def test_every_5w1h_section(planted, lang, section):
    at = page("w5h1", lang, dataset=DATASET, w5h1=section)
    shown = check_page(at)
    charts = chart_strings(at)
    # Products opens on the first product level the dataset has: category
    expected = {"what": [chart_text(CATEGORIES[0])], "where": [chart_text(CHANNELS[0])],
                "products": [chart_text(CATEGORIES[0])]}.get(section, [])
    for value in expected:
        assert value in charts, section
    if section == "where":
        assert markdown_text(CHANNELS[0]) in shown  # the channel reading names the planted channel
    if section == "products":
        assert markdown_text(CATEGORIES[0]) in shown  # the pairs reading


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["rfm", "lifecycle"])
def test_rfm_and_lifecycle(planted, lang, name):
    check_page(page(name, lang, dataset=DATASET))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_member_360_of_a_planted_member_with_planted_attributes_and_filters(planted, lang):
    member = MEMBERS[1]  # tier, city, region and signup channel all planted
    at = page("member", lang, dataset=DATASET, m360_member=member, channel=CHANNELS[1])
    shown = check_page(at)
    assert markdown_text(member) in shown                       # the header
    for value in (plant("PLtier"), plant("PLreg"), plant("PLcity"), plant("PLsig")):
        assert markdown_text(value) in shown
    assert chart_text(member) in chart_strings(at)             # the timeline's title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_member_360_search_text_from_a_link(planted, lang):
    at = page("member", lang, dataset=DATASET, m360_member=plant("PLsearch"))
    shown = check_page(at)
    assert markdown_text(plant("PLsearch")) in shown  # "no member matches …", as typed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_page_with_planted_names_files_headers_and_notes(planted, lang, tmp_path):
    """The Datasets tab (rename, currency, delete boxes name the dataset) and the summary of a save
    of a planted file with planted headers, and of a failed save."""
    file_name = plant("PLfile") + ".csv"
    at = app(lang, dataset=DATASET)
    at.session_state["data_summary"] = {
        "dataset": DATASET, "members": 8, "orders": 10,
        "files": [{"file": file_name, "kind": "orders", "read_as": "utf-8", "rows_read": 3, "rows_loaded": 3,
                   "rows_rejected": 0, "mapping": {plant("PLhead"): "member_id"}, "rejects": None}],
        "notes": [], "records": [{"kind": "orders", "new": 1, "updated": 0, "unchanged": 0}]}
    at.switch_page("pages/data.py").run()
    shown = check_page(at)
    assert markdown_text(DATASET) in shown        # saved to …, and the delete box
    at.session_state["data_summary"] = {"failed": (file_name, "cannot read " + plant("PLerr")),
                                        "failed_rejects": None}
    at.run()
    shown = check_page(at)
    assert markdown_text(file_name) in shown and markdown_text("cannot read " + plant("PLerr")) in shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_upload_with_a_planted_file_name_headers_values_and_sheet(planted, lang):
    """The upload itself, before and after saving: the file's name, its headers as mapping labels,
    its values as their sample help, the duplicate-field warning, a workbook's sheet name in "read
    as", the summary, the notes."""
    import io

    import polars as pl

    headers = [plant("PLh1"), plant("PLh2"), "订单号", "支付时间", "实付金额"]
    rows = [[plant("PLv1") + "_www.x.cn", "x", "A1", "2024-01-05", "10"]]
    csv = ",".join(headers) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    workbook = io.BytesIO()
    pl.DataFrame({"会员ID": ["M1"], "订单号": ["A1"], "支付时间": ["2024-01-05"], "实付金额": [10]}).write_excel(
        workbook, worksheet="PLs_www.x.cn $x$ <b>")
    at = app(lang, dataset=DATASET)
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value([(plant("PLfile") + ".csv", csv.encode(), "text/csv"),
                                   ("PLbook.xlsx", workbook.getvalue(),
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]).run()
    shown = check_page(at)
    assert markdown_text(plant("PLfile") + ".csv") in shown       # the file's header
    assert markdown_text(headers[0]) in shown                      # a column's mapping label
    assert "PLs\\_www\u2060\\.x\\.cn \\$x\\$ \\<b\\>" in shown  # the sheet, in "read as"
    planted_columns = [s for s in at.selectbox if s.key and s.key.startswith("data_map_") and "PLh" in s.label]
    assert len(planted_columns) == 2
    for column in planted_columns:  # two columns for the member id: a warning naming both
        column.set_value("member_id")
    at.run()
    shown = check_page(at)
    assert markdown_text(", ".join(headers[:2])) in shown


SEGMENT = f"![PLsg]({BEACON}/s) <b>PLsg</b> :red[PLsg] www.PLsg.example"  # within 80 characters


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_planted_segment_name_and_definition(planted, lang):
    """A segment named with markup, filtering a page and listed on the Segments page; its definition
    filtered by a planted channel the data no longer has, so the reason names that channel."""
    from lib import rfm, segments
    from lib.filters import Filters

    ds = planted.dataset(DATASET)
    segments.save(planted, ds, SEGMENT, segments.Definition.of(rfm.members, rfm.RfmSpec(), rfm.RfmCell()))
    gone = segments.save(planted, ds, "gone " + SEGMENT[:60], segments.Definition.of(
        rfm.members, rfm.RfmSpec(Filters.of(channel=CHANNELS[0])), rfm.RfmCell()))
    # the planted channel leaves the data (the definition's value is gone): live falls back, saying why
    with planted.transaction() as cur:
        cur.execute(f"UPDATE {ds.table('orders')} SET channel = '天猫' WHERE channel = ?", [CHANNELS[0]])
        cur.execute(f"UPDATE {ds.table('order_lines')} SET channel = '天猫' WHERE channel = ?", [CHANNELS[0]])
        planted.bump_version(cur, ds)
    at = page("cohorts", lang, dataset=DATASET, segment=SEGMENT)
    check_page(at)
    assert at.sidebar.selectbox(key="flt_segment").value == SEGMENT
    at = page("segments", lang, dataset=DATASET, seg=gone.name)
    shown = check_page(at)
    assert markdown_text(CHANNELS[0]) in shown   # the reason it no longer applies, with the value escaped
    assert markdown_text(gone.name) in shown      # the overlap reading and labels name it escaped
    assert SEGMENT in at.dataframe[0].value.iloc[:, 0].tolist()  # table cells: plain text, as typed
