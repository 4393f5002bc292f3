"""Tests for impossibility.symbolic.proofs_lemmas: the chain rule and Gaussian invariance of T."""

from __future__ import annotations

import pytest
import sympy as sp

from impossibility import symbolic as S


@pytest.mark.parametrize("d", [2, 3])
def test_chain_rule_with_abstract_maps(d):
    res = S.prove_chain_rule(d)
    assert res.holds and res.residual == 0


def test_chain_rule_for_nonlinear_inner_map():
    assert S.prove_chain_rule(2, inner=S.swirl_map(2))


def test_gaussian_invariance_and_its_failures():
    assert S.prove_gaussian_invariance(d=2)
    assert S.prove_gaussian_invariance(d=3)
    assert S.prove_gaussian_invariance(S.householder_matrix(2))
    assert S.prove_gaussian_invariance(S.householder_matrix(4, sp.Rational(1, 3)))
    # a scaling keeps nothing: norm and volume both change
    res = S.prove_gaussian_invariance(sp.diag(2, sp.Rational(1, 2)))
    assert not res.holds
    assert [s.status for s in res.steps[:2]] == ["refuted", "refuted"]
    assert res.steps[2].holds  # |det| = 1 still holds for diag(2, 1/2)


def test_swirl_with_wrong_angle_dependence_fails():
    """Rotating by an angle that depends on y₁ (not on ‖y‖) keeps the norm but not the volume."""
    y = sp.symbols("y1:3", real=True)
    b = sp.Symbol("b", real=True)
    T = sp.ImmutableMatrix(S.rotation_2d(b * y[0]) * sp.Matrix(y))
    res = S.prove_gaussian_invariance(inner=S.GaussianMap("bad swirl", y, T))
    assert not res.holds
    by = {s.claim.split(":")[0]: s.status for s in res.steps}
    assert by["T preserves the norm"] == "proved"
    assert by["T preserves volume"] in ("refuted", "not proved")
    assert res.steps[-1].status == "refuted"


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.prove_gaussian_invariance(), "give A, inner, or d"),
    ],
)
def test_validation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_gaussian_invariance_refuses_inconsistent_arguments():
    with pytest.raises(ValueError, match="give either A or inner, not both"):
        S.prove_gaussian_invariance(sp.eye(2), inner=S.swirl_map(2))
    with pytest.raises(ValueError, match=r"A has shape \(2, 2\), expected \(3, 3\)"):
        S.prove_gaussian_invariance(sp.eye(2), d=3)
    with pytest.raises(ValueError, match="inner map acts on d = 2, expected d = 3"):
        S.prove_gaussian_invariance(inner=S.swirl_map(2), d=3)
    with pytest.raises(TypeError, match="inner must be a GaussianMap; got object"):
        S.prove_gaussian_invariance(inner=object())
    with pytest.raises(TypeError, match=r"d must be an integer; got 2\.0"):
        S.prove_gaussian_invariance(d=2.0)
