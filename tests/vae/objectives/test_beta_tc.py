"""Tests for impossibility.vae.objectives.beta_tc: β-TCVAE."""

from __future__ import annotations

import pytest
from scipy import stats

from impossibility import FactorizedPrior
from impossibility.vae import BetaTCVAE


@pytest.mark.parametrize("kl", ["analytic", "mc"])
def test_objective_gradients_match_finite_differences(kl, check_objective_gradients):
    check_objective_gradients(lambda rng: BetaTCVAE(6.0, dataset_size=1000), kl=kl)


def test_objective_gradients_with_a_laplace_prior(check_objective_gradients):
    prior = FactorizedPrior.iid(stats.laplace(scale=1.5), 3)
    check_objective_gradients(
        lambda rng: BetaTCVAE(6.0, dataset_size=1000), prior=prior, seed=1, n=6
    )


def test_validation_errors():
    with pytest.raises(ValueError, match="include_constant_in_loss=True needs dataset_size"):
        BetaTCVAE(2.0, include_constant_in_loss=True)
    with pytest.raises(TypeError, match="dataset_size must be an integer"):
        BetaTCVAE(2.0, dataset_size=1000.0)
    with pytest.raises(ValueError, match="dataset_size must be an integer >= 1"):
        BetaTCVAE(2.0, dataset_size=0)
