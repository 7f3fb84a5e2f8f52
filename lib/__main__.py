"""Command line: `python -m lib ingest|datasets|report|password` (SPEC "Command line").

Errors a user can act on print one line on stderr and exit 1; usage errors exit 2.

Each report (lib/reports.py REPORTS) adds its own options to the common ones below and turns
(filters, options) into its table.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

from lib import keep_freed_arrays
from lib.contract import KINDS
from lib.currency import CURRENCIES, NONE
from lib.filters import FILTER_FIELDS, Filters
from lib.formatting import csv_text
from lib.reports import REPORTS
from lib.store import MAX_NAME_LENGTH, Store, StoreError, lock_wait, open_for_reading

INGEST_LOCK_WAIT = 10.0  # seconds

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="memberlens, headless")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="load CSV / Excel / Parquet files into a dataset")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--db", type=Path, help="workspace file (default: $MEMBERLENS_DB or data/memberlens.duckdb)")
    ingest.add_argument("--dataset", help="dataset name (default: the first file's name)")
    ingest.add_argument("--kind", choices=KINDS, default="orders")
    ingest.add_argument("--map", action="append", default=[], metavar="SOURCE_COLUMN=FIELD",
                        help="map a column to a field (FIELD '-' drops it); repeatable")
    ingest.add_argument("--replace", action="store_true",
                        help="replace the dataset's rows of this kind instead of adding to them")
    ingest.add_argument("--sheet", help="Excel sheet (default: the first holding a table)")
    ingest.add_argument("--rejects-dir", type=Path, help="where the rejected-rows CSV goes")
    ingest.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="language of the rejected rows' reasons and of the notes (default: en)")
    ingest.add_argument("--currency", type=str.upper, choices=[*CURRENCIES, NONE],
                        help="the dataset's currency (default: the dataset's, else the one the amounts name)")

    datasets = sub.add_parser("datasets", help="list the datasets")
    datasets.add_argument("--db", type=Path)

    report = sub.add_parser("report", help="run an analysis and print its table")
    analyses = report.add_subparsers(dest="analysis", required=True, metavar="ANALYSIS")
    for name, report in REPORTS.items():
        one = analyses.add_parser(name, help=report.help)
        one.add_argument("--dataset", required=True)
        one.add_argument("--db", type=Path)
        one.add_argument("--format", choices=("csv", "json"), default="csv")
        one.add_argument("--out", type=Path)
        one.add_argument("--as-of", type=date.fromisoformat, help="data end (default: the latest order date)")
        one.add_argument("--start", type=date.fromisoformat)
        one.add_argument("--end", type=date.fromisoformat)
        one.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                         help=f"filter; repeat a field for OR ({', '.join(FILTER_FIELDS)})")
        report.options(one)

    sub.add_parser("password", help="make the password_hash line that locks a shared app (.streamlit/secrets.toml)")
    return parser


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise StoreError(f"--map takes SOURCE_COLUMN=FIELD, not {pair!r}")
        column, target = pair.rsplit("=", 1)
        out[column.strip()] = target.strip()
    return out


def _filters(args: argparse.Namespace) -> Filters:
    chosen: dict[str, list[str]] = {}
    for pair in args.where:
        name, sep, value = pair.partition("=")
        if not sep or name.strip() not in FILTER_FIELDS:
            raise StoreError(f"--where takes FIELD=VALUE with FIELD one of {', '.join(FILTER_FIELDS)}; got {pair!r}")
        chosen.setdefault(name.strip(), []).append(value.strip())
    return Filters.of(start=args.start, end=args.end, as_of=args.as_of, **chosen)


def _emit(frame: pl.DataFrame, fmt: str, out: Path | None) -> None:
    text = csv_text(frame) if fmt == "csv" else json.dumps(frame.to_dicts(), ensure_ascii=False,
                                                           default=str, indent=1)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    keep_freed_arrays()
    try:
        if args.command == "ingest":
            from lib.ingest import ingest

            # A running app is refused at once (lib.store.running_app); another process holding the
            # file (a report, an app of an older version without the mark) is waited for briefly.
            with Store(args.db, wait=min(lock_wait(), INGEST_LOCK_WAIT), on_wait=_tell) as store:
                result = ingest(store, args.paths, args.dataset or args.paths[0].stem[:MAX_NAME_LENGTH], args.kind,
                                _mapping(args.map), args.replace, args.rejects_dir, args.sheet, lang=args.lang,
                                currency=args.currency)
            for note in result.notes:
                print(f"note: {note.text(args.lang)}", file=sys.stderr)
            print(json.dumps(result.summary(), ensure_ascii=False))
        elif args.command == "datasets":
            with open_for_reading(_existing(args.db), on_wait=_tell) as store:
                rows = [{"name": d.name, "version": d.version, "updated_at": str(d.updated_at), "currency": d.currency,
                         **{t: n for t, n in store.table_counts(d).items()
                            if t in ("order_lines", "orders", "members", "nps", "spend")}}
                        for d in store.datasets()]
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        elif args.command == "report":
            with open_for_reading(_existing(args.db), on_wait=_tell) as store:
                ds = store.dataset(args.dataset)
                frame = REPORTS[args.analysis].table(store, ds, _filters(args), args)
            _emit(frame, args.format, args.out)
        elif args.command == "password":
            return _password()
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a report that cannot be made for this scope or these options: one line
        # Only plain ValueError (specs and options refused) and ClvUnavailable; a subclass such as
        # numpy's LinAlgError is a bug and keeps its traceback.
        from lib.clv import ClvUnavailable

        if args.command != "report" or type(exc) not in (ValueError, ClvUnavailable):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was changed", file=sys.stderr)
        return 130
    return 0


def _password() -> int:
    """Ask for a password twice (never echoed) and print the secrets.toml lines holding its hash
    (lib/access.py); the password itself is written nowhere."""
    from getpass import getpass

    from lib.access import MIN_PASSWORD_LENGTH, hash_password

    password = getpass("Password for the app: ")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"error: a password of at least {MIN_PASSWORD_LENGTH} characters, please", file=sys.stderr)
        return 1
    if getpass("The same again: ") != password:
        print("error: the two passwords differ; nothing was made", file=sys.stderr)
        return 1
    print("note: paste these lines into .streamlit/secrets.toml beside app.py (git ignores that file)", file=sys.stderr)
    print(f'[access]\npassword_hash = "{hash_password(password)}"')
    return 0


def _tell(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def _existing(db: Path | None) -> Path:
    """Reading commands never create a workspace: a missing file is an error."""
    from lib.store import default_path

    path = db or default_path()
    if not path.exists():
        raise StoreError(f"no workspace at {path}; import a file first (python -m lib ingest …) or pass --db")
    return path


if __name__ == "__main__":
    sys.exit(main())
