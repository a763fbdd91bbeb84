"""Customer lifetime value from a purchase model and a spend model.

Discounted CLV over H months (the convention that reproduces the published
CDNOW figures: monthly steps, cash flows at the end of each month):

    CLV = sum_{k=1..H} E[M] * (E[Y(k f)] - E[Y((k-1) f)]) / (1 + d)^k

with f time units per month (4.345 weeks) and monthly discount rate d.

Retention-based CLV (Gupta & Lehmann): m * r / (1 + d - r), an infinite
geometric sum of a margin m kept with probability r each month. From a fitted
purchase model we take r = E[purchases in month 2] / E[purchases in month 1]
(how much of the expected activity survives a month) and m * r = E[M] times
the expected purchases in month 1, so the first term of the sum is the
model's own first-month value and later months decay at the model's rate.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from metric_pulse.clv.purchase_model import PurchaseModel

# calendar month in each time unit; 4.345 weeks is the figure used with CDNOW
PERIODS_PER_MONTH = {"week": 4.345, "day": 4.345 * 7.0}


def periods_per_month(time_unit: str) -> float:
    try:
        return PERIODS_PER_MONTH[time_unit]
    except KeyError:
        raise ValueError(f"time_unit must be one of {sorted(PERIODS_PER_MONTH)}, not {time_unit!r}") from None


def monthly_expected_purchases(
    model: PurchaseModel, months: int, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, f: float
) -> np.ndarray:
    """Expected purchases in each of the next `months` months, shape (months, n_customers)."""
    cum = np.array([model.conditional_expected_purchases(k * f, x, t_x, T) for k in range(months + 1)])
    return np.diff(cum, axis=0)


def discounted_clv(
    model: PurchaseModel,
    avg_value: ArrayLike,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    *,
    horizon_months: int = 12,
    monthly_discount: float = 0.01,
    f: float = 4.345,
) -> np.ndarray:
    """Sum over months of E[M] x expected purchases that month, discounted to today."""
    if horizon_months < 1:
        raise ValueError("horizon_months must be >= 1")
    monthly = monthly_expected_purchases(model, horizon_months, x, t_x, T, f)
    discount = (1.0 + monthly_discount) ** -np.arange(1, horizon_months + 1)
    return np.asarray(avg_value, dtype=float) * (monthly * discount[:, None]).sum(axis=0)


def retention_clv(margin: ArrayLike, retention: ArrayLike, discount: float) -> np.ndarray:
    """Gupta-Lehmann m r / (1 + d - r); NaN where r is outside [0, 1)."""
    m, r = np.asarray(margin, dtype=float), np.asarray(retention, dtype=float)
    with np.errstate(all="ignore"):
        return np.where((r >= 0) & (r < 1), m * r / (1.0 + discount - r), np.nan)


def model_retention_clv(
    model: PurchaseModel,
    avg_value: ArrayLike,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    *,
    monthly_discount: float = 0.01,
    f: float = 4.345,
) -> tuple[np.ndarray, np.ndarray]:
    """(retention-based CLV, monthly retention r) per customer, r and m read off the purchase model."""
    month1, month2 = monthly_expected_purchases(model, 2, x, t_x, T, f)
    with np.errstate(all="ignore"):
        # no expected activity -> nothing to retain (r = 0, value 0)
        r = np.clip(np.where(month1 > 0, month2 / month1, 0.0), 0.0, 1.0 - 1e-12)
        margin = np.asarray(avg_value, dtype=float) * month1 / np.where(r > 0, r, 1.0)
        value = np.where(r > 0, retention_clv(margin, r, monthly_discount), 0.0 * margin)
    return value, r
