"""What the Data page's parts share: widget helpers only."""

from __future__ import annotations

import streamlit as st


def count_columns(*labels: str) -> dict[str, st.column_config.NumberColumn]:
    """Counts with thousands separators (88,634), under their labels."""
    return {label: st.column_config.NumberColumn(label, format="localized") for label in labels}
