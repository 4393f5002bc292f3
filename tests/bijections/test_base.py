"""The bijector contract: derived methods, Inverse, single points, bad input."""

import numpy as np
import pytest

from impossibility import Chain, Elementwise, Inverse, Orthogonal, rotation_2d


def _square_shift():
    """y = x + x³ coordinatewise (strictly increasing), inverse by Newton; nonlinear."""

    def inv(y):
        x = np.cbrt(y)
        for _ in range(60):
            x = x - (x + x**3 - y) / (1 + 3 * x**2)
        return x

    return Elementwise(2, lambda x: x + x**3, inv, lambda x: np.log1p(3 * x**2), name="x+x³")


def test_derived_methods_agree_with_primitives(affine):
    b = Chain([_square_shift(), Orthogonal(rotation_2d(0.7)), affine(3.0, -1.0)])
    x = np.random.default_rng(0).normal(size=(10, 2))
    y, ldj = b.forward_and_log_det(x)
    np.testing.assert_array_equal(b.forward(x), y)
    np.testing.assert_array_equal(b.forward_log_det_jacobian(x), ldj)
    xr, ildj = b.inverse_and_log_det(y)
    np.testing.assert_allclose(xr, x, atol=1e-12)
    np.testing.assert_allclose(ildj, -ldj, atol=1e-12)
    np.testing.assert_allclose(b.inverse_log_det_jacobian(y), -ldj, atol=1e-12)
    # log-det from the chain rule equals log|det| of the assembled Jacobian
    np.testing.assert_allclose(np.linalg.slogdet(b.jacobian(x))[1], ldj, atol=1e-12)
    assert b.jacobian(x).shape == (10, 2, 2)


def test_inverse_bijector_swaps_directions_and_jacobians():
    b = Chain([_square_shift(), Orthogonal(rotation_2d(0.3))])
    x = np.random.default_rng(1).normal(size=(5, 2))
    y = b(x)
    inv = b.inv
    assert isinstance(inv, Inverse) and inv.inv is b
    np.testing.assert_allclose(inv(y), x, atol=1e-12)
    # J_{b⁻¹}(y) J_b(x) = I
    prod = inv.jacobian(y) @ b.jacobian(x)
    np.testing.assert_allclose(prod, np.broadcast_to(np.eye(2), prod.shape), atol=1e-12)


def test_single_point_drops_batch_axis():
    b = Orthogonal(rotation_2d(0.5))
    y, ldj = b.forward_and_log_det(np.array([1.0, 0.0]))
    assert y.shape == (2,) and np.ndim(ldj) == 0
    assert b.jacobian(np.array([1.0, 0.0])).shape == (2, 2)


def test_bad_inputs_raise():
    b = Orthogonal(rotation_2d(0.5))
    with pytest.raises(ValueError, match="shape"):
        b.forward(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="non-finite"):
        b.forward([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="same d"):
        Chain([Orthogonal(np.eye(2)), Orthogonal(np.eye(3))])
    with pytest.raises(ValueError, match="at least one"):
        Chain([])
