"""Tests for impossibility.vae.objectives.beta: β-VAE."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.vae import BetaVAE


@pytest.mark.parametrize("kl", ["analytic", "mc"])
def test_objective_gradients_match_finite_differences(kl, check_objective_gradients):
    check_objective_gradients(lambda rng: BetaVAE(4.0), kl=kl)


def test_loss_is_the_weighted_negative_elbo(small_vae):
    rng = np.random.default_rng(1)
    vae = small_vae(rng)
    fp = vae.forward(rng.random((6, 5)), rng.standard_normal((6, 3)))
    value, cot, logs = BetaVAE(3.0).loss(fp)
    assert value == pytest.approx(np.mean(-fp.rec + 3.0 * fp.kl), rel=1e-14)
    np.testing.assert_allclose(cot.kl, 3.0 / 6)
    np.testing.assert_allclose(cot.rec, -1.0 / 6)
    assert logs["elbo"] == pytest.approx(np.mean(fp.rec - fp.kl))
    assert repr(BetaVAE(2.0)) == "BetaVAE(beta=2.0)"


def test_validation_errors():
    with pytest.raises(ValueError, match="beta must be >= 0"):
        BetaVAE(-1.0)
    with pytest.raises(TypeError, match="beta must be a real number"):
        BetaVAE("4")
