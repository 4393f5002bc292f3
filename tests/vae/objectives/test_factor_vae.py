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


@pytest.mark.parametrize("k", [1, 3])
def test_update_takes_discriminator_steps_adam_steps_on_fresh_permutations(k, small_vae):
    rng = np.random.default_rng(2)
    fp = small_vae(rng).forward(rng.random((8, 5)), rng.standard_normal((8, 3)))
    obj = FactorVAE(10.0, hidden=(4,), discriminator_steps=k)
    obj.prepare(latent_dim=3, n_steps=5, rng=rng)
    ref = Discriminator(3, (4,), rng=np.random.default_rng(9))
    obj.discriminator = Discriminator(3, (4,), rng=np.random.default_rng(9))
    logs = obj.update(fp, rng=np.random.default_rng(5))
    assert obj.discriminator.optimizer.t == k
    # the same k steps taken by hand, one permutation each from the same stream, agree exactly
    r = np.random.default_rng(5)
    expected = np.mean([ref.step(fp.z, r) for _ in range(k)])
    assert logs["discriminator_loss"] == expected
    np.testing.assert_array_equal(obj.discriminator.logits(fp.z), ref.logits(fp.z))
    assert obj.config()["discriminator_steps"] == k


def test_discriminator_steps_is_validated():
    with pytest.raises(ValueError, match="discriminator_steps must be an integer >= 1; got 0"):
        FactorVAE(10.0, discriminator_steps=0)
    with pytest.raises(TypeError, match="discriminator_steps must be an integer"):
        FactorVAE(10.0, discriminator_steps=2.0)
