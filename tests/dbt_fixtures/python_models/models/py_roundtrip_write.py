"""Writes awkward values of every supported kind; tests/test_python_models.py imports this
file to get the same DataFrame and compares what Postgres holds with it."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

TEXTS = [
    "tab\there",
    "line1\nline2\r\nline3\r",
    "back\\slash \\\\ double \\t not a tab",
    "single ' and double \" quotes",
    "\\N",
    "",
    "ünïcødé ✓ 日本語 😀",
    None,
    "trailing backslash \\",
    " padded ",
]


def frame() -> pd.DataFrame:
    utc = dt.UTC
    return pd.DataFrame(
        {
            "id": pd.array(range(1, 11), dtype="Int64"),
            "txt": pd.Series(TEXTS, dtype=object),
            "txt_str": pd.array(TEXTS, dtype="string").astype(str if pd.__version__ >= "3" else object),
            "big": pd.array([2**62, -(2**62), 2**63 - 1, -(2**63), 0, 1, -1, None, 42, 7], dtype="Int64"),
            "num": pd.Series(
                [
                    Decimal("12345678901234567890.123456789012345678"),
                    Decimal("-0.000000000000000000001"),
                    Decimal("0"),
                    Decimal("1.50"),
                    Decimal("-99999999999999999999999999999"),
                    None,
                    Decimal("3.14159265358979323846264338327950288"),
                    Decimal("100"),
                    Decimal("0.1"),
                    Decimal("-7.25"),
                ],
                dtype=object,
            ),
            "dbl": np.array([0.1, -1.5, 1e300, 5e-324, np.nan, 2.0**53 + 1, -0.0, 3.0, 1 / 3, 123456.789]),
            "flag": pd.array(
                [True, False, None, True, False, True, False, None, True, True], dtype="boolean"
            ),
            "day": pd.Series(
                [
                    dt.date(2024, 2, 29),
                    dt.date(1, 1, 1),
                    dt.date(9999, 12, 31),
                    None,
                    dt.date(1970, 1, 1),
                    dt.date(2000, 1, 1),
                    dt.date(1999, 12, 31),
                    dt.date(2024, 1, 1),
                    dt.date(2024, 12, 31),
                    dt.date(1900, 3, 1),
                ],
                dtype=object,
            ),
            "ts_tz": pd.Series(
                [
                    dt.datetime(2024, 3, 10, 1, 2, 3, 123456, tzinfo=utc),
                    dt.datetime(1970, 1, 1, tzinfo=utc),
                    dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=utc),
                    dt.datetime(1900, 1, 1, 0, 0, 0, 1, tzinfo=utc),
                    None,
                    dt.datetime(2024, 6, 30, 23, 59, 59, 999999, tzinfo=utc),
                    dt.datetime(2000, 1, 1, tzinfo=utc),
                    dt.datetime(2024, 1, 1, 12, tzinfo=utc),
                    dt.datetime(2024, 10, 27, 1, 30, tzinfo=utc),
                    dt.datetime(2262, 4, 12, tzinfo=utc),
                ]
            ).astype("datetime64[us, UTC]"),
            "ts": pd.Series(
                [
                    dt.datetime(2024, 3, 10, 1, 2, 3, 123456),
                    None,
                    dt.datetime(1970, 1, 1),
                    dt.datetime(2000, 2, 29, 12),
                    dt.datetime(2024, 1, 1),
                    dt.datetime(2024, 1, 2),
                    dt.datetime(2024, 1, 3),
                    dt.datetime(2024, 1, 4),
                    dt.datetime(2024, 1, 5),
                    dt.datetime(2024, 1, 6),
                ]
            ).astype("datetime64[us]"),
            "all_null": pd.Series([None] * 10, dtype=object),
        }
    )


def model(dbt, session):
    dbt.config(materialized="table")
    return frame()
