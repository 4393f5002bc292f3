"""Tests for impossibility.nn.adam: the TensorFlow-1 update, the blocked loop, validation."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn


def test_adam_matches_reference_update_and_minimises_quadratic():
    p = np.array([1.0, -2.0])
    opt = nn.Adam({"p": p}, lr=0.1)
    g = np.array([0.5, -4.0])
    opt.step({"p": g})
    # first step: m = 0.1 g, v = 0.001 g², α₁ = 0.1·√0.001/0.1, so the update is ≈ 0.1·sign(g)
    alpha = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)
    expected = np.array([1.0, -2.0]) - alpha * (0.1 * g) / (np.sqrt(0.001 * g**2) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=1e-14)
    # it minimises a quadratic
    target = np.array([3.0, 4.0])
    q = np.zeros(2)
    opt = nn.Adam({"q": q}, lr=0.05)
    for _ in range(2000):
        opt.step({"q": 2 * (q - target)})
    np.testing.assert_allclose(q, target, atol=1e-3)


def test_adam_trains_mlp_regression():
    rng = np.random.default_rng(7)
    x = rng.uniform(-2, 2, size=(256, 1))
    y = np.sin(x)
    net = nn.mlp([1, 32, 32, 1], rng=rng, activation="tanh")
    opt = nn.Adam(net.parameters(), lr=1e-2)
    for _ in range(600):
        out, cache = net.forward(x)
        _, grads = net.backward(cache, 2 * (out - y) / len(x))
        opt.step(grads)
    assert np.mean((net(x) - y) ** 2) < 5e-3  # sin on [-2, 2] is easy; untrained MSE ≈ 0.5


def test_adam_blocked_update_of_a_large_array_matches_the_formula():
    # 300 × 110 = 33,000 entries: more than one cache block (2¹⁵), so the block loop is exercised
    rng = np.random.default_rng(8)
    p = rng.normal(size=(300, 110))
    p0 = p.copy()
    opt = nn.Adam({"p": p}, lr=0.01, beta1=0.5, beta2=0.9)
    g1, g2 = rng.normal(size=p.shape), rng.normal(size=p.shape)
    opt.step({"p": g1})
    opt.step({"p": g2})
    m = 0.5 * (0.5 * g1) + 0.5 * g2
    v = 0.9 * (0.1 * g1**2) + 0.1 * g2**2
    a1 = 0.01 * np.sqrt(1 - 0.9) / (1 - 0.5)
    a2 = 0.01 * np.sqrt(1 - 0.9**2) / (1 - 0.5**2)
    expected = p0 - a1 * (0.5 * g1) / (np.sqrt(0.1 * g1**2) + 1e-8) - a2 * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=1e-13, atol=1e-15)
    state = opt.state()
    assert int(state["t"]) == 2 and set(state) == {"t", "m/p", "v/p"}


def test_validation_errors():
    with pytest.raises(ValueError, match="lr must be > 0"):
        nn.Adam({}, lr=-1.0)
    with pytest.raises(ValueError, match="beta1 must be >= 0.0 and < 1.0"):
        nn.Adam({}, beta1=1.0)
    with pytest.raises(TypeError, match="eps must be a real number"):
        nn.Adam({}, eps="1e-8")
    p = np.zeros(2)
    opt = nn.Adam({"p": p})
    with pytest.raises(ValueError, match="not finite"):
        opt.step({"p": np.array([np.nan, 0.0])})
    np.testing.assert_array_equal(p, 0.0)
    with pytest.raises(ValueError, match="no gradient"):
        opt.step({})
    with pytest.raises(ValueError, match="expected \\(2,\\)"):
        opt.step({"p": np.zeros(3)})
    np.testing.assert_array_equal(p, 0.0)


def test_parameters_must_be_contiguous_float_arrays():
    with pytest.raises(TypeError, match="'p' must be a float64 or float32 numpy array"):
        nn.Adam({"p": np.zeros(3, dtype=np.int64)})
    with pytest.raises(TypeError, match="'p' must be a float64 or float32 numpy array"):
        nn.Adam({"p": [0.0, 1.0]})
    with pytest.raises(ValueError, match="C-contiguous"):
        nn.Adam({"p": np.zeros((4, 4))[:, ::2]})
