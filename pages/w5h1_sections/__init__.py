"""The 5W1H page's sections (pages/w5h1.py shows one at a time), one module each, and the widget
helpers they share. A sub-folder: Streamlit takes only the .py files directly in pages/ for pages."""
