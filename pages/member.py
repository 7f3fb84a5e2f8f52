"""Member 360 会员画像: find a member; their attributes, stage, RFM segment, value group, next
expected purchase, order timeline and order lines."""

from __future__ import annotations

import re

import streamlit as st

from lib import clv, lifecycle, member360, rfm
from lib.charts import member as charts_member
from lib.charts import w5h1 as charts_w5h1
from lib.filters import Filters
from lib.formatting import MISSING, markdown_text, money
from lib.ui import analysis_page, compute, lang, link_ignored, show_chart, tr, without_joiners
from lib.segments import Definition
from lib.tables import member_table, number_formats, save_segment

SEARCH_LIMIT = 50
FEW_BUYERS = 100  # below this many buyers in scope the page says the prediction rests on a small sample
URL_MEMBER = "m360_member"  # the chosen member in the URL, so a member's page can be sent
STAGE_COLOURS = {"prospect": "gray", "exploration": "blue", "growth": "green", "stable": "violet",
                 "decline": "orange", "churned": "red"}

page = analysis_page("page_member", "member.caption")
ds, filters = page.ds, page.filters


def scope_text(f: Filters) -> str:
    """The sidebar filters in words, for a caption: 渠道 = 天猫、门店；品类 = 奶粉 (values as typed)."""
    sep, join = ("；", "、") if lang() == "zh" else ("; ", ", ")
    parts = []
    for name, values in f.where:
        shown = [tr(f"gender_{v}") if name == "gender" and v in ("M", "F") else markdown_text(v) for v in values]
        parts.append(f"{tr(name)} = {join.join(shown)}")
    if f.segment is not None:
        parts.append(tr("segments.scope_segment", name=markdown_text(f.segment.name),
                        mode=tr(f"segments.mode_{f.segment.mode}")))
    return sep.join(parts) or tr("member.scope_all")


def pick_label(found: dict) -> str:
    if not found["purchases"]:
        return tr("member.pick_label_none", member=found["member_id"])
    return tr("member.pick_label", member=found["member_id"], purchases=found["purchases"],
              last=found["last_purchase"])


# -- find the member --------------------------------------------------------------------------
url_member = without_joiners(st.query_params.get(URL_MEMBER))
if "m360_search" not in st.session_state and url_member:
    st.session_state["m360_search"] = url_member
search_col, pick_col = st.columns([1, 2])
text = search_col.text_input(tr("member.search"), key="m360_search", placeholder=tr("member.search_placeholder"),
                             live=True, icon=":material/search:")
found = compute(member360.search, ds, without_joiners(text or ""), SEARCH_LIMIT)  # pasted off a page
if found.is_empty():
    if (text or "").strip():
        st.info(tr("member.no_match", text=markdown_text(text.strip())), icon=":material/person_off:")  # as typed, or as the link said
    else:
        st.info(tr("member.no_members"), icon=":material/person_off:")
    st.stop()
options = found["member_id"].to_list()
if url_member and url_member not in options:  # the link's member is not there: say which one is shown
    link_ignored(tr("link.no_such_member", member=markdown_text(url_member), shown=markdown_text(options[0])))
labels = {r["member_id"]: pick_label(r) for r in found.iter_rows(named=True)}
member = pick_col.selectbox(tr("member.pick"), options, index=options.index(url_member) if url_member in options else 0,
                            format_func=labels.get, key=f"m360_pick::{text}")
if found.height == SEARCH_LIMIT:
    pick_col.caption(tr("member.matches", n=SEARCH_LIMIT))
if (text or "").strip():  # the members matching a search, kept as a segment
    with search_col:
        save_segment(Definition.of(member360.search, without_joiners(text), SEARCH_LIMIT), "m360_search")
st.query_params[URL_MEMBER] = member

# -- the analyses, each over the sidebar's scope (cached per dataset version and spec) ----------
profile = compute(member360.profile, ds, member, filters)
as_of = profile["as_of"] if profile else None
if as_of is None:  # a dataset of members files only: nothing to analyse yet
    st.info(tr("no_orders"), icon=":material/shopping_cart_off:")
    st.stop()
