"""Tests of impossibility.nn.dtypes and of float32 networks: one dtype from input to Adam state."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn

# float32 against float64 on the same weights and batch: every quantity is a short chain of
# sums and products of O(1) numbers, each rounded with unit roundoff u = 2^-24 ≈ 6e-8, so a
# norm-wise error of ~sqrt(width)·depth·u ≈ 1e-6 is expected; 2e-5 leaves a margin of ~10 while
# staying 100× below what a float64 constant promoted by mistake into a wrong formula would give.
F32_RTOL = 2e-5


def test_check_dtype_accepts_float32_and_float64_only():
    for dt in (np.float32, np.dtype("float32"), "float32"):
        assert nn.check_dtype(dt) == np.float32
    for dt in (np.float64, float, "float64"):
        assert nn.check_dtype(dt) == np.float64
    assert nn.dtype_name(np.float32) == "float32"
    for bad in (np.float16, "int64", np.complex128, "bogus"):
        with pytest.raises(ValueError, match="dtype must be"):
            nn.check_dtype(bad)
    for bad in (None, 3, 1.5, object()):
        with pytest.raises(TypeError, match="dtype must be"):
            nn.check_dtype(bad)
    with pytest.raises(ValueError, match="'float16'"):
        nn.mlp([3, 2], dtype="float16")
    with pytest.raises(TypeError, match="dtype"):
        nn.Linear(3, 2, dtype=7)


def _pair(activation, rng_seed=0):
    net64 = nn.mlp([6, 16, 8, 3], rng=np.random.default_rng(rng_seed), activation=activation)
    net32 = nn.mlp([6, 16, 8, 3], activation=activation, dtype=np.float32)
    net32.set_parameters(net64.parameters())
    return net64, net32


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid", "softplus"])
def test_float32_network_stays_float32_and_agrees_with_float64(activation):
    net64, net32 = _pair(activation)
    assert net32.dtype == np.float32 and net64.dtype == np.float64
    # a float32 initialisation is the float64 one rounded (the same draws)
    ref = nn.mlp([6, 16, 8, 3], rng=np.random.default_rng(0), activation=activation)
    for k, p in (
        nn.mlp([6, 16, 8, 3], rng=np.random.default_rng(0), activation=activation, dtype="float32")
        .parameters()
        .items()
    ):
        assert p.dtype == np.float32 and np.array_equal(p, ref.parameters()[k].astype(np.float32))
    x = np.random.default_rng(1).normal(size=(20, 6))
    dy = np.random.default_rng(2).normal(size=(20, 3))
    y32, c32 = net32.forward(x.astype(np.float32))
    dx32, g32 = net32.backward(c32, dy.astype(np.float32))
    y64, c64 = net64.forward(x)
    dx64, g64 = net64.backward(c64, dy)
    assert y32.dtype == dx32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in g32.values())
    assert nn.relative_error(y32, y64) < F32_RTOL
    assert nn.relative_error(dx32, dx64) < F32_RTOL
    for k in g64:
        assert nn.relative_error(g32[k], g64[k]) < F32_RTOL, k
    # evaluation (__call__) runs in float64 on the float32 weights: exactly the float64 network
    # with those weights, so it matches to float64 rounding, not float32's
    net64.set_parameters(net32.parameters())
    out = net32(x)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, net64(x), rtol=1e-13, atol=1e-14)


def test_adam_keeps_float32_state_and_matches_float64():
    rng = np.random.default_rng(0)
    p64 = {"w": rng.normal(size=(70_000,)), "b": rng.normal(size=(3, 4))}
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    a64, a32 = nn.Adam(p64, lr=1e-2), nn.Adam(p32, lr=1e-2)
    for _ in range(5):
        g = {k: rng.normal(size=v.shape) for k, v in p64.items()}
        a64.step(g)
        a32.step({k: v.astype(np.float32) for k, v in g.items()})  # float32 gradients
    for k in p64:
        assert p32[k].dtype == a32.m[k].dtype == a32.v[k].dtype == np.float32
        assert nn.relative_error(p32[k], p64[k]) < F32_RTOL
    # a float64 gradient of a float32 parameter is cast to the parameter's dtype
    a32.step({k: rng.normal(size=v.shape) for k, v in p64.items()})
    assert all(v.dtype == np.float32 for v in p32.values())
    with pytest.raises(TypeError, match="float64 or float32"):
        nn.Adam({"w": np.zeros(3, dtype=np.float16)})
