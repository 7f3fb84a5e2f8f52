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
from lib.segments import DEFAULT_EXPORT, DEFAULT_MODE, EXPORT_COLUMNS, MODES
from lib.store import MAX_NAME_LENGTH, Store, StoreError, default_path, lock_wait, open_for_reading

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
        one.add_argument("--dataset", help="the workspace's dataset (required unless --engine spark)")
        one.add_argument("--db", type=Path)
        one.add_argument("--format", choices=("csv", "json"), default="csv")
        one.add_argument("--out", type=Path)
        one.add_argument("--as-of", type=date.fromisoformat, help="data end (default: the latest order date)")
        one.add_argument("--start", type=date.fromisoformat)
        one.add_argument("--end", type=date.fromisoformat)
        one.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                         help=f"filter; repeat a field for OR ({', '.join(FILTER_FIELDS)})")
        _segment_options(one)
        _engine_options(one)
        report.options(one)

    _segment_parser(sub)
    _spark_source_parser(sub)

    sub.add_parser("password", help="make the password_hash line that locks a shared app (.streamlit/secrets.toml)")

    # -- pack: the client report (lib/pack.py) ------------------------------------------------
    pack = sub.add_parser("pack", help="write the client report: one self-contained HTML file (and a PDF)")
    pack.add_argument("--dataset", required=True)
    pack.add_argument("--db", type=Path)
    pack.add_argument("--lang", choices=("zh", "en"), required=True, help="the report's language")
    pack.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    pack.add_argument("--pdf", type=Path, help="also print the report to this PDF (needs Chromium)")
    pack.add_argument("--as-of", type=date.fromisoformat, help="data end (default: the latest order date)")
    pack.add_argument("--start", type=date.fromisoformat)
    pack.add_argument("--end", type=date.fromisoformat)
    pack.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                      help=f"filter; repeat a field for OR ({', '.join(FILTER_FIELDS)})")
    pack.add_argument("--window", type=_pack_window, metavar="DAYS|range",
                      help="the Overview's KPI window: the last DAYS days of the range, or the whole range "
                           "(default: 30, as the page)")
    pack.add_argument("--period", choices=("week", "month", "quarter"),
                      help="the Overview's trend period (default: month, as the page)")
    _segment_options(pack)
    # -- end of pack --------------------------------------------------------------------------
    return parser


def _engine_options(parser: argparse.ArgumentParser, engine: bool = True) -> None:
    """The --spark-* options (and, for a report, --engine)."""
    spark = parser.add_argument_group("Spark (lib/spark.py: the same SQL, transpiled, on a Spark session)")
    if engine:
        spark.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                           help="duckdb: the workspace's dataset (default); spark: the --spark-* tables")
    spark.add_argument("--spark-table", metavar="TABLE", help="order lines: a table of the session's catalog or a "
                       "Parquet path, with the contract's fields (member_id, order_id, order_date, amount; optional "
                       "ones used when present)")
    spark.add_argument("--spark-members", metavar="TABLE", help="members (member_id, signup_date, gender, …)")
    spark.add_argument("--spark-nps", metavar="TABLE", help="NPS answers (member_id, survey_date, score)")
    spark.add_argument("--spark-spend", metavar="TABLE", help="marketing spend (period, spend, channel)")
    spark.add_argument("--spark-master", metavar="URL", help="local[N], spark://HOST:PORT … (default local[2])")
    spark.add_argument("--spark-map", action="append", default=[], metavar="FIELD=COLUMN",
                       help="the column holding a contract field, where its name differs; repeatable")
    spark.add_argument("--currency", type=str.upper, choices=[*CURRENCIES, NONE],
                       help="with --engine spark: the amounts' currency, for labels (default: none)")


def _spark_source_parser(sub: argparse._SubParsersAction) -> None:
    spark = sub.add_parser("spark-source", help="keep a Spark table as a dataset of the app (spark:NAME)")
    actions = spark.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="check a Spark source and keep it as the dataset spark:NAME")
    add.add_argument("name")
    add.add_argument("--db", type=Path, help="the workspace it is kept beside (<workspace>.spark.json)")
    _engine_options(add, engine=False)
    listing = actions.add_parser("list", help="list the Spark sources kept beside the workspace")
    listing.add_argument("--db", type=Path)
    remove = actions.add_parser("remove", help="forget a Spark source (its tables are not touched)")
    remove.add_argument("name")
    remove.add_argument("--db", type=Path)