lc_spec = lifecycle.LifecycleSpec(filters)
# A stage and a CLV score depend on the member's own history (and the model): computed for this
# member alone. RFM scores are ranks among everyone in scope, so they need everyone.
stage = compute(lifecycle.member_row, ds, lc_spec, member)
scores = member360.row(compute(rfm.run, ds, rfm.RfmSpec(filters)), member)
# Always the default purchase model (MBG/NBD), whatever 5W1H compares: a link shows the same numbers to anyone.
clv_spec = clv.ClvSpec(filters, model=clv.DEFAULT_MODEL)
fitted = compute(clv.fit, ds, clv_spec)
value = compute(clv.member_row, ds, clv_spec, fitted, member)
orders = compute(member360.orders, ds, member, filters)

st.subheader(tr("member.header", member=markdown_text(member)))
clv_note = (tr("member.scope_clv_end", end=filters.end)
            if filters.end is not None and as_of is not None and filters.end < as_of else "")
st.caption(tr("member.scope", filters=scope_text(filters), as_of=as_of, clv_note=clv_note))

# -- attributes | stage and value ------------------------------------------------------------
left, right = st.columns([1, 2], gap="medium")
with left, st.container(border=True):
    st.markdown(f"**{tr('member.attributes')}**")
    unknown = tr("member.unknown")
    p = profile or {}
    gender = p.get("gender")
    age = (tr("member.age_value", age=p["age"], band=p["age_band"] or MISSING) if p.get("age") is not None else unknown)
    # tier, region, city and signup channel are the export's own words: shown as text
    place = " / ".join(markdown_text(v) for v in (p.get("region"), p.get("city")) if v) or unknown
    for label, shown in ((tr("member_tier"), markdown_text(p["member_tier"]) if p.get("member_tier") else unknown),
                         (tr("gender"), tr(f"gender_{gender}") if gender in ("M", "F") else unknown),
                         (tr("member.age"), age),
                         (tr("member.signup_date"), p.get("signup_date") or unknown),
                         (tr("member.signup_channel"),
                          markdown_text(p["signup_channel"]) if p.get("signup_channel") else unknown),
                         (tr("member.region_city"), place)):
        st.markdown(f"{label}{'：' if lang() == 'zh' else ': '}**{shown}**")
    st.caption(tr("member.source_members_file") if p.get("in_members_file") else tr("member.source_orders"))

next_date = value["expected_next_date"] if value else None
with right:
    badges = [(tr("stage"), tr(f"stage_{stage['stage']}") if stage else MISSING,
               STAGE_COLOURS.get(stage["stage"], "gray") if stage else "gray")]
    if scores is not None:
        badges += [(tr("segment"), tr(f"seg_{scores['segment']}"), "violet"),
                   (tr("value_group"), tr(f"vg_{scores['value_group']}"), "blue")]
    st.markdown("&emsp;".join(f"{label} :{colour}-badge[{shown}]" for label, shown, colour in badges))
    if scores is not None:
        a, b, c = st.columns(3)
        aov = scores["monetary"] / scores["frequency"] if scores["frequency"] else None
        a.metric(tr("member.purchases"), f"{scores['frequency']:,}", border=True,
                 delta=tr("member.first_on", date=stage["first_purchase"]) if stage else None,
                 delta_color="gray", delta_arrow="off")
        b.metric(tr("member.net_spend"), money(scores["monetary"], lang()), border=True,
                 delta=f"{tr('aov')} {money(aov, lang())}", delta_color="gray", delta_arrow="off")
        c.metric(tr("member.last_purchase"), str(stage["last_purchase"]) if stage else MISSING, border=True,
                 delta=tr("member.days_ago", days=scores["recency_days"]) if scores["recency_days"]
                 else tr("member.on_data_end"), delta_color="gray", delta_arrow="off")
    if value is not None:
        a, d = st.columns(2)  # two rows of two: four cards in a row would cut their labels and notes
        b, c = st.columns(2)
        note, colour = charts_member.next_order_note(value, lang())
        a.metric(tr("member.next_order"), str(next_date) if next_date else MISSING, border=True, delta=note,
                 delta_color=colour, delta_arrow="off", help=tr("member.next_basis"))
        model_name = clv.MODEL_LABELS[clv_spec.model]
        shown = charts_member.probability_cards(value, clv_spec.model, fitted.status, lang())
        for column, label, key, help_key in ((b, tr("clv.churn_probability"), "churn", "member.churn_help"),
                                             (c, tr("p_alive"), "alive", "member.p_alive_help")):
            number, why = shown[key]
            column.metric(label, number, border=True, delta=why, delta_color="gray", delta_arrow="off",
                          help=tr(help_key, model=model_name))
        clv_value = value["predicted_clv"]
        d.metric(tr("predicted_clv"), money(clv_value, lang()) if clv_value is not None else MISSING, border=True,
                 help=tr("member.clv_help", model=model_name), delta_color="gray", delta_arrow="off",
                 delta=tr("member.next_52_weeks") if clv_value is not None else tr(f"clv.short_{fitted.status}"))

