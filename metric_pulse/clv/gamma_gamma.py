"""Gamma-Gamma model of average spend per purchase (Fader & Hardie 2013).

Each purchase value is Gamma(p, nu); a customer's nu ~ Gamma(q, gamma). The
mean zbar of a customer's x repeat purchases then has a closed-form density,
and the posterior mean spend is a weighted average of the population mean
p*gamma/(q-1) and the customer's own zbar (more purchases -> more own weight).

Fitted on repeat buyers with positive average spend only: the first purchase
is excluded from zbar (it often differs systematically), and the density has
no mass at zbar <= 0. Parameters are named p, q, v (v = gamma).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from metric_pulse.clv.fitting import FitResult, maximize
from metric_pulse.clv.special import by_count


def _usable(x: np.ndarray, zbar: np.ndarray) -> np.ndarray:
    return (x > 0) & np.isfinite(zbar) & (zbar > 0)


class GammaGamma:
    """Spend model; `params` = {"p", "q", "v"}."""

    param_names = ("p", "q", "v")

    def __init__(self, params: Mapping[str, float] | None = None) -> None:
        self.params: dict[str, float] | None = dict(params) if params is not None else None
        self.fit_result: FitResult | None = None

    @staticmethod
    def loglik_terms(params: np.ndarray, x: np.ndarray, zbar: np.ndarray) -> np.ndarray:
        """log f(zbar | x; p, q, v) per customer (x > 0, zbar > 0)."""
        p, q, v = params
        px = p * x
        grid, index = by_count(x)  # the gamma functions depend on the purchase count only
        per_count = gammaln(p * grid + q) - gammaln(p * grid)
        return (
            per_count[index]
            - gammaln(q)
            + q * np.log(v)
            + (px - 1.0) * np.log(zbar)
            + px * np.log(x)
            - (px + q) * np.log(v + x * zbar)
        )

    @classmethod
    def loglik_gradient_terms(
        cls, params: np.ndarray, x: np.ndarray, zbar: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(per-customer LL, d LL / d (p, q, v) as a 3 x n array)."""
        p, q, v = params
        px = p * x
        log_vxz = np.log(v + x * zbar)
        grid, index = by_count(x)
        both = digamma(p * grid + q)[index]
        d_p = x * (both - digamma(p * grid)[index] + np.log(zbar) + np.log(x) - log_vxz)
        d_q = both - digamma(q) + np.log(v) - log_vxz
        d_v = q / v - (px + q) / (v + x * zbar)
        return cls.loglik_terms(params, x, zbar), np.vstack([d_p, d_q, d_v])

    def fit(self, x: ArrayLike, zbar: ArrayLike) -> FitResult:
        """Fit on the customers with x > 0 and zbar > 0 (others are ignored)."""
        x, zbar = (np.asarray(v, dtype=float) for v in (x, zbar))
        keep = _usable(x, zbar)
        xs, zs = x[keep], zbar[keep]
        if xs.size < 2:
            raise ValueError("Gamma-Gamma needs at least two repeat buyers with positive spend")

        def factory(idx: np.ndarray | None):
            xx, zz = (xs, zs) if idx is None else (xs[idx], zs[idx])

            def total(prm: np.ndarray) -> float:
                return float(np.sum(self.loglik_terms(prm, xx, zz)))

            def gradient(prm: np.ndarray) -> tuple[float, np.ndarray]:
                terms, grads = self.loglik_gradient_terms(prm, xx, zz)
                return float(np.sum(terms)), grads.sum(axis=1)

            total.gradient = gradient  # type: ignore[attr-defined]
            return total

        m = float(np.mean(zs))
        # starting v from the mean: E[zbar] = p v / (q - 1)
        starts = [
            [p0, q0, m * (q0 - 1.0) / p0] for p0, q0 in ((1.0, 3.0), (5.0, 3.0), (0.5, 1.5), (10.0, 10.0))
        ]
        result = maximize(factory, self.param_names, starts, n_rows=xs.size)
        self.params, self.fit_result = result.params, result
        return result

    def n_usable(self, x: ArrayLike, zbar: ArrayLike) -> int:
        """How many customers the spend model can use (x > 0, zbar > 0)."""
        return int(_usable(np.asarray(x, dtype=float), np.asarray(zbar, dtype=float)).sum())

    def _vector(self) -> np.ndarray:
        if self.params is None:
            raise ValueError("gamma-gamma: no parameters (fit the model or pass params)")
        return np.array([self.params[n] for n in self.param_names], dtype=float)

    def log_likelihood(self, x: ArrayLike, zbar: ArrayLike) -> float:
        """Total log-likelihood over the usable customers."""
        x, zbar = (np.asarray(v, dtype=float) for v in (x, zbar))
        keep = _usable(x, zbar)
        return float(np.sum(self.loglik_terms(self._vector(), x[keep], zbar[keep])))

    def population_mean(self) -> float:
        """p v / (q - 1): expected spend per purchase of a customer we know nothing about.

        Infinite when q <= 1 (heavy tail); returned as NaN so nothing downstream
        silently multiplies by infinity.
        """
        p, q, v = self._vector()
        return float(p * v / (q - 1.0)) if q > 1.0 else float("nan")

    def expected_average_value(self, x: ArrayLike, zbar: ArrayLike) -> np.ndarray:
        """E[M | zbar, x] = (p v + p x zbar) / (p x + q - 1).

        Customers without repeat purchases (x = 0, zbar missing) get the
        population mean; a non-positive zbar counts as 0 (all shrinkage).
        """
        p, q, v = self._vector()
        x = np.asarray(x, dtype=float)
        z = np.where(
            (x > 0) & np.isfinite(np.asarray(zbar, dtype=float)),
            np.maximum(np.asarray(zbar, dtype=float), 0.0),
            0.0,
        )
        with np.errstate(all="ignore"):
            out = (p * v + p * x * z) / (p * x + q - 1.0)
        return np.where(p * x + q - 1.0 > 0, out, np.nan)
