"""The Data page's parts (pages/data.py lays them out), one module each, and the widget helper
they share. A sub-folder: Streamlit takes only the .py files directly in pages/ for pages."""
