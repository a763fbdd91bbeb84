"""Shared maximum-likelihood machinery for every model in the package.

Why this shape:

* Parameters are optimised on the log scale: all of them are positive, and a
  log scale turns the long flat ridges of these likelihoods (BG/NBD `a`, `b`)
  into something a quasi-Newton method can walk along.
* L-BFGS-B from several starting points, keeping the best. A single
  Nelder-Mead run on CDNOW stops on the a/b ridge at LL -9589.77 and reports
  success; only comparing log-likelihoods across starts catches that.
* "Converged" is judged by the log-likelihood: at least two starts must reach
  the best value within `agree_tol`, and the best point must not sit on the
  search box (a parameter running to 0 or infinity means the model is
  degenerate for this data, whatever the optimiser says).
* Starts are tried in turn and the search stops once two of them agree on
  the best log-likelihood (the remaining starts would only cost time).
* For large inputs the multi-start runs on a fixed random subsample and only
  the best point is polished on all customers: the subsample only has to
  find the right basin, and it is several times faster.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

# log-parameter box: exp(-15) ~ 3e-7 .. exp(15) ~ 3.3e6, wide enough for day
# or week units and still finite everywhere.
LOG_BOUND = 15.0
AGREE_TOL = 1e-3  # log-likelihood units (total, not per customer)
SUBSAMPLE = 10_000


@dataclass(frozen=True)
class FitResult:
    """Outcome of a maximum-likelihood fit; `params` are on the natural scale."""

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    n_starts: int
    n_agreeing: int
    fit_seconds: float
    message: str = ""
    start_log_likelihoods: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly view (plain floats, no numpy types)."""
        return {
            "params": {k: float(v) for k, v in self.params.items()},
            "log_likelihood": float(self.log_likelihood),
            "converged": bool(self.converged),
            "n_starts": self.n_starts,
            "n_agreeing": self.n_agreeing,
            "fit_seconds": round(float(self.fit_seconds), 4),
            "message": self.message,
        }


# A log-likelihood builder: given the data subset (row indices or None for all),
# return a function of the natural-scale parameter vector giving the total LL.
LoglikFactory = Callable[[np.ndarray | None], Callable[[np.ndarray], float]]


def _run(
    loglik: Callable[[np.ndarray], float], theta0: np.ndarray, scale: float
) -> tuple[np.ndarray, float, bool]:
    """One L-BFGS-B run on log-parameters; returns (log-params, total LL, optimiser success).

    If `loglik` has a `gradient` attribute (params -> (LL, dLL/dparams), natural scale),
    the optimiser gets exact derivatives instead of finite differences: one evaluation
    per step instead of 1 + number of parameters.
    """
    with_gradient = getattr(loglik, "gradient", None)

    def objective(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = loglik(np.exp(theta))
        # a non-finite value is a region the model cannot describe: push away
        return -value / scale if np.isfinite(value) else 1e10

    def objective_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(theta)
        with np.errstate(all="ignore"):
            value, grad = with_gradient(params)
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return 1e10, np.zeros_like(theta)
        return -value / scale, -grad * params / scale  # chain rule: d/dtheta = params * d/dparams

    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(theta0)
    res = minimize(
        objective_and_gradient if with_gradient else objective,
        np.clip(theta0, -LOG_BOUND, LOG_BOUND),
        jac=bool(with_gradient),
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 1000, "ftol": 1e-11, "gtol": 1e-6},
    )
    value = -res.fun * scale
    if not np.isfinite(value) or res.fun >= 1e10:
        value = -np.inf
    return res.x, float(value), bool(res.success)


def maximize(
    factory: LoglikFactory,
    names: Sequence[str],
    starts: Sequence[Sequence[float]],
    n_rows: int,
    *,
    agree_tol: float = AGREE_TOL,
    subsample: int = SUBSAMPLE,
    seed: int = 0,
) -> FitResult:
    """Maximise a log-likelihood from several starts (natural-scale `starts`).

    `factory(None)` must give the LL over all rows; `factory(idx)` the LL over
    the rows `idx` (used for the subsample multi-start when `n_rows > subsample`).
    """
    t0 = time.perf_counter()
    thetas0 = [np.log(np.asarray(s, dtype=float)) for s in starts]
    full = factory(None)
    use_subsample = n_rows > subsample
    if use_subsample:
        idx = np.sort(np.random.default_rng(seed).choice(n_rows, size=subsample, replace=False))
        stage = factory(idx)
        stage_scale = float(subsample)
    else:
        stage = full
        stage_scale = float(n_rows)

    runs = []
    for th in thetas0:  # stop as soon as two starts agree on the best value
        runs.append(_run(stage, th, max(stage_scale, 1.0)))
        done = np.array([r[1] for r in runs])
        if len(runs) >= 2 and np.isfinite(done).any() and np.sum(done >= np.nanmax(done) - agree_tol) >= 2:
            break
    lls = np.array([r[1] for r in runs])
    if not np.isfinite(lls).any():
        return FitResult(
            {n: float("nan") for n in names},
            float("-inf"),
            False,
            len(runs),
            0,
            time.perf_counter() - t0,
            "no start gave a finite log-likelihood",
            [float(v) for v in lls],
        )
    best_i = int(np.nanargmax(lls))
    n_agree = int(np.sum(lls >= lls[best_i] - agree_tol))
    theta, ll, ok = runs[best_i][0], lls[best_i], runs[best_i][2]
    if use_subsample:
        theta, ll, ok = _run(full, theta, float(n_rows))

    at_bound = bool(np.any(np.abs(theta) >= LOG_BOUND - 1e-6))
    converged = bool(np.isfinite(ll) and n_agree >= min(2, len(runs)) and not at_bound)
    if at_bound:
        message = "a parameter ran to the edge of the search box (model degenerate for this data)"
    elif n_agree < min(2, len(runs)):
        message = "starts disagree on the maximum; the best one is kept but not trusted"
    else:
        message = "ok" if ok else "optimiser stopped early, but starts agree on the log-likelihood"
    return FitResult(
        params={n: float(v) for n, v in zip(names, np.exp(theta), strict=True)},
        log_likelihood=float(ll),
        converged=converged,
        n_starts=len(runs),
        n_agreeing=n_agree,
        fit_seconds=time.perf_counter() - t0,
        message=message,
        start_log_likelihoods=[float(v) for v in lls],
    )
