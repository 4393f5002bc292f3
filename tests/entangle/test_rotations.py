"""Entangling rotations: Haar draws above a threshold, Householder matrices, validation."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import (
    FactorizedPrior,
    entangling_bijection,
    random_entangling_rotation,
)


@pytest.mark.parametrize("d", [2, 3, 4, 8, 16])
def test_random_entangling_rotation_respects_threshold(d):
    rng = np.random.default_rng(d)
    A = random_entangling_rotation(d, rng)
    np.testing.assert_allclose(A.T @ A, np.eye(d), atol=1e-13)
    assert np.min(np.abs(A)) >= 0.5 * d**-2.5
    R = random_entangling_rotation(d, rng, proper=True, min_abs_entry=0.1 / d)
    assert np.linalg.det(R) == pytest.approx(1.0) and np.min(np.abs(R)) >= 0.1 / d


def test_random_entangling_rotation_is_reproducible():
    a = random_entangling_rotation(6, np.random.default_rng(11))
    b = random_entangling_rotation(6, np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)


def test_impossible_threshold_and_bad_dimension():
    with pytest.raises(ValueError, match="1/√d"):
        random_entangling_rotation(4, np.random.default_rng(0), min_abs_entry=0.6)
    with pytest.raises(ValueError, match="d ≥ 2"):
        random_entangling_rotation(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="d ≥ 2"):
        entangling_bijection(FactorizedPrior([stats.norm()]), np.eye(1))


def test_householder_family_all_entries_nonzero_and_distinct():
    for d in (2, 3, 5):
        mats = [im.householder_rotation(d, a) for a in (0.1, 0.2, 0.3, 0.45)]
        for A in mats:
            np.testing.assert_allclose(A @ A.T, np.eye(d), atol=1e-15)
            assert np.min(np.abs(A)) > 0
        assert len({A.tobytes() for A in mats}) == 4
    with pytest.raises(ValueError, match="alpha"):
        im.householder_rotation(3, 0.5)


def test_rotation_builders_follow_the_type_value_rule():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="d must be an integer; got 3.0"):
        random_entangling_rotation(3.0, rng)
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator.*got int"):
        random_entangling_rotation(3, 0)
    with pytest.raises(TypeError, match="min_abs_entry must be a real number"):
        random_entangling_rotation(3, rng, min_abs_entry="0.1")
    with pytest.raises(ValueError, match="max_tries must be an integer >= 1"):
        random_entangling_rotation(3, rng, max_tries=0)
    with pytest.raises(ValueError, match=r"alpha must be > 0.0 and < 1.0; got 1.5"):
        im.householder_rotation(3, 1.5)
    with pytest.raises(ValueError, match="differ from 1/2"):
        im.householder_rotation(3, 0.5)
    with pytest.raises(ValueError, match="theta must be finite"):
        im.rotation_2d(np.nan)
