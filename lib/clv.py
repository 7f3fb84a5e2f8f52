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

The models (lib/btyd/, with their papers): `spec.model` picks the purchase model; DEFAULT_MODEL
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

For the 5W1H page: lib/w5h1/why.py (`value_bands`, `band_members_of` over a run() frame at hand,
`top_bands`) and lib/w5h1/who.py (`pre_churn`: P(alive) below a threshold or an RFM segment that
signals leaving).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

from lib import btyd
from lib.btyd import MODELS, Fitted, ModelName
from lib.filters import Base, Filters, base
from lib.store import Dataset, Store

Unit = Literal["day", "week", "month"]
UNITS: tuple[Unit, ...] = ("day", "week", "month")
UNIT_DAYS: dict[Unit, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
DEFAULT_UNIT: Unit = "week"
DEFAULT_HORIZON = 52
DEFAULT_MARGIN = 1.0
DEFAULT_MODEL: ModelName = "mbgnbd"
MODEL_LABELS = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD"}
# Below this many members with a repeat purchase nothing is fitted (Model.status too_few_repeat_buyers).
MIN_REPEAT_BUYERS = 20
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


def summary_base(ds: Dataset, spec: ClvSpec, member: str | None = None, cutoff: date | None = None) -> Base:
    """Base + `fit_point(fit_date, as_of)`, `purchase_days`, `member_summary(member_id, x,
    first_day, last_day, t_x_days, T_days, monetary)` at the fit date: `cutoff`, else end, else
    as_of (bound here as $cutoff). `member`: that member's row only (a summary row depends on
    nothing but their own history)."""
    b = base(ds, spec.filters, member)
    if cutoff is None and spec.filters.end is None and not spec.filters._at("line"):
        # Fitted at as_of on whole orders: what was known then is every order in scope, i.e. the
        # base's purchases (for whole orders from the stored orders table), not a regrouping of
        # every line. Under a line filter an order's day is that of its earliest kept line.
        fit_orders = "SELECT member_id, order_date AS day, net_amount FROM purchases"
    else:
        # What was known at the fit date: an order's lines dated by then (a later refund must
        # not remove a purchase the model could see), kept when they net > 0.
        fit_orders = """
            SELECT member_id, min(order_date) AS day, sum(amount) AS net_amount FROM scoped_lines
            WHERE order_date <= (SELECT fit_date FROM fit_point)
            GROUP BY member_id, order_id HAVING sum(amount) > 0"""
    ctes = f"""
        fit_point AS (SELECT coalesce($cutoff::DATE, least(end_date, as_of)) AS fit_date, as_of FROM bounds),
        fit_orders AS ({fit_orders}),
        purchase_days AS (
            SELECT member_id, day, sum(net_amount) AS amount FROM fit_orders GROUP BY member_id, day),
        member_summary AS (
            SELECT member_id, (count(*) - 1)::BIGINT AS x, min(day) AS first_day, max(day) AS last_day,
                   date_diff('day', min(day), max(day)) AS t_x_days, date_diff('day', min(day), (SELECT fit_date FROM fit_point)) AS T_days,
                   CASE WHEN count(*) > 1
                        THEN ((sum(amount) - arg_min(amount, day)) / (count(*) - 1))::DOUBLE END AS monetary
            FROM purchase_days GROUP BY member_id)"""
    return Base(f"{b.ctes},{ctes}", {**b.params, "cutoff": cutoff})


def summary(store: Store, ds: Dataset, spec: ClvSpec, cutoff: date | None = None,
            member: str | None = None) -> pl.DataFrame:
    """One row per member who bought by the fit date: member_id, frequency (x), recency (t_x),
    T (both in spec.unit), monetary (null for x = 0), t_x_days, T_days, first_purchase,
    last_purchase, fit_date; sorted by member_id. `member`: that member's row only."""
    s = summary_base(ds, spec, member, cutoff)
    sql = s.query("""
        SELECT member_id, x AS frequency, t_x_days, T_days, monetary, first_day AS first_purchase,
               last_day AS last_purchase, (SELECT fit_date FROM fit_point) AS fit_date
        FROM member_summary ORDER BY member_id""")
    unit = UNIT_DAYS[spec.unit]
    frame = store.query(sql, s.params)
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
    seconds: float = field(compare=False, repr=False)  # how long the fit took: not part of what it is
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
    s = summary_base(ds, spec, cutoff=cutoff)
    sql = s.query("""
        groups AS (
            SELECT 'purchases' AS part, x, t_x_days, T_days, NULL::DOUBLE AS monetary, count(*) AS n
            FROM member_summary GROUP BY x, t_x_days, T_days
            UNION ALL
            SELECT 'gg', x, NULL, NULL, monetary, count(*) FROM member_summary WHERE x > 0 GROUP BY x, monetary)
        SELECT g.*, f.fit_date FROM groups g, fit_point f ORDER BY part, x, t_x_days, T_days, monetary""")
    groups = store.query(sql, s.params)
    fit_date = groups["fit_date"][0] if groups.height else None
    purchases = groups.filter(pl.col("part") == "purchases")
    return fit_groups(purchases, groups.filter(pl.col("part") == "gg"), spec, fit_date)


def fit_groups(purchases: pl.DataFrame, spend: pl.DataFrame | None, spec: ClvSpec, fit_date: date | None) -> Model:
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


def scores(model: Model, keys: pl.DataFrame, horizon: float) -> pl.DataFrame:
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
    return _scored(summary(store, ds, spec), model, spec)


def member_row(store: Store, ds: Dataset, spec: ClvSpec, model: Model, member_id: str) -> dict[str, object] | None:
    """run()'s row of one member with a model fitted on everyone in scope (None: no purchase by
    the fit date), scored from that member's summary alone (Member 360 shows one member)."""
    frame = _scored(summary(store, ds, spec, member=member_id), model, spec)
    return frame.row(0, named=True) if frame.height else None


def _scored(frame: pl.DataFrame, model: Model, spec: ClvSpec) -> pl.DataFrame:
    """`summary()` rows scored by `model` (run's columns)."""
    if (model.unit, model.name) != (spec.unit, spec.model):
        raise ValueError(f"the model is {model.name} in {model.unit}s, the spec asks for {spec.model} in {spec.unit}s")
    if not frame.height:
        return pl.DataFrame(schema=SCHEMA)
    keys = frame.select("frequency", "t_x_days", "T_days").unique()
    frame = frame.join(scores(model, keys, spec.horizon), on=["frequency", "t_x_days", "T_days"], how="left")
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
MEMBER_CELLS: tuple[MemberCell, ...] = ("all", "top_clv", "p_alive_below", "overdue")


@dataclass(frozen=True)
class ClvCell:
    """A number about members: "top_clv" (the `value` highest predicted CLV; ties at the cut broken
    by member_id, so exactly that many), "p_alive_below" (p_alive < value), "overdue"
    (days_overdue > 0), "all"."""

    kind: MemberCell = "all"
    value: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in MEMBER_CELLS:
            raise ValueError(f"no members behind {self.kind!r} (choose from {', '.join(MEMBER_CELLS)})")
        if self.kind in ("top_clv", "p_alive_below") and self.value is None:
            raise ValueError(f"{self.kind} needs a value")


def cells(store: Store, ds: Dataset, spec: ClvSpec = ClvSpec()) -> list[tuple[ClvCell, int]]:
    """The member counts a CLV table shows: everyone, and those overdue."""
    frame = run(store, ds, spec)
    return [(ClvCell("all"), frame.height), (ClvCell("overdue"), frame.filter(pl.col("days_overdue") > 0).height)]


def top_clv(frame: pl.DataFrame, n: int) -> pl.DataFrame:
    """The `n` members of a run() frame with the highest predicted CLV (those without one left
    out), highest first; ties at the cut broken by member_id, so exactly n (or all there are)."""
    return frame.filter(pl.col("predicted_clv").is_not_null()).sort(
        ["predicted_clv", "member_id"], descending=[True, False]).head(n)


def members(store: Store, ds: Dataset, spec: ClvSpec, cell: ClvCell) -> pl.DataFrame:
    """The members behind a number (ClvCell). Columns as run(); sorted by member_id."""
    frame = run(store, ds, spec)
    if cell.kind == "top_clv":
        return top_clv(frame, int(cell.value or 0)).sort("member_id")
    if cell.kind == "p_alive_below":
        return frame.filter(pl.col("p_alive") < cell.value)
    if cell.kind == "overdue":
        return frame.filter(pl.col("days_overdue") > 0)
    return frame


# -- what the command line says (lib/reports.py) -----------------------------------------------

# Model.message()'s words for where a failed fit was running (btyd.runaway_reason).
RUNAWAY_TEXT = {"same_dropout_rate": "it runs towards one dropout rate for everyone (s, beta → ∞), a limit not "
                                     "fitted here; MBG/NBD fits the like limit, try --model mbgnbd"}
