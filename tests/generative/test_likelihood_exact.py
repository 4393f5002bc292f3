"""Tests for impossibility.generative.likelihood_exact: log p(x) by the change of variables."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior
from impossibility.generative import (
    GaussianNoiseDecoder,
    InjectiveMLP,
    InvertibleMLP,
    TanhResidual,
    log_px_exact,
)


def test_linear_gaussian_change_of_variables_matches_closed_form():
    # g(z) = W z + b with z ~ N(0, I): x ~ N(b, W Wᵀ), an independent formula
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    g = InvertibleMLP([W], [b])
    prior = FactorizedPrior.iid(stats.norm(), 3)
    x = rng.normal(size=(100, 3)) * 3
    np.testing.assert_allclose(
        log_px_exact(g, prior, x), stats.multivariate_normal(b, W @ W.T).logpdf(x), atol=1e-12
    )


def test_log_px_exact_is_the_change_of_variables_formula():
    # log p(x) = log p(g⁻¹(x)) + log|det J_{g⁻¹}(x)|, the second term also as −slogdet J_g(z)
    rng = np.random.default_rng(4)
    prior = FactorizedPrior([stats.logistic(), stats.laplace()])
    g = InvertibleMLP.random(2, rng)
    z = prior.sample(100, rng)
    x = g.forward(z)
    zb, ld = g.inverse_and_log_det(x)
    np.testing.assert_array_equal(log_px_exact(g, prior, x), prior.log_prob(zb) + ld)
    expected = prior.log_prob(z) - np.linalg.slogdet(g.jacobian(z))[1]
    np.testing.assert_allclose(log_px_exact(g, prior, x), expected, atol=1e-11)
    assert log_px_exact(g, prior, x[0]).shape == (1,)


def test_log_px_exact_bad_input():
    rng = np.random.default_rng(0)
    prior = FactorizedPrior.iid(stats.norm(), 2)
    g = InvertibleMLP.random(2, rng)
    mean = InjectiveMLP.random(2, 3, rng, nonlinearity=TanhResidual(1.0))
    dec = GaussianNoiseDecoder(mean, 0.5)
    with pytest.raises(TypeError, match="invertible decoder"):
        log_px_exact(dec, prior, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="coordinates"):
        log_px_exact(g, FactorizedPrior.iid(stats.norm(), 3), np.zeros((1, 2)))
    with pytest.raises(TypeError, match="FactorizedPrior"):
        log_px_exact(g, stats.norm(), np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        log_px_exact(g, prior, np.zeros((1, 3)))
