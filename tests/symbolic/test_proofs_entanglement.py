"""Tests for impossibility.symbolic.proofs_entanglement: ∂f_i/∂u_j ≠ 0 wherever A_ij ≠ 0."""

from __future__ import annotations

import pytest
import sympy as sp

from impossibility import symbolic as S


@pytest.mark.parametrize("d", [2, 3])
def test_complete_entanglement(d):
    res = S.prove_complete_entanglement("laplace", d)
    assert res.holds, res.summary()
    assert len(res.conditions) >= d  # the A_ij ≠ 0 conditions
    if d == 2:
        th = sp.Symbol("theta", real=True)
        assert set(res.conditions) == {sp.Ne(sp.sin(th), 0), sp.Ne(sp.cos(th), 0)}


def test_entanglement_fails_for_zero_entries():
    res = S.prove_complete_entanglement("logistic", 2, sp.eye(2))
    assert not res.holds
    assert res.steps[-1].status == "refuted"
    assert res.residual == sp.ImmutableMatrix([[0, 1], [1, 0]])
    # a rotation about a coordinate axis (k2 = k3 = 0) leaves entries identically zero
    k1 = sp.Symbol("k1", real=True)
    A = S.cayley_transform(S.skew_symmetric([k1, 0, 0]))
    assert not S.prove_complete_entanglement("cauchy", 3, A)
