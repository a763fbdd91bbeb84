"""A Python table model: customers (ref) joined to payments (source)."""


def model(dbt, session):
    dbt.config(materialized="table", column_types={"total_paid": "numeric(18,2)"})
    customers = dbt.ref("stg_customers")
    payments = dbt.source("app", "payments")
    totals = payments.groupby("customer_id", as_index=False).agg(
        total_paid=("amount", "sum"), payments=("payment_id", "count"), last_paid_at=("paid_at", "max")
    )
    frame = customers.merge(totals, on="customer_id", how="left")
    frame["payments"] = frame["payments"].astype("Int64")
    frame["is_big_spender"] = frame["total_paid"] > 150
    frame["label"] = dbt.config.get("label_prefix", "customer") + " " + frame["name"]
    frame["built_into"] = str(dbt.this)
    return frame
