"""DataFrame in, DataFrame out: fit the models on a transactions table and score every customer.

Fitting costs far more than scoring and the population parameters move slowly,
so a caller may pass the record of an earlier fit (`score_customers(fit=...)`)
to score today's customers with those parameters instead of refitting.

Meant to be called from a dbt Python model, so it is pure (no I/O, no global
state) and it does not raise on awkward *data*: when a model cannot be fitted
(no repeat buyers, nothing observed yet, ...) every customer still gets a row,
with NaN predictions and a `status` saying why, and the fit record carries the
reason. Bad *configuration* (unknown model, missing column) does raise: that
is a bug to fix, not data to live with.

Row `status` values:
  ok                 all predictions present
  fit_not_converged  predictions present, but the starts disagreed or a
                     parameter ran to the edge of the search box (see record)
  no_spend_model     purchase predictions present; spend model impossible
                     (< 2 repeat buyers with positive spend, or infinite mean
                     spend), so expected_avg_order_value and the CLVs are NaN
  insufficient_data  purchase model impossible (e.g. no repeat buyers): all
                     predictions NaN
  fit_failed         the optimiser found no finite likelihood: all NaN
  prediction_failed  this customer's prediction was not finite (extreme
                     parameters): NaN rather than a garbage number

Fits need at least MIN_CUSTOMERS customers and MIN_REPEAT_BUYERS repeat buyers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from metric_pulse.clv.gamma_gamma import GammaGamma
from metric_pulse.clv.models import MODELS, make_model
from metric_pulse.clv.purchase_model import PurchaseModel
from metric_pulse.clv.summary import as_day, days_per_unit, summarize
from metric_pulse.clv.transactions import normalize_transactions
from metric_pulse.clv.value import discounted_clv, model_retention_clv, periods_per_month

# Below these a fit "succeeds" with meaningless parameters (four of them from a
# handful of customers); better to say so than to publish noise as churn.
MIN_CUSTOMERS = 10
MIN_REPEAT_BUYERS = 2

# A fit yields a usable model exactly in these states (see fit_purchase_model, fit_spend_model);
# a stored fit is rebuilt into a model under the same rule.
USABLE_FIT_STATUSES = frozenset({"ok", "fit_not_converged"})

# The purchase-fit fields a record carries (copied from a stored fit when one is given).
FIT_FIELDS = (
    "params",
    "log_likelihood",
    "converged",
    "n_customers",
    "n_repeat_buyers",
    "fit_seconds",
    "status",
    "reason",
)

OUTPUT_COLUMNS = [
    "customer_id",
    "frequency",
    "recency",
    "T",
    "n_purchases",
    "avg_repeat_value",
    "expected_purchases",
    "p_alive",
    "churn_probability",
    "expected_avg_order_value",
    "predicted_clv",
    "retention_clv",
    "status",
]


def fit_purchase_model(summary: pd.DataFrame, model: str) -> tuple[PurchaseModel | None, dict[str, Any]]:
    """Fit the purchase model on a summary (x, t_x, T); never raises on data problems.

    Returns (fitted model or None, record with model, params, log_likelihood,
    converged, n_customers, n_repeat_buyers, fit_seconds, status, reason).
    """
    m = make_model(model)
    n = len(summary)
    n_repeat = int((summary["x"] > 0).sum()) if n else 0
    rec: dict[str, Any] = {
        "model": model,
        "params": None,
        "log_likelihood": None,
        "converged": False,
        "n_customers": n,
        "n_repeat_buyers": n_repeat,
        "fit_seconds": 0.0,
    }
    if n == 0:
        return None, {
            **rec,
            "status": "insufficient_data",
            "reason": "no customers with a purchase on or before the calibration end",
        }
    if n_repeat == 0:
        return None, {
            **rec,
            "status": "insufficient_data",
            "reason": "no repeat buyers: purchase rate and drop-out cannot be estimated",
        }
    if n < MIN_CUSTOMERS or n_repeat < MIN_REPEAT_BUYERS:
        return None, {
            **rec,
            "status": "insufficient_data",
            "reason": f"{n} customer(s), {n_repeat} repeat buyer(s): need at least {MIN_CUSTOMERS} "
            f"customers and {MIN_REPEAT_BUYERS} repeat buyers for a meaningful fit",
        }
    res = m.fit(summary["x"].to_numpy(), summary["t_x"].to_numpy(), summary["T"].to_numpy())
    failed = _record_fit(rec, res)
    if failed:
        return None, failed
    if not res.converged:
        return m, {**rec, "status": "fit_not_converged", "reason": res.message}
    return m, {**rec, "status": "ok", "reason": None}


def _record_fit(rec: dict[str, Any], res: Any) -> dict[str, Any] | None:
    """Put a fit's result into `rec`; the `fit_failed` record when its log-likelihood is not finite."""
    rec.update(
        params=res.params,
        log_likelihood=res.log_likelihood,
        converged=res.converged,
        fit_seconds=round(res.fit_seconds, 4),
    )
    if np.isfinite(res.log_likelihood):
        return None
    return {**rec, "params": None, "log_likelihood": None, "status": "fit_failed", "reason": res.message}


