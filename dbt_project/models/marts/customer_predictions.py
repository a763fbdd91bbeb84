"""Predictive CLV and churn for every customer_key with a purchase (definitions in _clv__models.yml).

Scores every customer's own history up to `as_of` with the purchase model chosen
by var `clv_model` (default Pareto/NBD) plus Gamma-Gamma for spend, implemented
in `clv/`. The parameters are those of the newest fit of that model in
clv_model_fits made on or before `as_of` (refitted every `clv_refit_days`), so a
nightly build scores without fitting again; only when there is no such fit (an
empty table, or only later fits when this model is built alone) are they fitted here.
Awkward data never fails the build: customers get rows whose `clv_status` says
why predictions are missing.
"""

from datetime import UTC, datetime

import pandas as pd

from metric_pulse.clv.dbt_frames import as_pandas, json_value
from metric_pulse.clv.predict import score_customers


def _as_of(value):
    """var('as_of'): a date, or today (UTC) when unset, as for RFM recency."""
    if value in (None, "", "None", "none", "today"):
        return datetime.now(UTC).date().isoformat()
    return str(value)


def _latest_fit(fits: pd.DataFrame, model_name: str, as_of: str) -> dict | None:
    """The newest fit of `model_name` dated on or before `as_of`, as a score_customers fit record; or None.

    A fit dated after `as_of` saw later data, so it never scores an earlier day.
    """
    usable = fits[(fits["model"] == model_name) & (pd.to_datetime(fits["as_of"]) <= pd.Timestamp(as_of))]
    if usable.empty:
        return None
    row = usable.sort_values(["as_of", "built_at"]).iloc[-1]
    return {
        "model": model_name,
        "as_of": row["as_of"],
        "status": row["status"],
        "reason": None if pd.isna(row["reason"]) else row["reason"],
        "params": json_value(row["params"]),
        "spend": {"status": row["spend_status"], "params": json_value(row["spend_params"])},
    }


def model(dbt, session):
    dbt.config(materialized="table", numeric_as="float", column_types={"fitted_as_of": "date"})
    horizon = int(dbt.config.get("clv_horizon_months"))
    as_of = _as_of(dbt.config.get("as_of"))
    model_name = str(dbt.config.get("clv_model"))
    purchases = as_pandas(dbt.ref("int_clv_transactions"))
    scores, record = score_customers(
        purchases,
        as_of,
        model=model_name,
        fit=_latest_fit(as_pandas(dbt.ref("clv_model_fits")), model_name, as_of),
        horizon_months=horizon,
        monthly_discount=float(dbt.config.get("clv_monthly_discount")),
        holdout_weeks=None,
        customer_col="customer_key",
        date_col="ordered_at",
        amount_col="amount",
    )
    scored = scores.rename(
        columns={
            "customer_id": "customer_key",
            "frequency": "repeat_purchases",
            "recency": "recency_weeks",
            "T": "tenure_weeks",
            "n_purchases": "purchase_days",
            "expected_purchases": f"expected_purchases_{horizon}m",
            "status": "clv_status",
        }
    )
    scored["clv_model"] = record["model"]
    scored["horizon_months"] = horizon
    scored["as_of"] = record["as_of"]
    scored["fitted_as_of"] = record["fitted_as_of"]
    return scored
