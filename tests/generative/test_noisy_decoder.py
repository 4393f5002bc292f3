"""Tests for impossibility.generative.noisy_decoder: x = m(z) + ε."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility.generative import GaussianNoiseDecoder, InjectiveMLP, InvertibleMLP, TanhResidual


def _gentle_decoder(d: int, D: int, sigma: float, rng) -> GaussianNoiseDecoder:
    mean = InjectiveMLP.random(
        d, D, rng, nonlinearity=TanhResidual(1.0), out_nonlinearity=TanhResidual(0.5)
    )
    return GaussianNoiseDecoder(mean, sigma)


def test_noisy_decoder_likelihood_and_sampling():
    rng = np.random.default_rng(7)
    dec = _gentle_decoder(2, 4, 0.3, rng)
    z = rng.normal(size=(5, 2))
    x = dec.sample(z, rng)
    expected = stats.multivariate_normal(np.zeros(4), 0.09 * np.eye(4))
    np.testing.assert_allclose(
        dec.log_likelihood(x, z), expected.logpdf(x - dec.mean.forward(z)), atol=1e-12
    )
    one = dec.log_likelihood(x[0], z)
    np.testing.assert_allclose(one, expected.logpdf(x[0] - dec.mean.forward(z)), atol=1e-12)
    # log_density is the same Gaussian, broadcasting over leading axes
    mu = dec.mean.forward(z)
    np.testing.assert_array_equal(dec.log_density(x, mu), dec.log_likelihood(x, z))
    grid = dec.log_density(x[:, None, :], mu[None, :, :])
    np.testing.assert_allclose(grid[1], expected.logpdf(x[1] - mu), atol=1e-12)


def test_noisy_decoder_bad_input():
    rng = np.random.default_rng(0)
    g = InvertibleMLP.random(2, rng)
    dec = _gentle_decoder(2, 3, 0.5, rng)
    with pytest.raises(ValueError, match="sigma"):
        GaussianNoiseDecoder(g, 0.0)
    with pytest.raises(TypeError, match="sigma"):
        GaussianNoiseDecoder(g, "0.5")
    with pytest.raises(TypeError, match="forward"):
        GaussianNoiseDecoder(np.eye(2), 0.5)
    with pytest.raises(TypeError, match="dim_x"):
        GaussianNoiseDecoder(TanhResidual(1.0), 0.5)
    with pytest.raises(ValueError, match="rows"):
        dec.log_likelihood(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(TypeError, match="Generator"):
        dec.sample(np.zeros((1, 2)), 0)
