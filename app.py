"""memberlens: the router and the shared sidebar (language, dataset, filters): lib.ui.run_app.

Pages are thin: they read the session's dataset and filters (lib/ui.py), build specs, call lib
and draw lib/charts figures. The page and the filters live in the URL, so a view can be sent.
"""

from lib.ui import run_app

run_app()