# -- in words: why this stage, what to do, what the model can say ----------------------------
if stage is not None:
    notes = []
    for reason, numbers in member360.stage_reasons(stage, lc_spec):
        notes.append(tr(f"member.reason_{reason}", **numbers, spend_pct=100 * lc_spec.spend_ratio))
    if scores is not None:
        colon, sep = ("：", "；") if lang() == "zh" else (": ", "; ")
        notes.append(tr("member.rfm_scores") + colon
                     + tr("member.rfm_scores_value", r=scores["r_score"], f=scores["f_score"], m=scores["m_score"]))
        notes.append(tr("member.action") + colon
                     + f"{tr('seg_' + scores['segment'])} → {tr('member.act_' + scores['segment'])}" + sep
                     + f"{tr('vg_' + scores['value_group'])} → {tr('member.vgact_' + scores['value_group'])}")
    st.markdown(f"**{tr('member.why_stage')}**\n\n" + "\n".join(f"- {n}" for n in notes))
if scores is not None and value is None:
    fit = filters.end if filters.end is not None and as_of is not None and filters.end < as_of else as_of
    st.caption(tr("member.clv_absent", fit=fit))
elif value is not None and fitted.status != "ok":  # why, in words: too little data, or a fit that failed
    st.caption(charts_w5h1.status_sentence(fitted.status, fitted, lang()))
elif value is not None and value["predicted_clv"] is None:
    st.caption(tr("member.clv_member_none"))
elif value is not None and fitted.buyers < FEW_BUYERS:
    st.caption(tr("member.clv_few", buyers=fitted.buyers))
if value is not None:
    for note in charts_w5h1.boundary_notes(fitted.notes, lang()):
        st.info(note, icon=":material/info:")

# -- order timeline and order lines ----------------------------------------------------------
if orders.is_empty():
    if (filters.where or filters.segment is not None) and profile is not None:
        st.info(tr("member.out_of_scope", filters=scope_text(filters)), icon=":material/filter_alt:")
    else:
        st.info(tr("member.no_orders"), icon=":material/shopping_cart_off:")
    st.stop()
show_chart(charts_member.timeline(orders, lang(), member, expected_next=next_date, as_of=as_of,
                                  start=filters.start, end=filters.end),
           key="member_timeline", width="stretch")
st.subheader(tr("member.lines"))
st.caption(tr("member.lines_caption"))
lines = compute(member360.lines, ds, member, filters)
headers = {
    "order_id": tr("member.col_order_id"), "order_ts": tr("member.col_order_ts"), "sku": tr("sku"),
    "product_name": tr("product_name"), "category": tr("category"), "quantity": tr("member.col_quantity"),
    "unit_price": tr("member.col_unit_price"), "discount": tr("member.col_discount"),
    "amount": tr("member.col_amount"), "channel": tr("channel"), "store": tr("store")}
shown = lines.rename(headers)
member_table(shown, key="member_lines", file_stem="member_" + re.sub(r"[^\w.-]+", "_", member) + "_lines",
             column_config=number_formats(headers))
