"""The metric definitions: docs/metrics.md (or its Chinese translation), one expander per section."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.ui import lang, tr

ROOT = Path(__file__).resolve().parents[2]
METRICS_DOCS = {"zh": ROOT / "docs" / "metrics.zh.md", "en": ROOT / "docs" / "metrics.md"}  # kept in step by tests


def metrics_tab() -> None:
    doc = METRICS_DOCS[lang()]
    if not doc.exists():
        st.info(tr("data.metrics_missing", file=doc.relative_to(ROOT)))
        return
    st.caption(tr("data.metrics_intro"))
    intro, sections = [], []
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
        elif not line.startswith("# "):
            intro.append(line)
    if "".join(intro).strip():
        st.markdown("\n".join(intro).replace("$", "\\$"))
    for heading, body in sections:
        with st.expander(heading):
            st.markdown("\n".join(body).replace("$", "\\$"))  # a $ is money here, not LaTeX
