"""Tests for impossibility.symbolic.swirl: the radius-dependent rotation and its proof."""

from __future__ import annotations

import pytest

from impossibility import symbolic as S


@pytest.mark.parametrize("theta", ["function", "quadratic"])
def test_swirl_2d(theta):
    res = S.prove_swirl(2, theta)
    assert res.holds, res.summary()
    assert any("det J_T(y) = 1" in s.claim for s in res.steps)


def test_swirl_transported_to_a_prior():
    assert S.prove_density_invariance("exponential", 2, inner=S.swirl_map(2))


@pytest.mark.slow
def test_swirl_3d():
    # structured proof with Rodrigues' formula: about a minute of simplification
    assert S.prove_swirl(3)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.swirl_map(4), "d = 2 or 3"),
        (lambda: S.swirl_map(2, "cubic"), "theta must be"),
    ],
)
def test_validation_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_swirl_argument_types():
    with pytest.raises(TypeError, match=r"d must be an integer; got 2\.0"):
        S.swirl_map(2.0)
    with pytest.raises(TypeError, match=r"d must be an integer; got 3\.0"):
        S.prove_swirl(3.0)
    with pytest.raises(ValueError, match="swirl_map supports d = 2 or 3; got d = 4"):
        S.prove_swirl(4)
    with pytest.raises(TypeError, match="theta must be 'function', 'quadratic' or a callable"):
        S.swirl_map(2, 0.5)
    T = S.swirl_map(2, lambda r: r**2)  # a callable of the radius
    assert T.d == 2 and T.params == ()
