"""Fixtures of the entangle tests: a mixed four-coordinate prior and Theorem 1's map on it."""

import pytest
from scipy import stats

import impossibility as im


@pytest.fixture(scope="module")
def mixed():
    """Laplace(scale 2) × Beta(2, 5) × Gamma(3) × logistic: unbounded, bounded and half-line."""
    return im.FactorizedPrior(
        [stats.laplace(scale=2), stats.beta(2, 5), stats.gamma(3), stats.logistic()]
    )


@pytest.fixture
def f(mixed):
    """Theorem 1's map for ``mixed`` with the paper's Householder matrix (α = 0.3)."""
    return im.entangling_bijection(mixed, im.householder_rotation(4, 0.3))
