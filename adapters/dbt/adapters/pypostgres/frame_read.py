"""Read a query's result into a pandas DataFrame with dtypes chosen by Postgres type.

| Postgres                         | pandas                                         |
| -------------------------------- | ---------------------------------------------- |
| smallint, integer, bigint, oid   | `Int64` (nullable)                             |
| real, double precision           | `float64` (NULL -> NaN)                        |
| numeric                          | `object` of `decimal.Decimal` (exact; NULL -> None), or `float64` with `numeric_as='float'` |
| boolean                          | `boolean` (nullable)                           |
| date                             | `object` of `datetime.date` (NULL -> None)     |
| timestamp                        | `datetime64[us]` (NULL -> NaT)                 |
| timestamptz                      | `datetime64[us, UTC]` (NULL -> NaT)            |
| interval                         | `timedelta64[us]` (NULL -> NaT)                |
| text, varchar, char, name, uuid  | pandas' default string dtype (`str` in pandas 3, `object` before) |
| json, jsonb, arrays, time, other | `object` of what psycopg2 returns (dict/list, list, time, ...) |
| bytea                            | `object` of `bytes`                            |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

_INT_OIDS = {20, 21, 23, 26}
_FLOAT_OIDS = {700, 701}
NUMERIC_OID = 1700
_BOOL_OID = 16
_DATE_OID = 1082
_TIMESTAMP_OID = 1114
_TIMESTAMPTZ_OID = 1184
_INTERVAL_OID = 1186
_TEXT_OIDS = {25, 1043, 1042, 19, 18, 2950}
_BYTEA_OID = 17

_NAT = np.iinfo(np.int64).min
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def _microseconds(values: Sequence[Any], to_int: Callable[[Any], int]) -> np.ndarray:
    return np.array([_NAT if v is None else to_int(v) for v in values], dtype=np.int64)


def _int_column(values: Sequence[Any]) -> Any:
    return pd.array(list(values), dtype="Int64")


def _float_column(values: Sequence[Any]) -> Any:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _bool_column(values: Sequence[Any]) -> Any:
    return pd.array(list(values), dtype="boolean")


def _text_column(values: Sequence[Any]) -> Any:
    # pandas 3 infers its `str` dtype (missing = NaN); pandas 2's default for text is object.
    return pd.array(list(values), dtype="str") if _PANDAS_MAJOR >= 3 else np.array(list(values), dtype=object)


def _object_column(values: Sequence[Any]) -> Any:
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def _bytea_column(values: Sequence[Any]) -> Any:
    return _object_column([None if v is None else bytes(v) for v in values])


def _timestamp_column(values: Sequence[Any]) -> Any:
    micros = _microseconds(values, lambda v: (v - _EPOCH) // _MICROSECOND)
    return pd.array(micros.view("datetime64[us]"))


def _timestamptz_column(values: Sequence[Any]) -> Any:
    micros = _microseconds(values, lambda v: (v - _EPOCH_UTC) // _MICROSECOND)
    return pd.Series(micros.view("datetime64[us]")).dt.tz_localize("UTC").array


def _interval_column(values: Sequence[Any]) -> Any:
    micros = _microseconds(values, lambda v: v // _MICROSECOND)
    return pd.array(micros.view("timedelta64[us]"))


def _converter(type_code: int, numeric_as: str) -> Callable[[Sequence[Any]], Any]:
    if type_code in _INT_OIDS:
        return _int_column
    if type_code in _FLOAT_OIDS or (type_code == NUMERIC_OID and numeric_as == "float"):
        return _float_column
    if type_code == _BOOL_OID:
        return _bool_column
    if type_code == _TIMESTAMP_OID:
        return _timestamp_column
    if type_code == _TIMESTAMPTZ_OID:
        return _timestamptz_column
    if type_code == _INTERVAL_OID:
        return _interval_column
    if type_code in _TEXT_OIDS:
        return _text_column
    if type_code == _BYTEA_OID:
        return _bytea_column
    return _object_column  # numeric (Decimal), date, time, json, arrays, ...


def frame_from_cursor(cursor: Any, *, numeric_as: str = "decimal") -> pd.DataFrame:
    """The rows of the query just executed on `cursor` as a DataFrame."""
    if numeric_as not in ("decimal", "float"):
        raise ValueError(f"numeric_as must be 'decimal' or 'float', not {numeric_as!r}")
    description = cursor.description
    if description is None:
        raise ValueError("the statement returned no rows (it is not a query)")
    rows = cursor.fetchall()
    names = [d.name for d in description]
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = {}
    for name, desc, values in zip(names, description, columns, strict=True):
        if name in data:
            raise ValueError(f"the query returns the column {name!r} more than once")
        data[name] = _converter(desc.type_code, numeric_as)(values)
    return pd.DataFrame(data, columns=names)
