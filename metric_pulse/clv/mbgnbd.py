"""MBG/NBD purchase model (Batislam, Denizel & Filiztekin 2007).

BG/NBD with one change: a customer may also drop out right after the *first*
purchase (probability p, the same p as after every repeat purchase). So a
one-time buyer who has been silent for a long time gets P(alive) < 1, which is
what makes churn informative for the 60 % of CDNOW customers with x = 0.

All formulas are the BG/NBD ones with one more "coin flip" survived (the
posterior of p is Beta(a, b+x+1) instead of Beta(a, b+x)); they live in
`metric_pulse.clv.bgnbd` behind the `zero_dropout` switch.
"""

from __future__ import annotations

import numpy as np

from metric_pulse.clv.bgnbd import BGNBD, bg_alive_expected


class MBGNBD(BGNBD):
    """MBG/NBD with parameters r, alpha (purchase rate), a, b (drop-out after every purchase)."""

    name = "mbgnbd"
    zero_dropout = True

    def _expected(self, t):
        # survive the coin flip after the first purchase (prob b/(a+b)), then
        # behave as a BG-type customer whose p posterior is Beta(a, b+1)
        r, alpha, a, b = self._vector()
        zeros = np.zeros_like(t)
        return b / (a + b) * bg_alive_expected(t, r, alpha, a, b + 1.0, zeros, zeros)
