"""Orthogonal bijectors: the one orthogonality check and its tolerance."""

import numpy as np
import pytest

from impossibility import Orthogonal, rotation_2d
from impossibility.bijections import check_orthogonal


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
