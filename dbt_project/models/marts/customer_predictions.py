"""Predictive CLV and churn for every customer_key with a purchase (definitions in _clv__models.yml).

Fits the purchase model chosen by var `clv_model` (default Pareto/NBD) plus
Gamma-Gamma for spend on the order history up to `as_of`, with our numpy/scipy
implementation in `clv/`. Awkward data never fails the build: customers get rows
whose `clv_status` says why predictions are missing.
"""

from datetime import datetime, timezone

from clv.predict import score_customers


def _as_of(value):
    """var('as_of'): a date, or today (UTC) when unset, as for RFM recency."""
    if value in (None, "", "None", "none", "today"):
        return datetime.now(timezone.utc).date().isoformat()
    return str(value)


def model(dbt, session):
    dbt.config(materialized="table", numeric_as="float")
    horizon = int(dbt.config.get("clv_horizon_months"))
    purchases = dbt.ref("int_clv_transactions")
    scores, record = score_customers(
        purchases,
        _as_of(dbt.config.get("as_of")),
        model=str(dbt.config.get("clv_model")),
        horizon_months=horizon,
        monthly_discount=float(dbt.config.get("clv_monthly_discount")),
        holdout_weeks=None,
        customer_col="customer_key",
        date_col="ordered_at",
        amount_col="amount",
    )
    scored = scores.rename(columns={
        "customer_id": "customer_key",
        "frequency": "repeat_purchases",
        "recency": "recency_weeks",
        "T": "tenure_weeks",
        "n_purchases": "purchase_days",
        "expected_purchases": f"expected_purchases_{horizon}m",
        "status": "clv_status",
    })
    scored["clv_model"] = record["model"]
    scored["horizon_months"] = horizon
    scored["as_of"] = record["as_of"]
    return scored
