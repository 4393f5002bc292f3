"""The exact condition under which a rotation keeps a diagonal Gaussian diagonal."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases


def test_stays_diagonal_matches_direct_check_on_structured_cases():
    rng = np.random.default_rng(0)
    # rotation mixing only coordinates 0 and 1, which share a variance: stays diagonal
    R = np.eye(3)
    R[:2, :2] = biases.plane_rotation(0.7)
    s2 = np.array([2.0, 2.0, 0.5])
    assert biases.stays_diagonal(R, s2)
    assert biases.rotated_offdiagonal(R, s2) < 1e-15
    # the same rotation with unequal variances on the mixed pair: leaves the diagonal family
    s2b = np.array([2.0, 1.0, 0.5])
    assert not biases.stays_diagonal(R, s2b)
    assert biases.rotated_offdiagonal(R, s2b) > 0.1
    # completely entangling R: diagonal iff isotropic
    A = stats.special_ortho_group.rvs(4, random_state=rng)
    assert np.min(np.abs(A)) > 1e-3
    assert biases.stays_diagonal(A, np.full(4, 0.3))
    assert biases.rotated_offdiagonal(A, np.full(4, 0.3)) < 1e-15
    assert not biases.stays_diagonal(A, np.array([0.3, 0.3, 0.3, 0.31]))
    # signed permutations never leave the family
    P = np.eye(4)[[2, 0, 3, 1]] * np.array([1, -1, 1, -1])[:, None]
    assert biases.stays_diagonal(P, np.array([1.0, 2.0, 3.0, 4.0]))


def test_stays_diagonal_agrees_with_direct_check_on_random_block_rotations():
    rng = np.random.default_rng(1)
    for _ in range(50):
        d = 5
        groups = rng.integers(0, 3, size=d)  # coordinates with equal variance share a group
        values = rng.uniform(0.1, 3.0, size=3)
        s2 = values[groups]
        R = np.zeros((d, d))
        for g in range(3):
            idx = np.flatnonzero(groups == g)
            if idx.size:
                Q = (
                    stats.ortho_group.rvs(idx.size, random_state=rng)
                    if idx.size > 1
                    else np.ones((1, 1))
                )
                R[np.ix_(idx, idx)] = Q
        if rng.random() < 0.5:  # mix two different groups: must break diagonality
            i, j = rng.choice(d, 2, replace=False)
            if s2[i] != s2[j]:
                R = biases.plane_rotation(0.3, d, (int(i), int(j))) @ R
        # 1e-12: rounding of R D Rᵀ for entries of order 1
        assert biases.stays_diagonal(R, s2) == (biases.rotated_offdiagonal(R, s2) < 1e-12)


def test_plane_rotation_is_rotation_2d_in_its_plane():
    R = biases.plane_rotation(0.4, 4, (3, 1))
    np.testing.assert_array_equal(R[np.ix_([3, 1], [3, 1])], im.rotation_2d(0.4))
    np.testing.assert_array_equal(R[np.ix_([0, 2], [0, 2])], np.eye(2))


def test_errors():
    with pytest.raises(ValueError, match="orthogonal"):
        biases.stays_diagonal(np.array([[1.0, 0.1], [0.0, 1.0]]), [1.0, 2.0])
    with pytest.raises(ValueError, match="variances"):
        biases.stays_diagonal(np.eye(2), [1.0, -2.0])
    with pytest.raises(ValueError, match="plane"):
        biases.plane_rotation(0.1, 3, (1, 1))


def test_validation_types_and_values():
    # the package's one orthogonality tolerance (1e3·ε·d), not a private 1e-10
    almost = biases.plane_rotation(0.3) + 1e-11
    with pytest.raises(ValueError, match="R is not orthogonal"):
        biases.rotated_offdiagonal(almost, [1.0, 2.0])
    with pytest.raises(ValueError, match="square"):
        biases.stays_diagonal(np.ones((2, 3)), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"variances must have shape \(2,\); got shape \(3,\)"):
        biases.rotated_offdiagonal(np.eye(2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="variances contains 1 non-finite"):
        biases.stays_diagonal(np.eye(2), [1.0, np.nan])
    with pytest.raises(TypeError, match="R must be an array of real numbers"):
        biases.stays_diagonal([["a", "b"], ["c", "d"]], [1.0, 2.0])
    with pytest.raises(TypeError, match="d must be an integer; got 2.0"):
        biases.plane_rotation(0.1, 2.0)
    with pytest.raises(ValueError, match="d must be an integer >= 2; got 1"):
        biases.plane_rotation(0.1, 1)
    with pytest.raises(ValueError, match=r"plane\[1\] must be an integer >= 0 and <= 2; got 3"):
        biases.plane_rotation(0.1, 3, (0, 3))
    with pytest.raises(TypeError, match="theta must be a real number"):
        biases.plane_rotation("0.1")
    with pytest.raises(ValueError, match="theta must be finite"):
        biases.plane_rotation(np.inf)
    with pytest.raises(ValueError, match="zero_tol must be >= 0"):
        biases.stays_diagonal(np.eye(2), [1.0, 2.0], zero_tol=-1.0)
