"""Theorem 1's map and the other families: structure, identities and error paths."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import (
    FactorizedPrior,
    entangling_bijection,
)

MIXED = FactorizedPrior(
    [stats.laplace(scale=2), stats.beta(2, 5), stats.gamma(3), stats.logistic()]
)


@pytest.fixture
def f():
    return entangling_bijection(MIXED, im.householder_rotation(4, 0.3))


def test_trivial_symmetries_preserve_the_prior_but_do_not_entangle():
    prior = FactorizedPrior.iid(stats.gamma(2.5), 3)
    z = prior.sample(50, np.random.default_rng(9))
    for g in (im.permutation_bijection(prior, [2, 0, 1]), im.quantile_reflection(prior, [1])):
        assert im.density_invariance_error(g, prior, z).max() < 1e-12
        rep = im.entanglement_report(g, z)
        assert not rep.completely_entangling
        assert rep.fraction_nonzero == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="different marginals"):
        im.permutation_bijection(FactorizedPrior([stats.norm(), stats.expon()]), [1, 0])


def test_controls_refuse_indices_that_would_wrap_or_are_not_integers():
    # a negative index used to reflect the last coordinate silently
    with pytest.raises(ValueError, match=r"coords must hold coordinate indices in 0..3; got -1"):
        im.quantile_reflection(MIXED, [-1])
    with pytest.raises(ValueError, match=r"coords must hold coordinate indices in 0..3; got 4"):
        im.quantile_reflection(MIXED, [4])
    with pytest.raises(TypeError, match="coords must be a sequence of integer coordinate indices"):
        im.quantile_reflection(MIXED, [0.5])
    with pytest.raises(TypeError, match="perm must be a sequence of integer"):
        im.permutation_bijection(MIXED, [0.0, 1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="prior must be a FactorizedPrior"):
        im.quantile_reflection("laplace", [0])
