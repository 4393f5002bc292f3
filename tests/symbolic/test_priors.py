"""Tests for impossibility.symbolic.priors: the registry's closed forms and prior validation."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from impossibility import symbolic as S

PRIOR_NAMES = sorted(S.PRIORS)


@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_registry_formulas_match_scipy(name, max_rel_error):
    """pdf, cdf and quantile expressions agree with scipy.stats (an independent implementation)."""
    pr = S.PRIORS[name]
    dist = pr.scipy()
    x, q = sp.Symbol("x", real=True), sp.Symbol("q", real=True)
    pdf = sp.lambdify(x, pr.pdf(x), modules=["scipy", "numpy"])
    cdf = sp.lambdify(x, pr.cdf(x), modules=["scipy", "numpy"])
    qf = sp.lambdify(q, pr.quantile(q), modules=["scipy", "numpy"])
    probs = np.linspace(0.03, 0.97, 31)
    pts = dist.ppf(probs)
    # bulk evaluations of textbook formulas: a few ulps apart
    assert max_rel_error(pdf(pts), dist.pdf(pts)) < 1e-13
    assert max_rel_error(cdf(pts), dist.cdf(pts)) < 1e-13
    assert max_rel_error(qf(probs), pts) < 1e-13


def test_bad_pieces_are_rejected():
    x, p = sp.Symbol("x", real=True), sp.Symbol("p", real=True)
    a = S.PriorPiece(
        sp.exp(x) / 2, sp.exp(x) / 2, sp.log(2 * p), -sp.oo, sp.S.Zero, sp.S.Zero, sp.Rational(1, 2)
    )
    b = S.PriorPiece(
        sp.exp(-x) / 2,
        1 - sp.exp(-x) / 2,
        -sp.log(2 * (1 - p)),
        sp.S.One,
        sp.oo,
        sp.Rational(1, 2),
        sp.S.One,
    )
    with pytest.raises(ValueError, match="adjacent"):
        S.SymbolicPrior("gap", (a, b))
    with pytest.raises(ValueError, match="from 0 to 1"):
        S.SymbolicPrior("half", (a,))
    with pytest.raises(ValueError, match="unknown prior 'gumbel'"):
        S.get_prior("gumbel")


def test_get_prior_refuses_a_non_prior_type():
    with pytest.raises(TypeError, match=r"prior must be a SymbolicPrior or one of \['cauchy'"):
        S.get_prior(3)
    assert S.get_prior(S.PRIORS["cauchy"]) is S.PRIORS["cauchy"]


def test_multi_piece_prior_without_closed_forms_is_piecewise():
    lap = S.SymbolicPrior("laplace-pieces", S.PRIORS["laplace"].pieces)
    x = sp.Symbol("x", real=True)
    assert isinstance(lap.pdf(x), sp.Piecewise)
    assert lap.pdf(sp.Integer(-1)) == sp.exp(-1) / 2 and lap.pdf(sp.Integer(1)) == sp.exp(-1) / 2
    with pytest.raises(ValueError, match="has no scipy counterpart"):
        lap.scipy()
