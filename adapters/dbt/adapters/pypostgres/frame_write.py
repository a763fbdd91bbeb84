"""Write a pandas DataFrame into a new Postgres table: CREATE TABLE, then COPY FROM STDIN.

Column types come from the model's `column_types` config where given, otherwise
they are inferred from the pandas dtype (or, for `object` columns, from the Python
values in them). Values are sent in COPY's text format: NULL is `\\N`, and the
backslash, tab, newline and carriage return inside values are escaped, so text
such as a literal `\\N`, an empty string or multi-line text arrives unchanged.

What PostgreSQL cannot hold is made explicit instead of failing the COPY: a lone
UTF-16 surrogate (valid in JSON and in a Python str, not in UTF-8) is written as
its escape text `\\udc80`, and NaN / ±Infinity inside a dict or list (not JSON)
become JSON null. Column names that PostgreSQL would truncate to the same 63
bytes are refused by name.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

COPY_NULL = "\\N"
# COPY text format: these characters inside a value must be backslash-escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a Python str holds a surrogate only when it is alone
NAMEDATALEN = 64  # PostgreSQL keeps the first NAMEDATALEN - 1 bytes of an identifier
ROWS_PER_COPY = 50_000


class FrameWriteError(ValueError):
    """The DataFrame cannot be written as it is (bad column names, unsupported values)."""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_missing(value: Any) -> bool:
    """None, pandas NA/NaT, float NaN and numpy NaT: all become SQL NULL."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return value != value
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


# --------------------------------------------------------------------------- types


def infer_pg_type(series: pd.Series) -> str | None:
    """The Postgres type a column gets when `column_types` does not pin one.

    None when nothing can be told: an `object` column holding only NULLs.
    """
    dtype = series.dtype
    name = str(series.name)
    if isinstance(dtype, pd.CategoricalDtype):
        return infer_pg_type(pd.Series(series.astype(object), name=series.name))
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_integer_dtype(dtype):
        return "numeric" if str(dtype).lower() == "uint64" else "bigint"
    if ptypes.is_float_dtype(dtype):
        return "real" if str(dtype).lower() == "float32" else "double precision"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "timestamptz"
    if ptypes.is_datetime64_dtype(dtype):
        return "timestamp"
    if ptypes.is_timedelta64_dtype(dtype):
        return "interval"
    if ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        return "text"  # pandas' StringDtype ("str" in pandas 3, "string"), whatever its storage
    if ptypes.is_object_dtype(dtype):
        return _infer_from_values(name, series.tolist())
    raise FrameWriteError(
        f"column {name!r}: dtype {dtype} has no Postgres mapping; convert it or pin it with "
        f"config(column_types={{{name!r}: '<postgres type>'}})"
    )


def _value_kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, Decimal):
        return "numeric"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):  # pd.Timestamp included; before date: datetime is a date
        return "timestamptz" if value.tzinfo is not None else "timestamp"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "timetz" if value.tzinfo is not None else "time"
    if isinstance(value, dt.timedelta):
        return "interval"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytea"
    if isinstance(value, (dict, list)):
        return "jsonb"
    if isinstance(value, uuid.UUID):
        return "uuid"
    return type(value).__name__


_SCALAR_KINDS = {
    "boolean",
    "text",
    "timestamptz",
    "timestamp",
    "date",
    "timetz",
    "time",
    "interval",
    "bytea",
    "jsonb",
    "uuid",
}


def _infer_from_values(name: str, values: Iterable[Any]) -> str | None:
    kinds: set[str] = set()
    big = False
    for value in values:
        if is_missing(value):
            continue
        kind = _value_kind(value)
        if kind == "int" and not (_INT64_MIN <= int(value) <= _INT64_MAX):
            big = True
        kinds.add(kind)
    if not kinds:
        return None  # every value is NULL (or there are no rows)
    if kinds <= {"int", "float", "numeric"}:
        if "numeric" in kinds or big:
            return "numeric"
        return "double precision" if "float" in kinds else "bigint"
    if len(kinds) == 1 and (kind := next(iter(kinds))) in _SCALAR_KINDS:
        return kind
    raise FrameWriteError(
        f"column {name!r} holds values of types {sorted(kinds)}; make them one type or pin "
        f"the column with config(column_types={{{name!r}: '<postgres type>'}})"
    )


