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


def test_linear_gaussian_darmois_is_orthogonal():
    M = np.random.default_rng(8).normal(size=(4, 4))
    Q = im.linear_gaussian_darmois(M)
    np.testing.assert_allclose(Q @ Q.T, np.eye(4), atol=1e-13)
    with pytest.raises(ValueError, match="invertible"):
        im.linear_gaussian_darmois(np.ones((3, 3)))


def test_darmois_validates_its_arguments():
    with pytest.raises(ValueError, match="invertible"):
        im.linear_gaussian_darmois(np.ones((2, 2)))
    with pytest.raises(ValueError, match="square"):
        im.linear_gaussian_darmois(np.ones((2, 3)))
    with pytest.raises(ValueError, match="n_hermite must be an integer >= 2"):
        im.DarmoisShear2D(n_hermite=1)
