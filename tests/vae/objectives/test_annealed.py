"""Tests for impossibility.vae.objectives.annealed: AnnealedVAE and its capacity schedule."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.vae import AnnealedVAE

OBJECTIVES = {
    "annealed_above_capacity": lambda rng: AnnealedVAE(0.01, gamma=1000.0, anneal_steps=10),
    # γ = 10 here: with γ = 1000 and |KL − C| ≈ 30 the loss is ≈ 3e4 and finite differences lose
    # ε·|L|/h ≈ 3e-6 absolute accuracy, more than the tolerance (the formula does not depend on γ)
    "annealed_below_capacity": lambda rng: AnnealedVAE(100.0, gamma=10.0, anneal_steps=10),
}


@pytest.mark.parametrize("kl", ["analytic", "mc"])
@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_objective_gradients_match_finite_differences(name, kl, check_objective_gradients):
    check_objective_gradients(OBJECTIVES[name], kl=kl)


def test_annealed_capacity_schedule_scales_with_the_run():
    obj = AnnealedVAE(25.0)
    obj.prepare(latent_dim=2, n_steps=300, rng=np.random.default_rng(0))
    assert obj.anneal_steps == 100  # 1/3 of the run, as 100k of the reference's 300k steps
    assert obj.capacity(0) == 0.0 and obj.capacity(50) == 12.5 and obj.capacity(250) == 25.0
    with pytest.raises(ValueError, match="no schedule length"):
        AnnealedVAE(5.0).capacity(3)
    fixed = AnnealedVAE(5.0, anneal_steps=10)
    fixed.prepare(latent_dim=2, n_steps=300, rng=np.random.default_rng(0))
    assert fixed.anneal_steps == 10 and fixed.config()["anneal_steps"] == 10


def test_validation_errors():
    with pytest.raises(TypeError, match="anneal_steps must be an integer"):
        AnnealedVAE(5.0, anneal_steps=2.5)
    with pytest.raises(ValueError, match="anneal_steps must be an integer >= 1"):
        AnnealedVAE(5.0, anneal_steps=0)
    with pytest.raises(ValueError, match="anneal_fraction must be > 0.0 and <= 1.0"):
        AnnealedVAE(5.0, anneal_fraction=0.0)
    with pytest.raises(ValueError, match="c_max must be >= 0"):
        AnnealedVAE(-5.0)
