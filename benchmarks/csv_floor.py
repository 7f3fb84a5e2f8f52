"""The floor of importing a CSV here: DuckDB's own typed `read_csv` of the file into a table
(after Python's transcoding to UTF-8 when the file is not UTF-8: DuckDB reads GB18030 only with an
extension that cannot be downloaded offline). Prints JSON {"transcode_s", "read_csv_s", "rows"}.
benchmarks/ingest.py runs it in a child process beside each import of an orders file.

    python benchmarks/csv_floor.py benchmarks/out/demo-220000/orders.csv
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.sources import SNIFF_BYTES, detect_encoding, transcode_to_utf8  # noqa: E402


def as_utf8(path: Path, copy: Path) -> Path:
    """`path` when it is UTF-8, else its UTF-8 copy written to `copy` (Python's codec, as an import
    transcodes)."""
    with path.open("rb") as fh:
        encoding = detect_encoding(fh.read(SNIFF_BYTES))
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    transcode_to_utf8(path, copy, encoding)
    return copy


def main() -> None:
    path = Path(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="memberlens-floor-") as work:
        started = time.perf_counter()
        readable = as_utf8(path, Path(work) / "utf8.csv")
        transcode_s = time.perf_counter() - started
        con = duckdb.connect(str(Path(work) / "floor.duckdb"))
        started = time.perf_counter()
        con.execute("CREATE TABLE lines AS SELECT * FROM read_csv(?)", [str(readable)])
        con.close()  # written to the file, as an import's rows are
        read_s = time.perf_counter() - started
        rows = duckdb.connect(str(Path(work) / "floor.duckdb"), read_only=True).sql(
            "SELECT count(*) FROM lines").fetchall()[0][0]
    print(json.dumps({"transcode_s": round(transcode_s, 2), "read_csv_s": round(read_s, 2), "rows": rows}))


if __name__ == "__main__":
    main()
