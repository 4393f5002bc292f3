"""The swirl, a nonlinear map that preserves N(0, I): norm, unit determinant, validation."""

import numpy as np
import pytest

import impossibility as im


def test_swirl_preserves_norm_and_unit_determinant():
    rng = np.random.default_rng(6)
    T = im.Swirl(im.random_skew(3, rng), a=0.2, b=0.8)
    y = rng.normal(size=(200, 3))
    w = T(y)
    np.testing.assert_allclose(np.linalg.norm(w, axis=1), np.linalg.norm(y, axis=1), rtol=1e-13)
    np.testing.assert_allclose(np.linalg.det(T.jacobian(y)), 1.0, atol=1e-12)
    np.testing.assert_allclose(T.inv(w), y, atol=1e-13)
    np.testing.assert_allclose(
        T.jacobian(y[:20]), im.finite_difference_jacobian(T, y[:20]), rtol=1e-6, atol=1e-8
    )


def test_swirl_validates_its_generator():
    with pytest.raises(ValueError, match="skew-symmetric"):
        im.Swirl(np.eye(2))
    with pytest.raises(TypeError, match="b must be a real number"):
        im.Swirl(im.random_skew(2, np.random.default_rng(0)), b="1")
    with pytest.raises(ValueError, match="Theorem 1 needs d ≥ 2"):
        im.Swirl(np.zeros((1, 1)))
