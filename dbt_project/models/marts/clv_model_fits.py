"""One row per candidate purchase model per refit: parameters, fit quality and a holdout check.

Appends (incremental, no unique key), so the table is the history of every fit.
Each candidate is fitted on all history up to `as_of`, and refitted on all but the
last `clv_holdout_weeks` to compare predicted with actual repeat purchases in
those weeks: the evidence for which model `customer_predictions` should use.

Fitting is the expensive part of a build and the population parameters move
slowly, so an incremental run refits only when some candidate has no fit made
within the last `clv_refit_days` days up to `as_of` (0: refit on every build);
otherwise it appends nothing and customer_predictions scores with the stored fit.
A first build or a full refresh always fits. Fits dated after `as_of` (when as_of
is pinned to a past day) never count: they saw data the as_of day did not have.
"""

import json
from datetime import UTC, datetime

import pandas as pd

from metric_pulse.clv.dbt_frames import as_pandas
from metric_pulse.clv.models import MODELS
from metric_pulse.clv.predict import score_customers

# The columns and pandas dtypes of a batch of fit rows, also of an empty batch (no refit due),
# so both write the same column types.
FIT_DTYPES = {
    "built_at": "datetime64[us, UTC]",
    "as_of": "string",
    "model": "string",
    "is_selected": "bool",
    "status": "string",
    "reason": "string",
    "converged": "bool",
    "n_customers": "int64",
    "n_repeat_buyers": "int64",
    "log_likelihood": "float64",
    "params": "string",
    "fit_seconds": "float64",
    "spend_status": "string",
    "spend_params": "string",
    "spend_log_likelihood": "float64",
    "holdout_weeks": "float64",
    "holdout_status": "string",
    "holdout_predicted_repeat_purchases": "float64",
    "holdout_actual_repeat_purchases": "float64",
    "holdout_mean_abs_error": "float64",
}


def _as_of(value):
    if value in (None, "", "None", "none", "today"):
        return datetime.now(UTC).date().isoformat()
    return str(value)


def _row(record, selected, built_at):
    holdout = record.get("holdout") or {}
    spend = record.get("spend") or {}
    return {
        "built_at": built_at,
        "as_of": record["as_of"],
        "model": record["model"],
        "is_selected": record["model"] == selected,
        "status": record["status"],
        "reason": record.get("reason"),
        "converged": bool(record.get("converged")),
        "n_customers": record.get("n_customers"),
        "n_repeat_buyers": record.get("n_repeat_buyers"),
        "log_likelihood": record.get("log_likelihood"),
        "params": json.dumps(record.get("params")),
        "fit_seconds": record.get("fit_seconds"),
        "spend_status": spend.get("status"),
        "spend_params": json.dumps(spend.get("params")),
        "spend_log_likelihood": spend.get("log_likelihood"),
        "holdout_weeks": holdout.get("weeks"),
        "holdout_status": holdout.get("status"),
        "holdout_predicted_repeat_purchases": holdout.get("predicted"),
        "holdout_actual_repeat_purchases": holdout.get("actual"),
        "holdout_mean_abs_error": holdout.get("mean_abs_error"),
    }


def _fits_are_current(session, this, as_of: str, refit_days: int) -> bool:
    """True when every candidate model has a fit dated in (as_of - refit_days, as_of].

    The fits table holds a few rows per refit: read whole, filtered here, on any engine."""
    fits = as_pandas(session.sql(f"select model, as_of from {this}"))
    day = pd.Timestamp(as_of)
    dated = pd.to_datetime(fits["as_of"])
    return set(MODELS) <= set(fits["model"][(dated <= day) & (dated > day - pd.Timedelta(days=refit_days))])


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        numeric_as="float",
        column_types={
            "params": "jsonb",
            "spend_params": "jsonb",
            "n_customers": "integer",
            "n_repeat_buyers": "integer",
            "log_likelihood": "double precision",
            "fit_seconds": "double precision",
            "spend_log_likelihood": "double precision",
            "holdout_weeks": "double precision",
            "holdout_predicted_repeat_purchases": "double precision",
            "holdout_actual_repeat_purchases": "double precision",
            "holdout_mean_abs_error": "double precision",
            "reason": "text",
            "spend_status": "text",
            "holdout_status": "text",
            "as_of": "date",
        },
    )
    as_of = _as_of(dbt.config.get("as_of"))
    rows = []
    if not (
        dbt.is_incremental
        and _fits_are_current(session, dbt.this, as_of, int(dbt.config.get("clv_refit_days")))
    ):
        purchases = as_pandas(dbt.ref("int_clv_transactions"))
        selected = str(dbt.config.get("clv_model"))
        built_at = pd.Timestamp.now(tz="UTC")
        for name in MODELS:
            _, record = score_customers(
                purchases,
                as_of,
                model=name,
                horizon_months=int(dbt.config.get("clv_horizon_months")),
                monthly_discount=float(dbt.config.get("clv_monthly_discount")),
                holdout_weeks=float(dbt.config.get("clv_holdout_weeks")),
                customer_col="customer_key",
                date_col="ordered_at",
                amount_col="amount",
            )
            rows.append(_row(record, selected, built_at))
    return pd.DataFrame(rows, columns=list(FIT_DTYPES)).astype(FIT_DTYPES)
