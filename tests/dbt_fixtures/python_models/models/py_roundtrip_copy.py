"""Writes back exactly what dbt.ref read: the table must equal py_roundtrip_write."""


def model(dbt, session):
    dbt.config(materialized="table")
    return dbt.ref("py_roundtrip_write")
