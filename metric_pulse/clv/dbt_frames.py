"""The one place our dbt Python models meet the engine: whatever it hands them, as pandas.

`dbt.ref()` and `session.sql()` return a pandas DataFrame on PostgreSQL (our pypostgres
adapter), a DuckDB relation on dbt-duckdb, a PySpark DataFrame on Spark/Databricks and a
Snowpark DataFrame on Snowflake. The CLV code works on pandas, so the models pass every
input through `as_pandas` and return pandas, which every one of those adapters writes back.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pandas as pd

# DuckDB relation, PySpark DataFrame, Snowpark DataFrame
_TO_PANDAS = ("df", "toPandas", "to_pandas")


def as_pandas(data: Any) -> pd.DataFrame:
    """`data` as a pandas DataFrame; decimal columns (Spark, Snowpark) become floats, as the
    pypostgres adapter's `numeric_as="float"` gives them."""
    if not isinstance(data, pd.DataFrame):
        method = next(
            (getattr(data, name) for name in _TO_PANDAS if callable(getattr(data, name, None))), None
        )
        if method is None:
            raise TypeError(f"cannot turn {type(data).__name__} into a pandas DataFrame")
        data = method()
    for column in data.columns:
        first = data[column].dropna().head(1)
        if data[column].dtype == object and len(first) and isinstance(first.iloc[0], Decimal):
            data[column] = data[column].astype(float)
    return data


def json_value(value: Any) -> Any:
    """A JSON column's value: parsed already (jsonb on PostgreSQL) or its text (DuckDB, Spark)."""
    return json.loads(value) if isinstance(value, str) else value
