"""Tests for impossibility.vae.objectives.discriminator: FactorVAE's discriminator and sampler."""

from __future__ import annotations

import math

import numpy as np
import pytest

from impossibility import nn
from impossibility.vae import Discriminator, permute_dims

GRAD_RTOL = 1e-6  # central differences, h = 1e-6: see tests/nn/conftest.py


def test_discriminator_gradient_including_clipping():
    rng = np.random.default_rng(2)
    disc = Discriminator(3, (6, 5), rng=rng)
    z = rng.normal(size=(8, 3))
    zp = permute_dims(z, rng)
    _, grads = disc.loss_and_grads(z, zp)
    for k, p in disc.net.parameters().items():
        fd = nn.finite_difference_gradient(lambda: disc.loss_and_grads(z, zp)[0], p)
        assert nn.relative_error(grads[k], fd) < GRAD_RTOL, k
    # push the logits far apart: every probability is clipped, the loss is flat, gradients vanish
    last = disc.net.layers[-1]
    last.b[...] = [60.0, -60.0]
    value, grads = disc.loss_and_grads(z, zp)
    assert all(np.all(g == 0) for g in grads.values())
    assert value == pytest.approx(0.5 * -math.log(1 - 1e-6) + 0.5 * -math.log(1e-6), rel=1e-9)


def test_permute_dims_shuffles_each_column_independently():
    rng = np.random.default_rng(5)
    z = np.arange(200, dtype=float).reshape(100, 2)
    zp = permute_dims(z, rng)
    for j in range(2):
        np.testing.assert_array_equal(np.sort(zp[:, j]), z[:, j])
    # rows are broken up: the pairing (z0, z1) = (2k, 2k+1) survives only by chance (≈ 1 row)
    assert np.sum(zp[:, 1] - zp[:, 0] == 1) < 10


def test_validation_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="latent_dim must be an integer"):
        Discriminator(2.0, rng=rng)
    with pytest.raises(ValueError, match="clip must be >= 0.0 and < 0.5"):
        Discriminator(2, rng=rng, clip=0.5)
    with pytest.raises(TypeError, match="Generator"):
        Discriminator(2, rng=0)
    with pytest.raises(TypeError, match="Generator"):
        permute_dims(np.zeros((3, 2)), np.random.RandomState(0))
