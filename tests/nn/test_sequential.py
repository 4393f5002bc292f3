"""Tests for impossibility.nn.sequential: gradients of MLPs, the input gradient, the builder."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn

LAYERS = {
    "mlp_relu": lambda rng: nn.mlp([4, 6, 5, 3], rng=rng),
    "mlp_tanh_sigmoid_out": lambda rng: nn.mlp(
        [4, 6, 3], rng=rng, activation="tanh", output_activation="sigmoid"
    ),
    "mlp_leaky": lambda rng: nn.mlp([4, 7, 7, 2], rng=rng, activation="leaky_relu"),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients_match_finite_differences(name, check_layer_gradients):
    rng = np.random.default_rng(1)
    check_layer_gradients(LAYERS[name](rng), rng)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_input_gradient_is_the_backward_input_gradient(name):
    rng = np.random.default_rng(2)
    net = LAYERS[name](rng)
    y, cache = net.forward(rng.normal(size=(6, 4)))
    dy = rng.normal(size=y.shape)
    dx, _ = net.backward(cache, dy)
    np.testing.assert_array_equal(net.input_gradient(cache, dy), dx)


def test_backward_without_input_gradient_keeps_the_weight_gradients():
    rng = np.random.default_rng(3)
    net = nn.mlp([4, 5, 2], rng=rng)
    y, cache = net.forward(rng.normal(size=(6, 4)))
    dy = rng.normal(size=y.shape)
    _, full = net.backward(cache, dy)
    dx, partial = net.backward(cache, dy, input_grad=False)
    assert dx is None
    assert set(partial) == set(full)
    for k in full:
        np.testing.assert_array_equal(partial[k], full[k])


def test_mlp_structure_and_names():
    net = nn.mlp([3, 4, 2], rng=np.random.default_rng(0), activation="tanh")
    assert [type(m).__name__ for m in net.layers] == ["Linear", "Tanh", "Linear"]
    assert set(net.parameters()) == {"0.W", "0.b", "2.W", "2.b"}
    assert len(net) == 3 and isinstance(net[1], nn.Tanh)
    assert net[1].__class__ is nn.ACTIVATIONS["tanh"]


def test_validation_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.mlp([2, 3], activation="gelu")
    with pytest.raises(ValueError, match="≥ 2 positive widths"):
        nn.mlp([2])
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer >= 1"):
        nn.mlp([2, 0])
    with pytest.raises(TypeError, match=r"sizes\[0\] must be an integer"):
        nn.mlp([2.0, 3])
    with pytest.raises(TypeError, match="layer 1 is a str, not an nn.Module"):
        nn.Sequential([nn.ReLU(), "tanh"])
