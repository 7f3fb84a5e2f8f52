"""The holdout backtest of the CLV purchase models: fit on purchases up to a cutoff, compare the
predicted purchase days after it with the actual ones, per period, per member and by calibration
repeat purchases (as lifetimes' plot_calibration_purchases_vs_holdout_purchases), and the models
side by side on the same cutoff. Members are those who bought by the cutoff; `start` / `end` do
not apply (the cutoff is the fit date).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

import polars as pl

from lib import btyd
from lib.btyd import MODELS, ModelName
from lib.clv import UNIT_DAYS, ClvSpec, Model, Status, fit_groups, scores, summary_base
from lib.periods import check_period, months_before, period_end_sql, period_starts_sql
from lib.store import Dataset, Store

BacktestPeriod = Literal["week", "month"]
BACKTEST_PERIODS: tuple[BacktestPeriod, ...] = ("week", "month")
# The calibration table groups members by calibration repeat purchases 0 … FREQUENCY_CAP − 1, FREQUENCY_CAP+.
FREQUENCY_CAP = 7
# A backtest whose data, not its fit, stand in the way: the whole report is refused.
BACKTEST_DATA_PROBLEMS = ("no_purchases_before_cutoff", "no_purchases_after_cutoff", "no_buyers",
                          "too_few_repeat_buyers")

BacktestStatus = Literal["ok", "no_purchases_before_cutoff", "no_purchases_after_cutoff"]


@dataclass(frozen=True)
class Backtest:
    """periods: period (first day), period_end, predicted, actual, predicted_cumulative,
    actual_cumulative (purchase days after the cutoff by members who had bought by it);
    members: member_id, frequency (at cutoff), predicted, actual; summary: metric, value."""

    model: Model
    cutoff: date
    periods: pl.DataFrame
    members: pl.DataFrame
    summary: pl.DataFrame

    @property
    def status(self) -> BacktestStatus | Status:
        """ok; no_purchases_before_cutoff / no_purchases_after_cutoff (nothing to fit or to compare
        with: the cutoff is before the first or after the last purchase); else the model's status."""
        if not self.members.height:
            return "no_purchases_before_cutoff"
        if not self.periods.height or not self.periods["actual"].sum():
            return "no_purchases_after_cutoff"
        return "ok" if self.model.usable else self.model.status

    def message(self) -> str:
        status = self.status
        if status == "no_purchases_before_cutoff":
            return f"no purchases on or before the cutoff {self.cutoff}: choose a later cutoff"
        if status == "no_purchases_after_cutoff":
            return f"no purchases after the cutoff {self.cutoff}: choose an earlier cutoff"
        return self.model.message()


def _backtest_data(store: Store, ds: Dataset, spec: ClvSpec, cutoff: date,
                   period: BacktestPeriod) -> tuple[ClvSpec, pl.DataFrame, pl.DataFrame]:
    """(spec without start / end, per member at the cutoff: member_id, frequency, t_x_days, T_days,
    actual; per period of the holdout: period, period_end, actual), shared by the models compared."""
    check_period(period, BACKTEST_PERIODS)
    spec = replace(spec, filters=replace(spec.filters, start=None, end=None))
    s = summary_base(ds, spec, cutoff=cutoff)
    # One pass over the summary at the cutoff gives both: each member's row, and the holdout's
    # purchase days counted per day (the per-period counts sum those; a second query of the
    # summary for them cost 3 of 6 s at 10M lines).
    counted = store.query(s.query("""
        holdout AS MATERIALIZED (
            SELECT DISTINCT p.member_id, p.order_date AS day FROM purchases p
            JOIN member_summary USING (member_id) WHERE p.order_date > $cutoff)
        SELECT m.member_id, m.x AS frequency, m.t_x_days, m.T_days, count(h.day) AS actual, NULL::DATE AS day
        FROM member_summary m LEFT JOIN holdout h USING (member_id) GROUP BY ALL
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, count(*), day FROM holdout GROUP BY day
        ORDER BY member_id NULLS LAST, day"""), s.params)
    per_member = counted.filter(pl.col("member_id").is_not_null()).drop("day")
    days = counted.filter(pl.col("member_id").is_null()).select("day", "actual")
    as_of = "(SELECT as_of FROM fit_point)"
    spans = store.query(s.query(f"""
        spans AS (
            SELECT period, least({period_end_sql(period, "period")}, {as_of}) AS period_end
            FROM (SELECT {period_starts_sql(period, "$cutoff::DATE + 1", as_of)} AS period))
        SELECT period, period_end FROM spans WHERE period_end > $cutoff ORDER BY period"""), s.params)
    in_span = spans.join(days, how="cross").filter(pl.col("day").is_between(pl.col("period"), pl.col("period_end")))
    per_period = spans.join(in_span.group_by("period").agg(pl.col("actual").sum()), on="period", how="left",
                            maintain_order="left").with_columns(pl.col("actual").fill_null(0))
    return spec, per_member, per_period


