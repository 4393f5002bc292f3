"""Shared helpers of the VAE tests: small data sets and a gradient check of a VAE's loss."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn
from impossibility.vae import BetaVAE

# Finite-difference gradient checks: see tests/nn/conftest.py (h = 1e-6, errors ≈ 1e-9 relative).
GRAD_RTOL = 1e-6


def _binary_patterns(rng, n, d_latent=3, side=8):
    """Random binary 8×8 images driven by a few latent factors (stripes and blobs)."""
    z = rng.uniform(size=(n, d_latent))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    logits = (
        4 * np.sin(ii[None] * (0.3 + z[:, 0, None, None]))
        + 3 * np.cos(jj[None] * (0.2 + z[:, 1, None, None]))
        - 6 * (z[:, 2, None, None] - 0.5)
    )
    return (rng.random((n, side, side)) < 1 / (1 + np.exp(-logits))).astype(float)


def _continuous_mixing(rng, n, d=3, D=6, noise=0.05):
    """x = tanh(W z) + noise."""
    w = rng.normal(size=(D, d))
    z = rng.normal(size=(n, d))
    return np.tanh(z @ w.T) + noise * rng.normal(size=(n, D))


def _check_vae_gradients(vae, x, eps, objective=None, kl="auto"):
    """Every parameter gradient of ``objective`` (default the ELBO) against finite differences."""
    objective = objective or BetaVAE(1.0)
    _, grads, _, _ = vae.loss_and_grads(x, eps, objective, kl=kl, step=3)

    def loss():
        return vae.loss_and_grads(x, eps, objective, kl=kl, step=3)[0]

    params = vae.parameters()
    assert set(grads) == set(params)
    for k, p in params.items():
        fd = nn.finite_difference_gradient(loss, p)
        assert nn.relative_error(grads[k], fd) < GRAD_RTOL, k


@pytest.fixture(scope="session")
def binary_patterns():
    """``binary_patterns(rng, n)``: binary 8×8 images driven by three latent factors."""
    return _binary_patterns


@pytest.fixture(scope="session")
def continuous_mixing():
    """``continuous_mixing(rng, n, d=3, D=6)``: x = tanh(W z) + noise."""
    return _continuous_mixing


@pytest.fixture(scope="session")
def check_vae_gradients():
    """``check(vae, x, eps, objective=None, kl="auto")``: gradients vs finite differences."""
    return _check_vae_gradients
