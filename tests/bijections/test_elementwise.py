"""Elementwise bijectors: a diagonal Jacobian, the log-det a sum, and a validated dimension."""

import numpy as np
import pytest

from impossibility import Elementwise


def _softplus_like() -> Elementwise:
    # y = x + tanh(x)/2, strictly increasing: y' = 1 + (1 − tanh²x)/2 ∈ [1, 3/2]
    return Elementwise(
        3,
        lambda x: x + 0.5 * np.tanh(x),
        None,
        lambda x: np.log1p(0.5 * (1.0 - np.tanh(x) ** 2)),
        name="tanh-shift",
    )


def test_log_det_is_the_log_of_the_diagonal_jacobian():
    b = _softplus_like()
    x = np.random.default_rng(0).normal(size=(50, 3))
    jac = b.jacobian(x)
    assert np.all(jac[:, ~np.eye(3, dtype=bool)] == 0.0)
    np.testing.assert_allclose(np.linalg.slogdet(jac)[1], b.forward_log_det_jacobian(x), rtol=1e-13)
    # and by central differences, independently of the analytic derivative
    h = 1e-6
    fd = (b.forward(x + h) - b.forward(x - h)) / (2 * h)
    np.testing.assert_allclose(np.diagonal(jac, axis1=1, axis2=2), fd, rtol=1e-8)


def test_missing_inverse_is_reported():
    with pytest.raises(NotImplementedError):
        _softplus_like().inverse(np.zeros((1, 3)))


def test_dimension_must_be_an_integer():
    # Elementwise(2.7) used to become a 2-dimensional bijector silently
    with pytest.raises(TypeError, match="d must be an integer; got 2.7"):
        Elementwise(2.7)
    with pytest.raises(ValueError, match="d must be an integer >= 1; got 0"):
        Elementwise(0)
