"""Every report's output on the bundled demo, as a SHA-256 per command line: the net under a
refactor or a speed-up, which must change no number (`python -m lib report …` prints exactly
what it printed before).

    python -m tests.report_snapshots            # compare with tests/data/report_snapshots.json
    python -m tests.report_snapshots --update   # rewrite it, after a change that is meant to move numbers
    python -m tests.report_snapshots --db FILE --dataset NAME --baseline OUT.json [--update]
                                                # the same on any workspace, e.g. 1M generated lines

tests/test_report_snapshots.py runs the comparison. The CLV reports are compared only on the
pinned solver stack (requirements.txt's numpy and scipy), and by value, not by hash: a fit's
floating point moves in its last bits with the CPU (numpy picks AVX-512 or AVX2 code at run time:
on two machines with the same packages the fitted r differed in its 16th digit, and a few of
14,000 members' 2-decimal CLVs by a cent), which the fit's verdict must not (benchmarks/
btyd_verdicts.py checks that). Their output is kept as text (CLV_SNAPSHOT_FILE) and each number
may differ from it by one unit of its last printed digit, or by 1e-7 of itself; a date by a day.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import sys
import tempfile
from datetime import date
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_FILE = ROOT / "tests" / "data" / "report_snapshots.json"
CLV_SNAPSHOT_FILE = ROOT / "tests" / "data" / "report_snapshots_clv.json.gz"

# Each analysis with its default options, and every option value that selects another table or
# another definition. The demo's data end is 2026-06-30 (sample_data/orders.csv).
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("kpis",),
    ("kpis", "--start", "2026-01-01", "--end", "2026-03-31"),
    ("cohorts",),
    ("cohorts", "--period", "week"),
    ("cohorts", "--period", "quarter", "--mode", "unbounded"),
    ("cohorts", "--mode", "revenue"),
    ("cohorts", "--basis", "signup"),
    ("cohorts", "--rolling", "7"),
    ("activity",),
    ("activity", "--period", "week"),
    ("rfm",),
    ("rfm", "--view", "grid"),
    ("rfm", "--view", "segments"),
    ("rfm", "--view", "value_groups"),
    ("rfm", "--view", "thresholds"),
    ("rfm", "--view", "segments", "--r-thresholds", "7,30,90,180"),
    ("lifecycle",),
    ("lifecycle", "--summary"),
    ("lifecycle", "--funnel"),
    ("lifecycle", "--summary", "--churn-days", "120", "--gap-multiple", "2"),
    ("repurchase",),
    ("repurchase", "--by", "sku"),
    ("pairs",),
    ("first_orders",),
    ("price_bands",),
    ("repurchase", "--top", "20"),
    ("pairs", "--basket", "member", "--level", "sku"),
    ("cac",),
    ("cac", "--by-channel", "--period", "quarter"),
    ("nps",),
    ("nps", "--by", "channel"),
    ("nps", "--by", "segment"),
    ("kpis", "--where", "channel=门店"),
    ("cohorts", "--where", "category=奶粉"),
    ("rfm", "--view", "segments", "--where", "member_tier=金卡"),
    ("clv",),
    ("clv", "--params"),
    ("clv", "--model", "bgnbd", "--unit", "day", "--horizon", "90"),
    ("clv", "--backtest", "2025-12-31"),
    ("clv", "--backtest", "2025-12-31", "--by-frequency"),
    ("whatif",),
    ("whatif", "--retention-points", "5", "--churn-cut", "10", "--frequency-up", "5", "--aov-up", "3"),
)


def pinned_solvers() -> bool:
    """numpy and scipy are the versions requirements.txt pins."""
    pins = dict(line.split("==", 1) for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    return all(version(name) == pins.get(name, "").strip() for name in ("numpy", "scipy"))


def by_value(command: str) -> bool:
    """A report compared by value within a CPU's rounding (the CLV fits and the what-if built on
    them), not by hash."""
    return command.split(" ", 1)[0] in ("clv", "whatif")


def outputs(db: Path, dataset: str, commands: tuple[tuple[str, ...], ...] = COMMANDS) -> dict[str, str]:
    """{command line: SHA-256 of what `python -m lib report` printed} on the workspace `db`, or
    the text itself for a report compared by value (`by_value`); run in-process; an error is part
    of the output (exit code and stderr)."""
    from lib.__main__ import main

    out = {}
    for command in commands:
        argv = ["report", command[0], "--dataset", dataset, "--db", str(db), *command[1:]]
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(argv)
        text = f"exit {code}\n{stdout.getvalue()}\n--- stderr\n{stderr.getvalue()}"
        key = " ".join(command)
        out[key] = text if by_value(key) else hashlib.sha256(text.encode()).hexdigest()
    return out


def read_snapshots(hashes: Path = SNAPSHOT_FILE, texts: Path | None = CLV_SNAPSHOT_FILE) -> dict[str, str]:
    """The kept outputs: hashes, and the texts of the reports compared by value."""
    kept = json.loads(hashes.read_text(encoding="utf-8"))
    if texts is not None and texts.exists():
        kept.update(json.loads(gzip.decompress(texts.read_bytes()).decode("utf-8")))
    return kept


def write_snapshots(now: dict[str, str], hashes: Path = SNAPSHOT_FILE, texts: Path | None = CLV_SNAPSHOT_FILE) -> None:
    plain = {k: v for k, v in now.items() if not by_value(k) or texts is None}
    hashes.write_text(json.dumps(plain, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if texts is not None:
        by_text = {k: v for k, v in now.items() if by_value(k)}
        texts.write_bytes(gzip.compress(json.dumps(by_text, ensure_ascii=False, indent=0).encode("utf-8"), mtime=0))


def same(command: str, kept: str | None, now: str | None) -> bool:
    """Whether `now` is what was kept: equal, or for a report compared by value, every cell equal
    or a number within one unit of its kept last digit (or 1e-7 of itself), a date within a day."""
    if kept == now or kept is None or now is None or not by_value(command):
        return kept == now
    kept_lines, now_lines = kept.splitlines(), now.splitlines()
    if len(kept_lines) != len(now_lines):
        return False
    for kept_line, now_line in zip(kept_lines, now_lines):
        kept_cells, now_cells = kept_line.split(","), now_line.split(",")
        if len(kept_cells) != len(now_cells):
            return False
        if not all(_close(a, b) for a, b in zip(kept_cells, now_cells)):
            return False
    return True


def _close(kept: str, now: str) -> bool:
    if kept == now:
        return True
    try:
        a, b = float(kept), float(now)
    except ValueError:
        try:
            return abs((date.fromisoformat(kept) - date.fromisoformat(now)).days) <= 1
        except ValueError:
            return False
    digits = len(kept.split(".", 1)[1]) if "." in kept and "e" not in kept.lower() else 0
    return abs(a - b) <= max(10.0 ** -digits * 1.000001, 1e-7 * abs(a))


def demo_workspace(folder: Path) -> tuple[Path, str]:
    """A workspace holding only the bundled demo (sample_data/), as the app's first start makes it."""
    from lib.samples import SAMPLE_DATASET, ensure_sample_dataset
    from lib.store import Store

    db = folder / "demo.duckdb"
    with Store(db) as store:
        ensure_sample_dataset(store)
    return db, SAMPLE_DATASET


