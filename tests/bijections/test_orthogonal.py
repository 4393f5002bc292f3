"""The bijector interface: derived methods, Chain order, Inverse, Elementwise, Orthogonal."""

import numpy as np
import pytest

from impossibility import Elementwise, Orthogonal, rotation_2d
from impossibility.bijections import check_orthogonal


def _affine(a, b, d=2):
    """y = a·x + b coordinatewise, log|β'| = log|a|."""
    return Elementwise(
        d,
        lambda x: a * x + b,
        lambda y: (y - b) / a,
        lambda x: np.full_like(x, np.log(abs(a))),
        name=f"{a}x+{b}",
    )


def _square_shift():
    """y = x + x³ coordinatewise (strictly increasing), inverse by Newton; nonlinear."""

    def inv(y):
        x = np.cbrt(y)
        for _ in range(60):
            x = x - (x + x**3 - y) / (1 + 3 * x**2)
        return x

    return Elementwise(2, lambda x: x + x**3, inv, lambda x: np.log1p(3 * x**2), name="x+x³")


def test_orthogonal_validation():
    with pytest.raises(ValueError, match="not orthogonal"):
        Orthogonal([[1.0, 0.5], [0.0, 1.0]])  # a shear
    with pytest.raises(ValueError, match="not orthogonal"):
        check_orthogonal(rotation_2d(0.1) * (1 + 1e-8))
    with pytest.raises(ValueError, match="square"):
        Orthogonal(np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        Orthogonal([[np.nan, 0], [0, 1]])
    # a product of many rotations stays inside the default tolerance
    A = np.linalg.multi_dot([rotation_2d(0.1 * k) for k in range(50)])
    Orthogonal(A)