def _calibration_groups(per_member: pl.DataFrame) -> pl.DataFrame:
    return (per_member.group_by("frequency", "t_x_days", "T_days").agg(n=pl.len())
            .rename({"frequency": "x"}).sort("x", "t_x_days", "T_days"))


# The backtest's cut-off: at least four weeks to calibrate on and one week of holdout after it; by
# default the last six months of data are the holdout.
BACKTEST_MIN_CALIBRATION_DAYS = 28
BACKTEST_MIN_HOLDOUT_DAYS = 7
BACKTEST_DEFAULT_MONTHS = 6


def backtest_cutoffs(first: date | None, last: date | None) -> tuple[date, date, date] | None:
    """(earliest, latest, default) cut-off for data from `first` to `last` purchase date: earliest
    = first + BACKTEST_MIN_CALIBRATION_DAYS, latest = last − BACKTEST_MIN_HOLDOUT_DAYS, default =
    BACKTEST_DEFAULT_MONTHS months before last, kept within them. None when the data are too short."""
    if first is None or last is None:
        return None
    earliest = first + timedelta(days=BACKTEST_MIN_CALIBRATION_DAYS)
    latest = last - timedelta(days=BACKTEST_MIN_HOLDOUT_DAYS)
    if earliest >= latest:
        return None
    return earliest, latest, min(max(months_before(last, BACKTEST_DEFAULT_MONTHS), earliest), latest)


def backtest(store: Store, ds: Dataset, spec: ClvSpec, cutoff: date,
             period: BacktestPeriod = "week") -> Backtest:
    """Fit spec.model on purchases up to `cutoff`; predict purchase days in (cutoff, as_of] for the
    members who had bought by then; compare with what they did. `end` is ignored (the cutoff
    replaces it)."""
    return backtest_models(store, ds, spec, cutoff, (spec.model,), period)[spec.model]


def backtest_models(store: Store, ds: Dataset, spec: ClvSpec, cutoff: date, models: tuple[ModelName, ...] = MODELS,
                    period: BacktestPeriod = "week") -> dict[ModelName, Backtest]:
    """backtest() for each model, the data read once."""
    spec, per_member, per_period = _backtest_data(store, ds, spec, cutoff, period)
    groups = _calibration_groups(per_member)
    return {name: _backtest_frames(fit_groups(groups, None, replace(spec, model=name), cutoff), per_member, per_period,
                                   cutoff) for name in models}


def comparison(results: dict[ModelName, Backtest]) -> pl.DataFrame:
    """One row per model: model, members, predicted (total purchase days over the holdout), actual,
    mae, rmse (per member), relative_error (predicted / actual − 1), status. Null predictions
    where a model's fit cannot be used."""
    rows = []
    for name, bt in results.items():
        s = dict(bt.summary.rows())
        # Without predictions mae, rmse and relative_error are null already (means of nulls).
        rows.append((name, int(s["members"]), s["predicted_total"], int(s["actual_total"]), s["mae_per_member"],
                     s["rmse_per_member"], s["relative_error_total"], bt.status))
    return pl.DataFrame(rows, schema={"model": pl.String, "members": pl.Int64, "predicted": pl.Float64,
                                      "actual": pl.Int64, "mae": pl.Float64, "rmse": pl.Float64,
                                      "relative_error": pl.Float64, "status": pl.String}, orient="row")


