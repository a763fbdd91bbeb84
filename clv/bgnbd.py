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
from scipy.special import betaln, expit, gammaln, hyp2f1

from clv.purchase_model import PurchaseModel, rate_scale
from clv.special import hyp2f1_series


def bg_family_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                     *, zero_dropout: bool) -> np.ndarray:
    """Per-customer log-likelihood of BG/NBD (`zero_dropout=False`) or MBG/NBD (True).

    Two ways to produce (x, t_x, T): still alive at T, or dropped out right after
    the purchase at t_x. The two terms are summed on the log scale (logaddexp),
    so large x or T never overflow.
    """
    r, alpha, a, b = params
    k = 1.0 if zero_dropout else 0.0
    with np.errstate(all="ignore"):
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        alive = betaln(a, b + x + k) - (r + x) * np.log(alpha + T)
        dead = betaln(a + 1.0, b + x - 1.0 + k) - (r + x) * np.log(alpha + t_x)
        if not zero_dropout:  # BG/NBD: no drop-out before the first repeat purchase
            dead = np.where(x > 0, dead, -np.inf)
        return head + np.logaddexp(alive, dead)


def bg_family_log_odds_dead(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                            *, zero_dropout: bool) -> np.ndarray:
    """log[P(dead) / P(alive)] given (x, t_x, T): the ratio of the two likelihood terms."""
    r, alpha, a, b = params
    k = 1.0 if zero_dropout else 0.0
    with np.errstate(all="ignore"):
        lo = np.log(a) - np.log(b + x - 1.0 + k) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return lo if zero_dropout else np.where(x > 0, lo, -np.inf)


def bg_alive_expected(t: np.ndarray, r: float, alpha: float, a: float, b_post: float,
                      x: np.ndarray, T: np.ndarray) -> np.ndarray:
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
