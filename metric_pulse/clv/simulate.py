"""Draw synthetic (x, t_x, T) from the models' own stories, vectorised with numpy.

Used to time the fits on large populations and to check that a fit recovers
the parameters it was simulated from. Arrival times are not simulated one by
one: given N Poisson arrivals in a window, their times are uniform order
statistics, so the k-th of N is window * Beta(k, N-k+1).
"""

from __future__ import annotations

import numpy as np


def _kth_of_n(rng: np.random.Generator, k: np.ndarray, n: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Time of the k-th of n uniform arrivals in [0, window] (0 where k == 0)."""
    safe_k = np.maximum(k, 1)
    return np.where(k > 0, window * rng.beta(safe_k, np.maximum(n - safe_k + 1, 1)), 0.0)


def observation_lengths(
    rng: np.random.Generator, n: int, calibration: float = 39.0, cohort: float = 12.0
) -> np.ndarray:
    """T for customers whose first purchase is spread uniformly over the first `cohort` units (CDNOW: Q1)."""
    return calibration - rng.uniform(0.0, cohort, n)


def simulate_bg(
    params: dict[str, float], T: np.ndarray, *, zero_dropout: bool = False, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD (or MBG/NBD with `zero_dropout`) customers observed for T units after their first purchase."""
    rng = np.random.default_rng(seed)
    n = T.size
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    arrivals = rng.poisson(lam * T)
    # repeat purchases made before dropping out (each purchase: drop with prob p)
    k = rng.geometric(p) - (1 if zero_dropout else 0)  # BG: drop after the k-th repeat, k >= 1
    x = np.minimum(k, arrivals)
    t_x = _kth_of_n(rng, x, arrivals, T)
    return x.astype(float), t_x, T.astype(float)


def simulate_pnbd(
    params: dict[str, float], T: np.ndarray, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pareto/NBD customers observed for T units after their first purchase."""
    rng = np.random.default_rng(seed)
    n = T.size
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    mu = rng.gamma(params["s"], 1.0 / params["beta"], n)
    window = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * window)
    t_x = _kth_of_n(rng, x, x, window)
    return x.astype(float), t_x, T.astype(float)
