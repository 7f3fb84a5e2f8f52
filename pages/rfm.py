"""RFM 分层: scores, the R × F grid, the 11 segments and 8 value groups, and the members behind them."""

from __future__ import annotations


import streamlit as st

from lib import rfm
from lib.charts import rfm as charts
from lib.formatting import MISSING, money, money_column_format
from lib.i18n import members, sentences
from lib.ui import analysis_page, compute, counted_selectbox, kept, no_data, show_chart, tr
from lib.segments import Definition
from lib.tables import member_table, number_formats
TINY = 20  # fewer buyers than this: say that quintiles mean little
DIMENSIONS = ("r", "f", "m")
THRESHOLD_STEP = {"r": 1.0, "f": 1.0, "m": 10.0}
THRESHOLD_FORMAT = {"r": "%.0f", "f": "%.0f", "m": "%.2f"}
DEFAULT_METRIC = "members"

page = analysis_page("page_rfm")  # its caption names the as-of date, below
ds, filters, L, say = page.ds, page.filters, page.lang, page.say


# -- thresholds: quintiles unless the user switches a dimension to custom ------------------------

def _back_to_quintiles() -> None:
    for p in DIMENSIONS:
        st.session_state[f"rfm_custom_{p}"] = False


def _threshold_editor(quintiles: dict[str, tuple]) -> dict[str, tuple | None]:
    """Per dimension a toggle and 4 number inputs (pre-filled with the quintile thresholds);
    returns the custom thresholds to use (None = quintiles)."""
    st.caption(tr("rfm.edit_help"))
    chosen: dict[str, tuple | None] = {}
    for p in DIMENSIONS:
        custom = st.toggle(tr("rfm.custom", dim=tr(f"rfm.dim_{p}")), key=f"rfm_custom_{p}")
        columns = st.columns(4)
        values = []
        for k, column in enumerate(columns, start=1):
            key = f"rfm_t_{p}{k}"
            if not custom or key not in st.session_state:
                st.session_state[key] = quintiles[p][k - 1]
            values.append(column.number_input(tr("rfm.threshold_k", k=k), key=key, disabled=not custom,
                                              min_value=0.0 if p != "m" else None, step=THRESHOLD_STEP[p],
                                              format=THRESHOLD_FORMAT[p]))
        if not custom:
            chosen[p] = None
        elif None in values or values != sorted(values):
            st.warning(tr("rfm.invalid", dim=tr(f"rfm.dim_{p}")))
            chosen[p] = None
        else:
            chosen[p] = tuple(values)
    st.button(tr("rfm.back_to_quintiles"), on_click=_back_to_quintiles, icon=":material/restart_alt:")
    return chosen


# The population and its means do not depend on the thresholds.
population = compute(rfm.population, ds, rfm.RfmSpec(filters)).row(0, named=True)
st.caption(tr("rfm.caption", as_of=population["as_of"]))
if not population["buyers"]:
    no_data()
    st.stop()
quintile_rows = compute(rfm.thresholds, ds, rfm.RfmSpec(filters)).rows()
quintiles = {charts.PREFIX[row[0]]: tuple(row[3:]) for row in quintile_rows}
with st.expander(tr("rfm.thresholds"), icon=":material/tune:"):
    st.caption(tr("rfm.quintile_note"))
    table_slot = st.empty()
    st.markdown(f"**{tr('rfm.edit_thresholds')}**")
    custom = _threshold_editor(quintiles)
spec = rfm.RfmSpec(filters, custom["r"], custom["f"], custom["m"])
in_use = compute(rfm.thresholds, ds, spec)
table_slot.dataframe(charts.threshold_table(in_use, L), hide_index=True, width="stretch", placeholder=MISSING)

# -- headline ----------------------------------------------------------------------------------

if population["buyers"] < TINY:
    st.info(tr("rfm.tiny", n=population["buyers"]), icon=":material/info:")
cards = [(tr("rfm.buyers"), f"{population['buyers']:,}"),
         (tr("rfm.mean_recency"), tr("rfm.days_value", value=population["mean_recency_days"])),
         (tr("rfm.mean_frequency"), tr("rfm.times_value", value=population["mean_frequency"])),
         (tr("rfm.mean_monetary"), money(population["mean_monetary"], L))]
for column, (label, value) in zip(st.columns(4), cards):
    column.metric(label, value, border=True, help=None if label == tr("rfm.buyers") else tr("rfm.means_help"))

# -- R × F grid and segment treemap ------------------------------------------------------------

