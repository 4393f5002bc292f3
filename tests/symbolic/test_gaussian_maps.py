"""Tests for impossibility.symbolic.gaussian_maps: maps of Gaussian space as expressions."""

from __future__ import annotations

import pytest
import sympy as sp

from impossibility import symbolic as S


def test_linear_map_and_its_inverse():
    T = S.linear_map(S.rotation_2d())
    assert T.d == 2 and [p.name for p in T.params] == ["theta"]
    assert T.jacobian() == T.A
    back = T.T_inv.subs(dict(zip(T.y, T.T, strict=True)), simultaneous=True)
    assert sp.simplify(back - sp.Matrix(T.y)) == sp.zeros(2, 1)
    # a non-orthogonal A is inverted as A⁻¹
    shear = S.linear_map([[1, 1], [0, 1]])
    assert shear.T_inv == sp.ImmutableMatrix([[1, -1], [0, 1]]) * sp.Matrix(shear.y)


def test_linear_map_validation():
    with pytest.raises(ValueError, match=r"A must be a square d×d matrix with d ≥ 2; got shape"):
        S.linear_map([[1, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="must not contain the Gaussian-space symbols"):
        S.linear_map(sp.Matrix([[sp.Symbol("y1", real=True), 0], [0, 1]]))
