"""Tests for impossibility.vae.objectives.factor_vae: FactorVAE."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior
from impossibility.vae import Discriminator, FactorVAE


@pytest.mark.parametrize("kl", ["analytic", "mc"])
def test_objective_gradients_match_finite_differences(kl, check_objective_gradients, prepared):
    check_objective_gradients(lambda rng: prepared(FactorVAE(10.0, hidden=(5, 5)), 3, rng), kl=kl)


def test_objective_gradients_with_a_laplace_prior(check_objective_gradients, prepared):
    prior = FactorizedPrior.iid(stats.laplace(scale=1.5), 3)
    check_objective_gradients(
        lambda rng: prepared(FactorVAE(10.0, hidden=(5, 5)), 3, rng), prior=prior, seed=1, n=6
    )


def test_prepare_builds_or_keeps_the_discriminator():
    rng = np.random.default_rng(0)
    own = Discriminator(3, (4,), rng=rng)
    obj = FactorVAE(10.0, discriminator=own)
    obj.prepare(latent_dim=3, n_steps=5, rng=rng)
    assert obj.discriminator is own
    obj.prepare(latent_dim=2, n_steps=5, rng=rng)  # another latent size: a new one
    assert obj.discriminator is not own and obj.discriminator.latent_dim == 2


def test_validation_errors(small_vae):
    rng = np.random.default_rng(1)
    fp = small_vae(rng).forward(rng.random((4, 5)), rng.standard_normal((4, 3)))
    with pytest.raises(ValueError, match="no discriminator yet"):
        FactorVAE(10.0).loss(fp)
    with pytest.raises(ValueError, match="no discriminator yet"):
        FactorVAE(10.0).update(fp, rng=rng)
    with pytest.raises(TypeError, match="hidden width must be an integer"):
        FactorVAE(10.0, hidden=(5.0,))
    with pytest.raises(ValueError, match="lr must be > 0"):
        FactorVAE(10.0, lr=0.0)
