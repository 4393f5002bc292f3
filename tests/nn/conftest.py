"""Shared helpers of the nn tests: a layer's gradients against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn

# Gradient checks: central differences with h = 1e-6 have truncation error O(h²·f''') ≈ 1e-12 and
# rounding error O(ε·|f|/h) ≈ 1e-10·|f|; relative to gradients of order 1 this leaves ≥ 3 orders
# of magnitude of room below the 1e-6 the issue asks for.
RTOL = 1e-6


def away_from_zero(rng, shape, gap=0.05):
    """Inputs bounded away from 0 so that ReLU-type kinks never sit within h of a sample."""
    x = rng.normal(size=shape)
    return np.sign(x) * (gap + np.abs(x))


def _check_layer_gradients(layer, rng, d_in=4):
    x = away_from_zero(rng, (7, d_in))
    y, cache = layer.forward(x)
    weights = rng.normal(size=y.shape)  # L = Σ weights ⊙ y, so ∂L/∂y = weights

    dx, grads = layer.backward(cache, weights)

    def loss():
        return float(np.sum(weights * layer.forward(x)[0]))

    assert set(grads) == set(layer.parameters())
    assert nn.relative_error(dx, nn.finite_difference_gradient(loss, x)) < RTOL
    for k, p in layer.parameters().items():
        assert grads[k].shape == p.shape
        assert nn.relative_error(grads[k], nn.finite_difference_gradient(loss, p)) < RTOL, k


@pytest.fixture
def check_layer_gradients():
    """``check(layer, rng)``: input and parameter gradients of ``layer`` (float64, 7×4 batch)."""
    return _check_layer_gradients