def _spark_sources(args: argparse.Namespace) -> int:
    from lib import spark

    workspace = args.db or default_path()
    if args.action == "list":
        rows = [{"dataset": name, "tables": dict(s.tables), "master": s.master or spark.DEFAULT_MASTER,
                 "mapping": dict(s.mapping), "currency": s.currency, "saved_at": s.saved_at.isoformat()}
                for name, s in spark.saved_sources(workspace).items()]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif args.action == "remove":
        spark.remove_source(workspace, args.name)
    else:
        if not args.spark_table:
            raise StoreError("spark-source add needs --spark-table TABLE: the order lines (a catalog table or a "
                             "Parquet path)")
        source = _spark_source(argparse.Namespace(**{**vars(args), "segment": None, "dataset": None}))
        with spark.SparkStore(source) as store:  # read and checked now, not when a page first asks
            orders = store.query(f"SELECT count(*) AS n FROM {store.dataset.table('orders')}").item()
        saved = spark.save_source(workspace, args.name, source)
        print(json.dumps({"dataset": saved.name, "orders": orders}, ensure_ascii=False))
    return 0


def _spark_source(args: argparse.Namespace):
    """The --spark-* options as a lib.spark.SparkSource; refuses what does not go with Spark."""
    from lib.spark import FIELDS_BY_NAME, SparkSource

    if args.segment:
        raise StoreError("--segment filters a workspace's dataset by its saved members; with --engine spark "
                         "use --where")
    mapping = _mapping_of(args.spark_map, "--spark-map", "FIELD=COLUMN")
    unknown = sorted(set(mapping) - FIELDS_BY_NAME)
    if unknown:
        raise StoreError(f"--spark-map: {', '.join(unknown)} is not a contract field "
                         f"({', '.join(sorted(FIELDS_BY_NAME))})")
    tables = {"order_lines": args.spark_table, "members_source": args.spark_members, "nps": args.spark_nps,
              "spend": args.spark_spend}
    return SparkSource({k: v for k, v in tables.items() if v}, master=args.spark_master, mapping=mapping,
                       currency=None if args.currency in (None, NONE) else args.currency,
                       name=args.dataset or args.spark_table)


def _report(args: argparse.Namespace) -> pl.DataFrame:
    """The report's table on the workspace's dataset, on a Spark source saved beside it (--dataset
    spark:NAME), or on Spark (--engine spark)."""
    from lib.spark import PREFIX

    given = [f"--{name.replace('_', '-')}" for name in ("spark_table", "spark_members", "spark_nps", "spark_spend",
                                                          "spark_master") if getattr(args, name)]
    if args.dataset and args.dataset.startswith(PREFIX):
        from lib.spark import SparkStore, saved_sources

        if given or args.spark_map or args.currency:
            raise StoreError(f"{args.dataset} is a saved Spark source: its tables, master, mapping and currency "
                             f"are saved with it (python -m lib spark-source add)")
        if args.segment:
            raise StoreError("--segment filters a workspace's dataset by its saved members; a Spark source has none")
        source = saved_sources(args.db or default_path()).get(args.dataset)
        if source is None:
            raise StoreError(f"no Spark source named {args.dataset.removeprefix(PREFIX)!r} "
                             f"(python -m lib spark-source list)")
        filters = _filters(args)
        with SparkStore(source) as store:
            return REPORTS[args.analysis].table(store, store.dataset, filters, args)
    if args.engine == "spark":
        from lib.spark import SparkStore

        if not args.spark_table:
            raise StoreError("--engine spark needs --spark-table TABLE: the order lines (a catalog table or a "
                             "Parquet path)")
        filters, source = _filters(args), _spark_source(args)  # a bad option is said before Spark starts
        with SparkStore(source) as store:
            return REPORTS[args.analysis].table(store, store.dataset, filters, args)
    if given or args.spark_map:
        raise StoreError(f"{(given or ['--spark-map'])[0]} goes with --engine spark")
    if args.currency:
        raise StoreError("--currency goes with --engine spark (a dataset keeps its own: python -m lib ingest --currency)")
    if not args.dataset:
        raise StoreError("report needs --dataset NAME (or --engine spark --spark-table TABLE)")
    with open_for_reading(_existing(args.db), on_wait=_tell) as store:
        ds = store.dataset(args.dataset)
        return REPORTS[args.analysis].table(store, ds, _scoped(store, ds, _filters(args), args), args)


