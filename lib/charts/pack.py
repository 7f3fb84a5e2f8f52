"""The client report's charts as its file holds them (lib/pack.py): plotly.js itself, once, and each
figure as JSON for Plotly.newPlot, its data values shown as text (lib.charts.shown_as_text) as
lib.ui.show_chart shows them on the pages. The figures themselves are the pages' (lib/charts/*)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.offline

from lib.charts import shown_as_text

# The options every chart of the report is drawn with: no plotly logo (it links to plotly.com),
# resized with the window.
PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def plotly_js() -> str:
    """plotly.js as the installed plotly package bundles it (no CDN). It must not hold "</script"
    (it would end the element it is embedded in): checked, not assumed."""
    source = plotly.offline.get_plotlyjs()
    if "</script" in source.lower():
        raise ValueError("the bundled plotly.js holds '</script' and cannot be embedded as it is")
    return source


def figure_json(fig: go.Figure) -> str:
    """`fig` (its data values as text) as JSON that is safe inside a <script> element: every <, >
    and & as a JSON escape, so no text in it can end the element or start another."""
    # The report's charts are drawn at the page's width by plotly.js alone (no Streamlit around them):
    # margins grow to fit rotated ticks and axis titles, which otherwise were cut or overlapped.
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    text = shown_as_text(fig).to_json()
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
