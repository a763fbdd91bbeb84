"""The CDNOW sample kept in the repository (tests/data/cdnow/README.md): its path and reader.

One home for the tests and the CLV benchmarks. A missing file raises (FileNotFoundError)
rather than skipping: the CLV validation must run on every clone.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CDNOW_SAMPLE = Path(__file__).resolve().parent / "data" / "cdnow" / "CDNOW_sample.txt"
CDNOW_SHA256 = "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a"
COLUMNS = ["master_id", "customer_id", "date", "n_cds", "amount"]


def read_cdnow_raw(dtype: type | dict = str) -> pd.DataFrame:
    """Every column of the sample (whitespace-separated, no header)."""
    return pd.read_csv(CDNOW_SAMPLE, sep=r"\s+", header=None, dtype=dtype, names=COLUMNS)


def load_cdnow() -> pd.DataFrame:
    """The sample as (customer_id, date 'YYYYMMDD', amount), what metric_pulse.clv.summary.summarize reads."""
    return read_cdnow_raw(dtype={"date": str})[["customer_id", "date", "amount"]]