def _segment_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--segment", metavar="NAME", help="only the members of this saved segment")
    parser.add_argument("--segment-mode", choices=MODES, default=DEFAULT_MODE,
                        help="live: its definition on today's data (default); saved: the members it held when saved")


def _segment_parser(sub: argparse._SubParsersAction) -> None:

    segment = sub.add_parser("segment", help="save, list, export, rename or delete saved segments")
    actions = segment.add_subparsers(dest="action", required=True, metavar="ACTION")
    save = actions.add_parser("save", help="save the members behind one number of an analysis as a segment")
    save.add_argument("name")
    save.add_argument("--dataset", required=True)
    save.add_argument("--db", type=Path)
    save.add_argument("--analysis", required=True, choices=[n for n in REPORTS if hasattr(REPORTS[n].module, "members")],
                      help="the analysis whose cell it is (its default options)")
    save.add_argument("--cell", action="append", default=[], metavar="FIELD=VALUE", required=True,
                      help="the cell, e.g. segment=at_risk (rfm), cohort=2024-01-01 and period=1 (cohorts), "
                           "stage=decline (lifecycle)")
    save.add_argument("--as-of", type=date.fromisoformat)
    save.add_argument("--start", type=date.fromisoformat)
    save.add_argument("--end", type=date.fromisoformat)
    save.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE")
    _segment_options(save)
    save.add_argument("--replace", action="store_true", help="replace a segment of the same name")
    listing = actions.add_parser("list", help="list the saved segments")
    listing.add_argument("--db", type=Path)
    export = actions.add_parser("export", help="write a segment's members with chosen columns")
    export.add_argument("name")
    export.add_argument("--db", type=Path)
    export.add_argument("--mode", choices=MODES, default=DEFAULT_MODE)
    export.add_argument("--columns", default=",".join(DEFAULT_EXPORT),
                        help=f"comma-separated, of: {', '.join(EXPORT_COLUMNS)}")
    export.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
    export.add_argument("--out", type=Path)
    rename = actions.add_parser("rename", help="rename a segment")
    rename.add_argument("name")
    rename.add_argument("new_name")
    rename.add_argument("--db", type=Path)
    delete = actions.add_parser("delete", help="delete a segment (its dataset stays)")
    delete.add_argument("name")
    delete.add_argument("--db", type=Path)


def _mapping(pairs: list[str]) -> dict[str, str]:
    return _mapping_of(pairs, "--map", "SOURCE_COLUMN=FIELD")


def _mapping_of(pairs: list[str], option: str, shape: str = "FIELD=VALUE") -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise StoreError(f"{option} takes {shape}, not {pair!r}")
        # a source column may hold "=" (the last one splits); a cell's field never does (the first)
        column, _, target = pair.rpartition("=") if option == "--map" else pair.partition("=")
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


