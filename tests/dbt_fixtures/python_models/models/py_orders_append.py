"""A Python incremental model without unique_key: the default strategy appends."""


def model(dbt, session):
    dbt.config(materialized="incremental")
    orders = dbt.ref("orders")[["order_id", "customer_id"]]
    if dbt.is_incremental:
        seen = session.sql(f"select coalesce(max(order_id), 0) as seen from {dbt.this}")["seen"].iloc[0]
        orders = orders[orders["order_id"] > seen]
    return orders
