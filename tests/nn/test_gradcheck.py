"""Tests for impossibility.nn.gradcheck: central differences and the relative error."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn


def test_finite_difference_helper_on_known_gradient():
    a = np.array([0.3, -1.2, 2.0])
    fd = nn.finite_difference_gradient(lambda: float(np.sum(np.sin(a))), a)
    np.testing.assert_allclose(fd, np.cos(a), rtol=1e-9)
    np.testing.assert_array_equal(a, [0.3, -1.2, 2.0])  # restored


def test_relative_error():
    assert nn.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert nn.relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert nn.relative_error([1.0, 0.0], [0.0, 0.0]) == 1.0


def test_validation_errors():
    # gradient checks stay in float64: a float32 array is a type mistake
    with pytest.raises(TypeError, match="float64"):
        nn.finite_difference_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))
    with pytest.raises(ValueError, match="contiguous"):
        nn.finite_difference_gradient(lambda: 0.0, np.zeros((3, 4)).T)
    with pytest.raises(ValueError, match="h must be > 0"):
        nn.finite_difference_gradient(lambda: 0.0, np.zeros(2), h=0.0)
