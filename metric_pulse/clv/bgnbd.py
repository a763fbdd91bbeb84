"""BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

While alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after
each *repeat* purchase they drop out with probability p ~ Beta(a, b). Because
drop-out can only follow a repeat purchase, a customer with x = 0 is alive
with probability 1 -- churn is not informative for one-time buyers (see
`mbgnbd`, which adds a drop-out chance right after the first purchase).

The BG and MBG likelihoods and expectations differ only by one extra
"coin flip" (b -> b + 1 in the posterior of p), so both are computed by the
functions here with a `zero_dropout` switch; `mbgnbd` reuses them.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from metric_pulse.clv.purchase_model import PurchaseModel, rate_scale
from metric_pulse.clv.special import by_count, hyp2f1_series


def _bg_parts(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, k: float, zero_dropout: bool
):
    """(grid, index, head, alive, dead): the log-likelihood's pieces, per customer (head per count)."""
    r, alpha, a, b = params
    grid, index = by_count(x)
    head = (gammaln(r + grid) - gammaln(r) + r * np.log(alpha) - betaln(a, b))[index]
    alive = betaln(a, b + grid + k)[index] - (r + x) * np.log(alpha + T)
    dead = betaln(a + 1.0, b + grid - 1.0 + k)[index] - (r + x) * np.log(alpha + t_x)
    if not zero_dropout:  # BG/NBD: no drop-out before the first repeat purchase
        dead = np.where(x > 0, dead, -np.inf)
    return grid, index, head, alive, dead


def bg_family_loglik(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, *, zero_dropout: bool
) -> np.ndarray:
    """Per-customer log-likelihood of BG/NBD (`zero_dropout=False`) or MBG/NBD (True).

    Two ways to produce (x, t_x, T): still alive at T, or dropped out right after
    the purchase at t_x. The two terms are summed on the log scale (logaddexp),
    so large x or T never overflow.
    """
    k = 1.0 if zero_dropout else 0.0
    with np.errstate(all="ignore"):
        _, _, head, alive, dead = _bg_parts(params, x, t_x, T, k, zero_dropout)
        return head + np.logaddexp(alive, dead)


def bg_family_loglik_gradient(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, *, zero_dropout: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(per-customer LL, d LL / d (r, alpha, a, b) as a 4 x n array) of `bg_family_loglik`.

    LL = head + log(e^alive + e^dead): each derivative is head' + w alive' + (1 - w) dead'
    with w = e^alive / (e^alive + e^dead), the posterior probability of being alive.
    """
    r, alpha, a, b = params
    k = 1.0 if zero_dropout else 0.0
    with np.errstate(all="ignore"):
        grid, index, head, alive, dead = _bg_parts(params, x, t_x, T, k, zero_dropout)
        mixed = np.logaddexp(alive, dead)
        terms = head + mixed
        w_alive = np.exp(alive - mixed)
        has_dead = (x > 0) | zero_dropout
        w_dead = np.where(has_dead, 1.0 - w_alive, 0.0)
        ab = digamma(a + b + grid + k)
        d_r = (
            (digamma(r + grid) - digamma(r))[index]
            + np.log(alpha)
            - w_alive * np.log(alpha + T)
            - w_dead * np.log(alpha + t_x)
        )
        d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dead / (alpha + t_x))
        d_a = (
            digamma(a + b)
            - digamma(a)
            + w_alive * (digamma(a) - ab)[index]
            + np.where(has_dead, w_dead * (digamma(a + 1.0) - ab)[index], 0.0)
        )
        d_b = (
            digamma(a + b)
            - digamma(b)
            + w_alive * (digamma(b + grid + k) - ab)[index]
            + np.where(has_dead, w_dead * (digamma(b + grid - 1.0 + k) - ab)[index], 0.0)
        )
    return terms, np.vstack([d_r, d_alpha, d_a, d_b])


def bg_family_log_odds_dead(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, *, zero_dropout: bool
) -> np.ndarray:
    """log[P(dead) / P(alive)] given (x, t_x, T): the ratio of the two likelihood terms."""
    r, alpha, a, b = params
    k = 1.0 if zero_dropout else 0.0
    with np.errstate(all="ignore"):
        lo = np.log(a) - np.log(b + x - 1.0 + k) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return lo if zero_dropout else np.where(x > 0, lo, -np.inf)


def bg_alive_expected(
    t: np.ndarray, r: float, alpha: float, a: float, b_post: float, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[purchases in (T, T+t]] for a customer known to be alive at T.

    Posterior: lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b_post+x). The textbook form
    (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
    multiplies a huge 2F1 by a tiny power when x is large. Euler's transformation
    turns it into (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), which stays near 1,
    and splitting off the (a-1) factor keeps it exact near a = 1 (a removable
    singularity: there we evaluate at a = 1 +- 1e-7).
    """
    e = np.asarray(a - 1.0, dtype=float)
    e = np.where(np.abs(e) < 1e-7, np.copysign(1e-7, e), e)
    a_ = 1.0 + e
    c = a_ + b_post + x - 1.0
    log1mz = np.log(alpha + T) - np.log(alpha + T + t)  # log(1 - z), z = t/(alpha+T+t)
    z = -np.expm1(log1mz)
    A = a_ + b_post - 1.0 - r
    f = np.array(hyp2f1(A, e, c, z), dtype=float)
    bad = ~np.isfinite(f)
    if bad.any():  # scipy gives up on some extreme parameters (e.g. after a degenerate fit)
        f[bad] = hyp2f1_series(*(np.broadcast_to(v, f.shape)[bad] for v in (A, e, c, z)))
    power = np.exp(e * log1mz)
    return c * (-np.expm1(e * log1mz) / e - power * (f - 1.0) / e)


class BGNBD(PurchaseModel):
    """BG/NBD with parameters r, alpha (purchase rate), a, b (drop-out after purchases)."""

    name = "bgnbd"
    param_names = ("r", "alpha", "a", "b")
    zero_dropout = False

    @classmethod
    def loglik_terms(cls, params, x, t_x, T):  # type: ignore[override]
        return bg_family_loglik(params, x, t_x, T, zero_dropout=cls.zero_dropout)

    @classmethod
    def loglik_gradient_terms(cls, params, x, t_x, T):  # type: ignore[override]
        return bg_family_loglik_gradient(params, x, t_x, T, zero_dropout=cls.zero_dropout)

    def default_starts(self, x, t_x, T):
        s = rate_scale(x, T)
        return [[1.0, s, 1.0, 3.0], [0.3, 0.3 * s, 0.5, 1.0], [3.0, 3.0 * s, 3.0, 10.0]]

    def _p_alive(self, x, t_x, T):
        lo = bg_family_log_odds_dead(self._vector(), x, t_x, T, zero_dropout=self.zero_dropout)
        return expit(-lo)

    def _conditional_expected(self, t, x, t_x, T):
        r, alpha, a, b = self._vector()
        k = 1.0 if self.zero_dropout else 0.0
        return self._p_alive(x, t_x, T) * bg_alive_expected(t, r, alpha, a, b + k, x, T)

    def _expected(self, t):
        r, alpha, a, b = self._vector()
        return bg_alive_expected(t, r, alpha, a, b, np.zeros_like(t), np.zeros_like(t))
