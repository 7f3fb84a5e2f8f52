"""The command line's reports (`python -m lib report NAME`): one registry entry per analysis, with
its options and how they become the analysis's spec and table. The analysis modules know nothing
of argparse; this module (with lib/__main__.py, which builds the parser from REPORTS) is the only
place that does.

Adding a report: a function adding its options to a parser, one making its table from
(store, ds, filters, args), and a line in REPORTS.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from types import ModuleType

import polars as pl

from lib import currency as currencies
from lib import (activity, backtest, cac, clv, cohorts, first_orders, kpis, lifecycle, nps, pairs, price_bands, repurchase,
                 rfm)
from lib import whatif  # `report whatif`: its options and table live in lib/whatif.py
from lib.filters import ITEM_LEVELS, Filters
from lib.periods import PERIODS
from lib.store import Dataset, Store

Table = Callable[[Store, Dataset, Filters, argparse.Namespace], pl.DataFrame]


@dataclass(frozen=True)
class Report:
    """An analysis as a command-line report: its module (whose docstring's first line is the help;
    it has run(store, ds, spec), cells(store, ds, spec) and members(store, ds, spec, cell)), its
    spec class (made from filters alone for the defaults), the options it adds to the parser, and
    how (filters, parsed options) become its table."""

    module: ModuleType
    spec: type
    options: Callable[[argparse.ArgumentParser], None]
    table: Table

    @property
    def help(self) -> str:
        return (self.module.__doc__ or "").strip().splitlines()[0]


def _no_options(parser: argparse.ArgumentParser) -> None:
    pass


# -- kpis, activity, cohorts ----------------------------------------------------------------------


def _kpis(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    return kpis.run(store, ds, kpis.KpiSpec(filters))


def _period_option(parser: argparse.ArgumentParser, default: str, what: str = "period") -> None:
    parser.add_argument("--period", choices=PERIODS, default=default, help=f"{what} (default {default})")


def _activity(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    return activity.run(store, ds, activity.ActivitySpec(filters, args.period)).select(activity.CLI_COLUMNS)


def _cohort_options(parser: argparse.ArgumentParser) -> None:
    _period_option(parser, cohorts.DEFAULT_PERIOD, "cohort period")
    parser.add_argument("--basis", choices=cohorts.BASES, default=cohorts.DEFAULT_BASIS,
                        help="cohort by first purchase or signup")
    parser.add_argument("--mode", choices=cohorts.MODES, default=cohorts.DEFAULT_MODE,
                        help="classic, unbounded or revenue retention")
    parser.add_argument("--rolling", type=int, choices=cohorts.ROLLING_WINDOWS,
                        help="rolling windows of N days since the anchor (default: calendar periods)")


def _cohorts(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    spec = cohorts.CohortSpec(filters, period=args.period, basis=args.basis, mode=args.mode, rolling=args.rolling)
    return cohorts.run(store, ds, spec).select(cohorts.CLI_COLUMNS)


# -- rfm, lifecycle -------------------------------------------------------------------------------


def _thresholds(text: str) -> rfm.Thresholds:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"thresholds are 4 numbers separated by commas, not {text!r}") from None
    if len(values) != rfm.QUINTILES - 1 or any(a > b for a, b in zip(values, values[1:])):
        raise argparse.ArgumentTypeError(f"thresholds are 4 ascending numbers, not {text!r}")
    return values  # type: ignore[return-value]


def _rfm_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--r-thresholds", type=_thresholds, metavar="T1,T2,T3,T4",
                        help="recency_days <= T1 -> R 5, <= T2 -> 4, <= T3 -> 3, <= T4 -> 2, else 1 "
                             "(default: quintiles)")
    parser.add_argument("--f-thresholds", type=_thresholds, metavar="T1,T2,T3,T4",
                        help="frequency >= T4 -> F 5, >= T3 -> 4, >= T2 -> 3, >= T1 -> 2, else 1")
    parser.add_argument("--m-thresholds", type=_thresholds, metavar="T1,T2,T3,T4",
                        help="monetary >= T4 -> M 5, >= T3 -> 4, >= T2 -> 3, >= T1 -> 2, else 1")
    parser.add_argument("--view", choices=rfm.VIEWS, default="members",
                        help="members (default: one row per buyer), grid, segments, value_groups, thresholds")


def _rfm(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    spec = rfm.RfmSpec(filters, args.r_thresholds, args.f_thresholds, args.m_thresholds)
    view = {"members": rfm.run, "grid": rfm.grid, "segments": rfm.segments, "value_groups": rfm.value_groups,
            "thresholds": rfm.thresholds}[args.view]
    return view(store, ds, spec)


LIFECYCLE_SETTINGS = ("churn_days", "gap_multiple", "spend_ratio", "spend_window_days", "growth_days")


def _lifecycle_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--summary", action="store_true", help="stage, members instead of one row per member")
    parser.add_argument("--funnel", action="store_true", help="step, members (registered → … → stable)")
    parser.add_argument("--churn-days", type=int, default=lifecycle.DEFAULT_CHURN_DAYS,
                        help=f"churned when recency > this (default {lifecycle.DEFAULT_CHURN_DAYS})")
    parser.add_argument("--gap-multiple", type=float, default=lifecycle.DEFAULT_GAP_MULTIPLE,
                        help=f"decline when recency > this × own median gap (default {lifecycle.DEFAULT_GAP_MULTIPLE})")
    parser.add_argument("--spend-ratio", type=float, default=lifecycle.DEFAULT_SPEND_RATIO,
                        help=f"decline when last-window spend ≤ this × the window before "
                             f"(default {lifecycle.DEFAULT_SPEND_RATIO})")
    parser.add_argument("--spend-window-days", type=int, default=lifecycle.DEFAULT_SPEND_WINDOW_DAYS,
                        help=f"length of the two spend windows (default {lifecycle.DEFAULT_SPEND_WINDOW_DAYS})")
    parser.add_argument("--growth-days", type=int, default=lifecycle.DEFAULT_GROWTH_DAYS,
                        help=f"growth while as_of − first purchase ≤ this (default {lifecycle.DEFAULT_GROWTH_DAYS})")


def _lifecycle(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    spec = lifecycle.LifecycleSpec(filters, **{k: getattr(args, k) for k in LIFECYCLE_SETTINGS})
    if args.summary:
        return lifecycle.summary(store, ds, spec)
    if args.funnel:
        return lifecycle.funnel(store, ds, spec)
    return lifecycle.run(store, ds, spec)


# -- repurchase, pairs, first orders, price bands, cac, nps ---------------------------------------------------------------


def _repurchase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", choices=repurchase.BY_COLUMNS, default="category",
                        help="repurchase of which item (default: category)")
    parser.add_argument("--top", type=int, metavar="N",
                        help="only the N items with the most repeat buyers, ranked by them")


def _repurchase(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    spec = repurchase.RepurchaseSpec(filters, args.by)
    if args.top is not None:
        return repurchase.top_repurchased(store, ds, spec, args.top)
    return repurchase.run(store, ds, spec)


def _level_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", choices=ITEM_LEVELS, default="category", help="items by (default: category)")


def _pair_options(parser: argparse.ArgumentParser) -> None:
    _level_option(parser)
    parser.add_argument("--basket", choices=("order", "member"), default="order",
                        help="a basket is one purchase or everything a member bought (default: order)")
    parser.add_argument("--min-support", type=float, default=pairs.DEFAULT_MIN_SUPPORT)
    parser.add_argument("--min-together", type=int, default=pairs.DEFAULT_MIN_TOGETHER)


def _pairs(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    spec = pairs.PairSpec(filters, level=args.level, basket=args.basket, min_support=args.min_support,
                          min_together=args.min_together)
    return pairs.run(store, ds, spec)


def _first_orders(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    return first_orders.run(store, ds, first_orders.FirstOrderSpec(filters, level=args.level))


def _price_band_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--price-bands", type=int, default=price_bands.DEFAULT_PRICE_BANDS)
    parser.add_argument("--high-sensitivity", type=float, default=price_bands.DEFAULT_HIGH_SENSITIVITY,
                        help="discount share of spend from which a member is highly sensitive")


def _price_bands(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    spec = price_bands.PriceBandSpec(filters, price_bands=args.price_bands, high_sensitivity=args.high_sensitivity)
    return price_bands.labelled(price_bands.run(store, ds, spec), currencies.symbol(ds.currency))


def _cac_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", choices=PERIODS, default=cac.DEFAULT_PERIOD)
    parser.add_argument("--by-channel", action="store_true", help="add a row per channel")


def _cac(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    return cac.run(store, ds, cac.CacSpec(filters, args.period, args.by_channel))


def _nps_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", choices=nps.BYS, default="period", help="group responses by (default: period)")
    parser.add_argument("--period", choices=PERIODS, default=nps.DEFAULT_PERIOD,
                        help=f"period length for --by period (default: {nps.DEFAULT_PERIOD})")


def _nps(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    return nps.run(store, ds, nps.NpsSpec(filters, args.by, args.period))


# -- clv ------------------------------------------------------------------------------------------

CLV_NOTE_TEXT = {"no_dropout": "no one appears to drop out: predictions follow the NBD limit (P(alive) = 1)",
                 "same_dropout": "every member appears to drop out with the same probability after a purchase: "
                                 "predictions follow that limit"}


def _clv_options(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Predicted CLV per member: member_id, frequency, recency, T, monetary, p_alive, churn_probability, "
        "expected_purchases, expected_spend, predicted_clv, first_purchase, last_purchase, expected_next_date, "
        "days_overdue. Fitted on purchases up to --end (else --as-of); --start does not apply (the models "
        "need each member's whole history).")
    parser.add_argument("--unit", choices=clv.UNITS, default=clv.DEFAULT_UNIT,
                        help="time unit of recency, T, --horizon and alpha / beta (default %(default)s)")
    parser.add_argument("--horizon", type=float, default=clv.DEFAULT_HORIZON,
                        help="units ahead for expected purchases and CLV (default %(default)s)")
    parser.add_argument("--margin", type=float, default=clv.DEFAULT_MARGIN,
                        help="gross margin as a fraction, 0.4 for 40 %% (default %(default)s = CLV in revenue)")
    parser.add_argument("--model", choices=clv.MODELS, default=None,
                        help=f"purchase model (default {clv.DEFAULT_MODEL}; --backtest without it compares all three)")
    parser.add_argument("--params", action="store_true",
                        help="print the fitted parameters instead: param, value, std_error, verdict, reason, "
                             "log_likelihood, decrement")
    parser.add_argument("--backtest", type=date.fromisoformat, metavar="CUTOFF",
                        help="fit on purchases up to CUTOFF, compare predicted and actual purchase days after it: "
                             "model, members, predicted, actual, mae, rmse, relative_error, status")
    parser.add_argument("--by-frequency", action="store_true",
                        help="with --backtest: mean predicted vs actual by calibration repeat purchases (0 … 7+)")


def _clv_refuse_ignored(filters: Filters, args: argparse.Namespace) -> None:
    """Options that would be silently ignored together are refused instead."""
    if args.by_frequency and args.backtest is None:
        raise ValueError("--by-frequency goes with --backtest CUTOFF")
    if args.backtest is not None and args.params:
        raise ValueError("--params and --backtest are two different reports: choose one")
    if args.backtest is not None and (filters.start or filters.end):
        raise ValueError("--start / --end do not apply to --backtest (the cutoff is the fit date)")


def _clv_notes(model: clv.Model, name: str) -> None:
    """What a boundary solution means, on stderr (as ingest's notes)."""
    for note in model.notes:
        print(f"note: {clv.MODEL_LABELS[name]}: {CLV_NOTE_TEXT[note]}", file=sys.stderr)


def _clv(store: Store, ds: Dataset, filters: Filters, args: argparse.Namespace) -> pl.DataFrame:
    """Raises ClvUnavailable (one line on stderr, exit 1) where the report cannot be given whole (a
    table with a column of nulls would pass silently into a spreadsheet)."""
    _clv_refuse_ignored(filters, args)
    spec = clv.ClvSpec(filters, args.unit, args.horizon, args.margin, args.model or clv.DEFAULT_MODEL)
    if args.backtest is not None:
        results = backtest.backtest_models(store, ds, spec, args.backtest, (args.model,) if args.model else clv.MODELS)
        failed = [bt for bt in results.values() if bt.status in backtest.BACKTEST_DATA_PROBLEMS]
        if failed:
            raise clv.ClvUnavailable(failed[0].status, failed[0].message())
        for name, bt in results.items():
            _clv_notes(bt.model, name)
        if args.by_frequency:
            return pl.concat([backtest.by_frequency(bt).select(pl.lit(name).alias("model"), pl.all())
                              for name, bt in results.items()])
        return backtest.comparison(results)
    model = clv.fit(store, ds, spec)
    if args.params:  # parameters with their verdict, even of a fit that failed
        if model.status in ("no_buyers", "too_few_repeat_buyers"):
            raise clv.ClvUnavailable(model.status, model.message())
        _clv_notes(model, model.name)
        return clv.params(model)
    if model.status != "ok":  # never a table of silent nulls
        raise clv.ClvUnavailable(model.status, model.message())
    _clv_notes(model, model.name)
    return clv.run(store, ds, spec, model)


REPORTS: dict[str, Report] = {
    "kpis": Report(kpis, kpis.KpiSpec, _no_options, _kpis),
    "cohorts": Report(cohorts, cohorts.CohortSpec, _cohort_options, _cohorts),
    "rfm": Report(rfm, rfm.RfmSpec, _rfm_options, _rfm),
    "lifecycle": Report(lifecycle, lifecycle.LifecycleSpec, _lifecycle_options, _lifecycle),
    "activity": Report(activity, activity.ActivitySpec, lambda parser: _period_option(parser, activity.DEFAULT_PERIOD),
                       _activity),
    "nps": Report(nps, nps.NpsSpec, _nps_options, _nps),
    "clv": Report(clv, clv.ClvSpec, _clv_options, _clv),
    "cac": Report(cac, cac.CacSpec, _cac_options, _cac),
    "repurchase": Report(repurchase, repurchase.RepurchaseSpec, _repurchase_options, _repurchase),
    "pairs": Report(pairs, pairs.PairSpec, _pair_options, _pairs),
    "first_orders": Report(first_orders, first_orders.FirstOrderSpec, _level_option, _first_orders),
    "price_bands": Report(price_bands, price_bands.PriceBandSpec, _price_band_options, _price_bands),
    "whatif": Report(whatif, whatif.WhatIfSpec, whatif.cli_options, whatif.cli_table),
}


def parser(name: str) -> argparse.ArgumentParser:
    """A parser of report `name`'s own options (lib/__main__.py adds the common ones)."""
    out = argparse.ArgumentParser(prog=f"python -m lib report {name}")
    REPORTS[name].options(out)
    return out


def table(store: Store, ds: Dataset, name: str, argv: Sequence[str] = (), filters: Filters = Filters()) -> pl.DataFrame:
    """Report `name` with options as on the command line (`["--period", "week"]`) under `filters`."""
    return REPORTS[name].table(store, ds, filters, parser(name).parse_args(list(argv)))
