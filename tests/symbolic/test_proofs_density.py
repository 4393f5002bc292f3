"""Tests for impossibility.symbolic.proofs_density: marginal identities and density invariance."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from impossibility import symbolic as S

PRIOR_NAMES = sorted(S.PRIORS)


@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_marginal_identities_hold(name):
    res = S.prove_marginal_identities(name)
    assert res.holds, res.summary()
    assert res.residual == 0
    claims = " ".join(s.claim for s in res.steps)
    for part in ("F'(x) = p(x)", "p(x) > 0", "F⁻¹(F(x)) = x", "(i)", "(ii)"):
        assert part in claims


def test_laplace_is_proved_on_both_half_lines():
    res = S.prove_marginal_identities("laplace")
    pieces = {s.claim.split("]")[0] for s in res.steps}
    assert any("-oo < x < 0" in p for p in pieces) and any("0 < x < oo" in p for p in pieces)
    assert any("single-expression forms" in s.claim and s.holds for s in res.steps)


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", PRIOR_NAMES)
def test_density_invariance_structured(name, d):
    res = S.prove_density_invariance(name, d)
    assert res.holds, res.summary()
    assert res.residual == 0
    assert all(s.status in ("proved", "definition") for s in res.steps)


def test_density_invariance_mixed_priors_and_householder():
    assert S.prove_density_invariance(["laplace", "cauchy"], 2)
    assert S.prove_density_invariance(
        ["uniform", "exponential", "logistic"], 3, S.householder_matrix(3)
    )


def test_shear_is_refuted_with_a_checkable_witness():
    shear = sp.Matrix([[1, 1], [0, 1]])
    res = S.prove_density_invariance("logistic", 2, shear)
    assert not res.holds and not bool(res)
    assert res.residual != 0
    by_claim = {s.claim: s for s in res.steps}
    orth = next(s for c, s in by_claim.items() if c.startswith("A is orthogonal"))
    assert orth.status == "refuted"
    norm = next(s for c, s in by_claim.items() if c.startswith("T preserves the norm"))
    assert norm.status == "refuted"
    # recompute the witness residual ‖Ay‖² − ‖y‖² independently with NumPy
    w = dict(norm.witness)
    y = np.array([w["y1"], w["y2"]])
    A = np.array([[1.0, 1.0], [0.0, 1.0]])
    assert np.isclose(abs(np.sum((A @ y) ** 2) - np.sum(y**2)), w["residual"], rtol=1e-12)
    # the marginal steps are unaffected by A
    assert all(s.holds for s in res.steps if s.claim.startswith("[logistic]"))


def test_wrong_density_is_refuted():
    x, p = sp.Symbol("x", real=True), sp.Symbol("p", real=True)
    bad = S.SymbolicPrior(
        "bad-logistic",
        (
            S.PriorPiece(
                sp.exp(-x) / (1 + sp.exp(-x)),  # not F'(x): this is 1 − F(x)
                1 / (1 + sp.exp(-x)),
                sp.log(p / (1 - p)),
                -sp.oo,
                sp.oo,
                sp.S.Zero,
                sp.S.One,
            ),
        ),
    )
    res = S.prove_density_invariance(bad, 2)
    assert not res.holds
    failed = {s.claim.split(": ")[0] for s in res.failed_steps}
    assert any("derivative of the CDF" in c for c in failed)
    assert all(s.status == "refuted" for s in res.failed_steps)
    assert res.residual != 0


def test_custom_prior_and_non_positive_density():
    x, p = sp.Symbol("x", real=True), sp.Symbol("p", real=True)
    # Beta(2, 1) on (0, 1): pdf 2x, CDF x², quantile √p — a valid custom prior
    beta21 = S.SymbolicPrior(
        "beta21", (S.PriorPiece(2 * x, x**2, sp.sqrt(p), sp.S.Zero, sp.S.One, sp.S.Zero, sp.S.One),)
    )
    assert S.prove_marginal_identities(beta21)
    assert S.prove_density_invariance(beta21, 2)
    # "pdf" cos x with "CDF" sin x on (0, π): F' = p, but p < 0 on (π/2, π) and F does not reach 1
    sine = S.SymbolicPrior(
        "sine",
        (S.PriorPiece(sp.cos(x), sp.sin(x), sp.asin(p), sp.S.Zero, sp.pi, sp.S.Zero, sp.S.One),),
    )
    res = S.prove_marginal_identities(sine)
    assert not res.holds
    status = {s.claim.split("] ")[1][:20]: s.status for s in res.steps}
    assert status["the density is the d"] == "proved"
    assert status["p(x) > 0 on the open"] == "refuted"
    assert status["F runs from 0 to 1 o"] == "refuted"
