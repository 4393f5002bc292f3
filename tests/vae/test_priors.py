"""Tests for impossibility.vae.priors: log-densities, analytic and numerical scores, specs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior
from impossibility.vae import VAE, LatentPrior, prior_from_spec


def test_gradient_with_generic_prior_family_uses_numerical_score(check_vae_gradients):
    # Student-t marginals have no analytic score here: a 5-point stencil with error O(h⁴) ≈ 1e-12.
    rng = np.random.default_rng(1)
    prior = FactorizedPrior([stats.t(4), stats.gumbel_r()])
    vae = VAE(4, 2, hidden=(3,), activation="tanh", prior=prior, rng=rng)
    check_vae_gradients(vae, rng.random((5, 4)), rng.standard_normal((5, 2)))
    z = rng.normal(size=(7, 2))
    h = 1e-5
    fd = np.stack(
        [(prior.log_prob(z + h * e) - prior.log_prob(z - h * e)) / (2 * h) for e in np.eye(2)], 1
    )
    np.testing.assert_allclose(vae.latent_prior.score(z), fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("prior_name", ["laplace", "logistic"])
def test_analytic_prior_scores_match_logpdf_differences(prior_name):
    prior = (
        FactorizedPrior([stats.laplace(0.3, 2.0), stats.logistic(-1, 0.5)])
        if prior_name == "laplace"
        else FactorizedPrior.iid(stats.logistic(0.5, 1.5), 2)
    )
    terms = LatentPrior(prior, 2)
    z = np.random.default_rng(2).normal(size=(9, 2)) * 2 + 0.11
    h = 1e-6
    fd = np.stack(
        [(prior.log_prob(z + h * e) - prior.log_prob(z - h * e)) / (2 * h) for e in np.eye(2)], 1
    )
    np.testing.assert_allclose(terms.score(z), fd, rtol=1e-6, atol=1e-8)


def test_standard_normal_default_and_recognition():
    z = np.random.default_rng(3).normal(size=(5, 3))
    default = LatentPrior(None, 3)
    full = LatentPrior(FactorizedPrior.standard_normal(3), 3)
    assert default.standard_normal and full.standard_normal
    ref = stats.norm.logpdf(z).sum(1)
    np.testing.assert_allclose(default.log_prob(z), ref, rtol=1e-14)
    np.testing.assert_array_equal(default.score(z), -z)
    assert not LatentPrior(FactorizedPrior.iid(stats.norm(0, 2), 3), 3).standard_normal
    np.testing.assert_array_equal(
        default.sample(4, np.random.default_rng(0)),
        np.random.default_rng(0).standard_normal((4, 3)),
    )


def test_spec_round_trip():
    prior = FactorizedPrior([stats.laplace(scale=2.0), stats.logistic(0.5)])
    spec = LatentPrior(prior, 2).spec()
    assert spec[0]["family"] == "laplace"
    assert prior_from_spec(spec) == prior
    assert LatentPrior(None, 2).spec() is None and prior_from_spec(None) is None
    with pytest.raises(ValueError, match="unknown scipy.stats continuous family"):
        prior_from_spec([{"family": "poisson", "args": [1.0], "kwds": {}}])


def test_validation_errors():
    with pytest.raises(TypeError, match="prior must provide"):
        LatentPrior(object(), 2)
    with pytest.raises(ValueError, match="latent_dim = 3"):
        LatentPrior(FactorizedPrior.iid(stats.laplace(), 2), 3)
    with pytest.raises(ValueError, match="KL\\(q‖p\\) would be infinite"):
        LatentPrior(FactorizedPrior.iid(stats.expon(), 2), 2)
