"""Tests for impossibility.vae.objectives.dip: DIP-VAE-I/II, the covariance and the penalty."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior, nn
from impossibility.vae import DIPVAE, dip_covariance, dip_penalty

GRAD_RTOL = 1e-6  # central differences, h = 1e-6: see tests/nn/conftest.py
OBJECTIVES = {
    "dip_vae_i_5": lambda rng: DIPVAE(5.0, kind="i"),
    "dip_vae_ii_5": lambda rng: DIPVAE(5.0, kind="ii"),
}


@pytest.mark.parametrize("kl", ["analytic", "mc"])
@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_objective_gradients_match_finite_differences(name, kl, check_objective_gradients):
    check_objective_gradients(OBJECTIVES[name], kl=kl)


def test_objective_gradients_with_a_laplace_prior(check_objective_gradients):
    prior = FactorizedPrior.iid(stats.laplace(scale=1.5), 3)
    check_objective_gradients(OBJECTIVES["dip_vae_ii_5"], prior=prior, seed=1, n=6)


def test_dip_covariance_and_penalty_by_hand():
    rng = np.random.default_rng(4)
    mu, lv = rng.normal(size=(10, 3)), rng.normal(size=(10, 3))
    c1 = dip_covariance(mu, kind="i")
    np.testing.assert_allclose(c1, np.cov(mu.T, bias=True), rtol=1e-13)
    c2 = dip_covariance(mu, lv, kind="ii")
    np.testing.assert_allclose(
        c2, np.cov(mu.T, bias=True) + np.diag(np.exp(lv).mean(0)), rtol=1e-13
    )
    val, grad = dip_penalty(c2, 2.0, 7.0)
    ref = sum(2.0 * c2[i, j] ** 2 for i in range(3) for j in range(3) if i != j) + sum(
        7.0 * (c2[i, i] - 1) ** 2 for i in range(3)
    )
    assert val == pytest.approx(ref, rel=1e-13)
    fd = nn.finite_difference_gradient(lambda: dip_penalty(c2, 2.0, 7.0)[0], c2)
    assert nn.relative_error(grad, fd) < GRAD_RTOL
    assert DIPVAE(3.0, kind="i").lambda_d == 30.0 and DIPVAE(3.0, kind="ii").lambda_d == 3.0
    with pytest.raises(ValueError, match="kind must be"):
        DIPVAE(1.0, kind="iii")


def test_validation_errors():
    assert DIPVAE(1.0, kind="II").name == "dip_vae_ii"
    with pytest.raises(TypeError, match="kind must be 'i' or 'ii' \\(a string\\)"):
        DIPVAE(1.0, kind=2)
    with pytest.raises(ValueError, match="needs the encoder log-variances"):
        dip_covariance(np.zeros((3, 2)), kind="ii")
    with pytest.raises(ValueError, match="cov must be a square matrix"):
        dip_penalty(np.zeros((2, 3)), 1.0, 1.0)
    with pytest.raises(ValueError, match="lambda_od must be >= 0"):
        DIPVAE(-1.0)
