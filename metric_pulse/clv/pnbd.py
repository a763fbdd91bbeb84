"""Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987).

While alive a customer buys at rate lambda ~ Gamma(r, alpha); the lifetime is
exponential with rate mu ~ Gamma(s, beta), so drop-out can happen at any time,
including before a first repeat purchase: P(alive) < 1 for one-time buyers.

Likelihood (Fader, Hardie & Lee 2005, "A Note on Deriving the Pareto/NBD Model
and Related Expressions"):

    L = Gamma(r+x) alpha^r beta^s / Gamma(r)
        * [ (alpha+T)^-(r+x) (beta+T)^-s  +  s * (G(t_x) - G(T)) ]

    G(u) = integral_u^inf (alpha+y)^-(r+x) (beta+y)^-(s+1) dy
         = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+u)) / ((r+s+x)(alpha+u)^(r+s+x))   if alpha >= beta
         = 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+u)) / ((r+s+x)(beta+u)^(r+s+x))     if alpha <  beta

Numerical care: those 2F1s blow up as their argument approaches 1 (c-a-b < 0).
Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z) gives

    G(u) = (alpha+u)^-(r+x) (beta+u)^-s / (r+s+x) * H(u)
    H(u) = 2F1(1, r+x; r+s+x+1; (alpha-beta)/(alpha+u))                     alpha >= beta
    H(u) = (alpha+u)/(beta+u) * 2F1(1, s+1; r+s+x+1; (beta-alpha)/(beta+u))  alpha <  beta

where the 2F1s have first parameter 1 (a plain, well-behaved power series).
Everything is then done on the log scale: log(G(t_x) - G(T)) with log1mexp,
and the two likelihood terms combined with logaddexp.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, gammaln, hyp2f1

from metric_pulse.clv.purchase_model import PurchaseModel, rate_scale
from metric_pulse.clv.special import log1mexp, one_minus_power_over_k


def _log_G(u: np.ndarray, r: float, alpha: float, s: float, beta: float, x: np.ndarray) -> np.ndarray:
    """log G(u) (see module docstring), both alpha >= beta and alpha < beta."""
    rx = r + x
    base = -rx * np.log(alpha + u) - s * np.log(beta + u) - np.log(rx + s)
    if alpha >= beta:
        h = np.log(hyp2f1(1.0, rx, rx + s + 1.0, (alpha - beta) / (alpha + u)))
    else:
        h = (
            np.log(alpha + u)
            - np.log(beta + u)
            + np.log(hyp2f1(1.0, s + 1.0, rx + s + 1.0, (beta - alpha) / (beta + u)))
        )
    return base + h


def _log_terms(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(log alive-term, log dead-term) of the likelihood bracket."""
    r, alpha, s, beta = params
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    g_tx = _log_G(t_x, r, alpha, s, beta, x)
    g_T = _log_G(T, r, alpha, s, beta, x)
    dead = np.log(s) + g_tx + log1mexp(g_T - g_tx)  # -inf when t_x == T: no room to die
    return alive, dead


class ParetoNBD(PurchaseModel):
    """Pareto/NBD with parameters r, alpha (purchase rate), s, beta (lifetime)."""

    name = "pnbd"
    param_names = ("r", "alpha", "s", "beta")

    @staticmethod
    def loglik_terms(params, x, t_x, T):  # type: ignore[override]
        r, alpha, s, beta = params
        with np.errstate(all="ignore"):
            alive, dead = _log_terms(params, x, t_x, T)
            head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
            return head + np.logaddexp(alive, dead)

    def default_starts(self, x, t_x, T):
        sc = rate_scale(x, T)
        lt = max(float(np.mean(T)), 1e-3)
        return [[1.0, sc, 1.0, lt], [0.5, 0.5 * sc, 0.5, 0.5 * lt], [2.0, 2.0 * sc, 2.0, 4.0 * lt]]

    def _p_alive(self, x, t_x, T):
        alive, dead = _log_terms(self._vector(), x, t_x, T)
        return expit(alive - dead)

    def _conditional_expected(self, t, x, t_x, T):
        # alive at T: lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T)
        r, alpha, s, beta = self._vector()
        per_alive = (r + x) / (alpha + T) * (beta + T) * one_minus_power_over_k(s - 1.0, t / (beta + T))
        return self._p_alive(x, t_x, T) * per_alive

    def _expected(self, t):
        r, alpha, s, beta = self._vector()
        return r / alpha * beta * one_minus_power_over_k(s - 1.0, t / beta)
