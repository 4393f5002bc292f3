"""Tests for impossibility.symbolic.proofs_general_d: the argument with matrix symbols."""

from __future__ import annotations

from impossibility import symbolic as S


def test_general_d_argument():
    res = S.prove_general_d()
    assert res.holds, res.summary()
    statuses = [s.status for s in res.steps]
    assert statuses.count("definition") == 1 and statuses.count("proved") == len(statuses) - 1


def test_general_d_needs_orthogonality():
    res = S.prove_general_d(orthogonal=False)
    assert not res.holds
    failed = [s.claim for s in res.failed_steps]
    assert "AᵀA = I" in failed and "|det A| = 1" in failed
    assert res.residual != 0
