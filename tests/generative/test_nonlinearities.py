"""Tests for impossibility.generative.nonlinearities: the elementwise bijections of the MLPs."""

from __future__ import annotations

import numpy as np
import pytest

import impossibility.generative as gen
from impossibility import nn
from impossibility.bijections import Chain, Elementwise, Orthogonal
from impossibility.generative import InvertibleLeakyReLU, InvertibleNonlinearity, TanhResidual

NONLINEARITIES = [TanhResidual(2.0), TanhResidual(-0.5), InvertibleLeakyReLU(0.2)]


def _fd_jacobian(fn, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = [(fn(z + h * e) - fn(z - h * e)) / (2 * h) for e in np.eye(z.shape[1])]
    return np.stack(cols, axis=2)


def test_nonlinearity_derivatives_match_finite_differences():
    a = np.linspace(-6, 6, 101) + 0.013  # avoid the kink of the leaky ReLU at 0
    for h in NONLINEARITIES:
        fd = (h.forward(a + 1e-6) - h.forward(a - 1e-6)) / 2e-6
        np.testing.assert_allclose(h.derivative(a), fd, rtol=1e-8)  # central FD error ~1e-10
        np.testing.assert_allclose(
            h.log_derivative(a), np.log(h.derivative(a)), rtol=1e-14, atol=1e-15
        )
    big = np.array([-800.0, 800.0])  # sech² must not overflow (warnings are errors in the suite)
    np.testing.assert_array_equal(TanhResidual(1.0).derivative(big), [1.0, 1.0])
    lr = InvertibleLeakyReLU(0.3)
    np.testing.assert_allclose(lr.inverse(lr.forward(a)), a, rtol=4e-16)  # (s·a)/s: one rounding


@pytest.mark.parametrize("h", NONLINEARITIES, ids=repr)
@pytest.mark.parametrize("d", [None, 3])
def test_nonlinearities_are_elementwise_bijectors(h, d):
    h = type(h)(h.alpha if isinstance(h, TanhResidual) else h.slope, d=d)
    assert isinstance(h, Elementwise) and isinstance(h, InvertibleNonlinearity)
    x = np.random.default_rng(0).normal(scale=2.0, size=(40, 3)) + 0.013
    y, ld = h.forward_and_log_det(x)
    np.testing.assert_array_equal(y, h.forward(x))
    J = h.jacobian(x)
    # the log-determinant two independent ways: slogdet of the analytic Jacobian and of central
    # differences (error ~1e-10 relative)
    np.testing.assert_allclose(np.linalg.slogdet(J)[1], ld, atol=1e-13)
    np.testing.assert_allclose(np.linalg.slogdet(_fd_jacobian(h.forward, x))[1], ld, atol=1e-8)
    np.testing.assert_allclose(J, _fd_jacobian(h.forward, x), atol=1e-7)
    xb, ldi = h.inverse_and_log_det(y)
    np.testing.assert_allclose(xb, x, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(ldi, -ld, atol=1e-14)
    np.testing.assert_allclose(h.inv.jacobian(y), np.linalg.inv(J), rtol=1e-12)
    # one point in, one point out (the Bijector convention)
    assert h.forward(x[0]).shape == (3,) and h.forward_and_log_det(x[0])[1].shape == ()
    assert not h.is_constant_jacobian


@pytest.mark.parametrize("h", NONLINEARITIES)
def test_inverse_bijector_accepts_any_width_like_the_nonlinearity(h):
    # h.inv validates as h does (any number of coordinates when d is None), through the
    # base class's forward and inverse
    x = np.random.default_rng(0).standard_normal((6, 7))
    np.testing.assert_array_equal(h.inv.forward(x), h.inverse(x))
    np.testing.assert_array_equal(h.inv.inverse(x), h.forward(x))
    np.testing.assert_allclose(h.inv.forward(h.forward(x)), x, rtol=1e-12, atol=1e-12)


def test_constant_jacobian_is_declared():
    assert TanhResidual(0.0).is_constant_jacobian
    assert InvertibleLeakyReLU(1.0).is_constant_jacobian
    assert not TanhResidual(0.5).is_constant_jacobian
    assert not InvertibleLeakyReLU(0.5).is_constant_jacobian


def test_nonlinearity_composes_in_a_chain_when_its_dimension_is_given():
    rng = np.random.default_rng(1)
    A = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    chain = Chain([TanhResidual(1.5, d=3), Orthogonal(A)])
    x = rng.normal(size=(20, 3))
    y, ld = chain.forward_and_log_det(x)
    np.testing.assert_allclose(np.linalg.slogdet(chain.jacobian(x))[1], ld, atol=1e-13)
    np.testing.assert_allclose(chain.inverse(y), x, atol=1e-13)


def test_leaky_relu_renamed_apart_from_the_network_layer():
    # generative's invertible map and nn's layer are different things with different names
    assert not hasattr(gen, "LeakyReLU")
    assert InvertibleLeakyReLU is not nn.LeakyReLU
    assert repr(InvertibleLeakyReLU(0.3)) == "InvertibleLeakyReLU(slope=0.3)"


def test_nonlinearity_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        TanhResidual(-1.0)
    with pytest.raises(TypeError, match="alpha"):
        TanhResidual("1.0")
    with pytest.raises(ValueError, match="slope"):
        InvertibleLeakyReLU(0.0)
    with pytest.raises(ValueError, match="slope"):
        InvertibleLeakyReLU(np.inf)
    with pytest.raises(ValueError, match="d must be"):
        TanhResidual(1.0, d=0)
    with pytest.raises(TypeError, match="d must be an integer"):
        TanhResidual(1.0, d=2.7)
    with pytest.raises(ValueError, match=r"shape \(n, k\)"):
        TanhResidual(1.0).forward(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        TanhResidual(1.0, d=3).forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        InvertibleLeakyReLU(0.3).inverse(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="real numbers"):
        TanhResidual(1.0).forward(["a", "b"])