def _scoped(store: Store, ds, filters: Filters, args: argparse.Namespace) -> Filters:
    """`filters` with the --segment's members (live falls back to the snapshot, saying why)."""
    if not getattr(args, "segment", None):
        return filters
    from dataclasses import replace

    from lib import segments

    segment = segments.get(store, args.segment)
    if segment.dataset_id != ds.id:  # another dataset's ids may name other people (M0001 in both)
        raise StoreError(f"segment {args.segment!r} was saved on dataset {segment.dataset_name!r}; it filters only "
                         f"that dataset")
    member_set, fell_back = segments.scope(store, ds, segment, args.segment_mode, segments.inner_stamp(store, segment))
    if fell_back is not None:
        _tell(f"segment {args.segment!r} no longer applies as defined ({fell_back}); using the members it held "
              f"when saved")
    return replace(filters, segment=member_set)


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
            _emit(_report(args), args.format, args.out)
        elif args.command == "segment":
            return _segment(args)
        elif args.command == "spark-source":
            return _spark_sources(args)
        elif args.command == "password":
            return _password()
        elif args.command == "pack":  # the client report (lib/pack.py)
            return _pack(args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # a report that cannot be made for this scope or these options: one line
        # Only plain ValueError (specs and options refused) and ClvUnavailable; a subclass such as
        # numpy's LinAlgError is a bug and keeps its traceback.
        from lib.clv import ClvUnavailable

        if args.command not in ("report", "segment") or type(exc) not in (ValueError, ClvUnavailable):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was changed", file=sys.stderr)
        return 130
    return 0


def _segment(args: argparse.Namespace) -> int:
    from lib import segments

    if args.action in ("list", "export"):
        with open_for_reading(_existing(args.db), on_wait=_tell) as store:
            if args.action == "list":
                frame = segments.listing(store)
                print(json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1))
                return 0
            segment = segments.get(store, args.name)
            ds = segments.dataset_of(store, segment)
            if ds is None:
                member_set, fell_back = segments.saved_set(segment), None
                if args.mode == "live":
                    _tell(f"the dataset of segment {args.name!r} was deleted; exporting the members it held when saved")
            else:
                member_set, fell_back = segments.scope(store, ds, segment, args.mode)
            if fell_back is not None:
                _tell(f"segment {args.name!r} no longer applies as defined ({fell_back}); exporting the members "
                      f"it held when saved")
            columns = tuple(c.strip() for c in args.columns.split(",") if c.strip())
            frame = segments.export(store, ds, member_set, columns if ds is not None else ("member_id",))
        if args.format == "xlsx":
            from lib.tables import excel_bytes

            if args.out is None:
                raise StoreError("--format xlsx needs --out FILE")
            args.out.write_bytes(excel_bytes(frame, [c for c in ("monetary", "predicted_clv") if c in frame.columns],
                                             ds.currency if ds is not None else None))
        else:
            _emit(frame, args.format, args.out)
        return 0
    with Store(args.db, wait=min(lock_wait(), INGEST_LOCK_WAIT), on_wait=_tell) as store:
        if args.action == "save":
            ds = store.dataset(args.dataset)
            definition = segments.cli_definition(REPORTS[args.analysis], _scoped(store, ds, _filters(args), args),
                                                 _mapping_of(args.cell, "--cell"))
            try:
                saved = segments.save(store, ds, args.name, definition, replace_existing=args.replace)
            except segments.SegmentExists:
                raise StoreError(f"a segment named {args.name!r} already exists; pass --replace to replace it") from None
            print(json.dumps({"segment": saved.name, "dataset": saved.dataset_name, "members": saved.members,
                              "data_end": str(saved.data_end)}, ensure_ascii=False))
        elif args.action == "rename":
            segments.rename(store, args.name, args.new_name)
        elif args.action == "delete":
            segments.delete(store, args.name)
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


# -- pack: the client report (lib/pack.py) ----------------------------------------------------

def _pack_window(text: str) -> int | str:
    """--window: a number of days (≥ 1) or "range" (the whole date range)."""
    if text == "range":
        return text
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of days or 'range', not {text!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"at least 1 day, not {days}")
    return days


def _pack(args: argparse.Namespace) -> int:
    """Write the report's HTML (and with --pdf its PDF, through headless Chromium); print one JSON
    line: dataset, html, bytes, charts, pdf. Without Chromium, --pdf stops at once with one line."""
    from lib import pack

    if args.pdf is not None and pack.chromium() is None:
        print("error: --pdf needs Chromium (/usr/bin/chromium or chromium on PATH) and none was found; "
              "nothing was written", file=sys.stderr)
        return 1
    options: dict[str, object] = {}  # what is not given stays the page's default (PackSpec's)
    if args.window is not None:
        options["window_days"] = None if args.window == "range" else args.window
    if args.period is not None:
        options["period"] = args.period
    try:
        spec = pack.PackSpec(_filters(args), args.lang, **options)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with open_for_reading(_existing(args.db), on_wait=_tell) as store:
        ds = store.dataset(args.dataset)
        report = pack.build(store, ds, pack.PackSpec(_scoped(store, ds, spec.filters, args), spec.lang,
                                                     spec.window_days, spec.period))
    markup = report.html()
    try:
        args.out.write_text(markup, encoding="utf-8")
        if args.pdf is not None:
            pack.write_pdf(report.html(for_print=True), args.pdf)
    except (OSError, pack.PdfError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"dataset": ds.name, "html": str(args.out), "bytes": len(markup.encode("utf-8")),
                      "charts": len(report.figures), "pdf": None if args.pdf is None else str(args.pdf)},
                     ensure_ascii=False))
    return 0


# -- end of pack ------------------------------------------------------------------------------


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
