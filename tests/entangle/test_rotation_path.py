"""The rotation path A(t) = exp(tS): the certified interval and the zeros of its entries."""

import numpy as np
import pytest

import impossibility as im


def test_rotation_path_certified_interval():
    rng = np.random.default_rng(5)
    for d in (2, 3, 6):
        path = im.RotationPath(im.random_skew(d, rng))
        t_max = path.t_max
        assert t_max > 0
        ts = np.linspace(t_max * 1e-3, t_max * (1 - 1e-9), 60)
        for t in ts:
            A = path(t)
            assert np.min(np.abs(A)) > 0
        np.testing.assert_allclose(path(0.7).T @ path(0.7), np.eye(d), atol=1e-13)
    # d = 2: A(t) is the rotation by t·S₁₀, whose entries vanish at multiples of π/2
    path = im.RotationPath(np.array([[0.0, -1.0], [1.0, 0.0]]))
    zeros = [t for (_, _, t) in path.entry_zeros(0.1, 3.3)]
    np.testing.assert_allclose(sorted(set(np.round(zeros, 10))), [np.pi / 2, np.pi], atol=1e-10)
    with pytest.raises(ValueError, match="skew"):
        im.RotationPath(np.eye(3))


def test_random_skew_and_rotation_path_validate_their_arguments():
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator.*got RandomState"):
        im.random_skew(3, np.random.RandomState(0))
    with pytest.raises(ValueError, match="Theorem 1 needs d ≥ 2"):
        im.random_skew(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="skew-symmetric"):
        im.RotationPath(np.ones((3, 3)))
    with pytest.raises(ValueError, match="square"):
        im.RotationPath(np.ones((2, 3)))
    with pytest.raises(TypeError, match="array of real numbers"):
        im.RotationPath([["a", "b"], ["c", "d"]])
    path = im.RotationPath(im.random_skew(3, np.random.default_rng(0)))
    with pytest.raises(TypeError, match="t must be a real number"):
        path("0.1")
    with pytest.raises(ValueError, match="t_lo must be < t_hi"):
        path.entry_zeros(1.0, 0.0)
