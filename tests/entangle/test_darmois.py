"""The Darmois construction: its linear-Gaussian case is an orthogonal matrix."""

import numpy as np
import pytest

import impossibility as im


def test_linear_gaussian_darmois_is_orthogonal():
    M = np.random.default_rng(8).normal(size=(4, 4))
    Q = im.linear_gaussian_darmois(M)
    np.testing.assert_allclose(Q @ Q.T, np.eye(4), atol=1e-13)
    with pytest.raises(ValueError, match="invertible"):
        im.linear_gaussian_darmois(np.ones((3, 3)))


def test_darmois_validates_its_arguments():
    with pytest.raises(ValueError, match="invertible"):
        im.linear_gaussian_darmois(np.ones((2, 2)))
    with pytest.raises(ValueError, match="square"):
        im.linear_gaussian_darmois(np.ones((2, 3)))
    with pytest.raises(ValueError, match="n_hermite must be an integer >= 2"):
        im.DarmoisShear2D(n_hermite=1)