def fit_spend_model(summary: pd.DataFrame) -> tuple[GammaGamma | None, dict[str, Any]]:
    """Fit Gamma-Gamma on repeat buyers with positive repeat spend; never raises on data problems."""
    gg = GammaGamma()
    x, zbar = summary["x"].to_numpy(float), summary["zbar"].to_numpy(float)
    n = gg.n_usable(x, zbar)
    rec: dict[str, Any] = {
        "model": "gamma_gamma",
        "params": None,
        "log_likelihood": None,
        "converged": False,
        "n_customers": n,
        "fit_seconds": 0.0,
    }
    if n < 2:
        return None, {
            **rec,
            "status": "insufficient_data",
            "reason": f"{n} repeat buyer(s) with positive spend; at least 2 needed",
        }
    res = gg.fit(x, zbar)
    failed = _record_fit(rec, res)
    if failed:
        return None, failed
    if not np.isfinite(gg.population_mean()):
        return None, {
            **rec,
            "status": "no_finite_mean",
            "reason": f"q = {res.params['q']:.3g} <= 1: spend tail too heavy for a finite expected value",
        }
    if not res.converged:
        return gg, {**rec, "status": "fit_not_converged", "reason": res.message}
    return gg, {**rec, "status": "ok", "reason": None}


def holdout_check(
    tx: pd.DataFrame, as_of: pd.Timestamp, model: str, holdout_weeks: float, time_unit: str
) -> dict[str, Any]:
    """Fit on all but the last `holdout_weeks`, compare predicted and actual repeat purchases after that."""
    cal_end = as_of - pd.Timedelta(days=round(holdout_weeks * 7))
    out: dict[str, Any] = {
        "weeks": holdout_weeks,
        "calibration_end": cal_end.date().isoformat(),
        "holdout_end": as_of.date().isoformat(),
    }
    summ = summarize(tx, cal_end, time_unit=time_unit, holdout_end=as_of)
    fitted, rec = fit_purchase_model(summ, model)
    out.update(n_customers=rec["n_customers"], status=rec["status"], reason=rec["reason"])
    if fitted is None:
        return {**out, "predicted": None, "actual": None}
    h = holdout_weeks * 7.0 / days_per_unit(time_unit)
    pred = fitted.conditional_expected_purchases(h, summ["x"], summ["t_x"], summ["T"])
    actual = summ["x_holdout"].to_numpy(float)
    return {
        **out,
        "predicted": float(np.sum(pred)),
        "actual": float(np.sum(actual)),
        "mean_abs_error": float(np.mean(np.abs(pred - actual))),
        "log_likelihood": rec["log_likelihood"],
        "params": rec["params"],
    }


