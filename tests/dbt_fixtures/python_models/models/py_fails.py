"""Builds normally; with `--vars '{fail_now: true}'` it deletes its own rows, then raises."""

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    customers = dbt.ref("stg_customers")
    if str(dbt.config.get("fail_now")).lower() == "true":
        session.execute(f"delete from {dbt.this}")
        raise RuntimeError("deliberate failure after deleting every row of the previous table")
    return pd.DataFrame({"customer_id": customers["customer_id"], "built": "first run"})
