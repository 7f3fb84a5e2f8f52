"""Customer lifetime value: predictive (BG/NBD, MBG/NBD or Pareto/NBD + Gamma-Gamma) and
historical (SPEC formula).

Member summary (SPEC "Predictive CLV"; SQL over the filtered base's `purchases`):
- fit date = `end` when set (and before as_of), else as_of; purchases after it do not exist for
  the fit. `start` does not apply: the model needs each member's whole history.
- purchases on the same calendar day collapse into one *purchase day*, whose amount is the sum
  of those purchases' net amounts (refund-only orders are not purchases, so they count nowhere);
- frequency x = purchase days − 1 (repeat purchase days); recency t_x = first to last purchase
  day; T = first purchase day to the fit date; all three in the chosen unit: day = 1 day,
  week = 7 days, month = 365.25 / 12 = 30.4375 days;
- monetary = mean amount of the repeat purchase days (null when x = 0).

The models (lib/btyd.py, with their papers): `spec.model` picks the purchase model; DEFAULT_MODEL
is MBG/NBD, a documented fixed choice: unlike BG/NBD it gives a member without a repeat purchase
a real P(alive) (BG/NBD says 100 % for a one-time buyer gone for a year, beside a "churned"
lifecycle stage); it fits CDNOW as well as BG/NBD and better than Pareto/NBD (log-likelihood
−9582.1 vs −9582.4 and −9595.0) with the same per-member holdout error (RMSE 1.607 vs 1.608 and
1.603), though its holdout total is lower (1,577 vs 1,653 and 1,666 of 1,882 actual); and it keeps
BG/NBD's analytic gradient, so 2M buyers fit in seconds. The page's backtest compares all three
on the dataset itself. Every model is fitted in days (the unit only changes how alpha / beta are
reported and what the horizon means), so day, week and month give the same predictions.

Gamma-Gamma: p, q, gamma on (x, monetary) of the members with x > 0 (monetary is then > 0: every
purchase day nets > 0). Expected average spend per purchase day = p (gamma + x m) / (p x + q − 1);
for x = 0 the population mean p gamma / (q − 1) (null when q ≤ 1). predicted_clv =
expected_purchases × expected_spend × margin (margin 1.0 = revenue, not profit; e.g. 0.4 for
gross profit). No discounting (rate 0). churn_probability = 1 − P(alive).

Whether a fit can be used is judged on the fit (btyd.judge: gradient, standard errors, a second
start), never on the optimiser's status flag. A boundary solution (e.g. "no one appears to drop
out") still predicts and says so (Model.notes); a fit that did not converge gives null model
columns, and Model.status says why: no_buyers, too_few_repeat_buyers (fewer than
MIN_REPEAT_BUYERS members with a repeat purchase: nothing is fitted), not_converged,
spend_not_converged, spend_no_mean (Gamma-Gamma's q ≤ 1: no mean spend, so no CLV).

Expected date of next order (GLOSSARY, Klaviyo's label): for x ≥ 1, last purchase day + the
member's mean gap t_x / x (in days, rounded half away from zero); days_overdue = fit date − that
date when positive, else 0. We use the member's own rhythm rather than a model quantity: under
these models the expected wait is measured from the fit date (memoryless), so nobody would ever
be "overdue". Null for x = 0.

Historical CLV (SPEC): annual net revenue per buyer × margin × lifetime in years − CAC, with
lifetime = 1 / annual churn rate; see `historical`.

For the 5W1H page: `value_bands` / `band_members` (predicted CLV by band), `top_bands`, and
`pre_churn` (P(alive) below a threshold or an RFM segment that signals leaving).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

import polars as pl

from lib import btyd
from lib import cac as cac_module
from lib import rfm
from lib.btyd import MODELS, Fitted, ModelName
from lib.filters import Base, Filters, base
from lib.periods import check_period, months_before, period_end_sql, period_starts_sql
from lib.store import Dataset, Store

Unit = Literal["day", "week", "month"]
UNITS: tuple[Unit, ...] = ("day", "week", "month")
UNIT_DAYS: dict[Unit, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
BacktestPeriod = Literal["week", "month"]
BACKTEST_PERIODS: tuple[BacktestPeriod, ...] = ("week", "month")
DEFAULT_UNIT: Unit = "week"
DEFAULT_HORIZON = 52
DEFAULT_MARGIN = 1.0
DEFAULT_MODEL: ModelName = "mbgnbd"
MODEL_LABELS = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD"}
# Below this many members with a repeat purchase nothing is fitted (Model.status too_few_repeat_buyers).
MIN_REPEAT_BUYERS = 20
# The calibration table groups members by calibration repeat purchases 0 … FREQUENCY_CAP − 1, FREQUENCY_CAP+.
FREQUENCY_CAP = 7
YEAR_DAYS = 365

SCHEMA = {"member_id": pl.String, "frequency": pl.Int64, "recency": pl.Float64, "T": pl.Float64,
          "monetary": pl.Float64, "p_alive": pl.Float64, "churn_probability": pl.Float64,
          "expected_purchases": pl.Float64, "expected_spend": pl.Float64, "predicted_clv": pl.Float64,
          "first_purchase": pl.Date, "last_purchase": pl.Date, "expected_next_date": pl.Date,
          "days_overdue": pl.Int64}


class ClvUnavailable(ValueError):
    """Predictions or a backtest cannot be given for this scope; `status` says why (a key of
    lib/i18n/clv.py's `clv.status_*`), the message in English for the command line."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ClvSpec:
    filters: Filters = field(default_factory=Filters)
    unit: Unit = DEFAULT_UNIT
    horizon: float = DEFAULT_HORIZON
    margin: float = DEFAULT_MARGIN
    model: ModelName = DEFAULT_MODEL

    def __post_init__(self) -> None:
        if self.unit not in UNIT_DAYS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, not {self.model!r}")
        if not 0 <= self.horizon < float("inf"):
            raise ValueError(f"horizon must be a number of {self.unit}s ≥ 0, not {self.horizon}")
        if not 0 <= self.margin <= 1:  # a fraction: 0.4 for a 40 % gross margin, 1 for revenue
            raise ValueError(f"margin must be a fraction between 0 and 1 (0.4 for 40 %), not {self.margin}")


# -- SQL: the member summary ---------------------------------------------------------------


def _summary(ds: Dataset, spec: ClvSpec) -> Base:
    """Base + `fit_point(fit_date, as_of)`, `purchase_days`, `member_summary(member_id, x,
    first_day, last_day, t_x_days, T_days, monetary)`; bind `cutoff` (None = end / as_of)."""
    b = base(ds, spec.filters)
    ctes = """
        fit_point AS (SELECT coalesce($cutoff::DATE, least(end_date, as_of)) AS fit_date, as_of FROM bounds),
        -- What was known at the fit date: an order's lines dated by then (a later refund must
        -- not remove a purchase the model could see), kept when they net > 0.
        fit_orders AS (
            SELECT member_id, min(order_date) AS day, sum(amount) AS net_amount FROM scoped_lines
            WHERE order_date <= (SELECT fit_date FROM fit_point)
            GROUP BY member_id, order_id HAVING sum(amount) > 0),
        purchase_days AS (
            SELECT member_id, day, sum(net_amount) AS amount FROM fit_orders GROUP BY member_id, day),
        member_summary AS (
            SELECT member_id, (count(*) - 1)::BIGINT AS x, min(day) AS first_day, max(day) AS last_day,
                   max(day) - min(day) AS t_x_days, (SELECT fit_date FROM fit_point) - min(day) AS T_days,
                   CASE WHEN count(*) > 1
                        THEN ((sum(amount) - arg_min(amount, day)) / (count(*) - 1))::DOUBLE END AS monetary
            FROM purchase_days GROUP BY member_id)"""
    return Base(f"{b.ctes},{ctes}", b.params)


def summary(store: Store, ds: Dataset, spec: ClvSpec, cutoff: date | None = None) -> pl.DataFrame:
    """One row per member who bought by the fit date: member_id, frequency (x), recency (t_x),
    T (both in spec.unit), monetary (null for x = 0), t_x_days, T_days, first_purchase,
    last_purchase, fit_date; sorted by member_id."""
    s = _summary(ds, spec)
    sql = s.query("""
        SELECT member_id, x AS frequency, t_x_days, T_days, monetary, first_day AS first_purchase,
               last_day AS last_purchase, (SELECT fit_date FROM fit_point) AS fit_date
        FROM member_summary ORDER BY member_id""")
    unit = UNIT_DAYS[spec.unit]
    frame = store.query(sql, {**s.params, "cutoff": cutoff})
    return frame.with_columns(recency=pl.col("t_x_days") / unit, T=pl.col("T_days") / unit).select(
        "member_id", "frequency", "recency", "T", "monetary", "t_x_days", "T_days", "first_purchase",
        "last_purchase", "fit_date")


# -- fitting and scoring --------------------------------------------------------------------

Status = Literal["ok", "no_buyers", "too_few_repeat_buyers", "not_converged", "spend_not_converged",
                 "spend_no_mean"]


@dataclass(frozen=True)
class Model:
    """The purchase model `name` and Gamma-Gamma fitted on one dataset scope at fit_date.
    purchases and gamma_gamma are None when nothing was fitted (see status). Time parameters
    are per `unit` (fitted in days, see the module docstring); gamma is in money."""

    unit: Unit
    fit_date: date | None
    name: ModelName
    purchases: Fitted | None
    gamma_gamma: Fitted | None
    buyers: int
    repeat_buyers: int
    seconds: float
    with_spend: bool = True  # False: purchases only (a backtest), so no spend status

    @property
    def usable(self) -> bool:
        """Purchases can be predicted (P(alive), expected purchases)."""
        return self.status in ("ok", "spend_not_converged", "spend_no_mean")

    @property
    def status(self) -> Status:
        """What stands between this scope and a prediction: ok, or why not. Below MIN_REPEAT_BUYERS
        members who bought twice nothing is fitted: a handful of repeat buyers cannot tell dropout
        from chance, whatever an optimiser says."""
        if not self.buyers:
            return "no_buyers"
        if self.repeat_buyers < MIN_REPEAT_BUYERS:
            return "too_few_repeat_buyers"
        if not (self.purchases and self.purchases.usable):
            return "not_converged"
        if self.with_spend and not (self.gamma_gamma and self.gamma_gamma.usable):
            return "spend_not_converged"
        if self.with_spend and self.gamma_gamma["q"] <= 1:  # E[spend] = p γ / (q − 1) does not exist
            return "spend_no_mean"
        return "ok"

    @property
    def notes(self) -> tuple[str, ...]:
        """What the usable fits' boundary solutions mean: btyd.boundary_reason keys (e.g. no_dropout)."""
        fits = (self.purchases, self.gamma_gamma) if self.usable else ()
        return tuple(reason for f in fits if f is not None and (reason := btyd.boundary_reason(f)))

    @property
    def runaway(self) -> str | None:
        """Where a purchase fit that did not converge was running, if that has a plain meaning
        (btyd.runaway_reason: same_dropout_rate)."""
        return btyd.runaway_reason(self.purchases) if self.status == "not_converged" and self.purchases else None

    def message(self) -> str:
        """The status as one English sentence (the command line's); the pages use lib/i18n/clv.py."""
        if self.runaway:
            return f"the {MODEL_LABELS[self.name]} fit did not converge on this scope: {RUNAWAY_TEXT[self.runaway]}"
        return {
            "ok": "ok",
            "no_buyers": "no purchases by the fit date in this scope",
            "too_few_repeat_buyers": f"too few repeat buyers to fit a model ({self.repeat_buyers} of "
                                     f"{self.buyers} buyers bought more than once by the fit date)",
            "not_converged": f"the {MODEL_LABELS[self.name]} fit did not converge on this scope",
            "spend_not_converged": "the Gamma-Gamma spend fit did not converge on this scope",
            "spend_no_mean": "the Gamma-Gamma spend fit has no mean spend per purchase (q ≤ 1): predicted CLV "
                             "cannot be given",
        }[self.status]


def fit(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(), cutoff: date | None = None) -> Model:
    """Fit spec.model and Gamma-Gamma on the summary at the fit date (cutoff, else end, else
    as_of), grouped in SQL by distinct (x, t_x_days, T_days) and (x, monetary)."""
    s = _summary(ds, spec)
    sql = s.query("""
        groups AS (
            SELECT 'purchases' AS part, x, t_x_days, T_days, NULL::DOUBLE AS monetary, count(*) AS n
            FROM member_summary GROUP BY x, t_x_days, T_days
            UNION ALL
            SELECT 'gg', x, NULL, NULL, monetary, count(*) FROM member_summary WHERE x > 0 GROUP BY x, monetary)
        SELECT g.*, f.fit_date FROM groups g, fit_point f ORDER BY part, x, t_x_days, T_days, monetary""")
    groups = store.query(sql, {**s.params, "cutoff": cutoff})
    fit_date = groups["fit_date"][0] if groups.height else None
    purchases = groups.filter(pl.col("part") == "purchases")
    return _fit(purchases, groups.filter(pl.col("part") == "gg"), spec, fit_date)


def _fit(purchases: pl.DataFrame, spend: pl.DataFrame | None, spec: ClvSpec, fit_date: date | None) -> Model:
    """purchases: x, t_x_days, T_days, n; spend: x, monetary, n (None: not needed, e.g. a backtest)."""
    started = time.perf_counter()
    buyers = int(purchases["n"].sum()) if purchases.height else 0
    repeat = int(purchases.filter(pl.col("x") > 0)["n"].sum()) if purchases.height else 0
    fitted = gg = None
    if repeat >= MIN_REPEAT_BUYERS:  # fewer: too little to learn dropout or spend from
        fitted = btyd.fit(spec.model, purchases["x"].to_numpy(), purchases["t_x_days"].to_numpy(),
                          purchases["T_days"].to_numpy(), purchases["n"].to_numpy()).in_unit(UNIT_DAYS[spec.unit])
        if spend is not None and spend.height:
            gg = btyd.fit_gamma_gamma(spend["x"].to_numpy(), spend["monetary"].to_numpy(), spend["n"].to_numpy())
    return Model(spec.unit, fit_date, spec.model, fitted, gg, buyers, repeat, time.perf_counter() - started,
                 spend is not None)


def _scores(model: Model, keys: pl.DataFrame, horizon: float) -> pl.DataFrame:
    """p_alive and expected_purchases for distinct (frequency, t_x_days, T_days) rows (null
    without a usable fit)."""
    if not model.usable:
        return keys.with_columns(p_alive=pl.lit(None, pl.Float64), expected_purchases=pl.lit(None, pl.Float64))
    days = UNIT_DAYS[model.unit]
    x, t_x, T = keys["frequency"].to_numpy(), keys["t_x_days"].to_numpy() / days, keys["T_days"].to_numpy() / days
    return keys.with_columns(
        p_alive=pl.Series(btyd.p_alive(model.purchases, x, t_x, T)).fill_nan(None),
        expected_purchases=pl.Series(btyd.expected_purchases(model.purchases, horizon, x, t_x, T)).fill_nan(None))


def run(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(), model: Model | None = None) -> pl.DataFrame:
    """Columns (SCHEMA): member_id, frequency, recency, T (units), monetary, p_alive,
    churn_probability (1 − p_alive), expected_purchases (next spec.horizon units), expected_spend,
    predicted_clv, first_purchase, last_purchase, expected_next_date, days_overdue. Sorted by
    member_id. Amounts 2 dp; recency, T, p_alive, churn_probability and expected_purchases 4 dp.
    Model columns are null without a usable fit (Model.status says why). Pass `model` to reuse a
    fit (it must be of spec.model in spec.unit)."""
    model = model or fit(store, ds, spec)
    if (model.unit, model.name) != (spec.unit, spec.model):
        raise ValueError(f"the model is {model.name} in {model.unit}s, the spec asks for {spec.model} in {spec.unit}s")
    frame = summary(store, ds, spec)
    if not frame.height:
        return pl.DataFrame(schema=SCHEMA)
    keys = frame.select("frequency", "t_x_days", "T_days").unique()
    frame = frame.join(_scores(model, keys, spec.horizon), on=["frequency", "t_x_days", "T_days"], how="left")
    spend = (pl.Series(btyd.expected_spend(model.gamma_gamma, frame["frequency"].to_numpy(),
                                           frame["monetary"].to_numpy())).fill_nan(None)
             if model.status == "ok" else pl.repeat(None, frame.height, dtype=pl.Float64, eager=True))
    gap_days = (pl.col("t_x_days") / pl.col("frequency")).round(0, mode="half_away_from_zero").cast(pl.Int64)
    next_date = pl.when(pl.col("frequency") > 0).then(pl.col("last_purchase") + pl.duration(days=gap_days))
    return frame.with_columns(expected_spend=spend).with_columns(
        predicted_clv=(pl.col("expected_purchases") * pl.col("expected_spend") * spec.margin).round(2),
        expected_spend=pl.col("expected_spend").round(2),
        monetary=pl.col("monetary").round(2),
        recency=pl.col("recency").round(4),
        T=pl.col("T").round(4),
        p_alive=pl.col("p_alive").round(4),
        churn_probability=(1 - pl.col("p_alive")).round(4),
        expected_purchases=pl.col("expected_purchases").round(4),
        expected_next_date=next_date.cast(pl.Date),
    ).with_columns(
        days_overdue=pl.max_horizontal((pl.col("fit_date") - pl.col("expected_next_date")).dt.total_days(),
                                       pl.when(pl.col("expected_next_date").is_not_null()).then(0)),
    ).select(list(SCHEMA)).cast(SCHEMA).sort("member_id")


def params(model: Model) -> pl.DataFrame:
    """param, value, std_error, verdict, reason, log_likelihood, decrement: the purchase model's
    parameters (r, alpha, a, b for the BG models; r, alpha, s, beta for Pareto/NBD; alpha and beta
    per model.unit), then p, q, gamma (Gamma-Gamma). verdict is btyd's (converged, boundary,
    not_converged); reason what a boundary means (btyd.boundary_reason) or where a failed fit was
    running (btyd.runaway_reason), else null; log_likelihood (in model.unit) and decrement (the
    Newton decrement judge() checks) are the fit's, repeated on its rows. Every column null for a
    model that could not be fitted (no repeat buyers); std_error null at a boundary."""
    rows = []
    for fitted, own in ((model.purchases, btyd.PARAMS[model.name]), (model.gamma_gamma, btyd.PARAMS["gamma_gamma"])):
        reason = fitted and (btyd.boundary_reason(fitted) or btyd.runaway_reason(fitted))
        for i, name in enumerate(own):
            rows.append((name, fitted.values[i], fitted.std_errors[i], fitted.verdict, reason, fitted.log_likelihood,
                         fitted.decrement) if fitted else (name, None, None, None, None, None, None))
    return pl.DataFrame(rows, schema={"param": pl.String, "value": pl.Float64, "std_error": pl.Float64,
                                      "verdict": pl.String, "reason": pl.String, "log_likelihood": pl.Float64,
                                      "decrement": pl.Float64}, orient="row").with_columns(
        pl.col("std_error", "decrement").fill_nan(None))


MemberCell = Literal["all", "top_clv", "p_alive_below", "overdue"]


def members(store: Store, ds: Dataset, spec: ClvSpec, cell: MemberCell = "all",
            value: float | None = None, model: Model | None = None) -> pl.DataFrame:
    """The members behind a number: "top_clv" (the `value` highest predicted CLV; ties at the cut
    broken by member_id, so exactly that many), "p_alive_below" (p_alive < value), "overdue"
    (days_overdue > 0), "all". Columns as run(); sorted by member_id."""
    frame = run(store, ds, spec, model)
    if cell == "top_clv":
        ranked = frame.filter(pl.col("predicted_clv").is_not_null()).sort(
            ["predicted_clv", "member_id"], descending=[True, False])
        return ranked.head(int(value or 0)).sort("member_id")
    if cell == "p_alive_below":
        return frame.filter(pl.col("p_alive") < value)
    if cell == "overdue":
        return frame.filter(pl.col("days_overdue") > 0)
    if cell == "all":
        return frame
    raise ValueError(f"no members behind {cell!r}")


# -- holdout backtest -----------------------------------------------------------------------

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
    actual; per period of the holdout: period, period_end, actual). One query each, shared by the
    models compared."""
    check_period(period, BACKTEST_PERIODS)
    spec = replace(spec, filters=Filters(None, None, spec.filters.as_of, spec.filters.where))
    s = _summary(ds, spec)
    holdout = """
        holdout AS (
            SELECT DISTINCT p.member_id, p.order_date AS day FROM purchases p
            JOIN member_summary USING (member_id) WHERE p.order_date > $cutoff)"""
    params = {**s.params, "cutoff": cutoff}
    per_member = store.query(s.query(holdout + """
        SELECT m.member_id, m.x AS frequency, m.t_x_days, m.T_days, count(h.day) AS actual
        FROM member_summary m LEFT JOIN holdout h USING (member_id)
        GROUP BY ALL ORDER BY m.member_id"""), params)
    as_of = "(SELECT as_of FROM fit_point)"
    per_period = store.query(s.query(holdout + f""",
        spans AS (
            SELECT period, least({period_end_sql(period, "period")}, {as_of}) AS period_end
            FROM (SELECT {period_starts_sql(period, "$cutoff::DATE + 1", as_of)} AS period))
        SELECT s.period, s.period_end, count(h.day) AS actual
        FROM spans s LEFT JOIN holdout h ON h.day BETWEEN s.period AND s.period_end
        WHERE s.period_end > $cutoff
        GROUP BY ALL ORDER BY s.period"""), params)
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
    return {name: _backtest_frames(_fit(groups, None, replace(spec, model=name), cutoff), per_member, per_period,
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
    # One vectorised pass over the member groups per period (periods, not members, are looped).
    cumulative = [None if empty else
                  float(n @ btyd.expected_purchases(model.purchases, (e - cutoff).days / days, x, t_x, T))
                  for e in ends]
    periods = per_period.with_columns(
        predicted_cumulative=pl.Series(cumulative, dtype=pl.Float64),
        actual_cumulative=pl.col("actual").cum_sum()).with_columns(
        predicted=pl.col("predicted_cumulative").diff().fill_null(pl.col("predicted_cumulative")),
    ).select("period", "period_end", "predicted", "actual", "predicted_cumulative", "actual_cumulative")
    horizon = ((ends[-1] - cutoff).days / days) if ends else 0.0
    keys = per_member.select("frequency", "t_x_days", "T_days").unique()
    members_frame = per_member.join(_scores(model, keys, horizon), on=["frequency", "t_x_days", "T_days"],
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


# -- historical CLV -------------------------------------------------------------------------


def historical(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(), margin: float | None = None,
               annual_revenue_per_buyer: float | None = None, annual_churn_rate: float | None = None,
               cac: float | None = None) -> pl.DataFrame:
    """Historical CLV = annual_revenue_per_buyer × margin × lifetime_years − cac, every input a row.

    Reference date = end when set, else as_of; "last year" = the 365 days up to it, "the year
    before" the 365 days before those. annual_revenue_per_buyer = net revenue of the scoped lines
    in the last year / members with a purchase in it; annual_churn_rate = members with a purchase
    in the year before and none in the last year / members with a purchase in the year before;
    lifetime_years = 1 / annual_churn_rate (null when it is 0); cac = spend dated in the last year
    / new buyers whose first purchase is in it (lib.cac.totals; 0 without spend rows; null under a
    filter spend cannot follow, see lib.cac.spend_scoped). Any keyword replaces the computed input
    (source "override"). Columns: input, value, source, note (why a computed input is null: the
    cac row's lib.cac cac_note; else null).
    """
    margin = spec.margin if margin is None else margin
    if min(v for v in (margin, annual_revenue_per_buyer, annual_churn_rate, cac, 0) if v is not None) < 0 or \
            (annual_churn_rate or 0) > 1:
        raise ValueError("margin, revenue and cac must be ≥ 0 and the churn rate within [0, 1]")
    inputs = _historical_inputs(store, ds, spec)
    computed_cac, cac_note = inputs.pop("cac"), inputs.pop("cac_note")
    values = {"revenue_last_year": inputs["revenue_last_year"], "buyers_last_year": inputs["buyers_last_year"],
              "buyers_prior_year": inputs["buyers_prior_year"], "churned_buyers": inputs["churned_buyers"]}
    rows = [(k, v, "computed", None) for k, v in values.items()]
    chosen = {}
    for name, override, computed in (
            ("annual_revenue_per_buyer", annual_revenue_per_buyer, inputs["annual_revenue_per_buyer"]),
            ("annual_churn_rate", annual_churn_rate, inputs["annual_churn_rate"]),
            ("cac", cac, computed_cac)):
        chosen[name] = computed if override is None else float(override)
        note = cac_note if name == "cac" and override is None and computed is None else None
        rows.append((name, chosen[name], "computed" if override is None else "override", note))
    churn, revenue = chosen["annual_churn_rate"], chosen["annual_revenue_per_buyer"]
    lifetime = 1 / churn if churn else None
    rows.append(("lifetime_years", lifetime, "result", None))
    rows.append(("gross_margin", float(margin), "input", None))
    clv = (revenue * margin * lifetime - chosen["cac"]
           if None not in (revenue, lifetime, chosen["cac"]) else None)
    rows.append(("historical_clv", None if clv is None else round(clv, 2), "result", None))
    return pl.DataFrame(rows, schema={"input": pl.String, "value": pl.Float64, "source": pl.String,
                                      "note": pl.String}, orient="row")


_YEARLY = """
        ref AS (SELECT least(end_date, as_of) AS ref FROM bounds),
        yearly AS (
            SELECT DISTINCT member_id,
                   CASE WHEN order_date > ref - $year::INTEGER THEN 'last' ELSE 'prior' END AS yr
            FROM purchases, ref WHERE order_date > ref - 2 * $year::INTEGER AND order_date <= ref),
        churned AS (
            SELECT member_id FROM yearly WHERE yr = 'prior'
            EXCEPT SELECT member_id FROM yearly WHERE yr = 'last')"""
HistoricalCell = Literal["buyers_last_year", "buyers_prior_year", "churned_buyers"]


def value_vs_cac(historical_frame: pl.DataFrame) -> tuple[float | None, float | None]:
    """From historical()'s rows: what a retained buyer is worth in a year (annual_revenue_per_buyer
    × gross_margin) and how many times that covers CAC (null when either is missing or CAC is 0)."""
    values = dict(zip(historical_frame["input"], historical_frame["value"]))
    revenue, margin, cac = values["annual_revenue_per_buyer"], values["gross_margin"], values["cac"]
    annual = None if revenue is None else revenue * margin
    return annual, (annual / cac if annual is not None and cac else None)


def _historical_inputs(store: Store, ds: Dataset, spec: ClvSpec) -> dict[str, float | None]:
    b = base(ds, spec.filters)
    sql = b.query(_YEARLY + """
        SELECT (SELECT ref FROM ref) AS ref,
               (SELECT coalesce(sum(amount), 0)::DOUBLE FROM scoped_lines, ref
                WHERE order_date > ref - $year::INTEGER AND order_date <= ref) AS revenue_last_year,
               count(*) FILTER (WHERE yr = 'last') AS buyers_last_year,
               count(*) FILTER (WHERE yr = 'prior') AS buyers_prior_year,
               (SELECT count(*) FROM churned) AS churned_buyers
        FROM yearly""")
    row = store.query(sql, {**b.params, "year": YEAR_DAYS}).row(0, named=True)
    ref: date | None = row.pop("ref")
    totals = (cac_module.totals(store, ds, spec.filters, ref - timedelta(days=YEAR_DAYS - 1), ref)
              if ref else {"spend_rows": 0, "cac": None, "cac_note": None})
    buyers, prior = row["buyers_last_year"], row["buyers_prior_year"]
    return {
        "revenue_last_year": round(row["revenue_last_year"], 2),
        "buyers_last_year": float(buyers),
        "buyers_prior_year": float(prior),
        "churned_buyers": float(row["churned_buyers"]),
        "annual_revenue_per_buyer": round(row["revenue_last_year"] / buyers, 2) if buyers else None,
        "annual_churn_rate": row["churned_buyers"] / prior if prior else None,
        # No spend at all in the year: nothing was spent, whatever the scope.
        "cac": totals["cac"] if totals["spend_rows"] else 0.0,
        "cac_note": totals["cac_note"] if totals["spend_rows"] else None,
    }


def historical_members(store: Store, ds: Dataset, spec: ClvSpec, cell: HistoricalCell) -> pl.DataFrame:
    """The members behind historical()'s counts: buyers_last_year, buyers_prior_year or
    churned_buyers (bought in the year before, not in the last year). Column member_id, sorted."""
    condition = {"buyers_last_year": "SELECT member_id FROM yearly WHERE yr = 'last'",
                 "buyers_prior_year": "SELECT member_id FROM yearly WHERE yr = 'prior'",
                 "churned_buyers": "SELECT member_id FROM churned"}.get(cell)
    if condition is None:
        raise ValueError(f"no members behind {cell!r}")
    b = base(ds, spec.filters)
    sql = b.query(_YEARLY + f" SELECT member_id FROM ({condition}) ORDER BY member_id")
    return store.query(sql, {**b.params, "year": YEAR_DAYS})


# -- value bands of predicted CLV ----------------------------------------------------------

VALUE_BAND_COUNT = 10  # at most this many bands (the highest open-ended)


def nice_edges(max_value: float | None, bands: int = VALUE_BAND_COUNT) -> tuple[float, ...]:
    """Lower edges of predicted-CLV bands: 0, then the 1-2-5 series (10, 20, 50, 100 …) below
    max_value, keeping the highest `bands` − 1 of it so the bands follow the data's scale
    (¥ snacks or ¥ strollers). The last band is open; (0,) when max_value ≤ 10 or unknown."""
    if bands < 1:
        raise ValueError("bands must be ≥ 1")
    series: list[float] = []
    step = 10.0
    while max_value is not None and step < max_value:
        for factor in (1, 2, 5):
            if step * factor < max_value:
                series.append(step * factor)
        step *= 10
    return (0.0, *series[len(series) - (bands - 1):]) if bands > 1 and series else (0.0,)


def bands_of(frame: pl.DataFrame, edges: tuple[float, ...]) -> pl.DataFrame:
    """Members of a run() frame by predicted-CLV band: low (inclusive), high (exclusive; null =
    open), members, predicted_clv (sum, 2 dp), member_share, value_share (of the members with a
    prediction). Every band listed, zeros included; members without a prediction are left out,
    and no prediction at all gives an empty frame. A negative CLV (a net refund) counts in the first band."""
    schema = {"low": pl.Float64, "high": pl.Float64, "members": pl.Int64, "predicted_clv": pl.Float64,
              "member_share": pl.Float64, "value_share": pl.Float64}
    values = frame.filter(pl.col("predicted_clv").is_not_null())["predicted_clv"]
    if values.is_empty():
        return pl.DataFrame(schema=schema)
    highs = [*edges[1:], None]
    rows = []
    total_members, total_value = values.len(), float(values.sum())
    for i, (low, high) in enumerate(zip(edges, highs)):
        inside = values.filter(values >= low) if i else values
        if high is not None:
            inside = inside.filter(inside < high)
        value = float(inside.sum())
        rows.append((float(low), high, inside.len(), round(value, 2), inside.len() / total_members,
                     value / total_value if total_value > 0 else None))
    return pl.DataFrame(rows, schema=schema, orient="row")


def top_bands(bands: pl.DataFrame, min_member_share: float = 0.1) -> dict[str, float] | None:
    """The highest bands of a bands_of() frame that together hold ≥ min_member_share of the
    members (taken whole, from the top): {"low": their lowest edge, "member_share", "value_share"};
    None without bands or value. For a reading such as "the top 9 % of members hold 65 % of value"."""
    if not bands.height or bands["members"].sum() == 0:
        return None
    members = value = 0.0
    low = 0.0
    for row in reversed(bands.rows(named=True)):
        members += row["member_share"]
        value += row["value_share"] or 0.0
        low = row["low"]
        if members >= min_member_share:
            break
    return {"low": low, "member_share": members, "value_share": value}


def value_bands(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(),
                bands: int = VALUE_BAND_COUNT) -> pl.DataFrame:
    """Predicted CLV by band (`bands_of` over run(), edges from `nice_edges` of the largest CLV)."""
    frame = run(store, ds, spec)
    top = frame["predicted_clv"].max() if frame.height else None
    return bands_of(frame, nice_edges(top, bands))


def band_members(store: Store, ds: Dataset, spec: ClvSpec, low: float, high: float | None) -> pl.DataFrame:
    """The members behind one value band: predicted_clv ≥ low (any value in the first band, low
    = 0) and < high (None = open). Columns as run(); sorted by predicted_clv desc, member_id."""
    clv_value = pl.col("predicted_clv")
    frame = run(store, ds, spec).filter(clv_value.is_not_null())
    if low > 0:
        frame = frame.filter(clv_value >= low)
    if high is not None:
        frame = frame.filter(clv_value < high)
    return frame.sort(["predicted_clv", "member_id"], descending=[True, False])


# -- pre-churn: members about to leave --------------------------------------------------------

DEFAULT_PRE_CHURN_P_ALIVE = 0.3
PRE_CHURN_SEGMENTS = ("at_risk", "cannot_lose")
PRE_CHURN_COLUMNS = ("member_id", "segment", "recency_days", "frequency", "monetary", "last_purchase",
                     "p_alive", "churn_probability", "predicted_clv", "low_p_alive", "risk_segment")


def pre_churn_of(clv_frame: pl.DataFrame, rfm_frame: pl.DataFrame, p_alive_below: float | None,
                 segments: tuple[str, ...]) -> pl.DataFrame:
    """The buyers of rfm_frame (lib.rfm.run) with P(alive) < p_alive_below (from clv_frame =
    run(); None = not used) or an RFM segment in `segments`; the two reasons are the boolean
    columns low_p_alive and risk_segment. Columns PRE_CHURN_COLUMNS (frequency and monetary are
    RFM's: purchases and net spend; last_purchase, p_alive, churn_probability and predicted_clv
    CLV's, null for a
    buyer the fit did not see); sorted by monetary desc, then member_id, so the most valuable
    come first. A member without a P(alive) (no usable fit) can only qualify by segment."""
    model = clv_frame.select("member_id", "last_purchase", "p_alive", "churn_probability", "predicted_clv")
    low = (pl.col("p_alive") < p_alive_below).fill_null(False) if p_alive_below is not None else pl.lit(False)
    return (rfm_frame.join(model, on="member_id", how="left")
            .with_columns(low_p_alive=low, risk_segment=pl.col("segment").is_in(list(segments)))
            .filter(pl.col("low_p_alive") | pl.col("risk_segment"))
            .sort(["monetary", "member_id"], descending=[True, False])
            .select(PRE_CHURN_COLUMNS))


def pre_churn(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec(),
              p_alive_below: float | None = DEFAULT_PRE_CHURN_P_ALIVE,
              segments: tuple[str, ...] = PRE_CHURN_SEGMENTS, rfm_spec: rfm.RfmSpec | None = None) -> pl.DataFrame:
    """Pre-churn members (预流失): P(alive) below a threshold (spec.model, fitted at the fit date) or
    in an RFM segment that signals leaving (default at_risk, cannot_lose; RFM at as_of with
    `rfm_spec`'s thresholds, its filters replaced by spec.filters). See `pre_churn_of`."""
    r_spec = replace(rfm_spec or rfm.RfmSpec(), filters=spec.filters)
    return pre_churn_of(run(store, ds, spec), rfm.run(store, ds, r_spec), p_alive_below, segments)


# -- what the command line says (lib/reports.py) -----------------------------------------------

# A backtest whose data, not its fit, stand in the way: the whole report is refused.
BACKTEST_DATA_PROBLEMS = ("no_purchases_before_cutoff", "no_purchases_after_cutoff", "no_buyers",
                          "too_few_repeat_buyers")
# Model.message()'s words for where a failed fit was running (btyd.runaway_reason).
RUNAWAY_TEXT = {"same_dropout_rate": "it runs towards one dropout rate for everyone (s, beta → ∞), a limit not "
                                     "fitted here; MBG/NBD fits the like limit, try --model mbgnbd"}