def _models_from_fit(
    fit: Mapping[str, Any], model: str
) -> tuple[PurchaseModel | None, dict[str, Any], GammaGamma | None, dict[str, Any]]:
    """Rebuild the purchase and spend models of an earlier fit, so customers are scored without refitting.

    `fit` has the shape of `score_customers`' record (model, status, reason, params,
    spend {status, params}; a clv_model_fits row maps onto it). Returns the same
    (model or None, record) pairs as fit_purchase_model and fit_spend_model, so a
    stored fit that was e.g. insufficient_data scores exactly as the fresh one did.
    """
    if fit.get("model", model) != model:
        raise ValueError(f"the fit is of model {fit['model']!r}, not {model!r}")
    if "status" not in fit or "params" not in fit:
        raise ValueError("a fit record needs at least 'status' and 'params'")
    prec = {k: fit.get(k) for k in FIT_FIELDS}
    srec = dict(fit.get("spend") or {})
    purchase = MODELS[model](prec["params"]) if prec["status"] in USABLE_FIT_STATUSES else None
    usable_spend = purchase is not None and srec.get("status") in USABLE_FIT_STATUSES
    spend = GammaGamma(srec["params"]) if usable_spend else None
    return purchase, prec, spend, srec


def _fit_models(
    summary: pd.DataFrame, model: str
) -> tuple[PurchaseModel | None, dict[str, Any], GammaGamma | None, dict[str, Any]]:
    """Fit the purchase model, then (if that worked) the spend model."""
    purchase, prec = fit_purchase_model(summary, model)
    if purchase is None:
        return (
            None,
            prec,
            None,
            {
                "model": "gamma_gamma",
                "params": None,
                "log_likelihood": None,
                "converged": False,
                "n_customers": 0,
                "status": "skipped",
                "reason": "no purchase model",
            },
        )
    spend, srec = fit_spend_model(summary)
    return purchase, prec, spend, srec


def _score_summary(
    summary: pd.DataFrame,
    purchase: PurchaseModel | None,
    purchase_status: str,
    spend: GammaGamma | None,
    spend_status: str | None,
    *,
    horizon_months: int,
    monthly_discount: float,
    f: float,
) -> pd.DataFrame:
    """Score every customer of `summary` with fitted (or rebuilt) models: the one home of the scoring.

    The statuses are those of the fits the models came from; they decide each
    row's `status` (see the module docstring). Returns OUTPUT_COLUMNS.
    """
    out = pd.DataFrame({c: np.nan for c in OUTPUT_COLUMNS[6:-1]}, index=summary.index, dtype=float)
    x, t_x, T = (summary[c].to_numpy(float) for c in ("x", "t_x", "T"))
    if purchase is not None:
        out["expected_purchases"] = purchase.conditional_expected_purchases(horizon_months * f, x, t_x, T)
        out["p_alive"] = purchase.p_alive(x, t_x, T)
        out["churn_probability"] = 1.0 - out["p_alive"]
        if spend is not None:
            em = spend.expected_average_value(x, summary["zbar"].to_numpy(float))
            out["expected_avg_order_value"] = em
            out["predicted_clv"] = discounted_clv(
                purchase, em, x, t_x, T, horizon_months=horizon_months, monthly_discount=monthly_discount, f=f
            )
            out["retention_clv"] = model_retention_clv(
                purchase, em, x, t_x, T, monthly_discount=monthly_discount, f=f
            )[0]
    if purchase is None or purchase_status != "ok":
        status = purchase_status
    elif spend is None:
        status = "no_spend_model"
    else:
        status = "ok" if spend_status == "ok" else "fit_not_converged"

    numeric = out.columns
    finite = np.isfinite(out[numeric].to_numpy(float))
    out[numeric] = out[numeric].where(finite)  # inf -> NaN, never garbage
    statuses = np.full(len(out), status, dtype=object)
    if purchase is not None:
        broken = ~finite[:, :3].all(axis=1)  # expected_purchases, p_alive, churn_probability
        statuses[broken] = "prediction_failed"
    return pd.DataFrame(
        {
            "customer_id": summary.index.to_numpy(),
            "frequency": summary["x"].to_numpy(int),
            "recency": t_x,
            "T": T,
            "n_purchases": summary["n_purchases"].to_numpy(int),
            "avg_repeat_value": summary["zbar"].to_numpy(float),
            **{c: out[c].to_numpy(float) for c in numeric},
            "status": statuses,
        },
        columns=OUTPUT_COLUMNS,
    )


