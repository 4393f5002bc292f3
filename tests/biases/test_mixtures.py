"""The Gaussian scale mixture: a scipy distribution accurate far into both tails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

import impossibility as im
from impossibility import biases


def _mixture_cdf(x, w, s):
    return sum(wk * stats.norm.cdf(x / sk) for wk, sk in zip(w, s, strict=True))


def test_mixture_against_direct_sums_and_theory_references():
    w, s = [0.5, 0.5], [0.5, 2.0]
    m = biases.gaussian_scale_mixture(w, s)
    x = np.linspace(-6, 6, 25)
    np.testing.assert_allclose(m.cdf(x), _mixture_cdf(x, w, s), atol=2e-16)
    np.testing.assert_allclose(
        m.pdf(x),
        sum(wk * stats.norm.pdf(x, scale=sk) for wk, sk in zip(w, s, strict=True)),
        rtol=1e-14,
    )
    # docs/theory.md §5.2 (measured with scipy.stats.Mixture):
    # logcdf(−30) = −116.82, icdf(1e-12) = −13.874
    assert m.logcdf(-30.0) == pytest.approx(-116.82, abs=0.005)
    assert m.ppf(1e-12) == pytest.approx(-13.874, abs=5e-4)
    assert m.isf(1e-12) == pytest.approx(13.874, abs=5e-4)
    # symmetric tails; normalised density; variance Σ w s²
    np.testing.assert_allclose(m.logsf(x), m.logcdf(-x), rtol=0, atol=0)
    assert integrate.quad(m.pdf, -np.inf, np.inf)[0] == pytest.approx(1.0, abs=1e-10)
    assert m.var() == pytest.approx(0.5 * 0.25 + 0.5 * 4.0, rel=1e-14)
    assert m.median() == 0.0


def test_mixture_quantiles_invert_the_log_cdf_deep_in_the_tails():
    m = biases.gaussian_scale_mixture([0.2, 0.3, 0.5], [0.3, 1.0, 4.0])
    logq = -np.geomspace(1e-3, 690.0, 400)
    q = np.exp(logq)
    x = m.ppf(q)
    # relative accuracy of log F at the computed quantile: a few ulps of |log q|
    np.testing.assert_allclose(m.logcdf(x), logq, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(m.isf(q), -x, rtol=0, atol=0)
    # upper half through 1 − q (exact for q ≥ 1/2)
    qq = np.linspace(0.5, 1 - 1e-9, 50)
    np.testing.assert_allclose(m.cdf(m.ppf(qq)), qq, rtol=1e-14)


def test_mixture_in_a_factorized_prior_gives_a_prior_preserving_f():
    aux = biases.AuxiliaryPrior([[0.5, 2.0], [0.7, 1.5], [1.0, 3.0]])
    prior = aux.marginal
    assert isinstance(prior, im.FactorizedPrior) and prior.d == 3
    f = im.entangling_bijection(prior, rng=np.random.default_rng(1))
    u = prior.sample(300, np.random.default_rng(2))
    # p(f(u)) |det J_f(u)| = p(u): rounding of the generic Gaussianizing route
    assert np.max(im.density_invariance_error(f, prior, u)) < 1e-10
    np.testing.assert_allclose(f.inverse(f.forward(u)), u, atol=1e-10)


def test_mixture_errors():
    with pytest.raises(ValueError, match="sum to 1"):
        biases.gaussian_scale_mixture([0.5, 0.6], [1.0, 2.0])
    with pytest.raises(ValueError, match="scales"):
        biases.gaussian_scale_mixture([0.5, 0.5], [1.0, -2.0])
    with pytest.raises(ValueError, match="equal length"):
        biases.gaussian_scale_mixture([1.0], [1.0, 2.0])


def test_mixture_validation_types_and_values():
    with pytest.raises(TypeError, match="weights must be an array of real numbers"):
        biases.gaussian_scale_mixture(["a"], [1.0])
    with pytest.raises(ValueError, match="scales contains 1 non-finite"):
        biases.gaussian_scale_mixture([0.5, 0.5], [1.0, np.inf])
    with pytest.raises(ValueError, match="weights must be positive"):
        biases.GaussianScaleMixture([1.5, -0.5], [1.0, 2.0])
