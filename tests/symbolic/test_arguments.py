"""Tests for impossibility.symbolic._arguments: d, prior and inner map, checked once for all.

A wrong type raises ``TypeError`` and a wrong value ``ValueError`` (the package's rule).
"""

from __future__ import annotations

import pytest
import sympy as sp

from impossibility import symbolic as S


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.symbolic_map("logistic", 1), "Theorem 1 needs d ≥ 2"),
        (lambda: S.symbolic_map("logistic", 4), "no default symbolic rotation for d = 4"),
        (lambda: S.symbolic_map(["logistic"], 2), "got 1 priors for d = 2"),
        (
            lambda: S.symbolic_map("logistic", 2, sp.eye(3)),
            r"A has shape \(3, 3\), expected \(2, 2\)",
        ),
        (
            lambda: S.symbolic_map("logistic", 2, sp.eye(2), inner=S.swirl_map(2)),
            "either A or inner",
        ),
    ],
)
def test_validation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


_TAKES_D = [
    S.symbolic_map,
    S.prove_chain_rule,
    S.prove_density_invariance,
    S.prove_density_invariance_direct,
    S.prove_complete_entanglement,
]


@pytest.mark.parametrize("fun", _TAKES_D, ids=lambda f: f.__name__)
@pytest.mark.parametrize("d", [2.0, True])
def test_dimension_of_the_wrong_type_is_a_type_error(fun, d):
    with pytest.raises(TypeError, match=r"d must be an integer; got (2\.0 \(float\)|True \(bool)"):
        fun(d=d) if fun is S.prove_chain_rule else fun("logistic", d)


@pytest.mark.parametrize("fun", _TAKES_D, ids=lambda f: f.__name__)
def test_dimension_below_two_is_a_value_error(fun):
    with pytest.raises(ValueError, match="d = 1: Theorem 1 needs d ≥ 2"):
        fun(d=1) if fun is S.prove_chain_rule else fun("logistic", 1)


def test_prior_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="prior must be a prior name, a SymbolicPrior, or a seq"):
        S.symbolic_map(3, 2)
    with pytest.raises(TypeError, match="prior must be a SymbolicPrior or one of"):
        S.symbolic_map([3, "logistic"], 2)
    with pytest.raises(ValueError, match="unknown prior 'gumbel'"):
        S.prove_density_invariance(["gumbel", "logistic"], 2)


def test_inner_map_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="inner must be a GaussianMap; got str"):
        S.symbolic_map("logistic", 2, inner="swirl")
    with pytest.raises(TypeError, match="inner must be a GaussianMap; got ImmutableDenseMatrix"):
        S.prove_chain_rule(2, inner=sp.ImmutableMatrix(sp.eye(2)))
    with pytest.raises(ValueError, match="inner map acts on d = 2, expected d = 3"):
        S.prove_density_invariance("logistic", 3, inner=S.swirl_map(2))
