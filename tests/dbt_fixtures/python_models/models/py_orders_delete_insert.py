"""Incremental with unique_key and no strategy: delete+insert, as on dbt-postgres.
Rows changed since the last run replace their previous version."""


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="order_id")
    orders = dbt.ref("orders")[["order_id", "status", "amount", "order_date", "updated_at"]]
    if dbt.is_incremental:
        newest = session.sql(f"select max(updated_at) as newest from {dbt.this}")["newest"].iloc[0]
        orders = orders[orders["updated_at"] > newest]
    return orders
