"""Tests for impossibility.symbolic.proofs_direct: density invariance by one global simplify."""

from __future__ import annotations

import pytest
import sympy as sp

from impossibility import symbolic as S


def test_direct_proof_fast_priors():
    for name in ("normal", "uniform", "exponential"):
        res = S.prove_density_invariance_direct(name, 2)
        assert res.holds, res.summary()
    res = S.prove_density_invariance_direct("exponential", 2, sp.Matrix([[1, 1], [0, 1]]))
    assert not res.holds
    assert res.steps[-1].status == "refuted"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cauchy", "laplace", "logistic"])
def test_direct_proof_slow_priors(name):
    # logistic: one global simplify takes minutes (docs/theory.md §2.4); Laplace: 16 piece
    # combinations
    assert S.prove_density_invariance_direct(name, 2)
