"""Shared helpers of the objective tests: a small VAE and a gradient check of an objective."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn
from impossibility.vae import VAE

GRAD_RTOL = 1e-6  # central differences, h = 1e-6: see tests/nn/conftest.py


def _small_vae(rng, prior=None, d=3):
    return VAE(5, d, hidden=(4,), activation="tanh", prior=prior, rng=rng)


def _prepared(obj, d, rng):
    obj.prepare(latent_dim=d, n_steps=30, rng=rng)
    return obj


def _check_objective_gradients(make, *, kl="auto", prior=None, seed=0, n=7):
    """Every parameter gradient of the objective ``make(rng)`` against finite differences."""
    rng = np.random.default_rng(seed)
    vae = _small_vae(rng, prior=prior)
    obj = make(rng)
    x = rng.random((n, 5))
    eps = rng.standard_normal((n, 3))
    _, grads, logs, _ = vae.loss_and_grads(x, eps, obj, step=3, kl=kl)

    def loss():
        return vae.loss_and_grads(x, eps, obj, step=3, kl=kl)[0]

    for k, p in vae.parameters().items():
        assert nn.relative_error(grads[k], nn.finite_difference_gradient(loss, p)) < GRAD_RTOL, k
    assert np.isfinite(logs["loss"])


@pytest.fixture(scope="session")
def small_vae():
    """``small_vae(rng, prior=None, d=3)``: a 5 → 4 → 2d tanh VAE."""
    return _small_vae


@pytest.fixture(scope="session")
def prepared():
    """``prepared(objective, d, rng)``: the objective after ``prepare`` for 30 steps."""
    return _prepared


@pytest.fixture(scope="session")
def check_objective_gradients():
    """``check(make, kl=..., prior=None)``: an objective's gradients vs finite differences."""
    return _check_objective_gradients
