"""What every purchase-count model (BG/NBD, Pareto/NBD, MBG/NBD) has in common.

A model only has to say how to compute its per-customer log-likelihood, its
conditional expectation, P(alive) and the unconditional expectation; fitting,
input checks and the compression of identical customers live here once.

Data are the usual sufficient statistics per customer: `x` repeat purchases,
`t_x` time of the last purchase and `T` length of observation, both measured
from the customer's first purchase in one time unit (weeks or days).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike

from metric_pulse.clv.fitting import FitResult, maximize

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def as_rfm(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Arrays:
    """Check and broadcast (x, t_x, T); raise ValueError on impossible values."""
    x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, t_x, T)))
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(T).all()):
        raise ValueError("x, t_x and T must be finite")
    if (x < 0).any() or (np.round(x) != x).any():
        raise ValueError("x (repeat purchases) must be a non-negative integer")
    if (t_x < 0).any() or (T < t_x - 1e-9).any():
        raise ValueError("need 0 <= t_x <= T")
    return x, t_x, np.maximum(T, t_x)


def compress(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[Arrays, np.ndarray]:
    """Unique (x, t_x, T) rows with their counts.

    Real data are dated to the day, so many customers share the same triple
    (CDNOW: 2,357 customers, far fewer distinct triples); the likelihood is a
    weighted sum over the distinct ones, which makes every evaluation cheaper.
    """
    stacked = np.column_stack([x, t_x, T])
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    return (uniq[:, 0], uniq[:, 1], uniq[:, 2]), counts.astype(float)


def rate_scale(x: np.ndarray, T: np.ndarray) -> float:
    """Rough time scale (in the data's unit) of one purchase: sets the starting alpha/beta.

    Starting values must follow the time unit: alpha in days is seven times
    alpha in weeks.
    """
    mean_T = float(np.mean(T)) if len(T) else 1.0
    mean_x = float(np.mean(x)) if len(x) else 0.0
    return max(mean_T / max(mean_x, 0.05), 1e-3) if mean_T > 0 else 1.0


class PurchaseModel(ABC):
    """Base class: holds the parameters and fits them by maximum likelihood."""

    name: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]

    def __init__(self, params: Mapping[str, float] | None = None) -> None:
        self.params: dict[str, float] | None = dict(params) if params is not None else None
        self.fit_result: FitResult | None = None

    # -- what a model defines --------------------------------------------------
    @staticmethod
    @abstractmethod
    def loglik_terms(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Per-customer log-likelihood for the parameter vector `params` (natural scale)."""

    # (params, x, t_x, T) -> (per-customer LL, gradient: one row per parameter), or None: finite differences
    loglik_gradient_terms: ClassVar[Callable | None] = None

    @abstractmethod
    def default_starts(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> list[list[float]]:
        """Several starting points (natural scale), spread over the plausible region."""

    @abstractmethod
    def _conditional_expected(
        self, t: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray: ...

    @abstractmethod
    def _p_alive(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _expected(self, t: np.ndarray) -> np.ndarray: ...

    # -- shared API ------------------------------------------------------------
    def fit(
        self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, starts: Sequence[Sequence[float]] | None = None
    ) -> FitResult:
        """Maximum-likelihood fit; sets `self.params` and returns the FitResult."""
        x, t_x, T = as_rfm(x, t_x, T)
        if x.size == 0:
            raise ValueError("no customers to fit")
        (ux, ut, uT), w = compress(x.ravel(), t_x.ravel(), T.ravel())

        def factory(idx: np.ndarray | None):
            xs, ts, Ts, ws = (ux, ut, uT, w) if idx is None else (ux[idx], ut[idx], uT[idx], w[idx])

            def total(p: np.ndarray) -> float:
                return float(np.dot(ws, self.loglik_terms(p, xs, ts, Ts)))

            if self.loglik_gradient_terms is not None:

                def gradient(p: np.ndarray) -> tuple[float, np.ndarray]:
                    terms, grads = self.loglik_gradient_terms(p, xs, ts, Ts)
                    return float(np.dot(ws, terms)), grads @ ws

                total.gradient = gradient  # type: ignore[attr-defined]
            return total

        result = maximize(factory, self.param_names, starts or self.default_starts(x, t_x, T), n_rows=len(w))
        self.params, self.fit_result = result.params, result
        return result

    def _vector(self) -> np.ndarray:
        if self.params is None:
            raise ValueError(f"{self.name}: no parameters (fit the model or pass params)")
        return np.array([self.params[n] for n in self.param_names], dtype=float)

    def log_likelihood(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> float:
        """Total log-likelihood of the data at the current parameters."""
        x, t_x, T = as_rfm(x, t_x, T)
        return float(np.sum(self.loglik_terms(self._vector(), x, t_x, T)))

    def conditional_expected_purchases(
        self, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units."""
        x, t_x, T = as_rfm(x, t_x, T)
        t = np.asarray(t, dtype=float)
        with np.errstate(all="ignore"):
            out = self._conditional_expected(t, x, t_x, T)
        return np.where(t == 0, 0.0, out)

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> np.ndarray:
        """P(customer still active at T | x, t_x, T)."""
        x, t_x, T = as_rfm(x, t_x, T)
        with np.errstate(all="ignore"):
            return self._p_alive(x, t_x, T)

    def expected_purchases(self, t: ArrayLike) -> np.ndarray:
        """Unconditional E[X(t)]: purchases by a new customer in `t` units after the first one."""
        t = np.asarray(t, dtype=float)
        with np.errstate(all="ignore"):
            return np.where(t == 0, 0.0, self._expected(t))
