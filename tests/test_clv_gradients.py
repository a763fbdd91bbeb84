"""Exact gradients of the BG/NBD, MBG/NBD and Gamma-Gamma log-likelihoods (the fits use them instead of finite
differences: bench/bench_clv.py), and the per-count evaluation of the x-only terms, checked against the plain
formulas and numerical derivatives on CDNOW."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.special import betaln, gammaln

from metric_pulse.clv.bgnbd import bg_family_loglik, bg_family_loglik_gradient
from metric_pulse.clv.gamma_gamma import GammaGamma
from metric_pulse.clv.summary import summarize
from tests.cdnow import load_cdnow


@pytest.fixture(scope="module")
def cdnow():
    s = summarize(load_cdnow(), "1997-09-30")
    return tuple(s[c].to_numpy(float) for c in ("x", "t_x", "T", "zbar"))


def plain_bg(params, x, t_x, T, zero_dropout):
    r, alpha, a, b = params
    k = 1.0 if zero_dropout else 0.0
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    alive = betaln(a, b + x + k) - (r + x) * np.log(alpha + T)
    dead = betaln(a + 1.0, b + x - 1.0 + k) - (r + x) * np.log(alpha + t_x)
    if not zero_dropout:
        dead = np.where(x > 0, dead, -np.inf)
    return head + np.logaddexp(alive, dead)


POINTS = [[0.24, 4.4, 0.79, 2.4], [1.3, 0.7, 0.2, 5.0], [0.5, 10.0, 3.0, 0.6]]


@pytest.mark.parametrize("zero_dropout", [False, True])
@pytest.mark.parametrize("point", POINTS)
def test_bg_family_values_and_gradient(cdnow, zero_dropout, point) -> None:
    x, t_x, T, _ = cdnow
    params = np.array(point)
    expected = plain_bg(params, x, t_x, T, zero_dropout)
    assert np.allclose(bg_family_loglik(params, x, t_x, T, zero_dropout=zero_dropout), expected, rtol=1e-12)
    terms, grad = bg_family_loglik_gradient(params, x, t_x, T, zero_dropout=zero_dropout)
    assert np.allclose(terms, expected, rtol=1e-12)
    numeric = approx_fprime(params, lambda p: plain_bg(p, x, t_x, T, zero_dropout).sum(), 1e-6)
    assert np.allclose(grad.sum(axis=1), numeric, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("point", [[6.25, 3.74, 15.44], [1.0, 2.0, 3.0]])
def test_gamma_gamma_gradient(cdnow, point) -> None:
    x, _, _, zbar = cdnow
    keep = (x > 0) & (zbar > 0)
    x, zbar, params = x[keep], zbar[keep], np.array(point)
    terms, grad = GammaGamma.loglik_gradient_terms(params, x, zbar)
    assert np.allclose(terms, GammaGamma.loglik_terms(params, x, zbar))
    numeric = approx_fprime(params, lambda p: GammaGamma.loglik_terms(p, x, zbar).sum(), 1e-6)
    assert np.allclose(grad.sum(axis=1), numeric, rtol=1e-4, atol=1e-2)
