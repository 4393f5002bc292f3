"""Exact density invariance and the Gaussian-space resolution of float64."""

import numpy as np
from scipy import stats

import impossibility as im

PRIOR = im.FactorizedPrior([stats.laplace(), stats.gamma(2.0), stats.logistic()])


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


def test_gaussian_resolution_flags_points_next_to_a_shifted_endpoint():
    prior = im.FactorizedPrior([stats.gamma(0.5, loc=2.0), stats.norm()])
    assert im.gaussian_resolution(prior, [[2.5, 0.0]])[0] < 1e-14
    assert im.gaussian_resolution(prior, [[2.0 + 1e-13, 0.0]])[0] > 1e-6
