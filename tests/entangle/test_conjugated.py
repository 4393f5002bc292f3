"""Conjugation G⁻¹∘T∘G carries an N(0, I)-preserving map to any factorized prior."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import (
    FactorizedPrior,
)


def test_swirl_and_darmois_transported_to_a_prior_preserve_it():
    prior = FactorizedPrior([stats.logistic(), stats.expon()])
    rng = np.random.default_rng(7)
    z = prior.sample(4, rng)
    for inner in (im.Swirl(im.random_skew(2, rng), 0.1, 0.5), im.DarmoisShear2D(1.5)):
        f = im.Conjugated(prior, inner)
        assert im.density_invariance_error(f, prior, z).max() < 1e-9
        np.testing.assert_allclose(f.inverse(f(z)), z, rtol=1e-10, atol=1e-12)
        rep = im.entanglement_report(f, z, finite_differences=False)
        assert rep.completely_entangling


def test_conjugated_needs_a_prior_and_a_bijector(mixed):
    with pytest.raises(TypeError, match="prior must be a FactorizedPrior"):
        im.Conjugated("laplace", im.Orthogonal(np.eye(4)))
    with pytest.raises(TypeError, match="inner must be a Bijector; got ndarray"):
        im.Conjugated(mixed, np.eye(4))
    with pytest.raises(ValueError, match="inner map acts on d = 2"):
        im.Conjugated(mixed, im.Orthogonal(np.eye(2)))
