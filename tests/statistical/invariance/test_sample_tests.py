"""The sample tests detect dependence that leaves every marginal intact, at level α = 1e-10."""

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
