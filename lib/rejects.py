"""The rejected rows of an import, for the user to fix and retry (lib/ingest.py step 3): all the rows
of one part's files that could not be loaded, unchanged, each with its `reason` (a `source_file`
column when the part has several files; lines with the wrong number of fields whole, in
`raw_line`), as one UTF-8 CSV with a BOM so Excel opens it, named
<dataset>-<kind>-rejects-<time>.csv; and the first reason, for the error when nothing loads."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from lib import sources
from lib.contract import Kind
from lib.formatting import csv_safe, csv_safe_text
from lib.i18n import Lang, t
from lib.sources import Source
from lib.store import Store


def default_rejects_dir(store: Store) -> Path:
    return store.path.resolve().parent / "rejects"


def write_rejects(con: duckdb.DuckDBPyConnection, staged: list[Source], work_dir: Path,
                  out_dir: Path, dataset: str, kind: Kind, lang: Lang = "en") -> str:
    """All rejected rows of all files, unchanged, plus `reason` (in `lang`), as one CSV; returns its path."""
    views = []
    for i, src in enumerate(staged):
        reason_col = next(n for n in ("reason", "reject_reason", "memberlens_reason") if n not in src.headers)
        # every cell as it was, but safe to open (a formula-like one gets a ': lib/parsing.py ml_csv_safe)
        cells = [duckdb.FunctionExpression("ml_csv_safe", duckdb.ColumnExpression(f"c{j}")).alias(csv_safe_text(h))
                 for j, h in enumerate(src.headers)]
        extra = []
        if len(staged) > 1:
            extra.append(duckdb.FunctionExpression("ml_csv_safe", duckdb.ConstantExpression(src.path.name))
                         .alias("source_file"))
        bad_rows = con.sql(f"SELECT r.*, f.reason FROM {src.table} r JOIN final_{i} f ON f.src_row = r.rowid + 1 "
                           f"WHERE f.reason IS NOT NULL ORDER BY f.src_row")
        bad_rows.select(*cells, duckdb.ColumnExpression("reason").alias(reason_col), *extra) \
            .create_view(f"rejected_{i}")
        views.append(f"rejected_{i}")
        if src.malformed.height:
            lines = src.malformed.select(
                *[pl.lit(None, pl.String).alias(csv_safe_text(h)) for h in src.headers],
                malformed_reason(lang, len(src.headers)).alias(reason_col),
                *([csv_safe(pl.lit(src.path.name)).alias("source_file")] if len(staged) > 1 else []),
                csv_safe(pl.col("raw_line")).alias("raw_line"))
            con.from_arrow(lines.to_arrow()).create(f"malformed_{i}")
            views.append(f"malformed_{i}")
    union = " UNION ALL BY NAME ".join(f"SELECT * FROM {v}" for v in views)
    plain = work_dir / "rejects.csv"
    con.sql(union).write_csv(str(plain))
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = out_dir / f"{_slug(dataset)}-{kind}-rejects-{stamp}.csv"
    sources.copy_with_bom(plain, dest)
    return str(dest)


def malformed_reason(lang: Lang, expected: int) -> pl.Expr:
    """A line that does not split into the header's fields, in `lang`: how many it had (lib.sources
    keeps the fewest DuckDB saw on a short line and the most on a long one), its length when it was
    too long, else DuckDB's error."""
    def fill(key: str, second: str, value: pl.Expr, **words: object) -> pl.Expr:
        # the template split around its two placeholders, in whatever order a language puts them
        marks = {"line": "\x00", second: "\x01"}
        text = t(key, lang, **marks, **words)
        pieces, exprs = [], {"\x00": pl.col("line").cast(pl.String), "\x01": value}
        for part in re.split("([\x00\x01])", text):
            pieces.append(exprs[part] if part in exprs else pl.lit(part))
        return pl.concat_str(pieces)

    return (pl.when(pl.col("found").is_not_null())
            .then(fill("ingest.reason_fields", "found", pl.col("found").cast(pl.String), expected=expected))
            .when(pl.col("line_bytes").is_not_null())
            .then(fill("ingest.reason_too_long", "size", pl.col("line_bytes").cast(pl.String),
                       limit=sources.MAX_LINE_BYTES))
            .otherwise(fill("ingest.reason_line", "error", pl.col("error"))))


def first_reason(con: duckdb.DuckDBPyConnection, staged: list[Source], lang: Lang = "en") -> str:
    for i, src in enumerate(staged):
        rows = con.sql(f"SELECT reason FROM final_{i} WHERE reason IS NOT NULL ORDER BY src_row LIMIT 1").fetchall()
        if rows:
            return rows[0][0]
        if src.malformed.height:
            return src.malformed.head(1).select(malformed_reason(lang, len(src.headers))).item()
    return "the files hold no data rows"


SLUG_BYTES = 120  # the dataset's part of a rejects file name (the rest is ~45 bytes)


def _slug(name: str) -> str:
    slug = re.sub(r"[^\w.-]+", "_", name).strip("_")
    return slug.encode()[:SLUG_BYTES].decode("utf-8", "ignore").strip("_.") or "dataset"
