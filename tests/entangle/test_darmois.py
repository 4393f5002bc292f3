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


def test_darmois_upper_tail_is_exact_or_refused():
    # issue 11: inverse([[9, 0]]) used to return one point for every w ≥ 8.5 (1 − Φ(w) rounded
    # to 0); the map is odd, so the upper tail mirrors the lower one. Two ways: the round trip,
    # and the oddness f⁻¹(−w) = −f⁻¹(w).
    darmois = im.DarmoisShear2D()
    w = np.array([[9.0, 0.0], [12.0, 3.0]])
    x = darmois.inverse(w)
    np.testing.assert_allclose(darmois.forward(x), w, rtol=0, atol=1e-12)
    # (each side solved by its own root search, to brentq's and the quadrature's accuracy)
    np.testing.assert_allclose(darmois.inverse(-w[1]), -x[1], rtol=0, atol=1e-9)
    assert len(np.unique(x.round(6), axis=0)) == len(w)
    with pytest.raises(ValueError, match=r"y\[0, 0\] = 40.0"):
        darmois.inverse([[40.0, 0.0]])
