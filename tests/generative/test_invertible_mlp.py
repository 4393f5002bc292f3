"""Tests for impossibility.generative.invertible_mlp: the invertible network as a bijector."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.bijections import Bijector, Chain, Orthogonal
from impossibility.generative import InvertibleLeakyReLU, InvertibleMLP, TanhResidual


def _fd_jacobian(fn, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = [(fn(z + h * e) - fn(z - h * e)) / (2 * h) for e in np.eye(z.shape[1])]
    return np.stack(cols, axis=2)


@pytest.mark.parametrize("d", [1, 2, 5])
@pytest.mark.parametrize("h", [TanhResidual(2.0), InvertibleLeakyReLU(0.3)])
def test_invertible_mlp(d, h):
    rng = np.random.default_rng(d)
    g = InvertibleMLP.random(d, rng, n_layers=4, nonlinearity=h)
    z = 2 * rng.normal(size=(300, d))
    x, ld = g.forward_and_log_det(z)
    zb, ldi = g.inverse_and_log_det(x)
    np.testing.assert_allclose(zb, z, atol=1e-12)  # a few ulps per layer (measured 4e-15)
    np.testing.assert_allclose(ldi, -ld, atol=1e-12)
    J = g.jacobian(z)
    # analytic Jacobian vs central differences (error ~h² + ε/h ≈ 1e-10 relative to |J|)
    np.testing.assert_allclose(J, _fd_jacobian(g.forward, z), atol=1e-6)
    np.testing.assert_allclose(np.linalg.slogdet(J)[1], ld, atol=1e-12)


def test_general_invertible_weights_log_det():
    rng = np.random.default_rng(1)
    W = [rng.normal(size=(3, 3)) + 2 * np.eye(3) for _ in range(3)]
    g = InvertibleMLP(W, [rng.normal(size=3) for _ in range(3)], TanhResidual(0.7))
    z = rng.normal(size=(50, 3))
    _, ld = g.forward_and_log_det(z)
    # the log-determinant two independent ways: the analytic Jacobian and central differences
    np.testing.assert_allclose(np.linalg.slogdet(g.jacobian(z))[1], ld, atol=1e-12)
    np.testing.assert_allclose(np.linalg.slogdet(_fd_jacobian(g.forward, z))[1], ld, atol=1e-7)
    np.testing.assert_allclose(g.inverse(g.forward(z)), z, atol=1e-12)


def test_invertible_mlp_is_a_bijector():
    rng = np.random.default_rng(2)
    g = InvertibleMLP.random(3, rng)
    assert isinstance(g, Bijector) and not g.is_constant_jacobian
    z = rng.normal(size=(30, 3))
    x, ld = g.forward_and_log_det(z)
    np.testing.assert_array_equal(g.forward(z), x)  # forward skips the log-det, same numbers
    np.testing.assert_array_equal(g.inverse(x), g.inverse_and_log_det(x)[0])
    # derived API: inverse bijector, log-dets, one point in → one point out
    np.testing.assert_allclose(g.inv.forward(x), z, atol=1e-12)
    np.testing.assert_array_equal(g.forward_log_det_jacobian(z), ld)
    assert g.forward(z[0]).shape == (3,) and g.jacobian(z[0]).shape == (3, 3)
    np.testing.assert_allclose(g.inv.jacobian(x), np.linalg.inv(g.jacobian(z)), atol=1e-10)
    # it composes with other bijectors
    A = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    chain = Chain([Orthogonal(A), g])
    y, ldc = chain.forward_and_log_det(z)
    np.testing.assert_allclose(y, x @ A.T, atol=1e-13)
    np.testing.assert_allclose(ldc, ld, atol=1e-13)


def test_constant_jacobian_is_declared():
    rng = np.random.default_rng(3)
    assert InvertibleMLP(
        [rng.normal(size=(2, 2)) + 3 * np.eye(2)], [np.zeros(2)]
    ).is_constant_jacobian
    assert InvertibleMLP.random(2, rng, nonlinearity=InvertibleLeakyReLU(1.0)).is_constant_jacobian
    assert not InvertibleMLP.random(
        2, rng, nonlinearity=InvertibleLeakyReLU(0.5)
    ).is_constant_jacobian


def test_invertible_mlp_bad_input():
    rng = np.random.default_rng(0)
    g = InvertibleMLP.random(2, rng)
    with pytest.raises(ValueError, match="singular"):
        InvertibleMLP([np.ones((2, 2))], [np.zeros(2)])
    with pytest.raises(ValueError, match="biases"):
        InvertibleMLP([np.eye(2)], [])
    with pytest.raises(ValueError, match="square"):
        InvertibleMLP([np.ones((2, 3))], [np.zeros(2)])
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(2,?\)"):
        InvertibleMLP([np.eye(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        InvertibleMLP([np.eye(2), np.full((2, 2), np.nan)], [np.zeros(2)] * 2)
    with pytest.raises(TypeError, match="InvertibleNonlinearity"):
        InvertibleMLP([np.eye(2)], [np.zeros(2)], np.tanh)
    with pytest.raises(ValueError, match="acts on 3 coordinates"):
        InvertibleMLP([np.eye(2)], [np.zeros(2)], TanhResidual(1.0, d=3))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        g.forward(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="non-finite"):
        g.inverse(np.array([[np.nan, 0.0]]))
    with pytest.raises(TypeError, match="d must be an integer"):
        InvertibleMLP.random(2.0, rng)
    with pytest.raises(ValueError, match="n_layers"):
        InvertibleMLP.random(2, rng, n_layers=0)
    with pytest.raises(ValueError, match="bias_scale"):
        InvertibleMLP.random(2, rng, bias_scale=-1.0)
    with pytest.raises(TypeError, match="Generator"):
        InvertibleMLP.random(2, np.random.RandomState(0))
