"""One row per candidate purchase model per build: parameters, fit quality and a holdout check.

Appends (incremental, no unique key), so the table is the history of every fit.
Each candidate is fitted on all history up to `as_of`, and refitted on all but the
last `clv_holdout_weeks` to compare predicted with actual repeat purchases in
those weeks: the evidence for which model `customer_predictions` should use.
"""

import json
from datetime import datetime, timezone

import pandas as pd

from clv.models import MODELS
from clv.predict import score_customers


def _as_of(value):
    if value in (None, "", "None", "none", "today"):
        return datetime.now(timezone.utc).date().isoformat()
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


def model(dbt, session):
    dbt.config(materialized="incremental", numeric_as="float", column_types={
        "params": "jsonb", "spend_params": "jsonb", "n_customers": "integer", "n_repeat_buyers": "integer",
        "log_likelihood": "double precision", "fit_seconds": "double precision",
        "spend_log_likelihood": "double precision", "holdout_weeks": "double precision",
        "holdout_predicted_repeat_purchases": "double precision",
        "holdout_actual_repeat_purchases": "double precision", "holdout_mean_abs_error": "double precision",
        "reason": "text", "spend_status": "text", "holdout_status": "text", "as_of": "date",
    })
    purchases = dbt.ref("int_clv_transactions")
    as_of = _as_of(dbt.config.get("as_of"))
    selected = str(dbt.config.get("clv_model"))
    built_at = pd.Timestamp.now(tz="UTC")
    rows = []
    for name in MODELS:
        _, record = score_customers(
            purchases, as_of, model=name,
            horizon_months=int(dbt.config.get("clv_horizon_months")),
            monthly_discount=float(dbt.config.get("clv_monthly_discount")),
            holdout_weeks=float(dbt.config.get("clv_holdout_weeks")),
            customer_col="customer_key", date_col="ordered_at", amount_col="amount",
        )
        rows.append(_row(record, selected, built_at))
    return pd.DataFrame(rows)
