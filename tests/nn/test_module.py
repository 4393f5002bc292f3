"""Tests for impossibility.nn.module: parameters as live arrays, set_parameters."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn


def test_set_parameters_round_trip():
    a = nn.mlp([3, 4, 2], rng=np.random.default_rng(0))
    b = nn.mlp([3, 4, 2], rng=np.random.default_rng(1))
    b.set_parameters({k: v.copy() for k, v in a.parameters().items()})
    x = np.random.default_rng(2).normal(size=(4, 3))
    np.testing.assert_array_equal(a(x), b(x))
    assert a.n_parameters == 3 * 4 + 4 + 4 * 2 + 2


def test_parameters_are_live_arrays():
    net = nn.mlp([2, 3], rng=np.random.default_rng(0))
    net.parameters()["0.b"][...] = 1.5
    np.testing.assert_array_equal(net.layers[0].b, 1.5)
    assert nn.ReLU().parameters() == {} and nn.ReLU().init(np.random.default_rng(0)) is not None


def test_set_parameters_validation():
    net = nn.mlp([2, 3, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        net.set_parameters({k: np.zeros(1) for k in net.parameters()})
    with pytest.raises(ValueError, match="missing"):
        net.set_parameters({})
    with pytest.raises(TypeError, match="real numbers"):
        net.set_parameters({k: "x" for k in net.parameters()})
