"""polars frame -> plotly figure: shared look. One module per page (lib/charts/<page>.py), the
5W1H page's by what they draw (clv, acquisition, repurchase, products, segments); no I/O.

Every chart gets a title that says what it shows, labelled axes with units, and a font stack
that renders Chinese on Windows, macOS and Linux.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import plotly.graph_objects as go
import polars as pl

from lib.formatting import chart_text
from lib.i18n import Lang, t

FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, Source Han Sans SC, Helvetica, Arial, sans-serif"
# A calm categorical palette (colour-blind friendly order) and the two sequential scales we use.
PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#84cc16", "#ec4899",
           "#64748b", "#a16207", "#0f766e")
HEAT_SCALE = "Blues"
DIVERGING_SCALE = "RdBu"


def style(fig: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None,
          y_format: str | None = None, height: int = 420, legend: bool = True) -> go.Figure:
    """Title, axis titles, font and margins; y_format e.g. ".0%" for rates, ",.0f" for money."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        colorway=list(PALETTE),
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(title_text=x_title, showgrid=False, linecolor="#cbd5e1")
    fig.update_yaxes(title_text=y_title, gridcolor="#eef2f7", zerolinecolor="#cbd5e1")
    if y_format:
        fig.update_yaxes(tickformat=y_format)
    return fig


# Where a trace carries data values, which plotly writes into ticks, legends, hover labels and
# node labels as markup (<a href>, <b>, <br>). Our own markup lives in templates, text, ticktext,
# titles and annotations, which the chart modules build (with chart_text around any user value).
DATA_FIELDS = ("x", "y", "customdata", "name", "label", "labels", "parents", "ids", "hovertext", "legendgroup")


def shown_as_text(fig: go.Figure) -> go.Figure:
    """`fig` with every string in its traces' data (DATA_FIELDS, and a Sankey's node and link data)
    through chart_text, so a store named `<a href="http://h/">x</a>` is shown, not followed. A value
    read back from a clicked point goes through lib.formatting.chart_text_back."""
    for trace in fig.data:
        parts = [trace] + [trace[part] for part in ("node", "link") if part in trace]
        for part in parts:
            for field in DATA_FIELDS:
                if field in part and part[field] is not None:
                    part[field] = _text_escaped(part[field])
    return fig


def _text_escaped(value):
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, (list, tuple)) or (hasattr(value, "dtype") and value.dtype == object):
        return [_text_escaped(v) for v in value]
    return value  # numbers, dates, numeric arrays


def whole_ticks(fig: go.Figure, top: float | None, axis: str = "y") -> go.Figure:
    """A count axis ticks at whole numbers: plotly puts ticks at 0.5 steps when the counts are
    small, which ",.0f" then prints as 0, 1, 1, 2, 2 (people are not counted in halves)."""
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickformat=",d", **({"dtick": 1} if top is not None and top <= 8 else {}))
    return fig


# -- display tables: polars frame -> the same frame with translated headers and names ---------

def names(column: str, ids: Iterable[str], prefix: str, lang: Lang) -> pl.Expr:
    """`column`'s ids as the labels `prefix + id` (null stays null; an id outside `ids` is an error,
    as a missing label would be)."""
    return pl.col(column).replace_strict({i: t(prefix + i, lang) for i in ids}, return_dtype=pl.String)


def display_table(frame: pl.DataFrame, headers: dict[str, str], lang: Lang, **shown: pl.Expr) -> pl.DataFrame:
    """The columns of `headers` (column -> label key) in that order, each under its label; a column
    named in `shown` shows that expression instead (ids as names, a share worked out here)."""
    return frame.select([shown.get(column, pl.col(column)).alias(t(key, lang)) for column, key in headers.items()])


# -- numbers inside heatmap cells ---------------------------------------------------------------

TEXT_SIZES = (8, 12)  # px, the smallest and largest cell text


def _em(text: str) -> float:
    """Width of `text` in em in the chart font, Noto Sans CJK as Chromium draws it (digits and
    K 0.55–0.63, "." and "," 0.29, "*" 0.47, "%" 0.9, a Chinese character 1), rounded up a little."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.3 if c in ".," else 0.9 if c == "%" else 0.5 if c == "*" else 0.57
               for c in text)


def text_size(texts: list[str], cell_width: float, sizes: tuple[int, int] = TEXT_SIZES) -> int:
    """The font size (px) at which the longest of `texts` fits a heatmap cell `cell_width` px wide
    (less the gap between cells and a pixel of air), within `sizes`."""
    longest = max((_em(t) for t in texts), default=1.0) or 1.0
    low, high = sizes
    return max(low, min(high, math.floor((cell_width - 2) / longest)))
