"""Seconds to draw each dashboard page on the bundled demo, and to redraw it after a filter change.

    python benchmarks/pages.py --repeat 3 2>/dev/null   # best of 3 per step; stderr: AppTest's warnings

The pages run through Streamlit's AppTest (the same script run a browser triggers, without the
browser's own drawing time) on a fresh workspace built from sample_data/. Per page:
- open: the first draw in a new session (results not cached yet),
- filter: the sidebar's channel filter set to one value (a spec the cache has not seen),
- filter again: the same change once more (cached results: what a user sees when switching back),
- back: the filter cleared (cached).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("overview", "cohorts", "rfm", "w5h1", "lifecycle", "member")


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def page_times(page: str) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "zh"
    times = {"open": timed(lambda: at.switch_page(f"pages/{page}.py").run())}
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].message}")
    channel = at.multiselect(key="flt_channel")
    first_channel = channel.options[0]
    times["filter"] = timed(lambda: channel.set_value([first_channel]).run())
    times["filter again"] = timed(lambda: at.multiselect(key="flt_channel").set_value([]).run()
                                  or at.multiselect(key="flt_channel").set_value([first_channel]).run())
    times["filter again"] /= 2  # two cached redraws were timed together
    times["back"] = timed(lambda: at.multiselect(key="flt_channel").set_value([]).run())
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="runs per page; the table shows the best")
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="memberlens-bench-pages-"))
    os.environ["MEMBERLENS_DB"] = str(workspace / "app.duckdb")

    import streamlit as st

    from lib import ui

    try:
        started = time.perf_counter()
        ui.shared_store()  # builds the demo from sample_data/ once
        print(f"demo workspace built in {time.perf_counter() - started:.1f} s")
        print("| page | open s | filter s | filter again s | back s |")
        print("|---|---|---|---|---|")
        for page in PAGES:
            runs = []
            for _ in range(args.repeat):
                st.cache_data.clear()  # each repeat starts cold
                runs.append(page_times(page))
            best = {step: min(run[step] for run in runs) for step in runs[0]}
            print(f"| {page} | {best['open']:.2f} | {best['filter']:.2f} | {best['filter again']:.2f} "
                  f"| {best['back']:.2f} |", flush=True)
    finally:
        ui.shared_store().close()
        shutil.rmtree(workspace, ignore_errors=True)

if __name__ == "__main__":
    main()
