"""Tests for impossibility.vae.objectives.registry: the study's grid, and every objective trains."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.vae import OBJECTIVES, STUDY_GRID, VAE, BetaVAE, FactorVAE, make_objective


def test_make_objective_and_study_grid():
    assert STUDY_GRID["beta_vae"] == (1, 2, 4, 6, 8, 16)
    assert set(OBJECTIVES) == set(STUDY_GRID)
    assert isinstance(make_objective("factor_vae", 20.0), FactorVAE)
    dip = make_objective("dip_vae_i", 2.0)
    assert dip.lambda_d == 20.0 and dip.name == "dip_vae_i"
    assert make_objective("annealed_vae", 50.0).c_max == 50.0
    with pytest.raises(ValueError, match="objective must be one of"):
        make_objective("vq_vae", 1.0)
    with pytest.raises(TypeError, match="objective must be one of"):
        make_objective(3, 1.0)
    with pytest.raises(ValueError, match="beta must be"):
        BetaVAE(-1.0)


@pytest.mark.parametrize("name", sorted(STUDY_GRID))
def test_every_study_objective_trains(name):
    rng = np.random.default_rng(6)
    x = (rng.random((200, 16)) < 0.3).astype(float)
    vae = VAE(16, 3, hidden=(16,), rng=rng)
    value = STUDY_GRID[name][2]
    kwargs = {"hidden": (16,)} if name == "factor_vae" else {}
    obj = make_objective(name, value, **kwargs)
    snapshot = {}

    def keep_first(t, logs):
        if t == 0 and name == "factor_vae":
            snapshot.update({k: v.copy() for k, v in obj.discriminator.net.parameters().items()})

    hist = vae.fit(
        x, objective=obj, n_steps=40, batch_size=32, rng=rng, progress=False, callback=keep_first
    )
    assert all(np.all(np.isfinite(v)) for v in hist.values())
    assert hist["loss"].shape == (40,)
    extra = {
        "annealed_vae": "capacity",
        "beta_tc_vae": "tc",
        "factor_vae": "tc",
        "dip_vae_i": "dip_penalty",
        "dip_vae_ii": "dip_penalty",
        "beta_vae": "elbo",
    }[name]
    assert extra in hist
    if name == "factor_vae":
        assert "discriminator_loss" in hist
        after = obj.discriminator.net.parameters()
        assert any(np.any(after[k] != snapshot[k]) for k in after)  # the discriminator trains too
