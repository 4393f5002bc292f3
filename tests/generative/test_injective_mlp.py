"""Tests for impossibility.generative.injective_mlp: the injective network and its left inverse."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.generative import InjectiveMLP, InvertibleLeakyReLU, InvertibleMLP, TanhResidual


def _fd_jacobian(fn, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = [(fn(z + h * e) - fn(z - h * e)) / (2 * h) for e in np.eye(z.shape[1])]
    return np.stack(cols, axis=2)


def test_injective_mlp():
    rng = np.random.default_rng(2)
    g = InjectiveMLP.random(3, 7, rng)
    z = rng.normal(size=(200, 3))
    x = g.forward(z)
    assert x.shape == (200, 7)
    np.testing.assert_allclose(g.left_inverse(x), z, atol=1e-12)
    np.testing.assert_allclose(g.jacobian(z), _fd_jacobian(g.forward, z), atol=1e-6)


def test_injective_mlp_is_the_composition_it_claims():
    # g(z) = h_out(Q m(z) + c), written out with the pieces' own maps
    rng = np.random.default_rng(3)
    core = InvertibleMLP.random(2, rng)
    Q, c = np.linalg.qr(rng.normal(size=(4, 4)))[0][:, :2], rng.normal(size=4)
    h = InvertibleLeakyReLU(0.4)
    g = InjectiveMLP(core, Q, c, h)
    z = rng.normal(size=(25, 2))
    np.testing.assert_array_equal(g.forward(z), h.forward(core.forward(z) @ Q.T + c))
    # one point in, one point out
    assert g.forward(z[0]).shape == (4,)
    assert g.left_inverse(g.forward(z[0])).shape == (2,)
    assert g.jacobian(z[0]).shape == (4, 2)
    np.testing.assert_allclose(g.left_inverse(g.forward(z)), z, atol=1e-12)
    # no output nonlinearity: an affine lift of the core
    lin = InjectiveMLP(core, Q, c)
    np.testing.assert_allclose(lin.jacobian(z), Q[None] @ core.jacobian(z), atol=1e-15)


def test_injective_mlp_bad_input():
    rng = np.random.default_rng(0)
    g = InvertibleMLP.random(2, rng)
    with pytest.raises(ValueError, match="D must be"):
        InjectiveMLP.random(3, 2, rng)
    with pytest.raises(ValueError, match="full column rank"):
        InjectiveMLP(g, np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"lift must have shape \(D, 2\)"):
        InjectiveMLP(g, np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(TypeError, match="core must be an InvertibleMLP"):
        InjectiveMLP(np.eye(2), np.eye(3)[:, :2], np.zeros(3))
    with pytest.raises(ValueError, match=r"offset must have shape \(3,?\)"):
        InjectiveMLP(g, np.eye(3)[:, :2], np.zeros(2))
    with pytest.raises(TypeError, match="out_nonlinearity"):
        InjectiveMLP(g, np.eye(3)[:, :2], np.zeros(3), out_nonlinearity=np.tanh)
    with pytest.raises(ValueError, match="out_nonlinearity"):
        InjectiveMLP.random(2, 3, rng, out_nonlinearity="tanh")
    with pytest.raises(ValueError, match="acts on 2 coordinates"):
        InjectiveMLP(g, np.eye(3)[:, :2], np.zeros(3), TanhResidual(1.0, d=2))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        InjectiveMLP(g, np.eye(3)[:, :2], np.zeros(3)).left_inverse(np.zeros((1, 2)))