def by_frequency(bt: Backtest) -> pl.DataFrame:
    """The calibration table (FHL 2005 fig. 3): members grouped by calibration repeat purchases
    0 … FREQUENCY_CAP − 1 and FREQUENCY_CAP+ (label "7+"): repeat_purchases (label), members,
    predicted and actual mean holdout purchase days per member. predicted null without a usable fit."""
    capped = pl.min_horizontal(pl.col("frequency"), FREQUENCY_CAP)
    return (bt.members.with_columns(bucket=capped)
            .group_by("bucket").agg(members=pl.len(), predicted=pl.col("predicted").mean(),
                                    actual=pl.col("actual").mean().cast(pl.Float64))
            .sort("bucket")
            .with_columns(repeat_purchases=pl.when(pl.col("bucket") == FREQUENCY_CAP)
                          .then(pl.lit(f"{FREQUENCY_CAP}+")).otherwise(pl.col("bucket").cast(pl.String)),
                          predicted=pl.col("predicted").round(4), actual=pl.col("actual").round(4))
            .select("repeat_purchases", "members", "predicted", "actual"))


def _backtest_frames(model: Model, per_member: pl.DataFrame, per_period: pl.DataFrame, cutoff: date) -> Backtest:
    empty = not model.usable or not per_period.height
    groups = per_member.group_by("frequency", "t_x_days", "T_days").agg(n=pl.len())
    days = UNIT_DAYS[model.unit]
    x, t_x, T = (groups[c].to_numpy() / d for c, d in (("frequency", 1), ("t_x_days", days), ("T_days", days)))
    n = groups["n"].to_numpy()
    ends = per_period["period_end"].to_list()
    cumulative = ([None] * len(ends) if empty else
                  btyd.expected_purchase_totals(model.purchases, [(e - cutoff).days / days for e in ends],
                                                x, t_x, T, n))
    periods = per_period.with_columns(
        predicted_cumulative=pl.Series(cumulative, dtype=pl.Float64),
        actual_cumulative=pl.col("actual").cum_sum()).with_columns(
        predicted=pl.col("predicted_cumulative").diff().fill_null(pl.col("predicted_cumulative")),
    ).select("period", "period_end", "predicted", "actual", "predicted_cumulative", "actual_cumulative")
    horizon = ((ends[-1] - cutoff).days / days) if ends else 0.0
    keys = per_member.select("frequency", "t_x_days", "T_days").unique()
    members_frame = per_member.join(scores(model, keys, horizon), on=["frequency", "t_x_days", "T_days"],
                                    how="left").rename({"expected_purchases": "predicted"})
    members_frame = members_frame.select("member_id", "frequency", "predicted", "actual").sort("member_id")
    return Backtest(model, cutoff, periods.with_columns(pl.col("predicted", "predicted_cumulative").round(2)),
                    members_frame.with_columns(pl.col("predicted").round(4)),
                    _backtest_summary(members_frame, horizon))


def _backtest_summary(frame: pl.DataFrame, horizon: float) -> pl.DataFrame:
    error = pl.col("predicted") - pl.col("actual")
    totals = frame.select(
        members=pl.len().cast(pl.Float64), holdout_units=pl.lit(horizon, dtype=pl.Float64),
        predicted_total=pl.when(pl.col("predicted").is_not_null().any()).then(pl.col("predicted").sum()),
        actual_total=pl.col("actual").sum().cast(pl.Float64),
        mae_per_member=error.abs().mean(), rmse_per_member=(error ** 2).mean().sqrt())
    totals = totals.with_columns(error_total=pl.col("predicted_total") - pl.col("actual_total")).with_columns(
        relative_error_total=pl.when(pl.col("actual_total") > 0)
        .then(pl.col("error_total") / pl.col("actual_total")))
    order = ["members", "holdout_units", "predicted_total", "actual_total", "error_total",
             "relative_error_total", "mae_per_member", "rmse_per_member"]
    return totals.select(order).cast(pl.Float64).unpivot(variable_name="metric", value_name="value")


