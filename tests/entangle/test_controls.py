"""Negative controls: permutations and quantile reflections preserve p but do not entangle."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import (
    FactorizedPrior,
)


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


def test_controls_refuse_indices_that_would_wrap_or_are_not_integers(mixed):
    # a negative index used to reflect the last coordinate silently
    with pytest.raises(ValueError, match=r"coords must hold coordinate indices in 0..3; got -1"):
        im.quantile_reflection(mixed, [-1])
    with pytest.raises(ValueError, match=r"coords must hold coordinate indices in 0..3; got 4"):
        im.quantile_reflection(mixed, [4])
    with pytest.raises(TypeError, match="coords must be a sequence of integer coordinate indices"):
        im.quantile_reflection(mixed, [0.5])
    with pytest.raises(TypeError, match="perm must be a sequence of integer"):
        im.permutation_bijection(mixed, [0.0, 1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="prior must be a FactorizedPrior"):
        im.quantile_reflection("laplace", [0])