def score_customers(
    transactions: pd.DataFrame,
    as_of: object | None = None,
    *,
    model: str = "pnbd",
    horizon_months: int = 12,
    monthly_discount: float = 0.01,
    time_unit: str = "week",
    holdout_weeks: float | None = 13,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    fit: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit `model` + Gamma-Gamma on transactions up to `as_of` (or take `fit`) and score each customer.

    `as_of` (inclusive; default: the latest transaction day) is the calibration
    end: later rows are ignored. Returns (scores, fit record):

    scores: one row per customer with a purchase on or before `as_of`, columns
      customer_id, frequency (x, repeat purchase days), recency (t_x), T (both in
      `time_unit`s since the first purchase), n_purchases, avg_repeat_value (zbar),
      expected_purchases (over the horizon), p_alive, churn_probability
      (1 - p_alive), expected_avg_order_value (Gamma-Gamma E[M]), predicted_clv
      (discounted, horizon), retention_clv (Gupta-Lehmann, unbounded horizon), status.
    record: JSON-serialisable dict (model, params, log_likelihood, converged,
      n_customers, status, reason, spend {...}, holdout {...}, input {...}, ...).

    Rows with a missing customer id, an unparseable date, a non-numeric or a
    negative amount are dropped (counted in record["input"]). `holdout_weeks`
    None or 0 skips the holdout check.

    `fit`: the record of an earlier fit of `model` (see _models_from_fit), fitted
    in the same `time_unit`. Its parameters score the customers and its fields
    (params, status, reason, ..., spend) go into the record unchanged, and
    record["fitted_as_of"] is the fit's as_of (ISO date); without `fit` it is as_of.
    Nothing is fitted then, except the holdout check if `holdout_weeks` asks for it.
    """
    t0 = time.perf_counter()
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    f = periods_per_month(time_unit)
    # dbt vars may arrive as strings
    horizon_months, monthly_discount = int(horizon_months), float(monthly_discount)
    holdout_weeks = float(holdout_weeks) if holdout_weeks else None
    if horizon_months < 1 or not monthly_discount > -1:
        raise ValueError("horizon_months must be >= 1 and monthly_discount > -1")
    tx, cleaning = normalize_transactions(transactions, customer_col, date_col, amount_col, strict=False)
    as_of_day = as_day(as_of) if as_of is not None else (tx["date"].max() if len(tx) else None)
    record: dict[str, Any] = {
        "model": model,
        "as_of": None if as_of_day is None else as_of_day.date().isoformat(),
        "time_unit": time_unit,
        "horizon_months": horizon_months,
        "monthly_discount": monthly_discount,
        "periods_per_month": f,
        "input": cleaning.as_dict(),
    }
    # no usable rows -> no as_of; any date then gives the (empty) summary
    summary = summarize(tx, as_of_day if as_of_day is not None else "1970-01-01", time_unit=time_unit)

    if fit is None:
        purchase, prec, spend, srec = _fit_models(summary, model)
        record["fitted_as_of"] = record["as_of"]
    else:
        purchase, prec, spend, srec = _models_from_fit(fit, model)
        fitted_as_of = fit.get("as_of")
        record["fitted_as_of"] = None if fitted_as_of is None else as_day(fitted_as_of).date().isoformat()
    record.update({k: prec[k] for k in FIT_FIELDS})
    record["spend"] = srec
    scores = _score_summary(
        summary,
        purchase,
        prec["status"],
        spend,
        srec.get("status"),
        horizon_months=horizon_months,
        monthly_discount=monthly_discount,
        f=f,
    )

    if holdout_weeks and as_of_day is not None:
        record["holdout"] = holdout_check(tx, as_of_day, model, holdout_weeks, time_unit)
    else:
        record["holdout"] = {
            "status": "skipped",
            "reason": "holdout_weeks not set" if as_of_day is not None else "no transactions",
        }
    record["total_seconds"] = round(time.perf_counter() - t0, 4)
    return scores, _plain(record)


def _plain(value: Any) -> Any:
    """numpy scalars -> Python, non-finite floats -> None: the record must survive json.dumps."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    return value