def main(argv: list[str]) -> int:
    """The demo against tests/data/report_snapshots.json; or, with `--db FILE --dataset NAME
    --baseline OUT.json`, any workspace (e.g. benchmarks/out/bench-220000.duckdb, 1M lines) against
    a baseline written by the same command with `--update` before a change."""
    parser = argparse.ArgumentParser(prog="python -m tests.report_snapshots")
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--dataset")
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args(argv)
    target = args.baseline or SNAPSHOT_FILE
    if args.db:
        now = outputs(args.db, args.dataset)
    else:
        with tempfile.TemporaryDirectory() as folder:
            db, dataset = demo_workspace(Path(folder))
            now = outputs(db, dataset)
    texts = CLV_SNAPSHOT_FILE if target == SNAPSHOT_FILE else None
    if texts is None:  # another workspace's baseline holds hashes only (the same machine, before and after)
        now = {k: v if not by_value(k) else hashlib.sha256(v.encode()).hexdigest() for k, v in now.items()}
    if args.update:
        write_snapshots(now, target, texts)
        print(f"wrote {len(now)} snapshots to {target}")
        return 0
    before = read_snapshots(target, texts)
    changed = [command for command in before if not same(command, before[command], now.get(command))]
    for command in changed:
        print(f"changed: report {command}")
    print(f"{len(before) - len(changed)} of {len(before)} reports unchanged")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
