"""Scaffold: replaced by the page's real content."""

import streamlit as st

st.title("RFM")
