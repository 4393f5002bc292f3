"""Tests for impossibility.vae.objectives.base: the Objective base class and what it refuses."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import FactorizedPrior, entangling_bijection
from impossibility.vae import DIPVAE, BetaTCVAE, BetaVAE, Objective


def test_objectives_refuse_a_twin_forward_pass(small_vae):
    rng = np.random.default_rng(7)
    vae = small_vae(rng)
    twin = vae.entangled(entangling_bijection(FactorizedPrior.standard_normal(3), rng=rng))
    fp = twin.forward(rng.random((4, 5)), rng.standard_normal((4, 3)))
    BetaVAE(2.0).loss(fp)  # fine: only reconstruction and KL
    for obj in (BetaTCVAE(2.0), DIPVAE(1.0)):
        with pytest.raises(TypeError, match="diagonal-Gaussian encoder"):
            obj.loss(fp)


def test_base_class_hooks():
    obj = Objective()
    assert obj.config() == {"name": "objective"} and repr(obj) == "Objective()"
    assert obj.update(None, rng=np.random.default_rng(0)) == {}
    assert obj.prepare(latent_dim=2, n_steps=1, rng=np.random.default_rng(0)) is None
    with pytest.raises(NotImplementedError):
        obj.loss(None)
