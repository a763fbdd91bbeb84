"""Incremental, strategy merge on order_id: only new or changed orders are read and merged.
On incremental runs it also adds a column, which on_schema_change='append_new_columns' adds."""


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="order_id",
        incremental_strategy="merge",
        on_schema_change="append_new_columns",
    )
    orders = dbt.ref("orders")
    if dbt.is_incremental:
        newest = session.sql(f"select max(updated_at) as newest from {dbt.this}")["newest"].iloc[0]
        orders = orders[orders["updated_at"] > newest].assign(seen_in_batch="later")
    return orders.assign(status_upper=orders["status"].str.upper())
