"""Small numerically careful helpers shared by the models."""

from __future__ import annotations

import numpy as np


def log1mexp(d: np.ndarray) -> np.ndarray:
    """log(1 - exp(d)) for d <= 0, accurate for d near 0 and for very negative d.

    Used for log(A - B) = log A + log1mexp(log B - log A) when A >= B; gives
    -inf (not NaN) when A == B, which logaddexp then treats as "no term".
    """
    d = np.minimum(np.asarray(d, dtype=float), 0.0)
    with np.errstate(divide="ignore"):
        return np.where(d > -np.log(2.0), np.log(-np.expm1(d)), np.log1p(-np.exp(d)))


def one_minus_power_over_k(k: np.ndarray | float, u: np.ndarray | float) -> np.ndarray:
    """[1 - (1+u)^(-k)] / k, continuous through k = 0 (where it is log(1+u)).

    Pareto/NBD expectations divide by s-1; fitted s near 1 would otherwise lose
    all precision (or divide by zero).
    """
    k = np.asarray(k, dtype=float)
    lu = np.log1p(np.asarray(u, dtype=float))
    small = np.abs(k) < 1e-8
    safe_k = np.where(small, 1.0, k)
    return np.where(small, lu * (1.0 - 0.5 * k * lu), -np.expm1(-safe_k * lu) / safe_k)


def hyp2f1_series(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, z: np.ndarray, max_terms: int = 20_000
) -> np.ndarray:
    """Gauss 2F1 by direct summation of its power series (|z| < 1); NaN where it did not converge.

    Only a fallback for the parameter combinations where scipy's hyp2f1
    returns NaN (very large parameters with a small z, where the series
    itself converges in a few terms).
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, c, z)))
    term = np.ones(a.shape)
    total = np.ones(a.shape)
    done = np.zeros(a.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for n in range(max_terms):
            term = term * (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z
            total = np.where(done, total, total + term)
            done |= (np.abs(term) <= 1e-16 * np.abs(total)) | (term == 0)
            if done.all():
                break
    return np.where(done & np.isfinite(total), total, np.nan)


def by_count(x: np.ndarray) -> tuple[np.ndarray, np.ndarray | slice]:
    """(grid, index): every term that depends on x alone is computed once per distinct count.

    Repeat-purchase counts are small integers, so `f(grid)[index]` equals `f(x)` at a
    fraction of the special-function calls. Non-integer x (not data) fall back to x.
    """
    if x.size > 64:
        counts = x.astype(np.intp)
        if counts.size and counts.min() >= 0 and counts.max() <= 1_000_000 and np.array_equal(counts, x):
            return np.arange(counts.max() + 1, dtype=float), counts
    return x, slice(None)