# --------------------------------------------------------------------------- values


def _format_float(value: float) -> str:
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def _format_interval(value: dt.timedelta) -> str:
    if isinstance(value, pd.Timedelta):
        value = value.to_pytimedelta()  # sub-microsecond parts are dropped
    return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"


def format_value(value: Any) -> str:
    """One non-NULL value as Postgres input text (not yet COPY-escaped)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "t" if value else "f"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _format_float(float(value))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.floor("us").isoformat() if value.nanosecond else value.isoformat()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _format_interval(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, (dict, list)):
        return json.dumps(_json_safe(value), ensure_ascii=False, default=str, allow_nan=False)
    if isinstance(value, np.datetime64):
        return str(np.datetime_as_string(value.astype("datetime64[us]"), unit="us"))
    return str(value)


def _escaped_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by its escape text (`\\udc80`), which UTF-8 can hold."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _json_safe(value: Any) -> Any:
    """`value` with NaN/±Infinity as None (JSON has neither) and lone surrogates escaped, at any depth."""
    if isinstance(value, dict):
        return {_json_safe(k) if isinstance(k, str) else k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, str):
        return _escaped_surrogates(value)
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return None if is_missing(value) else value


def _escape(text: str) -> str:
    return _escaped_surrogates(text).translate(_COPY_ESCAPES)


def _format_bool(value: Any) -> str:
    return "t" if value else "f"


# Exact-type fast paths for object columns; anything else goes through format_value + escape.
_FAST_FORMATTERS: dict[type, Callable[[Any], str]] = {
    str: _escape,
    int: str,
    float: _format_float,
    Decimal: str,
    bool: _format_bool,
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
}


def _datetimes_as_text(series: pd.Series) -> list[str]:
    """Vectorised ISO text for datetime64 columns (tz-aware ones in UTC, with `+00`)."""
    tz_aware = isinstance(series.dtype, pd.DatetimeTZDtype)
    values = series.dt.tz_convert("UTC").dt.tz_localize(None) if tz_aware else series
    array = np.asarray(values.to_numpy()).astype("datetime64[us]")  # sub-microsecond parts dropped
    text = np.datetime_as_string(array, unit="us")
    if tz_aware:
        text = np.char.add(text, "+00")
    out = text.tolist()
    for i in np.flatnonzero(np.isnat(array)).tolist():
        out[i] = COPY_NULL
    return out


def column_copy_text(series: pd.Series) -> list[str]:
    """A column as COPY text-format fields (escaped, NULL as \\N)."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or ptypes.is_datetime64_dtype(dtype):
        return _datetimes_as_text(series)
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
        dtype = series.dtype
    missing = series.isna().to_numpy().tolist()
    null = COPY_NULL
    if ptypes.is_bool_dtype(dtype):
        values = series.to_numpy(dtype=object, na_value=None).tolist()
        return [null if m else ("t" if v else "f") for v, m in zip(values, missing, strict=True)]
    if ptypes.is_integer_dtype(dtype):
        values = series.to_numpy(dtype=object, na_value=None).tolist()
        return [null if m else str(v) for v, m in zip(values, missing, strict=True)]
    if ptypes.is_float_dtype(dtype):
        array = series.to_numpy(dtype="float64", na_value=np.nan)
        out = [null if m else repr(v) for v, m in zip(array.tolist(), missing, strict=True)]
        for i in np.flatnonzero(np.isinf(array)).tolist():
            out[i] = "Infinity" if array[i] > 0 else "-Infinity"
        return out
    values = series.to_numpy(dtype=object).tolist()
    if ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        return [null if m else _escape(v) for v, m in zip(values, missing, strict=True)]
    out = []
    append = out.append
    fast = _FAST_FORMATTERS
    for value, m in zip(values, missing, strict=True):
        if m:
            append(null)
        else:
            formatter = fast.get(type(value))
            append(formatter(value) if formatter else _escape(format_value(value)))
    return out


# --------------------------------------------------------------------------- table


