"""Ingest throughput on generated data: MB/s and peak memory of `python -m lib ingest`.

    python benchmarks/ingest.py --members 1000000          # ~10M order lines, ~1 GB GB18030 CSV
    python benchmarks/ingest.py --members 100000 --keep    # keep the generated files and workspace

Generates the demo export with lib.demo into benchmarks/out/ (git-ignored), then ingests each file
in a child process so its own peak resident memory can be read (wait4), and prints a table. The
orders file (GB18030, as Chinese ERPs export) is also imported as a UTF-8 copy into a scratch
workspace, and both are printed beside their floor, measured in the same run: DuckDB's own typed
`read_csv` of the file (after Python's transcoding for GB18030; benchmarks/csv_floor.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # lib, for the UTF-8 copy
OUT = ROOT / "benchmarks" / "out"


def _child(args: list[str]) -> tuple[float, float, str]:
    """(seconds, peak resident memory of that child in MB, its stdout)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (ru_maxrss in KiB)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            sys.exit(f"failed: {' '.join(args)}\n{err.read()}")
        return seconds, usage.ru_maxrss / 1024, out.read()


def _floor(path: Path, seconds: float) -> None:
    """DuckDB's own read of `path` beside our import of it (`seconds`)."""
    _, _, out = _child([str(ROOT / "benchmarks" / "csv_floor.py"), str(path)])
    floor = json.loads(out)
    floor_s = floor["transcode_s"] + floor["read_csv_s"]
    transcode = f"transcode {floor['transcode_s']:.1f} s + " if floor["transcode_s"] > 0.05 else ""
    print(f"  floor: {transcode}DuckDB read_csv {floor['read_csv_s']:.1f} s = {floor_s:.1f} s "
          f"({path.stat().st_size / 1e6 / floor_s:.1f} MB/s); the import runs at {floor_s / seconds:.2f}× its speed")


def _import(path: Path, kind: str, db: Path) -> float:
    """Import `path` into `db` in a child process and print its row of the table; its seconds."""
    seconds, peak_mb, out = _child(["-m", "lib", "ingest", str(path), "--db", str(db), "--dataset", "bench",
                                    "--kind", kind])
    size_mb = path.stat().st_size / 1e6
    print(f"{path.name:<14} {kind:<8} {size_mb:>8.1f} {json.loads(out)['rows_read']:>12,} {seconds:>8.1f} "
          f"{size_mb / seconds:>7.1f} {peak_mb:>8,.0f}")
    return seconds


def _utf8_copy(path: Path, copy: Path) -> None:
    """The orders file as UTF-8, imported into a scratch workspace, beside its floor."""
    from benchmarks.csv_floor import as_utf8

    if as_utf8(path, copy) == path:
        return  # already UTF-8: imported above
    with tempfile.TemporaryDirectory(prefix="memberlens-bench-utf8-") as scratch:
        _floor(copy, _import(copy, "orders", Path(scratch) / "utf8.duckdb"))
    copy.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the generated files and workspace")
    args = parser.parse_args()

    data = OUT / f"demo-{args.members}"
    db = OUT / f"bench-{args.members}.duckdb"
    db.unlink(missing_ok=True)
    gen_s, gen_mb, _ = _child(["-m", "lib.demo", "--members", str(args.members), "--seed", str(args.seed),
                               "--out", str(data)])
    print(f"generated {args.members:,} members in {gen_s:.1f} s (peak {gen_mb:,.0f} MB)")
    print(f"{'file':<14} {'kind':<8} {'MB':>8} {'rows':>12} {'seconds':>8} {'MB/s':>7} {'peak MB':>8}")
    members_file = "members.csv" if (data / "members.csv").exists() else "members.xlsx"
    for kind, name in (("orders", "orders.csv"), ("members", members_file), ("nps", "nps.csv"),
                       ("spend", "spend.csv")):
        path = data / name
        seconds = _import(path, kind, db)
        if kind == "orders":
            _floor(path, seconds)
            _utf8_copy(path, data / "orders-utf8.csv")
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
        db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
