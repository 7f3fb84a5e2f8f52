"""Seconds to draw each dashboard page, and to redraw it after a filter change, wall and CPU.

    python benchmarks/pages.py --repeat 3 2>/dev/null   # the bundled demo; best of 3 per step
    python benchmarks/pages.py --db benchmarks/out/bench-220000.duckdb --dataset bench 2>/dev/null

The pages run through Streamlit's AppTest (the same script run a browser triggers, without the
browser's own drawing time) on a fresh workspace built from sample_data/, or on any workspace
(`--db`, opened as the app opens it; `--dataset` picks the dataset by the page's link). CPU
seconds are the whole process's (DuckDB's threads included): CPU above wall means the 2 cores
both worked. Per page:
- open: the first draw in a new session (results not cached yet),
- filter: the sidebar's channel filter set to one value (a spec the cache has not seen),
- filter again: the same change once more (cached results: what a user sees when switching back),
- back: the filter cleared (cached),
- reopen: the first draw after the app restarted (memory cleared; the results lib/results.py
  kept on disk read back).
Each page starts cold: the results kept beside the workspace (`--db`'s too) are removed first.
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
# The project first, and not this folder: here `pages` would be this file, not the app's pages.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

# A page, or page:section for the 5W1H page's other sections (it opens on Why).
PAGES = ("overview", "cohorts", "rfm", "w5h1", "w5h1:when", "lifecycle", "member")


def timed(action, label: str = "", calls: int = 0) -> tuple[float, float]:
    """(wall, CPU) seconds of one call; with `calls`, print its slowest analyses."""
    CALLS.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    took = time.perf_counter() - wall, time.process_time() - cpu
    if calls:
        slowest = sorted(CALLS, reverse=True)[:calls]
        print(f"  {label}: " + ", ".join(f"{name.removeprefix('lib.')} {s:.2f}" for s, name in slowest))
    return took


CALLS: list[tuple[float, str]] = []  # (wall seconds, analysis) of each compute() in the current step


def time_each_compute() -> None:
    """Record the wall time of every `lib.ui.compute` and `lib.ui.derived` call (pages import them
    from lib.ui on each run); a derived count is named after the analysis it counts from."""
    from lib import ui

    def timed(call, name_of):
        def wrapper(function, ds, *args, **kwargs):
            started = time.perf_counter()
            try:
                return call(function, ds, *args, **kwargs)
            finally:
                CALLS.append((time.perf_counter() - started, name_of(function, args)))
        return wrapper

    name = lambda f: f"{f.__module__}.{f.__qualname__}"  # noqa: E731
    ui.compute = timed(ui.compute, lambda f, args: name(f))
    ui.derived = timed(ui.derived, lambda f, args: f"{name(f)}({', '.join(name(s[0]) for s in args[0])})")


def _app(dataset: str | None, section: str | None = None):
    """The app as a new browser session sees it (in Chinese), on `dataset` when given, on a 5W1H
    section when given (its link parameter)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.query_params["lang"] = "zh"
    if dataset:
        at.query_params["dataset"] = dataset
    if section:
        at.query_params["w5h1"] = section
    return at


def page_times(name: str, dataset: str | None, calls: int = 0) -> dict[str, tuple[float, float]]:
    page, _, section = name.partition(":")
    at = _app(dataset, section)
    times = {"open": timed(lambda: at.switch_page(f"pages/{page}.py").run(), f"{name} open", calls)}
    if at.exception:
        raise SystemExit(f"{name}: {at.exception[0].message}")
    channel = at.multiselect(key="flt_channel")
    first_channel = channel.options[0]
    times["filter"] = timed(lambda: channel.set_value([first_channel]).run(), f"{name} filter", calls)
    again = timed(lambda: at.multiselect(key="flt_channel").set_value([]).run()
                  or at.multiselect(key="flt_channel").set_value([first_channel]).run())
    times["filter again"] = (again[0] / 2, again[1] / 2)  # two cached redraws were timed together
    times["back"] = timed(lambda: at.multiselect(key="flt_channel").set_value([]).run())
    if at.exception:
        raise SystemExit(f"{name}: {at.exception[0].message}")
    # A restarted app: nothing in memory, the results kept on disk (lib/results.py) read back.
    from lib import ui

    ui.clear_analysis_cache(kept_on_disk=False)  # after the results being written are on disk
    at = _app(dataset, section)
    times["reopen"] = timed(lambda: at.switch_page(f"pages/{page}.py").run(), f"{name} reopen", calls)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="runs per page; the table shows the best")
    parser.add_argument("--db", type=Path, help="a workspace to open (default: a fresh demo workspace)")
    parser.add_argument("--dataset", help="the dataset to open (default: the app's own choice)")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated, of {', '.join(PAGES)}")
    parser.add_argument("--calls", type=int, default=0, help="also print the N slowest analyses of open and filter")
    args = parser.parse_args()
    unknown = sorted(set(args.pages.split(",")) - set(PAGES))
    if unknown:  # a page file that does not exist would time nothing and print an empty row
        parser.error(f"no page {', '.join(unknown)} (pages: {', '.join(PAGES)})")
    workspace = Path(tempfile.mkdtemp(prefix="memberlens-bench-pages-"))
    os.environ["MEMBERLENS_DB"] = str(args.db.resolve() if args.db else workspace / "app.duckdb")

    from lib import ui

    try:
        started = time.perf_counter()
        if args.calls:
            time_each_compute()
        ui.shared_store()  # opens the workspace (a new one: builds the demo from sample_data/)
        print(f"workspace ready in {time.perf_counter() - started:.1f} s: {os.environ['MEMBERLENS_DB']}")
        steps = ("open", "filter", "filter again", "back", "reopen")
        print("| page | " + " | ".join(f"{step} s (CPU)" for step in steps) + " |")
        print("|---|" + "---|" * len(steps))
        for page in args.pages.split(","):
            runs = []
            for _ in range(args.repeat):
                ui.clear_analysis_cache()  # each repeat starts cold
                runs.append(page_times(page, args.dataset, args.calls))
            best = {step: min((run[step] for run in runs), key=lambda t: t[0]) for step in steps}
            print(f"| {page} | " + " | ".join(f"{best[s][0]:.2f} ({best[s][1]:.2f})" for s in steps) + " |",
                  flush=True)
    finally:
        ui.shared_store().close()
        shutil.rmtree(workspace, ignore_errors=True)

if __name__ == "__main__":
    main()
