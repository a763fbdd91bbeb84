"""Per-customer sufficient statistics (x, t_x, T, zbar) from transactions.

Conventions (those of the papers, so CDNOW reproduces the published fits):

* purchases on the same calendar day are one purchase (amounts summed): the
  models count purchase occasions, and a split basket is not two occasions;
* the calibration end is inclusive (a purchase dated on it counts) and T is
  measured from the first purchase day to the calibration end day;
* time is continuous in the chosen unit: days / 7 for weeks, so
  1997-01-01 .. 1997-09-30 is 38.857 weeks;
* x counts repeat purchase days (the first one excluded); zbar is the mean
  value of those repeat days (NaN when x = 0), the first purchase excluded
  because acquisition orders often differ from repeat ones;
* customers whose first purchase is after the calibration end are not in the
  summary (the model has nothing to say about them yet).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metric_pulse.clv.transactions import normalize_transactions

DAYS_PER_UNIT = {"week": 7.0, "day": 1.0}


def as_day(value: object) -> pd.Timestamp:
    """A calendar day (naive, midnight) from a date, string or timestamp."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.normalize()


def days_per_unit(time_unit: str) -> float:
    try:
        return DAYS_PER_UNIT[time_unit]
    except KeyError:
        raise ValueError(f"time_unit must be one of {sorted(DAYS_PER_UNIT)}, not {time_unit!r}") from None


def summarize(
    transactions: pd.DataFrame,
    calibration_end: object,
    *,
    time_unit: str = "week",
    holdout_end: object | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
) -> pd.DataFrame:
    """One row per customer (index `customer_id`) with x, t_x, T, n_purchases, zbar.

    With `holdout_end`, also `x_holdout`: purchase days in (calibration_end,
    holdout_end], for checking predictions against what happened next.
    Raises TransactionError on malformed input (see metric_pulse.clv.transactions).
    """
    unit = days_per_unit(time_unit)
    tx, _ = normalize_transactions(transactions, customer_col, date_col, amount_col, strict=True)
    cal_end = as_day(calibration_end)
    daily = (
        tx.groupby(["customer_id", "date"], sort=True, observed=True)["amount"].sum(min_count=1).reset_index()
    )
    cal = daily[daily["date"] <= cal_end]
    g = cal.groupby("customer_id", sort=True, observed=True)
    first, last = g["date"].min(), g["date"].max()
    n = g.size()
    x = (n - 1).astype(float)
    total = g["amount"].sum(min_count=1)
    first_amount = g["amount"].first() if len(cal) else total  # rows are date-sorted within customer
    with np.errstate(invalid="ignore", divide="ignore"):
        zbar = ((total - first_amount) / x).where(x > 0)
    out = pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).dt.days.astype(float) / unit,
            "T": (cal_end - first).dt.days.astype(float) / unit,
            "n_purchases": n.astype(int),
            "zbar": zbar.astype(float),
            "first_purchase": first,
        }
    )
    out.index.name = "customer_id"
    if holdout_end is not None:
        h_end = as_day(holdout_end)
        hold = daily[(daily["date"] > cal_end) & (daily["date"] <= h_end)]
        counts = hold.groupby("customer_id", observed=True).size()
        out["x_holdout"] = counts.reindex(out.index, fill_value=0).astype(int)
    return out
