"""Reads py_roundtrip_write through dbt.ref and reports what it got: dtype and repr of every cell."""

import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    read = dbt.ref("py_roundtrip_write")
    rows = []
    for column in read.columns:
        for position, value in enumerate(read[column].tolist()):
            rows.append((column, str(read[column].dtype), position, repr(value)))
    return pd.DataFrame(rows, columns=["column_name", "dtype", "position", "value_repr"])
