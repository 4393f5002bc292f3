"""Tests for impossibility.generative.likelihood_importance (deterministic checks)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior, entangling_bijection
from impossibility.generative import (
    GaussianNoiseDecoder,
    InjectiveMLP,
    TanhResidual,
    entangle_generator,
    log_px_importance,
    log_px_quadrature,
)


def _gentle_decoder(d: int, D: int, sigma: float, rng) -> GaussianNoiseDecoder:
    mean = InjectiveMLP.random(
        d, D, rng, nonlinearity=TanhResidual(1.0), out_nonlinearity=TanhResidual(0.5)
    )
    return GaussianNoiseDecoder(mean, sigma)


def test_proposal_outside_support_gets_zero_weight():
    # a Student-t proposal puts mass outside a Beta prior's support: those draws must be dropped,
    # not passed to f (which is undefined there), and the estimate must still agree with quadrature
    prior = FactorizedPrior([stats.beta(2, 5), stats.norm()])
    rng = np.random.default_rng(13)
    f = entangling_bijection(prior, rng=rng)
    dec = _gentle_decoder(2, 3, 0.5, rng)
    twin = entangle_generator(dec, f)
    x = dec.sample(prior.sample(2, rng), rng)
    proposal = FactorizedPrior([stats.t(df=4, loc=0.3, scale=0.3), stats.t(df=4)])
    m, s = log_px_importance(twin, prior, x, rng, 20_000, proposal=proposal)
    q, e = log_px_quadrature(twin, prior, x, n_panels=16)
    assert np.all(e < 1e-4)
    assert np.all(np.abs(m - q) < 7 * s)  # 7 standard errors: two-sided normal tail 2.6e-12


def test_importance_is_a_function_of_the_rng():
    prior = FactorizedPrior.iid(stats.logistic(), 2)
    rng = np.random.default_rng(17)
    dec = _gentle_decoder(2, 3, 0.5, rng)
    x = dec.sample(prior.sample(3, rng), rng)
    a = log_px_importance(dec, prior, x, np.random.default_rng(1), 5000, chunk=700)
    b = log_px_importance(dec, prior, x, np.random.default_rng(1), 5000, chunk=700)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    one = log_px_importance(dec, prior, x[0], np.random.default_rng(1), 5000, return_ess=True)
    assert all(v.shape == (1,) for v in one) and 1 <= one[2][0] <= 5000


def test_importance_bad_input():
    rng = np.random.default_rng(0)
    prior = FactorizedPrior.iid(stats.norm(), 2)
    dec = _gentle_decoder(2, 3, 0.5, rng)
    with pytest.raises(ValueError, match="n_samples"):
        log_px_importance(dec, prior, np.zeros((1, 3)), rng, 1)
    with pytest.raises(TypeError, match="n_samples"):
        log_px_importance(dec, prior, np.zeros((1, 3)), rng, 10.0)
    with pytest.raises(TypeError, match="Generator"):
        log_px_importance(dec, prior, np.zeros((1, 3)), 0, 10)
    with pytest.raises(TypeError, match="proposal"):
        log_px_importance(dec, prior, np.zeros((1, 3)), rng, 10, proposal=object())
    with pytest.raises(TypeError, match="GaussianNoiseDecoder"):
        log_px_importance(dec.mean, prior, np.zeros((1, 3)), rng, 10)
    with pytest.raises(ValueError, match="coordinates"):
        log_px_importance(dec, FactorizedPrior.iid(stats.norm(), 3), np.zeros((1, 3)), rng, 10)
