"""Tests for impossibility.symbolic.matrices: exact rotations and reflections, and their checks."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from impossibility import symbolic as S


def test_cayley_transform_is_a_rotation():
    A = S.cayley_transform(S.skew_symmetric())
    assert sp.simplify(A.T * A - sp.eye(3)) == sp.zeros(3, 3)
    assert sp.simplify(A.det()) == 1
    with pytest.raises(ValueError, match="skew-symmetric"):
        S.cayley_transform(sp.Matrix([[0, 1], [1, 0]]))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.householder_matrix(1), "Theorem 1 needs d ≥ 2"),
    ],
)
def test_validation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_householder_matrix_is_an_exact_reflection():
    A = S.householder_matrix(np.int64(3), sp.Rational(1, 3))  # NumPy integers are integers
    assert A.shape == (3, 3)
    assert sp.simplify(A.T * A - sp.eye(3)) == sp.zeros(3, 3) and sp.simplify(A.det()) == -1


@pytest.mark.parametrize("d", [2.0, True, "2"])
def test_dimension_of_the_wrong_type_is_a_type_error(d):
    with pytest.raises(TypeError, match="d must be an integer; got"):
        S.householder_matrix(d)
    with pytest.raises(TypeError, match="d must be an integer; got"):
        S.default_rotation(d)


def test_default_rotation_exists_for_d_2_and_3_only():
    assert S.default_rotation(2) == S.rotation_2d()
    assert S.default_rotation(3).shape == (3, 3)
    with pytest.raises(ValueError, match="d = 1: Theorem 1 needs d ≥ 2"):
        S.default_rotation(1)
    with pytest.raises(ValueError, match="no default symbolic rotation for d = 4"):
        S.default_rotation(4)
