"""Tests for impossibility.nn.activations: gradients, values, overflow-free scalar functions."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn

LAYERS = {
    "relu": lambda rng: nn.ReLU(),
    "leaky_relu": lambda rng: nn.LeakyReLU(0.2),
    "tanh": lambda rng: nn.Tanh(),
    "sigmoid": lambda rng: nn.Sigmoid(),
    "softplus": lambda rng: nn.Softplus(),
    "identity": lambda rng: nn.Identity(),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients_match_finite_differences(name, check_layer_gradients):
    rng = np.random.default_rng(1)
    check_layer_gradients(LAYERS[name](rng), rng)


def test_activations_values():
    x = np.array([[-2.0, -0.5, 0.5, 2.0]])
    np.testing.assert_allclose(nn.ReLU()(x), [[0, 0, 0.5, 2]])
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(x), [[-0.2, -0.05, 0.5, 2]])
    np.testing.assert_allclose(nn.Tanh()(x), np.tanh(x))
    np.testing.assert_allclose(nn.Sigmoid()(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(nn.Softplus()(x), np.log1p(np.exp(x)), rtol=1e-15)


def test_stable_functions_do_not_overflow():
    big = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(nn.sigmoid(big), [0.0, 1.0])
    np.testing.assert_array_equal(nn.softplus(big), [0.0, 1000.0])
    np.testing.assert_array_equal(nn.log_sigmoid(big), [-1000.0, 0.0])


def test_leaky_relu_validation():
    with pytest.raises(ValueError, match="negative_slope must be >= 0"):
        nn.LeakyReLU(-0.1)
    with pytest.raises(ValueError, match="negative_slope must be finite"):
        nn.LeakyReLU(np.nan)
    with pytest.raises(TypeError, match="negative_slope must be a real number"):
        nn.LeakyReLU("0.2")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_equals_the_branchwise_formula_bit_for_bit(dtype):
    # the min-based selection must give exactly 1/(1+e) for x >= 0 and e/(1+e) for x < 0
    x = np.concatenate(
        [np.random.default_rng(0).normal(scale=30, size=5000), [0.0, -0.0, np.inf, -np.inf]]
    ).astype(dtype)
    e = np.exp(-np.abs(x))
    ref = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    out = nn.sigmoid(x)
    assert out.dtype == dtype and np.array_equal(out, ref)
    logits, t = x[:5000].reshape(50, 100), np.random.default_rng(1).random((50, 100)).astype(dtype)
    _, grad = nn.bernoulli_log_likelihood(logits, t)
    assert grad.dtype == dtype and np.array_equal(grad, t - ref[:5000].reshape(50, 100))
