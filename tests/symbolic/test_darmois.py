"""Tests for impossibility.symbolic.darmois: the linear–Gaussian Darmois map is orthogonal."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from impossibility import linear_gaussian_darmois
from impossibility import symbolic as S
from impossibility.tolerances import SYMBOLIC_VS_NUMERIC as TOL


def test_darmois_linear_gaussian():
    res = S.prove_darmois_linear_gaussian()
    assert res.holds, res.summary()
    assert S.prove_darmois_linear_gaussian(sp.Matrix([[2, 1], [-1, 3]]))


def test_darmois_wrong_factor_fails():
    M = sp.Matrix(2, 2, sp.symbols("m11 m12 m21 m22", real=True))
    res = S.prove_darmois_linear_gaussian(L=sp.Matrix([[M[0, 0], 0], [M[1, 0], M[1, 1]]]))
    assert not res.holds
    assert res.steps[0].status == "refuted"
    assert res.steps[-1].status == "refuted"
    with pytest.raises(ValueError, match="invertible"):
        S.darmois_linear_gaussian_2d(sp.Matrix([[1, 2], [2, 4]]))


def test_darmois_matches_numeric(max_rel_error):
    M, L, Q = S.darmois_linear_gaussian_2d()
    fQ = sp.lambdify(sorted(M.free_symbols, key=lambda s: s.name), Q, modules="numpy")
    rng = np.random.default_rng(3)
    for _ in range(5):
        Mn = rng.standard_normal((2, 2))
        got = np.asarray(fQ(*Mn.ravel()), dtype=float)
        assert max_rel_error(got, linear_gaussian_darmois(Mn)) < TOL
