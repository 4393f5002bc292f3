"""The invariance checks themselves: they pass for f and fail for maps that break invariance."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im

PRIOR = im.FactorizedPrior([stats.laplace(), stats.gamma(2.0), stats.logistic()])


def _copula_map(rho):
    """Marginal-preserving but dependence-creating map: G⁻¹ ∘ (Cholesky of corr ρ) ∘ G."""
    C = np.full((3, 3), rho) + (1 - rho) * np.eye(3)
    L = np.linalg.cholesky(C)
    G = im.Gaussianize(PRIOR)
    return lambda z: G.inverse(G.forward(z) @ L.T)


def test_density_invariance_detects_a_non_preserving_map():
    z = PRIOR.sample(100, np.random.default_rng(0))
    f = im.entangling_bijection(PRIOR, rng=np.random.default_rng(1))
    assert im.density_invariance_error(f, PRIOR, z).max() < 1e-12
    # A non-orthogonal linear map in Gaussian space does not preserve p: the check sees it.
    class Shear(im.Bijector):
        d = 3
        M = np.array([[1.0, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])

        def _forward_and_log_det(self, x):
            return x @ self.M.T, np.zeros(len(x))

        def _inverse_and_log_det(self, y):
            return np.linalg.solve(self.M, y.T).T, np.zeros(len(y))

    g = im.Conjugated(PRIOR, Shear())
    assert im.density_invariance_error(g, PRIOR, z).max() > 1e-3


def test_gaussian_copula_passes_marginal_tests_but_fails_joint_tests(stat_check):
    rng = np.random.default_rng(2)
    z = PRIOR.sample(3000, rng)
    zc = _copula_map(0.5)(z)
    for r in im.marginal_ks_tests(zc, PRIOR):
        stat_check(r.pvalue, "marginals are preserved by a Gaussian copula")
    assert im.projection_ks_test(zc, PRIOR, rng).pvalue < 1e-10
    f = im.entangling_bijection(PRIOR, rng=rng)
    stat_check(im.projection_ks_test(f(z), PRIOR, rng).pvalue, "f(z) ~ p jointly")


def test_energy_test_rejects_dependence_and_has_exact_level_structure():
    rng = np.random.default_rng(3)
    G = im.Gaussianize(PRIOR)
    x = _copula_map(0.6)(PRIOR.sample(400, rng))
    y = PRIOR.sample(400, rng)
    res = im.energy_test(x, y, rng, n_resamples=199, transform=G)
    assert res.pvalue == pytest.approx(1 / 200)  # no permutation reaches the observed statistic
    assert res.statistic > 0


def test_energy_distance_zero_for_identical_samples_and_symmetric():
    x = np.random.default_rng(4).normal(size=(50, 2))
    assert im.energy_distance(x, x) == pytest.approx(0.0, abs=1e-12)
    y = x + 1.0
    assert im.energy_distance(x, y) == pytest.approx(im.energy_distance(y, x))
    assert im.energy_distance(x, y) > 0.5
    with pytest.raises(ValueError, match="same number of columns"):
        im.energy_distance(x, np.zeros((3, 3)))


def test_finite_difference_jacobian_of_a_linear_map_is_exact():
    A = im.random_entangling_rotation(4, np.random.default_rng(5))
    b = im.Orthogonal(A)
    J = im.finite_difference_jacobian(b, np.random.default_rng(6).normal(size=(3, 4)))
    np.testing.assert_allclose(J, np.broadcast_to(A, J.shape), atol=1e-9)


def test_gaussian_resolution_flags_points_next_to_a_shifted_endpoint():
    prior = im.FactorizedPrior([stats.gamma(0.5, loc=2.0), stats.norm()])
    assert im.gaussian_resolution(prior, [[2.5, 0.0]])[0] < 1e-14
    assert im.gaussian_resolution(prior, [[2.0 + 1e-13, 0.0]])[0] > 1e-6
