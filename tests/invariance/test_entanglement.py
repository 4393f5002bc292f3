"""The invariance checks themselves: they pass for f and fail for maps that break invariance."""

import numpy as np
from scipy import stats

import impossibility as im

PRIOR = im.FactorizedPrior([stats.laplace(), stats.gamma(2.0), stats.logistic()])


def _copula_map(rho):
    """Marginal-preserving but dependence-creating map: G⁻¹ ∘ (Cholesky of corr ρ) ∘ G."""
    C = np.full((3, 3), rho) + (1 - rho) * np.eye(3)
    L = np.linalg.cholesky(C)
    G = im.Gaussianize(PRIOR)
    return lambda z: G.inverse(G.forward(z) @ L.T)


def test_finite_difference_jacobian_of_a_linear_map_is_exact():
    A = im.random_entangling_rotation(4, np.random.default_rng(5))
    b = im.Orthogonal(A)
    J = im.finite_difference_jacobian(b, np.random.default_rng(6).normal(size=(3, 4)))
    np.testing.assert_allclose(J, np.broadcast_to(A, J.shape), atol=1e-9)