grid = compute(rfm.grid, ds, spec)
left, right = st.columns(2)
with left:
    metric = kept(st.segmented_control, tr("rfm.cells_show"), charts.METRICS, "rfm_metric", DEFAULT_METRIC,
                  required=True, format_func=lambda m: say(f"rfm.metric_{m}"))
    score_bands = charts.bands(in_use, L)
    event = show_chart(charts.heatmap(grid, metric, L, score_bands), key="rfm_heatmap",
                       on_select="rerun", selection_mode="points", width="stretch")
    skipped = charts.skipped_scores(score_bands, L)
    st.caption(sentences((tr("rfm.click_hint"), tr("rfm.skipped", scores=skipped) if skipped else None), L))
segments = compute(rfm.segments, ds, spec)
with right:
    tiles = show_chart(charts.treemap(segments, L), key="rfm_treemap", on_select="rerun",
                       selection_mode="points", width="stretch")
    st.caption(tr("rfm.tile_hint"))

# A click on a cell or a segment tile points the member list below at it, once per new click
# (a chart keeps its selection across reruns, so each chart's last seen click is remembered).
def _follow_click(kind: str, value: object) -> None:
    if value != st.session_state.get(f"rfm_seen_{kind}"):
        st.session_state[f"rfm_seen_{kind}"] = value
        if value is not None:
            st.session_state["rfm_drill"] = kind
            st.session_state[f"rfm_drill_{kind}"] = value


cell_points = event.selection.points if event and event.selection else []
_follow_click("cell", (int(cell_points[0]["y"]), int(cell_points[0]["x"])) if cell_points else None)
tile_points = tiles.selection.points if tiles and tiles.selection else []
_follow_click("segment", next((p["id"] for p in tile_points if p.get("id") in rfm.SEGMENTS), None))

# -- the 11 segments and the 8 value groups ------------------------------------------------------

# Tables on the analysis pages write counts with separators, shares (in %) with one decimal, money
# in the dataset's currency with two decimals, the way the cards do.
share = st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100)
table_columns = {tr("rfm.col_members"): st.column_config.NumberColumn(format="%,d"),
                 tr("rfm.col_member_share"): share, tr("rfm.col_revenue_share"): share,
                 tr("rfm.col_revenue"): st.column_config.NumberColumn(format=money_column_format()),
                 tr("rfm.action"): st.column_config.TextColumn(width="large")}
st.subheader(tr("rfm.segments_table"))
st.dataframe(charts.segment_table(segments, L), hide_index=True, width="stretch", height=36 * 12 + 3,
             column_config=table_columns, placeholder=MISSING)
groups = compute(rfm.value_groups, ds, spec)
st.subheader(tr("rfm.value_groups_table"))
st.caption(tr("rfm.value_groups_note"))
st.dataframe(charts.value_group_table(groups, L), hide_index=True, width="stretch",
             column_config=table_columns, placeholder=MISSING)

# -- members behind a number ---------------------------------------------------------------------

st.subheader(tr("members_behind"))
kinds = {"segment": say("segment"), "value_group": say("value_group"), "cell": say("rfm.by_cell")}
if st.session_state.get("rfm_drill") not in kinds:
    st.session_state["rfm_drill"] = "segment"
kind = st.radio(tr("rfm.drill_by"), list(kinds), format_func=kinds.get, horizontal=True, key="rfm_drill")
sizes = {"segment": dict(segments.select("segment", "members").rows()),
         "value_group": dict(groups.select("value_group", "members").rows()),
         "cell": {(r, f): n for r, f, n in grid.select("r_score", "f_score", "members").rows() if n}}
options = sorted(sizes["cell"], reverse=True) if kind == "cell" else list(sizes[kind])


def label(option) -> str:
    if kind == "cell":
        return say("rfm.cell", r=option[0], f=option[1], members=members(sizes["cell"][option], L))
    return say("rfm.item", name=say(f"{'seg' if kind == 'segment' else 'vg'}_{option}"),
               members=members(sizes[kind][option], L))


key = f"rfm_drill_{kind}"
picked = counted_selectbox(kinds[kind], options, key, label,
                          next((o for o in options if sizes[kind][o]), options[0] if options else None))
if picked is None or not sizes[kind].get(picked):
    st.info(tr("rfm.nobody"))
else:
    where = ({"r_score": picked[0], "f_score": picked[1]} if kind == "cell" else {kind: picked})
    stem = f"rfm_R{picked[0]}_F{picked[1]}" if kind == "cell" else f"rfm_{picked}"
    cell = rfm.RfmCell(**where)
    member_table(charts.member_frame(compute(rfm.members, ds, spec, cell), L), key="rfm_members", file_stem=stem,
                 column_config=number_formats({c: say(k) for c, k in charts.MEMBER_HEADERS.items()}),
                 segment=Definition.of(rfm.members, spec, cell))
