"""Tests for impossibility.data.squash: the algebraic squash as an elementwise bijector."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.bijections import Elementwise
from impossibility.data import AlgebraicSquash

X = np.array([[0.03, 0.5, 0.91], [0.2, 0.77, 0.4999], [1e-9, 1 - 1e-9, 0.25]])


def test_inverse_log_det_is_the_headline_formula_bit_for_bit():
    # experiments/headline_metrics.py _log_squash_jacobian(x) -> (ls, y), written out again
    y_ref = (2.0 * X - 1.0) / (2.0 * np.sqrt(X * (1.0 - X)))
    ls_ref = (np.log(2.0) + 1.5 * np.log1p(y_ref * y_ref)).sum(axis=1)
    y, ls = AlgebraicSquash(3).inverse_and_log_det(X)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(ls, ls_ref)
    np.testing.assert_array_equal(AlgebraicSquash(3).inverse(X), y_ref)
    # and the forward map is data.py's squash
    np.testing.assert_array_equal(AlgebraicSquash(3).forward(y), 0.5 + 0.5 * (y / np.hypot(1.0, y)))


def test_squash_log_det_two_ways():
    s = AlgebraicSquash(3)
    assert isinstance(s, Elementwise) and not s.is_constant_jacobian
    x = X[:2]
    y, ls = s.inverse_and_log_det(x)
    # central differences of s⁻¹: rounding error ~ε/h ≈ 1e-9 relative dominates O(h²)
    h = 1e-7
    fd = np.log(np.abs((s.inverse(x + h) - s.inverse(x - h)) / (2 * h))).sum(axis=1)
    np.testing.assert_allclose(ls, fd, rtol=1e-6)
    # slogdet of the analytic Jacobian of s at y, and the forward log-det
    xb, ld = s.forward_and_log_det(y)
    np.testing.assert_allclose(xb, x, atol=1e-15)
    np.testing.assert_allclose(np.linalg.slogdet(s.jacobian(y))[1], ld, rtol=1e-13)
    np.testing.assert_allclose(ld, -ls, rtol=1e-13)


def test_squash_round_trip_and_range():
    s = AlgebraicSquash(2)
    y = np.random.default_rng(0).normal(scale=10.0, size=(1000, 2))
    x = s.forward(y)
    assert np.all((x > 0) & (x < 1))
    # an error ε in x moves y by 2(1+y²)^{3/2}ε: about 2e-13 at |y| = 10 and 1e-10 at |y| = 60
    err = np.abs(s.inverse(x) - y) / (2 * (1 + y**2) ** 1.5 * np.finfo(float).eps)
    assert np.all(err < 4)


def test_squash_bad_input():
    s = AlgebraicSquash(3)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        s.inverse(np.array([[0.5, 1.0, 0.2]]))
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        s.inverse_and_log_det(np.array([[0.5, 0.0, 0.2]]))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        s.forward(np.zeros((1, 2)))
    with pytest.raises(TypeError, match="d must be an integer"):
        AlgebraicSquash(2.5)
