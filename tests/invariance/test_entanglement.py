"""Finite-difference Jacobians (exact for linear maps)."""

import numpy as np
from scipy import stats

import impossibility as im

PRIOR = im.FactorizedPrior([stats.laplace(), stats.gamma(2.0), stats.logistic()])


def test_finite_difference_jacobian_of_a_linear_map_is_exact():
    A = im.random_entangling_rotation(4, np.random.default_rng(5))
    b = im.Orthogonal(A)
    J = im.finite_difference_jacobian(b, np.random.default_rng(6).normal(size=(3, 4)))
    np.testing.assert_allclose(J, np.broadcast_to(A, J.shape), atol=1e-9)