def column_names(frame: pd.DataFrame) -> list[str]:
    names = [str(c) for c in frame.columns]
    if not names:
        raise FrameWriteError("the model returned a DataFrame without columns")
    seen: dict[str, str] = {}
    for name in names:
        if name == "":
            raise FrameWriteError("the DataFrame has a column with an empty name")
        stored = stored_name(name)
        if stored in seen:
            if seen[stored] == name:
                raise FrameWriteError(f"the DataFrame has the column {name!r} more than once")
            raise FrameWriteError(
                f"columns {seen[stored]!r} and {name!r} are the same column to PostgreSQL, which keeps "
                f"only the first {NAMEDATALEN - 1} bytes of a name: rename one of them"
            )
        seen[stored] = name
    return names


def stored_name(name: str) -> str:
    """The name PostgreSQL stores: at most NAMEDATALEN - 1 UTF-8 bytes, cut at a character boundary."""
    encoded = _escaped_surrogates(name).encode()
    return encoded[: NAMEDATALEN - 1].decode(errors="ignore") if len(encoded) >= NAMEDATALEN else name


def column_definitions(
    frame: pd.DataFrame,
    column_types: Mapping[str, str] | None,
    fallback_types: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(name, postgres type) per column: pinned, else inferred, else `fallback_types`, else text.

    `fallback_types` (the existing target's column types, for incremental runs) only
    decides columns whose values tell nothing, e.g. an empty batch of Decimals.
    """
    names = column_names(frame)
    pinned = dict(column_types or {})
    unknown = sorted(set(pinned) - set(names))
    if unknown:
        raise FrameWriteError(
            f"column_types names columns the DataFrame does not have: {unknown} (columns: {names})"
        )
    fallback = dict(fallback_types or {})
    return [
        (name, pinned.get(name) or infer_pg_type(frame.iloc[:, i].rename(name)) or fallback.get(name, "text"))
        for i, name in enumerate(names)
    ]


def create_table_sql(
    relation: str, columns: Sequence[tuple[str, str]], *, temporary: bool, unlogged: bool
) -> str:
    kind = "temporary " if temporary else ("unlogged " if unlogged else "")
    body = ",\n  ".join(f"{quote_ident(name)} {pg_type}" for name, pg_type in columns)
    on_commit = " on commit drop" if temporary else ""
    return f"create {kind}table {relation} (\n  {body}\n){on_commit}"


def copy_chunks(frame: pd.DataFrame, rows_per_chunk: int = ROWS_PER_COPY) -> Iterable[str]:
    """The frame as COPY text-format payloads of at most `rows_per_chunk` rows each."""
    for start in range(0, len(frame), rows_per_chunk):
        part = frame.iloc[start : start + rows_per_chunk]
        fields = [column_copy_text(part.iloc[:, i]) for i in range(part.shape[1])]
        payload = "".join("\t".join(row) + "\n" for row in zip(*fields, strict=True))
        if "\x00" in payload:
            bad = next(str(part.columns[i]) for i, col in enumerate(fields) if any("\x00" in f for f in col))
            raise FrameWriteError(f"column {bad!r}: Postgres text cannot hold the NUL character (\\x00)")
        yield payload


def write_frame(
    cursor: Any,
    frame: pd.DataFrame,
    relation: str,
    *,
    temporary: bool = False,
    unlogged: bool = False,
    column_types: Mapping[str, str] | None = None,
    fallback_types: Mapping[str, str] | None = None,
    on_statement: Callable[[str], None] | None = None,
) -> int:
    """Create `relation` for `frame` and COPY its rows in; returns the row count.

    Runs on `cursor`'s connection and does not commit.
    """
    columns = column_definitions(frame, column_types, fallback_types)
    ddl = create_table_sql(relation, columns, temporary=temporary, unlogged=unlogged)
    if on_statement:
        on_statement(ddl)
    cursor.execute(ddl)
    target = f"{relation} ({', '.join(quote_ident(name) for name, _ in columns)})"
    copy_sql = f"copy {target} from stdin"
    for payload in copy_chunks(frame):
        cursor.copy_expert(copy_sql, io.StringIO(payload))
    return len(frame)
